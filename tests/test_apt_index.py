"""A ``Packages`` file compressed while its stanzas are given: the same bytes as compressing
it whole, stanzas in index order only, and its threads stopped when the file is abandoned.
Made of parts (one per release), it is a gzip member and an xz block per part, read whole
by apt, and a part added to the published file gives the bytes of the file written whole."""

from __future__ import annotations

import contextlib
import gzip
import lzma
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from repogen.families.deb.apt_index import PackagesFile, Stanza, published_index
from repogen.families.deb.xz_stream import blocks


def _stanzas(count: int) -> list[Stanza]:
    return [
        Stanza(f"p{i:05}", "1.0", "amd64", f"Package: p{i:05}\nVersion: 1.0\n{'x' * 300}\n")
        for i in range(count)
    ]


def test_the_forms_are_those_of_the_whole_file_compressed_at_once() -> None:
    stanzas = _stanzas(8_000)  # more than 2 MiB: given to the threads in several pieces
    with ThreadPoolExecutor() as executor:
        index = PackagesFile(executor)
        for stanza in stanzas:
            index.add(stanza)
        index.close()
        forms = index.forms()
    plain = "\n".join(s.text for s in stanzas).encode()
    assert forms[""] == plain
    assert forms[".gz"] == gzip.compress(plain, compresslevel=9, mtime=0)
    assert forms[".xz"] == lzma.compress(plain, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64)


def test_stanzas_come_in_index_order_only() -> None:
    first, second = _stanzas(2)
    with ThreadPoolExecutor() as executor, PackagesFile(executor) as index:
        index.add(second)
        with pytest.raises(ValueError, match="not in index order"):
            index.add(first)
        with pytest.raises(ValueError, match="not in index order"):
            index.add(second)


def _fail_while_writing(executor: ThreadPoolExecutor) -> None:
    with PackagesFile(executor) as index:
        index.add(_stanzas(1)[0])
        raise KeyError


def _leave_unclosed(executor: ThreadPoolExecutor) -> None:
    with PackagesFile(executor) as index:
        index.add(_stanzas(1)[0])


@pytest.mark.parametrize("abandon", [_fail_while_writing, _leave_unclosed])
def test_an_abandoned_file_stops_its_threads(
    abandon: Callable[[ThreadPoolExecutor], None],
) -> None:
    # The executor has exactly the two compressing threads: a task submitted after the file
    # is abandoned runs only once both have stopped.
    with ThreadPoolExecutor(2) as executor:
        with contextlib.suppress(KeyError):
            abandon(executor)
        assert executor.submit(lambda: "ran").result(timeout=30) == "ran"


def _written(
    executor: ThreadPoolExecutor,
    parts: Sequence[Sequence[Stanza]],
    published: Path | None = None,
) -> dict[str, bytes]:
    """The forms of a file of *parts*, added to the one published at *published*."""
    index = PackagesFile(executor, published_index(published, "s", "amd64") if published else None)
    for part in parts:
        for stanza in part:
            index.add(stanza)
        index.end_part()
    index.close()
    return index.forms()


def _publish(root: Path, forms: dict[str, bytes]) -> Path:
    directory = root / "dists" / "s" / "main" / "binary-amd64"
    directory.mkdir(parents=True, exist_ok=True)
    for suffix, data in forms.items():
        (directory / f"Packages{suffix}").write_bytes(data)
    return directory


def _parts() -> list[list[Stanza]]:
    """Two parts of more than a piece each, each in index order, the parts not: a later
    release's package sorts first."""
    stanzas = [
        Stanza(
            f"p{i:05}",
            "1.0",
            "amd64",
            f"Package: p{i:05}\nVersion: 1.0\nArchitecture: amd64\n"
            f"Filename: pool/p{i:05}_1.0_amd64.deb\nDescription: {'x' * 300}\n",
        )
        for i in range(8_000)
    ]
    return [stanzas[4_000:], stanzas[:4_000]]


def test_each_part_is_a_gzip_member_and_an_xz_block_of_one_stream(tmp_path: Path) -> None:
    parts = _parts()
    with ThreadPoolExecutor() as executor:
        forms = _written(executor, parts)
    first, second = ("\n".join(s.text for s in part).encode() for part in parts)
    plain = first + b"\n" + second
    assert forms[""] == plain
    # The empty line between two parts starts the second.
    members = (gzip.compress(first, 9, mtime=0), gzip.compress(b"\n" + second, 9, mtime=0))
    assert forms[".gz"] == b"".join(members)
    assert lzma.decompress(forms[".xz"]) == plain
    assert len(blocks(forms[".xz"]).records) == len(parts)
    # apt reads an .xz index to the end of its first stream: all of it here.
    directory = _publish(tmp_path, forms)
    for suffix in (".gz", ".xz"):
        read = subprocess.run(
            ["/usr/lib/apt/apt-helper", "cat-file", str(directory / f"Packages{suffix}")],
            check=True,
            capture_output=True,
        ).stdout
        assert read == plain, suffix


def test_a_part_added_to_the_published_file_gives_the_file_written_whole(
    tmp_path: Path,
) -> None:
    first, second = _parts()
    with ThreadPoolExecutor() as executor:
        whole = _written(executor, [first, second])
        published = _written(executor, [first])
        _publish(tmp_path, published)
        added = _written(executor, [second], published=tmp_path)
    assert added == whole
    assert published_index(tmp_path, "s", "amd64").parts == {  # type: ignore[union-attr]
        (s.package, s.version, s.architecture): 0 for s in first
    }
    _publish(tmp_path, whole)
    read = published_index(tmp_path, "s", "amd64")
    assert read is not None
    assert [read.parts[s.package, s.version, s.architecture] for s in (first[0], second[-1])] == [
        0,
        1,
    ]


def test_an_empty_file_has_the_forms_of_nothing_compressed() -> None:
    with ThreadPoolExecutor() as executor:
        forms = _written(executor, [])
    assert forms == {
        "": b"",
        ".gz": gzip.compress(b"", 9, mtime=0),
        ".xz": lzma.compress(b"", format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64),
    }
