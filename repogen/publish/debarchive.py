"""Empty binary packages written in-process, byte for byte as ``dpkg-deb --root-owner-group
-Zxz --build`` writes them (dpkg 1.21, the liblzma the system has): no process per package.

A .deb is an ``ar`` archive of ``debian-binary``, ``control.tar.xz`` and ``data.tar.xz``
(deb(5)).  dpkg-deb's tar members are GNU tar records of ``./`` and ``./control``, owned by
root, with the ``SOURCE_DATE_EPOCH`` mtime; an empty package's data is ``./`` alone.  Its xz
streams come from liblzma's threaded encoder: one block whose header carries the compressed
and uncompressed sizes, LZMA2 at preset 6, a CRC64 check.  Python's :mod:`lzma` writes the
same LZMA2 data; only the container is put together here (the CRC64 is taken from a
single-threaded stream, since the standard library has no CRC64 of its own).

``tests/test_publish_deb.py`` compares these bytes with dpkg-deb's.
"""

from __future__ import annotations

import io
import lzma
import struct
import tarfile
import zlib
from functools import cache

#: deb(5): the format version member.
DEBIAN_BINARY = b"2.0\n"
_FILTERS = [{"id": lzma.FILTER_LZMA2, "preset": 6}]
#: LZMA2's one property byte: the dictionary size of preset 6, 8 MiB.
_LZMA2_PROPERTIES = b"\x16"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_CHECK_CRC64 = 0x04
_BLOCK_SIZE = 3 * 8 * 2**20


def _vli(value: int) -> bytes:
    """xz's variable-length integer: 7 bits a byte, low first."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _padded(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _crc32(data: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(data))


def _crc64(data: bytes) -> bytes:
    """The CRC64 of *data* as xz stores it, from a single-threaded stream of it (preset 0:
    the check does not depend on the compression)."""
    stream = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=0)
    backward = (struct.unpack("<I", stream[-8:-4])[0] + 1) * 4
    index_start = len(stream) - 12 - backward
    return stream[index_start - 8 : index_start]


def xz(data: bytes) -> bytes:
    """*data* as liblzma's threaded encoder writes it at preset 6 with a CRC64 check."""
    body = lzma.compress(data, format=lzma.FORMAT_RAW, filters=_FILTERS)
    stream_flags = bytes((0, _CHECK_CRC64))
    header = _XZ_MAGIC + stream_flags + _crc32(stream_flags)
    fields = (
        bytes((0xC0,))  # one filter; compressed and uncompressed sizes present
        + _vli(len(body))
        + _vli(len(data))
        + b"\x21"  # LZMA2
        + _vli(len(_LZMA2_PROPERTIES))
        + _LZMA2_PROPERTIES
    )
    # The threaded encoder sizes the header before compressing, for sizes up to its block
    # size (3 dictionaries, 24 MiB): four bytes each; then writes the real ones, padded.
    if len(data) >= _BLOCK_SIZE:
        raise ValueError(f"{len(data)} bytes: more than one xz block")
    size = (1 + 1 + 4 + 4 + 2 + len(_LZMA2_PROPERTIES) + 4 + 3) // 4 * 4
    block_header = bytes((size // 4 - 1,)) + fields
    block_header += b"\x00" * (size - 4 - len(block_header))
    block_header += _crc32(block_header)
    unpadded = len(block_header) + len(body) + 8
    block = _padded(block_header + body) + _crc64(data)
    index = _padded(b"\x00" + _vli(1) + _vli(unpadded) + _vli(len(data)))
    index += _crc32(index)
    backward = struct.pack("<I", len(index) // 4 - 1) + stream_flags
    footer = _crc32(backward) + backward + b"YZ"
    return header + block + index + footer


def _tar(control: bytes | None, epoch: int) -> bytes:
    """GNU tar of ``./`` (and ``./control`` holding *control*), as dpkg-deb's tar writes it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        members = [("./", tarfile.DIRTYPE, 0o755, b"")]
        if control is not None:
            members.append(("./control", tarfile.REGTYPE, 0o644, control))
        for name, kind, mode, data in members:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.mtime, info.size = kind, mode, epoch, len(data)
            info.uname = info.gname = "root"
            archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    return buffer.getvalue()


def _member(name: str, data: bytes, epoch: int) -> bytes:
    """One ``ar`` member: the header dpkg-deb writes (owner 0, mode 100644), then *data*,
    padded to an even size."""
    header = f"{name:<16}{epoch:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n"
    return header.encode("ascii") + data + (b"\n" if len(data) % 2 else b"")


@cache
def _empty_data(epoch: int) -> bytes:
    return xz(_tar(None, epoch))


def empty_deb(control: bytes, epoch: int) -> bytes:
    """The .deb of an empty package whose ``DEBIAN/control`` is *control*."""
    return b"!<arch>\n" + b"".join(
        (
            _member("debian-binary", DEBIAN_BINARY, epoch),
            _member("control.tar.xz", xz(_tar(control, epoch)), epoch),
            _member("data.tar.xz", _empty_data(epoch), epoch),
        )
    )
