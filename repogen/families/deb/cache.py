"""apt's package cache and the marks on it, as far as resolution looks at them (apt 2.6
``pkgCache``, ``pkgDepCache``): what :mod:`repogen.families.deb.resolver` works on.

apt numbers packages and versions in the order its cache generator meets them: the
repositories in ``sources.list`` order, each ``Packages`` file in its order (repogen sorts
stanzas by name and version), then the dpkg status file; within a stanza the package, its
version, the targets of its relations field by field (:data:`FIELD_ORDER`), then what it
provides.  Those numbers break ties between equally good providers (the one met last wins) and
order the requested packages.  apt walks its packages in hash-table order (:func:`hash_order`).

apt builds its whole cache up front; repogen numbers every package and version up front too,
from names alone (:meth:`~repogen.model.PackageSpec.related_names` reads an index's relation
fields without parsing them), and reads a package's versions and relations, or who provides
it, when something first looks at them.  Marking only ever looks at what the request reaches,
a few hundred packages of a 63,000-package index.

Two stanzas of a name with the same version string are one version when the fields apt hashes
(``debListParser::VersionHash``: ``Installed-Size``, ``Depends``, ``Pre-Depends``,
``Conflicts``, ``Breaks``, ``Replaces``) agree, and two versions otherwise: an installed version
whose control data differs from the repository's is not the repository's version, which then
upgrades it.

A version is *downloadable* when a repository has it; one only in the status file is not.
The candidate of a package is its highest version.  Each package is marked to be kept (its
current version, or none), installed (its candidate) or deleted.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import operator
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from repogen.families.deb.versions import compare
from repogen.model import PackageSpec, RelationKind
from repogen.model.relations import Constraint, Operator

#: The relation fields apt reads, in the order it reads them (``debListParser::NewVersion``).
FIELD_ORDER = (
    RelationKind.PRE_DEPENDS,
    RelationKind.DEPENDS,
    RelationKind.CONFLICTS,
    RelationKind.BREAKS,
    RelationKind.RECOMMENDS,
    RelationKind.SUGGESTS,
    RelationKind.REPLACES,
    RelationKind.ENHANCES,
)
CRITICAL = frozenset(
    {RelationKind.PRE_DEPENDS, RelationKind.DEPENDS, RelationKind.CONFLICTS, RelationKind.BREAKS}
)
NEGATIVE = frozenset({RelationKind.CONFLICTS, RelationKind.BREAKS})
#: The relation fields apt's version hash covers (``Installed-Size`` is the same everywhere).
HASHED = (
    RelationKind.DEPENDS,
    RelationKind.PRE_DEPENDS,
    RelationKind.CONFLICTS,
    RelationKind.BREAKS,
    RelationKind.REPLACES,
)
#: ``APT::Cache-HashTableSize``: the size of apt's package hash table.
HASH_TABLE_SIZE = 196613


class Mode(enum.Enum):
    KEEP = "keep"
    INSTALL = "install"
    DELETE = "delete"


def allows(constraint: Constraint | None, version: str | None) -> bool:
    """Whether *version* meets *constraint*; a missing version (an unversioned provide) meets
    no constraint."""
    if constraint is None:
        return True
    if version is None:
        return False
    return constraint.operator.admits(compare(version, constraint.version))


def constraint_answers(a: str, b: str) -> tuple[object, ...]:
    """Whether *a* meets each constraint on *b*, as apt's cache decides it (its order of
    candidates is the same comparison)."""
    return tuple(allows(Constraint(operator, b), a) for operator in Operator)


def hash_order(name: str) -> tuple[int, str]:
    """Where apt's hash table has *name*: djb2 of the lowercased name, chains by name."""
    value = 5381
    for character in name.lower():
        value = (33 * value + ord(character)) & 0xFFFFFFFF
    return value % HASH_TABLE_SIZE, name


