"""Installed states from a channel's history: ``installed: {at: RELEASE, requests}`` in an
assertion, ``repogen resolve --installed-at RELEASE``.  A machine that installed CUDA while
12.5.1 was the newest release has ``cuda-12-5``; one that installed it at 12.6.0 has not.
A history is a list of such steps, each at its point on the machine the step before left
(``--installed-at`` repeated on the command line)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.channel import Channel, load_channel
from repogen.check.run import Checker, check_channel
from repogen.cli import app
from repogen.cli.resolve import installed_at_each
from repogen.data import bundled
from repogen.engine.real import RealEngine
from repogen.model import ModelErrors, load_release
from repogen.resolve.session import Step, installed_along
from repogen.resolve.universe import InstalledState
from tests.channel_history import write_history

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


# ---------------------------------------------------------------- histories of several steps
#: Ubuntu 20.04's migration to the open modules (nvidia-packaging.md §1) on a machine that
#: installed cuda at 12.5.1: step 1 at 565, then step 2.
_STEPS = """\
assertions:
  - id: step-2
    description: step 2 of the Ubuntu 20.04 migration
    targets: {{target: ubuntu2004, arch: x86_64}}
    {at}
    installed:
{steps}
    request: apt-get install nvidia-open
    expect: {{flavor: none, excludes: ["*"]}}
