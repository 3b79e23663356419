"""Builds that fail, are interrupted or killed never leave a half-written repository; builds are
reproducible across runs and working directories."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.build import build
from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.families.deb.publish import write_base_stub
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.families.rpm.rpmmd import write_base_repository
from repogen.model import ReleaseModel
from repogen.publish.base import BuildError, BuildOptions
from repogen.resolve.universe import universe_for

from .conftest import MODELS, RELEASES

EPOCH = 1_722_470_400
TARGETS = ["--target", "ubuntu2204", "--target", "rhel9", "--arch", "amd64", "--arch", "x86_64"]
KILLS = 24


def tree(root: Path) -> dict[str, bytes]:
    """Every file under *root* with its bytes (the manifest without its absolute paths)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "manifest.json":
                data = data.replace(str(root).encode(), b"<OUT>")
            files[str(path.relative_to(root))] = data
    return files


@pytest.fixture(autouse=True)
def _sigint_not_ignored() -> Iterator[None]:
    """Builds start with SIGINT handled, as from a terminal.  A shell starts background jobs
    (CI's, say) with SIGINT ignored, an ignored signal stays ignored across exec, and Python
    then never turns SIGINT into KeyboardInterrupt; a handled one is reset to the default."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def run_build(model: str, out: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """``repogen build`` of *model* into *out*, as a user's terminal would start it."""
    return subprocess.Popen(
        [sys.executable, "-m", "repogen", "build", str(RELEASES / model), "-o", str(out), *TARGETS],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)},
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def built(model: str, out: Path) -> dict[str, bytes]:
    assert run_build(model, out).wait() == 0
    return tree(out)


def staging_directories(out: Path) -> list[Path]:
    """The staging directories of builds into *out*, beside it."""
    return list(out.parent.glob(f".{out.name}.building-*"))


def staging(out: Path) -> bool:
    """Whether a build into *out* has its staging directory beside it."""
    return bool(staging_directories(out))


def wait_for_staging(process: subprocess.Popen[bytes], out: Path) -> None:
    """Return once *process*'s build into *out* has made its staging directory, or ended."""
    while not staging(out) and process.poll() is None:
        time.sleep(0.002)


def staged_paths(out: Path) -> int:
    """How many paths the staging directory of a build into *out* holds (0 once it is gone:
    os.walk passes over a directory that vanishes under it)."""
    return sum(
        len(directories) + len(files)
        for staged in staging_directories(out)
        for _, directories, files in os.walk(staged)
    )


def wait_for_progress(process: subprocess.Popen[bytes], out: Path, paths: int) -> None:
    """Return once *process*'s build into *out* has written *paths* files and directories
    into its staging directory, or ended: a point inside the build measured in work done,
    not in time, so that a loaded machine cannot move it past the swap."""
    wait_for_staging(process, out)
    while staged_paths(out) < paths and process.poll() is None:
        time.sleep(0.002)


def timed_build(model: str, out: Path) -> float:
    """Build *model* into *out*: seconds the build took."""
    start = time.monotonic()
    assert run_build(model, out).wait() == 0
    return time.monotonic() - start


def flavor_apt(out: Path, work: Path, release: ReleaseModel) -> str:
    """What real apt installs for `cuda` from the output's ubuntu2204 repository."""
    (repository,) = release.select(["ubuntu2204"], ["amd64"])
    base = write_base_stub(repository, work / "base")
    line = f"deb [trusted=yes] file:{out}/deb/ubuntu2204 jammy main"
    apt = AptSandbox.create(work / "apt", "amd64", [line, base])
    apt.update()
    return universe_for(repository).flavor(apt.install(["cuda"]))


def flavor_dnf(out: Path, work: Path, release: ReleaseModel) -> str:
    """What real dnf installs for `cuda` from the output's rhel9 repository."""
    (repository,) = release.select(["rhel9"], ["x86_64"])
    write_base_repository(work / "base", repository, EPOCH)
    dnf = DnfSandbox.create(
        work / "dnf",
        [
            DnfRepository("base", (work / "base").as_uri()),
            DnfRepository("cuda", (out / "rpm/rhel9/x86_64").as_uri()),
        ],
        releasever="9",
        platform="el9",
    )
    return universe_for(repository).flavor(dnf.resolve("dnf install cuda"))


