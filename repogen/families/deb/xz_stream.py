"""One xz stream spliced from the blocks of several (the .xz file format 1.0.4, §2).

apt 2.6 and libsolv read an ``.xz`` index only up to the end of its first stream, so an index
that grows by one release at a time cannot grow by appending a stream, as a ``.gz`` one grows
by a member.  It grows by a block instead: liblzma compresses the new part as a stream of its
own, and its blocks join the blocks already published under a new index and footer, the only
bytes written again.  Python's ``lzma`` makes and checks whole streams, not blocks, hence the
splice; ``lzma.decompress`` and ``xz -t`` read the result as one stream.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

_MAGIC = b"\xfd7zXZ\x00"
_FOOTER_MAGIC = b"YZ"
#: Stream header and footer: magic or CRC32, the stream flags, and CRC32 or magic.
_HEADER_SIZE = _FOOTER_SIZE = 12


class NotOneStream(ValueError):
    """Bytes that are not one xz stream this module can splice."""


@dataclass(frozen=True)
class Blocks:
    """The blocks of one stream: their bytes (each padded to four bytes, as in the
    stream), their index records (unpadded and uncompressed size) and the stream flags
    (which say the check every block carries)."""

    flags: bytes
    data: bytes
    records: tuple[tuple[int, int], ...]

    @property
    def uncompressed_size(self) -> int:
        return sum(size for _, size in self.records)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    for offset in range(9):
        if at + offset >= len(data):
            break
        byte = data[at + offset]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at + offset + 1
        shift += 7
    raise NotOneStream("an index record is cut short")


def _padded(size: int) -> int:
    return (size + 3) & ~3


def _crc(data: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(data))


def blocks(stream: bytes) -> Blocks:
    """The blocks of *stream*, one xz stream without stream padding."""
    if len(stream) < _HEADER_SIZE + _FOOTER_SIZE or not stream.startswith(_MAGIC):
        raise NotOneStream("not an xz stream")
    flags = stream[6:8]
    footer = stream[-_FOOTER_SIZE:]
    if footer[-2:] != _FOOTER_MAGIC or footer[8:10] != flags or _crc(footer[4:10]) != footer[:4]:
        raise NotOneStream("not one xz stream: the footer does not close the header's stream")
    index_size = (struct.unpack("<I", footer[4:8])[0] + 1) * 4
    index_start = len(stream) - _FOOTER_SIZE - index_size
    index = stream[index_start : len(stream) - _FOOTER_SIZE]
    if index_start < _HEADER_SIZE or index[0] != 0 or _crc(index[:-4]) != index[-4:]:
        raise NotOneStream("the stream's index is not where its footer says")
    count, at = _read_varint(index, 1)
    records = []
    for _ in range(count):
        unpadded, at = _read_varint(index, at)
        uncompressed, at = _read_varint(index, at)
        records.append((unpadded, uncompressed))
    data = stream[_HEADER_SIZE:index_start]
    if sum(_padded(unpadded) for unpadded, _ in records) != len(data):
        raise NotOneStream("the stream's blocks are not those its index lists")
    return Blocks(flags, data, tuple(records))


def joined(parts: Sequence[Blocks]) -> bytes:
    """One stream of the blocks of *parts*, in order; they must carry the same check."""
    flags = {part.flags for part in parts}
    if len(flags) != 1:
        raise NotOneStream("streams of different checks cannot be joined")
    (flag,) = flags
    records = [record for part in parts for record in part.records]
    index = bytearray(b"\x00" + _varint(len(records)))
    for unpadded, uncompressed in records:
        index += _varint(unpadded) + _varint(uncompressed)
    index += b"\x00" * (_padded(len(index)) - len(index))
    index += _crc(bytes(index))
    backward = struct.pack("<I", len(index) // 4 - 1)
    return b"".join(
        (
            _MAGIC,
            flag,
            _crc(flag),
            *(part.data for part in parts),
            index,
            _crc(backward + flag),
            backward,
            flag,
            _FOOTER_MAGIC,
        )
    )
