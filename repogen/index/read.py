"""One repository as a family's reader gives it, before its target is known in full."""

from __future__ import annotations

import re
from dataclasses import dataclass

from repogen.families import Family
from repogen.model import ModuleSpec, PackageSpec


@dataclass(frozen=True)
class RepositoryRead:
    """The packages (and module streams) of one target and architecture, as read."""

    target: str
    family: Family
    arch: str
    packages: tuple[PackageSpec, ...]
    modules: tuple[ModuleSpec, ...] = ()
    suite: str | None = None
    platform: str | None = None
    date: str = ""


def identifier(text: str) -> str:
    """*text* as a model identifier (a target or architecture name)."""
    return re.sub(r"[^a-z0-9_.-]", "-", text.lower()).strip("-._") or "unknown"
