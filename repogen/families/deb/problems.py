"""What apt-get does after marking: the problem resolver and the removal of new garbage.

apt 2.6 ``pkgProblemResolver::ResolveInternal`` repairs the packages marking left broken.  It
scores every package (``MakeScores``: priority, installed and not obsolete, one point per
relation naming it, inherited from what depends on it, along provides; the packages named on
the command line +10000 — not those marking protected on the way), then, from the highest
score down, for each broken package and each relation it breaks: keeps back or removes the
broken package when its score is not higher than the package it would have to change (trying
an upgrade first, except in a dist-upgrade, or — in an or-group — installing the first
alternative), otherwise puts that
package on a kill list (kept back or removed).  Up to 20 passes, until nothing changes.
Ties in score come out as apt's unstable ``std::sort`` leaves them (:mod:`.stdsort`), not in
hash-table order.

``DoAutomaticRemove`` then drops new packages that nothing installed manually still needs
(apt's mark-and-sweep over Depends, Pre-Depends, Recommends and Suggests).
"""

from __future__ import annotations

import enum
from typing import Literal, Protocol

from repogen.families.deb.cache import (
    Cache,
    Dep,
    Group,
    Mode,
    Package,
    Version,
    candidate,
    installing,
    now,
)
from repogen.families.deb.stdsort import std_sort
from repogen.model import RelationKind

_PRIORITY_OPTIONAL = -1
_PRIORITY_EXTRA = -2
_NOT_OBSOLETE = 1
_PROTECTED = 10000
#: ``pkgProblemResolver::Scores::Essentials`` and ``AddEssential``: an Essential or Protected
#: package to be installed, and any such package.
_ESSENTIAL = 100
_ADD_ESSENTIAL = 5000
_MAX_COUNTER = 20
_DEPENDENCY_SCORE = {
    RelationKind.DEPENDS: 1,
    RelationKind.PRE_DEPENDS: 1,
    RelationKind.RECOMMENDS: 1,
    RelationKind.CONFLICTS: -1,
    RelationKind.BREAKS: -1,
}
_INHERITED = (RelationKind.DEPENDS, RelationKind.PRE_DEPENDS, RelationKind.RECOMMENDS)
_MARKING = (
    RelationKind.DEPENDS,
    RelationKind.PRE_DEPENDS,
    RelationKind.RECOMMENDS,
    RelationKind.SUGGESTS,
)


class _OrOp(enum.Enum):
    """What becomes of a package whose or-group no alternative could satisfy."""

    REMOVE = "remove"
    KEEP = "keep"


class Marker(Protocol):
    """The marking operations of :mod:`repogen.families.deb.resolver`."""

    cache: Cache

    def mark_install(
        self, package: Package, auto_inst: bool, depth: int, from_user: bool
    ) -> bool: ...

    def mark_keep(self, package: Package, from_user: bool, depth: int = 0) -> bool: ...

    def mark_delete(self, package: Package, depth: int, from_user: bool) -> bool: ...


