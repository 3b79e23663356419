"""Differential conformance: on random small repositories, repogen's resolvers answer as the
real apt-get, dnf and zypper do.

:mod:`tests.differential.strategies` draws a universe and a request per family; each is
published with repogen and resolved in-process and by the real client.  The run is
reproducible (``derandomize``, no example database): :data:`EXAMPLES` examples per family,
200 by default, more with ``REPOGEN_DIFFERENTIAL_EXAMPLES`` (``make conformance``).  A
disagreement fails with the example as resolver-case data, to be minimised into
``fixtures/resolver-cases/<family>.yaml``.

The injected-bug tests prove the comparison can fail: with apt's or-groups tried last
alternative first, a curated case and a small differential run both disagree with apt-get.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings

from repogen.engine.real import RealEngine
from repogen.families.deb.resolver import _Marker
from repogen.model import Family
from repogen.resolve import resolve
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

from .differential.compare import differences
from .differential.strategies import scenario
from .resolver_cases import all_cases, case_of

#: Examples per family.
EXAMPLES = int(os.environ.get("REPOGEN_DIFFERENTIAL_EXAMPLES", "200"))

#: The budget of the injected-bug run: it stops at its first disagreement (the 150th example
#: of this budget; a reversed or-group changes about one example in a hundred).
EXAMPLES_WITH_BUG = 1000

Resolver = Callable[[Universe, Request], Resolution]


class _CaseDumper(yaml.SafeDumper):
    """Writes an example as it is pasted into a resolver-case file: no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass
class Tally:
    """What one differential run saw: examples, and the disagreements as case data."""

    family: Family
    examples: int = 0
    disagreements: int = 0

    def __str__(self) -> str:
        return f"{self.family}: {self.examples} examples, {self.disagreements} disagreements"


def compare(
    engine: RealEngine,
    family: Family,
    data: dict[str, Any],
    tally: Tally,
    resolver: Resolver = resolve,
) -> list[str]:
    """How the real client's answer to example *data* differs from *resolver*'s."""
    case = case_of(family, data)
    found = differences(
        resolver(case.universe, case.request),
        engine(case.repository, case.universe, case.request),
    )
    tally.examples += 1
    tally.disagreements += bool(found)
    return found


def run(
    engine: RealEngine,
    family: Family,
    examples: int,
    resolver: Resolver = resolve,
    shrink: bool = True,
) -> Tally:
    """*examples* examples of *family*; raises on the first disagreement, with the (shrunk)
    example as resolver-case data."""
    tally = Tally(family)
    phases = (Phase.generate, Phase.shrink) if shrink else (Phase.generate,)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )
    @given(scenario(family))
    def agree(data: dict[str, Any]) -> None:
        note(yaml.dump(data, Dumper=_CaseDumper, sort_keys=False))
        assert compare(engine, family, data, tally, resolver) == []

    agree()
    return tally


@pytest.mark.parametrize("family", list(Family), ids=str)
def test_in_process_agrees_with_the_real_client(family: Family, real_engine: RealEngine) -> None:
    tally = run(real_engine, family, EXAMPLES)
    print(tally)
    assert tally.examples >= min(EXAMPLES, 200)


def _last_alternative_first(
    solutions: Callable[..., list[Any]],
) -> Callable[..., list[Any]]:
    """apt's or-groups tried from the last alternative: the injected bug."""

    def wrong(*arguments: Any, **keywords: Any) -> list[Any]:
        return list(reversed(solutions(*arguments, **keywords)))

    return wrong


@pytest.fixture
def injected_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_Marker, "solutions", _last_alternative_first(_Marker.solutions))


@pytest.mark.usefixtures("injected_bug")
def test_an_injected_bug_fails_a_curated_case(real_engine: RealEngine) -> None:
    (case,) = [c for c in all_cases() if c.name == "first-alternative-wins"]
    real = real_engine(case.repository, case.universe, case.request)
    assert differences(resolve(case.universe, case.request), real) != []


@pytest.mark.usefixtures("injected_bug")
def test_an_injected_bug_fails_the_differential_run(real_engine: RealEngine) -> None:
    with pytest.raises(AssertionError, match="in-process"):
        run(real_engine, Family.DEB, EXAMPLES_WITH_BUG, shrink=False)
