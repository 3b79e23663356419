"""One target selector: a package's ``when`` (model) and an assertion's ``targets`` (check) are
one type with one evaluation, and both YAML formats read as they always did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from repogen.check.declarations import Assertion, Expectation, TargetSelector
from repogen.check.run import Checker
from repogen.model import ReleaseModel
from repogen.model.declarations import Package, When

SELECTORS: list[dict[str, Any]] = [
    {},
    {"family": ["deb"]},
    {"family": ["rpm", "suse"], "arch": ["aarch64"]},
    {"distro": ["ubuntu"], "drivers": True},
    {"target": ["rhel8", "rhel9"]},
    {"modular": True},
    {"modular": False, "drivers": True},
    {"drivers": False},
]


def test_when_is_a_target_selector_with_kernel_flavors() -> None:
    assert issubclass(When, TargetSelector)
    assert set(When.model_fields) - set(TargetSelector.model_fields) == {"kernel"}


def test_both_formats_read_as_before() -> None:
    assertion = Assertion.model_validate(
        {
            "id": "a",
            "description": "d",
            "targets": {"family": ["deb"], "drivers": True},
            "request": "{install} cuda",
            "expect": {},
        }
    )
    assert assertion.targets == TargetSelector.model_validate({"family": ["deb"], "drivers": True})
    package = Package.model_validate(
        {
            "name": "p",
            "version": "v",
            "summary": "s",
            "when": {"distro": ["sles"], "kernel": ["azure"]},
        }
    )
    assert package.when == When.model_validate({"distro": ["sles"], "kernel": ["azure"]})
    # An assertion selects repositories, not kernel flavors: its format has no kernel.
    with pytest.raises(ValidationError):
        TargetSelector.model_validate({"kernel": ["azure"]})


@pytest.mark.parametrize("conditions", SELECTORS, ids=str)
def test_one_evaluation_for_the_model_and_the_checker(
    release_12_6: ReleaseModel, conditions: dict[str, Any]
) -> None:
    selector = TargetSelector.model_validate(conditions)
    when = When.model_validate(conditions)
    selected = [r for r in release_12_6.repositories if selector.selects(r)]
    assert [r for r in release_12_6.repositories if when.applies(r, "default")] == selected
    assert not When.model_validate({**conditions, "kernel": ["azure"]}).applies(
        release_12_6.repositories[0], "default"
    )
    # The checker runs an assertion on exactly the repositories its selector selects.
    assertion = Assertion(
        id="selected",
        description="runs where selected",
        targets=selector,
        request="{install} cuda",
        expect=Expectation(),
    )
    results = Checker(release_12_6).check(assertion, Path("x.yaml"), "x.yaml:1")
    assert [(r.target, r.arch) for r in results] == [(r.target_name, r.arch) for r in selected]


def test_the_model_expands_packages_where_their_when_applies(release_12_6: ReleaseModel) -> None:
    """``nvidia-kernel-common-{branch}`` is declared ``when: {distro: [ubuntu], drivers: true}``
    (fixtures/releases/common/packages.yaml): it exists exactly where that selects."""
    when = When.model_validate({"distro": ["ubuntu"], "drivers": True})
    having = [r for r in release_12_6.repositories if r.package("nvidia-kernel-common-560")]
    assert having
    assert having == [r for r in release_12_6.repositories if when.applies(r, "default")]
