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
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from repogen.addresses import MANIFEST, is_url
from repogen.families import Family, driver, drivers
from repogen.index.errors import MetadataError
from repogen.index.files import TOP_CAP, inside, one_line, uncompressed
from repogen.index.read import RepositoryRead, identifier
from repogen.index.release import infer_release
from repogen.index.remote import RemoteTree, remote_tree
from repogen.index.stubs import assumed_base
from repogen.model import ReleaseModel, Repository
from repogen.model.declarations import ASSUMED, Target
from repogen.publish.base import BuildError
from repogen.publish.retention import Provenance


def _target(read: RepositoryRead, arches: list[str]) -> Target:
    match = re.fullmatch(r"(.*?)[-_]?(\d+)", read.target)
    distro, release = match.groups() if match else (read.target, "unknown")
    try:
        return Target(
            family=read.family,
            distro=identifier(distro),
            release=release,
            arches=[identifier(a) for a in arches],
            suite=identifier(read.suite) if read.suite else None,
            platform=identifier(read.platform) if read.platform else None,
            modular=bool(read.modules),
            drivers=any(p.kernel_module is not None for p in read.packages),
            base=ASSUMED,
        )
    except ValidationError as exc:
        raise MetadataError(f"{read.target}/{read.arch}: {exc}") from exc


def _repositories(reads: Sequence[RepositoryRead], base: bool = True) -> tuple[Repository, ...]:
    """The repositories of *reads*, with the base their packages imply (:func:`assumed_base`)
    when *base*."""
    arches: dict[str, list[str]] = {}
    for read in reads:
        arches.setdefault(read.target, []).append(read.arch)
    return tuple(
        Repository(
            target_name=read.target,
            target=_target(read, arches[read.target]),
            arch=read.arch,
            canonical_arch=driver(read.family).arches.get(read.arch, read.arch),
            packages=read.packages,
            base=assumed_base(read.packages) if base else (),
            modules=read.modules,
        )
        for read in reads
    )


def _date(reads: Sequence[RepositoryRead]) -> str:
    return next((r.date for r in reads if r.date), "")


def _release(name: str, reads: Sequence[RepositoryRead], source: str) -> ReleaseModel:
    repositories = _repositories(reads)
    return ReleaseModel(infer_release(name, _date(reads), repositories), source, repositories)


def _manifest_reads(
    path: Path, keyring: Path | None, light: bool = False
) -> tuple[dict[str, object], list[RepositoryRead]]:
    """The manifest of the build output at *path* and its repositories as read (*light*:
    as :meth:`~repogen.families.base.FamilyDriver.read` says)."""
    named = path / MANIFEST
    text = uncompressed(inside(path, MANIFEST), TOP_CAP, named).read_bytes()
    try:
        manifest = json.loads(text)
        entries = [
            (e["target"], Family(e["family"]), e["arch"], e["path"]) for e in manifest["repos"]
        ]
        if not all(isinstance(e, str) for entry in entries for e in entry):
            raise TypeError("target, family, arch and path are strings")
    except (ValueError, KeyError, TypeError) as exc:
        raise MetadataError(f"{named}: not a repogen manifest: {one_line(exc)}") from exc
    # Each path stays inside the output: a manifest may come from anyone, as a repository may.
    entries = [
        (target, family, arch, path / where)
        for target, family, arch, where in entries
        if inside(path, where, named, directory=True)
    ]
    # A deb target's architectures share one APT repository: it is opened once for them all.
    grouped: dict[tuple[str, Family, Path], list[str]] = {}
    for target, family, arch, where in entries:
        grouped.setdefault((target, family, where), []).append(arch)
    reads = [
        read
        for (target, family, where), arches in grouped.items()
        for read in driver(family).read(where, target, arches, keyring=keyring, light=light)
    ]
    return manifest, reads


def _manifest(path: Path, keyring: Path | None, shown: str) -> ReleaseModel:
    manifest, reads = _manifest_reads(path, keyring)
    release = _release(str(manifest.get("release", path.name)), reads, shown)
    return _provenance(release, manifest, path / MANIFEST)


