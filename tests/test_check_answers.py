"""A check asks each question of its engine once, and workers answer some points of a
channel: the results are those of asking every request at every point in turn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from repogen.channel import Channel, load_channel, merge_releases
from repogen.check.run import Checker, CheckResult, assertion_files, check_channel
from repogen.data import DEFAULT_MODEL
from repogen.model import ModelErrors, Repository
from repogen.resolve import in_process
from repogen.resolve.request import Request, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe
from repogen.runtime.workers import Turns, forked
from tests.channel_history import write_history


@pytest.fixture(scope="module")
def channel() -> Channel:
    return load_channel(DEFAULT_MODEL)


def _files(channel: Channel) -> list[Path]:
    return assertion_files([], channel.at().assertions)


def _seen(result: CheckResult) -> tuple[object, ...]:
    """Everything a report shows of *result*, its resolution's why included."""
    return (
        result.assertion,
        result.source,
        result.target,
        result.arch,
        result.point,
        result.request,
        result.flavor,
        result.failures,
        result.resolution,
        result.resolution.why,
    )


def test_each_question_is_asked_once_and_answered_as_from_scratch(channel: Channel) -> None:
    asked: list[tuple[Repository, Request]] = []

    def engine(repository: Repository, universe: Universe, request: Request) -> Resolution:
        asked.append((repository, request))
        return in_process(repository, universe, request)

    checker = Checker(channel.at("cuda-12.6.0"), engine, channel=channel)
    results = checker.run(_files(channel))
    assert len(asked) == len(checker.answers) < len(results)
    for result in results:
        # Each result against the engine asked afresh with its own universe and request.
        (repository,) = [
            r
            for r in checker.release.repositories
            if (r.target_name, r.arch) == (result.target, result.arch)
        ]
        # A copy of the universe starts without the pools and caches the checker's requests
        # on it shared.
        fresh = in_process(repository, replace(result.universe), parse_request(result.request))
        assert (fresh, fresh.why) == (result.resolution, result.resolution.why), result


@pytest.mark.parametrize("count", [4, 1])
def test_workers_check_the_bundled_channel_as_one_process_does(
    channel: Channel, monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    files = _files(channel)
    points = channel.points[-count:]
    # Three processes, whatever the machine's CPUs: two workers.  Four points are shared out
    # point by point; one point in three shares of its repositories.
    monkeypatch.setattr("repogen.check.run.cpus", lambda: 3)
    shared = check_channel(channel, files, points=points, every_assertion_applies=True)
    monkeypatch.setenv("REPOGEN_WORKERS", "0")
    monkeypatch.setattr("repogen.check.run.cpus", lambda: 1)
    alone = check_channel(channel, files, points=points, every_assertion_applies=True)
    assert [r.point for r in shared] == sorted((r.point for r in shared), key=points.index)
    assert list(map(_seen, shared)) == list(map(_seen, alone))


ERRORS = """\
assertions:
  - id: newest
    description: an unknown variable, met at the newest point only
    targets: {target: ubuntu2204}
    when: {branch: {min: 565}}
    request: "apt-get install {nope}"
    expect: {ok: true}
  - id: middle
    description: an unknown variable, met at cuda-12.6.1 only
    targets: {target: ubuntu2204}
    at: cuda-12.6.1
    request: "apt-get install {other}"
    expect: {ok: true}
"""


@pytest.mark.parametrize("cpus", [1, 2, 3, 4])
def test_the_first_point_that_fails_is_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    """Whichever process checks which point, the error is the one checking each point in
    turn meets first."""
    history = load_channel(write_history(tmp_path / "history"))
    path = tmp_path / "errors.yaml"
    path.write_text(ERRORS)
    monkeypatch.setattr("repogen.check.run.cpus", lambda: cpus)
    with pytest.raises(ModelErrors, match=r"assertions\[1\]: unknown template variable \{other\}"):
        check_channel(history, [path])


def test_each_bundled_point_merged_from_the_one_before_is_merged_from_scratch(
    channel: Channel,
) -> None:
    """A merged view's packages are kept as they are when the next release is merged onto
    it: each point still holds what merging every release up to it at once does, down to
    the order of a module stream's artifacts."""
    for index, point in enumerate(channel.points):
        at_once = merge_releases(channel.releases[: index + 1], checked=True)
        step = channel.at(point)
        assert step == replace(at_once, source=step.source)
        for ours in step.repositories:
            # Merged views name each package's release (the first point is its release).
            named = {p.release for p in ours.packages}
            assert named <= set(channel.points[: index + 1]) if index else named == {None}


def test_a_point_asked_first_is_what_walking_every_point_gives(channel: Channel) -> None:
    """The newest point of a channel asked on its own (merged from every release at once)
    is the one a check walking every point reaches (merged from the point before)."""
    walked, fresh = (Channel(channel.name, channel.source, channel.releases) for _ in "ab")
    for point in channel.points:
        newest = walked.at(point)
    assert fresh.at() == newest


def test_each_turn_is_taken_once_by_one_process() -> None:
    turns = Turns(500)
    try:
        with forked(lambda: list(turns)) as worker:
            here = list(turns)
            there = worker.result()
    finally:
        turns.close()
    assert sorted(here + there) == list(range(500))


def test_more_turns_than_a_pipe_takes_at_once_are_refused() -> None:
    with pytest.raises(ValueError, match="at most 2048"):
        Turns(2049)
