"""A release read from repositories on disk, as a :class:`ReleaseModel`.

A tree is either the output of ``repogen build`` — ``manifest.json`` lists its repositories
(target, family, arch, path) — or one bare repository repogen did not build: an APT repository
(``dists/``; its root or ``dists/<suite>``, every architecture its Release lists) or an rpm-md
tree (``repodata/``).  A bare repository's target is named by the caller (default: its
directory, or the parent for a directory named after an architecture); a bare rpm-md tree is
the suse family when it holds SUSE patterns or KMPs, else rpm.

What the model would declare is inferred (see :mod:`repogen.index.release`,
:mod:`repogen.index.facts`, :mod:`repogen.index.stubs`); what cannot be — stand-in
(``component``) and ``entry`` flags, the target's distribution and release — is left at its
default or guessed from the target's name (``ubuntu2204`` → distro ``ubuntu``, release ``2204``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from repogen.build import MANIFEST
from repogen.families.deb.reader import AptRepository, apt_packages, indexed_architectures, open_apt
from repogen.families.rpm.reader import read_rpmmd
from repogen.index.errors import MetadataError
from repogen.index.release import infer_release
from repogen.index.stubs import ASSUMED, assumed_base
from repogen.model import Family, ModuleSpec, PackageSpec, ReleaseModel, Repository
from repogen.model.concrete import ARCHES
from repogen.model.declarations import Target


@dataclass(frozen=True)
class _Read:
    """One repository as read, before its target is known in full."""

    target: str
    family: Family
    arch: str
    packages: tuple[PackageSpec, ...]
    modules: tuple[ModuleSpec, ...] = ()
    suite: str | None = None
    platform: str | None = None
    date: str = ""


def _identifier(text: str) -> str:
    return re.sub(r"[^a-z0-9_.-]", "-", text.lower()).strip("-._") or "unknown"


def _target(read: _Read, arches: list[str]) -> Target:
    match = re.fullmatch(r"(.*?)[-_]?(\d+)", read.target)
    distro, release = match.groups() if match else (read.target, "unknown")
    try:
        return Target(
            family=read.family,
            distro=_identifier(distro),
            release=release,
            arches=[_identifier(a) for a in arches],
            suite=_identifier(read.suite) if read.suite else None,
            platform=_identifier(read.platform) if read.platform else None,
            modular=bool(read.modules),
            drivers=any(p.kernel_module is not None for p in read.packages),
            base=ASSUMED,
        )
    except ValidationError as exc:
        raise MetadataError(f"{read.target}/{read.arch}: {exc}") from exc


def _release(name: str, reads: Sequence[_Read], source: Path) -> ReleaseModel:
    arches: dict[str, list[str]] = {}
    for read in reads:
        arches.setdefault(read.target, []).append(read.arch)
    repositories = tuple(
        Repository(
            target_name=read.target,
            target=_target(read, arches[read.target]),
            arch=read.arch,
            canonical_arch=ARCHES[read.family].get(read.arch, read.arch),
            packages=read.packages,
            base=assumed_base(read.packages),
            modules=read.modules,
        )
        for read in reads
    )
    date = next((r.date for r in reads if r.date), "")
    return ReleaseModel(infer_release(name, date, repositories), str(source), repositories)


def _apt(repository: AptRepository, target: str, arch: str) -> _Read:
    return _Read(
        target,
        Family.DEB,
        arch,
        apt_packages(repository, arch),
        suite=repository.suite,
        date=repository.date,
    )


def _main_arch(packages: Sequence[PackageSpec]) -> str:
    """The architecture most packages are built for (noarch ones left out)."""
    counts = Counter(p.arch for p in packages if p.arch not in {"noarch", "src"})
    return min(counts, key=lambda a: (-counts[a], a)) if counts else "noarch"


def _rpm(path: Path, target: str, arch: str | None, family: Family | None = None) -> _Read:
    repository = read_rpmmd(path)
    if family is None:
        suse = any(p.pattern is not None or "-kmp-" in p.name for p in repository.packages)
        family = Family.SUSE if suse else Family.RPM
    return _Read(
        target,
        family,
        arch or _main_arch(repository.packages),
        repository.packages,
        repository.modules,
        platform=repository.platform,
        date=repository.revision,
    )


def _manifest(path: Path) -> ReleaseModel:
    try:
        manifest = json.loads((path / MANIFEST).read_text())
        entries = [
            (e["target"], Family(e["family"]), e["arch"], path / e["path"])
            for e in manifest["repos"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MetadataError(f"{path / MANIFEST}: not a repogen manifest: {exc}") from exc
    apt = cache(open_apt)
    reads = [
        _apt(apt(where), target, arch)
        if family is Family.DEB
        else _rpm(where, target, arch, family)
        for target, family, arch, where in entries
    ]
    return _release(str(manifest.get("release", path.name)), reads, path)


def load_tree(path: Path, target: str | None = None) -> ReleaseModel:
    """The release in the build output or bare repository at *path*."""
    if (path / MANIFEST).is_file():
        return _manifest(path)
    if (path / "dists").is_dir() or path.parent.name == "dists":
        root = path.parent.parent if path.parent.name == "dists" else path
        name = target or _identifier(root.name)
        apt = open_apt(path)
        reads = [_apt(apt, name, arch) for arch in indexed_architectures(apt)]
        return _release(apt.label or name, reads, path)
    if (path / "repodata").is_dir():
        known_arches = {a for family in ARCHES.values() for a in family}
        arch = path.name if path.name in known_arches else None
        name = target or _identifier(path.parent.name if arch else path.name)
        return _release(name, [_rpm(path, name, arch)], path)
    raise MetadataError(
        f"{path}: neither a repogen output ({MANIFEST}), an APT repository (dists/) "
        "nor an rpm-md tree (repodata/)"
    )
