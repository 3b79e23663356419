"""The diff's closure engine answers every request as the resolvers do over the whole
repository: plain installs of every package, and module installs of every stream and profile."""

from __future__ import annotations

import pytest

from repogen.check.run import INSTALL
from repogen.diff import closure
from repogen.model import Repository, load_release
from repogen.resolve import resolve
from repogen.resolve.request import Request, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe, universe_for

from .conftest import RELEASES


def _requests(repository: Repository) -> list[str]:
    install = INSTALL[repository.family]
    requests = [f"{install} {p.name}" for p in repository.packages]
    for module in repository.modules:
        requests.append(f"dnf module install {module.name}")
        for stream in module.streams:
            requests.append(f"dnf module install {module.name}:{stream.name}")
            requests += [
                f"dnf module install {module.name}:{stream.name}/{profile}"
                for profile in stream.profiles
            ]
    return requests


@pytest.mark.parametrize("version", ["12.5", "12.6"])
def test_closure_engine_answers_as_the_whole_repository(
    version: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the engine resolves, first over the closure: a request that succeeds must not need
    # the whole universe (a failure is resolved again over it, which would hide a closure that
    # is too small).
    answers: list[Resolution] = []

    def spy(universe: Universe, request: Request) -> Resolution:
        answers.append(resolve(universe, request))
        return answers[-1]

    monkeypatch.setattr(closure, "resolve", spy)
    engine = closure.ClosureEngine()
    for repository in load_release(RELEASES / f"cuda-{version}.yaml").repositories:
        universe = universe_for(repository)
        for text in _requests(repository):
            request = parse_request(text)
            expected = resolve(universe, request)
            answers.clear()
            assert engine(repository, universe, request) == expected, text
            assert answers[0] == expected or not expected.ok, text
