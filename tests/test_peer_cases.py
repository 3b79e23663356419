"""Peer scenarios: the resolving steps of apt's and libsolv's own test suites, translated
(``tests/peers``), answered by repogen's resolvers as the upstream tests state and as the
real apt-get and zypper answer them.

A step pending on a rule another change brings (``needs``) is a strict xfail naming it.  The
real clients answer every step with ``REPOGEN_PEERS=all`` (``make peers``); otherwise one step
in ``REPOGEN_PEERS_EVERY`` (default 4) of each suite.
"""

from __future__ import annotations

import os

import pytest

from repogen.engine.real import RealEngine
from repogen.resolve import resolve

from .differential.compare import differences
from .peers.cases import PeerCase, peer_cases, peer_skips

CASES = peer_cases()
_EVERY = (
    1
    if os.environ.get("REPOGEN_PEERS") == "all"
    else int(os.environ.get("REPOGEN_PEERS_EVERY", "4"))
)


def _param(case: PeerCase) -> object:
    marks = []
    if case.needs:
        marks.append(pytest.mark.xfail(strict=True, reason=f"pending: {case.needs}"))
    return pytest.param(case, id=f"{case.suite}-{case.name}", marks=marks)


@pytest.mark.parametrize("peer", [_param(c) for c in CASES])
def test_in_process_resolution_matches_the_upstream_test(peer: PeerCase) -> None:
    case = peer.case()
    assert case.differences(resolve(case.universe, case.request)) == []


@pytest.mark.parametrize("peer", [_param(c) for i, c in enumerate(CASES) if i % _EVERY == 0])
def test_real_client_answers_as_upstream_and_in_process(
    peer: PeerCase, real_engine: RealEngine
) -> None:
    case = peer.case()
    real = real_engine(case.repository, case.universe, case.request)
    assert case.differences(real) == [], "the real client answers otherwise than upstream states"
    assert differences(resolve(case.universe, case.request), real) == []


def test_every_skipped_step_says_why() -> None:
    skips = peer_skips()
    assert set(skips) == {"apt", "libsolv"}
    assert all(s["reason"] and s["step"] for steps in skips.values() for s in steps)
