""".deb files: building empty metapackages (in-process, as dpkg-deb builds them); reading
real ones with python-debian and checking them against the model.

:func:`build_debs` is the one place packages are built; it can be replaced by another builder
(dpkg-buildpackage, say) without touching the publisher.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from debian.deb822 import Deb822, PkgRelation
from debian.debfile import DebError, DebFile

from repogen.model import PackageSpec
from repogen.publish.base import BuildError
from repogen.publish.deb_control import (
    RELATION_FIELDS,
    checked_name,
    checked_version,
    relation_fields,
)
from repogen.publish.debarchive import empty_deb

_ARCH = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class DebJob:
    """One package to build: its ``DEBIAN/control`` and where the .deb goes (the directory
    exists)."""

    control: bytes
    output: Path


def build_debs(jobs: Sequence[DebJob], epoch: int) -> None:
    """Build every job's empty package as ``dpkg-deb --root-owner-group -Zxz --build`` would,
    reproducibly: all timestamps are *epoch* (``SOURCE_DATE_EPOCH``).

    One after the other: most of a package's time is setting up liblzma's encoder, which holds
    the GIL (threads made it a third slower on 2 CPUs)."""
    for job in jobs:
        job.output.write_bytes(empty_deb(job.control, epoch))


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
