"""The suse family: rpm-md repositories for zypper, with pattern packages and no modules.

SUSE is the rpm family with its own conventions: packages lie in a directory per architecture
(``x86_64/``, ``aarch64/``, ``noarch/``) as on OBS-built repositories, every package has a
``Group``, and patterns are packages named ``patterns-NAME`` whose ``pattern()`` provides the
model already gives them (formats.md §5.1).  libzypp turns those into ``pattern:NAME``
solvables itself, so the repository carries no legacy ``patterns`` record.
"""

from __future__ import annotations

from typing import ClassVar

from repogen.families.rpm.repository import RpmFamilyPublisher
from repogen.families.rpm.spec import SpecConventions
from repogen.model import Family, PackageSpec


def group(package: PackageSpec) -> str:
    """The SUSE package group (``Group:``), as openSUSE's spec guidelines name them."""
    if not package.component:
        return "Metapackages"
    return "System/Kernel" if package.kernel_module is not None else "System/Libraries"


class SusePublisher(RpmFamilyPublisher):
    family: ClassVar[Family] = Family.SUSE
    conventions: ClassVar[SpecConventions] = SpecConventions(group=group)

    def package_directory(self, arch: str) -> str:
        return arch


PUBLISHER = SusePublisher()