"""
_INSTALL = "      - {at: cuda-12.5.1, requests: [apt-get install cuda]}"
_STEP_1 = "      - {at: driver-565.57.01, requests: [apt-get install -V nvidia-kernel-source-open]}"


@pytest.fixture(scope="module")
def four_points(tmp_path_factory: pytest.TempPathFactory) -> Channel:
    return load_channel(write_history(tmp_path_factory.mktemp("history")))


def _history(directory: Path, steps: list[str], at: str | None = "driver-565.57.01") -> Path:
    path = directory / "history.yaml"
    line = f"at: {at}" if at else ""
    path.write_text(_STEPS.format(at=line, steps="\n".join(steps)))
    return path


def test_each_step_runs_at_its_point_on_the_machine_the_step_before_left(
    four_points: Channel, tmp_path: Path
) -> None:
    (result,) = check_channel(four_points, [_history(tmp_path, [_INSTALL, _STEP_1])])
    assert result.passed, result.failures
    # Step 1 already brought nvidia-open 565 and removed the 12.5 metapackages.
    machine = {p.name: p.version for p in result.universe.installed.packages}
    assert machine["nvidia-open"] == "565.57.01-1"
    assert "cuda-12-6" in machine
    assert not {"cuda-12-5", "cuda-drivers-555", "nvidia-kernel-source-555"} & machine.keys()


def test_without_step_1_the_request_is_step_1s(four_points: Channel, tmp_path: Path) -> None:
    (result,) = check_channel(four_points, [_history(tmp_path, [_INSTALL])])
    assert "nvidia-open is installed: nvidia-open (requested)" in result.failures


def test_one_step_in_a_list_is_the_mapping(four_points: Channel, tmp_path: Path) -> None:
    listed = check_channel(four_points, [_history(tmp_path, [_INSTALL])])
    mapping = _history(tmp_path, [])
    mapping.write_text(
        mapping.read_text().replace(
            "    installed:\n", "    installed: {at: cuda-12.5.1, requests: [apt-get install cuda]}"
        )
    )
    (alone,) = check_channel(four_points, [mapping])
    assert alone.universe.installed == listed[0].universe.installed
    assert alone.failures == listed[0].failures


def test_an_assertion_without_at_runs_from_its_historys_last_point_on(
    four_points: Channel, tmp_path: Path
) -> None:
    later = "      - {at: cuda-12.6.0, requests: [apt-get install cuda-drivers]}"
    results = check_channel(four_points, [_history(tmp_path, [_INSTALL, later], at=None)])
    assert [r.point for r in results] == ["cuda-12.6.0", "cuda-12.6.1", "driver-565.57.01"]


_BAD_STEP = "      - {at: cuda-12.6.0, requests: [apt-get install cuda]}"


@pytest.mark.parametrize(
    ("steps", "at", "line", "message"),
    [
        (
            [_INSTALL, "      - {at: cuda-9.9, requests: [apt-get install cuda]}"],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.at: no release 'cuda-9\.9' in the channel; it has cuda-12\.5\.1,",
        ),
        (
            [_BAD_STEP, _INSTALL],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.at: cuda-12\.5\.1 is earlier than the step before it "
            r"\(cuda-12\.6\.0\)",
        ),
        (
            [_INSTALL, _STEP_1],
            "cuda-12.6.0",
            8,
            r"installed\[1\]\.at: driver-565\.57\.01 is later than cuda-12\.6\.0, the point the "
            "request runs at: a machine cannot install from a repository that does not exist yet",
        ),
        (
            ["      - {requests: [apt-get install cuda]}", _INSTALL],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.at: cuda-12\.5\.1 is earlier than the step before it "
            r"\(driver-565\.57\.01\)",
        ),
        (
            ["      - {requests: [apt-get install cuda]}", _INSTALL],
            None,
            8,
            r"installed\[1\]\.at: cuda-12\.5\.1 is earlier than the step before it "
            r"\(the point the request runs at\)",
        ),
        (
            [
                _INSTALL,
                "      - {release: ../x.yaml, requests: [apt-get install cuda]}",
            ],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.release: \.\./x\.yaml is outside the model's directory",
        ),
        (
            [_INSTALL, "      - {at: cuda-12.6.0}"],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.requests: missing required key 'requests'",
        ),
        (
            [_INSTALL, "      - {at: cuda-12.6.0, request: [apt-get install cuda]}"],
            "driver-565.57.01",
            8,
            r"installed\[1\]\.request: unknown key 'request'",
        ),
        (
            ["      []"],
            "driver-565.57.01",
            6,
            r"assertions\[0\]\.installed: value should have at least 1 item after validation",
        ),
    ],
)
def test_a_bad_history_is_an_error_at_its_line(
    four_points: Channel,
    tmp_path: Path,
    steps: list[str],
    at: str | None,
    line: int,
    message: str,
) -> None:
    path = _history(tmp_path, steps, at)
    with pytest.raises(ModelErrors, match=rf"(?m)^{re.escape(str(path))}:{line}:\d+: .*{message}"):
        check_channel(four_points, [path])
    channel = Path(four_points.source)
    result = CliRunner().invoke(app, ["check", str(channel), str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.output
    assert "Traceback" not in result.output


def _same_machine(ours: InstalledState, theirs: InstalledState) -> None:
    assert {(p.name, p.version) for p in ours.packages} == {
        (p.name, p.version) for p in theirs.packages
    }
    assert dict(ours.streams) == dict(theirs.streams)
    assert dict(ours.profiles) == dict(theirs.profiles)


@pytest.mark.parametrize(
    ("target", "steps"),
    [
        (
            "ubuntu2004",
            [
                ("cuda-12.5.1", ("apt-get install cuda",)),
                ("driver-565.57.01", ("apt-get install -V nvidia-kernel-source-open",)),
            ],
        ),
        (
            "rhel9",
            [
                ("cuda-12.5.1", ("dnf install cuda",)),
                (
                    "driver-565.57.01",
                    ("dnf module reset nvidia-driver", "dnf install --allowerasing nvidia-open"),
                ),
            ],
        ),
    ],
)
def test_the_real_clients_reach_the_same_machine(
    four_points: Channel,
    real_engine: RealEngine,
    target: str,
    steps: list[tuple[str, tuple[str, ...]]],
) -> None:
    history = [
        Step(four_points.at(point).select([target], ["x86_64"])[0], requests)
        for point, requests in steps
    ]
    ours = installed_along(history)
    theirs = installed_along(history, answer=real_engine)
    _same_machine(ours, theirs)
    # The history moved the machine: it is not what step 1 alone left.
    assert ours != installed_along(history[:1])


def _resolve_in(channel: Channel, *words: str) -> tuple[int, str]:
    command = ["resolve", channel.source, "--target", "ubuntu2004", "--arch", "x86_64", "--json"]
    request = ["--", "apt-get", "install", "nvidia-open"]
    result = CliRunner().invoke(app, [*command, *words, *request], env={"COLUMNS": "300"})
    return result.exit_code, result.output


_CLI_INSTALL = ("--installed-at", "cuda-12.5.1", "--installed", "apt-get install cuda")
_CLI_STEP_1 = ("--installed-at", "driver-565.57.01")
_CLI_STEP_1 += ("--installed", "apt-get install -V nvidia-kernel-source-open")


def test_resolve_runs_each_installed_request_at_the_installed_at_before_it(
    four_points: Channel,
) -> None:
    code, output = _resolve_in(four_points, *_CLI_INSTALL, *_CLI_STEP_1)
    assert code == 0, output
    assert json.loads(output)["install"] == []
    # Both requests at 12.5.1: step 1 then has no open kernel source to install.
    code, output = _resolve_in(
        four_points, *_CLI_INSTALL, "--installed", "apt-get install cuda-drivers"
    )
    assert code == 0, output
    assert "nvidia-open" in [p["name"] for p in json.loads(output)["install"]]


def test_resolve_refuses_a_history_going_back_in_time(four_points: Channel) -> None:
    code, output = _resolve_in(four_points, *_CLI_STEP_1, *_CLI_INSTALL)
    assert code == 2, output
    assert "cuda-12.5.1 is earlier than the step before it (driver-565.57.01)" in output
    code, output = _resolve_in(four_points, "--at", "cuda-12.6.0", *_CLI_INSTALL, *_CLI_STEP_1)
    assert code == 2, output
    assert "driver-565.57.01 is later than cuda-12.6.0" in output


@pytest.mark.parametrize(
    ("given", "groups"),
    [
        # One --installed-at, wherever it is, covers every request (as before histories).
        (["installed", "installed", "installed_at"], [("A", ("r1", "r2"))]),
        (["installed_at", "installed", "installed"], [("A", ("r1", "r2"))]),
        # Several: each request at the one before it; one before the first at the first.
        (
            ["installed", "installed_at", "installed_at", "installed", "held"],
            [("A", ("r1",)), ("B", ("r2",))],
        ),
    ],
)
def test_installed_requests_group_by_the_installed_at_before_them(
    given: list[str], groups: list[tuple[str, tuple[str, ...]]]
) -> None:
    points = ["A", "B"][: given.count("installed_at")]
    requests = [f"r{n + 1}" for n in range(given.count("installed"))]
    assert installed_at_each(given, requests, points) == groups
    assert installed_at_each(["installed"], ["r1"], []) == [(None, ("r1",))]


def test_a_hold_stays_for_the_steps_after(four_points: Channel) -> None:
    def nvidia_settings(held: frozenset[str]) -> str:
        install = Step(
            four_points.at("cuda-12.5.1").select(["ubuntu2204"], ["x86_64"])[0],
            ("apt-get install cuda",),
            held,
        )
        upgrade = Step(
            four_points.at("driver-565.57.01").select(["ubuntu2204"], ["x86_64"])[0],
            ("apt-get upgrade",),
        )
        state = installed_along([install, upgrade])
        assert state.held == held
        return next(p.version for p in state.packages if p.name == "nvidia-settings")

    assert nvidia_settings(frozenset()).startswith("565.")
    assert nvidia_settings(frozenset({"nvidia-settings"})).startswith("555.")
