"""The `repogen` command: parse arguments, call one function, print its result.

Each module of this package adds its commands to the one typer app (``@app.command``), and
registers them below, one line each: `repogen --help` lists them from here, and a command's
module, with what it imports, is imported only when that command runs.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from repogen.cli.common import Registered, app

#: Every command: its name, its module, and the first paragraph of its docstring.
COMMANDS = (
    Registered(
        "build",
        "repogen.cli.build",
        "Build the release's repositories: APT for deb targets, rpm-md (+ modules) for rpm "
        "targets, rpm-md with patterns for SUSE, and DIR/manifest.json describing them.",
    ),
    Registered(
        "diff",
        "repogen.cli.diff",
        "Show what changed between two releases, per target and architecture: packages added, "
        "removed, renamed and re-versioned; relation changes per field; dnf module streams, "
        "default streams and profiles; SUSE patterns and kernel flavors; how install requests "
        "resolve (kernel-module flavor and install set) before and after; packages that are no "
        "longer installable.",
    ),
    Registered(
        "graph",
        "repogen.cli.graph",
        "Draw the package graph of one target with Graphviz: metapackages, components, "
        "virtual packages, kernel-module providers coloured by flavor (open / proprietary), "
        "entry packages with a double border, SUSE patterns, dnf module streams grouped with "
        "the kernel module they select, and edges by relation kind.",
    ),
    Registered(
        "validate",
        "repogen.cli.model",
        "Load a release model (or a channel of releases, at its newest point or --at), expand "
        "it for every target, and check it.",
    ),
    Registered(
        "schema",
        "repogen.cli.model",
        "Print the JSON Schema of release model files, for editors to complete and check them.",
    ),
    Registered(
        "recommend",
        "repogen.cli.recommend",
        "Tell which GPU kernel modules (open or proprietary) a machine needs and the command "
        "that installs them on its target, derived from the release model.",
    ),
    Registered(
        "resolve",
        "repogen.cli.resolve",
        "Show what a request would install, upgrade and remove on one target, which module "
        "streams it enables and which kernel modules (open, proprietary, none) it brings.",
    ),
    Registered(
        "check",
        "repogen.cli.resolve",
        "Run assertion files against every target of a release and fail on any violation.",
    ),
    Registered(
        "publish",
        "repogen.cli.publish",
        "Add a release to the repositories of a tree, in place: its new package files, then "
        "new indices listing every release's packages, replaced so that a client never sees a "
        "half-published repository (older index files stay for clients mid-update).",
    ),
)

__all__ = ["COMMANDS", "app", "main"]


def main() -> NoReturn:
    try:
        app()
    except SystemExit as exit:
        code = exit.code
    else:
        code = 0
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    # Leave without freeing every object one by one, as mypy does: for two 10,000-package
    # releases that took 0.08 s of `repogen diff`.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = code or 1
    os._exit(code)
