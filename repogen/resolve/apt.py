"""apt's own resolution rules, small and exact (apt 2.6 ``pkgDepCache::MarkInstall``).

Not a SAT solver: apt walks dependencies depth-first in the order they are written and commits
to choices as it goes.

- The candidate of a package is its highest version (installed versions included).
- The requested packages are marked and protected first, then their dependencies are walked in
  command-line order.
- A dependency group already satisfied by what is installed or marked is left alone.
- Otherwise its possible solutions are the candidates satisfying any alternative, in the order of
  the alternatives (providers of a virtual name sorted: real package, installed, then by name),
  with packages that are installed in some version moved first; the first solution that can be
  marked (recursively) wins.
- Marking a package removes installed packages it conflicts with or breaks; it fails when one of
  them is protected (requested), so the next alternative is tried.
- Recommends are followed like Depends unless --no-install-recommends; a Recommends that cannot be
  satisfied is skipped.
- Requesting a virtual package installs its only provider; several providers are an error.
- Installed packages whose dependencies the transaction breaks are removed.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from debian.debian_support import version_compare

from repogen.model import PackageSpec, RelationKind
from repogen.model.relations import Alternative, Operator, Relation
from repogen.resolve.request import Action, Request
from repogen.resolve.result import PackageRef, Resolution
from repogen.resolve.universe import Universe

_CRITICAL = (RelationKind.PRE_DEPENDS, RelationKind.DEPENDS)
_NEGATIVE = (RelationKind.CONFLICTS, RelationKind.BREAKS)
_LABEL = {
    RelationKind.PRE_DEPENDS: "PreDepends",
    RelationKind.DEPENDS: "Depends",
    RelationKind.RECOMMENDS: "Recommends",
}


def satisfies(constraint_holder: Alternative, version: str | None) -> bool:
    """Whether *version* meets the alternative's constraint (None: an unversioned provide)."""
    constraint = constraint_holder.constraint
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


