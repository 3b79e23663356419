"""The APT index of one repository: ``Packages`` files and the ``Release`` file over them.

Stanzas in, file contents out (formats.md §1.4).  A ``Packages`` file is compressed while its
stanzas are given (:class:`PackagesFile`); compression is deterministic (gzip without a
timestamp or file name, xz), and every index is also stored under
``by-hash/<algorithm>/<hash>`` for each hash the ``Release`` file lists that apt may look
it up by.
"""

from __future__ import annotations

import hashlib
import lzma
import re
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from itertools import accumulate
from pathlib import Path, PurePosixPath
from queue import SimpleQueue
from threading import Event
from types import TracebackType
from typing import Protocol

import apt_pkg
from debian.deb822 import Release

from repogen.families.deb.xz_stream import Blocks, NotOneStream, blocks, joined

COMPONENT = "main"

#: The checksum lists of ``Release`` (apt 2.6 needs one of SHA256/SHA512 to trust a file),
#: with the hashlib name of each.
_RELEASE_HASHES = (("MD5Sum", "md5"), ("SHA256", "sha256"), ("SHA512", "sha512"))

#: The hashes apt may fetch an index by, with ``Acquire-By-Hash: yes``: it asks for the
#: strongest hash ``Release`` lists.
_BY_HASH = (("SHA256", "sha256"), ("SHA512", "sha512"))


@dataclass(frozen=True)
class PoolFile:
    """What a ``Packages`` stanza says about its package file."""

    filename: PurePosixPath
    size: int
    md5: str
    sha256: str

    @classmethod
    def of(cls, filename: PurePosixPath, data: bytes) -> PoolFile:
        return cls(
            filename, len(data), hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()
        )


@dataclass(frozen=True)
class Suite:
    """What the ``Release`` file of one suite says about it."""

    origin: str
    label: str
    suite: str
    codename: str
    epoch: int
    architectures: tuple[str, ...]
    description: str


#: Where a field starts in a dumped paragraph: a line that is not a continuation line.
_FIELD_START = re.compile(r"^(?=[^ \t])", re.MULTILINE)


@dataclass(frozen=True)
class Stanza:
    """One paragraph of a ``Packages`` file, as text, with what the index is sorted by."""

    package: str
    version: str
    architecture: str
    text: str


def published_pool_file(stanza: Stanza) -> PoolFile:
    """What a published *stanza* says about its package file."""
    fields = dict(
        line.split(": ", 1) for line in stanza.text.splitlines() if line and line[0] != " "
    )
    return PoolFile(
        PurePosixPath(fields["Filename"]),
        int(fields["Size"]),
        fields["MD5sum"],
        fields["SHA256"],
    )


@dataclass(frozen=True)
class PublishedIndex:
    """The plain ``Packages`` index of one architecture as published, to add a release to:
    its stanzas by package, version and architecture, in file order, with the part each is
    in (:class:`PackagesFile`) and its file name; and the compressed forms, when they are
    the plain one's, parts and all (*xz* ``None``: they are not, and are made again)."""

    stanzas: dict[tuple[str, str, str], Stanza]
    parts: dict[tuple[str, str, str], int]
    filenames: dict[tuple[str, str, str], str]
    plain: bytes
    gz: bytes
    xz: Blocks | None


def _xz_blocks(data: bytes, plain: bytes) -> Blocks | None:
    try:
        found = blocks(data)
    except NotOneStream:
        return None
    return found if found.uncompressed_size == len(plain) else None


def published_index(root: Path, suite: str, arch: str) -> PublishedIndex | None:
    """The index of *arch* in the repository at *root* as written, if it has one."""
    directory = root / "dists" / suite / COMPONENT / f"binary-{arch}"
    path = directory / "Packages"
    if not path.is_file():
        return None
    plain = path.read_bytes()
    gz, xz = directory / "Packages.gz", directory / "Packages.xz"
    spliced = _xz_blocks(xz.read_bytes(), plain) if gz.is_file() and xz.is_file() else None
    # Where each part starts: the xz blocks' sizes (a part's first byte is the empty line
    # before its first stanza, so a stanza is in the part its first byte is in).
    ends = list(accumulate(size for _, size in spliced.records)) if spliced else []
    stanzas, parts, filenames = {}, {}, {}
    part = 0
    with path.open("rb") as handle:
        tags = apt_pkg.TagFile(handle)
        start = tags.offset()  # type: ignore[attr-defined]  # missing from python-apt's stubs
        for section in tags:
            while part < len(ends) and start >= ends[part]:
                part += 1
            # A section is its text and the empty line after it; a stanza ends at its text.
            stanza = Stanza(
                section["Package"],
                section["Version"],
                section["Architecture"],
                str(section).rstrip("\n") + "\n",
            )
            key = (stanza.package, stanza.version, stanza.architecture)
            stanzas[key], parts[key], filenames[key] = stanza, part, section["Filename"]
            start = tags.offset()  # type: ignore[attr-defined]
    return PublishedIndex(
        stanzas, parts, filenames, plain, gz.read_bytes() if spliced else b"", spliced
    )


