"""`repogen check CHANNEL`: each assertion at every point of the history where it applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from repogen.channel import load_channel
from repogen.check.run import check_channel
from repogen.cli import app
from repogen.engine.real import RealEngine
from repogen.model import ModelErrors
from tests.channel_history import POINTS, write_history

ASSERTIONS = """\
assertions:
  - id: cuda-open-from-560
    description: from 560 on, apt-get install cuda installs the open kernel modules
    targets: {target: ubuntu2204, arch: x86_64}
    when: {branch: {min: 560}}
    request: apt-get install cuda
    expect: {flavor: open, includes: ["cuda-toolkit-{cuda_dash}"]}
  - id: cuda-proprietary-before-560
    description: before 560, apt-get install cuda installs the proprietary kernel modules
    targets: {target: ubuntu2204, arch: x86_64}
    when: {branch: {max: 559}}
    request: apt-get install cuda
    expect: {flavor: proprietary}
  - id: pinned-560-with-565-present
    description: the pinned 560 branch stays installable once 565 is out
    targets: {target: rhel9, arch: x86_64}
    at: driver-565.57.01
    request: dnf module install nvidia-driver:560-open
    expect: {flavor: open, modules: ["nvidia-driver:560-open"], excludes: ["*565*"]}
"""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_history(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def assertions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assertions") / "history.yaml"
    path.write_text(ASSERTIONS)
    return path


def test_each_assertion_runs_at_every_point_where_it_applies(
    history: Path, assertions: Path
) -> None:
    results = check_channel(load_channel(history), [assertions])
    ran = [(r.assertion, r.point, r.passed) for r in results]
    assert ran == [
        ("cuda-proprietary-before-560", "cuda-12.5.1", True),
        ("cuda-open-from-560", "cuda-12.6.0", True),
        ("cuda-open-from-560", "cuda-12.6.1", True),
        ("cuda-open-from-560", "driver-565.57.01", True),
        ("pinned-560-with-565-present", "driver-565.57.01", True),
    ]
    # At the driver-only point, `cuda` is still 12.6.1's, with 565's open driver.
    newest = results[3].resolution
    installed = {ref.name: ref.version for ref in newest.install}
    assert installed["cuda-toolkit-12-6"] == "12.6.1-1"
    assert installed["nvidia-open"] == "565.57.01-0ubuntu1"


def test_an_assertion_fails_at_the_point_where_it_does_not_hold(
    history: Path, tmp_path: Path
) -> None:
    path = tmp_path / "always-open.yaml"
    path.write_text(
        ASSERTIONS.replace("    when: {branch: {min: 560}}\n", "").split("  - id: cuda-prop")[0]
    )
    results = check_channel(load_channel(history), [path])
    assert [(r.point, r.passed) for r in results] == [
        ("cuda-12.5.1", False),
        ("cuda-12.6.0", True),
        ("cuda-12.6.1", True),
        ("driver-565.57.01", True),
    ]
    assert "kernel modules: proprietary, expected open" in results[0].failures[0]


def test_the_cli_names_the_point_in_text_json_and_junit(
    history: Path, assertions: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["check", str(history), str(assertions), "-v"])
    assert text.exit_code == 0, text.output
    assert "PASS cuda-open-from-560 ubuntu2204/amd64 at cuda-12.6.1: apt-get install cuda" in (
        text.output
    )
    assert text.output.rstrip().endswith("5 passed, 0 failed")
    report = tmp_path / "report.xml"
    as_json = runner.invoke(
        app, ["check", str(history), str(assertions), "--json", "--junit", str(report)]
    )
    assert as_json.exit_code == 0, as_json.output
    points = [(r["id"], r["point"]) for r in json.loads(as_json.output)["results"]]
    assert points[0] == ("cuda-proprietary-before-560", "cuda-12.5.1")
    cases = etree.parse(str(report)).findall(".//testcase")
    assert cases[0].get("name") == "ubuntu2204/amd64 at cuda-12.5.1: apt-get install cuda"
    assert cases[0].find("properties/property").get("value") == "cuda-12.5.1"


def test_check_at_one_point(history: Path, assertions: Path) -> None:
    result = CliRunner().invoke(
        app, ["check", str(history), str(assertions), "--at", "cuda-12.6.0", "--json"]
    )
    assert result.exit_code == 0, result.output
    ran = [(r["id"], r["point"]) for r in json.loads(result.output)["results"]]
    assert ran == [("cuda-open-from-560", "cuda-12.6.0")]


def test_an_unknown_at_is_an_error_at_its_line(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(ASSERTIONS.replace("at: driver-565.57.01", "at: driver-565"))
    with pytest.raises(ModelErrors, match=r"typo.yaml:\d+:\d+: assertions\[2\]\.at: no release"):
        check_channel(load_channel(history), [path])
    result = CliRunner().invoke(app, ["check", str(history), str(path)])
    assert result.exit_code == 2
    assert "it has cuda-12.5.1, cuda-12.6.0, cuda-12.6.1, driver-565.57.01" in result.output


def test_nothing_ran_is_exit_2(history: Path, tmp_path: Path) -> None:
    path = tmp_path / "never.yaml"
    path.write_text(
        ASSERTIONS.replace("when: {branch: {min: 560}}", "when: {branch: {min: 900}}")
        .replace("when: {branch: {max: 559}}", "when: {branch: {max: 100}}")
        .replace("at: driver-565.57.01", "at: driver-565.57.01\n    when: {branch: {max: 100}}")
    )
    result = CliRunner().invoke(app, ["check", str(history), str(path)])
    assert result.exit_code == 2, result.output
    assert "applies here" in result.output


def test_the_real_clients_agree_at_every_point(
    history: Path, assertions: Path, real_engine: RealEngine
) -> None:
    results = check_channel(load_channel(history), [assertions], real_engine)
    assert [(r.point, r.passed, r.failures) for r in results] == [
        (point, True, ()) for point in POINTS[:3] + POINTS[3:] * 2
    ]


UPGRADE = """\
assertions:
  - id: upgrade-cuda
    description: a machine installed at 12.5.1 runs `install cuda` once 12.6.0 is published
    targets: {target: [ubuntu2204, rhel9], arch: x86_64}
    at: cuda-12.6.0
    installed: {at: cuda-12.5.1, requests: ["{install} cuda"]}
    request: "{install} cuda"
    expect: {ok: true}
