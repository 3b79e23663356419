"""Hostile inputs, as data in tests/hostile/*.yaml: each is refused with exit status 2 and
one error line, within memory and time limits, without a traceback and without showing a
line of /etc/passwd or /etc/shadow.

A case names the files to create (the head of tests/hostile/models.yaml lists the kinds),
the repogen arguments to run in their directory, and a regular expression the error line
must match.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ROOT

CORPUS = Path(__file__).resolve().parent / "hostile"
#: Enough for repogen and its libraries; a model that needs more is an attack that got through.
MEMORY = 2 * 1024**3
TIMEOUT = 60
#: The count a model error ends with, after its error lines.
TOTAL = re.compile(r"^(\d+) error\(s\) in the model$")
CHUNK = 1024 * 1024


def _cases() -> Iterator[Any]:
    for corpus in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(corpus.read_text()):
            yield pytest.param(case, id=f"{corpus.stem}:{case['name']}")


CASES = list(_cases())


def _zeros(size: int, compress: Any) -> bytes:
    """*size* zero bytes, compressed as concatenated members of at most 1 MiB each: gzip and
    xz readers read every member, and a 4 GiB bomb is made in milliseconds."""
    whole, rest = divmod(size, CHUNK)
    member = compress(bytes(CHUNK))
    return member * whole + (compress(bytes(rest)) if rest else b"")


def _write(path: Path, spec: Any) -> None:
    """Create the file *spec* describes at *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(spec, str):
        path.write_text(spec)
    elif "copy" in spec:
        path.write_bytes((ROOT / spec["copy"]).read_bytes())
    elif "symlink" in spec:
        path.symlink_to(spec["symlink"])
    elif "device" in spec:
        path.symlink_to(spec["device"])
    elif "fifo" in spec:
        os.mkfifo(path)
    elif "repeat" in spec:
        path.write_text(spec.get("head", "") + spec["repeat"] * spec["times"])
    elif "bytes" in spec:
        path.write_bytes(spec["bytes"].encode("latin-1"))
    elif "bytes_hex" in spec:
        path.write_bytes(bytes.fromhex(spec["bytes_hex"]))
    elif "gzip_zeros" in spec:
        path.write_bytes(_zeros(spec["gzip_zeros"], lambda b: gzip.compress(b, 1, mtime=0)))
    elif "xz_zeros" in spec:
        path.write_bytes(_zeros(spec["xz_zeros"], lzma.compress))
    else:
        raise ValueError(f"unknown file kind in {spec!r}")


def materialise(files: dict[str, Any], directory: Path) -> None:
    for name, spec in files.items():
        if isinstance(spec, dict) and "each" in spec:
            for i in range(1, spec["each"] + 1):
                _write(directory / name.format(i=i), spec["text"].format(i=i, next=i + 1))
        else:
            _write(directory / name, spec)


def _limits() -> None:
    """In the child before repogen starts: its memory capped, no core file."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _secret_lines() -> set[str]:
    """Lines of files a model must never show, as far as this user can read them."""
    lines: set[str] = set()
    for secret in (Path("/etc/passwd"), Path("/etc/shadow")):
        try:
            text = secret.read_text(errors="replace")
        except OSError:
            continue
        lines.update(line.strip() for line in text.splitlines() if len(line.strip()) > 8)
    return lines


SECRETS = _secret_lines()


def test_corpus_is_large_and_well_formed() -> None:
    models = yaml.safe_load((CORPUS / "models.yaml").read_text())
    assert len(models) >= 50
    repositories = yaml.safe_load((CORPUS / "repositories.yaml").read_text())
    assert len(repositories) >= 30
    names = [case.values[0]["name"] for case in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert set(case.values[0]) == {"name", "files", "args", "expect"}, case.id


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_one_error_and_exit_2(case: dict[str, Any], tmp_path: Path) -> None:
    materialise(case["files"], tmp_path)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "repogen", *case["args"]],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            preexec_fn=_limits,
            # Only the case's own directory: no wider tree set by whoever runs the tests.
            env={key: value for key, value in os.environ.items() if key != "REPOGEN_MODEL_ROOT"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"repogen {' '.join(case['args'])} ran longer than {TIMEOUT} s")
    stdout = done.stdout.decode(errors="replace")
    stderr = done.stderr.decode(errors="replace")
    output = stdout + stderr
    assert "Traceback" not in output, stderr[-3000:]
    assert done.returncode == 2, stderr[-3000:]
    lines = stderr.strip().splitlines()
    # A model error ends with the count of its errors: it must be one.
    if lines and (total := TOTAL.match(lines[-1])):
        assert total[1] == "1", stderr[-3000:]
        lines = lines[:-1]
    assert len(lines) == 1, stderr[-3000:]
    (line,) = lines
    assert re.search(case["expect"], line), line[:3000]
    leaked = [secret for secret in SECRETS if secret in output]
    assert not leaked, f"{len(leaked)} line(s) of /etc/passwd or /etc/shadow in the output"
