"""What apt does after resolution, as far as it refuses a resolved transaction: two rules of
apt 2.6's installation ordering (``pkgOrderList::OrderUnpack`` and
``pkgPackageManager::OrderInstall``), which ``apt-get -s`` runs too, through ``pkgSimulate``.

Modelled, first: a loop through Pre-Depends among the packages the transaction changes (a
pre-dependency is configured before the package is unpacked; configuring it needs the package
back, or a package that depends on itself), when one changed package alone meets each link
and the installed versions do not (:func:`_pre_depends_loop`).  Not modelled there: links
several changed packages meet (which apt configures first decides), and a pre-dependency on a
package being upgraded whose installed version meets it.

Then: an installed package P, upgraded, whose installed version conflicts with the new
version of a package X unpacked before P.

- By X's name (``SmartUnPack`` → ``CheckRConflicts`` → ``EarlyRemove``): apt removes P before
  it unpacks X and upgrades it later, but an Essential or Protected P (or one a version of an
  Essential or Protected package depends on) must not be removed, not even for a while::

      E: This installation run will require temporarily removing the essential package P:arch …
      E: Reverse conflicts early remove for package 'X:arch' failed

- By what X provides: ``CheckRConflicts`` skips a package's own provides, X is unpacked while
  the conflict stands and ``pkgSimulate`` stops with ``E: Fatal, conflicts violated P:arch``.

Which is unpacked first: the conflict orders P first (passes A to C of ``OrderUnpack`` follow
reverse Conflicts), but the last pass (``DepUnPackPre``) follows forward Pre-Depends, and
Depends at the top only from an immediately configured package (``Immediate``: the Essential
ones and what their new and installed versions depend on), deeper always, through
dependencies ``CheckDep`` finds unmet; a package it reaches from an immediate P is ordered
before P.  When X reaches P back that way, the one visited first is ordered last: for two
packages depending on each other and nothing else installed or upgraded, the four passes turn
the order over four times, leaving ``OrderCompareA``'s (score, then name) first.

Not modelled, answered as not refused (found against apt-get on examples drawn around the
rule; the differential generator's examples rarely come near them): other dependency loops
through X and P (the order of the previous passes decides them), an X whose own Conflicts or
Breaks hit P's installed version (apt unpacks P first to avoid them; with a Pre-Depends loop
it fails otherwise), a P that is not immediate, which of several refusals apt meets first
(the message names the first package by id), what other packages' unpacking and immediate
configuration change before X's turn, and ``APT::Force-LoopBreak``.
"""

from __future__ import annotations

from collections.abc import Iterator

from repogen.families.deb.cache import Cache, Dep, Mode, Package, Version, hash_order, now
from repogen.model import RelationKind

_DEPENDS = frozenset({RelationKind.DEPENDS, RelationKind.PRE_DEPENDS})


def refusal(cache: Cache, arch: str) -> tuple[str, ...] | None:
    """The errors apt's ordering stops a resolved transaction with in *cache* (on a machine
    of architecture *arch*), or None when the modelled rules let it through."""
    return _pre_depends_loop(cache, arch) or _early_removal(cache, arch)


def _pre_depends_loop(cache: Cache, arch: str) -> tuple[str, ...] | None:
    """``SmartUnPack``'s refusal of a loop through Pre-Depends: a package X to unpack
    pre-depends on Y, which must be configured first, and configuring Y needs X back
    ("Couldn't configure X"), or needs a package that depends on itself (``SmartConfigure``
    turns around it until ``MaxLoopCount``), through Depends or Pre-Depends among the packages
    the transaction changes.  A relation the installed packages meet as they are (configured
    already) is no link; a loop of Depends alone is configured as one."""
    changing = _installing(cache)
    among = set(changing)
    needs = {package: _needed(cache, package, among) for package in changing}
    for package in changing:
        for kind, first in needs[package]:
            if kind is not RelationKind.PRE_DEPENDS:
                continue
            reached = _reachable(needs, first)
            if package in reached:
                cycle = f"E: Couldn't configure {_full_name(package, arch)}, probably a"
                return (f"{cycle} dependency cycle.",)
            for other in sorted(reached, key=lambda p: p.id):
                if any(needed is other for _, needed in needs[other]):
                    name = _full_name(other, arch)
                    return (
                        f"E: Internal error: MaxLoopCount reached in SmartUnPack (2) for "
                        f"{name}, aborting",
                    )
    return None


