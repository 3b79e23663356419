"""Curated conformance: repogen's resolvers answer as the real apt-get, dnf and zypper do.

Every shipped assertion, on every target and architecture of both bundled releases, and every
resolver case of ``fixtures/resolver-cases`` is resolved in-process and by the real client
(:class:`~repogen.engine.real.RealEngine`); the install set, upgrades, removals and enabled
streams must be the same.  A case whose real behaviour repogen deliberately does not model says
why (``not_modelled``) and is a strict xfail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from repogen.check.run import Checker, assertion_files
from repogen.engine.real import RealEngine
from repogen.model import Repository, load_release
from repogen.resolve import resolve
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

from .conftest import RELEASES
from .differential.compare import differences
from .resolver_cases import Case, all_cases


@dataclass
class BothEngines:
    """A check engine answering in-process, that also asks the real client and records where
    the two disagree."""

    real: RealEngine
    asked: int = 0
    disagreements: list[str] = field(default_factory=list)

    def __call__(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        mine = resolve(universe, request)
        found = differences(mine, self.real(repository, universe, request))
        self.asked += 1
        if found:
            where = f"{repository.target_name}/{repository.arch} {request.text!r}"
            self.disagreements.append(f"{where}: {'; '.join(found)}")
        return mine


@pytest.mark.parametrize("release", ["cuda-12.5.yaml", "cuda-12.6.yaml"])
def test_every_shipped_assertion_resolves_as_the_real_client(
    release: str, real_engine: RealEngine
) -> None:
    model = load_release(RELEASES / release)
    both = BothEngines(real_engine)
    results = Checker(model, both).run(assertion_files([], model.assertions))
    assert both.disagreements == []
    assert both.asked > 150
    assert [r for r in results if not r.passed] == []


def _marked(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.not_modelled)] if case.not_modelled else []
    return pytest.param(case, id=f"{case.family}-{case.name}", marks=marks)


@pytest.mark.parametrize("case", [_marked(case) for case in all_cases()])
def test_every_resolver_case_resolves_as_the_real_client(
    case: Case, real_engine: RealEngine
) -> None:
    real = real_engine(case.repository, case.universe, case.request)
    assert differences(resolve(case.universe, case.request), real) == []