class ProblemResolver:
    """One ``pkgProblemResolver`` run; *requested* are the packages named on the command line
    (``Fix.Protect``: they alone get the protected score and are never upgraded by the
    resolver; everything else asks the cache's protected state), *removing* those of them the
    user asked to remove."""

    def __init__(
        self,
        marker: Marker,
        requested: set[Package],
        removing: set[Package],
        broken_fix: bool = True,
    ) -> None:
        self.marker = marker
        #: ``ResolveInternal(BrokenFix)``: first try to install what is broken and not marked
        #: (``apt-get install``, ``remove``); not in a dist-upgrade.
        self.broken_fix = broken_fix
        self.cache = marker.cache
        self.requested = requested
        self.removing = removing
        self.scores: dict[Package, int] = {}
        self.upgradable: set[Package] = set()
        self.preinstalled: set[Package] = set()

    # -- MakeScores ---------------------------------------------------------------------------

    def make_scores(self) -> None:
        packages = self.cache.in_hash_order()
        scores = dict.fromkeys(packages, 0)
        for package in packages:
            version = package.install
            if version is None:
                continue
            if package.essential or package.important:
                scores[package] += _ESSENTIAL
            scores[package] += _PRIORITY_OPTIONAL if version.downloadable else _PRIORITY_EXTRA
            if package.current is not None and package.candidate is not None:
                scores[package] += _NOT_OBSOLETE if package.candidate.downloadable else 0
            for dep in version.deps:
                weight = _DEPENDENCY_SCORE.get(dep.kind, 0)
                if weight == 0:
                    continue
                target = dep.target
                if not dep.ignores(target):
                    if dep.constraint is not None:
                        installed = target.install
                        if installed is None or not dep.matches(installed):
                            continue
                    scores[target] += weight
                for owner in _owners(
                    p.version.package
                    for p in target.provides
                    if p.version is p.version.package.install and dep.provided_by(p)
                ):
                    scores[owner] += weight
        old = dict(scores)
        for package in packages:
            if package.install is None:
                continue
            for dep in package.reverse:
                parent = dep.parent.package
                if dep.parent is parent.install and dep.kind in _INHERITED and old[parent] > 0:
                    scores[package] += old[parent]
        for package in packages:
            transfer = abs(scores[package] - old[package])
            if transfer == 0:
                continue
            for owner in _owners(
                p.version.package
                for p in package.provides
                if p.version is p.version.package.install
            ):
                scores[owner] += transfer
        for package in packages:
            if package in self.requested:
                scores[package] += _PROTECTED
            if package.essential or package.important:
                scores[package] += _ADD_ESSENTIAL
        self.scores = scores

    def by_score(self) -> list[Package]:
        """Every package, highest score first, as apt's ``std::sort`` leaves them: equal
        scores are not kept in hash order."""
        order = list(self.cache.in_hash_order())
        std_sort(order, lambda a, b: self.scores[a] > self.scores[b])
        return order

    # -- DoUpgrade ----------------------------------------------------------------------------

    def do_upgrade(self, package: Package) -> bool:
        """Install *package*'s candidate if its critical relations can then be met."""
        upgradable = package.candidate is not None and (
            package.current is None or package.candidate is not package.current
        )
        if package not in self.upgradable or not upgradable or package in self.requested:
            return False
        self.upgradable.discard(package)
        was_kept = package.mode is Mode.KEEP
        if not self.marker.mark_install(package, False, 0, False):
            return False
        version = package.install
        if version is None:
            return False
        fail = False
        for group in version.groups:
            if not group.critical:
                continue
            for dep in group.deps:
                if self.cache.satisfied(group, installing):
                    break
                target = _smart_target(dep)
                if target.protected:
                    fail = True
                elif self.cache.hits(dep, candidate):
                    if self.do_upgrade(target):
                        fail = False
                        break
                    fail = True
                else:
                    if group.negative:
                        break
                    fail = True
            if fail:
                break
        if fail:
            if was_kept:
                self.marker.mark_keep(package, from_user=False)
            else:
                self.marker.mark_delete(package, 0, from_user=False)
            return False
        return True

    # -- ResolveInternal ----------------------------------------------------------------------

    def resolve(self) -> bool:
        """Repair what is broken; False when something stays broken."""
        cache = self.cache
        again = True
        while again:
            again = False
            for package in cache.in_hash_order():
                if (
                    self.broken_fix
                    and package.mode is not Mode.INSTALL
                    and cache.inst_broken(package)
                ):
                    self.marker.mark_install(package, False, 0, False)
                    again = again or _marked_install(package)
            self.preinstalled = {p for p in cache.packages.values() if p.mode is Mode.INSTALL}
        self.upgradable = set(cache.in_hash_order())
        self.make_scores()
        order = self.by_score()
        change = True
        counter = 0
        while counter < _MAX_COUNTER and change:
            change = False
            for package in order:
                self.reinstate(package)
                if package.install is None or not cache.inst_broken(package):
                    continue
                change |= self.investigate(package, counter)
            counter += 1
        return not cache.broken()

    # -- ResolveByKeepInternal -----------------------------------------------------------------

    def resolve_by_keep(self) -> bool:
        """Repair what is broken by keeping packages back only (``apt-get upgrade``): from the
        highest score down, a broken package is kept; if it stays broken, the installed
        packages that could meet each broken relation are kept, alternative by alternative;
        after each repair, start over."""
        self.make_scores()
        order = self.by_score()
        last_stop: int | None = None
        position = 0
        while position < len(order):
            package = order[position]
            position += 1
            if package.install is None or not self.new_policy_broken(package):
                continue
            if not package.protected:
                self.marker.mark_keep(package, from_user=False)
                if not self.new_policy_broken(package):
                    position = 0
                    continue
            self.keep_targets(package)
            if self.new_policy_broken(package):
                continue
            if last_stop == position:
                return False  # apt: "Internal Error, pkgProblemResolver::ResolveByKeep is looping"
            last_stop = position
            position = 0
        return True

    def keep_targets(self, package: Package) -> None:
        """Keep the installed packages that could meet *package*'s broken critical relations."""
        version = package.install
        assert version is not None
        for group in version.groups:
            if not group.critical or self.cache.satisfied(group, installing):
                continue
            for dep in group.deps:
                for target in self.cache.all_targets(dep):
                    other = target.package
                    if other.install is None or other.current is None:
                        continue
                    if not other.protected:
                        self.marker.mark_keep(other, from_user=False)
                    if not self.new_policy_broken(package):
                        break
                if not self.new_policy_broken(package):
                    break
            if not self.new_policy_broken(package):
                break

    def new_policy_broken(self, package: Package) -> bool:
        """InstOrNewPolicyBroken: broken, or an important relation newly unmet."""
        cache = self.cache
        if cache.inst_broken(package):
            return True
        return not cache.now_policy_broken(package) and cache.inst_policy_broken(package)

    def reinstate(self, package: Package) -> None:
        """Mark an installed package the resolver held back for its upgrade again, once,
        unless that breaks more (apt's "Try to Re-Instate")."""
        if (
            package.candidate is package.install
            or package.current is None
            or package.install is None
            or package not in self.preinstalled
            or package.protected
        ):
            return
        # apt clears every resolver flag of the package here, not only "tried".
        self.preinstalled.discard(package)
        self.upgradable.discard(package)
        self.removing.discard(package)
        breaks = len(self.cache.broken())
        before = package.install
        self.marker.mark_install(package, False, 0, False)
        if self.cache.inst_broken(package) or breaks < len(self.cache.broken()):
            if before is None:
                self.marker.mark_delete(package, 0, from_user=False)
            else:
                self.marker.mark_keep(package, from_user=False)

    def investigate(self, package: Package, counter: int) -> bool:
        """Repair the broken *package*, relation by relation; whether anything changed."""
        version = package.install
        assert version is not None
        kill: list[tuple[Package, Group]] = []
        change = False
        for group in version.groups:
            if not group.critical:
                continue
            in_or = len(group.deps) > 1
            old_size = len(kill)
            or_op = _OrOp.REMOVE
            done = False
            for dep in group.deps:
                if self.cache.satisfied(group, installing):
                    in_or = False
                    continue
                outcome = self.fix(package, dep, group, kill, in_or, counter)
                if outcome is None:
                    continue
                change, done = True, True
                or_op = outcome or or_op
                if not in_or:
                    break
            if in_or and old_size == len(kill):
                if or_op is _OrOp.REMOVE and not package.protected:
                    self.marker.mark_delete(package, 0, from_user=False)
                    change = True
                elif or_op is _OrOp.KEEP:
                    self.marker.mark_keep(package, from_user=False)
                    change = True
            if done and not in_or:
                break
        if package.install is not None:
            for other, group in kill:
                found = False
                if not self.cache.satisfied(group, now):
                    if group.negative and self.marker.mark_delete(other, 0, from_user=False):
                        found = True
                elif self.marker.mark_keep(other, from_user=False):
                    found = True
                if (not found or counter > 1) and self.scores[package] > self.scores[other]:
                    self.scores[other] = self.scores[package]
                    change = True
                change |= found
        return change

    def fix(
        self,
        package: Package,
        dep: Dep,
        group: Group,
        kill: list[tuple[Package, Group]],
        in_or: bool,
        counter: int,
    ) -> _OrOp | Literal[False] | None:
        """Try to repair *package*'s broken *dep*.  None when it only put packages on the kill
        list (or did nothing); otherwise it dealt with the relation, and says what became of
        the or-group's outcome (False: unchanged)."""
        cache, marker = self.cache, self.marker
        targets = cache.all_targets(dep)
        nothing = not targets and not package.protected and not dep.negative
        if nothing and not cache.now_broken(package):
            if in_or:
                return None
            marker.mark_keep(package, from_user=False)
            return False
        for target in targets:
            other = target.package
            if other.install is not target and dep.negative:
                continue
            if self.scores[package] <= self.scores[other] or (
                not cache.hits(dep, now) and not group.negative
            ):
                if package.protected:
                    if self.do_upgrade(other):
                        self.scores[other] = min(self.scores[other], self.scores[package])
                        break
                    continue
                return self.keep_or_remove(package, dep, target, in_or, counter)
            if dep.kind is RelationKind.BREAKS and cache.satisfied(group, candidate):
                marker.mark_install(other, False, 0, False)
                continue
            if other.protected and other.mode is not Mode.DELETE:
                continue
            kill.append((other, group))
            if not dep.negative:
                break
        if nothing:
            installed = package.mode is Mode.INSTALL
            marker.mark_keep(package, from_user=True)
            if not cache.inst_broken(package):
                if in_or and installed:
                    marker.mark_install(package, False, 0, False)
                return _OrOp.KEEP
            if not in_or:
                marker.mark_delete(package, 0, from_user=False)
            return False
        return None

    def keep_or_remove(
        self, package: Package, dep: Dep, target: Version, in_or: bool, counter: int
    ) -> _OrOp | Literal[False]:
        """Hold *package* back, else upgrade or remove it (in an or-group: first try to
        install the alternative's target instead); the or-group's outcome, if it changed."""
        cache, marker = self.cache, self.marker
        installed = package.mode is Mode.INSTALL
        marker.mark_keep(package, from_user=False)
        if not cache.inst_broken(package):
            if in_or and installed:
                marker.mark_install(package, False, 0, False)
            return _OrOp.KEEP
        # apt tries the upgrade only when it may install what is broken (not in a dist-upgrade).
        if self.broken_fix and self.do_upgrade(package):
            return False
        if not in_or:
            marker.mark_delete(package, 0, from_user=False)
            if counter > 1:
                self.scores[package] = max(self.scores[package], self.scores[target.package])
            return False
        alternative = dep.target
        if (
            alternative.current is None
            and alternative.mode is not Mode.DELETE
            and alternative not in self.removing
            and alternative.candidate is not None
        ):
            before = len(cache.broken())
            marker.mark_install(alternative, True, 1, False)
            if cache.inst_broken(alternative) or len(cache.broken()) > before:
                marker.mark_delete(alternative, 1, from_user=False)
                return _OrOp.REMOVE
            return _OrOp.KEEP
        return False


