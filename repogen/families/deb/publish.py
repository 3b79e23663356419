"""The Debian/Ubuntu publisher: one APT repository per target, all its architectures in it.

Layout under the target's directory::

    dists/<suite>/Release (+ InRelease, Release.gpg when signed)
    dists/<suite>/main/binary-<arch>/Packages{,.gz,.xz} (+ by-hash/SHA256|SHA512/<hash>)
    pool/main/<prefix>/<source>/<name>_<version>_<arch>.deb
    source/<package>/debian/control        the rendered source package of each model package
    archive-keyring.gpg                    the public key, when signed
    repogen-<target>.sources, .list        what a user puts into /etc/apt/sources.list.d

Every model package is its own source package, named after it.  ``Architecture: all``
packages are built once and listed in every ``binary-<arch>`` index.  Real packages from
``--add-packages`` replace the stand-ins the model describes, after a check that they agree.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path, PurePosixPath
from typing import ClassVar

from debian.deb822 import Deb822

from repogen.families.deb.apt_index import (
    COMPONENT,
    PackagesFile,
    PoolFile,
    PublishedIndex,
    Stanza,
    Suite,
    dists,
    packages_stanza,
    published_index,
    published_pool_file,
)
from repogen.families.deb.control import (
    binary_control,
    deb_file_name,
    one_line,
    pool_directory,
    source_control,
)
from repogen.families.deb.debfile import DebJob, RealDeb, build_debs, check_agrees, read_debs
from repogen.model import Family, PackageSpec, ReleaseModel, Repository
from repogen.publish import gpg
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress, Publisher
from repogen.publish.clients import AptSource, repo_id, url_join
from repogen.publish.tree import Tree, check_package_files

#: The public key written into a signed repository, for ``signed-by``.
KEYRING = "archive-keyring.gpg"
ORIGIN = "repogen"


@dataclass(frozen=True)
class _Entry:
    """One package in one architecture's index: generated from *spec*, or a *real* .deb."""

    #: Package, Version and Architecture.
    key: tuple[str, str, str]
    pool_path: PurePosixPath
    #: Makes the control data (binary_control checks the model's text as it does).
    control: Callable[[], Deb822]
    spec: PackageSpec | None = None
    real: RealDeb | None = None
    #: The release that first published it, in a model holding several (None: its own).
    release: str | None = None

    @cached_property
    def text(self) -> str:
        """The control data as python-debian dumps it, made when first needed: without
        package files, as the stanza goes into the index that threads compress meanwhile."""
        return self.control().dump()

    def stanza(self, pool_file: PoolFile) -> Stanza:
        return Stanza(*self.key, packages_stanza(self.text, pool_file))


def _pool_path(key: tuple[str, str, str], source: str | None = None) -> PurePosixPath:
    """Where the package *key* goes: the pool directory of *source* (default: itself)."""
    return pool_directory(source or key[0]) / deb_file_name(*key)


def _generated(spec: PackageSpec, maintainer: str) -> _Entry:
    # binary_control writes the spec's Package, Version and Architecture.
    key = (spec.name, spec.version, spec.arch)
    control = partial(binary_control, spec, maintainer)
    return _Entry(key, _pool_path(key), control, spec=spec, release=spec.release)


def _added(deb: RealDeb, replacing: PackageSpec | None) -> _Entry:
    """The entry of a real package, published with the model package it replaces."""
    key = (deb.name, deb.version, deb.arch)
    return _Entry(
        key,
        _pool_path(key, deb.source),
        lambda: deb.control,
        real=deb,
        release=replacing.release if replacing else None,
    )


def _described(repository: Repository, deb: RealDeb) -> PackageSpec | None:
    """The model package a real one stands for: the one of its name, or, when the model has
    several versions of it (a repository holding several releases), the one of its version."""
    named = [p for p in repository.packages if p.name == deb.name]
    if len(named) <= 1:
        return named[0] if named else None
    return next((p for p in named if p.version == deb.version), None)


