"""A publish killed at any point leaves each repository of the tree as it was or as the whole
publish makes it, never a mix, and real apt and dnf read it; the next publish completes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from repogen.model import ReleaseModel
from repogen.publish.output import STOP_AT

from .conftest import RELEASES
from .test_publish_channel import _index_files
from .test_robustness import EPOCH, TARGETS, flavor_apt, flavor_dnf, go_on, scratch, stopped

#: The index directories of the tree the tests publish into.
INDICES = ("deb/ubuntu2204/dists/jammy", "rpm/rhel9/x86_64/repodata")


@pytest.fixture(autouse=True)
def _sigint_not_ignored() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _env(tree: Path, stop_at: list[str]) -> dict[str, str]:
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": str(EPOCH),
        "TMPDIR": str(scratch(tree)),
        STOP_AT: ",".join(stop_at),
    }


def run(words: list[str], tree: Path, stop_at: list[str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "repogen", *words],
        env=_env(tree, stop_at or []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def build_12_5(tree: Path) -> None:
    assert (
        run(["build", str(RELEASES / "cuda-12.5.yaml"), "-o", str(tree), *TARGETS], tree).wait()
        == 0
    )


def publish_12_6(tree: Path, stop_at: list[str] | None = None) -> subprocess.Popen[bytes]:
    return run(["publish", str(RELEASES / "cuda-12.6.yaml"), "--into", str(tree)], tree, stop_at)


def stages(tree: Path) -> list[str]:
    """Every stage a publish of 12.6 into the 12.5 tree *tree* stops at, in order."""
    process = publish_12_6(tree, [f"step-{n}" for n in range(1, 100)])
    steps = 0
    while stopped(process):
        steps += 1
        go_on(process)
    assert process.returncode == 0
    assert steps >= 3, "too few steps to interrupt a publish mid-way"
    return [
        "locked",
        "staging",
        *(f"step-{n}" for n in range(1, steps + 1)),
        "staged",
        "files",
        *(f"index-{n}" for n in range(1, len(INDICES) + 1)),
        "manifest",
        "cleaned",
    ]


def state(tree: Path) -> dict[str, dict[str, bytes]]:
    return {index: _index_files(tree, index) for index in INDICES}


def test_a_killed_publish_leaves_the_old_or_the_new_repository(
    tmp_path: Path, release_12_5: ReleaseModel, release_12_6: ReleaseModel
) -> None:
    old_tree, new_tree = tmp_path / "old", tmp_path / "new"
    build_12_5(old_tree)
    shutil.copytree(old_tree, new_tree)
    old = state(old_tree)
    assert publish_12_6(new_tree).wait() == 0
    new = state(new_tree)
    points = stages(_copy(old_tree, tmp_path / "stages"))
    seen = set()
    for number, point in enumerate(points):
        tree = _copy(old_tree, tmp_path / f"tree-{number}")
        process = publish_12_6(tree, [point])
        assert stopped(process), f"the publish ended before {point}"
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = state(tree)
        for index in INDICES:
            assert now[index] in (old[index], new[index]), f"{index} mixed after a kill at {point}"
        work = tmp_path / f"check-{number}"
        apt_release = release_12_6 if now[INDICES[0]] == new[INDICES[0]] else release_12_5
        dnf_release = release_12_6 if now[INDICES[1]] == new[INDICES[1]] else release_12_5
        seen.add((apt_release.release.name, dnf_release.release.name))
        expected = apt_release.release.default_flavor.value
        assert flavor_apt(tree, work, apt_release) == expected, point
        expected = dnf_release.release.default_flavor.value
        assert flavor_dnf(tree, work, dnf_release) == expected, point
        # The next publish completes what the killed one began, and cleans up after it.
        assert publish_12_6(tree).wait() == 0, point
        assert state(tree) == new, point
        assert not list(tree.parent.glob(f".{tree.name}.building-*")), point
        assert not any(scratch(tree).iterdir()), point
    assert ("cuda-12.5.1", "cuda-12.5.1") in seen
    assert ("cuda-12.6.0", "cuda-12.6.0") in seen


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target
