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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import PurePosixPath

from debian.deb822 import Deb822, Release

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


def packages_stanza(control: Deb822, pool_file: PoolFile) -> Deb822:
    """The ``Packages`` stanza of a package: its control fields and where its file is,
    the description last."""
    stanza = Deb822({k: v for k, v in control.items() if k != "Description"})
    stanza["Filename"] = str(pool_file.filename)
    stanza["Size"] = str(pool_file.size)
    stanza["MD5sum"] = pool_file.md5
    stanza["SHA256"] = pool_file.sha256
    if "Description" in control:
        stanza["Description"] = control["Description"]
    return stanza


def packages_index(stanzas: Iterable[Deb822]) -> bytes:
    """A ``Packages`` file: the stanzas sorted by package, version and architecture."""
    ordered = sorted(stanzas, key=lambda s: (s["Package"], s["Version"], s["Architecture"]))
    return "\n".join(stanza.dump() for stanza in ordered).encode()


def _compressed(data: bytes) -> dict[str, bytes]:
    """*data* as ``Packages``, ``Packages.gz`` and ``Packages.xz`` contents, by suffix."""
    return {
        "": data,
        ".gz": gzip.compress(data, compresslevel=9, mtime=0),
        ".xz": lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64),
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
    for arch, index in sorted(indices.items()):
        directory = PurePosixPath(COMPONENT, f"binary-{arch}")
        for suffix, data in _compressed(index).items():
            listed[directory / f"Packages{suffix}"] = data
            for name, algorithm in _BY_HASH:
                digest = hashlib.new(algorithm, data).hexdigest()
                stored[directory / "by-hash" / name / digest] = data
    top = PurePosixPath("dists", suite.suite)
    files = {top / path: data for path, data in {**listed, **stored}.items()}
    files[top / "Release"] = release_file(suite, listed)
    return files
