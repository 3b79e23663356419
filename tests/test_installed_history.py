"""Installed states from a channel's history: ``installed: {at: RELEASE, requests}`` in an
assertion, ``repogen resolve --installed-at RELEASE``.  A machine that installed CUDA while
12.5.1 was the newest release has ``cuda-12-5``; one that installed it at 12.6.0 has not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.channel import Channel, load_channel
from repogen.check.run import Checker
from repogen.cli import app
from repogen.data import bundled
from repogen.model import load_release

CHANNEL = Path(__file__).parent / "channels" / "bundled.yaml"

_ASSERTION = """\
assertions:
  - id: installed-at
    description: the state cuda left
    targets: {{target: ubuntu2204, arch: x86_64}}
    installed: {{{at}requests: ["apt-get install cuda"]}}
    request: apt-get remove cuda-12-5
    expect: {{removes: [cuda-12-5]}}
"""


@pytest.fixture(scope="module")
def channel() -> Channel:
    return load_channel(CHANNEL)


def _assertions(directory: Path, at: str | None) -> Path:
    path = directory / "upgrade.yaml"
    path.write_text(_ASSERTION.format(at=f"at: {at}, " if at else ""))
    return path


def test_an_installed_state_at_an_earlier_point_is_that_points(
    channel: Channel, tmp_path: Path
) -> None:
    checker = Checker(channel.at(), channel=channel)
    (result,) = checker.run([_assertions(tmp_path, "cuda-12.5.1")])
    assert result.passed, result.failures


def test_an_installed_state_without_a_point_is_the_newest(channel: Channel, tmp_path: Path) -> None:
    checker = Checker(channel.at(), channel=channel)
    (result,) = checker.run([_assertions(tmp_path, None)])
    assert result.failures == ("nothing matching 'cuda-12-5' is removed",)


def test_check_refuses_a_point_the_channel_lacks(tmp_path: Path) -> None:
    path = _assertions(tmp_path, "cuda-9.9")
    result = CliRunner().invoke(app, ["check", str(CHANNEL), str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:5:" in result.output
    assert "installed.at: no release 'cuda-9.9'" in result.output
    assert "Traceback" not in result.output


def _resolve(*options: str) -> tuple[int, str]:
    words = ["resolve", str(CHANNEL), "--target", "ubuntu2204", "--json"]
    words += ["--installed", "apt-get install cuda", *options, "--", "apt-get", "remove"]
    result = CliRunner().invoke(app, [*words, "cuda-12-5"])
    return result.exit_code, result.output


def test_resolve_runs_the_installed_requests_at_the_point_given() -> None:
    code, output = _resolve("--installed-at", "cuda-12.5.1")
    assert code == 0, output
    assert "cuda-12-5" in [p["name"] for p in json.loads(output)["remove"]]
    code, output = _resolve()
    assert code == 0, output
    assert json.loads(output)["remove"] == []


def test_resolve_takes_the_installed_point_of_the_installed_from_channel() -> None:
    code, output = _resolve("--installed-at", "cuda-12.5.1", "--installed-from", str(CHANNEL))
    assert code == 0, output
    assert "cuda-12-5" in [p["name"] for p in json.loads(output)["remove"]]


_HELD = """\
assertions:
  - id: held
    description: a held cuda is not upgraded
    targets: {{target: ubuntu2204, arch: x86_64}}
    installed: {{release: {release}, requests: ["apt-get install cuda"]{held}}}
    request: apt-get dist-upgrade
    expect: {{excludes: [cuda-12-6]}}
"""


@pytest.mark.parametrize(("held", "passes"), [(", held: [cuda]", True), ("", False)])
def test_an_installed_state_holds_what_it_says(tmp_path: Path, held: str, passes: bool) -> None:
    twelve_five = os.path.relpath(bundled("releases") / "cuda-12.5.yaml", tmp_path)
    path = tmp_path / "held.yaml"
    path.write_text(_HELD.format(release=twelve_five, held=held))
    (result,) = Checker(load_release(bundled("releases") / "cuda-12.6.yaml")).run([path])
    assert result.passed is passes, result.failures


def test_resolve_holds_the_packages_given() -> None:
    twelve_five = str(bundled("releases") / "cuda-12.5.yaml")
    twelve_six = str(bundled("releases") / "cuda-12.6.yaml")
    words = ["resolve", "--target", "ubuntu2204", "--json", "--installed", "apt-get install cuda"]
    words += ["--installed-from", twelve_five]
    upgraded = {}
    for hold in ((), ("--held", "cuda")):
        request = ["--", twelve_six, "apt-get", "dist-upgrade"]
        result = CliRunner().invoke(app, [*words, *hold, *request])
        assert result.exit_code == 0, result.output
        upgraded[hold] = {p["name"] for p in json.loads(result.output)["upgrade"]}
    assert "cuda" in upgraded[()]
    assert "cuda" not in upgraded[("--held", "cuda")]
