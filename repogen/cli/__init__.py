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

#: Every command: its name and the module that defines it.
COMMANDS = (
    Registered("build", "repogen.cli.build"),
    Registered("diff", "repogen.cli.diff"),
    Registered("graph", "repogen.cli.graph"),
    Registered("validate", "repogen.cli.model"),
    Registered("schema", "repogen.cli.model"),
    Registered("recommend", "repogen.cli.recommend"),
    Registered("resolve", "repogen.cli.resolve"),
    Registered("check", "repogen.cli.resolve"),
    Registered("publish", "repogen.cli.publish"),
    Registered("import", "repogen.cli.import_"),
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