def packages_stanza(control: str, pool_file: PoolFile) -> str:
    """The ``Packages`` stanza of a package from its control data as python-debian dumps it
    (``Field: value`` lines, continuation lines indented): its fields and where its file
    is, the description last."""
    fields = [field for field in _FIELD_START.split(control) if field]
    description = [field for field in fields if field.startswith("Description:")]
    return "".join(
        (
            *(field for field in fields if not field.startswith("Description:")),
            f"Filename: {pool_file.filename}\n",
            f"Size: {pool_file.size}\n",
            f"MD5sum: {pool_file.md5}\n",
            f"SHA256: {pool_file.sha256}\n",
            *description,
        )
    )


class _Compressor(Protocol):
    def compress(self, data: bytes, /) -> bytes: ...
    def flush(self) -> bytes: ...


def _gzip() -> _Compressor:
    # zlib's own gzip wrapper (mtime 0, no file name): what gzip.compress(data, 9, mtime=0)
    # makes, but fed piece by piece.
    return zlib.compressobj(9, zlib.DEFLATED, 31)


def _xz() -> _Compressor:
    return lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)


#: How each compressed form of an index is made, by file name suffix.
_COMPRESSORS: Mapping[str, Callable[[], _Compressor]] = {".gz": _gzip, ".xz": _xz}

#: About how much of an index a compressing thread is given at a time.  It needs the GIL
#: between pieces, and waits up to the 5 ms switch interval for it while stanzas are
#: rendered, so pieces are large.
_PIECE = 1 << 20


def _compressed(
    make: Callable[[], _Compressor], pieces: SimpleQueue[bytes | None], abandoned: Event
) -> list[bytes]:
    """The *pieces* (``None`` ends them, an empty one a part) compressed part by part: a
    whole gzip member or xz stream each; nothing if *abandoned*."""
    parts: list[bytes] = []
    current: list[bytes] = []
    compressor = make()
    while (piece := pieces.get()) is not None:
        if abandoned.is_set():
            return []
        if not piece:
            parts.append(b"".join((*current, compressor.flush())))
            current.clear()
            compressor = make()
        else:
            current.append(compressor.compress(piece))
    return parts