def _index_entries(
    repository: Repository, added: Sequence[RealDeb], maintainer: str
) -> list[_Entry]:
    """The packages of *repository*'s index: the model's, with real ones replacing theirs."""
    place = f"{repository.target_name}/{repository.package_arch}"
    real = [deb for deb in added if deb.arch in {repository.package_arch, "all"}]
    replacing = {deb.path: _described(repository, deb) for deb in real}
    replaced: set[tuple[str, str]] = set()
    for deb in real:
        spec = replacing[deb.path]
        if spec is not None:
            check_agrees(deb, spec, place)
            replaced.add((spec.name, spec.version))
    entries = [
        _generated(spec, maintainer)
        for spec in repository.packages
        if (spec.name, spec.version) not in replaced
    ]
    entries += [_added(deb, replacing[deb.path]) for deb in real]
    seen: dict[tuple[str, str], _Entry] = {}
    for entry in entries:
        key = entry.key[:2]
        if key in seen:
            raise BuildError(f"{place}: {key[0]} {key[1]} is given twice ({entry.pool_path})")
        seen[key] = entry
    return entries


def _artifacts(indices: Mapping[str, list[_Entry]]) -> dict[PurePosixPath, _Entry]:
    """Each pool file once; an ``all`` package must be the same on every architecture."""
    artifacts: dict[PurePosixPath, _Entry] = {}
    for entry in (e for entries in indices.values() for e in entries):
        known = artifacts.setdefault(entry.pool_path, entry)
        if known is not entry and known.text != entry.text:
            raise BuildError(
                f"{entry.pool_path.name} differs between architectures:\n{known.text}\n{entry.text}"
            )
    return artifacts


def _pool(
    tree: Tree, artifacts: Mapping[PurePosixPath, _Entry], options: BuildOptions
) -> Callable[[_Entry], PoolFile]:
    """Write the pool (unless ``--no-packages``) and give what an entry's stanza says its
    file is."""
    if not options.packages:
        # A real package keeps the size and hashes of its own file, which is not copied: read
        # once, however many architectures list it.
        real = {
            path: PoolFile.of(path, entry.real.path.read_bytes())
            for path, entry in artifacts.items()
            if entry.real is not None
        }
        return lambda entry: real[entry.pool_path] if entry.real is not None else _no_file(entry)
    build_debs(
        [
            DebJob(entry.text.encode(), Path(tree.place(path)))
            for path, entry in artifacts.items()
            if entry.real is None
        ],
        options.source_date_epoch,
    )
    for path, entry in artifacts.items():
        if entry.real is not None:
            shutil.copyfile(entry.real.path, tree.place(path))
    files = {path: PoolFile.of(path, (tree.root / path).read_bytes()) for path in artifacts}
    return lambda entry: files[entry.pool_path]


def _no_file(entry: _Entry) -> PoolFile:
    """What the stanza of a generated *entry* says when there is no package file
    (``--no-packages``, base stubs): the would-be pool path, with the size and hashes of the
    control data (apt refuses size 0)."""
    return PoolFile.of(entry.pool_path, entry.text.encode())


def _fill(
    index: PackagesFile,
    entries: Iterable[_Entry],
    pool: Callable[[_Entry], PoolFile],
    part_of: Callable[[_Entry], int],
    kept: Iterable[tuple[int, Stanza]] = (),
) -> PackagesFile:
    """Give *index* the stanzas of *entries* and the *kept* ones (already published, with
    their parts), part by part, each in index order, and close it."""
    parts: dict[int, list[tuple[tuple[str, str, str], _Entry | Stanza]]] = {}
    for entry in entries:
        parts.setdefault(part_of(entry), []).append((entry.key, entry))
    for part, stanza in kept:
        parts.setdefault(part, []).append(
            ((stanza.package, stanza.version, stanza.architecture), stanza)
        )
    for _, items in sorted(parts.items()):
        for _, item in sorted(items, key=lambda pair: pair[0]):
            index.add(item if isinstance(item, Stanza) else item.stanza(pool(item)))
        index.end_part()
    index.close()
    return index


@dataclass(frozen=True)
class _Into:
    """How the packages of a release not published yet (*entries*) go into an index: after
    the published one as it is (*appended*), or, when packages leave it or its forms cannot
    be added to, with the *kept* ones in their parts, the new ones in parts *after* those
    (none published: the new ones alone)."""

    entries: list[_Entry]
    appended: PublishedIndex | None
    kept: list[tuple[int, Stanza]]
    after: int


