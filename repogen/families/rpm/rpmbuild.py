"""Building .rpm files: rpmbuild over rendered specs, a few at a time, reproducibly.

Every package of one Version-Release is a subpackage of one spec, so a repository needs only
a couple of rpmbuild calls; the calls of a whole build run in a small thread pool.  rpmbuild
runs with a private ``HOME`` (no ``~/.rpmmacros``, and Debian's ``%_dbpath`` of ``~/.rpmdb``
stays in the work directory), a fixed build host, and ``SOURCE_DATE_EPOCH`` as build time and
file mtime clamp, so the same spec gives byte-identical packages.  Packages for another
architecture than the host's are built with ``--target``: they are empty, nothing compiles.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from repogen.publish.base import BuildError

#: rpmbuild calls run side by side; each is mostly process start-up and header writing.
WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class RpmbuildJob:
    """Build every package of *spec* for *arch* into the (flat) directory *output*."""

    spec: Path
    arch: str
    output: Path


def _macros(work: Path, output: Path) -> list[str]:
    macros = {
        "_topdir": str(work / "top"),
        "_tmppath": str(work / "tmp"),
        "_dbpath": str(work / "rpmdb"),
        "_rpmdir": str(output),
        "_rpmfilename": "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
        "_buildhost": "repogen",
        "use_source_date_epoch_as_buildtime": "1",
        "clamp_mtime_to_source_date_epoch": "1",
    }
    return [arg for name, value in macros.items() for arg in ("--define", f"{name} {value}")]


def _rpmbuild(job: RpmbuildJob, work: Path, source_date_epoch: int) -> str | None:
    """Run one rpmbuild; the error text when it fails."""
    (work / "tmp").mkdir(parents=True)
    (work / "home").mkdir()
    job.output.mkdir(parents=True, exist_ok=True)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "SOURCE_DATE_EPOCH": str(source_date_epoch),
    }
    command = [
        "rpmbuild",
        "--quiet",
        "-bb",
        "--target",
        job.arch,
        *_macros(work, job.output),
        str(job.spec),
    ]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return f"rpmbuild {job.spec.name} ({job.arch}) failed: {result.stderr.strip()}"
    return None


def run_rpmbuild(jobs: Sequence[RpmbuildJob], work: Path, source_date_epoch: int) -> None:
    """Run every job, a few in parallel, each in its own directory under *work*."""
    if jobs and shutil.which("rpmbuild") is None:
        raise BuildError("rpmbuild not found: install it with `apt-get install rpm`")
    directories = [work / f"rpmbuild-{number}" for number in range(len(jobs))]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = pool.map(_rpmbuild, jobs, directories, repeat(source_date_epoch))
        failures = [failure for failure in results if failure is not None]
    if failures:
        raise BuildError("\n".join(failures))
