"""The real engine never touches the host's package state: apt's, dpkg's, rpm's, dnf's and
zypp's files are the same, in content and times, after it answered one request per family."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from repogen.engine.real import RealEngine
from repogen.model import Family

from .resolver_cases import all_cases

HOST_STATE = (
    "/var/lib/dpkg/status",
    "/var/lib/apt/lists",
    "/var/cache/apt",
    "/var/lib/rpm",
    "/var/lib/dnf",
    "/etc/dnf",
    "/var/lib/zypp",
    "/etc/zypp",
    "/var/cache/zypp",
)
#: Larger files (apt's downloaded archives) are compared by size and times, not hashed.
HASHED = 16 << 20

Snapshot = dict[str, tuple[object, ...]]


def _entry(path: Path) -> tuple[object, ...]:
    info = path.lstat()
    times = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if stat.S_ISLNK(info.st_mode):
        return (*times, str(path.readlink()))
    if stat.S_ISREG(info.st_mode) and info.st_size <= HASHED:
        return (*times, hashlib.sha256(path.read_bytes()).hexdigest())
    return times


def snapshot(paths: tuple[str, ...] = HOST_STATE) -> Snapshot:
    """Every file and directory under *paths*: type, size, mtime, ctime and content hash."""
    found: Snapshot = {}
    for top in map(Path, paths):
        if not top.exists():
            found[str(top)] = ("absent",)
            continue
        found[str(top)] = _entry(top)
        if top.is_dir() and not top.is_symlink():
            for directory, names, files in os.walk(top):
                for name in (*names, *files):
                    path = Path(directory, name)
                    found[str(path)] = _entry(path)
    return found


def test_the_real_engine_leaves_the_host_package_state_alone(tmp_path: Path) -> None:
    before = snapshot()
    # One case per family, one with installed packages where the family has one.
    by_state = sorted(all_cases(), key=lambda case: bool(case.universe.installed.packages))
    cases = {case.family: case for case in by_state}
    assert set(cases) == set(Family)
    with RealEngine(tmp_path) as engine:
        for case in cases.values():
            assert engine(case.repository, case.universe, case.request).ok in (True, False)
    after = snapshot()
    changed = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    assert changed == []


def test_the_snapshot_sees_a_touched_file_and_a_new_one(tmp_path: Path) -> None:
    (tmp_path / "status").write_text("Package: a\n")
    before = snapshot((str(tmp_path),))
    os.utime(tmp_path / "status", ns=(0, 0))
    assert snapshot((str(tmp_path),)) != before
    before = snapshot((str(tmp_path),))
    (tmp_path / "lock").touch()
    assert snapshot((str(tmp_path),)) != before
