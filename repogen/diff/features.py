"""dnf modules, SUSE patterns and kernel flavors of two repositories compared.

Streams are matched by name, then — like packages, with the same rule — by name once the
release numbers are normalised (``555-open`` → ``560-open``).  Patterns are the ``pattern()``
names of the pattern packages; kernel flavors are the ``-kmp-<flavor>`` suffixes of the
kernel-module packages (the SUSE KMP naming convention), so both read the same from a model
and from metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from repogen.diff.normalise import Normaliser, ReleaseNumbers, follow_release
from repogen.diff.result import (
    ModuleChange,
    ProfileChange,
    SetChange,
    Status,
    StreamChange,
    ValueChange,
)
from repogen.model import ModuleSpec, PackageSpec, StreamSpec

_KMP = re.compile(r"-kmp-([A-Za-z0-9_]+)$")


def patterns(packages: Iterable[PackageSpec]) -> set[str]:
    return {p.pattern.name for p in packages if p.pattern is not None}


def kernel_flavors(packages: Iterable[PackageSpec]) -> set[str]:
    return {
        match.group(1)
        for p in packages
        if p.kernel_module is not None and (match := _KMP.search(p.name)) is not None
    }


def _value(old: str | None, new: str | None, changed: bool) -> ValueChange | None:
    return ValueChange(old, new) if changed else None


def _stream(
    old: StreamSpec, new: StreamSpec, normal: tuple[Normaliser, Normaliser]
) -> StreamChange | None:
    profile_rpms = [
        ProfileChange(name, rpms)
        for name in sorted(old.profiles.keys() & new.profiles.keys())
        if (rpms := SetChange.between(old.profiles[name], new.profiles[name], *normal))
    ]
    old_flavor = old.kernel_module.value if old.kernel_module else None
    new_flavor = new.kernel_module.value if new.kernel_module else None
    change = StreamChange(
        name=new.name,
        old_name=old.name,
        flavor=_value(old_flavor, new_flavor, old_flavor != new_flavor),
        artifacts=SetChange.between(old.artifacts, new.artifacts, *normal),
        profiles=SetChange.between(old.profiles, new.profiles),
        profile_rpms=tuple(profile_rpms),
    )
    if change.flavor or change.artifacts or change.profiles or change.profile_rpms:
        return change
    return None


def stream_pairs(
    old: ModuleSpec, new: ModuleSpec, numbers: ReleaseNumbers
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The streams of a module both sides have, matched: (old, new) names of the same name,
    and of names that follow the release."""
    old_names = {s.name for s in old.streams}
    new_names = {s.name for s in new.streams}
    renamed = follow_release(sorted(old_names - new_names), sorted(new_names - old_names), numbers)
    return [(n, n) for n in sorted(old_names & new_names)], renamed


def _module(old: ModuleSpec, new: ModuleSpec, numbers: ReleaseNumbers) -> ModuleChange | None:
    """What changed in a module both sides have; None when nothing did."""
    old_normal, new_normal = numbers.old, numbers.new
    old_streams = {s.name: s for s in old.streams}
    new_streams = {s.name: s for s in new.streams}
    same, renamed = stream_pairs(old, new, numbers)
    moved = {a for a, _ in renamed}
    gone = sorted(old_streams.keys() - new_streams.keys())
    came = sorted(new_streams.keys() - old_streams.keys() - {b for _, b in renamed})
    pairs = [*same, *renamed]
    changed = [
        change
        for a, b in pairs
        if (change := _stream(old_streams[a], new_streams[b], (old_normal, new_normal)))
    ]
    stream_moved = old_normal(old.default_stream or "") != new_normal(new.default_stream or "")
    result = ModuleChange(
        name=new.name,
        status=Status.CHANGED,
        default_stream=_value(old.default_stream, new.default_stream, stream_moved),
        default_profile=_value(
            old.default_profile, new.default_profile, old.default_profile != new.default_profile
        ),
        streams=SetChange(tuple(n for n in gone if n not in moved), tuple(came)),
        renamed_streams=tuple(renamed),
        changed_streams=tuple(changed),
    )
    if result.default_stream or result.default_profile or result.streams or renamed or changed:
        return result
    return None


def module_changes(
    old: Iterable[ModuleSpec], new: Iterable[ModuleSpec], numbers: ReleaseNumbers
) -> tuple[ModuleChange, ...]:
    """Every module added, removed or changed, by name."""
    before = {m.name: m for m in old}
    after = {m.name: m for m in new}
    changes = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            changes.append(ModuleChange(name, Status.REMOVED))
        elif name not in before:
            changes.append(ModuleChange(name, Status.ADDED))
        elif change := _module(before[name], after[name], numbers):
            changes.append(change)
    return tuple(changes)
