"""What a resolution answers, whoever computed it: repogen's resolver or a real client."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class PackageRef:
    """A package a transaction touches, with the version it has (or will have)."""

    name: str
    version: str
    arch: str


@dataclass(frozen=True)
class Resolution:
    """The outcome of one request: what would be installed, upgraded and removed.

    ``modules`` are the dnf module streams the transaction enables (``name:stream``),
    ``disabled`` the dnf modules it disables;
    ``problems`` explain a request that cannot be satisfied (``ok`` is then False).
    """

    ok: bool
    install: tuple[PackageRef, ...] = ()
    upgrade: tuple[PackageRef, ...] = ()
    remove: tuple[PackageRef, ...] = ()
    modules: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    why: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    disabled: tuple[str, ...] = ()

    @property
    def installed_names(self) -> frozenset[str]:
        """Names that are new or upgraded by the transaction."""
        return frozenset(p.name for p in (*self.install, *self.upgrade))
