"""A command's input when it is published repositories rather than a model file.

``check``, ``resolve``, ``graph``, ``recommend`` and ``diff`` read what ``diff`` always read: a
``repogen build`` output, a bare APT repository (its root or ``dists/<suite>``) or an rpm-md
tree, on disk or over ``http://`` and ``https://`` (:mod:`repogen.index.remote`).  Their
assertions then run over the metadata as published.  :func:`repogen.cli.common.load_model`
is the one loading function of the commands; it hands what this module recognises to
:func:`repogen.index.tree.load_address`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from repogen.addresses import MANIFEST, is_url

InputArgument = Annotated[
    str | None,
    typer.Argument(
        help="Release model or channel YAML file, or published repositories: a `repogen "
        "build` output, a bare APT repository or rpm-md tree, a directory or an http(s):// "
        "URL. Default: the bundled channel.",
        show_default=False,
    ),
]
KeyringOption = Annotated[
    Path | None,
    typer.Option(
        "--keyring",
        help="Refuse repositories whose InRelease / Release.gpg or repomd.xml.asc is not "
        "signed by a key of this keyring (binary or armored).",
        dir_okay=False,
        exists=True,
    ),
]


@dataclass(frozen=True)
class RepositoryOptions:
    """How to read repositories: the name of a bare one's target, the keyring to verify."""

    target: str | None = None
    keyring: Path | None = None


def is_repositories(text: str | Path) -> bool:
    """Whether *text* names repositories rather than a model file: a URL, or a directory
    laid out as a build output, an APT repository or an rpm-md tree (an assertion
    directory is none of these)."""
    if is_url(str(text)):
        return True
    path = Path(text)
    return path.is_dir() and (
        os.path.lexists(path / MANIFEST)
        or (path / "dists").is_dir()
        or (path / "repodata").is_dir()
        or path.parent.name == "dists"
    )
