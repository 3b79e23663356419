"""Builds that fail, are interrupted or killed never leave a half-written repository; builds are
reproducible across runs and working directories."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.build import build
from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.model import ReleaseModel
from repogen.publish.base import BuildError, BuildOptions
from repogen.publish.output import STOP_AT
from repogen.resolve.universe import universe_for
from tests.base_repositories import write_base_repository, write_base_stub

from .conftest import MODELS, RELEASES

EPOCH = 1_722_470_400
TARGETS = ["--target", "ubuntu2204", "--target", "rhel9", "--arch", "amd64", "--arch", "x86_64"]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under *root* with its bytes (the manifest and the client files, which name
    where the output is, without its absolute paths)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "manifest.json" or path.suffix in {".repo", ".sources", ".list"}:
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


def scratch(out: Path) -> Path:
    """The private TMPDIR of builds into *out*: what a build leaves in it leaked."""
    directory = out.parent / "tmp"
    directory.mkdir(exist_ok=True)
    return directory


def run_build(
    model: str, out: Path, cwd: Path | None = None, stop_at: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """``repogen build`` of *model* into *out*, as a user's terminal would start it; it stops
    itself at each stage of *stop_at* (see ``stopped``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "repogen", "build", str(RELEASES / model), "-o", str(out), *TARGETS],
        env={
            **os.environ,
            "SOURCE_DATE_EPOCH": str(EPOCH),
            "TMPDIR": str(scratch(out)),
            STOP_AT: ",".join(stop_at),
        },
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stopped(process: subprocess.Popen[bytes]) -> bool:
    """Wait until *process* stops itself at a stage (True) or ends (False); no timing."""
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if os.WIFSTOPPED(status):
        return True
    process.returncode = os.waitstatus_to_exitcode(status)
    return False


def stop_at(process: subprocess.Popen[bytes]) -> None:
    assert stopped(process), f"the build ended ({process.returncode}) before its stage"


def go_on(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGCONT)


def built(model: str, out: Path) -> dict[str, bytes]:
    assert run_build(model, out).wait() == 0
    return tree(out)


def staging_directories(out: Path) -> list[Path]:
    """The staging directories of builds into *out*, beside it."""
    return list(out.parent.glob(f".{out.name}.building-*"))


def staging(out: Path) -> bool:
    """Whether a build into *out* has its staging directory beside it."""
    return bool(staging_directories(out))


def staged_files(out: Path) -> int:
    """How many files the staged trees of builds into *out* hold."""
    return sum(
        len(files)
        for staged in staging_directories(out)
        for _, _, files in os.walk(staged / "tree")
    )


def steps(model: str, out: Path) -> int:
    """How many steps the publishers report in a build of *model* into *out* (``step-N``)."""
    process = run_build(model, out, stop_at=[f"step-{n}" for n in range(1, 1000)])
    count = 0
    while stopped(process):
        count += 1
        go_on(process)
    assert process.returncode == 0
    return count


def stages(model: str, out: Path) -> list[str]:
    """Every stage of a build of *model* into *out* that a kill can catch, in order."""
    count = steps(model, out)
    assert count >= 3, "too few steps to interrupt a build mid-way"
    mid_way = [f"step-{n}" for n in range(1, count + 1)]
    return ["locked", "staging", *mid_way, "manifest", "swap", "swapped", "cleaned"]


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
    trees = {"cuda-12.5.yaml": old, "cuda-12.6.yaml": new}
    out = tmp_path / "out"
    assert built("cuda-12.5.yaml", out) == old
    points = stages("cuda-12.6.yaml", tmp_path / "steps")
    swapped = points[points.index("swapped") :]
    # Every stage of a build of 12.6 over 12.5, then of one of 12.5 over 12.6.
    kills = [(model, point) for model in ("cuda-12.6.yaml", "cuda-12.5.yaml") for point in points]
    outcomes = set()
    interrupted = part_written = 0
    for index, (model, point) in enumerate(kills):
        before = tree(out)
        process = run_build(model, out, stop_at=[point])
        stop_at(process)
        interrupted += staging(out)
        part_written += point.startswith("step-") and staged_files(out) > 0
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree(out)
        assert now == (trees[model] if point in swapped else before), f"{model} at {point}"
        assert not any(scratch(out).iterdir()), f"kill {index} left temporaries in TMPDIR"
        release = release_12_6 if now == new else release_12_5
        expected = release.release.default_flavor.value
        outcomes.add(expected)
        work = tmp_path / f"check-{index}"
        assert flavor_apt(out, work, release) == expected
        assert flavor_dnf(out, work, release) == expected
    assert len(outcomes) == 2, "the kills never caught a build before or after its swap"
    assert interrupted >= len(kills) // 2, "too few kills interrupted a build mid-way"
    assert part_written >= 2, "no kill caught a part-written tree"
    assert built("cuda-12.6.yaml", out) == new
    assert not staging(out)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "a leftover"


