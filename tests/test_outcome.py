"""One outcome type for a resolution, shared by `repogen recommend` and `repogen diff`, with the
kernel-module flavor as an enum whose values JSON output keeps as plain strings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from repogen.check.report import resolution_json
from repogen.check.run import Checker
from repogen.diff import DiffOptions, diff_releases
from repogen.diff.as_json import diff_json, json_text
from repogen.diff.resolution import outcomes, request_assertions
from repogen.model import KernelModuleFlavor, ReleaseModel, load_release
from repogen.recommend import recommendation_json
from repogen.recommend.commands import outcome
from repogen.recommend.gpus import load_supported_gpus
from repogen.recommend.recommendation import recommend
from repogen.resolve import resolve
from repogen.resolve.outcome import Outcome, OutcomeFlavor
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import universe_for

from .conftest import RELEASES
from .test_diff_kinds import DIFF_MODELS


def test_the_flavor_of_a_transaction() -> None:
    assert OutcomeFlavor.of([]) is OutcomeFlavor.NONE
    assert OutcomeFlavor.of([KernelModuleFlavor.OPEN]) is OutcomeFlavor.OPEN
    assert OutcomeFlavor.of([KernelModuleFlavor.PROPRIETARY] * 2) is OutcomeFlavor.PROPRIETARY
    assert (
        OutcomeFlavor.of([KernelModuleFlavor.OPEN, KernelModuleFlavor.PROPRIETARY])
        is OutcomeFlavor.MIXED
    )
    # Every kernel-module flavor is a flavor of an outcome, spelt the same.
    assert {f.value for f in KernelModuleFlavor} <= {f.value for f in OutcomeFlavor}
    assert [f.value for f in OutcomeFlavor] == ["open", "proprietary", "none", "mixed"]


@pytest.mark.parametrize(
    ("target", "command", "flavor", "kernel_modules"),
    [
        ("ubuntu2204", "apt-get install cuda", OutcomeFlavor.OPEN, ("nvidia-dkms-560-open",)),
        (
            "ubuntu2204",
            "apt-get install cuda-drivers",
            OutcomeFlavor.PROPRIETARY,
            ("nvidia-dkms-560",),
        ),
        ("ubuntu2204", "apt-get install cuda-toolkit-12-6", OutcomeFlavor.NONE, ()),
    ],
)
def test_recommend_and_diff_compute_one_outcome(
    release_12_6: ReleaseModel,
    target: str,
    command: str,
    flavor: OutcomeFlavor,
    kernel_modules: tuple[str, ...],
) -> None:
    """The outcome recommend proves a command with is the outcome the diff compares."""
    (repository,) = [r for r in release_12_6.repositories_of(target) if r.arch == "amd64"]
    proved = outcome(repository, command)
    (resolved,) = outcomes(release_12_6, [repository], [], request_assertions([command]))[
        (target, "amd64")
    ]
    assert isinstance(proved, Outcome)
    assert resolved.outcome == proved
    assert (proved.ok, proved.flavor, proved.kernel_modules) == (True, flavor, kernel_modules)
    assert proved.installs(flavor)
    assert set(kernel_modules) <= set(proved.install)


def test_a_failed_outcome_says_why_on_one_line(release_12_6: ReleaseModel) -> None:
    (repository,) = release_12_6.select(["ubuntu2204"], ["amd64"])
    failed = outcome(repository, "apt-get install no-such-package")
    assert (failed.ok, failed.flavor) == (False, OutcomeFlavor.NONE)
    assert failed.problem
    assert "\n" not in failed.problem
    assert failed.summary() == f"fails: {failed.problem}"
    assert not failed.installs(OutcomeFlavor.NONE)


def test_json_keeps_the_flavor_strings(release_12_6: ReleaseModel) -> None:
    (repository,) = release_12_6.select(["ubuntu2204"], ["amd64"])
    universe = universe_for(repository)
    flavor = universe.flavor(resolve(universe, parse_request("apt-get install cuda")))
    assert flavor is OutcomeFlavor.OPEN
    data = json.loads(json.dumps(resolution_json(Resolution(ok=True), flavor)))
    assert data["flavor"] == "open"
    supported = load_supported_gpus(RELEASES.parent / "supported-gpus.json")
    answer = recommend(release_12_6, repository, [0x2204], supported)
    assert answer.flavor is OutcomeFlavor.OPEN
    assert type(recommendation_json(answer, verify=True)["flavor"]) is str


def test_check_results_carry_the_outcome(release_12_6: ReleaseModel) -> None:
    checker = Checker(release_12_6)
    (assertion,) = request_assertions(["apt-get install cuda"])
    results = list(checker.check(assertion, Path("--request"), "--request"))
    assert results
    for result in results:
        assert result.flavor is result.outcome.flavor
        assert result.outcome.command == result.request


def test_the_diff_json_spells_outcomes_as_before() -> None:
    changes = diff_releases(
        load_release(DIFF_MODELS / "old.yaml"),
        load_release(DIFF_MODELS / "new.yaml"),
        DiffOptions(requests=("{install} driver",)),
    )
    data = json.loads(json_text(diff_json(changes)))
    (change, *_) = [c for r in data["repositories"] for c in r["resolutions"]]
    assert list(change["old"]) == [
        "ok",
        "flavor",
        "kernel_modules",
        "install",
        "remove",
        "modules",
        "problem",
    ]
    assert {change["old"]["flavor"], change["new"]["flavor"]} <= {f.value for f in OutcomeFlavor}
