"""What changed between two releases, per repository: values only, rendered elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from repogen.model import Family, RelationKind
from repogen.resolve.outcome import Outcome
from repogen.resolve.result import PackageRef


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class SetChange:
    """Members only the old side has, and members only the new side has; each sorted."""

    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)

    @classmethod
    def between(
        cls,
        old: Iterable[str],
        new: Iterable[str],
        old_normal: Callable[[str], str] = _same,
        new_normal: Callable[[str], str] = _same,
    ) -> SetChange:
        """The difference of *old* and *new*, leaving out members that differ only in what
        the normalisers rewrite (they follow the release)."""
        before, after = set(old), set(new)
        gone = {x: old_normal(x) for x in before - after}
        came = {x: new_normal(x) for x in after - before}
        gone_normal, came_normal = set(gone.values()), set(came.values())
        return cls(
            tuple(sorted(x for x, normal in gone.items() if normal not in came_normal)),
            tuple(sorted(x for x, normal in came.items() if normal not in gone_normal)),
        )


@dataclass(frozen=True)
class ValueChange:
    """A single value before and after (a default stream, a flavor)."""

    old: str | None
    new: str | None


@dataclass(frozen=True)
class PackageVersion:
    name: str
    version: str


class Link(StrEnum):
    """Why a removed and an added package are one package renamed."""

    PROVIDES = "provides"
    REPLACES = "replaces"
    OBSOLETES = "obsoletes"
    RELEASE = "release"  # the same name once the release's version numbers are normalised


@dataclass(frozen=True)
class Rename:
    old: str
    new: str
    old_version: str
    new_version: str
    link: Link


@dataclass(frozen=True)
class VersionChange:
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class FieldChange:
    """Relations of one field removed and added, in the model's (Debian) syntax."""

    kind: RelationKind
    relations: SetChange


@dataclass(frozen=True)
class RelationChanges:
    package: str
    old_package: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ProfileChange:
    name: str
    rpms: SetChange


@dataclass(frozen=True)
class StreamChange:
    name: str
    old_name: str
    flavor: ValueChange | None
    artifacts: SetChange
    profiles: SetChange
    profile_rpms: tuple[ProfileChange, ...]


class Status(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ModuleChange:
    name: str
    status: Status
    default_stream: ValueChange | None = None
    default_profile: ValueChange | None = None
    streams: SetChange = SetChange()
    renamed_streams: tuple[tuple[str, str], ...] = ()
    changed_streams: tuple[StreamChange, ...] = ()


@dataclass(frozen=True)
class ResolutionChange:
    """A request resolved on both sides with a different outcome."""

    request: str
    old_request: str
    assertions: tuple[str, ...]
    old: Outcome
    new: Outcome
    install: SetChange
    remove: SetChange


@dataclass(frozen=True)
class Regression:
    """A package installable in the old release whose counterpart is not in the new one."""

    package: str
    old_package: str
    problem: str


@dataclass(frozen=True)
class PackageStep:
    """An installed package and another version of it: the one an upgrade moves it to, or
    the newer one it leaves untaken."""

    name: str
    old: str
    new: str
    arch: str


@dataclass(frozen=True)
class MachineUpgrade:
    """An upgrade request run on the new release by a machine that an install request set up
    on the old one: what the machine gains (new packages), loses (removed), upgrades, and
    keeps as it is, of which ``held_back`` have a newer version the request does not take.
    A failing request changes nothing; ``reason`` is the client's complaint."""

    installed: str
    request: str
    ok: bool
    gains: tuple[PackageRef, ...] = ()
    loses: tuple[PackageRef, ...] = ()
    upgrades: tuple[PackageStep, ...] = ()
    keeps: tuple[PackageRef, ...] = ()
    held_back: tuple[PackageStep, ...] = ()
    reason: str = ""

    @property
    def changes(self) -> bool:
        """Whether it fails, changes the machine, or leaves a newer version untaken."""
        return not self.ok or bool(self.gains or self.loses or self.upgrades or self.held_back)


@dataclass(frozen=True)
class RepositoryDiff:
    target: str
    arch: str
    family: Family
    status: Status
    added: tuple[PackageVersion, ...] = ()
    removed: tuple[PackageVersion, ...] = ()
    renamed: tuple[Rename, ...] = ()
    versions: tuple[VersionChange, ...] = ()
    relations: tuple[RelationChanges, ...] = ()
    modules: tuple[ModuleChange, ...] = ()
    patterns: SetChange = SetChange()
    kernel_flavors: SetChange = SetChange()
    resolutions: tuple[ResolutionChange, ...] = ()
    regressions: tuple[Regression, ...] = ()
    #: Consequences of the changes above for installed machines, not changes themselves: they
    #: never make a repository changed.
    upgrades: tuple[MachineUpgrade, ...] = ()


@dataclass(frozen=True)
class ReleaseDiff:
    old: str
    new: str
    repositories: tuple[RepositoryDiff, ...]

    @property
    def changed(self) -> bool:
        return any(r.status is not Status.UNCHANGED for r in self.repositories)