def _needed(
    cache: Cache, package: Package, changing: set[Package]
) -> list[tuple[RelationKind, Package]]:
    """The changed packages *package*'s new version needs configured first, by the kind of
    relation: the new version that meets each of its Depends and Pre-Depends the installed
    packages do not."""
    assert package.install is not None
    needed = []
    for group in package.install.groups:
        if group.kind not in _DEPENDS or cache.satisfied(group, now):
            continue
        owners = {
            target.package
            for dep in group.deps
            for target in cache.all_targets(dep)
            if target.package in changing and target.package.install is target
        }
        # Only a relation one changed package alone meets is modelled as a link: with
        # several, which one apt configures first decides (not modelled).
        if len(owners) == 1:
            needed.append((group.kind, owners.pop()))
    return needed


def _reachable(
    needs: dict[Package, list[tuple[RelationKind, Package]]], start: Package
) -> set[Package]:
    """*start* and every package its needs lead to."""
    seen = {start}
    stack = [start]
    while stack:
        for _, following in needs.get(stack.pop(), ()):
            if following not in seen:
                seen.add(following)
                stack.append(following)
    return seen


def _early_removal(cache: Cache, arch: str) -> tuple[str, ...] | None:
    """``CheckRConflicts``' refusal (the second rule of the module's notes)."""
    for name in sorted(cache.essential_names | cache.protected_names):
        _ = cache.package(name).versions  # their dependencies join the reverse dependencies
    immediate = _immediate(cache)
    for package in cache.in_id_order():
        installed = package.current
        if (
            installed is None
            or package.mode is not Mode.INSTALL
            or not _changes(package)
            or package not in immediate
        ):
            continue
        for dep in installed.deps:
            if dep.kind is not RelationKind.CONFLICTS:
                continue
            for new, by_name in _conflicting(dep):
                if (
                    new.package.mode is not Mode.INSTALL
                    or not _changes(new.package)
                    or _hits(new, installed)
                    or not _unpacked_first(cache, immediate, new.package, package)
                ):
                    continue
                if not by_name:
                    # CheckRConflicts skips a package's own provides: it is unpacked while the
                    # conflict stands, and pkgSimulate finds the conflict violated.
                    return (f"E: Fatal, conflicts violated {_full_name(package, arch)}",)
                if _essential(package):
                    return (
                        "E: This installation run will require temporarily removing the "
                        f"essential package {_full_name(package, arch)} due to a "
                        "Conflicts/Pre-Depends loop. This is often bad, but if you really want "
                        "to do it, activate the APT::Force-LoopBreak option.",
                        "E: Reverse conflicts early remove for package "
                        f"'{_full_name(new.package, arch)}' failed",
                    )
    return None


def _conflicting(dep: Dep) -> Iterator[tuple[Version, bool]]:
    """The new versions *dep* (a conflict) hits: by name (True), then by what they provide."""
    if dep.target.install is not None and dep.matches(dep.target.install):
        yield dep.target.install, True
    for provide in dep.target.provides:
        if provide.version.package.install is provide.version and dep.provided_by(provide):
            yield provide.version, False


def _essential(package: Package) -> bool:
    """EarlyRemove's test: Essential or Protected, or depended on by a version of such a
    package."""
    return (
        package.essential
        or package.important
        or any(
            dep.kind in _DEPENDS and (dep.parent.package.essential or dep.parent.package.important)
            for dep in package.reverse
        )
    )


def _immediate(cache: Cache) -> set[Package]:
    """``CreateOrderList``'s Immediate flags: every Essential package, then (``ImmediateAdd``)
    what its new version depends on, and again from its installed version, recursively
    through packages not flagged yet, Essential packages in hash-table order."""
    flagged: set[Package] = set()

    def add(package: Package, use_install: bool) -> None:
        version = package.install if use_install else package.current
        if version is None:
            return
        for dep in version.deps:
            if dep.kind in _DEPENDS and dep.target not in flagged:
                flagged.add(dep.target)
                add(dep.target, use_install)

    for name in sorted(cache.essential_names, key=hash_order):
        package = cache.package(name)
        if not package.versions:
            continue
        flagged.add(package)
        add(package, True)
        add(package, False)
    return flagged


