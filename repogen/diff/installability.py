"""Installability regressions: packages installable in the old release whose counterpart is
not installable in the new one.

A package is installable when ``<install> NAME`` succeeds on its own, resolved by the family's
resolver.  Each check resolves over only what NAME can pull in (every provider of every name
its pre-dependencies, dependencies and recommendations name, transitively; no client installs
suggestions): nothing else can make the request fail.  Only packages that can reach a change
are checked: a package is *alike* on both sides when the other side has it with the same
relations and the names it has or names are alike, versions compared as the resolver compares
them (:mod:`repogen.diff.versions`: a release that only moves version numbers changes nothing
a resolver can tell); a name is alike when its versions compare alike and the same packages
have or provide it.  A package whose whole closure is alike (and whose repository's modules
are the same) resolves the same on both sides.  Its order in the repository does not count:
apt sorts its cache by name and version itself, and whether libsolv finds a solution does not
depend on the order it meets the packages in.

When the new side was read from metadata, what the old release published is not assumed to
come from the distribution: a dependency on a package the release dropped is a regression,
not a stub (a model that declares the package in its base is taken at its word).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from repogen.diff.resolution import problem_text
from repogen.diff.result import Link, Regression
from repogen.diff.versions import Versions, comparison
from repogen.families import driver
from repogen.model import PackageSpec, RelationKind, Repository
from repogen.model.declarations import ASSUMED
from repogen.model.relations import Operator, Relation
from repogen.resolve import resolve
from repogen.resolve.request import parse_request
from repogen.resolve.universe import base_packages, universe_for

#: The relations along which a client installs packages.
_INSTALLS = (RelationKind.PRE_DEPENDS, RelationKind.DEPENDS, RelationKind.RECOMMENDS)

#: A package as a resolver tells it apart: its name, architecture, the place of its version
#: among its name's versions, and whether the release (not the base) has it.
Identity = tuple[str, str, int, bool]
#: An alternative of a relation as a resolver tells it apart: the name, the architecture
#: qualifier, and the operator with the place of the version asked for.
Wanted = tuple[str, str | None, tuple[Operator, int] | None]
#: A package's relations as a resolver tells them apart, by field.
Relations = dict[RelationKind, tuple[tuple[Wanted, ...], ...]]


def _provided(package: PackageSpec) -> list[str]:
    """The names *package* has or provides."""
    return [
        package.name,
        *(r.alternatives[0].name for r in package.related(RelationKind.PROVIDES)),
    ]


class Installability:
    """Whether ``<install> NAME`` succeeds in one repository, resolved over NAME's closure."""

    def __init__(self, repository: Repository, hidden_base: Iterable[str] = ()) -> None:
        hidden = set(hidden_base)
        base = tuple(p for p in base_packages(repository) if p.name not in hidden)
        self.universe = universe_for(repository, base=base)
        self.command = driver(repository.family).install_command
        self.release = {id(p) for p in self.universe.release}
        self.position = {id(p): i for i, p in enumerate(self.universe.available)}
        self.versions = Versions(self.universe.available, comparison(repository.family))
        # By the relation's id(): a model shares one relation object among its packages.
        self._wanted: dict[int, tuple[Wanted, ...]] = {}
        self.providers: dict[str, list[PackageSpec]] = {}
        #: Name → the packages that install with it (whose successors its providers are).
        self.dependents: dict[str, list[PackageSpec]] = {}
        #: Each package's identity and relations, by its id().
        self.identities: dict[int, Identity] = {}
        self.relations: dict[int, Relations] = {}
        self._starts: dict[str, list[Identity]] = {}
        self._successors: dict[int, list[PackageSpec]] = {}
        self._index()

    def _index(self) -> None:
        # One pass over every package, with its names bound locally: on two large releases
        # that only moved versions, indexing them is all the regression check does.
        providers, dependents, places = self.providers, self.dependents, self.versions.places
        wanted, release = self._relation, self.release
        for package in self.universe.available:
            key, name = id(package), package.name
            providers.setdefault(name, []).append(package)
            relations: Relations = {}
            installs: set[str] = set()
            for kind, related in package.relations.items():
                found = relations[kind] = tuple(map(wanted, related))
                if kind is RelationKind.PROVIDES:
                    for relation in related:
                        providers.setdefault(relation.alternatives[0].name, []).append(package)
                elif kind in _INSTALLS:
                    installs.update(w[0] for alternatives in found for w in alternatives)
            self.relations[key] = relations
            for installed in installs:
                dependents.setdefault(installed, []).append(package)
            self.identities[key] = (
                name,
                package.arch,
                places[name][package.version],
                key in release,
            )

    def _relation(self, relation: Relation) -> tuple[Wanted, ...]:
        """*relation*'s alternatives, each version replaced by its place."""
        found = self._wanted.get(id(relation))
        if found is None:
            found = self._wanted[id(relation)] = tuple(
                (
                    a.name,
                    a.qualifier,
                    None
                    if a.constraint is None
                    else (a.constraint.operator, self.versions.place(a.name, a.constraint.version)),
                )
                for a in relation.alternatives
            )
        return found

    def _named(self, package: PackageSpec) -> set[str]:
        """The name of *package* and every name its relations mention."""
        return {
            package.name,
            *(
                w[0]
                for relations in self.relations[id(package)].values()
                for r in relations
                for w in r
            ),
        }

    def successors(self, package: PackageSpec) -> list[PackageSpec]:
        """What *package* can pull in directly: the providers of every name it installs with."""
        found = self._successors.get(id(package))
        if found is None:
            found = self._successors[id(package)] = [
                provider
                for kind in _INSTALLS
                for relation in package.related(kind)
                for alternative in relation.alternatives
                for provider in self.providers.get(alternative.name, ())
            ]
        return found

    def closure(self, name: str) -> list[PackageSpec]:
        """Every package ``install NAME`` could bring in, in repository order."""
        seen: dict[int, PackageSpec] = {}
        stack = list(self.providers.get(name, ()))
        while stack:
            package = stack.pop()
            if id(package) not in seen:
                seen[id(package)] = package
                stack.extend(self.successors(package))
        return sorted(seen.values(), key=lambda p: self.position[id(p)])

    def starts(self, name: str) -> list[Identity]:
        """The packages ``install NAME`` starts from."""
        found = self._starts.get(name)
        if found is None:
            providers = self.providers.get(name, ())
            found = self._starts[name] = sorted(self.identities[id(p)] for p in providers)
        return found

    def _name(self, name: str) -> tuple[object, ...]:
        """What a resolver sees of *name*: how its versions compare, and who has or provides
        it."""
        return self.versions.shape(name), self.starts(name)

    def reaching_changes(self, other: Installability) -> set[Identity]:
        """The packages whose closure holds one that is not alike in *other*."""
        names = (
            self.providers.keys()
            | self.versions.places.keys()
            | other.providers.keys()
            | other.versions.places.keys()
        )
        changed = {name for name in names if self._name(name) != other._name(name)}
        theirs = {other.identities[id(p)]: other.relations[id(p)] for p in other.universe.available}
        reached = {
            id(p): p
            for p in self.universe.available
            if theirs.get(self.identities[id(p)]) != self.relations[id(p)]
            or (changed and not changed.isdisjoint(self._named(p)))
        }
        stack = list(reached.values())
        while stack:
            for name in _provided(stack.pop()):
                for predecessor in self.dependents.get(name, ()):
                    if id(predecessor) not in reached:
                        reached[id(predecessor)] = predecessor
                        stack.append(predecessor)
        return {self.identities[id(p)] for p in reached.values()}

    def problem(self, name: str) -> str | None:
        """Why *name* cannot be installed, or None when it can."""
        closure = self.closure(name)
        universe = replace(
            self.universe,
            release=tuple(p for p in closure if id(p) in self.release),
            base=tuple(p for p in closure if id(p) not in self.release),
        )
        resolution = resolve(universe, parse_request(f"{self.command} {name}"))
        return None if resolution.ok else problem_text(resolution)


def regressions(
    pairs: Sequence[tuple[PackageSpec, PackageSpec, Link | None]],
    old: Repository,
    new: Repository,
) -> tuple[Regression, ...]:
    """Packages installable in *old* whose counterpart in *new* is not (the new side first:
    most packages stay installable, and only a failure needs the old side)."""
    before = Installability(old)
    assumed = new.target.base == ASSUMED
    after = Installability(new, hidden_base=(p.name for p in old.packages) if assumed else ())
    changing = before.reaching_changes(after) if old.modules == new.modules else None
    found = []
    for a, b, _ in pairs:
        starts = before.starts(a.name)
        if (
            changing is not None
            and starts == after.starts(b.name)
            and not changing.intersection(starts)
        ):
            continue
        problem = after.problem(b.name)
        if problem is not None and before.problem(a.name) is None:
            found.append(Regression(b.name, a.name, problem))
    return tuple(sorted(found, key=lambda r: r.package))
