"""apt's own resolution rules (apt 2.6: ``apt-get install|remove``, ``pkgDepCache::MarkInstall``,
``pkgProblemResolver``), ported rule for rule rather than approximated by a SAT solver.

The cache (:mod:`repogen.families.deb.cache`) numbers packages as apt's cache generator does:
release, then base repository, then the status file.

``apt-get install`` (``TryToInstall``):

- Each requested package is protected and marked, without its dependencies, in the order of
  the command line (apt 2.5.3); ``pkg=version`` makes that version the candidate.  A virtual
  name with one provider selects it; with several it is an error.
- Then, in the same order, each requested package is marked again, walking its dependencies
  (``MarkInstall`` with auto-install), broken or not (apt 2.5.2).
- ``upgrade``, ``dist-upgrade`` and ``full-upgrade`` then mark the upgrade
  (:mod:`repogen.families.deb.upgrade`).

``MarkInstall`` of a package:

- Nothing to do when it is already marked (or installed at its candidate) and not broken.
- It refuses a package whose critical dependencies neither the marks nor the candidates can
  meet, and forgets that package's candidate (unless it is protected).
- Its own Conflicts and Breaks that hit a package to be installed un-mark that package (which
  fails when it is protected); an installed package they hit is upgraded when its candidate
  does not hit them, else removed after the dependencies are marked; for a protected package,
  the candidates they hit are forgotten and protected, so no later choice takes them.
- Then its relations in written order, Pre-Depends and Depends, then Recommends unless
  ``--no-install-recommends``: a relation already met is left alone; otherwise the solutions
  are, alternative by alternative, the candidates that satisfy it — the real package, then its
  providers, those installed in some version first, among providers of one name the one apt
  met last — installed packages before new ones; the first that can be marked wins.  A
  Recommends of an installed package that was not met before is left alone.
- A critical relation with one solution of a protected package protects that solution too.
- A package whose critical dependency cannot be marked is un-marked and its candidate
  forgotten; what was marked for it stays marked (and is dropped at the end, see below).
- An installed package whose important dependency the installed version meets and the new
  one would not is upgraded with it, else removed (apt 2.5.2); so are the installed binaries
  of the candidate's source package whose candidate comes from the same source version
  (``APT::Get::Upgrade-By-Source-Package``, apt 2.5.2).
- Only the user changes a held package (``apt-mark hold``), and only the user removes an
  Essential or Protected one (apt 2.3.12): the problem resolver cannot, so a removal that
  breaks one fails.

``apt-get remove`` marks the named installed packages for removal.  Then, if anything is
broken — an installed package whose dependency goes, a package that conflicts with a new one —
apt's problem resolver repairs it (:mod:`repogen.families.deb.problems`); what it cannot
repair is an error.  Finally new packages that nothing installed manually needs any more
(over Depends, Pre-Depends, Recommends and Suggests) are not installed after all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key

from repogen.families.deb.cache import (
    Cache,
    Dep,
    Group,
    Mode,
    Numbering,
    Package,
    Selector,
    Version,
    allows,
    candidate,
    installing,
    now,
)
from repogen.families.deb.ordering import refusal
from repogen.families.deb.problems import ProblemResolver, remove_new_garbage
from repogen.families.deb.upgrade import upgrade
from repogen.model import RelationKind
from repogen.resolve.request import Action, Request
from repogen.resolve.result import PackageRef, Resolution
from repogen.resolve.universe import Universe
from repogen.runtime.collector import collector_paused

#: apt's IsModeChangeOk gives up this deep.
_MAX_DEPTH = 3000
_LABEL = {
    RelationKind.PRE_DEPENDS: "PreDepends",
    RelationKind.DEPENDS: "Depends",
    RelationKind.RECOMMENDS: "Recommends",
    RelationKind.CONFLICTS: "Conflicts",
    RelationKind.BREAKS: "Breaks",
}


class _Marker:
    """One apt-get run: the marks on the cache, and why packages were chosen."""

    def __init__(self, universe: Universe, request: Request) -> None:
        self.request = request
        self.arch = universe.arch
        numbering = universe.shared("apt numbering", lambda: _numbering(universe))
        self.cache = Cache(numbering, request.install_recommends, universe.installed.held)
        self.why: dict[str, tuple[str, ...]] = {}
        self.held: set[Package] = set()

    # -- the marks (pkgDepCache) ------------------------------------------------------------

    def mode_change_ok(self, mode: Mode, package: Package, depth: int, from_user: bool) -> bool:
        if depth > _MAX_DEPTH or not package.versions:
            return False
        if from_user or package.mode is mode:
            return True
        if package.protected:
            return False
        if mode is not Mode.KEEP and (package.held or package in self.held):
            return False
        # apt 2.3.12: nothing but the user removes an Essential or Protected package.
        return mode is not Mode.DELETE or not (package.essential or package.important)

    def mark_keep(self, package: Package, from_user: bool, depth: int = 0) -> bool:
        if not self.mode_change_ok(Mode.KEEP, package, depth, from_user):
            return False
        package.mode = Mode.KEEP
        package.install = package.current
        return True

    def mark_delete(self, package: Package, depth: int, from_user: bool) -> bool:
        if not self.mode_change_ok(Mode.DELETE, package, depth, from_user):
            return False
        if package.mode is Mode.DELETE or package.install is None:
            return True
        if not from_user and package.new_install and not package.auto:
            return False  # a manual install request (IsDeleteOkProtectInstallRequests)
        package.mode = Mode.KEEP if package.current is None else Mode.DELETE
        package.install = None
        return True

    def state_change(self, package: Package, from_user: bool) -> None:
        if package.protected and package.install is package.candidate:
            return
        new = package.current is None
        package.mode = Mode.INSTALL
        package.install = package.candidate
        if from_user:
            package.auto = False
        elif new:
            package.auto = True
        if package.candidate is package.current:
            package.mode = Mode.KEEP

    def discard_candidate(self, package: Package) -> None:
        package.candidate = package.install

    def discard_install(self, package: Package) -> None:
        if (
            package.mode is Mode.KEEP
            and package.install is package.candidate
            and package.candidate is package.current
        ):
            return
        package.install = package.current
        package.mode = Mode.KEEP
        self.discard_candidate(package)

    def set_candidate(self, package: Package, version: Version | None) -> None:
        if package.candidate is package.install and package.mode is Mode.INSTALL:
            package.install = version
        package.candidate = version

    # -- MarkInstall --------------------------------------------------------------------------

    def install_ok(self, package: Package, auto_inst: bool) -> bool:
        """IsInstallOkDependenciesSatisfiableByCandidates."""
        version = package.candidate
        if not auto_inst or version is None or version is package.current:
            return True
        cache = self.cache
        for group in version.groups:
            if not group.critical or group.negative:
                continue
            if any(cache.hits(d, installing) or cache.hits(d, candidate) for d in group.deps):
                continue
            if not package.protected:
                self.set_candidate(package, package.current)
                if package.mode is not Mode.DELETE:
                    package.mode = Mode.KEEP
                    package.install = package.current
            return False
        return True

    def mark_install(self, package: Package, auto_inst: bool, depth: int, from_user: bool) -> bool:
        cache = self.cache
        refreshing = (
            package.protected
            and package.mode is Mode.KEEP
            and package.candidate is not None
            and package.candidate is package.current
        )
        if not refreshing and not self.mode_change_ok(Mode.INSTALL, package, depth, from_user):
            return False
        if package.candidate is None:
            return False
        if (
            not package.protected
            and not cache.inst_policy_broken(package)
            and not cache.inst_broken(package)
        ):
            if package.candidate is package.current:
                if package.install is None:
                    return self.mark_keep(package, from_user, depth + 1)
                return True
            if package.mode is Mode.INSTALL:
                return True
        if not self.install_ok(package, auto_inst):
            return False
        if from_user:
            self.state_change(package, from_user)
        fail_early = not package.protected and not from_user
        failed = False
        to_install: list[Group] = []
        to_upgrade: list[Package] = []
        delayed: list[Package] = []
        if auto_inst:
            version = package.candidate
            to_install, to_remove = self.collect(version)
            if not self.remove_conflicts(version, depth, to_remove, to_upgrade, delayed, from_user):
                if fail_early:
                    return False
                failed = True
            self.collect_reverse_depends(version, to_upgrade)
        if not from_user:
            self.state_change(package, from_user)
        if not auto_inst:
            return not failed
        already = package.protected
        package.protected = True
        try:
            self.upgrade_other_binaries(package, depth)
            steps: tuple[Callable[[], bool], ...] = (
                lambda: self.upgrade_or_remove(depth, to_upgrade, already, from_user),
                lambda: self.install_dependencies(package, depth, to_install, already, from_user),
                lambda: all(self.mark_delete(other, depth, False) for other in delayed),
            )
            for step in steps:
                if not step():
                    if fail_early:
                        self.discard_install(package)
                        return False
                    failed = True
        finally:
            package.protected = already
        return not failed

    def collect(self, version: Version) -> tuple[list[Group], list[Group]]:
        """The relations of *version* to act on: unmet positive ones, hit negative ones (all
        of them for a protected package)."""
        protected = version.package.protected
        to_install: list[Group] = []
        to_remove: list[Group] = []
        for group in version.groups:
            if self.cache.satisfied(group, installing) and not protected:
                continue
            if not self.cache.important(group):
                continue
            (to_remove if group.negative else to_install).append(group)
        return to_install, to_remove

    def collect_reverse_depends(self, version: Version, to_upgrade: list[Package]) -> None:
        """MarkInstall_CollectReverseDepends (apt 2.5): an installed package whose important
        dependency the installed version meets and *version* would not is to be upgraded."""
        package = version.package
        current = package.current
        if current is None:
            return
        for dep in package.reverse:
            parent = dep.parent.package
            if parent.current is not dep.parent or parent.mode is Mode.INSTALL:
                continue
            if dep.negative or not self.cache.important(Group(dep.kind, (dep,))):
                continue
            if not _allows(dep, current) or _allows(dep, version):
                continue
            if parent not in to_upgrade:
                to_upgrade.append(parent)

    def upgrade_other_binaries(self, package: Package, depth: int) -> None:
        """MarkInstall_UpgradeOtherBinaries (apt 2.5, ``APT::Get::Upgrade-By-Source-Package``):
        the installed binaries of the candidate's source package whose candidate is of the same
        source version are upgraded with it, first without, then with their dependencies."""
        version = package.candidate
        if version is None:
            return
        others = [
            other
            for other in self.cache.installed
            if other is not package
            and (chosen := other.candidate) is not None
            and chosen is not other.current
            and not (other.mode is Mode.INSTALL and other.install is chosen)
            and chosen.source_name == version.source_name
            and chosen.source_version == version.source_version
        ]
        for auto_inst in (False, True):
            for other in others:
                self.mark_install(other, auto_inst, depth + 1, False)

    def remove_conflicts(
        self,
        version: Version,
        depth: int,
        to_remove: list[Group],
        to_upgrade: list[Package],
        delayed: list[Package],
        from_user: bool,
    ) -> bool:
        """MarkInstall_RemoveConflictsIfNotUpgradeable."""
        protected = version.package.protected
        failed = False
        bad_candidate: list[Package] = []
        for group in to_remove:
            for target in self.solutions(group, [candidate], ordered=True):
                other = target.package
                if other.candidate is not target:
                    continue
                if other.current is not target:
                    if other.mode is Mode.INSTALL and not self.mark_keep(other, False, depth):
                        failed = True
                        if not protected and not from_user:
                            break
                    elif protected:
                        self.discard_candidate(other)
                        if other.current is None:
                            other.protected = True
                    else:
                        bad_candidate.append(other)
                elif not self.delete_for_not_upgradeable(other, depth, protected, delayed):
                    failed = True
                    if not protected and not from_user:
                        break
            if failed and not protected and not from_user:
                break
            for target in self.solutions(group, [now], ordered=True):
                other = target.package
                if (
                    other.candidate is not target
                    and other.candidate is not None
                    and other not in bad_candidate
                ):
                    to_upgrade.append(other)
                elif other.candidate is other.current:
                    pass
                elif not self.delete_for_not_upgradeable(other, depth, protected, delayed):
                    failed = True
                    if not protected and not from_user:
                        break
            if failed and not protected and not from_user:
                break
        return not failed

    def delete_for_not_upgradeable(
        self, package: Package, depth: int, protected: bool, delayed: list[Package]
    ) -> bool:
        if not protected:
            if package.mode is Mode.DELETE:
                return True
            if not self.mode_change_ok(Mode.DELETE, package, depth, False):
                return False
            delayed.append(package)
            return True
        if package.mode is not Mode.DELETE and not self.mark_delete(package, depth + 1, False):
            return False
        self.discard_candidate(package)
        package.protected = True
        return True

    def upgrade_or_remove(
        self, depth: int, to_upgrade: list[Package], protected: bool, from_user: bool
    ) -> bool:
        """MarkInstall_UpgradeOrRemoveConflicts."""
        failed = False
        for other in to_upgrade:
            if other.mode is Mode.INSTALL or self.mark_install(other, True, depth + 1, False):
                continue
            if not self.mark_delete(other, depth + 1, False):
                failed = True
                if not protected and not from_user:
                    break
            elif protected:
                other.protected = True
        return not failed

    def install_dependencies(
        self,
        package: Package,
        depth: int,
        to_install: list[Group],
        protected: bool,
        from_user: bool,
    ) -> bool:
        """MarkInstall_InstallDependencies."""
        cache = self.cache
        failed = False
        for group in to_install:
            found = cache.satisfied(group, installing)
            if found and not protected:
                continue
            if found:
                if group.critical:
                    self.protect_single_solution(group, depth)
                continue
            if (
                package.current is not None
                and not group.critical
                and not self.new_or_kept(package.current, group)
            ):
                continue
            possible = self.solutions(group, [candidate], ordered=True)
            for target in possible:
                other = target.package
                if other.candidate is not target:
                    continue
                if protected and group.critical and len(possible) == 1:
                    if not self.mark_install(other, False, depth + 1, False):
                        continue
                    other.protected = True
                if not self.mark_install(other, True, depth + 1, False):
                    continue
                if other.mode is Mode.INSTALL:
                    self.why.setdefault(
                        other.name, (package.name, f"{_LABEL[group.kind]}: {group}")
                    )
                found = True
                break
            if not found and group.critical:
                failed = True
                if not protected and not from_user:
                    break
        return not failed

    def protect_single_solution(self, group: Group, depth: int) -> None:
        """A met critical relation of a protected package with one possible solution
        protects that solution (and walks its dependencies)."""
        possible = self.solutions(group, [candidate, now], ordered=False)
        if len(possible) != 1:
            return
        other = possible[0].package
        if other.protected:
            return
        other.protected = True
        self.mark_install(other, True, depth + 1, False)

    def new_or_kept(self, current: Version, group: Group) -> bool:
        """Whether a Recommends of an upgraded package is new, or was met before."""
        target = group.deps[0].target
        seen = False
        for old in current.groups:
            if old.critical or not self.cache.important(old):
                continue
            if all(dep.target is not target for dep in old.deps):
                continue
            seen = True
            if self.cache.satisfied(old, now):
                return True
        return not seen

    def solutions(self, group: Group, selects: list[Selector], ordered: bool) -> list[Version]:
        """getAllPossibleSolutions: the versions that satisfy *group*, installed packages
        first (when *ordered*), providers ordered as apt's CompareProviders orders them."""
        upgrades: list[Version] = []
        new: list[Version] = []
        for dep in group.deps:
            found = self.cache.versions_for(dep, selects)
            if not ordered:
                upgrades += found
                continue
            for version in sorted(found, key=cmp_to_key(_provider_order(dep))):
                (upgrades if version.package.current is not None else new).append(version)
        result = upgrades + new
        if not ordered:
            result.sort(key=lambda v: v.id)
        unique = [v for i, v in enumerate(result) if i == 0 or result[i - 1] is not v]
        if group.negative:
            return unique
        return [
            v
            for v in unique
            if not (
                v.package.protected
                and (
                    v.package.mode is Mode.DELETE
                    or (v.package.mode is Mode.KEEP and v.package.current is None)
                )
            )
        ]

    # -- apt-get --------------------------------------------------------------------------------

    def target(self, word: str) -> Version | str:
        """The version a command-line word names, or the error apt gives for it."""
        name, _, wanted = word.partition("=")
        package = self.cache.find(name)
        if package is not None and package.versions:
            if not wanted:
                return package.candidate or package.versions[0]
            chosen = [v for v in package.versions if v.string == wanted]
            if not chosen:
                return f"E: Version '{wanted}' for '{name}' was not found"
            return chosen[0]
        providers = sorted(
            {
                p.version.package.name
                for p in (package.provides if package is not None else ())
                if p.version.package.candidate is p.version
            }
        )
        if len(providers) == 1:
            chosen_package = self.cache.package(providers[0])
            assert chosen_package.candidate is not None
            return chosen_package.candidate
        if providers:
            return (
                f"E: Package '{name}' has no installation candidate "
                f"(virtual package provided by: {', '.join(providers)})"
            )
        return f"E: Unable to locate package {name}"

    def run(self) -> Resolution:
        targets = []
        for word in self.request.names:
            found = self.target(word)
            if isinstance(found, str):
                return Resolution(ok=False, problems=(found,))
            targets.append(found)
        removing: set[Package] = set()
        if self.request.action is Action.REMOVE:
            for version in sorted(targets, key=lambda v: v.id):
                package = version.package
                package.protected = True
                removing.add(package)
                if package.current is None:
                    self.held.add(package)
                else:
                    self.mark_delete(package, 0, from_user=True)
                    self.why[package.name] = ("requested",)
        else:
            self.install(targets)
        if self.request.upgrades:
            done = upgrade(self, self.request.action, self.request.new_packages)
            if not done and not self.cache.broken():
                return Resolution(
                    ok=False, problems=("E: Internal Error, pkgProblemResolver::ResolveByKeep",)
                )
        elif self.cache.broken():
            ProblemResolver(self, {v.package for v in targets}, removing).resolve()
        if self.cache.broken():
            return self.failure()
        remove_new_garbage(self)
        refused = refusal(self.cache, self.arch)
        if refused is not None:
            return Resolution(ok=False, problems=refused, why=self.why)
        return self.result()

    def install(self, targets: Iterable[Version]) -> None:
        """TryToInstall, then doAutoInstall, in command-line order (apt 2.5.3); each package
        is marked again with its dependencies, broken or not (apt 2.5.2), which upgrades the
        other binaries of its source."""
        later: list[Package] = []
        for version in dict.fromkeys(targets):
            package = version.package
            self.set_candidate(package, version)
            package.protected = True
            self.mark_install(package, False, 0, True)
            if package.mode is Mode.INSTALL:
                self.why[package.name] = ("requested",)
            later.append(package)
        for package in later:
            self.mark_install(package, True, 0, True)

    # -- the answer ---------------------------------------------------------------------------

    def failure(self) -> Resolution:
        lines = []
        for package in sorted(self.cache.broken(), key=lambda p: p.name):
            version = package.install
            assert version is not None
            for group in version.groups:
                if group.critical and not self.cache.satisfied(group, installing):
                    lines.append(
                        f" {package.name} : {_LABEL[group.kind]}: {group} but {self.explain(group)}"
                    )
        return Resolution(
            ok=False,
            problems=(
                "The following packages have unmet dependencies:",
                *lines,
                "E: Unable to correct problems, you have held broken packages.",
            ),
            why=self.why,
        )

    def explain(self, group: Group) -> str:
        first = group.deps[0].target
        if group.negative:
            return "it is to be installed"
        if first.install is not None:
            return f"{first.install.string} is to be installed"
        if first.candidate is not None:
            return "it is not going to be installed"
        return "it is not installable"

    def result(self) -> Resolution:
        install: list[Version] = []
        upgrade: list[Version] = []
        remove: list[Version] = []
        for package in self.cache.in_id_order():
            # A package marked for its installed version (a candidate set back to it after
            # the mark) changes nothing: apt's status is 0, neither install nor upgrade.
            if (
                package.mode is Mode.INSTALL
                and package.install is not None
                and package.install is not package.current
            ):
                (install if package.current is None else upgrade).append(package.install)
            elif package.mode is Mode.DELETE and package.current is not None:
                remove.append(package.current)
                self.why.setdefault(package.name, self.removal_reason(package))
        return Resolution(
            ok=True,
            install=_refs(install),
            upgrade=_refs(upgrade),
            remove=_refs(remove),
            why=self.why,
        )

    def removal_reason(self, package: Package) -> tuple[str, ...]:
        """Why *package* is removed: a dependency gone, a conflict with a package installed, or
        (neither found) replaced."""
        version = package.current
        assert version is not None
        for group in version.groups:
            if (
                group.critical
                and not group.negative
                and not self.cache.satisfied(group, installing)
            ):
                return (f"its dependency {group} is removed",)
        for other in self.cache.in_id_order():
            if other.install is None or other.mode is not Mode.INSTALL:
                continue
            for group in other.install.groups:
                if group.negative and any(
                    self.cache.hits(d, lambda p: p.current)
                    and d.target in (package, *(p.version.package for p in d.target.provides))
                    for d in group.deps
                ):
                    return (f"{other.name} conflicts with {package.name}",)
        return ("replaced",)


