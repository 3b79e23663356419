"""The benchmarks still run: the generator's models load, the runner's smallest build runs.

No timing is asserted here; the figures are in bench/RESULTS.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.__main__ import main
from bench.channel import ChannelShape, write_channel
from bench.generator import MINIMUM, TARGETS, Shape, write_model
from repogen.channel import load_channel
from repogen.model import Family, load_release


def test_generated_model_loads_with_the_asked_packages_per_target(tmp_path: Path) -> None:
    release = load_release(write_model(tmp_path / "model.yaml", Shape(1000)))
    for family in Family:
        (repository,) = release.select([TARGETS[family.value]])
        assert len(repository.packages) == 1000
        flavors = {p.kernel_module for p in repository.packages if p.kernel_module is not None}
        assert {f.value for f in flavors} == {"open", "proprietary"}
    (rhel,) = release.select(["rhel9"])
    assert rhel.modules[0].default_stream == "open-dkms"


def test_revisions_move_versions_not_names(tmp_path: Path) -> None:
    old = load_release(write_model(tmp_path / "old.yaml", Shape(MINIMUM, revision=1)))
    new = load_release(write_model(tmp_path / "new.yaml", Shape(MINIMUM, revision=2)))
    for before, after in zip(old.repositories, new.repositories, strict=True):
        assert [p.name for p in before.packages] == [p.name for p in after.packages]
        assert all(
            p.version != q.version for p, q in zip(before.packages, after.packages, strict=True)
        )


def test_too_small_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too few"):
        write_model(tmp_path / "model.yaml", Shape(100))


def test_runner_builds_the_smallest_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--sizes", str(MINIMUM), "--runs", "1", "--sample", "3", "--workloads", "build"]
    assert main([*arguments, "--families", "rpm", "--work", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "## Machine" in printed
    assert f"| metadata | {MINIMUM} | rpm: build --no-packages |" in printed
    assert f"| build | {MINIMUM} | rpm: build |" in printed
    assert "rpmbuild per spec + createrepo_c" in printed


def test_runner_times_start_up_with_each_command_s_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--runs", "1", "--workloads", "startup", "--work", str(tmp_path)]
    assert main(arguments) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| startup")]
    assert [row.split(" | ")[2] for row in rows] == [
        "python -c pass (the interpreter's start-up)",
        "repogen --help",
        "repogen validate (bundled release)",
    ]
    for row in rows:
        assert row.split(" | ")[4].endswith(" MiB")  # each process's peak memory


def test_channel_releases_are_one_history_with_the_asked_size(tmp_path: Path) -> None:
    shape = ChannelShape(releases=2, size=2 * MINIMUM, new=MINIMUM)
    channel_file, new_file = write_channel(tmp_path, shape)
    channel = load_channel(channel_file)
    assert len(channel.points) == 2
    for family in Family:
        (repository,) = channel.at().select([TARGETS[family.value]])
        assert len(repository.packages) == shape.size  # every release's versions kept
    assert load_release(new_file).release.name not in channel.points


def test_runner_publishes_into_a_small_channel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--runs", "1", "--workloads", "channel", "--families", "deb"]
    channel = f"2,{2 * MINIMUM},{MINIMUM}"
    assert main([*arguments, "--channel", channel, "--work", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "| deb: publish NEW --into CHANNEL, metadata only (in-process) |" in printed
    assert "| deb: repogen publish NEW --into CHANNEL (whole process, package files) |" in printed
    assert "apt-ftparchive generate, cache database warm" in printed


def test_channel_releases_at_their_own_branches_give_three_streams_per_branch(
    tmp_path: Path,
) -> None:
    shape = ChannelShape(releases=3, size=3 * 300, new=300, own_branches=True)
    channel_file, _ = write_channel(tmp_path, shape)
    (repository,) = load_channel(channel_file).at().select([TARGETS["rpm"]])
    (module,) = repository.modules
    branches = ("401", "402", "403")
    assert sorted(s.name for s in module.streams) == sorted(
        [name for b in branches for name in (b, f"{b}-dkms", f"{b}-open")]
        + ["latest", "latest-dkms", "open-dkms"]
    )
    (latest,) = (s for s in module.streams if s.name == "latest")
    assert latest.profiles["default"][0] == "kmod-nvidia-403.104.03-5.14.0-427.13.1"


def test_runner_answers_module_requests_like_dnf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["--runs", "1", "--workloads", "modules", "--channel", "2,700,300"]
    assert main([*arguments, "--work", str(tmp_path)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| scale")]
    streams = ("nvidia-driver:latest-dkms", "nvidia-driver:401-open", "nvidia-driver:open-dkms")
    for row, stream in zip(rows, streams, strict=True):
        note = row.split(" | ")[-1]
        assert note.startswith("modules.yaml: 9 streams, 45 artifacts; same as dnf: ")
        assert note.endswith(f"{stream} |")
