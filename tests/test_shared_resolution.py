"""What requests on one universe share (its libsolv pools, apt's numbering of its packages)
changes no answer, and stays with that universe; the collector's pause leaves what it made
to a full collection."""

from __future__ import annotations

import gc
import pickle
import weakref
from dataclasses import replace

import pytest

from repogen.model import ReleaseModel
from repogen.resolve import resolve
from repogen.resolve.request import parse_request
from repogen.resolve.session import installed_by
from repogen.resolve.universe import InstalledState, universe_for
from repogen.runtime.collector import collector_paused

#: Requests asked in turn on one universe of each target: module streams enabled and not,
#: recommends on and off, removals (a pool of the installed packages alone).
REQUESTS = {
    ("rhel8", ()): [
        "dnf module install nvidia-driver:open-dkms",
        "dnf install cuda",
        "dnf module install nvidia-driver:latest-dkms",
        "dnf install --setopt=install_weak_deps=False cuda",
        "dnf module install nvidia-driver:open-dkms",
    ],
    ("rhel8", ("dnf module install nvidia-driver:latest-dkms",)): [
        "dnf module switch-to nvidia-driver:open-dkms --allowerasing",
        "dnf remove nvidia-driver",
        "dnf install cuda",
        "dnf upgrade",
        "dnf module switch-to nvidia-driver:open-dkms --allowerasing",
    ],
    ("ubuntu2004", ()): [
        "apt-get install cuda",
        "apt-get install nvidia-open",
        "apt-get install --no-install-recommends cuda",
        "apt-get install cuda",
    ],
    ("ubuntu2004", ("apt-get install cuda",)): [
        "apt-get install nvidia-open",
        "apt-get remove nvidia-kernel-common-560",
        "apt-get install nvidia-driver-560",
        "apt-get install nvidia-open",
    ],
    ("sles15", ()): ["zypper install cuda", "zypper install --no-recommends cuda"],
    ("sles15", ("zypper install cuda",)): [
        "zypper remove nvidia-compute-G06",
        "zypper install cuda",
        "zypper remove nvidia-compute-G06",
    ],
}


@pytest.mark.parametrize(("target", "setup"), list(REQUESTS), ids=str)
def test_requests_on_one_universe_answer_as_each_on_its_own(
    release_12_6: ReleaseModel, target: str, setup: tuple[str, ...]
) -> None:
    (repository, *_) = release_12_6.repositories_of(target)
    state = installed_by(repository, setup)
    shared = universe_for(repository, state)
    for text in REQUESTS[(target, setup)]:
        request = parse_request(text)
        alone = resolve(universe_for(repository, state), request)
        together = resolve(shared, request)
        assert (together, together.why) == (alone, alone.why), text
    assert shared.memo


def test_a_universe_makes_what_it_shares_once_and_keeps_it_to_itself(
    release_12_6: ReleaseModel,
) -> None:
    (repository, *_) = release_12_6.repositories_of("rhel8")
    universe = universe_for(repository)
    made: list[object] = []

    def make() -> object:
        made.append(object())
        return made[-1]

    first = universe.shared("key", make)
    assert universe.shared("key", make) is first
    assert made == [first]
    resolve(universe, parse_request("dnf install cuda"))
    # Copies start afresh: a pickled one (a worker's result), one made with replace.
    for copy in (pickle.loads(pickle.dumps(universe)), replace(universe)):
        assert copy == universe
        assert copy.memo == {}
    assert replace(universe, installed=InstalledState()).memo == {}


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_what_a_paused_collector_saw_made_waits_for_a_full_collection() -> None:
    with collector_paused():
        kept = [_Cycle() for _ in range(3)]
        cycle = weakref.ref(_Cycle())
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in kept)
    gc.collect(0)
    assert cycle() is not None
    gc.collect()
    assert cycle() is None
