"""The APT index of one repository: ``Packages`` files and the ``Release`` file over them.

Pure functions: stanzas in, file contents out (formats.md §1.4).  Compression is deterministic
(gzip without a timestamp or file name, xz), and every index is also stored under
``by-hash/<algorithm>/<hash>`` for each hash the ``Release`` file lists that apt may look
it up by.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import PurePosixPath

from debian.deb822 import Release

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


def packages_index(stanzas: Iterable[Stanza]) -> bytes:
    """A ``Packages`` file: the stanzas sorted by package, version and architecture."""
    ordered = sorted(stanzas, key=lambda s: (s.package, s.version, s.architecture))
    return "\n".join(stanza.text for stanza in ordered).encode()


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _xz(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)


#: How each compressed form of an index is made, by file name suffix.
_COMPRESSORS: Mapping[str, Callable[[bytes], bytes]] = {".gz": _gzip, ".xz": _xz}


def _compressed(indices: Mapping[str, bytes]) -> dict[str, dict[str, bytes]]:
    """Each index of *indices* as ``Packages``, ``Packages.gz`` and ``Packages.xz``
    contents, by suffix.  zlib and liblzma release the GIL, so every compressed file is
    made in a thread of its own, side by side."""
    with ThreadPoolExecutor() as pool:
        packed = {
            key: {suffix: pool.submit(compress, data) for suffix, compress in _COMPRESSORS.items()}
            for key, data in indices.items()
        }
        return {
            key: {"": indices[key], **{suffix: job.result() for suffix, job in forms.items()}}
            for key, forms in packed.items()
        }


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


def dists(suite: Suite, indices: Mapping[str, bytes]) -> dict[PurePosixPath, bytes]:
    """Every file under ``dists/<suite>`` (paths relative to the repository root) for the
    ``Packages`` contents *indices* by architecture; ``Release`` unsigned."""
    listed: dict[PurePosixPath, bytes] = {}
    stored: dict[PurePosixPath, bytes] = {}
    for arch, forms in sorted(_compressed(indices).items()):
        directory = PurePosixPath(COMPONENT, f"binary-{arch}")
        for suffix, data in forms.items():
            listed[directory / f"Packages{suffix}"] = data
            for name, algorithm in _BY_HASH:
                digest = hashlib.new(algorithm, data).hexdigest()
                stored[directory / "by-hash" / name / digest] = data
    top = PurePosixPath("dists", suite.suite)
    files = {top / path: data for path, data in {**listed, **stored}.items()}
    files[top / "Release"] = release_file(suite, listed)
    return files
