"""The `repogen` command: parse arguments, call one function, print its result.

Each module of this package adds its commands to the one typer app.
"""

from __future__ import annotations

from repogen.cli import build, diff, graph, model, recommend, resolve
from repogen.cli.common import app

__all__ = ["app", "build", "diff", "graph", "main", "model", "recommend", "resolve"]


def main() -> None:
    app()
