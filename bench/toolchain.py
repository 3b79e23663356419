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
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench.timing import run
from repogen.families import driver
from repogen.families.deb.control import binary_control
from repogen.families.deb.debfile import COMPRESSION, WORKERS
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


def rpm_packages(packages: Sequence[SpecPackage], arch: str, work: Path, output: Path) -> None:
    """One spec and one rpmbuild per package, the packages into *output*."""
    specs, home = work / "SPECS", work / "home"
    for directory in (specs, output, home):
        directory.mkdir(parents=True, exist_ok=True)
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


def rpm_toolchain(packages: Sequence[SpecPackage], arch: str, work: Path) -> None:
    """One spec and one rpmbuild per package, then ``createrepo_c`` over the packages."""
    output = work / "repo"
    rpm_packages(packages, arch, work, output)
    run(["createrepo_c", "--quiet", "--no-database", str(output)])


def rpm_update(
    packages: Sequence[SpecPackage], arch: str, work: Path, repo: Path, modules: Path | None
) -> None:
    """One more release into the rpm-md repository *repo*: rpmbuild per new package, then
    ``createrepo_c --update`` (packages it indexed before are taken from its metadata when
    their size and time are unchanged) and, for a modular repository, its ``modules.yaml``
    added again (``modifyrepo_c``)."""
    rpm_packages(packages, arch, work, repo / "new")
    run(["createrepo_c", "--quiet", "--update", "--no-database", str(repo)])
    if modules is not None:
        run(["modifyrepo_c", "--mdtype=modules", str(modules), str(repo / "repodata")])


# -- Debian -------------------------------------------------------------------------------


def control_texts(release: ReleaseModel, packages: Sequence[PackageSpec]) -> list[str]:
    """The ``DEBIAN/control`` of every package of *packages*, as repogen renders it."""
    return [binary_control(p, release.maintainer).dump() for p in packages]


def deb_packages(controls: Sequence[str], work: Path, pool: Path | None = None) -> Path:
    """A control directory and one ``dpkg-deb --build`` per package (dpkg-deb's default
    compression, as a maintainer runs it); the pool directory (default ``work/pool``)."""
    pool = pool or work / "pool"
    pool.mkdir(parents=True)
    for tree in control_trees(controls, work):
        run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(pool)])
    return pool


def control_trees(controls: Sequence[str], work: Path) -> list[Path]:
    """A directory with a ``DEBIAN/control`` per package, for :func:`dpkg_deb_alone`."""
    trees = []
    for number, control in enumerate(controls):
        tree = work / "trees" / str(number)
        (tree / "DEBIAN").mkdir(parents=True)
        (tree / "DEBIAN" / "control").write_text(control)
        trees.append(tree)
    return trees


def dpkg_deb_alone(trees: Sequence[Path], pool: Path) -> None:
    """Only what repogen's deb build cannot do without: ``dpkg-deb --build`` of each tree,
    with repogen's options, as many at a time as repogen runs (``xargs -P``), nothing else:
    no control file written, no index, no Python.  Its time bounds a deb build's."""
    pool.mkdir(parents=True)
    arguments = "\0".join(f"{tree}\0{pool / tree.name}.deb" for tree in trees)
    command = [
        *("xargs", "-0", "-n2", f"-P{WORKERS}"),
        *("dpkg-deb", "--root-owner-group", COMPRESSION, "--build"),
    ]
    subprocess.run(command, input=arguments.encode(), check=True, capture_output=True)


def deb_toolchain(controls: Sequence[str], work: Path) -> None:
    """dpkg-deb per package, then the index with apt-ftparchive."""
    deb_packages(controls, work)
    apt_ftparchive(work)


#: ``apt-ftparchive generate``'s configuration: the index of ``pool`` (below the directory
#: it runs in), compressed as repogen's, with its cache database of the packages it read.
_GENERATE = """Dir { ArchiveDir "."; CacheDir "."; };
Default { Packages::Compress ". gzip xz"; Packages::Extensions ".deb"; };
BinDirectory "pool" { Packages "dists/main/Packages"; BinCacheDB "packages.db"; };
"""


def apt_ftparchive_generate(work: Path) -> None:
    """``apt-ftparchive generate`` over ``work/pool`` (a package it has in its cache database
    is not read again), then ``release``."""
    config = work / "generate.conf"
    config.write_text(_GENERATE)
    (work / "dists" / "main").mkdir(parents=True, exist_ok=True)
    run(["apt-ftparchive", "-q", "generate", str(config)], cwd=work)
    release = run(["apt-ftparchive", "release", "."], cwd=work / "dists" / "main")
    (work / "dists" / "main" / "Release").write_text(release)


def deb_update(controls: Sequence[str], work: Path) -> None:
    """One more release into the pool at ``work/pool``: dpkg-deb per new package, then the
    index with ``apt-ftparchive generate`` and its cache database."""
    deb_packages(controls, work, work / "pool" / "new")
    apt_ftparchive_generate(work)


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
        Family.RPM: ("rpmbuild", "createrepo_c", "modifyrepo_c"),
        Family.SUSE: ("rpmbuild", "createrepo_c"),
    }[family]
    return [tool for tool in tools if shutil.which(tool) is None]
