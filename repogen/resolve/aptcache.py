"""apt's package cache and the marks on it, as far as resolution looks at them (apt 2.6
``pkgCache``, ``pkgDepCache``): what :mod:`repogen.resolve.apt` works on.

apt numbers packages and versions in the order its cache generator meets them: the
repositories in ``sources.list`` order, each ``Packages`` file in its order (repogen sorts
stanzas by name and version), then the dpkg status file; within a stanza the package, its
version, the targets of its relations field by field (:data:`FIELD_ORDER`), then what it
provides.  Those numbers break ties between equally good providers (the one met last wins) and
order the requested packages.  apt walks its packages in hash-table order (:func:`hash_order`).

A version is *downloadable* when a repository has it; one only in the status file is not.
The candidate of a package is its highest version.  Each package is marked to be kept (its
current version, or none), installed (its candidate) or deleted.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from debian.debian_support import version_compare

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
    order = version_compare(version, constraint.version)
    return {
        Operator.LT: order < 0,
        Operator.LE: order <= 0,
        Operator.EQ: order == 0,
        Operator.GE: order >= 0,
        Operator.GT: order > 0,
    }[constraint.operator]


def hash_order(name: str) -> tuple[int, str]:
    """Where apt's hash table has *name*: djb2 of the lowercased name, chains by name."""
    value = 5381
    for character in name.lower():
        value = (33 * value + ord(character)) & 0xFFFFFFFF
    return value % HASH_TABLE_SIZE, name


@dataclass(eq=False)
class Package:
    """A package name in the cache, real or virtual, and the marks on it."""

    name: str
    id: int
    versions: list[Version] = field(default_factory=list)
    #: Who provides this name, the last met first (apt's ``ProvidesList``).
    provides: list[Provide] = field(default_factory=list)
    #: Every dependency that names this package (apt's ``RevDependsList``).
    reverse: list[Dep] = field(default_factory=list)
    current: Version | None = None
    candidate: Version | None = None
    install: Version | None = None
    mode: Mode = Mode.KEEP
    protected: bool = False
    auto: bool = False

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


class Cache:
    """The packages of the repositories (*sources*, in ``sources.list`` order) and of the
    status file (*installed*), with every package kept as it is."""

    def __init__(
        self,
        sources: Sequence[Sequence[PackageSpec]],
        installed: Sequence[PackageSpec],
        install_recommends: bool,
    ) -> None:
        self.install_recommends = install_recommends
        self.packages: dict[str, Package] = {}
        self.versions: list[Version] = []
        for source in sources:
            for spec in sorted(source, key=lambda s: (s.name, s.version, s.arch)):
                self._add(spec, downloadable=True)
        for spec in installed:
            version = self._add(spec, downloadable=False)
            version.package.current = version
        for package in self.packages.values():
            package.versions.sort(key=_VersionOrder, reverse=True)
            package.candidate = package.versions[0] if package.versions else None
            package.install = package.current

    def package(self, name: str) -> Package:
        if name not in self.packages:
            self.packages[name] = Package(name, len(self.packages))
        return self.packages[name]

    def _add(self, spec: PackageSpec, downloadable: bool) -> Version:
        package = self.package(spec.name)
        for known in package.versions:
            if known.string == spec.version:
                known.downloadable |= downloadable
                return known
        version = Version(package, spec, len(self.versions), downloadable)
        self.versions.append(version)
        package.versions.append(version)
        for kind in FIELD_ORDER:
            for relation in spec.related(kind):
                deps = tuple(
                    Dep(version, kind, self.package(alternative.name), alternative.constraint)
                    for alternative in relation.alternatives
                )
                for dep in deps:
                    dep.target.reverse.append(dep)
                version.groups.append(Group(kind, deps))
        for relation in spec.related(RelationKind.PROVIDES):
            (provided,) = relation.alternatives
            version_string = provided.constraint.version if provided.constraint else None
            self.package(provided.name).provides.insert(0, Provide(version, version_string))
        return version

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

    def broken(self) -> list[Package]:
        return [p for p in self.packages.values() if self.inst_broken(p)]

    def in_hash_order(self) -> list[Package]:
        return sorted(self.packages.values(), key=lambda p: hash_order(p.name))

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


class _VersionOrder:
    def __init__(self, version: Version) -> None:
        self.version = version.string

    def __lt__(self, other: _VersionOrder) -> bool:
        return version_compare(self.version, other.version) < 0
