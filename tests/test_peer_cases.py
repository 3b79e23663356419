"""Peer scenarios: the resolving steps of apt's and libsolv's own test suites, translated
(``tests/peers``), answered by repogen's resolvers as the upstream tests state and as the
real apt-get, zypper and dnf answer them.

``make peers`` runs this module alone and prints the figures of the README's "Peer scenarios".
"""

from __future__ import annotations

import pytest

from repogen.engine.real import RealEngine
from repogen.resolve import resolve

from .peers.cases import PeerCase, peer_cases, peer_skips

CASES = peer_cases()


def _param(case: PeerCase) -> object:
    return pytest.param(case, id=f"{case.suite}-{case.family}-{case.name}")


@pytest.mark.parametrize("peer", [_param(c) for c in CASES])
def test_in_process_resolution_matches_the_upstream_test(peer: PeerCase) -> None:
    case = peer.case()
    assert case.differences(resolve(case.universe, case.request)) == []


@pytest.mark.parametrize("peer", [_param(c) for c in CASES])
def test_real_client_answers_as_the_upstream_test(peer: PeerCase, real_engine: RealEngine) -> None:
    """The translation is faithful: the real client, given the translated repository, state
    and request, answers as the upstream test states.  (With the test above, the in-process
    resolver and the real client agree.)"""
    case = peer.case()
    real = real_engine(case.repository, case.universe, case.request)
    assert case.differences(real) == []


def test_every_skipped_step_says_why() -> None:
    skips = peer_skips()
    assert set(skips) == {"apt", "libsolv"}
    assert all(s["reason"] and s["step"] for steps in skips.values() for s in steps)
