"""Reading an APT repository on disk (formats.md §1.4) into the model's packages.

``dists/<suite>/{InRelease,Release}`` names the suite's components and architectures;
``dists/<suite>/<component>/binary-<arch>/Packages[.xz|.gz|.bz2|.lz4|.zst]`` lists the packages.
apt's own C parsers read both (``apt_pkg.TagFile``, ``apt_pkg.parse_depends``), and a package's
relation fields are parsed only when something asks for them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import apt_pkg

from repogen.families import Family
from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.relations import deb_names, deb_relations
from repogen.index.errors import MetadataError
from repogen.index.facts import kernel_module, package_entry
from repogen.index.files import (
    INDEX_CAP,
    TOP_CAP,
    check_digest,
    inside,
    one_line,
    plain,
    uncompressed,
)
from repogen.index.read import RepositoryRead, identifier
from repogen.index.remote import RemoteTree
from repogen.index.signature import clearsigned_content, verify_detached
from repogen.model import PackageSpec, RelationKind
from repogen.model.concrete import LazyRelations
from repogen.model.relations import Relation
from repogen.runtime.collector import collector_paused

#: A component (``main``, ``updates/main``) and an architecture, as a Release file may name
#: them: names under the suite, never ``..`` or an absolute path.
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+~-]*(?:/[A-Za-z0-9][A-Za-z0-9_.+~-]*)*")
_ARCHITECTURE = re.compile(r"[a-z0-9][a-z0-9-]*")

T = TypeVar("T")

#: The index files apt may fetch, the cheapest to read first.
_INDEX_NAMES = (
    "Packages",
    "Packages.lz4",
    "Packages.gz",
    "Packages.xz",
    "Packages.bz2",
    "Packages.zst",
)


#: The checksum fields of a Release file, the strongest first: the one apt would check.
_HASH_FIELDS = ("SHA512", "SHA256", "SHA1", "MD5Sum")


@dataclass(frozen=True)
class Listed:
    """An index file as its Release file lists it."""

    algorithm: str
    digest: str


@dataclass(frozen=True)
class AptRepository:
    """One suite of an APT repository: where it is and what its Release file says."""

    root: Path
    suite: str
    components: tuple[str, ...]
    architectures: tuple[str, ...]
    label: str
    date: str
    #: The Release file, as errors name it.
    release: Path
    #: The index files the Release lists (paths under the suite), with their digests.
    listed: Mapping[str, Listed]


def _release_file(root: Path, suite: str) -> tuple[Path, Path]:
    """The InRelease or Release file of *suite*: as shown, and resolved inside *root*."""
    for name in ("InRelease", "Release"):
        shown = root / "dists" / suite / name
        if os.path.lexists(shown):
            return shown, uncompressed(inside(root, f"dists/{suite}/{name}"), TOP_CAP, shown)
    raise MetadataError(f"{root / 'dists' / suite}: no InRelease or Release file")


def _verified_release(root: Path, suite: str, keyring: Path | None) -> tuple[Path, bytes]:
    """The Release file of *suite* (as shown) and its text, signed by a key of *keyring*
    when one is given: InRelease as gpgv says what is signed, else Release with
    Release.gpg, as apt takes them."""
    shown, resolved = _release_file(root, suite)
    if keyring is None:
        return shown, resolved.read_bytes()
    if shown.name == "InRelease":
        return shown, clearsigned_content(resolved, shown, keyring)
    signature = root / "dists" / suite / "Release.gpg"
    if not os.path.lexists(signature):
        raise MetadataError(f"{shown}: not signed (no InRelease or Release.gpg), --keyring given")
    data = resolved.read_bytes()
    verify_detached(data, inside(root, f"dists/{suite}/Release.gpg"), shown, keyring)
    return shown, data


def _listed(release: Path, fields: apt_pkg.TagSection[str]) -> dict[str, Listed]:
    """The files the strongest checksum field of a Release lists: ``digest size name``."""
    algorithm = next((f for f in _HASH_FIELDS if f in fields), None)
    if algorithm is None:
        return {}
    listed = {}
    for line in fields[algorithm].splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) != 3:
            raise MetadataError(f"{release}: {algorithm}: {line.strip()!r} is not DIGEST SIZE NAME")
        listed[words[2]] = Listed(algorithm, words[0])
    return listed


def _suite_directory(path: Path) -> Path:
    """The ``dists/<suite>`` of *path*: that directory itself, or the only suite under it."""
    if path.parent.name == "dists":
        return path
    suites = sorted(p for p in (path / "dists").glob("*") if p.is_dir())
    if len(suites) != 1:
        found = ", ".join(p.name for p in suites) or "none"
        raise MetadataError(
            f"{path}: expected one suite under dists/ (found {found}); give dists/<suite>"
        )
    return suites[0]


def _names(release: Path, field: str, text: str, grammar: re.Pattern[str]) -> tuple[str, ...]:
    """The names a Release field lists; each becomes part of a path, so one that could lead
    out of the suite (``../../x``, ``/etc``) is refused."""
    names = tuple(text.split())
    for name in names:
        if grammar.fullmatch(name) is None or ".." in name.split("/"):
            raise MetadataError(f"{release}: {field}: {name!r} is not a name inside the suite")
    return names


def open_apt(path: Path, keyring: Path | None = None) -> AptRepository:
    """The APT repository at *path*: its root, or its ``dists/<suite>`` directory; its
    Release file signed by a key of *keyring* when one is given."""
    suite = _suite_directory(path)
    root = suite.parent.parent
    release, text = _verified_release(root, suite.name, keyring)
    try:
        with tempfile.NamedTemporaryFile(prefix="repogen-release-") as plain_release:
            plain_release.write(text)
            plain_release.flush()
            with os.fdopen(apt_pkg.open_maybe_clear_signed_file(plain_release.name)) as handle:
                fields = next(iter(apt_pkg.TagFile(handle)))
                components = fields.get("Components", "main")
                architectures = fields.get("Architectures", "")
                label = fields.get("Label", fields.get("Origin", ""))
                date = fields.get("Date", "")
                listed = _listed(release, fields)
    except (apt_pkg.Error, StopIteration, SystemError) as exc:
        raise MetadataError(f"{release}: not a Release file: {one_line(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{release}: not UTF-8 (byte {exc.start} of a field)") from None
    if keyring is not None and not listed:
        raise MetadataError(f"{release}: lists no index checksums, so its signature covers none")
    return AptRepository(
        root=root,
        suite=suite.name,
        components=_names(release, "Components", components, _COMPONENT),
        architectures=tuple(
            a for a in _names(release, "Architectures", architectures, _ARCHITECTURE) if a != "all"
        ),
        label=label,
        date=date,
        release=release,
        listed=listed,
    )


def _description(text: str) -> tuple[str, str]:
    """Synopsis and long description of a deb822 ``Description``."""
    summary, _, rest = text.partition("\n")
    if not rest:
        return summary, ""  # Debian's own indices: the long text is in Translation-en
    lines = [line[1:] if line.startswith(" ") else line for line in rest.splitlines()]
    return summary, "\n".join("" if line == "." else line for line in lines)


def _text(value: bytes) -> str:
    """A field's bytes as text: UTF-8, as Debian policy wants, else Latin-1, which many
    third-party repositories still write (apt itself takes the bytes as they are)."""
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _flag(value: bytes | None) -> bool:
    """A ``yes``/``no`` field: only ``yes`` sets it."""
    return value is not None and value.strip() == b"yes"


def _package(
    section: apt_pkg.TagSection[bytes],
    identity: tuple[str, str, str],
    parse: Callable[[str], tuple[Relation, ...]],
    names: Callable[[str], Sequence[str]],
) -> PackageSpec:
    """The package of *section*, its name, version and architecture *identity*; *parse* and
    *names* read a relation field (:class:`LazyRelations`)."""
    get = section.get
    raw = {}
    for kind, field in RELATION_FIELDS:
        value = get(field)
        if value is not None:
            raw[kind] = _text(value)
    relations = LazyRelations(raw, parse, names)
    name, version, arch = identity
    summary, description = _description(_text(get("Description") or b""))
    source = get("Source")
    return PackageSpec(
        name=name,
        version=version,
        arch=arch,
        summary=summary,
        description=description,
        section=_text(get("Section") or b""),
        relations=relations,
        entry=package_entry(name),
        kernel_module=kernel_module(name, relations[RelationKind.PROVIDES])
        if "nvidia" in raw.get(RelationKind.PROVIDES, "")
        else None,
        source=None if source is None else _text(source),
        essential=_flag(get("Essential")),
        protected=_flag(get("Protected")),
    )


def _version(identity: tuple[str, str, str]) -> PackageSpec:
    """The package of name, version and architecture *identity* alone."""
    name, version, arch = identity
    return PackageSpec(
        name=name, version=version, arch=arch, summary="", description="", section="", relations={}
    )


def _index_file(root: Path, directory: str) -> str | None:
    """The first index file of *directory* (relative to *root*) that exists in any form: one
    that is a symlink out of the repository or a FIFO is refused when opened, not passed over
    for another."""
    return next(
        (f"{directory}/{n}" for n in _INDEX_NAMES if os.path.lexists(root / directory / n)),
        None,
    )


class _Remembered(dict[str, T]):
    """What *read* gives for each text, read once (``remembered[text]``); pickled, as the
    packages sent to a worker are, without what it remembers."""

    def __init__(self, read: Callable[[str], T]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, text: str) -> T:
        found = self[text] = self.read(text)
        return found

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.read,)


def _sections(repository: AptRepository, name: str, light: bool) -> Iterator[PackageSpec]:
    """The packages of the index file *name* under the repository's root, checked against
    its Release file's checksum, decompressed here under a cap and given to apt's parser as
    an open plain file (apt would otherwise decompress by the file's name, without one)."""
    root = repository.root
    shown = root / name
    found = inside(root, name)
    listed, compressed = _listing(repository, name)
    if listed is not None and compressed:
        check_digest(found, listed.algorithm, listed.digest, shown, repository.release)
    try:
        with plain(found, INDEX_CAP, shown) as text, text.open("rb") as handle:
            if listed is not None and not compressed:
                check_digest(text, listed.algorithm, listed.digest, shown, repository.release)
            # An index repeats relation fields (libc6's, a channel's releases'): each text is
            # parsed once, and its names read once.
            parse = _Remembered(deb_relations).__getitem__
            names = _Remembered(deb_names).__getitem__
            previous: bytes | None = None
            for section in apt_pkg.TagFile(handle, bytes=True):
                get = section.get
                package, version, arch = get("Package"), get("Version"), get("Architecture")
                if package is None or version is None or arch is None:
                    raise MetadataError(_incomplete(shown, (package, version, arch), previous))
                previous = package
                identity = _text(package), _text(version), _text(arch)
                yield _version(identity) if light else _package(section, identity, parse, names)
    except (apt_pkg.Error, SystemError) as exc:
        raise MetadataError(f"{shown}: not a Packages index: {one_line(exc)}") from exc


def _incomplete(shown: Path, fields: Sequence[bytes | None], previous: bytes | None) -> str:
    """What is wrong with a stanza of *fields* (Package, Version, Architecture) some of
    which are missing, the stanza after the package *previous* (None: the first)."""
    name, *rest = fields
    if name is None:
        after = "the first stanza" if previous is None else f"package {_text(previous)!r}"
        return f"{shown}: a stanza after {after} has no Package field"
    missing = [f for f, v in zip(("Version", "Architecture"), rest, strict=True) if v is None]
    return f"{shown}: package {_text(name)!r} has no {' or '.join(missing)} field"


def _listing(repository: AptRepository, name: str) -> tuple[Listed | None, bool]:
    """How the Release file lists the index file *name*: its own entry (True: the digest is
    of the file as it is), else the entry of its uncompressed form (False: of its content),
    as the Debian archive lists ``Packages`` without serving it.  A Release without
    checksums lists nothing to check against; one that does not list the file refuses it."""
    if not repository.listed:
        return None, True
    under_suite = name.removeprefix(f"dists/{repository.suite}/")
    if under_suite in repository.listed:
        return repository.listed[under_suite], True
    uncompressed_name = under_suite.rsplit("/", 1)[0] + "/Packages"
    if uncompressed_name in repository.listed:
        return repository.listed[uncompressed_name], False
    raise MetadataError(f"{repository.root / name}: not listed in {repository.release}")


def indexed_architectures(repository: AptRepository) -> tuple[str, ...]:
    """The architectures of the suite that have a Packages index here (a mirror may hold
    fewer than its Release file lists)."""
    suite = f"dists/{repository.suite}"
    return tuple(
        arch
        for arch in repository.architectures
        if any(
            _index_file(repository.root, f"{suite}/{c}/binary-{arch}")
            for c in repository.components
        )
    )


def apt_packages(
    repository: AptRepository, arch: str, light: bool = False
) -> tuple[PackageSpec, ...]:
    """Every package of *arch* (``Architecture: all`` ones included) in every component;
    *light*: with its name, version and architecture alone."""
    if repository.architectures and arch not in repository.architectures:
        raise MetadataError(
            f"{repository.root}: suite {repository.suite} has no architecture {arch} "
            f"(it has {', '.join(repository.architectures)})"
        )
    if _ARCHITECTURE.fullmatch(arch) is None:
        raise MetadataError(f"{repository.root}: {arch!r} is not an architecture name")
    suite = f"dists/{repository.suite}"
    files = [
        _index_file(repository.root, f"{suite}/{component}/binary-{arch}")
        for component in repository.components
    ]
    found = [f for f in files if f is not None]
    if not found:
        raise MetadataError(f"{repository.root / suite}: no Packages index for {arch}")
    # The packages of an index live on: the collector's passes over them as they are made
    # would find nothing to free.
    with collector_paused():
        return tuple(package for name in found for package in _sections(repository, name, light))


def _reads(
    repository: AptRepository, target: str, arches: Sequence[str], light: bool = False
) -> list[RepositoryRead]:
    return [
        RepositoryRead(
            target,
            Family.DEB,
            arch,
            apt_packages(repository, arch, light),
            suite=repository.suite,
            date=repository.date,
        )
        for arch in arches
    ]


def read_repositories(
    path: Path,
    target: str,
    arches: Sequence[str] | None,
    keyring: Path | None = None,
    light: bool = False,
) -> list[RepositoryRead]:
    """The repositories of *arches* (default: every indexed one) in the APT suite at *path*
    (*light*: as :func:`apt_packages` says)."""
    repository = open_apt(path, keyring)
    arches = indexed_architectures(repository) if arches is None else arches
    return _reads(repository, target, arches, light)


def read_bare(
    path: Path, target: str | None, keyring: Path | None = None
) -> tuple[str, list[RepositoryRead]]:
    """The release name and repositories of a bare APT repository (its root or
    ``dists/<suite>``); its target defaults to the root directory's name."""
    root = path.parent.parent if path.parent.name == "dists" else path
    name = target or identifier(root.name)
    repository = open_apt(path, keyring)
    return repository.label or name, _reads(repository, name, indexed_architectures(repository))


#: The index forms to download, the smallest first (one is enough: they hold the same).
_DOWNLOAD_ORDER = ("Packages.xz", "Packages.gz", "Packages.bz2", "Packages.zst", "Packages")


def download_suite(remote: RemoteTree, suite: str, keyring: Path | None) -> None:
    """Download the APT suite at *suite* (``…/dists/<name>``, relative to *remote*'s URL;
    empty: the URL itself): its Release files, then one form of each index its strongest
    checksum lists, for every component and architecture."""
    prefix = f"{suite.strip('/')}/" if suite.strip("/") else ""
    found = [remote.top(f"{prefix}{name}") for name in ("InRelease", "Release")]
    if not any(found):
        raise MetadataError(f"{remote.url}{prefix}: no InRelease or Release file")
    remote.top(f"{prefix}Release.gpg")
    repository = open_apt(remote.local_path(prefix) if prefix else remote.local, keyring)
    listed_in = f"{remote.url}{prefix}{repository.release.name}"
    if not repository.listed:
        raise MetadataError(f"{listed_in}: lists no index checksums to download by")
    for component in repository.components:
        for arch in repository.architectures:
            forms = (f"{component}/binary-{arch}/{n}" for n in _DOWNLOAD_ORDER)
            name = next((form for form in forms if form in repository.listed), None)
            if name is not None:
                listed = repository.listed[name]
                remote.index(prefix + name, listed.algorithm, listed.digest, listed_in)


def download(remote: RemoteTree, where: str, client: str | None, keyring: Path | None) -> None:
    """Download the APT repository *where* of a build output, its suite named by the
    manifest's *client* line (``deb [options] URI SUITE COMPONENT…``)."""
    words = re.sub(r"^deb\s+(?:\[[^]]*\]\s+)?", "", client or "").split()
    if len(words) < 2 or _COMPONENT.fullmatch(words[1]) is None:
        raise MetadataError(f"{remote.url}{where}: the manifest's client line names no suite")
    download_suite(remote, f"{where.strip('/')}/dists/{words[1]}", keyring)