class Package:
    """A package name in the cache, real or virtual, and the marks on it.  Its versions, and
    who provides it, are read from the cache the first time something asks for them."""

    def __init__(self, cache: Cache, name: str, id: int) -> None:
        self.name = name
        self.id = id
        #: Every dependency that names this package (apt's ``RevDependsList``) among the
        #: versions read so far, which include every version installed or marked.
        self.reverse: list[Dep] = []
        self.current: Version | None = None
        self.install: Version | None = None
        self.mode = Mode.KEEP
        self.protected = False
        self.auto = False
        #: dpkg's selection is ``hold`` (``apt-mark hold``): nothing but the user changes it.
        self.held = False
        # Packages and versions refer to each other, so they wait for the garbage collector;
        # a strong reference would keep the cache, and the whole index it holds, waiting too.
        self._cache: Cache = weakref.proxy(cache)
        self._versions: list[Version] | None = None
        self._candidate: Version | None = None
        self._provides: list[Provide] | None = None

    def _read(self) -> list[Version]:
        if self._versions is None:
            self._versions = self._cache.versions_of(self)
            self._candidate = self._versions[0] if self._versions else None
        return self._versions

    @property
    def versions(self) -> list[Version]:
        """Highest first."""
        return self._read()

    @property
    def candidate(self) -> Version | None:
        self._read()
        return self._candidate

    @candidate.setter
    def candidate(self, version: Version | None) -> None:
        self._read()
        self._candidate = version

    @property
    def provides(self) -> list[Provide]:
        """Who provides this name, the last met first (apt's ``ProvidesList``)."""
        if self._provides is None:
            self._provides = self._cache.provides_of(self)
        return self._provides

    @property
    def essential(self) -> bool:
        """apt's ``Essential`` flag: set by any stanza that says ``Essential: yes``."""
        return self.name in self._cache.essential_names

    @property
    def important(self) -> bool:
        """apt's ``Important`` flag (``Protected: yes``)."""
        return self.name in self._cache.protected_names

    @property
    def new_install(self) -> bool:
        return self.mode is Mode.INSTALL and self.current is None


@dataclass(eq=False)
class Version:
    package: Package
    spec: PackageSpec
    id: int
    downloadable: bool
    groups: list[Group] = field(default_factory=list)

    @property
    def string(self) -> str:
        return self.spec.version

    @property
    def deps(self) -> Iterator[Dep]:
        for group in self.groups:
            yield from group.deps

    @property
    def source_name(self) -> str:
        """The source package it is built from (``Source``, else its own name)."""
        if self.spec.source is None:
            return self.spec.name
        return self.spec.source.split("(")[0].strip()

    @property
    def source_version(self) -> str:
        """The version of its source package (``Source: name (version)``, else its own)."""
        if self.spec.source is None or "(" not in self.spec.source:
            return self.spec.version
        return self.spec.source.split("(", 1)[1].rstrip(") ").strip()


@dataclass(eq=False)
class Dep:
    """One alternative of a relation: a target package and a version constraint."""

    parent: Version
    kind: RelationKind
    target: Package
    constraint: Constraint | None

    @property
    def negative(self) -> bool:
        return self.kind in NEGATIVE

    def ignores(self, package: Package) -> bool:
        """A package never conflicts with itself (nor with what it provides)."""
        return self.negative and package is self.parent.package

    def matches(self, version: Version) -> bool:
        return (
            version.package is self.target
            and not self.ignores(version.package)
            and allows(self.constraint, version.string)
        )

    def provided_by(self, provide: Provide) -> bool:
        return not self.ignores(provide.version.package) and allows(
            self.constraint, provide.provided
        )

    def __str__(self) -> str:
        return self.target.name + (f" ({self.constraint})" if self.constraint else "")


@dataclass(eq=False)
class Group:
    """A relation of a version: its alternatives (an or-group), tried in order."""

    kind: RelationKind
    deps: tuple[Dep, ...]

    @property
    def critical(self) -> bool:
        return self.kind in CRITICAL

    @property
    def negative(self) -> bool:
        return self.kind in NEGATIVE

    def __str__(self) -> str:
        return " | ".join(str(dep) for dep in self.deps)


@dataclass(eq=False)
class Provide:
    version: Version
    #: The provided version, None for an unversioned provide.
    provided: str | None


#: Which version of a package a dependency is checked against.
Selector = Callable[[Package], "Version | None"]


def now(package: Package) -> Version | None:
    return package.current


def installing(package: Package) -> Version | None:
    return package.install


def candidate(package: Package) -> Version | None:
    return package.candidate


#: The order in which repogen writes a repository's stanzas, and apt meets them.
_STANZA_ORDER = operator.attrgetter("name", "version", "arch")


