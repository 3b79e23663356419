"""The one error of `repogen recommend`'s inputs, and reading an input file."""

from __future__ import annotations

from pathlib import Path

from repogen.errors import RepogenError


class InputError(RepogenError, ValueError):
    """An input (file, device id, option) that cannot be used.

    The message names the file or value and says what was expected, on one line.
    """


def read_input(path: Path) -> str:
    """The text of *path*, or an InputError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: expected UTF-8 text: {exc.reason}") from exc