def _into(
    root: Path,
    published: PublishedIndex,
    entries: Sequence[_Entry],
    withdrawn: Collection[PurePosixPath],
    place: str,
) -> _Into:
    leaving = {path.as_posix() for path in withdrawn}
    staying = {
        key: stanza
        for key, stanza in published.stanzas.items()
        if published.filenames[key] not in leaving
    }
    check_package_files(root, (published.filenames[key] for key in staying), place)
    new = _new_entries(entries, staying, place)
    if len(staying) == len(published.stanzas) and published.xz is not None:
        return _Into(new, published, [], 0)
    kept = [(published.parts[key], stanza) for key, stanza in staying.items()]
    return _Into(new, None, kept, max(published.parts.values(), default=-1) + 1)


def _new_entries(
    entries: Sequence[_Entry], published: Mapping[tuple[str, str, str], Stanza], place: str
) -> list[_Entry]:
    """The *entries* not *published* yet; one that is, with other content, is an error: a
    published package file never changes (apt would refuse its new checksum)."""
    new = []
    for entry in entries:
        stanza = published.get(entry.key)
        if stanza is None:
            new.append(entry)
        elif entry.stanza(published_pool_file(stanza)).text != stanza.text:
            name, version, arch = entry.key
            raise BuildError(
                f"{place}: {name} {version} ({arch}) is already published with other content; "
                "a published package never changes: give it a new version"
            )
    return new


def _parts(release: ReleaseModel, after: int) -> Callable[[_Entry], int]:
    """The part of the index an entry of *release* goes into, after the *after* parts
    published: one per release that first published packages, oldest first."""
    order = {name: after + position for position, name in enumerate(release.releases)}
    own = after + len(release.releases)
    return lambda entry: order.get(entry.release or "", own)


def _release_description(
    release: ReleaseModel, repository: Repository, stand_ins: bool, metadata_only: bool
) -> str:
    info, target = release.release, repository.target
    sentences = [
        f"{info.name} ({info.versions}) for {target.distro} {target.release}, generated by repogen."
    ]
    if stand_ins:
        sentences.append(
            "Component packages (driver stacks, toolkits) are empty stand-ins, "
            "not the real artifacts."
        )
    if metadata_only:
        sentences.append(
            "Metadata only (--no-packages): Filename, Size and checksums in Packages "
            "describe no file (they are those of the package's control data)."
        )
    return one_line(" ".join(sentences), "release description")


def _sources(repositories: Sequence[Repository], maintainer: str) -> dict[PurePosixPath, bytes]:
    """``source/<package>/debian/control`` of every model package of the target."""
    by_name: dict[str, dict[str, PackageSpec]] = {}
    for repository in repositories:
        for spec in repository.packages:
            by_name.setdefault(spec.name, {})[spec.arch] = spec
    return {
        PurePosixPath("source", name, "debian", "control"): "\n".join(
            paragraph.dump() for paragraph in source_control(list(specs.values()), maintainer)
        ).encode()
        for name, specs in sorted(by_name.items())
    }


def _signed(
    files: dict[PurePosixPath, bytes], release: PurePosixPath, options: BuildOptions
) -> dict[PurePosixPath, bytes]:
    """*files* plus ``InRelease``, ``Release.gpg`` and the public key, when a key is given."""
    if options.sign_key is None:
        return files
    key, home, data = options.sign_key, options.gpg_home, files[release]
    return {
        **files,
        release.with_name("InRelease"): gpg.clearsign(data, key, home),
        release.with_name("Release.gpg"): gpg.detach_sign(data, key, home),
        PurePosixPath(KEYRING): gpg.public_key(key, home),
    }


def _apt_source(
    target: str, suite: str, arches: Sequence[str], final: Path, options: BuildOptions
) -> AptSource:
    """The repository as a user's apt sees it: at ``--base-url`` (``deb/<target>`` under it),
    else at the output's own ``file:`` URL, whose keyring is then right there too."""
    signed = options.sign_key is not None
    if options.base_url is None:
        uri, keyring = f"file:{final}", str(final / KEYRING)
    else:
        # The user fetches archive-keyring.gpg there, as the README shows.
        uri = url_join(options.base_url, Family.DEB.value, target)
        keyring = f"/etc/apt/keyrings/{repo_id('repogen', target)}.gpg"
    return AptSource(
        uri=uri,
        suite=suite,
        components=(COMPONENT,),
        architectures=tuple(arches),
        armored_key=(
            gpg.armored_public_key(options.sign_key, options.gpg_home)
            if options.sign_key is not None
            else None
        ),
        keyring_path=keyring if signed else None,
    )


