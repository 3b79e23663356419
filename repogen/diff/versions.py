"""Versions as a resolver tells them apart: by how they compare, not by what they say.

Two releases move their version numbers (a driver or CUDA patch level) and often nothing
else.  Whether ``install NAME`` succeeds cannot depend on the version strings themselves, only
on the answers of the comparisons the resolver makes, and a resolver compares versions of one
name only: the versions packages of that name have, the versions it is provided at, and the
versions relations ask of it.  So a version is replaced by its place among the versions of its
name (in string order, the order apt's cache sorts them in), and the versions of each name by
how every two of them compare (:meth:`Versions.shape`): two packages whose names have the same
shape in both releases, and whose versions have the same places, compare alike everywhere.

The comparisons are the resolver's own: apt's constraint check for apt, libsolv's order and
dependency matching for dnf and zypper.
"""

from __future__ import annotations

from collections.abc import Iterable

from repogen.families import Family, driver
from repogen.families.base import Comparison
from repogen.model import PackageSpec


def comparison(family: Family) -> Comparison:
    """The version comparison of *family*'s resolver."""
    return driver(family).resolver_comparison()


class Versions:
    """The versions of every name in one set of packages, each numbered by its place among
    its name's versions."""

    def __init__(self, packages: Iterable[PackageSpec], compare: Comparison) -> None:
        found: dict[str, set[str]] = {}
        # A model shares one relation object among its packages: each is read once.
        read: set[int] = set()
        for package in packages:
            found.setdefault(package.name, set()).add(package.version)
            for relations in package.relations.values():
                for relation in relations:
                    if id(relation) in read:
                        continue
                    read.add(id(relation))
                    for alternative in relation.alternatives:
                        if alternative.constraint is not None:
                            versions = found.setdefault(alternative.name, set())
                            versions.add(alternative.constraint.version)
        self.places = {
            name: {version: place for place, version in enumerate(sorted(versions))}
            for name, versions in found.items()
        }
        self.compare = compare

    def place(self, name: str, version: str) -> int:
        return self.places[name][version]

    def shape(self, name: str) -> tuple[object, ...]:
        """How every two versions of *name* compare, by their places (nothing to compare for
        a name with one version or none)."""
        places = self.places.get(name, {})
        if len(places) < 2:
            return ()
        versions = sorted(places, key=places.__getitem__)
        return tuple(self.compare(a, b) for a in versions for b in versions if a != b)
