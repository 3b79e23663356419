"""Hostile inputs as data (``tests/hostile/*.yaml``): each case is a directory of files and a
``repogen`` command line; run under a memory and a time limit, the command must exit 2 with
exactly one line on stderr, matching the case's ``expect``, without a traceback and without
echoing a file that is not an input (``/etc/passwd``).

A case: ``name``; ``files``, relative path → text, or ``{symlink: TARGET}``, ``{fifo: true}``,
``{gzip_zeros: BYTES}`` / ``{xz_zeros: BYTES}`` (that many zero bytes, compressed), or
``{bytes_hex: HEX}``; ``args``; ``expect``, a regular expression.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "hostile"
MEMORY = 2 << 30
TIMEOUT = 60
#: A line of /etc/passwd that every Linux system has.
PASSWD = re.compile(r"root:[^:\n]*:0:0:")
_PIECE = 1 << 20


def _cases() -> list[Any]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()):
            cases.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return cases


def _zeros(size: int, compress: Any) -> bytes:
    """*size* zero bytes, compressed as concatenated members of at most 1 MiB each: both
    gzip and xz readers read every member, and the bomb is made in milliseconds."""
    whole, rest = divmod(size, _PIECE)
    member = compress(bytes(_PIECE))
    return member * whole + (compress(bytes(rest)) if rest else b"")


def _write(root: Path, name: str, content: Any) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content)
    elif "symlink" in content:
        path.symlink_to(content["symlink"])
    elif "fifo" in content:
        os.mkfifo(path)
    elif "gzip_zeros" in content:
        path.write_bytes(_zeros(content["gzip_zeros"], lambda b: gzip.compress(b, 1, mtime=0)))
    elif "xz_zeros" in content:
        path.write_bytes(_zeros(content["xz_zeros"], lzma.compress))
    elif "bytes_hex" in content:
        path.write_bytes(bytes.fromhex(content["bytes_hex"]))
    else:
        raise ValueError(f"{name}: unknown file kind {content!r}")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.parametrize("case", _cases())
def test_hostile_input_is_one_error_line(case: dict[str, Any], tmp_path: Path) -> None:
    for name, content in case["files"].items():
        _write(tmp_path, name, content)
    result = subprocess.run(
        [sys.executable, "-m", "repogen", *case["args"]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=TIMEOUT,
        preexec_fn=_limits,
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    said = result.stdout + result.stderr
    assert "Traceback" not in said, said
    assert PASSWD.search(said) is None, said
    assert len(lines) == 1, said
    assert re.search(case["expect"], lines[0]), lines[0]
    assert result.returncode == 2, said