def _suite(repository: Repository) -> str:
    if repository.target.suite is None:
        raise BuildError(f"deb target {repository.target_name} has no suite")
    return repository.target.suite


@dataclass(frozen=True)
class DebPublisher:
    family: ClassVar[Family] = Family.DEB

    def publish(
        self,
        release: ReleaseModel,
        repositories: Sequence[Repository],
        root: Path,
        final: Path,
        options: BuildOptions,
        progress: Progress,
        existing: Path | None = None,
        withdrawn: Collection[PurePosixPath] = (),
    ) -> list[ManifestEntry]:
        first = repositories[0]
        target, suite = first.target_name, _suite(first)
        added = read_debs(options.add_packages, target) if options.add_packages else ()
        indices: dict[str, list[_Entry]] = {}
        into: dict[str, _Into] = {}
        entries_of: dict[PurePosixPath, _Entry] = {}
        for repository in repositories:
            arch = repository.package_arch
            progress(f"{target}/{arch}: collecting packages")
            entries = _index_entries(repository, added, release.maintainer)
            entries_of.update((e.pool_path, e) for e in entries)
            published = published_index(existing, suite, arch) if existing else None
            into[arch] = (
                _into(existing, published, entries, withdrawn, f"{target}/{arch}")
                if existing is not None and published is not None
                else _Into(entries, None, [], 0)
            )
            indices[arch] = into[arch].entries
        arches = tuple(indices)
        # Whether the release has stand-ins, whichever of its packages are published already.
        stand_ins = any(e.spec is not None and e.spec.component for e in entries_of.values())
        artifacts = _artifacts(indices)
        what = "writing metadata" if not options.packages else f"building {len(artifacts)} .deb"
        progress(f"{target}/{','.join(arches)}: {what}")
        tree = Tree(root, options.source_date_epoch)
        pool = _pool(tree, artifacts, options)
        for arch in arches:
            progress(f"{target}/{arch}: indexing")
        suite_info = Suite(
            origin=ORIGIN,
            label=one_line(release.release.name, "release name"),
            suite=suite,
            codename=suite,
            epoch=options.source_date_epoch,
            architectures=arches,
            description=_release_description(
                release, first, stand_ins, metadata_only=not options.packages
            ),
        )
        # Compressing the indices (zlib's and liblzma's time, without the GIL) takes longer
        # than anything else: it goes on in threads while the stanzas are rendered, then while
        # the source packages are rendered and written and they and the pool clamped.  An
        # error on the way abandons the indices instead of waiting for them.
        with ThreadPoolExecutor(2 * len(indices)) as background, ExitStack() as compressing:
            packages = {
                arch: _fill(
                    compressing.enter_context(PackagesFile(background, into[arch].appended)),
                    entries,
                    pool,
                    _parts(release, into[arch].after),
                    into[arch].kept,
                )
                for arch, entries in indices.items()
            }
            tree.write(_sources(repositories, release.maintainer))
            tree.clamp()
            files = dists(suite_info, packages)
        if options.sign_key is not None:
            progress(f"{target}/{','.join(arches)}: signing with {options.sign_key}")
        source = _apt_source(target, suite, arches, final, options)
        stem = repo_id("repogen", target)
        sources, listing = PurePosixPath(f"{stem}.sources"), PurePosixPath(f"{stem}.list")
        files[sources] = source.sources().encode()
        files[listing] = source.list_line().encode()
        tree.write(_signed(files, PurePosixPath("dists", suite, "Release"), options))
        tree.clamp()
        trust = "trusted=yes" if options.sign_key is None else f"signed-by={final / KEYRING}"
        client = f"deb [{trust}] file:{final} {suite} {COMPONENT}"
        return [
            ManifestEntry(
                target,
                Family.DEB.value,
                arch,
                "",
                client,
                repo_file=str(sources),
                list_file=str(listing),
            )
            for arch in arches
        ]

    def index_directories(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        return [PurePosixPath("dists", _suite(repositories[0]))]

    def package_files(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        return sorted(
            {_pool_path((p.name, p.version, p.arch)) for r in repositories for p in r.packages}
        )


PUBLISHER: Publisher = DebPublisher()
