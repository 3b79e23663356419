"""Sandboxes made once per key and reused: what every family's runner shares."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

Sandbox = TypeVar("Sandbox")


class SandboxCache(Generic[Sandbox]):
    """Sandboxes under *work*, one per key, each in a directory of its own."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.made: dict[str, Sandbox] = {}

    def get(self, key: tuple[object, ...], make: Callable[[Path], Sandbox]) -> Sandbox:
        """The sandbox of *key*, made by ``make(directory)`` the first time it is asked for."""
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        if digest not in self.made:
            self.made[digest] = make(self.work / f"sandbox-{digest}")
        return self.made[digest]