@pytest.mark.parametrize("point", ["staging", "step-2", "manifest", "swap"])
def test_interrupted_build_keeps_the_old_output_and_cleans_up(tmp_path: Path, point: str) -> None:
    out = tmp_path / "out"
    old = built("cuda-12.5.yaml", out)
    process = run_build("cuda-12.6.yaml", out, stop_at=[point])
    stop_at(process)
    # Pending while the build is stopped, delivered as it goes on: Ctrl-C at this stage.
    process.send_signal(signal.SIGINT)
    go_on(process)
    assert process.wait() != 0
    assert tree(out) == old
    assert not staging(out)
    assert not any(scratch(out).iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tmp"]


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


FOREIGN = {
    "notes.txt": "mine",
    "manifest.json": '{"name": "my-app", "version": "1.0", "files": ["notes.txt"]}',
    "not-json/manifest.json": "release: cuda\n",
    "other-entries/manifest.json": '{"release": "r", "model": "m", "repos": [{"target": "t"}]}',
    "a-list/manifest.json": '[{"release": "r", "model": "m", "repos": []}]',
    "a-directory/manifest.json/x": "",
}


@pytest.mark.parametrize("content", FOREIGN, ids=[p.split("/")[0] for p in FOREIGN])
def test_a_directory_that_is_not_a_repogen_output_is_never_replaced(
    tmp_path: Path, content: str
) -> None:
    precious = tmp_path / "home"
    (precious / content).parent.mkdir(parents=True)
    (precious / content).write_text(FOREIGN[content])
    (precious / "data.bin").write_bytes(b"\0" * 10)
    before = tree(precious)
    result = CliRunner().invoke(app, ["build", "-o", str(precious), "--target", "ubuntu2204"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "is not a repogen output" in line
    assert tree(precious) == before
    assert [p.name for p in tmp_path.iterdir()] == ["home"], "something was made beside it"


def test_a_file_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "notes.txt"
    precious.write_text("mine")
    result = CliRunner().invoke(app, ["build", "-o", str(precious), "--target", "ubuntu2204"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "is not a directory" in line
    assert precious.read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_second_build_into_one_output_waits_for_the_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = built("cuda-12.5.yaml", out)
    new = built("cuda-12.6.yaml", tmp_path / "reference-new")
    first = run_build("cuda-12.6.yaml", out, stop_at=["swap"])
    stop_at(first)
    (first_staging,) = staging_directories(out)
    second = run_build("cuda-12.5.yaml", out, stop_at=["waiting", "locked"])
    stop_at(second)  # at "waiting": the first holds the lock
    assert staging_directories(out) == [first_staging], "the second touched the first's tree"
    assert tree(out) == old
    go_on(second)  # it blocks on the lock
    go_on(first)
    assert first.wait() == 0
    stop_at(second)  # at "locked": after the first let go
    assert tree(out) == new
    assert not staging(out)
    go_on(second)
    assert second.wait() == 0
    assert tree(out) == old
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "a leftover"


def test_only_the_staging_directories_of_ended_builds_are_removed(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    out = tmp_path / "out"
    ended = subprocess.Popen(["true"])
    ended.wait()
    pids = {"running": os.getppid(), "ended": ended.pid, "this process before": os.getpid()}
    for pid in pids.values():
        staged = out.parent / f".out.building-{pid}"
        (staged / "tree").mkdir(parents=True)
        (staged / "tree" / "a-file").write_text(str(pid))
    build(
        release_12_6,
        out,
        release_12_6.select(["ubuntu2204"], ["amd64"]),
        BuildOptions(source_date_epoch=EPOCH, packages=False),
    )
    assert staging_directories(out) == [out.parent / f".out.building-{os.getppid()}"]
    assert (staging_directories(out)[0] / "tree" / "a-file").read_text() == str(os.getppid())
    assert (out / "manifest.json").is_file()


def test_a_killed_build_leaves_no_temporaries(tmp_path: Path) -> None:
    """Temporaries go to the staging directory, never to TMPDIR, whatever stage the kill
    catches; some stage sees them there."""
    out = tmp_path / "out"
    seen = 0
    for point in stages("cuda-12.6.yaml", out):
        process = run_build("cuda-12.5.yaml", out, stop_at=[point])
        stop_at(process)
        seen += any(
            any(files) for d in staging_directories(out) for *_, files in os.walk(d / "tmp")
        )
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert not any(scratch(out).iterdir()), f"a kill at {point} left temporaries"
    assert seen, "no stage had temporaries"
    assert built("cuda-12.5.yaml", out)
    assert not any(scratch(out).iterdir())
    assert not staging(out)


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
