"""rpm-md repodata with the createrepo_c API: package records, repomd.xml, its signature.

Records come from built or given .rpm files (createrepo_c reads their headers) or, without
package files, straight from the model (formats.md §3.4): the same dependencies rpmbuild would
write, the self-provide rpm adds, and the file name the package would have.  primary,
filelists and other list them by the release that first published them, a gzip member each
(:mod:`~repogen.families.rpm.chunks`), so that publishing a release appends.  Everything is gz
compressed so that older dnf and zypper read it, timestamps are ``SOURCE_DATE_EPOCH``, and
``repomd.xml`` is written last.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import createrepo_c as cr

from repogen.families.rpm.chunks import (
    PACKAGE_FILES,
    Opened,
    PublishedChunks,
    write_package_files,
)
from repogen.families.rpm.operators import EQUAL_FLAGS
from repogen.families.rpm.spec import NOARCH_NAME, Entry, SpecPackage
from repogen.families.rpm.versions import ISA, join_evr
from repogen.index.files import quiet_stderr
from repogen.model import RelationKind
from repogen.publish.base import BuildError
from repogen.publish.gpg import detach_sign
from repogen.runtime.workers import forked

REPODATA = "repodata"


_RECORD_FIELDS: Mapping[RelationKind, str] = {
    RelationKind.PRE_DEPENDS: "requires",
    RelationKind.DEPENDS: "requires",
    RelationKind.PROVIDES: "provides",
    RelationKind.CONFLICTS: "conflicts",
    RelationKind.OBSOLETES: "obsoletes",
    RelationKind.RECOMMENDS: "recommends",
    RelationKind.SUGGESTS: "suggests",
    RelationKind.SUPPLEMENTS: "supplements",
    RelationKind.ENHANCES: "enhances",
}


@dataclass(frozen=True)
class Record:
    """A repodata record beyond primary, filelists and other: ``modules``, ``patterns``."""

    mdtype: str
    file_name: str
    content: bytes


def nevra(package: cr.Package) -> str:
    """``N-E:V-R.A``, the form modulemd artifacts take."""
    evr = join_evr(package.epoch or "0", package.version, package.release)
    return f"{package.name}-{evr}.{package.arch}"


def file_name(name: str, version: str, release: str, arch: str) -> str:
    """The name rpmbuild gives a package file (the epoch is not part of it)."""
    return f"{name}-{version}-{release}.{arch}.rpm"


def new_record(
    name: str,
    evr: tuple[str, str, str],
    arch: str,
    directory: str,
    source_rpm: str,
    source_date_epoch: int,
    license: str,
    provides: Sequence[Entry] = (),
) -> cr.Package:
    """A record for a package that has no file: the self-provides rpm adds, then *provides*.

    *evr* is the package's epoch, version and release, as :func:`package_evr` gives them.
    """
    epoch, ver, rel = evr
    record = cr.Package()
    record.name, record.epoch, record.version, record.release = name, epoch, ver, rel
    record.arch = arch
    record.rpm_license = license
    record.rpm_sourcerpm = source_rpm
    record.rpm_buildhost = "repogen"
    record.location_href = f"{directory}/{file_name(name, ver, rel, arch)}"
    record.checksum_type = "sha256"
    # Stands in for the checksum of a file that was not built: stable and unique per NEVRA.
    record.pkgId = hashlib.sha256(f"{name}-{epoch}:{ver}-{rel}.{arch}".encode()).hexdigest()
    record.time_file = record.time_build = source_date_epoch
    isa = (
        []
        if arch == NOARCH_NAME
        else [(f"{name}({ISA[arch]})", EQUAL_FLAGS, epoch, ver, rel, False)]
    )
    # createrepo_c keeps a list in reverse order: the record lists *provides* (last first),
    # then ``name``, then ``name(isa)``.
    record.provides = [*isa, (name, EQUAL_FLAGS, epoch, ver, rel, False), *provides]
    return record


def model_record(
    package: SpecPackage, source_rpm: str, directory: str, source_date_epoch: int
) -> cr.Package:
    """What createrepo_c would read from the header of *package* built from its spec."""
    fields: dict[str, list[Entry]] = {}
    for kind, dep in package.dependencies:
        fields.setdefault(_RECORD_FIELDS[kind], []).append(dep.entry)
    record = new_record(
        package.name,
        package.evr,
        package.arch,
        directory,
        source_rpm,
        source_date_epoch,
        package.license,
        fields.pop("provides", ()),
    )
    record.summary = package.summary
    record.description = "\n".join(package.description)
    record.rpm_group = package.group
    for field, entries in fields.items():
        setattr(record, field, entries)
    return record


def file_record(path: Path, location: str, source_date_epoch: int) -> cr.Package:
    """The record createrepo_c reads from the header of the .rpm at *path*."""
    try:
        record = cr.package_from_rpm(str(path), cr.SHA256, location, None, 0)
    except cr.CreaterepoCError as error:
        raise BuildError(f"{path}: not a readable rpm package: {error}") from error
    record.time_file = source_date_epoch
    return record


#: What two records of one package file must agree on to be the same package: a rebuild
#: differs in its checksum and build time only.
_SAME = (
    "name",
    "epoch",
    "version",
    "release",
    "arch",
    "summary",
    "description",
    "rpm_license",
    "rpm_group",
    "requires",
    "provides",
    "conflicts",
    "obsoletes",
    "recommends",
    "suggests",
    "supplements",
    "enhances",
)


def same_package(a: cr.Package, b: cr.Package) -> bool:
    return all(getattr(a, field) == getattr(b, field) for field in _SAME)


def published_records(repository: Path) -> dict[str, cr.Package]:
    """The records (primary, filelists and other) of the repository at *repository*, as its
    ``repodata`` holds them, by location; none when it has no repodata.  Written again by
    createrepo_c, they give the same bytes, as ``createrepo_c --update`` relies on."""
    if not (repository / REPODATA / "repomd.xml").is_file():
        return {}
    metadata = cr.Metadata()
    said: list[str] = []
    try:
        # createrepo_c tells on stderr which records it loads.
        with quiet_stderr(said):
            metadata.locate_and_load_xml(str(repository))
    except cr.CreaterepoCError as error:
        raise BuildError(f"{repository / REPODATA}: cannot be read: {error}") from error
    records = [metadata.get(key) for key in metadata.keys()]  # noqa: SIM118 (not a dict: no __iter__)
    return {record.location_href: record for record in records}


def _record(
    path: Path, mdtype: str, source_date_epoch: int, opened: Opened | None
) -> cr.RepomdRecord:
    record = cr.RepomdRecord(mdtype, str(path))
    if opened is not None:
        # Else createrepo_c inflates the file again to learn them.
        record.load_contentstat(opened.stat())
    record.fill(cr.SHA256)
    record.rename_file()
    record.set_timestamp(source_date_epoch)
    return record


def _compressed(repodata: Path, record: Record) -> Path:
    plain = repodata / record.file_name
    plain.write_bytes(record.content)
    packed = repodata / f"{record.file_name}.gz"
    cr.compress_file(str(plain), str(packed), cr.GZ_COMPRESSION)
    plain.unlink()
    return packed


def write_repodata(
    repository: Path,
    chunks: Sequence[Sequence[cr.Package]],
    extra: Sequence[Record],
    source_date_epoch: int,
    published: PublishedChunks | None = None,
) -> Path:
    """Write ``repodata/`` for the package records, one chunk after the other
    (:mod:`~repogen.families.rpm.chunks`; after the *published* chunks, copied as they are,
    if given), and the *extra* records.

    Returns the path of ``repomd.xml``, which is written last.
    """
    repodata = repository / REPODATA
    repodata.mkdir(parents=True)
    ordered = [sorted(chunk, key=lambda r: (r.name, r.arch, nevra(r))) for chunk in chunks]
    write = functools.partial(write_package_files, repodata, chunks=ordered, published=published)
    # createrepo_c holds the GIL while it dumps records, so threads would take turns: a
    # worker writes filelists and other while primary (as long to write as both) is written
    # here.
    with forked(functools.partial(write, ("filelists", "other"))) as writing:
        opened = write(("primary",))
        opened.update(writing.result())
    paths = {mdtype: repodata / f"{mdtype}.xml.gz" for mdtype in PACKAGE_FILES}
    for record in extra:
        paths[record.mdtype] = _compressed(repodata, record)
    return _write_repomd(repodata, cr.Repomd(), paths, source_date_epoch, opened)


def _write_repomd(
    repodata: Path,
    repomd: cr.Repomd,
    paths: Mapping[str, Path],
    source_date_epoch: int,
    opened: Mapping[str, Opened] = MappingProxyType({}),
) -> Path:
    for mdtype, path in paths.items():
        repomd.set_record(_record(path, mdtype, source_date_epoch, opened.get(mdtype)))
    repomd.set_revision(str(source_date_epoch))
    repomd.sort_records()
    target = repodata / "repomd.xml"
    target.write_text(repomd.xml_dump())
    return target


def add_record(repository: Path, record: Record) -> Path:
    """Add one gz-compressed record to existing repodata, as ``modifyrepo_c`` does."""
    repodata = repository / REPODATA
    repomd = cr.Repomd(str(repodata / "repomd.xml"))
    path = _compressed(repodata, record)
    return _write_repomd(repodata, repomd, {record.mdtype: path}, int(repomd.revision))


def sign(repomd: Path, key: str, gpg_home: Path | None) -> Path:
    """Write ``repomd.xml.asc``, the detached armored signature dnf and zypper check."""
    signature = repomd.with_name(repomd.name + ".asc")
    signature.write_bytes(detach_sign(repomd.read_bytes(), key, gpg_home))
    return signature
