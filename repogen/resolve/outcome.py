"""What one resolution does, as repogen's consumers compare and report it: the one outcome
type of `repogen recommend` (a command proved by resolving it) and `repogen diff` (how a
request resolves before and after), made by :meth:`repogen.resolve.universe.Universe.outcome`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from repogen.model import KernelModuleFlavor


class OutcomeFlavor(StrEnum):
    """Which GPU kernel modules a transaction installs.  The values are what JSON output and
    assertion files (``expect.flavor``) spell."""

    OPEN = "open"
    PROPRIETARY = "proprietary"
    #: No kernel modules at all (the toolkit alone, or a target without drivers).
    NONE = "none"
    #: Both kinds: open and proprietary kernel modules in one transaction.
    MIXED = "mixed"

    @classmethod
    def of(cls, flavors: Iterable[KernelModuleFlavor]) -> OutcomeFlavor:
        """The flavor of a transaction installing kernel modules of *flavors*."""
        found = set(flavors)
        if not found:
            return cls.NONE
        return cls(found.pop().value) if len(found) == 1 else cls.MIXED


@dataclass(frozen=True)
class Outcome:
    """One command (a request as a user types it) and what resolving it does.

    ``install`` and ``remove`` name packages of the release repository only (what the
    distribution supplies is left out); ``kernel_modules`` are the kernel-module packages the
    transaction installs or upgrades to; ``problems`` are the client's errors when it fails.
    """

    command: str
    ok: bool
    flavor: OutcomeFlavor
    kernel_modules: tuple[str, ...] = ()
    install: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    #: The dnf module streams it enables (``name:stream``).
    modules: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def problem(self) -> str:
        """The client's complaint on one line; empty when the command resolves."""
        return "" if self.ok else " ".join(p.strip() for p in self.problems if p.strip())

    def installs(self, flavor: OutcomeFlavor) -> bool:
        return self.ok and self.flavor == flavor

    def summary(self) -> str:
        """``proprietary (nvidia-dkms-555)``, ``none``, ``fails: E: Unable to locate …``."""
        if not self.ok:
            return f"fails: {self.problem}"
        if self.kernel_modules:
            return f"{self.flavor.value} ({', '.join(self.kernel_modules)})"
        return self.flavor.value
