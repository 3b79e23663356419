"""A ``Packages`` file compressed while its stanzas are given: the same bytes as compressing
it whole, stanzas in index order only, and its threads stopped when the file is abandoned."""

from __future__ import annotations

import contextlib
import gzip
import lzma
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from repogen.families.deb.apt_index import PackagesFile, Stanza


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
