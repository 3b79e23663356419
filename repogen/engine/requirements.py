"""The programs the real engine runs per family, and the Debian packages that install them."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass

from repogen.families.rpm.rpmroot import ClientMissing
from repogen.model import Family


@dataclass(frozen=True)
class Program:
    """A program the engine runs, and the Debian package that ships it."""

    name: str
    package: str


#: What each family needs: its client, and rpm/rpmbuild for installed states.
PROGRAMS: Mapping[Family, tuple[Program, ...]] = {
    Family.DEB: (Program("apt-get", "apt"),),
    Family.RPM: (Program("dnf", "dnf"), Program("rpm", "rpm"), Program("rpmbuild", "rpm")),
    Family.SUSE: (Program("zypper", "zypper"), Program("rpm", "rpm"), Program("rpmbuild", "rpm")),
}


def require(family: Family) -> None:
    """Raise :class:`ClientMissing`, naming the programs and the ``apt-get install`` line,
    unless every program *family* requests need is installed."""
    missing = [p for p in PROGRAMS[family] if shutil.which(p.name) is None]
    if missing:
        names = " and ".join(p.name for p in missing)
        packages = " ".join(dict.fromkeys(p.package for p in missing))
        raise ClientMissing(
            f"the real engine needs {names} for {family} requests, and it is not installed; "
            f"install it with `apt-get install {packages}`"
        )


__all__ = ["PROGRAMS", "ClientMissing", "Program", "require"]