class Numbering:
    """apt's numbering of the packages and versions of the repositories (*sources*, in
    ``sources.list`` order) and of the status file (*installed*), as its cache generator
    writes it: what every request on them shares, whatever it marks."""

    def __init__(
        self, sources: Sequence[Sequence[PackageSpec]], installed: Sequence[PackageSpec]
    ) -> None:
        self.installed = tuple(installed)
        #: The stanzas in the order apt meets them; a version's id is where its first stanza is.
        stanzas = [spec for source in sources for spec in sorted(source, key=_STANZA_ORDER)]
        #: The stanzas of the repositories come first, then the status file's.
        self.downloadable = len(stanzas)
        self.stanzas = (*stanzas, *installed)
        # The flags apt keeps per package, from every stanza of its name; known up front, as
        # the problem resolver scores every package (reading a flag reads no relations).
        self.essential_names = frozenset(s.name for s in self.stanzas if s.essential)
        self.protected_names = frozenset(s.name for s in self.stanzas if s.protected)
        # Sorted (name, id) pairs rather than a list per name: 63,000 more lists for the garbage
        # collector to track set off a full collection, 0.15 s over Debian's index.
        self.named = sorted((spec.name, id) for id, spec in enumerate(self.stanzas))
        provided: list[tuple[str, int]] = []
        names: list[str] = []
        # The first stanza of each name and version string, and the versions of those met
        # later (few): not a list per stanza, as above.
        first: dict[tuple[str, str], PackageSpec] = {}
        more: dict[tuple[str, str], list[PackageSpec]] = {}
        for id, spec in enumerate(self.stanzas):
            key = (spec.name, spec.version)
            met = first.get(key)
            if met is None:
                first[key] = spec
            else:
                before = more.setdefault(key, [met])
                if any(same_version(other, spec) for other in before):
                    continue  # a version met before: apt reads nothing more of the stanza
                before.append(spec)
            names.append(spec.name)
            names += spec.related_names(FIELD_ORDER)
            if RelationKind.PROVIDES in spec.relations:
                provides = spec.related_names((RelationKind.PROVIDES,))
                names += provides
                provided += [(name, id) for name in provides]
        self.provided = sorted(provided)
        #: Each package's id: where its name is first met.
        self.ids = dict(zip(dict.fromkeys(names), itertools.count()))