class PackagesFile:
    """A ``Packages`` file, given stanza by stanza, that threads of *executor* compress
    meanwhile, one per compressed form: compressing (xz above all) takes longer than
    rendering the stanzas, so it starts with the first of them.

    The file is made of parts, one per release that published its packages, oldest first
    (:meth:`end_part` closes one), each in index order (package, version, architecture) and
    compressed on its own: a gzip member of ``Packages.gz`` and a block of the one xz stream
    of ``Packages.xz``.  A release is added to the *published* file by compressing its part
    alone, and the file is the same as one written whole, part by part.

    :meth:`close` ends the file.  A ``with`` block left on an error, or before the file is
    closed, abandons it, and its threads stop instead of compressing the rest.
    """

    def __init__(self, executor: Executor, published: PublishedIndex | None = None) -> None:
        if published is not None and published.xz is None:
            raise ValueError("the published Packages.xz is not the plain index's blocks")
        self._published = published if published is not None and published.plain else None
        self._pieces: list[bytes] = [self._published.plain] if self._published else []
        self._pending: list[str] = []
        self._pending_size = 0
        self._started = self._published is not None
        self._last: tuple[str, str, str] | None = None
        self._closed = False
        self._abandoned = Event()
        self._queues: dict[str, SimpleQueue[bytes | None]] = {}
        self._compressed: dict[str, Future[list[bytes]]] = {}
        for suffix, make in _COMPRESSORS.items():
            queue = self._queues[suffix] = SimpleQueue()
            self._compressed[suffix] = executor.submit(_compressed, make, queue, self._abandoned)

    def __enter__(self) -> PackagesFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Left on an error, or without close(): the threads are not waited for, so they must
        # not wait for more pieces either.
        if kind is not None or not self._closed:
            self._abandoned.set()
            self._end()

    def add(self, stanza: Stanza) -> None:
        key = (stanza.package, stanza.version, stanza.architecture)
        if self._last is not None and key <= self._last:
            raise ValueError(f"stanza {key} after {self._last}: not in index order")
        # An empty line between stanzas.
        text = f"\n{stanza.text}" if self._started else stanza.text
        self._started = True
        self._last = key
        self._pending.append(text)
        self._pending_size += len(text)
        if self._pending_size >= _PIECE:
            self._send()

    def end_part(self) -> None:
        """End the part the stanzas given since the last one make (none: no part)."""
        if self._last is None:
            return
        self._send()
        for queue in self._queues.values():
            queue.put(b"")
        self._last = None

    def close(self) -> None:
        self.end_part()
        self._end()
        self._closed = True

    def forms(self) -> dict[str, bytes]:
        """The closed file as ``Packages``, ``Packages.gz`` and ``Packages.xz`` contents, by
        suffix, once compressed."""
        if not self._closed:
            raise ValueError("the Packages file is not closed")
        gz, xz = (self._compressed[suffix].result() for suffix in (".gz", ".xz"))
        published = self._published
        if published is None and not gz:
            # No stanza: the compressed forms of an empty file.
            gz, xz = [_gzip().flush()], [_xz().flush()]
        before = [published.xz] if published and published.xz else []
        return {
            "": b"".join(self._pieces),
            ".gz": b"".join((published.gz if published else b"", *gz)),
            ".xz": joined([*before, *(blocks(stream) for stream in xz)]),
        }

    def _send(self) -> None:
        if self._pending:
            piece = "".join(self._pending).encode()
            self._pieces.append(piece)
            for queue in self._queues.values():
                queue.put(piece)
            self._pending.clear()
            self._pending_size = 0

    def _end(self) -> None:
        for queue in self._queues.values():
            queue.put(None)


def release_date(epoch: int) -> str:
    """RFC 2822 date with ``+0000``, as apt wants it."""
    return format_datetime(datetime.fromtimestamp(epoch, UTC))


def release_file(suite: Suite, files: Mapping[PurePosixPath, bytes]) -> bytes:
    """The ``Release`` file of *suite*, listing *files* (paths relative to ``dists/<suite>``)."""
    release = Release()
    release["Origin"] = suite.origin
    release["Label"] = suite.label
    release["Suite"] = suite.suite
    release["Codename"] = suite.codename
    release["Date"] = release_date(suite.epoch)
    release["Architectures"] = " ".join(suite.architectures)
    release["Components"] = COMPONENT
    release["Description"] = suite.description
    release["Acquire-By-Hash"] = "yes"
    for field, algorithm in _RELEASE_HASHES:
        release[field] = [  # type: ignore[assignment]  # a checksum list (python-debian)
            {
                field.lower(): hashlib.new(algorithm, data).hexdigest(),
                "size": str(len(data)),
                "name": str(path),
            }
            for path, data in sorted(files.items())
        ]
    return release.dump().encode()


def dists(suite: Suite, indices: Mapping[str, PackagesFile]) -> dict[PurePosixPath, bytes]:
    """Every file under ``dists/<suite>`` (paths relative to the repository root) for the
    ``Packages`` files *indices* by architecture; ``Release`` unsigned."""
    listed: dict[PurePosixPath, bytes] = {}
    stored: dict[PurePosixPath, bytes] = {}
    for arch, index in sorted(indices.items()):
        directory = PurePosixPath(COMPONENT, f"binary-{arch}")
        for suffix, data in index.forms().items():
            listed[directory / f"Packages{suffix}"] = data
            for name, algorithm in _BY_HASH:
                digest = hashlib.new(algorithm, data).hexdigest()
                stored[directory / "by-hash" / name / digest] = data
    top = PurePosixPath("dists", suite.suite)
    files = {top / path: data for path, data in {**listed, **stored}.items()}
    files[top / "Release"] = release_file(suite, listed)
    return files
