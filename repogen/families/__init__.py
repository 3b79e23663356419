"""The package families repogen publishes and resolves for, and the registry of their drivers.

A family is a repository format and the clients that read it.  Each lives in a package of its
own here (``deb``, ``rpm``, ``suse``), whose ``DRIVER`` is the family's
:class:`~repogen.families.base.FamilyDriver`: its vocabulary (architectures, relation fields,
name and version rules), its command lines, and the entry points of its publisher, index
reader, in-process resolver and real-client runner.  Nothing outside these packages branches on
a family: it asks :func:`driver`.

Adding a family is a new package with a ``DRIVER`` and a member of :class:`Family`.  A family's
package is imported when it is first asked for, so a command pays for the families it uses.
"""

from __future__ import annotations

import functools
import importlib
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from repogen.families.base import FamilyDriver


class Family(StrEnum):
    """A package family: the format and the client that consumes it (the registry)."""

    DEB = "deb"
    RPM = "rpm"
    SUSE = "suse"


@functools.cache
def driver(family: Family | str) -> FamilyDriver:
    """The driver of *family*, from the ``DRIVER`` of its package."""
    module = importlib.import_module(f"{__name__}.{Family(family).value}")
    found: FamilyDriver = module.DRIVER
    return found


def drivers() -> tuple[FamilyDriver, ...]:
    """Every family's driver, in registry order."""
    return tuple(driver(family) for family in Family)


def for_client(program: str) -> FamilyDriver | None:
    """The family whose command lines start with *program* (``apt-get``, ``dnf`` …)."""
    return next((d for d in drivers() if program in d.clients), None)


__all__ = ["Family", "driver", "drivers", "for_client"]
