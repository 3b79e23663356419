"""Packages of two repositories matched up: same name, renamed, added, removed.

The rename rule, applied to packages only one side has (each package in at most one rename):

1. **Declared links**: a new package that ``Replaces``, ``Obsoletes`` or ``Provides`` the name
   of a removed one is its successor (in that order of strength; of several, the first name).
2. **Release numbers**: a removed and an added package whose names are equal once each side's
   release numbers are normalised (:mod:`repogen.diff.normalise`) are one package that follows
   the release: ``nvidia-driver-555`` → ``nvidia-driver-560``, ``cuda-toolkit-12-5`` →
   ``cuda-toolkit-12-6``, ``libfoo555`` → ``libfoo560``.

`repogen graph --diff` matches its package nodes with this same rule (:mod:`repogen.graph.diff`).

A repository listing several versions of a package is compared by its newest (the candidate).
Relations are compared per field as sets (rpm does not keep their order); relations that
differ only by release numbers are not reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from repogen.diff.normalise import Normaliser, ReleaseNumbers, follow_release
from repogen.diff.result import FieldChange, Link, RelationChanges, Rename, SetChange
from repogen.families import driver
from repogen.model import Family, PackageSpec, RelationKind
from repogen.model.relations import Relation

#: The relation fields, in the order the diff reports them.
_KINDS = tuple(RelationKind)
_LINKS = (
    (RelationKind.REPLACES, Link.REPLACES),
    (RelationKind.OBSOLETES, Link.OBSOLETES),
    (RelationKind.PROVIDES, Link.PROVIDES),
)


@dataclass(frozen=True)
class Pairing:
    """The packages of two repositories: matched pairs (old, new, link or None when the name
    is the same), and those only one side has."""

    pairs: tuple[tuple[PackageSpec, PackageSpec, Link | None], ...]
    removed: tuple[PackageSpec, ...]
    added: tuple[PackageSpec, ...]


def candidates(packages: Iterable[PackageSpec], family: Family) -> dict[str, PackageSpec]:
    """The newest version of each package name."""
    compare = driver(family).compare_versions
    newest: dict[str, PackageSpec] = {}
    for package in packages:
        known = newest.get(package.name)
        if known is None or compare(package.version, known.version) > 0:
            newest[package.name] = package
    return newest


def pair(
    old: Mapping[str, PackageSpec],
    new: Mapping[str, PackageSpec],
    numbers: ReleaseNumbers,
) -> Pairing:
    """Match *old* and *new* packages by name, then by the rename rule."""
    pairs = [(old[name], new[name], None) for name in sorted(old.keys() & new.keys())]
    gone = {name: old[name] for name in sorted(old.keys() - new.keys())}
    came = {name: new[name] for name in sorted(new.keys() - old.keys())}
    renamed: list[tuple[PackageSpec, PackageSpec, Link | None]] = []
    for kind, link in _LINKS:
        for name, package in list(came.items()):
            predecessor = next(
                (a.name for r in package.related(kind) for a in r.alternatives if a.name in gone),
                None,
            )
            if predecessor is not None:
                renamed.append((gone.pop(predecessor), came.pop(name), link))
    for name, successor in follow_release(list(gone), list(came), numbers):
        renamed.append((gone.pop(name), came.pop(successor), Link.RELEASE))
    return Pairing(
        tuple(pairs + sorted(renamed, key=lambda p: p[1].name)),
        tuple(gone.values()),
        tuple(came.values()),
    )


def renames(pairing: Pairing) -> tuple[Rename, ...]:
    return tuple(
        Rename(a.name, b.name, a.version, b.version, link)
        for a, b, link in pairing.pairs
        if link is not None
    )


class RelationTexts:
    """Relations as the diff shows them (Debian syntax), each written once: by id(), as a
    model shares one relation object among its packages."""

    def __init__(self) -> None:
        self.written: dict[int, str] = {}

    def __call__(self, relation: Relation) -> str:
        text = self.written.get(id(relation))
        if text is None:
            text = self.written[id(relation)] = str(relation)
        return text


def relation_changes(
    old: PackageSpec,
    new: PackageSpec,
    old_normal: Normaliser,
    new_normal: Normaliser,
    texts: RelationTexts,
) -> RelationChanges | None:
    """What changed in the relations of *old* → *new*, field by field; None when nothing."""
    fields = []
    for kind in _KINDS:
        before, after = old.relations.get(kind, ()), new.relations.get(kind, ())
        if before == after:
            continue
        change = SetChange.between(map(texts, before), map(texts, after), old_normal, new_normal)
        if change:
            fields.append(FieldChange(kind, change))
    return RelationChanges(new.name, old.name, tuple(fields)) if fields else None
