"""Each semantic rule of apt, dnf and zypper, as a small data-driven case."""

from __future__ import annotations

import pytest

from repogen.resolve import resolve

from .resolver_cases import Case, all_cases

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.family}-{c.name}")
def test_in_process_resolution_matches_the_case(case: Case) -> None:
    assert case.differences(resolve(case.universe, case.request)) == []


def test_every_family_has_cases() -> None:
    assert {c.family.value for c in CASES} == {"deb", "rpm", "suse"}
    assert len(CASES) >= 50
