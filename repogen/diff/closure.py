"""Requests resolved over only what they can reach, so that a diff's requests on a large
release do not each hand the resolver the whole repository.

An install (``<install> NAME…``: names that packages have or provide; for ``zypper install
-t pattern``, every package providing ``pattern()``; for ``dnf module install`` and ``module
switch-to``, the package names of the profiles they install) can only ever choose among the
packages its names reach, and those that what is installed reaches: every package with a
reached name or providing one, and, from each of those, the names of every relation it has
(transitively), starting from the names of the installed packages and of their relations too
(an installed package is kept, upgraded or replaced only by packages of those names).
Packages with reverse relations (supplements, enhances, obsoletes) are always kept, with what
they reach, since a solver may bring them in from the other side.  Nothing else is a candidate
for anything, and a package that is never a candidate cannot change the answer.  (dnf's
modular filtering goes by names, so it hides the same packages among those reached; a hidden
package outside them is no candidate and no newer version of anything installed.)

A request that fails over its closure is resolved again over the whole universe, so that the
client's complaint names the same packages it would have named, unless it names a plain name
(no version, architecture or wildcard) that no package has or provides: every client fails at
looking that word up, before it solves anything, and says so in words of its own.  Any other
request (removals, enabling or resetting a module stream, wildcards) is resolved over the
whole universe from the start.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from repogen.families import driver
from repogen.model import PackageSpec, RelationKind, Repository
from repogen.resolve import resolve
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

#: Relations by which another package can come into a transaction from the other side.
_REVERSE = (RelationKind.SUPPLEMENTS, RelationKind.ENHANCES, RelationKind.OBSOLETES)

_WILDCARDS = frozenset("*?[")
_NOT_PLAIN = _WILDCARDS | frozenset("=:.()<>/")
_PATTERN = "pattern()"


@dataclass(frozen=True)
class _Names:
    """Which package names each name reaches in one universe, by name."""

    #: Name → the names of the packages that are called or provide it.
    providers: dict[str, set[str]]
    #: Package name → every name its relations mention.
    mentions: dict[str, set[str]]
    #: Names of packages with a reverse relation: always kept.
    always: frozenset[str]

    @classmethod
    def of(cls, packages: Iterable[PackageSpec]) -> _Names:
        providers: dict[str, set[str]] = {}
        mentions: dict[str, set[str]] = {}
        always = set()
        # The names of each relation, by its id(): a model shares one relation object among
        # its packages.
        named: dict[int, list[str]] = {}
        for package in packages:
            providers.setdefault(package.name, set()).add(package.name)
            mentioned = mentions.setdefault(package.name, set())
            for kind, relations in package.relations.items():
                names: set[str] = set()
                for relation in relations:
                    found = named.get(id(relation))
                    if found is None:
                        found = named[id(relation)] = [a.name for a in relation.alternatives]
                    names.update(found)
                if kind is RelationKind.PROVIDES:
                    for name in names:
                        providers.setdefault(name, set()).add(package.name)
                else:
                    mentioned |= names
                if kind in _REVERSE and relations:
                    always.add(package.name)
        return cls(providers, mentions, frozenset(always))

    def reached(self, names: Iterable[str]) -> set[str]:
        """The package names *names* (and the always-kept packages) reach."""
        seen: set[str] = set()
        stack = [*names, *self.always]
        while stack:
            for package in self.providers.get(stack.pop(), ()):
                if package not in seen:
                    seen.add(package)
                    stack.extend(self.mentions.get(package, ()))
        return seen


@dataclass
class ClosureEngine:
    """The in-process engine of the assertion checker, resolving plain installs over their
    closure (see the module's description); answers are those of :func:`repogen.resolve`."""

    _names: dict[int, tuple[Repository, _Names]] = field(default_factory=dict)

    def _index(self, repository: Repository, universe: Universe) -> _Names:
        # Keyed by the repository (kept alive with its entry); the universe's base stubs are
        # made afresh for each request, but always the same ones for one repository.
        known = self._names.get(id(repository))
        if known is None:
            known = self._names[id(repository)] = (repository, _Names.of(universe.available))
        return known[1]

    def __call__(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        index = self._index(repository, universe)
        starts = _starts(request, universe)
        if starts is None:
            return resolve(universe, request)
        installed = universe.installed.packages
        unknown = [n for n in starts if n not in index.providers]
        if unknown and not (request.action is Action.INSTALL and _nowhere(unknown, installed)):
            return resolve(universe, request)
        names = index.reached([*starts, *(n for p in installed for n in (p.name, *_mentioned(p)))])
        closure = replace(
            universe,
            release=tuple(p for p in universe.release if p.name in names),
            base=tuple(p for p in universe.base if p.name in names),
        )
        resolution = resolve(closure, request)
        # A plain name that nothing has fails the install when the client looks it up, before
        # it solves anything, and the complaint names only the word: the closure's is exact.
        return resolution if resolution.ok or unknown else resolve(universe, request)


def _nowhere(names: Iterable[str], installed: Iterable[PackageSpec]) -> bool:
    """Whether *names*, none of which an available package has or provides, are plain names
    (no ``=version``, ``:arch``, ``.arch`` or wildcard, which a client reads as more than a
    name) that no installed package has or provides either: no client finds them anywhere."""
    if any(_NOT_PLAIN.intersection(name) for name in names):
        return False
    present = {n for p in installed for n in _provided(p)}
    return present.isdisjoint(names)


def _provided(package: PackageSpec) -> Iterator[str]:
    yield package.name
    for relation in package.related(RelationKind.PROVIDES):
        for alternative in relation.alternatives:
            yield alternative.name


def _mentioned(package: PackageSpec) -> Iterator[str]:
    """Every name the relations of *package* mention."""
    for relations in package.relations.values():
        for relation in relations:
            for alternative in relation.alternatives:
                yield alternative.name


def _starts(request: Request, universe: Universe) -> Sequence[str] | None:
    """The names an install starts from, or None for any other request."""
    if any(_WILDCARDS.intersection(name) for name in request.names):
        return None
    if request.action is Action.INSTALL:
        # ``-t pattern X`` installs the package providing ``pattern() = X``: start from all
        # pattern packages.
        return (_PATTERN,) if request.patterns else request.names
    if request.action not in (Action.MODULE_INSTALL, Action.MODULE_SWITCH):
        return None
    return driver(universe.family).requested_profile_packages(universe, request)
