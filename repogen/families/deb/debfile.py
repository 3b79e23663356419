""".deb files: building empty metapackages with dpkg-deb; reading real ones with python-debian
and checking them against the model.

:func:`build_debs` is the one place packages are built; it can be replaced by another builder
(dpkg-buildpackage, say) without touching the publisher.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from debian.deb822 import Deb822, PkgRelation
from debian.debfile import DebError, DebFile

from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.control import checked_name, checked_version, relation_fields
from repogen.model import PackageSpec
from repogen.publish.base import BuildError

#: dpkg-deb runs are short and mostly process start-up (it forks tar and compressors): two
#: per CPU keep the CPUs busy (on 2 CPUs, 4 workers build 10 % faster than 2; more gain
#: nothing).
WORKERS = min(8, 2 * (os.cpu_count() or 1))

#: The members of an empty metapackage are a few hundred bytes, which every compressor
#: shrinks alike (within 150 bytes); gzip starts fastest: a dpkg-deb run takes 3.5 ms of CPU
#: against 4.5 ms with its default xz, whose encoder sets up megabytes of match tables for
#: each member.  Every dpkg and apt reads it (zstd, a little faster still, is not read by
#: every dpkg a target may have).
COMPRESSION = "-Zgzip"

_ARCH = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class DebJob:
    """One package to build: its ``DEBIAN/control`` and where the .deb goes (the directory
    exists)."""

    control: bytes
    output: Path


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BuildError(f"{name} is not installed; install it with `apt-get install {package}`")
    return path


def _build_one(dpkg_deb: str, scratch: Path, epoch: int, numbered: tuple[int, DebJob]) -> None:
    number, job = numbered
    tree = scratch / str(number)
    control = tree / "DEBIAN" / "control"
    control.parent.mkdir(parents=True)
    control.write_bytes(job.control)
    for path in (tree, control.parent):
        path.chmod(0o755)
    control.chmod(0o644)
    for path in (control, control.parent, tree):
        os.utime(path, (epoch, epoch))
    result = subprocess.run(
        [dpkg_deb, "--root-owner-group", COMPRESSION, "--build", str(tree), str(job.output)],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"dpkg-deb failed to build {job.output.name}: {result.stderr.strip()}")


def build_debs(jobs: Sequence[DebJob], epoch: int) -> None:
    """Build every job's empty package with ``dpkg-deb --root-owner-group``, reproducibly:
    all timestamps are *epoch* (``SOURCE_DATE_EPOCH``)."""
    dpkg_deb = _tool("dpkg-deb", "dpkg")
    with (
        tempfile.TemporaryDirectory(prefix="repogen-deb-") as scratch,
        ThreadPoolExecutor(WORKERS) as pool,
    ):
        list(pool.map(partial(_build_one, dpkg_deb, Path(scratch), epoch), enumerate(jobs)))


@dataclass(frozen=True)
class RealDeb:
    """A .deb built elsewhere (``--add-packages``), with its control data."""

    path: Path
    control: Deb822

    @property
    def name(self) -> str:
        return str(self.control["Package"])

    @property
    def version(self) -> str:
        return str(self.control["Version"])

    @property
    def arch(self) -> str:
        return str(self.control["Architecture"])

    @property
    def source(self) -> str:
        """The source package: ``Source`` without its version, else the package name."""
        return str(self.control.get("Source", self.name)).split(" ", 1)[0]


def _read(path: Path) -> RealDeb:
    try:
        with DebFile(str(path)) as archive:
            control = archive.debcontrol()
    except (DebError, OSError, ValueError) as exc:
        raise BuildError(f"{path}: not a readable .deb: {exc}") from exc
    missing = [f for f in ("Package", "Version", "Architecture") if f not in control]
    if missing:
        raise BuildError(f"{path}: the control file has no {', '.join(missing)}")
    deb = RealDeb(path, control)
    checked_name(deb.name, str(path))
    checked_name(deb.source, f"{path}: Source")
    checked_version(deb.version, str(path))
    if _ARCH.match(deb.arch) is None:
        raise BuildError(f"{path}: {deb.arch!r} is not a Debian architecture")
    return deb


def read_debs(directory: Path, target: str) -> tuple[RealDeb, ...]:
    """The ``*.deb`` files of *target*: directly in *directory* (every target's) and in
    ``directory/<target>/``, in path order (as for ``.rpm`` files)."""
    paths = sorted([*directory.glob("*.deb"), *(directory / target).glob("*.deb")])
    return tuple(_read(path) for path in paths)


def check_agrees(deb: RealDeb, spec: PackageSpec, place: str) -> None:
    """A real package the model also describes must have the model's version and relations."""
    model = {"Version": spec.version, "Architecture": spec.arch, **relation_fields(spec.relations)}
    real = {
        "Version": deb.version,
        "Architecture": deb.arch,
        **{
            field: PkgRelation.str(PkgRelation.parse_relations(deb.control[field]))
            for _kind, field in RELATION_FIELDS
            if field in deb.control
        },
    }
    fields = ["Version", "Architecture", *(field for _kind, field in RELATION_FIELDS)]
    differences = [
        f"{field}: {real.get(field, '(none)')!r} in {deb.path.name}, "
        f"{model.get(field, '(none)')!r} in the model"
        for field in fields
        if real.get(field) != model.get(field)
    ]
    if differences:
        raise BuildError(
            f"{deb.path} does not match the model's package {spec.name} on {place}: "
            + "; ".join(differences)
        )
