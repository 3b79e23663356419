"""apt's upgrades (apt 2.6 ``apt-pkg/upgrade.cc``), after the packages named on the command
line were marked as ``apt-get install`` marks them:

- ``dist-upgrade``/``full-upgrade`` (``pkgDistUpgrade``): every installed package is marked for
  its candidate, first without its dependencies, then with them; every Essential package not
  to be installed is installed; the installed packages are marked once more, without their
  dependencies; held packages are kept.  Then the problem resolver repairs what is broken,
  removing packages where it must (without first trying to install what is broken).
- ``apt-get upgrade`` (``pkgAllUpgradeNoNewPackages``): every installed package that is not
  held is marked for its candidate, without its dependencies; the problem resolver then keeps
  back what that breaks (``ResolveByKeep``): nothing is installed new, nothing removed.
- ``apt upgrade`` (``pkgAllUpgradeWithNewPackages``): the same marks, then every package to be
  installed is marked again with its dependencies (which may bring new packages), removals
  are undone, and what is broken is kept back.

apt walks its packages in hash-table order for each step.  Phased updates are not modelled:
repogen's repositories have no ``Phased-Update-Percentage``.
"""

from __future__ import annotations

from repogen.families.deb.cache import Mode, Package
from repogen.families.deb.problems import Marker, ProblemResolver
from repogen.resolve.request import Action


def upgrade(marker: Marker, action: Action, new_packages: bool) -> bool:
    """Mark the upgrade *action* asks for; whether apt's resolver succeeded."""
    if action is Action.DIST_UPGRADE:
        return _dist_upgrade(marker)
    if new_packages:
        return _with_new_packages(marker)
    return _no_new_packages(marker)


def _dist_upgrade(marker: Marker) -> bool:
    packages = marker.cache.in_hash_order()
    installed = [p for p in packages if p.current is not None]
    for package in installed:
        marker.mark_install(package, False, 0, False)
    for package in installed:
        marker.mark_install(package, True, 0, False)
    # pkgCacheGen::Essential "all": one package per name group, the name itself here.
    for package in packages:
        if package.essential and package.mode is not Mode.INSTALL:
            marker.mark_install(package, True, 0, False)
    for package in installed:
        marker.mark_install(package, False, 0, False)
    held: set[Package] = set()
    for package in packages:
        if package.held:
            held.add(package)
            package.protected = True
            marker.mark_keep(package, from_user=False)
    return ProblemResolver(marker, held, set(), broken_fix=False).resolve()


def _upgradable(package: Package) -> bool:
    return package.current is not None and package.install is not None and not package.held


def _no_new_packages(marker: Marker) -> bool:
    protected: set[Package] = set()
    for package in marker.cache.in_hash_order():
        if package.mode is Mode.INSTALL:
            protected.add(package)
            package.protected = True
        if _upgradable(package):
            marker.mark_install(package, False, 0, False)
    return ProblemResolver(marker, protected, set()).resolve_by_keep()


def _with_new_packages(marker: Marker) -> bool:
    packages = marker.cache.in_hash_order()
    for package in packages:
        if _upgradable(package):
            marker.mark_install(package, False, 0, False)
    for package in packages:
        if package.mode is Mode.INSTALL:
            marker.mark_install(package, True, 0, False)
    for package in packages:
        if package.mode is Mode.DELETE:
            marker.mark_keep(package, from_user=False)
    return ProblemResolver(marker, set(), set()).resolve_by_keep()