"""


def test_an_installed_state_from_an_earlier_point(
    history: Path, tmp_path: Path, real_engine: RealEngine
) -> None:
    """The machine NVIDIA's upgrade log shows (nvidia-packaging.md §7): installed from 12.5,
    meeting 12.6 in the same repository; apt drops the 12.5 metapackages and the proprietary
    555 stack for the open 560 one, and repogen agrees with the real clients."""
    path = tmp_path / "upgrade.yaml"
    path.write_text(UPGRADE)
    channel = load_channel(history)
    ours = check_channel(channel, [path])
    real = check_channel(channel, [path], real_engine)
    for mine, theirs in zip(ours, real, strict=True):
        assert (mine.target, mine.point, mine.passed) == (theirs.target, "cuda-12.6.0", True)
        for kind in ("install", "remove", "upgrade"):
            names = [sorted(r.name for r in getattr(x.resolution, kind)) for x in (mine, theirs)]
            assert names[0] == names[1], (mine.target, kind)
    ubuntu = ours[0].resolution
    assert {"cuda-drivers-555", "cuda-runtime-12-5", "nvidia-dkms-555"} <= {
        r.name for r in ubuntu.remove
    }
    assert "nvidia-dkms-560-open" in ubuntu.installed_names


def test_an_installed_state_names_a_file_or_a_point(history: Path) -> None:
    path = history.parent / "both.yaml"
    both = "{at: cuda-12.5.1, release: releases/cuda-12.5.yaml,"
    path.write_text(UPGRADE.replace("{at: cuda-12.5.1,", both))
    with pytest.raises(ModelErrors, match=r"installed\.at: an installed state names a release"):
        check_channel(load_channel(history), [path])
    path.write_text(UPGRADE.replace("{at: cuda-12.5.1,", "{at: cuda-11,"))
    with pytest.raises(ModelErrors, match=r"installed\.at: no release 'cuda-11' in the channel"):
        check_channel(load_channel(history), [path])


def test_resolve_from_a_machine_installed_at_an_earlier_point(history: Path) -> None:
    words = ["resolve", str(history), "--at", "cuda-12.6.0", "--target", "ubuntu2204", "--json"]
    installed = ["--installed", "apt-get install cuda", "--installed-at", "cuda-12.5.1"]
    result = CliRunner().invoke(app, [*words, *installed, "--", "apt-get", "install", "cuda"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert "cuda-drivers-555" in {r["name"] for r in answer["remove"]}
    assert answer["flavor"] == "open"
    unknown = CliRunner().invoke(
        app,
        [
            *words,
            "--installed",
            "apt-get install cuda",
            "--installed-at",
            "nope",
            "--",
            "apt-get",
            "install",
            "cuda",
        ],
    )
    assert unknown.exit_code == 2
    assert "--installed-at" in unknown.output