def _owners(packages: object) -> list[Package]:
    unique = {p.id: p for p in packages}  # type: ignore[attr-defined]
    return [unique[key] for key in sorted(unique)]


def _smart_target(dep: Dep) -> Package:
    """The target, or for a virtual package with one provider, that provider."""
    target = dep.target
    if target.versions or len(target.provides) != 1:
        return target
    return target.provides[0].version.package


def remove_new_garbage(marker: Marker) -> None:
    """apt's DoAutomaticRemove for a request: new packages that no manually installed package
    needs any more are not installed after all."""
    cache = marker.cache
    reached: set[Package] = set()

    def boring(package: Package) -> bool:
        if package.current is None:
            return package.mode is Mode.KEEP
        return package.mode is Mode.DELETE

    def reach(version: Version) -> None:
        if version.package in reached or boring(version.package):
            return
        reached.add(version.package)
        for group in version.groups:
            if group.kind not in _MARKING:
                continue
            for dep in group.deps:
                for other in (dep.target, *(p.version.package for p in dep.target.provides)):
                    chosen = other.install if other.mode is Mode.INSTALL else other.current
                    if chosen is None or boring(other):
                        continue
                    if dep.matches(chosen) or any(
                        p.version is chosen and dep.provided_by(p) for p in dep.target.provides
                    ):
                        reach(chosen)

    for package in cache.in_id_order():
        if package.install is not None and not package.auto:
            reach(package.install)
    garbage = [p for p in cache.in_id_order() if p.new_install and p not in reached]
    for package in garbage:
        marker.mark_delete(package, 0, from_user=False)
    if not garbage or not cache.broken():
        return
    saved = True
    while saved:
        saved = False
        for package in garbage:
            if package.mode is Mode.INSTALL or not _needed(cache, package):
                continue
            marker.mark_install(package, False, 0, False)
            saved = True
            break


def _needed(cache: Cache, package: Package) -> bool:
    """Whether a package that stays or comes needs *package* (or what it provides)."""
    names = {package}
    if package.candidate is not None:
        names |= {
            cache.package(r.alternatives[0].name)
            for r in package.candidate.spec.related(RelationKind.PROVIDES)
        }
    for name in names:
        for dep in name.reverse:
            if dep.negative or not cache.important(Group(dep.kind, (dep,))):
                continue
            parent = dep.parent.package
            if parent.current is dep.parent and parent.mode is Mode.KEEP:
                return True
            if parent.candidate is dep.parent and parent.mode is Mode.INSTALL:
                return True
    return False


def _marked_install(package: Package) -> bool:
    """Whether *package* is marked for installation (read after a call that may mark it)."""
    return package.mode is Mode.INSTALL