def test_killed_builds_leave_the_complete_old_or_new_repository(
    tmp_path: Path, release_12_5: ReleaseModel, release_12_6: ReleaseModel
) -> None:
    old = built("cuda-12.5.yaml", tmp_path / "reference-old")
    new = built("cuda-12.6.yaml", tmp_path / "reference-new")
    out = tmp_path / "out"
    assert built("cuda-12.5.yaml", out) == old
    duration = timed_build("cuda-12.6.yaml", tmp_path / "timing")
    rng = random.Random(20241124)
    outcomes = set()
    interrupted = 0
    for index in range(KILLS):
        process = run_build("cuda-12.6.yaml" if index % 2 == 0 else "cuda-12.5.yaml", out)
        started = time.monotonic()
        if index % 3:
            # Spread over the whole build, start-up included; the last few come late enough
            # that some builds finish and swap in.
            time.sleep(1.3 * duration * (index + rng.random()) / KILLS)
        else:
            # Inside the window where the staging directory exists, at most half-way
            # through writing it.
            wait_for_progress(process, out, rng.randrange(len(new) // 2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        delay = time.monotonic() - started
        interrupted += staging(out)
        now = tree(out)
        assert now in (old, new), f"kill {index} after {delay:.2f}s left a mixed tree"
        release = release_12_6 if now == new else release_12_5
        expected = release.release.default_flavor.value
        outcomes.add(expected)
        work = tmp_path / f"check-{index}"
        assert flavor_apt(out, work, release) == expected
        assert flavor_dnf(out, work, release) == expected
    assert len(outcomes) == 2, "the kills never caught a build before or after its swap"
    assert interrupted >= KILLS // 4, "too few kills interrupted a build mid-way"
    assert built("cuda-12.6.yaml", out) == new
    assert not staging(tmp_path / "out")


def test_interrupted_build_keeps_the_old_output_and_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = built("cuda-12.5.yaml", out)
    process = run_build("cuda-12.6.yaml", out)
    deadline = time.monotonic() + 30
    while not staging(tmp_path / "out") and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    assert process.wait() != 0
    assert tree(out) == old
    assert not staging(tmp_path / "out")


def test_disk_full_keeps_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, release_12_6: ReleaseModel
) -> None:
    out = tmp_path / "out"
    old = built("cuda-12.5.yaml", out)
    original = Path.write_bytes
    calls = 0

    def full_disk(self: Path, data: bytes) -> int:
        nonlocal calls
        calls += 1
        if calls > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OSError, match="No space left on device"):
        build(
            release_12_6,
            out,
            release_12_6.select(["ubuntu2204"]),
            BuildOptions(source_date_epoch=EPOCH),
        )
    assert tree(out) == old
    assert not staging(tmp_path / "out")


def test_failed_signing_keeps_the_old_output(tmp_path: Path, release_12_6: ReleaseModel) -> None:
    out = tmp_path / "out"
    old = built("cuda-12.5.yaml", out)
    options = BuildOptions(
        source_date_epoch=EPOCH,
        sign_key="no-such-key@repogen.invalid",
        gpg_home=tmp_path / "empty-gnupg",
    )
    (tmp_path / "empty-gnupg").mkdir(mode=0o700)
    with pytest.raises(BuildError):
        build(release_12_6, out, release_12_6.select(["rhel9"], ["x86_64"]), options)
    assert tree(out) == old


def test_broken_model_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["build", str(MODELS / "broken" / "unknown-package-ref.yaml"), "-o", str(out)],
        env={"REPOGEN_MODEL_ROOT": str(MODELS)},  # the broken models include ../minimal.yaml
    )
    assert result.exit_code == 2
    assert "unknown package 'tolkit'" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_is_not_a_repogen_output_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    result = CliRunner().invoke(app, ["build", "-o", str(precious), "--target", "ubuntu2204"])
    assert result.exit_code == 1
    assert "is not a repogen output" in result.stderr
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


def test_every_family_builds_byte_identically_from_another_working_directory(
    tmp_path: Path,
) -> None:
    outputs = []
    for name in ("one", "two"):
        cwd = tmp_path / name
        cwd.mkdir()
        out = cwd / "out"
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "repogen",
                "build",
                str(RELEASES / "cuda-12.6.yaml"),
                "-o",
                "out",
                "--target",
                "debian12",
                "--target",
                "rhel9",
                "--target",
                "sles15",
            ],
            env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)},
            cwd=cwd,
            check=True,
            capture_output=True,
        )
        assert process.returncode == 0
        outputs.append(tree(out))
    first, second = outputs
    assert {path.split("/")[0] for path in first} == {"deb", "rpm", "suse", "manifest.json"}
    assert any(path.endswith(".rpm") for path in first)
    assert any(path.endswith(".deb") for path in first)
    assert first == second
