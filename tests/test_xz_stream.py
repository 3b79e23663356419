"""xz streams spliced by their blocks: one stream, read whole by liblzma, xz and apt."""

from __future__ import annotations

import lzma
import shutil
import subprocess
from pathlib import Path

import pytest

from repogen.families.deb.xz_stream import NotOneStream, blocks, joined

PARTS = [b"Package: a\nVersion: 1\n" * 2000, b"\nPackage: b\nVersion: 2\n" * 3, b"\nz"]


def _stream(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)


def _one_stream(data: bytes) -> bytes:
    """*data* decompressed, refusing anything after the end of its first stream."""
    decompressor = lzma.LZMADecompressor(lzma.FORMAT_XZ)
    plain = decompressor.decompress(data)
    assert decompressor.eof
    assert not decompressor.unused_data
    return plain


def test_the_blocks_of_several_streams_make_one_stream_of_their_contents() -> None:
    spliced = joined([blocks(_stream(part)) for part in PARTS])
    assert _one_stream(spliced) == b"".join(PARTS)
    assert len(blocks(spliced).records) == len(PARTS)
    assert blocks(spliced).uncompressed_size == sum(map(len, PARTS))


@pytest.mark.parametrize("data", [b"", PARTS[0]])
def test_one_stream_joined_alone_is_itself(data: bytes) -> None:
    assert joined([blocks(_stream(data))]) == _stream(data)


@pytest.mark.skipif(shutil.which("xz") is None, reason="xz (xz-utils) is not installed")
def test_xz_lists_one_stream_of_every_block(tmp_path: Path) -> None:
    path = tmp_path / "Packages.xz"
    path.write_bytes(joined([blocks(_stream(part)) for part in PARTS]))
    subprocess.run(["xz", "--test", str(path)], check=True)
    listed = subprocess.run(
        ["xz", "--list", "--robot", str(path)], check=True, capture_output=True, text=True
    ).stdout
    totals = next(line.split("\t") for line in listed.splitlines() if line.startswith("file"))
    assert (totals[1], totals[2]) == ("1", str(len(PARTS)))  # streams, blocks


@pytest.mark.parametrize(
    "data",
    [b"", b"not xz at all", _stream(b"a") + _stream(b"b"), _stream(b"abc")[:-1]],
    ids=["empty", "not-xz", "two-streams", "cut-short"],
)
def test_what_is_not_one_stream_is_refused(data: bytes) -> None:
    with pytest.raises(NotOneStream):
        blocks(data)


def test_streams_of_different_checks_are_not_joined() -> None:
    crc32 = lzma.compress(b"a", format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
    with pytest.raises(NotOneStream, match="different checks"):
        joined([blocks(crc32), blocks(_stream(b"b"))])
