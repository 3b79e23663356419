"""Reading an rpm-md repository on disk (formats.md §3) into the model's packages and modules.

``repodata/repomd.xml`` locates the records; createrepo_c parses ``primary`` (filelists and
other are not read) and libmodulemd the ``modules`` record.  What rpm adds to every package by
itself — the self-provides ``name = EVR`` and ``name(isa) = EVR`` — is left out, as the model
does not write it, and given back to every package by the resolvers' pool
(:mod:`repogen.families.rpm.libsolv`), so that ``Requires: foo(x86-64) = EVR`` resolves;
requires marked ``pre`` become Pre-Depends.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import createrepo_c as cr

from repogen.families import Family
from repogen.families.rpm.dependencies import RpmDependency, rpm_relations
from repogen.families.rpm.modules import read_modules
from repogen.families.rpm.operators import EQUAL_FLAGS
from repogen.families.rpm.versions import ISA, join_evr
from repogen.index.errors import MetadataError
from repogen.index.facts import kernel_module, kernel_module_capability, package_entry, pattern
from repogen.index.files import (
    INDEX_CAP,
    MODULES_CAP,
    TOP_CAP,
    check_digest,
    inside,
    one_line,
    plain,
    quiet_stderr,
    read_plain,
    uncompressed,
)
from repogen.index.read import RepositoryRead, identifier
from repogen.index.remote import RemoteTree
from repogen.index.signature import verify_detached
from repogen.model import ModuleSpec, PackageSpec, RelationKind
from repogen.model.concrete import LazyRelations

_FIELDS: Mapping[str, RelationKind] = {
    "provides": RelationKind.PROVIDES,
    "conflicts": RelationKind.CONFLICTS,
    "obsoletes": RelationKind.OBSOLETES,
    "recommends": RelationKind.RECOMMENDS,
    "suggests": RelationKind.SUGGESTS,
    "supplements": RelationKind.SUPPLEMENTS,
    "enhances": RelationKind.ENHANCES,
}


@dataclass(frozen=True)
class RpmMdRepository:
    """What one rpm-md repository holds."""

    path: Path
    #: ``<revision>`` of repomd.xml: repogen writes SOURCE_DATE_EPOCH there.
    revision: str
    packages: tuple[PackageSpec, ...]
    modules: tuple[ModuleSpec, ...]
    #: The platform stream the modules are built for (``el9``), if there are modules.
    platform: str | None


def _own(record: cr.Package, dependency: RpmDependency) -> bool:
    """Whether *dependency* is a self-provide rpm adds: ``name = EVR`` or ``name(isa) = EVR``."""
    name, flags, epoch, version, release, _ = dependency
    # Only the ISA of the package's own architecture: the pool gives back exactly that one,
    # so any other ``name(…)`` provide is the packager's and is kept.
    isa = ISA.get(record.arch)
    if name != record.name and (isa is None or name != f"{record.name}({isa})"):
        return False
    same = (epoch or "0", version, release) == (record.epoch or "0", record.version, record.release)
    return flags == EQUAL_FLAGS and same


def _relations(record: cr.Package) -> dict[RelationKind, list[RpmDependency]]:
    raw: dict[RelationKind, list[RpmDependency]] = {}
    for dependency in record.requires:
        kind = RelationKind.PRE_DEPENDS if dependency[5] else RelationKind.DEPENDS
        raw.setdefault(kind, []).append(dependency)
    for field, kind in _FIELDS.items():
        found = [d for d in getattr(record, field) if not _own(record, d)]
        if found:
            raw[kind] = found
    return raw


def _valid(record: cr.Package, source: Path) -> cr.Package:
    """*record* if it has a name, version, architecture and a numeric epoch (createrepo_c
    leaves out what is missing)."""
    missing = [f for f in ("name", "version", "arch") if not getattr(record, f)]
    if missing:
        which = f"package {record.name!r}" if record.name else "a package"
        raise MetadataError(f"{source}: {which} has no {' or '.join(missing)}")
    if record.epoch and not record.epoch.isdigit():
        raise MetadataError(f"{source}: package {record.name!r} has epoch {record.epoch!r}")
    return record


def _checked(record: cr.Package, source: Path) -> cr.Package:
    """*record* if it is :func:`_valid` and every dependency of it has a name."""
    _valid(record, source)
    for field in ("requires", *_FIELDS):
        if any(not dependency[0] for dependency in getattr(record, field)):
            raise MetadataError(f"{source}: package {record.name!r}: a {field} entry has no name")
    return record


def _special(names: Iterable[str]) -> bool:
    """Whether provides of these *names* may make a package a kernel module or a pattern:
    only then are its provides parsed for :func:`kernel_module` and :func:`pattern`."""
    return any(kernel_module_capability(n) or n.startswith("pattern") for n in names)


def _package(record: cr.Package) -> PackageSpec:
    raw = _relations(record)
    relations = LazyRelations(raw, rpm_relations)
    special = _special(d[0] for d in raw.get(RelationKind.PROVIDES, ()))
    provides = relations.get(RelationKind.PROVIDES, ()) if special else ()
    return PackageSpec(
        name=record.name,
        version=join_evr(record.epoch, record.version, record.release, zero_epoch=False),
        arch=record.arch,
        summary=record.summary or "",
        description=record.description or "",
        section=record.rpm_group or "",
        relations=relations,
        entry=package_entry(record.name),
        kernel_module=kernel_module(record.name, provides),
        pattern=pattern(provides),
    )


@contextmanager
def _library(source: Path) -> Iterator[None]:
    """createrepo_c called on *source*: what it prints on stderr itself (glib's ``CRITICAL``
    lines) is caught, and its error becomes a one-line :class:`MetadataError`."""
    said: list[str] = []
    try:
        with quiet_stderr(said):
            yield
    except cr.CreaterepoCError as exc:
        raise MetadataError(f"{source}: {one_line(exc)}") from None


def _repomd(path: Path, keyring: Path | None) -> cr.Repomd:
    """The ``repodata/repomd.xml`` under *path*, read once; with *keyring*, only if
    ``repomd.xml.asc`` is its signature by one of its keys (dnf's ``repo_gpgcheck``)."""
    shown = path / "repodata" / "repomd.xml"
    if not os.path.lexists(shown):
        raise MetadataError(f"{path}: no repodata/repomd.xml")
    data = uncompressed(inside(path, "repodata/repomd.xml"), TOP_CAP, shown).read_bytes()
    if keyring is not None:
        signature = path / "repodata" / "repomd.xml.asc"
        if not os.path.lexists(signature):
            raise MetadataError(f"{shown}: not signed (no repomd.xml.asc), --keyring given")
        verify_detached(data, inside(path, "repodata/repomd.xml.asc"), shown, keyring)
    with tempfile.NamedTemporaryFile(prefix="repogen-repomd-", suffix=".xml") as copy:
        copy.write(data)
        copy.flush()
        with _library(shown):
            return cr.Repomd(copy.name)


def _check_record(path: Path, record: cr.RepomdRecord, repomd: Path, keyring: Path | None) -> None:
    """Refuse a record's file unless it has the checksum repomd.xml gives it.  A record
    without one is read unchecked, as dnf reads it, unless a signature must cover it."""
    if not record.location_href:
        raise MetadataError(f"{repomd}: the {record.type} record has no location")
    found = inside(path, record.location_href, repomd)
    if not record.checksum or not record.checksum_type:
        if keyring is not None:
            raise MetadataError(f"{repomd}: the {record.type} record has no checksum")
        return
    shown = path / record.location_href
    check_digest(found, record.checksum_type, record.checksum, shown, repomd)


def _version(record: cr.Package) -> PackageSpec:
    """*record*'s name, version and architecture alone."""
    return PackageSpec(
        name=record.name,
        version=join_evr(record.epoch, record.version, record.release, zero_epoch=False),
        arch=record.arch,
        summary="",
        description="",
        section="",
        relations={},
    )


def _light(record: cr.Package, source: Path) -> PackageSpec:
    """*record* as :func:`_package` reads it if it is a kernel module or a pattern (module
    streams take their flavor from it), else its name, version and architecture alone."""
    if _special(dependency[0] for dependency in record.provides):
        return _package(_checked(record, source))
    return _version(_valid(record, source))


def read_rpmmd(path: Path, keyring: Path | None = None, light: bool = False) -> RpmMdRepository:
    """The repository whose ``repodata/repomd.xml`` is under *path*.

    Every record's ``href`` must name a regular file inside *path* with the checksum
    repomd.xml gives it; compressed records are decompressed here, under a cap, before
    createrepo_c or libmodulemd reads them.  With *keyring*, repomd.xml must be signed by
    one of its keys.  *light*: most packages with their name, version and architecture
    alone (:func:`_light`), what adding a release to the repository needs.
    """
    repomd_path = path / "repodata" / "repomd.xml"
    repomd = _repomd(path, keyring)
    records = {record.type: record for record in repomd.records}
    hrefs = {kind: record.location_href for kind, record in records.items()}
    if not hrefs.get("primary"):
        raise MetadataError(f"{repomd_path}: no primary record")
    for kind in ("primary", "modules"):
        if kind in records:
            _check_record(path, records[kind], repomd_path, keyring)
    primary = path / hrefs["primary"]
    read: list[cr.Package] = []

    def keep(record: cr.Package) -> bool:
        read.append(record)
        return True

    with (
        plain(inside(path, hrefs["primary"], repomd_path), INDEX_CAP, primary) as plain_primary,
        _library(primary),
    ):
        cr.xml_parse_primary(str(plain_primary), pkgcb=keep, do_files=False)
    packages = tuple(
        _light(record, primary) if light else _package(_checked(record, primary)) for record in read
    )
    modules: tuple[ModuleSpec, ...] = ()
    platform = None
    if hrefs.get("modules"):
        source = path / hrefs["modules"]
        flavors = {p.name: p.kernel_module for p in packages if p.kernel_module is not None}
        data = read_plain(inside(path, hrefs["modules"], repomd_path), MODULES_CAP, source)
        try:
            yaml = data.decode()
        except UnicodeDecodeError as exc:
            raise MetadataError(f"{source}: not UTF-8 (byte {exc.start})") from None
        modules, platform = read_modules(yaml, str(source), flavors)
    if any(stream.entry for module in modules for stream in module.streams):
        packages = tuple(
            replace(p, entry=package_entry(p.name, entry_streams=True)) if p.entry else p
            for p in packages
        )
    return RpmMdRepository(path, repomd.revision or "", packages, modules, platform)


def _main_arch(packages: Sequence[PackageSpec]) -> str:
    """The architecture most packages are built for (noarch ones left out)."""
    counts = Counter(p.arch for p in packages if p.arch not in {"noarch", "src"})
    return min(counts, key=lambda a: (-counts[a], a)) if counts else "noarch"


def _suse(repository: RpmMdRepository) -> bool:
    """Whether a repository is SUSE's: it holds patterns or kernel-module packages (KMPs)."""
    return any(p.pattern is not None or "-kmp-" in p.name for p in repository.packages)


def read_repository(
    path: Path,
    target: str,
    arch: str | None,
    family: Family | None = None,
    keyring: Path | None = None,
    light: bool = False,
) -> RepositoryRead:
    """The rpm-md repository at *path* as *family* (default: suse when it looks like SUSE's,
    else rpm); its architecture defaults to the one most of its packages are built for."""
    repository = read_rpmmd(path, keyring, light)
    return RepositoryRead(
        target,
        family or (Family.SUSE if _suse(repository) else Family.RPM),
        arch or _main_arch(repository.packages),
        repository.packages,
        repository.modules,
        platform=repository.platform,
        date=repository.revision,
    )


def read_bare(
    path: Path, target: str | None, arches: Collection[str], keyring: Path | None = None
) -> tuple[str, list[RepositoryRead]]:
    """The release name and repository of a bare rpm-md tree; in a directory named after one
    of *arches*, that is its architecture and the parent names the target."""
    arch = path.name if path.name in arches else None
    name = target or identifier(path.parent.name if arch else path.name)
    return name, [read_repository(path, name, arch, keyring=keyring)]


def download(remote: RemoteTree, where: str, keyring: Path | None) -> bool:
    """Download the rpm-md repository *where* (relative to *remote*'s URL): repomd.xml and
    its signature, then the primary and modules records at the checksums it gives; False
    when there is no repomd.xml."""
    prefix = f"{where.strip('/')}/" if where.strip("/") else ""
    if not remote.top(f"{prefix}repodata/repomd.xml"):
        return False
    remote.top(f"{prefix}repodata/repomd.xml.asc")
    local = remote.local_path(prefix) if prefix else remote.local
    listed_in = f"{remote.url}{prefix}repodata/repomd.xml"
    for record in _repomd(local, keyring).records:
        if record.type not in {"primary", "modules"}:
            continue
        if not record.location_href or not record.checksum or not record.checksum_type:
            raise MetadataError(
                f"{listed_in}: the {record.type} record has no location or checksum"
            )
        remote.index(
            prefix + record.location_href, record.checksum_type, record.checksum, listed_in
        )
    return True
