"""What an upgrade does to a machine installed from the old release, once the new one is
published: the upgrade requests of the target's family (``apt-get upgrade``, ``apt-get
dist-upgrade``, ``dnf upgrade``, ``zypper update``, or those given) run on the new release's
repository, from the state an install request left on the old one.

The machines are those of the install requests the diff resolves: the plain installs
(``apt-get install cuda``, not a module install) of assertions that set up no installed state
of their own and run once (not ``foreach_package``), or every ``--request`` request.  A
request that fails on the old side sets up no machine.  Installed states are made as
``repogen resolve --installed`` makes them (:func:`repogen.resolve.session.apply`), and every
request is resolved by the diff's engine (:mod:`repogen.diff.closure`: repogen's resolvers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from repogen.check.declarations import Assertion, AssertionFile
from repogen.check.run import Checker
from repogen.diff.closure import ClosureEngine
from repogen.diff.resolution import REQUESTS, Key, problem_text
from repogen.diff.result import MachineUpgrade, PackageStep
from repogen.families import driver
from repogen.model import PackageSpec, ReleaseModel, Repository
from repogen.model.load import declarations
from repogen.model.source import load_document
from repogen.resolve.request import Action, parse_request
from repogen.resolve.result import PackageRef, Resolution
from repogen.resolve.session import apply
from repogen.resolve.universe import InstalledState, universe_for

#: The upgrade requests run by default; each runs on the targets of its client's family.
DEFAULT_UPGRADES = ("apt-get upgrade", "apt-get dist-upgrade", "dnf upgrade", "zypper update")


def _machine_assertions(
    files: Sequence[Path], requests: Sequence[Assertion]
) -> list[tuple[Assertion, Path]]:
    """The assertions whose requests set up machines: every ``--request`` one, else those of
    *files* that run once from nothing installed."""
    if requests:
        return [(assertion, REQUESTS) for assertion in requests]
    return [
        (assertion, file)
        for file in files
        for assertion in declarations(load_document(file), AssertionFile).assertions
        if assertion.installed is None and assertion.foreach_package is None
    ]


def _machines(
    release: ReleaseModel,
    repositories: Sequence[Repository],
    files: Sequence[Path],
    requests: Sequence[Assertion],
    engine: ClosureEngine,
) -> dict[Key, dict[str, InstalledState]]:
    """The machines *release*'s install requests set up on *repositories*, by (target, arch)
    and request, in the order the requests come."""
    checker = Checker(replace(release, repositories=tuple(repositories)), engine, engine)
    found: dict[Key, dict[str, InstalledState]] = {}
    for assertion, file in _machine_assertions(files, requests):
        for result in checker.check(assertion, file, str(file)):
            if not result.resolution.ok:
                continue
            request = parse_request(result.request)
            if not requests and request.action is not Action.INSTALL:
                continue
            states = found.setdefault((result.target, result.arch), {})
            if result.request not in states:
                states[result.request] = apply(result.universe, request, result.resolution)
    return found


class _Released:
    """The packages of the release repositories of one target and architecture, old and new:
    the only ones an upgrade reports (what the distribution supplies is left out, as in the
    resolutions, so that a built tree, whose base packages are only assumed, reports the
    same), and the newest version of each name and architecture the new one offers, as its
    family's clients compare versions."""

    def __init__(self, old: Repository, new: Repository) -> None:
        self.family = driver(new.family)
        self.names = {p.name for p in (*old.packages, *new.packages)}
        self.versions: dict[str, list[PackageSpec]] = {}
        for package in new.packages:
            self.versions.setdefault(package.name, []).append(package)

    def newer(self, installed: PackageSpec) -> str | None:
        """The newest version of *installed*'s name above its own, for its architecture (or
        architecture-independent, either way), if any.  A version that is no package version
        of the family (``0``, a base package assumed from metadata) compares with nothing."""
        if self.family.version_problem(installed.version) is not None:
            return None
        noarch, best = self.family.noarch, installed.version
        for package in self.versions.get(installed.name, ()):
            if noarch not in (package.arch, installed.arch) and package.arch != installed.arch:
                continue
            if self.family.compare_versions(package.version, best) > 0:
                best = package.version
        return None if best == installed.version else best


def _upgrade(
    installed: str,
    request: str,
    state: InstalledState,
    resolution: Resolution,
    released: _Released,
) -> MachineUpgrade:
    if not resolution.ok:
        return MachineUpgrade(installed, request, ok=False, reason=problem_text(resolution))
    before = {p.name: p for p in state.packages}
    touched = {r.name for r in (*resolution.upgrade, *resolution.remove)}
    kept = [p for p in state.packages if p.name in released.names and p.name not in touched]

    def ours(refs: tuple[PackageRef, ...]) -> list[PackageRef]:
        return sorted(r for r in refs if r.name in released.names)

    return MachineUpgrade(
        installed,
        request,
        ok=True,
        gains=tuple(ours(resolution.install)),
        loses=tuple(ours(resolution.remove)),
        upgrades=tuple(
            PackageStep(r.name, before[r.name].version, r.version, r.arch)
            for r in ours(resolution.upgrade)
        ),
        keeps=tuple(PackageRef(p.name, p.version, p.arch) for p in kept),
        held_back=tuple(
            PackageStep(p.name, p.version, newer, p.arch)
            for p in kept
            if (newer := released.newer(p)) is not None
        ),
    )


def machine_upgrades(
    old: ReleaseModel,
    before: Sequence[Repository],
    after: Sequence[Repository],
    checks: tuple[Sequence[Path], Sequence[Assertion]],
    upgrades: Sequence[str],
) -> dict[Key, tuple[MachineUpgrade, ...]]:
    """For each pair of *before* and *after* (the same target and architecture, in the same
    order), what each of *upgrades* (those of its family) does on the *after* one to each
    machine set up on the *before* one by *old*'s install requests (the assertions of
    ``checks[0]``, or the requests ``checks[1]``), by (target, arch).

    Raises RequestError for an upgrade request no client parses.
    """
    parsed = [parse_request(text) for text in upgrades]
    engine = ClosureEngine()
    found = _machines(old, before, *checks, engine)
    results: dict[Key, tuple[MachineUpgrade, ...]] = {}
    for previous, repository in zip(before, after, strict=True):
        key = (repository.target_name, repository.arch)
        states = found.get(key, {})
        ours = [r for r in parsed if r.family is repository.family]
        if not states or not ours:
            continue
        released = _Released(previous, repository)
        results[key] = tuple(
            _upgrade(
                installed,
                request.text,
                state,
                engine(repository, universe_for(repository, state), request),
                released,
            )
            for installed, state in states.items()
            for request in ours
        )
    return results