class Cache:
    """The packages of a :class:`Numbering`, with every package kept as it is: the marks of
    one request."""

    def __init__(
        self, numbering: Numbering, install_recommends: bool, held: Iterable[str] = ()
    ) -> None:
        self.install_recommends = install_recommends
        #: The packages met so far, by name.
        self.packages: dict[str, Package] = {}
        self.numbering = numbering
        self.essential_names = numbering.essential_names
        self.protected_names = numbering.protected_names
        self._hash_order: tuple[Package, ...] | None = None
        for spec in numbering.installed:
            version = self._version(spec)
            version.package.current = version.package.install = version
        for name in held:
            if name in numbering.ids:
                self.package(name).held = True
        #: The installed packages, in id order.
        self.installed = sorted(
            {self.package(spec.name) for spec in numbering.installed}, key=lambda p: p.id
        )

    def package(self, name: str) -> Package:
        """The package named *name*, which the repositories or the status file name."""
        package = self.packages.get(name)
        if package is None:
            package = self.packages[name] = Package(self, name, self.numbering.ids[name])
        return package

    def find(self, name: str) -> Package | None:
        """The package named *name*, if anything names it."""
        return self.package(name) if name in self.numbering.ids else None

    def versions_of(self, package: Package) -> list[Version]:
        """*package*'s versions, highest first, and their relations (which add to the reverse
        dependencies of the packages they name)."""
        versions: list[Version] = []
        #: The versions read so far by version string: a channel has a name at many versions.
        by_string: dict[str, list[Version]] = {}
        for id in _ids_for(self.numbering.named, package.name):
            spec = self.numbering.stanzas[id]
            same = by_string.setdefault(spec.version, [])
            if any(same_version(v.spec, spec) for v in same):
                continue
            version = Version(package, spec, id, id < self.numbering.downloadable)
            versions.append(version)
            same.append(version)
            for kind in FIELD_ORDER:
                for relation in spec.related(kind):
                    deps = tuple(
                        Dep(version, kind, self.package(alternative.name), alternative.constraint)
                        for alternative in relation.alternatives
                    )
                    for dep in deps:
                        dep.target.reverse.append(dep)
                    version.groups.append(Group(kind, deps))
        return sorted(versions, key=_VersionOrder, reverse=True)

    def provides_of(self, package: Package) -> list[Provide]:
        """Who provides *package*, the last met first."""
        provides = []
        for id in dict.fromkeys(_ids_for(self.numbering.provided, package.name)):
            version = self._version(self.numbering.stanzas[id])
            for relation in version.spec.related(RelationKind.PROVIDES):
                (provided,) = relation.alternatives
                if provided.name == package.name:
                    version_string = provided.constraint.version if provided.constraint else None
                    provides.append(Provide(version, version_string))
        provides.reverse()
        return provides

    def _version(self, spec: PackageSpec) -> Version:
        """The version *spec* is a stanza of."""
        return next(
            v
            for v in self.package(spec.name).versions
            if v.string == spec.version and same_version(v.spec, spec)
        )

    # -- dependency state (pkgDepCache::CheckDep) ------------------------------------------

    def hits(self, dep: Dep, select: Selector) -> bool:
        """Whether a package in the selected state matches *dep* (for a conflict: hits it)."""
        version = select(dep.target)
        if version is not None and dep.matches(version):
            return True
        return any(
            select(provide.version.package) is provide.version and dep.provided_by(provide)
            for provide in dep.target.provides
        )

    def satisfied(self, group: Group, select: Selector) -> bool:
        """A relation met in the selected state; a conflict is met when nothing hits it."""
        if group.negative:
            return not any(self.hits(dep, select) for dep in group.deps)
        return any(self.hits(dep, select) for dep in group.deps)

    def important(self, group: Group) -> bool:
        """apt's IsImportantDep: critical relations, and Recommends when installing them."""
        return group.critical or (group.kind is RelationKind.RECOMMENDS and self.install_recommends)

    def inst_broken(self, package: Package) -> bool:
        """The version to be installed has a critical relation that is not met."""
        version = package.install
        return version is not None and any(
            group.critical and not self.satisfied(group, installing) for group in version.groups
        )

    def inst_policy_broken(self, package: Package) -> bool:
        """The version to be installed has an important relation that is not met."""
        version = package.install
        return version is not None and any(
            self.important(group) and not self.satisfied(group, installing)
            for group in version.groups
        )

    def now_broken(self, package: Package) -> bool:
        version = package.current
        return version is not None and any(
            group.critical and not self.satisfied(group, now) for group in version.groups
        )

    def now_policy_broken(self, package: Package) -> bool:
        """The installed version has an important relation the installed packages do not
        meet."""
        version = package.current
        return version is not None and any(
            self.important(group) and not self.satisfied(group, now) for group in version.groups
        )

    def broken(self) -> list[Package]:
        # Checking a relation may meet new packages: none of them is to be installed.
        return [p for p in list(self.packages.values()) if self.inst_broken(p)]

    def in_id_order(self) -> list[Package]:
        """The packages met so far in apt's order: a package not met yet is neither installed
        nor marked."""
        return sorted(self.packages.values(), key=lambda p: p.id)

    def in_hash_order(self) -> tuple[Package, ...]:
        """Every package, as apt walks its hash table (this meets every package)."""
        if self._hash_order is None:
            every = (self.package(name) for name in self.numbering.ids)
            self._hash_order = tuple(sorted(every, key=lambda p: hash_order(p.name)))
        return self._hash_order

    # -- versions a dependency can take (cacheset FromDependency, DepIterator AllTargets) ----

    def versions_for(self, dep: Dep, selects: Iterable[Selector]) -> list[Version]:
        """The selected versions that satisfy *dep*: the target's, then its providers'."""
        found = []
        for select in selects:
            version = select(dep.target)
            if version is not None and dep.matches(version):
                found.append(version)
            for provide in dep.target.provides:
                owner = select(provide.version.package)
                if owner is provide.version and dep.provided_by(provide):
                    found.append(owner)
        return found

    def all_targets(self, dep: Dep) -> list[Version]:
        """Every version that could satisfy (or, for a conflict, hit) *dep*."""
        found = [v for v in dep.target.versions if dep.matches(v)]
        found += [p.version for p in dep.target.provides if dep.provided_by(p)]
        return found


def same_version(a: PackageSpec, b: PackageSpec) -> bool:
    """Whether two stanzas of one name and version string are one version to apt: the
    relations its version hash covers agree."""
    return a is b or all(a.related(kind) == b.related(kind) for kind in HASHED)


def _ids_for(index: Sequence[tuple[str, int]], name: str) -> Iterator[int]:
    """The ids paired with *name* in *index*, sorted (name, id) pairs."""
    position = bisect.bisect_left(index, (name, -1))
    while position < len(index) and index[position][0] == name:
        yield index[position][1]
        position += 1


class _VersionOrder:
    def __init__(self, version: Version) -> None:
        self.version = version.string

    def __lt__(self, other: _VersionOrder) -> bool:
        return compare(self.version, other.version) < 0
