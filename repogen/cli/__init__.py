"""The `repogen` command: parse arguments, call one function, print its result.

Each module of this package adds its commands to the one typer app.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from repogen.cli import build, diff, graph, model, publish, recommend, resolve
from repogen.cli.common import app

__all__ = ["app", "build", "diff", "graph", "main", "model", "publish", "recommend", "resolve"]


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
