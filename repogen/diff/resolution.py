"""What installs resolve to before and after.

Resolution changes come from running requests on both sides with repogen's resolvers through
the assertion checker: the assertions of the given files (default: the bundled ones) or, when
given, plain requests (``--request``; ``{install}`` and the release's template variables are
filled in).  A request is compared when it applies to the repository on both sides (its
assertion's targets and ``when`` hold on both); the two are matched by assertion, target,
architecture and request text with the release numbers normalised (``apt-get install
cuda-toolkit-12-5`` ↔ ``cuda-toolkit-12-6``).  Plain installs are resolved over what they can
reach (:mod:`repogen.diff.closure`), with the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from repogen.check.declarations import Assertion, Expectation, TargetSelector
from repogen.check.run import Checker
from repogen.diff.closure import ClosureEngine
from repogen.diff.normalise import Normaliser
from repogen.diff.result import ResolutionChange, SetChange
from repogen.model import ReleaseModel, Repository
from repogen.resolve.outcome import Outcome
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution

#: The pseudo assertion file of ``--request`` requests (relative setups are never read).
REQUESTS = Path("--request")

Key = tuple[str, str]


def request_assertions(requests: Sequence[str]) -> list[Assertion]:
    """Assertions that only run *requests* on every target of their client's family.

    Raises RequestError for a request no client parses.
    """
    assertions = []
    for index, text in enumerate(requests, 1):
        client = text.split(maxsplit=1)[0] if text.strip() else ""
        families = None if client == "{install}" else [parse_request(f"{client} install x").family]
        assertions.append(
            Assertion(
                id=f"request-{index}",
                description=text,
                targets=TargetSelector(family=families),
                request=text,
                expect=Expectation(),
            )
        )
    return assertions


@dataclass(frozen=True)
class Resolved:
    """One request of one assertion on one repository, and its outcome."""

    assertion: str
    request: str
    outcome: Outcome


def outcomes(
    release: ReleaseModel,
    repositories: Sequence[Repository],
    files: Sequence[Path],
    requests: Sequence[Assertion],
) -> dict[Key, list[Resolved]]:
    """The outcomes of *requests* (else of the assertion *files*) on *repositories*, by
    (target, arch)."""
    engine = ClosureEngine()
    checker = Checker(replace(release, repositories=tuple(repositories)), engine, engine)
    results = (
        [r for a in requests for r in checker.check(a, REQUESTS, str(REQUESTS))]
        if requests
        else checker.run(files)
    )
    grouped: dict[Key, list[Resolved]] = {}
    for result in results:
        key = (result.target, result.arch)
        grouped.setdefault(key, []).append(
            Resolved(result.assertion, result.request, result.outcome)
        )
    return grouped


def problem_text(resolution: Resolution) -> str:
    """The client's complaint about a failed *resolution*, on one line."""
    return " ".join(line.strip() for line in resolution.problems if line.strip())


def _change(
    old: Resolved, new: Resolved, normal: tuple[Normaliser, Normaliser]
) -> ResolutionChange | None:
    before, after = old.outcome, new.outcome
    install = SetChange.between(before.install, after.install, *normal)
    remove = SetChange.between(before.remove, after.remove, *normal)
    modules = SetChange.between(before.modules, after.modules, *normal)
    if before.ok == after.ok and (
        not before.ok or (before.flavor == after.flavor and not (install or remove or modules))
    ):
        return None
    return ResolutionChange(
        new.request, old.request, (new.assertion,), before, after, install, remove
    )


def resolution_changes(
    old: Sequence[Resolved], new: Sequence[Resolved], normal: tuple[Normaliser, Normaliser]
) -> tuple[ResolutionChange, ...]:
    """Requests of one repository whose outcome changed; one entry per distinct change,
    naming every assertion that showed it."""
    before = {(r.assertion, normal[0](r.request)): r for r in old}
    merged: dict[ResolutionChange, list[str]] = {}
    for result in new:
        previous = before.get((result.assertion, normal[1](result.request)))
        if previous is None:
            continue
        change = _change(previous, result, normal)
        if change is not None:
            merged.setdefault(replace(change, assertions=()), []).append(result.assertion)
    return tuple(
        sorted(
            (replace(change, assertions=tuple(sorted(set(ids)))) for change, ids in merged.items()),
            key=lambda c: (c.request, c.assertions),
        )
    )
