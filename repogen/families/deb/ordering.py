"""What apt does after resolution, as far as it refuses a resolved transaction: one rule of
apt 2.6's installation ordering (``pkgOrderList::OrderUnpack`` and
``pkgPackageManager::OrderInstall``), which ``apt-get -s`` runs too, through ``pkgSimulate``.

Modelled: the reverse-conflicts early removal of an Essential package
(``pkgPackageManager::SmartUnPack`` → ``CheckRConflicts`` → ``EarlyRemove``).  Before a package
X is unpacked, apt removes every package P whose *installed* version conflicts with the version
of X to be unpacked and that is still untouched; P is upgraded later.  An Essential P (also one
that a version of an Essential package depends on, and the same for Protected) must not be
removed, not even for a while, so apt stops::

    E: This installation run will require temporarily removing the essential package P:arch …
    E: Reverse conflicts early remove for package 'X:arch' failed

It stops only when X is unpacked before P.  The conflict itself orders P first (passes A to C
of ``OrderUnpack`` follow reverse Conflicts), but the last pass (``DepUnPackPre``) follows only
forward Depends and Pre-Depends, from an immediately configured package (``Immediate``: the
Essential ones, and what their installed and new versions depend on) at any depth: when the
new version of an immediate P depends on X and X's installed version does not satisfy that
dependency, X is ordered before P whichever is visited first.  That is the rule here: P
upgraded, immediate and essential for ``EarlyRemove``, its installed version conflicting (by
name, ``Conflicts`` not ``Breaks``) with the new version of X, its new version depending on X.

Not modelled (the rule answers None, "no refusal", for them): the rest of the ordering — which
of several refused packages apt meets first (the message names the first by package id), a
conflict reaching X through what X provides (apt ignores that check's result), an X whose own
Conflicts or Breaks hit P's installed version (apt then unpacks P first to avoid them), a P
that is not immediate, Pre-Depends loops, the removal of an Essential package the resolver
chose, and ``APT::Force-LoopBreak``.
"""

from __future__ import annotations

from repogen.families.deb.cache import Cache, Dep, Mode, Package, Version, hash_order
from repogen.model import RelationKind

_DEPENDS = frozenset({RelationKind.DEPENDS, RelationKind.PRE_DEPENDS})


def refusal(cache: Cache, arch: str) -> tuple[str, ...] | None:
    """The errors apt's ordering stops a resolved transaction with in *cache* (on a machine
    of architecture *arch*), or None when the modelled rule lets it through."""
    for name in sorted(cache.essential_names | cache.protected_names):
        _ = cache.package(name).versions  # their dependencies join the reverse dependencies
    immediate = _immediate(cache)
    for package in cache.in_id_order():
        installed, upgrade = package.current, package.install
        if (
            installed is None
            or upgrade is None
            or upgrade is installed
            or package.mode is not Mode.INSTALL
            or package not in immediate
            or not _essential(package)
        ):
            continue
        for dep in installed.deps:
            if dep.kind is not RelationKind.CONFLICTS:
                continue
            unpacked = dep.target
            new = unpacked.install
            if (
                new is None
                or unpacked.mode is not Mode.INSTALL
                or new is unpacked.current
                or not dep.matches(new)
                or _hits(new, installed)
                or not _pulls(cache, upgrade, new)
            ):
                continue
            return (
                f"E: This installation run will require temporarily removing the essential "
                f"package {_full_name(package, arch)} due to a Conflicts/Pre-Depends loop. "
                "This is often bad, but if you really want to do it, activate the "
                "APT::Force-LoopBreak option.",
                f"E: Reverse conflicts early remove for package "
                f"'{_full_name(unpacked, arch)}' failed",
            )
    return None


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


def _hits(version: Version, installed: Version) -> bool:
    """*version* has a Conflicts or Breaks on *installed* (by name)."""
    return any(dep.negative and dep.matches(installed) for dep in version.deps)


def _pulls(cache: Cache, version: Version, new: Version) -> bool:
    """``DepUnPackPre``: a Depends or Pre-Depends of *version* that *new* satisfies and that
    the installed packages do not (``pkgOrderList::CheckDep``)."""
    return any(
        dep.kind in _DEPENDS and new in cache.all_targets(dep) and not _met_now(cache, dep)
        for dep in version.deps
    )


def _met_now(cache: Cache, dep: Dep) -> bool:
    """``CheckDep`` before anything is unpacked: an installed version satisfies *dep* (not a
    provide of the depending package's own installed version)."""
    return any(
        target.package.current is target
        and not (target.package is dep.parent.package and target.package.install is not target)
        for target in cache.all_targets(dep)
    )


def _full_name(package: Package, arch: str) -> str:
    """``PkgIterator::FullName``: the name and the architecture (``all`` is the machine's)."""
    version = package.current or package.install
    package_arch = version.spec.arch if version is not None else arch
    return f"{package.name}:{arch if package_arch == 'all' else package_arch}"