def _sort_key(package: Package, immediate: set[Package]) -> tuple[int, str]:
    """``OrderCompareA`` of two packages to unpack (every repogen stanza is ``Priority:
    optional``): the higher ``Score`` first — Essential 200, immediate 10, with Pre-Depends
    50 — then by name."""
    install = package.install
    pre_depends = install is not None and any(
        dep.kind is RelationKind.PRE_DEPENDS for dep in install.deps
    )
    score = 200 * package.essential + 10 * (package in immediate) + 50 * pre_depends
    return -score, package.name


def _hits(version: Version, installed: Version) -> bool:
    """*version* has a Conflicts or Breaks on *installed* (by name)."""
    return any(dep.negative and dep.matches(installed) for dep in version.deps)


class _LastPass:
    """``OrderUnpack``'s last pass (``DepUnPackPre``) from one package, nothing added yet:
    the packages it orders, in their unpack order, the package itself last."""

    def __init__(self, cache: Cache, immediate: set[Package]) -> None:
        self.cache = cache
        self.immediate = immediate
        self.added: list[Package] = []
        self.pending: set[Package] = set()

    def visit(self, package: Package, depth: int) -> None:
        """``VisitNode``."""
        if package in self.added or package in self.pending or not _changes(package):
            return
        self.pending.add(package)
        if package.mode is Mode.INSTALL and package.install is not None:
            for dep in package.install.deps:
                self.follow(dep, depth + 1)
        self.pending.discard(package)
        self.added.append(package)

    def follow(self, dep: Dep, depth: int) -> None:
        """``DepUnPackPre`` for one dependency of a package visited at *depth*: Pre-Depends,
        and Depends but at the top of an immediate package."""
        if dep.kind not in _DEPENDS or (
            dep.kind is RelationKind.DEPENDS
            and depth == 1
            and dep.parent.package not in self.immediate
        ):
            return
        if self.met(dep) and dep.target not in self.pending:
            return
        if dep.target in self.added or dep.target in self.pending:
            return
        for target in self.cache.all_targets(dep):
            owner = target.package
            if owner.install is target and _changes(owner):
                self.visit(owner, depth)

    def met(self, dep: Dep) -> bool:
        """``pkgOrderList::CheckDep``: a package added meets it in its new version, another
        in its installed one (not a provide of the depending package's other version)."""
        for target in self.cache.all_targets(dep):
            owner = target.package
            state = owner.install if owner in self.added else owner.current
            if state is not target:
                continue
            if owner is dep.parent.package and owner.install is not target:
                continue
            return True
        return False


def _unpacked_first(
    cache: Cache, immediate: set[Package], unpacked: Package, package: Package
) -> bool:
    """Whether *unpacked* is unpacked before *package*, as far as the rule knows: when the
    last pass from *package* orders *unpacked* first, and it does not loop back; when the
    transaction installs or upgrades these two alone and they depend on each other, the
    passes turn the order over four times, leaving ``OrderCompareA``'s first.  Any other loop
    is not modelled (False)."""
    if unpacked not in _unpack_order(cache, immediate, package):
        return False
    back = _unpack_order(cache, immediate, unpacked)
    if package not in back:
        return True
    return (
        set(_installing(cache)) == {unpacked, package}
        and _depends(cache, unpacked, package)
        and _depends(cache, package, unpacked)
        and _sort_key(unpacked, immediate) < _sort_key(package, immediate)
    )


def _depends(cache: Cache, package: Package, on: Package) -> bool:
    """The new version of *package* depends (or pre-depends) on the new version of *on*."""
    assert package.install is not None
    return any(
        dep.kind in _DEPENDS and on.install in cache.all_targets(dep)
        for dep in package.install.deps
    )


def _unpack_order(cache: Cache, immediate: set[Package], package: Package) -> list[Package]:
    """What the last pass orders from *package*, in unpack order."""
    last = _LastPass(cache, immediate)
    last.visit(package, 0)
    return last.added


def _installing(cache: Cache) -> list[Package]:
    """The packages the transaction installs or upgrades, in id order."""
    return [p for p in cache.in_id_order() if p.mode is Mode.INSTALL and _changes(p)]


def _changes(package: Package) -> bool:
    """In the order list: installed, upgraded or removed."""
    if package.mode is Mode.DELETE:
        return package.current is not None
    return package.mode is Mode.INSTALL and package.install is not package.current


def _full_name(package: Package, arch: str) -> str:
    """``PkgIterator::FullName``: the name and the architecture (``all`` is the machine's)."""
    version = package.current or package.install
    package_arch = version.spec.arch if version is not None else arch
    return f"{package.name}:{arch if package_arch == 'all' else package_arch}"
