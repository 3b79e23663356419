"""The manual toolchain repogen is compared with, on the same packages.

RPM, as maintainers do it: one spec file per package, one ``rpmbuild -bb`` per spec, then
``createrepo_c``.  Debian: one control directory and one ``dpkg-deb --build`` per package, then
``apt-ftparchive packages`` and ``release`` (and ``dpkg-scanpackages``, timed on its own).
Everything runs in a private directory: rpmbuild with its own ``_topdir``, ``_dbpath`` and
``HOME``, so nothing of the host's package state is touched.

The packages are repogen's own renderings (the Requires of :mod:`repogen.families.rpm.spec`,
the control data of :mod:`repogen.families.deb.control`), so both sides build the same set.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from bench.timing import run
from repogen.families import driver
from repogen.families.deb.control import binary_control
from repogen.families.rpm.repository import RpmFamilyPublisher
from repogen.families.rpm.spec import SpecPackage, spec_package
from repogen.families.rpm.versions import package_evr
from repogen.model import Family, PackageSpec, ReleaseModel

# -- RPM ----------------------------------------------------------------------------------


def maintainer_spec(package: SpecPackage) -> str:
    """A spec file building *package* alone, as a maintainer writes one per package."""
    _, version, release = package_evr(package.version)
    lines = [
        f"Name:           {package.name}",
        *([f"Epoch:          {package.epoch}"] if package.epoch else []),
        f"Version:        {version}",
        f"Release:        {release}",
        f"Summary:        {package.summary}",
        f"License:        {package.license}",
        *([f"Group:          {package.group}"] if package.group else []),
        *(["BuildArch:      noarch"] if package.noarch else []),
        *(f"{tag + ':':<15} {value}" for tag, value in package.tags),
        "",
        "%description",
        *package.description,
        "",
        "%files",
        "",
    ]
    return "\n".join(
        line.replace("%", "%%") if not line.startswith("%") else line for line in lines
    )


def spec_packages(
    release: ReleaseModel, packages: Sequence[PackageSpec], family: Family
) -> list[SpecPackage]:
    """*packages* as repogen's rpm or suse publisher renders them."""
    publisher = driver(family).publisher()
    assert isinstance(publisher, RpmFamilyPublisher)
    return [spec_package(p, publisher.conventions, release.license) for p in packages]


def rpm_toolchain(packages: Sequence[SpecPackage], arch: str, work: Path) -> None:
    """One spec and one rpmbuild per package, then ``createrepo_c`` over the packages."""
    specs, output, home = work / "SPECS", work / "repo", work / "home"
    for directory in (specs, output, home):
        directory.mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C.UTF-8"}
    for package in packages:
        spec = specs / f"{package.name}.spec"
        spec.write_text(maintainer_spec(package))
        run(
            [
                "rpmbuild",
                "--quiet",
                "-bb",
                "--target",
                arch,
                "--define",
                f"_topdir {work / 'top'}",
                "--define",
                f"_dbpath {work / 'rpmdb'}",
                "--define",
                f"_rpmdir {output}",
                str(spec),
            ],
            env,
        )
    run(["createrepo_c", "--quiet", "--no-database", str(output)])


# -- Debian -------------------------------------------------------------------------------


def control_texts(release: ReleaseModel, packages: Sequence[PackageSpec]) -> list[str]:
    """The ``DEBIAN/control`` of every package of *packages*, as repogen renders it."""
    return [binary_control(p, release.maintainer).dump() for p in packages]


def deb_packages(controls: Sequence[str], work: Path) -> Path:
    """A control directory and one ``dpkg-deb --build`` per package; the pool directory."""
    pool = work / "pool"
    pool.mkdir(parents=True)
    for number, control in enumerate(controls):
        tree = work / "trees" / str(number)
        (tree / "DEBIAN").mkdir(parents=True)
        (tree / "DEBIAN" / "control").write_text(control)
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(pool)])
    return pool


def deb_toolchain(controls: Sequence[str], work: Path) -> None:
    """dpkg-deb per package, then the index with apt-ftparchive."""
    deb_packages(controls, work)
    apt_ftparchive(work)


def apt_ftparchive(work: Path) -> None:
    """``apt-ftparchive packages`` (plus gzip and xz) and ``release`` over ``work/pool``."""
    index = work / "dists" / "main" / "Packages"
    index.parent.mkdir(parents=True)
    index.write_text(run(["apt-ftparchive", "packages", "pool"], cwd=work))
    run(["gzip", "-9kn", str(index)])
    run(["xz", "-k", str(index)])
    release = run(["apt-ftparchive", "release", "."], cwd=index.parent)
    (index.parent / "Release").write_text(release)


def dpkg_scanpackages(work: Path) -> None:
    (work / "Packages.scan").write_text(run(["dpkg-scanpackages", "pool"], cwd=work))


def missing(family: Family) -> list[str]:
    """The programs of *family*'s toolchain that are not installed here."""
    tools = {
        Family.DEB: ("dpkg-deb", "apt-ftparchive", "dpkg-scanpackages", "xz"),
        Family.RPM: ("rpmbuild", "createrepo_c"),
        Family.SUSE: ("rpmbuild", "createrepo_c"),
    }[family]
    return [tool for tool in tools if shutil.which(tool) is None]
