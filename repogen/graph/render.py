"""Pictures of DOT text, drawn by Graphviz's ``dot`` (Debian's ``graphviz`` package)."""

from __future__ import annotations

import subprocess
from enum import StrEnum
from pathlib import PurePath

from repogen.errors import RepogenError

#: Resolution of PNG pictures, in dots per inch (SVG is resolution-independent).
PNG_DPI = 110


class PictureFormat(StrEnum):
    SVG = "svg"
    PNG = "png"
    DOT = "dot"


class GraphvizError(RepogenError):
    """``dot`` is missing or rejected the graph."""


def picture_format(path: PurePath) -> PictureFormat:
    """The format a file name asks for by its extension; ValueError for any other."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "gv":
        return PictureFormat.DOT
    try:
        return PictureFormat(suffix)
    except ValueError:
        known = ", ".join(f".{f}" for f in PictureFormat)
        raise ValueError(
            f"{path.name}: cannot tell the picture format from "
            f"{'.' + suffix if suffix else 'a name without extension'}; use {known}"
        ) from None


def render(dot: str, picture: PictureFormat) -> bytes:
    """*dot* drawn as *picture*, or the DOT text itself."""
    if picture is PictureFormat.DOT:
        return dot.encode()
    command = ["dot", f"-T{picture}"]
    if picture is PictureFormat.PNG:
        command.append(f"-Gdpi={PNG_DPI}")
    try:
        done = subprocess.run(command, input=dot.encode(), capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise GraphvizError(
            "Graphviz `dot` is not installed (Debian: apt-get install graphviz)"
        ) from exc
    if done.returncode != 0:
        raise GraphvizError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
