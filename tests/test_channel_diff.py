"""`repogen diff` between two points of a channel: what a mirror sees change when a release
is published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.cli import app
from tests.channel_history import write_history


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_history(tmp_path_factory.mktemp("history"))


def diff(*words: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["diff", *words])
    return result.exit_code, result.output


def test_publishing_a_release_adds_its_branch(history: Path) -> None:
    code, output = diff(str(history), "--format", "json", "--target", "ubuntu2204")
    assert code == 0, output
    data = json.loads(output)
    assert (data["old"], data["new"]) == ("cuda-12.6.1", "driver-565.57.01")
    (amd64,) = [r for r in data["repositories"] if r["arch"] == "amd64"]
    added = {p["name"] for p in amd64["packages"]["added"]}
    assert {"nvidia-open-565", "cuda-drivers-565", "nvidia-driver-565-open"} <= added
    # Nothing of 560 or 555 goes: the repository keeps every release.
    assert not amd64["packages"].get("removed")


def test_to_defaults_from_to_the_point_before(history: Path) -> None:
    code, output = diff(str(history), "--to", "cuda-12.6.1", "--format", "json")
    assert code == 0, output
    data = json.loads(output)
    assert (data["old"], data["new"]) == ("cuda-12.6.0", "cuda-12.6.1")
    rhel9 = [r for r in data["repositories"] if (r["target"], r["arch"]) == ("rhel9", "x86_64")]
    added = [p["name"] for p in rhel9[0]["packages"]["added"]]
    # The precompiled kmod of the new driver version is a new name beside the old one.
    assert added == ["kmod-nvidia-560.35.03-5.14.0-427.13.1"]


def test_two_points_of_two_files(history: Path) -> None:
    words = ["--from", "cuda-12.5.1", "--to", "cuda-12.6.0", "--exit-code", "--format", "json"]
    code, output = diff(str(history), str(history), *words)
    assert code == 1, output
    assert json.loads(output)["new"] == "cuda-12.6.0"
    same = ["--from", "cuda-12.6.0", "--to", "cuda-12.6.0", "--exit-code"]
    code, output = diff(str(history), str(history), *same)
    assert code == 0, output
    assert output.startswith("repogen diff: cuda-12.6.0 → cuda-12.6.0 (20 unchanged)")


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["--to", "nope"], "no release 'nope'"),
        (["--to", "cuda-12.5.1"], "cuda-12.5.1 is the first release"),
    ],
)
def test_a_point_that_is_not_there_is_exit_2(history: Path, words: list[str], message: str) -> None:
    code, output = diff(str(history), *words)
    assert code == 2
    assert message in " ".join(output.replace("│", " ").split())