def tree_repositories(path: Path, light: bool = True) -> tuple[tuple[Repository, ...], str]:
    """The repositories of the build output at *path* as its indices list them, and the
    date its indices give: what adding a release to it needs, its packages read lightly
    (*light*), or whole, for resolving over a base the caller gives.  Nothing is inferred,
    as :func:`load_tree` infers the base and the release declaration."""
    _, reads = _manifest_reads(path, None, light=light)
    return _repositories(reads, base=False), _date(reads)


def _provenance(release: ReleaseModel, manifest: object, named: Path) -> ReleaseModel:
    """*release* with the releases its manifest says the tree holds, and which published
    which package file (what ``build`` and ``publish`` record)."""
    try:
        recorded = Provenance.of(manifest, named) if isinstance(manifest, dict) else None
    except BuildError as exc:
        raise MetadataError(str(exc)) from exc
    if recorded is None:
        names = manifest.get("releases") if isinstance(manifest, dict) else None
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return replace(release, releases=tuple(names))
        return release
    for entry in recorded.published:
        if not all(
            isinstance(files, list) and all(isinstance(f, str) for f in files)
            for files in entry.files.values()
        ) or not all(isinstance(n, str) for n in entry.releases):
            raise MetadataError(f"{named}: published: not release names and package files")
    published = tuple(
        (tuple(p.releases), {target: frozenset(files) for target, files in p.files.items()})
        for p in recorded.published
    )
    return replace(release, releases=tuple(recorded.names()), published=published)


def load_tree(
    path: Path, target: str | None = None, *, keyring: Path | None = None, shown: str = ""
) -> ReleaseModel:
    """The release in the build output or bare repository at *path*.

    Every index is checked against the hashes its Release or repomd.xml lists; with
    *keyring*, those must be signed by one of its keys.  *shown* names the release's source
    (default: *path*), for a tree downloaded from elsewhere.
    """
    shown = shown or str(path)
    if os.path.lexists(path / MANIFEST):
        return _manifest(path, keyring, shown)
    for family in drivers():
        found = family.read_bare(path, target, keyring=keyring)
        if found is not None:
            name, reads = found
            return _release(name, reads, shown)
    raise MetadataError(
        f"{shown}: neither a repogen output ({MANIFEST}), an APT repository (dists/) "
        "nor an rpm-md tree (repodata/)"
    )


def load_address(
    text: str | Path, target: str | None = None, *, keyring: Path | None = None
) -> ReleaseModel:
    """The release published at *text*: a directory, or an http(s):// URL whose metadata is
    downloaded first (:func:`download_tree`), then read as :func:`load_tree` reads *path*."""
    if not is_url(str(text)):
        return load_tree(Path(text), target, keyring=keyring)
    with remote_tree(str(text)) as remote:
        try:
            download_tree(remote, keyring)
            return load_tree(remote.local, target, keyring=keyring, shown=str(text))
        except MetadataError as exc:
            # Name the files as the server does, not as their downloaded copies.
            raise MetadataError(str(exc).replace(f"{remote.local}/", remote.url)) from exc


def download_tree(remote: RemoteTree, keyring: Path | None) -> None:
    """Download the metadata of the build output or bare repository at *remote*'s URL, for
    :func:`load_tree` to read from ``remote.local``."""
    if remote.top(MANIFEST):
        shown = f"{remote.url}{MANIFEST}"
        try:
            manifest = json.loads(remote.local_path(MANIFEST).read_bytes())
            entries = {
                (Family(e["family"]), str(e["path"])): e.get("client") for e in manifest["repos"]
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise MetadataError(f"{shown}: not a repogen manifest: {one_line(exc)}") from exc
        for (family, where), client in entries.items():
            remote.local_path(where).mkdir(parents=True, exist_ok=True)
            driver(family).download(
                remote, where, client if isinstance(client, str) else None, keyring=keyring
            )
        return
    if not any(family.download_bare(remote, keyring=keyring) for family in drivers()):
        raise MetadataError(
            f"{remote.url}: neither a repogen output ({MANIFEST}), an APT suite "
            "(…/dists/<suite>) nor an rpm-md tree (repodata/repomd.xml)"
        )
