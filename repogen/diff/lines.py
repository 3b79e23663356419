"""A repository's changes as marked, indented lines: what the terminal and markdown reports
both print.

Sections come in order of consequence: resolutions, upgrades of installed machines,
installability regressions, modules, relations, packages, patterns and kernel flavors,
versions.  Marks: ``+`` added, ``-`` removed, ``~`` changed, ``!`` broken, ``=`` held
back.  Relations are written in the model's (Debian) syntax under the family's own field
name (``Depends``, ``Requires``).  An upgrade that changes nothing is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from repogen.diff.result import (
    Link,
    MachineUpgrade,
    ModuleChange,
    RepositoryDiff,
    ResolutionChange,
    SetChange,
    Status,
    StreamChange,
)
from repogen.families import Family, driver


@dataclass(frozen=True)
class Line:
    depth: int
    mark: str
    text: str


def _was(old: str, new: str) -> str:
    return "" if old == new else f" (was {old})"


def request_text(change: ResolutionChange) -> str:
    return change.request + _was(change.old_request, change.request)


def _set(depth: int, change: SetChange, label: str = "") -> Iterator[Line]:
    for name in change.removed:
        yield Line(depth, "-", f"{label}{name}")
    for name in change.added:
        yield Line(depth, "+", f"{label}{name}")


def _resolutions(diff: RepositoryDiff) -> Iterator[Line]:
    for change in diff.resolutions:
        yield Line(
            1,
            "~",
            f"{request_text(change)}: {change.old.summary()} → "
            f"{change.new.summary()}  [{', '.join(change.assertions)}]",
        )
        for label, names in (("installs", change.install), ("removes", change.remove)):
            if names.removed:
                yield Line(2, "-", f"{label} {' '.join(names.removed)}")
            if names.added:
                yield Line(2, "+", f"{label} {' '.join(names.added)}")
        old_modules, new_modules = change.old.modules, change.new.modules
        if old_modules != new_modules:
            yield Line(
                2,
                "~",
                f"enables {', '.join(old_modules) or 'no stream'} → "
                f"{', '.join(new_modules) or 'no stream'}",
            )


def upgrade_summary(upgrade: MachineUpgrade) -> str:
    """``gains 1, loses 1, upgrades 7, holds back 3, keeps 80 as they are``, or ``fails:
    REASON``."""
    if not upgrade.ok:
        return f"fails: {upgrade.reason}"
    counts = (
        ("gains", len(upgrade.gains)),
        ("loses", len(upgrade.loses)),
        ("upgrades", len(upgrade.upgrades)),
        ("holds back", len(upgrade.held_back)),
    )
    rest = len(upgrade.keeps) - len(upgrade.held_back)
    return ", ".join([*(f"{label} {n}" for label, n in counts if n), f"keeps {rest} as they are"])


def _upgrades(diff: RepositoryDiff) -> Iterator[Line]:
    for upgrade in diff.upgrades:
        if not upgrade.changes:
            continue
        what = f"{upgrade.request} after {upgrade.installed}: {upgrade_summary(upgrade)}"
        yield Line(1, "~" if upgrade.ok else "!", what)
        for package in upgrade.loses:
            yield Line(2, "-", f"{package.name} {package.version}")
        for package in upgrade.gains:
            yield Line(2, "+", f"{package.name} {package.version}")
        yield from _steps(2, "~", ((s.old, s.new, s.name) for s in upgrade.upgrades))
        held = ((s.old, s.new, s.name) for s in upgrade.held_back)
        yield from _steps(2, "=", held, "held back {old} ({new} not taken)")


def _regressions(diff: RepositoryDiff) -> Iterator[Line]:
    for regression in diff.regressions:
        was = (
            ""
            if regression.old_package == regression.package
            else f" (was {regression.old_package})"
        )
        yield Line(1, "!", f"{regression.package}{was}: {regression.problem}")


def _stream(change: StreamChange) -> Iterator[Line]:
    was = _was(change.old_name, change.name)
    flavor = change.flavor
    what = f": kernel modules {flavor.old or 'none'} → {flavor.new or 'none'}" if flavor else ""
    yield Line(2, "~", f"stream {change.name}{was}{what}")
    yield from _set(3, change.artifacts, "artifact ")
    yield from _set(3, change.profiles, "profile ")
    for profile in change.profile_rpms:
        removed = [f"-{n}" for n in profile.rpms.removed]
        added = [f"+{n}" for n in profile.rpms.added]
        yield Line(3, "~", f"profile {profile.name}: {' '.join(removed + added)}")


def _module(change: ModuleChange) -> Iterator[Line]:
    if change.status is not Status.CHANGED:
        yield Line(1, "+" if change.status is Status.ADDED else "-", f"module {change.name}")
        return
    yield Line(1, "~", f"module {change.name}")
    for label, value in (
        ("default stream", change.default_stream),
        ("default profile", change.default_profile),
    ):
        if value is not None:
            yield Line(2, "~", f"{label}: {value.old or 'none'} → {value.new or 'none'}")
    yield from _set(2, change.streams, "stream ")
    if change.renamed_streams:
        pairs = ", ".join(f"{a} → {b}" for a, b in change.renamed_streams)
        yield Line(2, "~", f"streams renamed with the release: {pairs}")
    for stream in change.changed_streams:
        yield from _stream(stream)


def _modules(diff: RepositoryDiff) -> Iterator[Line]:
    for change in diff.modules:
        yield from _module(change)


def _relations(diff: RepositoryDiff) -> Iterator[Line]:
    names = driver(diff.family).relation_fields
    for change in diff.relations:
        yield Line(1, "~", change.package + _was(change.old_package, change.package))
        for field in change.fields:
            yield from _set(2, field.relations, f"{names[field.kind]}: ")


def _packages(diff: RepositoryDiff) -> Iterator[Line]:
    for package in diff.removed:
        yield Line(1, "-", f"{package.name} {package.version}")
    for package in diff.added:
        yield Line(1, "+", f"{package.name} {package.version}")
    declared = [r for r in diff.renamed if r.link is not Link.RELEASE]
    for rename in declared:
        yield Line(
            1,
            "~",
            f"{rename.old} {rename.old_version} → {rename.new} {rename.new_version} "
            f"({rename.new} {rename.link.value} {rename.old})",
        )
    following = [f"{r.old} → {r.new}" for r in diff.renamed if r.link is Link.RELEASE]
    if following:
        yield Line(1, "~", f"renamed with the release: {', '.join(following)}")


def _features(diff: RepositoryDiff) -> Iterator[Line]:
    yield from _set(1, diff.patterns, "pattern ")
    yield from _set(1, diff.kernel_flavors, "kernel flavor ")


def _steps(
    depth: int, mark: str, steps: Iterable[tuple[str, str, str]], shape: str = "{old} → {new}"
) -> Iterator[Line]:
    """One line per pair of versions (written as *shape* says), naming every package of the
    (old, new, name) *steps* that has them."""

    def key(change: tuple[str, str, str]) -> tuple[str, str]:
        return change[0], change[1]

    for (old, new), group in groupby(sorted(steps), key=key):
        names = ", ".join(name for _, _, name in group)
        yield Line(depth, mark, f"{shape.format(old=old, new=new)}: {names}")


def _versions(diff: RepositoryDiff) -> Iterator[Line]:
    yield from _steps(1, "~", ((v.old, v.new, v.name) for v in diff.versions))


_SECTIONS = (
    ("resolutions", _resolutions),
    ("upgrades", _upgrades),
    ("installability regressions", _regressions),
    ("modules", _modules),
    ("relations", _relations),
    ("packages", _packages),
    ("patterns and kernel flavors", _features),
    ("versions", _versions),
)


def repository_lines(diff: RepositoryDiff) -> list[Line]:
    """The changes of one repository, section by section (empty sections left out)."""
    lines: list[Line] = []
    for title, section in _SECTIONS:
        body = list(section(diff))
        if body:
            lines += [Line(0, " ", title), *body]
    return lines


@dataclass(frozen=True)
class Group:
    """Repositories of one family whose changes read the same, reported once."""

    family: Family
    status: Status
    repositories: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def heading(self) -> str:
        return f"{', '.join(self.repositories)} ({self.family.value})"


def groups(repositories: tuple[RepositoryDiff, ...]) -> list[Group]:
    """Changed, added and removed repositories, those with identical changes merged."""
    merged: dict[tuple[Family, Status, tuple[Line, ...]], list[str]] = {}
    for diff in repositories:
        if diff.status is Status.UNCHANGED:
            continue
        key = (diff.family, diff.status, tuple(repository_lines(diff)))
        merged.setdefault(key, []).append(f"{diff.target}/{diff.arch}")
    return [
        Group(family, status, tuple(names), lines)
        for (family, status, lines), names in merged.items()
    ]
