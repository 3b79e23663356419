"""Where a declaration applies, written as the fewest ``when`` conditions that say it exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple


class Place(NamedTuple):
    """One repository: a target on one (canonical) architecture."""

    target: str
    arch: str


def when(places: Iterable[Place], everywhere: set[Place]) -> list[dict[str, Any] | None]:
    """The conditions, one per declaration, under which something on *places* (of all the
    repositories, *everywhere*) exists: none when it is everywhere; else the targets that have
    it on all their architectures together, then each other target with its architectures."""
    places = set(places)
    if places == everywhere:
        return [None]
    arches_of: dict[str, set[str]] = defaultdict(set)
    for place in everywhere:
        arches_of[place.target].add(place.arch)
    found: dict[str, set[str]] = defaultdict(set)
    for place in places:
        found[place.target].add(place.arch)
    whole = sorted(t for t, arches in found.items() if arches == arches_of[t])
    conditions: list[dict[str, Any] | None] = [{"target": whole}] if whole else []
    by_arches: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for target, arches in sorted(found.items()):
        if target not in whole:
            by_arches[tuple(sorted(arches))].append(target)
    conditions += [
        {"target": targets, "arch": list(arches)} for arches, targets in sorted(by_arches.items())
    ]
    return conditions