@dataclass
class _Index:
    """Versions by name and providers by virtual name, built once per universe."""

    versions: dict[str, list[PackageSpec]] = field(default_factory=lambda: defaultdict(list))
    provides: dict[str, list[tuple[PackageSpec, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, package: PackageSpec) -> None:
        if any(p.version == package.version for p in self.versions[package.name]):
            return
        self.versions[package.name].append(package)
        for relation in package.related(RelationKind.PROVIDES):
            alternative = relation.alternatives[0]
            version = alternative.constraint.version if alternative.constraint else None
            self.provides[alternative.name].append((package, version))

    def matching(
        self, alternative: Alternative, candidates: Mapping[str, PackageSpec]
    ) -> list[PackageSpec]:
        """Candidate versions that satisfy *alternative*, the real package before providers."""
        found = []
        real = candidates.get(alternative.name)
        if real is not None and satisfies(alternative, real.version):
            found.append(real)
        providers = sorted(
            (
                p
                for p, version in self.provides.get(alternative.name, ())
                if candidates.get(p.name) is p and satisfies(alternative, version)
            ),
            key=lambda p: p.name,
        )
        return found + [p for p in providers if p is not real]


class _Marker:
    """One apt-get run: marks, protections and the reasons packages were chosen."""

    def __init__(self, universe: Universe, request: Request) -> None:
        self.request = request
        self.index = _Index()
        for package in (*universe.installed.packages, *universe.available):
            self.index.add(package)
        self.installed = {p.name: p for p in universe.installed.packages}
        self.candidates = {
            name: max(versions, key=_version_key) for name, versions in self.index.versions.items()
        }
        self.install: dict[str, PackageSpec] = {}
        self.remove: set[str] = set()
        self.protected: set[str] = set()
        self.why: dict[str, tuple[str, ...]] = {}

    # -- state -------------------------------------------------------------------------------

    def future(self) -> Iterable[PackageSpec]:
        """Packages present after the transaction."""
        for name, package in self.installed.items():
            if name not in self.remove and name not in self.install:
                yield package
        yield from self.install.values()

    def satisfied(self, relation: Relation, exclude: str | None = None) -> bool:
        present = {p.name: p for p in self.future() if p.name != exclude}
        return any(self.index.matching(alt, present) for alt in relation.alternatives)

    def important(self) -> tuple[RelationKind, ...]:
        if self.request.install_recommends:
            return (*_CRITICAL, RelationKind.RECOMMENDS)
        return _CRITICAL

    # -- MarkInstall ------------------------------------------------------------------------

    def installable(self, package: PackageSpec) -> bool:
        """apt's IsInstallOkDependenciesSatisfiableByCandidates."""
        pool = ChainMap({p.name: p for p in self.future()}, self.candidates)
        return all(
            any(self.index.matching(alt, pool) for alt in relation.alternatives)
            for kind in _CRITICAL
            for relation in package.related(kind)
        )

    def mark_install(self, name: str, from_user: bool = False) -> bool:
        """Mark *name* and, depth-first, its dependencies; False when it cannot be installed."""
        package = self.candidates.get(name)
        if package is None or (name in self.remove and name in self.protected):
            return False
        if self.installed.get(name) is package or name in self.install:
            return True
        if not from_user and not self.installable(package):
            return False
        removals = self.clear_conflicts(package)
        if removals is None:
            return False
        self.install[name] = package
        self.remove.discard(name)
        if not self.install_dependencies(package) and not from_user:
            del self.install[name]  # like apt, what was marked on the way stays marked
            return False
        for other in removals:
            self.remove.add(other)
            self.why[other] = (f"{package.name} conflicts with {other}",)
        return True

    def clear_conflicts(self, package: PackageSpec) -> list[str] | None:
        """Unmark what *package* conflicts with and list the installed packages to remove.

        None when a conflicting package is protected (requested by the user).
        """
        removals = []
        for other in list(self.future()):
            if other.name == package.name or not (
                _conflicts(package, other, self.index) or _conflicts(other, package, self.index)
            ):
                continue
            if other.name in self.protected:
                return None
            self.install.pop(other.name, None)
            if other.name in self.installed:
                removals.append(other.name)
        return removals

    def install_dependencies(self, package: PackageSpec) -> bool:
        for kind in self.important():
            for relation in package.related(kind):
                if self.satisfied(relation):
                    continue
                if not self.choose(package, kind, relation) and kind in _CRITICAL:
                    return False
        return True

    def choose(self, parent: PackageSpec, kind: RelationKind, relation: Relation) -> bool:
        solutions: list[PackageSpec] = []
        for alternative in relation.alternatives:
            for found in self.index.matching(alternative, self.candidates):
                if found not in solutions:
                    solutions.append(found)
        upgrades = [p for p in solutions if p.name in self.installed]
        solutions = upgrades + [p for p in solutions if p.name not in self.installed]
        for solution in solutions:
            if self.mark_install(solution.name):
                if solution.name in self.install and solution.name not in self.why:
                    self.why[solution.name] = (parent.name, f"{_LABEL[kind]}: {relation}")
                return True
        return False

    # -- apt-get ----------------------------------------------------------------------------

    def target(self, word: str) -> tuple[str | None, str | None]:
        """The package a command-line word names, or the error apt gives for it."""
        name, _, version = word.partition("=")
        if name in self.index.versions:
            if version:
                chosen = [p for p in self.index.versions[name] if p.version == version]
                if not chosen:
                    return None, f"E: Version '{version}' for '{name}' was not found"
                self.candidates[name] = chosen[0]
            return name, None
        providers = sorted({p.name for p, _ in self.index.provides.get(name, ())})
        if len(providers) == 1:
            return providers[0], None
        if providers:
            return None, (
                f"E: Package '{name}' has no installation candidate "
                f"(virtual package provided by: {', '.join(providers)})"
            )
        return None, f"E: Unable to locate package {name}"

    def run(self) -> Resolution:
        targets = []
        for word in self.request.names:
            name, error = self.target(word)
            if error is not None:
                return Resolution(ok=False, problems=(error,))
            assert name is not None
            targets.append(name)
        if self.request.action is Action.REMOVE:
            for name in targets:
                if name in self.installed:
                    self.remove.add(name)
            return self.result()
        for name in targets:
            self.protected.add(name)
            if self.installed.get(name) is not self.candidates[name]:
                self.install[name] = self.candidates[name]
                self.why[name] = ("requested",)
        for name in targets:
            if name in self.install:
                for other in self.clear_conflicts(self.install[name]) or ():
                    self.remove.add(other)
                self.install_dependencies(self.install[name])
        self.remove_broken()
        return self.result()

    def remove_broken(self) -> None:
        """Remove installed packages whose dependencies the transaction breaks, as apt's
        problem resolver does for packages that were not requested."""
        changed = True
        while changed:
            changed = False
            for package in list(self.future()):
                if package.name in self.install or package.name in self.protected:
                    continue
                broken = next(
                    (
                        relation
                        for kind in _CRITICAL
                        for relation in package.related(kind)
                        if not self.satisfied(relation)
                    ),
                    None,
                )
                if broken is not None:
                    self.remove.add(package.name)
                    self.why[package.name] = (f"its dependency {broken} is removed",)
                    changed = True

    def problems(self) -> list[str]:
        lines = []
        present = {p.name: p for p in self.future()}
        for package in self.install.values():
            for kind in _CRITICAL:
                for relation in package.related(kind):
                    if not self.satisfied(relation):
                        lines.append(
                            f" {package.name} : {_LABEL[kind]}: {relation} but "
                            f"{self.explain(relation, present)}"
                        )
        return lines

    def explain(self, relation: Relation, present: dict[str, PackageSpec]) -> str:
        first = relation.alternatives[0]
        if first.name in present:
            return f"{present[first.name].version} is to be installed"
        if first.name in self.candidates:
            return "it is not going to be installed"
        return "it is not installable"

    def result(self) -> Resolution:
        problems = self.problems()
        if problems:
            return Resolution(
                ok=False,
                problems=(
                    "The following packages have unmet dependencies:",
                    *problems,
                    "E: Unable to correct problems, you have held broken packages.",
                ),
                why=self.why,
            )
        install = [p for p in self.install.values() if p.name not in self.installed]
        upgrade = [p for p in self.install.values() if p.name in self.installed]
        remove = [self.installed[name] for name in self.remove if name in self.installed]
        return Resolution(
            ok=True,
            install=_refs(install),
            upgrade=_refs(upgrade),
            remove=_refs(remove),
            why=self.why,
        )


def _conflicts(package: PackageSpec, other: PackageSpec, index: _Index) -> bool:
    """Whether *package* declares a conflict or break that *other* matches."""
    for kind in _NEGATIVE:
        for relation in package.related(kind):
            for alternative in relation.alternatives:
                if other in index.matching(alternative, {other.name: other}):
                    return True
    return False


class _VersionKey:
    def __init__(self, version: str) -> None:
        self.version = version

    def __lt__(self, other: _VersionKey) -> bool:
        return version_compare(self.version, other.version) < 0


def _version_key(package: PackageSpec) -> _VersionKey:
    return _VersionKey(package.version)


def _refs(packages: Iterable[PackageSpec]) -> tuple[PackageRef, ...]:
    return tuple(sorted(PackageRef(p.name, p.version, p.arch) for p in packages))


class AptResolver:
    """Resolves deb-family requests as apt-get does."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        return _Marker(universe, request).run()
