"""Errors in a release model, each pointing at a file, a line, a column and a model path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from repogen.errors import RepogenError

ModelPath = tuple[str | int, ...]


def format_path(path: ModelPath) -> str:
    """Render ``("packages", 3, "depends", 1)`` as ``packages[3].depends[1]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "<root>"


@dataclass(frozen=True, order=True)
class Mark:
    """Where a value was written."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class ModelError:
    """One problem in a model: where it is and what was expected."""

    mark: Mark
    path: ModelPath
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {format_path(self.path)}: {self.message}"


class ModelErrors(RepogenError):
    """All the problems found in one model; raised when there is at least one."""

    def __init__(self, errors: Iterable[ModelError]) -> None:
        unique = sorted(set(errors), key=lambda e: (e.mark, format_path(e.path), e.message))
        self.errors: Sequence[ModelError] = unique
        super().__init__("\n".join(str(e) for e in unique))

    def __reduce__(self) -> tuple[type[ModelErrors], tuple[Sequence[ModelError]]]:
        # Made again from the errors, not from the message (a model may load in a worker).
        return ModelErrors, (self.errors,)