def _numbering(universe: Universe) -> Numbering:
    """apt's numbering of *universe*: the release repository, then the base, then the status
    file."""
    # What it makes lives on with the universe: the collector's passes over it as it is
    # made (and over the whole index with it) would free nothing.
    with collector_paused():
        return Numbering([universe.release, universe.base], universe.installed.packages)


def _allows(dep: Dep, version: Version) -> bool:
    """DepIterator::IsSatisfied: *version* of the dependency's target meets its constraint."""
    return allows(dep.constraint, version.string)


def _provider_order(dep: Dep) -> Callable[[Version, Version], int]:
    """apt's CompareProviders for the solutions of *dep*: protected, installed, the real
    package, Essential, then ``Protected: yes`` (apt's Important flag), then the package apt
    met last."""

    def compare(a: Version, b: Version) -> int:
        left, right = a.package, b.package
        if left.protected != right.protected:
            return -1 if left.protected else 1
        if (left.current is None) != (right.current is None):
            return -1 if left.current is not None else 1
        if (left is dep.target) != (right is dep.target):
            return -1 if left is dep.target else 1
        if left.essential != right.essential:
            return -1 if left.essential else 1
        if left.important != right.important:
            return -1 if left.important else 1
        return right.id - left.id

    return compare


def _refs(versions: Iterable[Version]) -> tuple[PackageRef, ...]:
    return tuple(sorted(PackageRef(v.spec.name, v.spec.version, v.spec.arch) for v in versions))


class AptResolver:
    """Resolves deb-family requests as apt-get does."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        return _Marker(universe, request).run()
