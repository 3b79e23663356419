"""Two releases compared repository by repository: the entry point of the diff.

The parts that need one release or one repository pair only run in forked workers
(:mod:`repogen.runtime.workers`): each side's requests, and installability shared out by repository;
the packages are compared here meanwhile.  :func:`comparing` starts on the old release before
the new one is given, so that its requests resolve while the new one loads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from repogen.check.declarations import Assertion
from repogen.check.run import assertion_files
from repogen.diff.features import kernel_flavors, module_changes, patterns
from repogen.diff.installability import regressions
from repogen.diff.normalise import Normaliser, ReleaseNumbers
from repogen.diff.packages import (
    Pairing,
    RelationTexts,
    candidates,
    pair,
    relation_changes,
    renames,
)
from repogen.diff.resolution import (
    Key,
    Resolved,
    outcomes,
    request_assertions,
    resolution_changes,
)
from repogen.diff.result import (
    PackageVersion,
    Regression,
    ReleaseDiff,
    RepositoryDiff,
    ResolutionChange,
    SetChange,
    Status,
    VersionChange,
)
from repogen.model import Family, ReleaseModel, Repository
from repogen.runtime.collector import collector_paused
from repogen.runtime.workers import Forked, cpus, forked


@dataclass(frozen=True)
class DiffOptions:
    """What to compare: targets and families (all when empty), and which requests to resolve
    (``requests`` replace the assertions of ``assertion_files``, default those the old
    release names)."""

    targets: tuple[str, ...] = ()
    families: tuple[Family, ...] = ()
    requests: tuple[str, ...] = ()
    assertion_files: tuple[Path, ...] = ()


def _selected(release: ReleaseModel, options: DiffOptions) -> dict[Key, Repository]:
    return {
        (r.target_name, r.arch): r
        for r in release.repositories
        if (not options.targets or r.target_name in options.targets)
        and (not options.families or r.family in options.families)
    }


@dataclass(frozen=True)
class _Sides:
    """Both releases, with what every repository comparison needs from them."""

    numbers: ReleaseNumbers
    texts: RelationTexts

    @property
    def normal(self) -> tuple[Normaliser, Normaliser]:
        return self.numbers.old, self.numbers.new


def _pairing(old: Repository, new: Repository, sides: _Sides) -> Pairing:
    return pair(
        candidates(old.packages, old.family),
        candidates(new.packages, new.family),
        sides.numbers,
    )


def _repository(
    old: Repository, new: Repository, pairing: Pairing, sides: _Sides
) -> RepositoryDiff:
    """What changed from *old* to *new*, but for how requests resolve and what is no longer
    installable."""
    old_normal, new_normal = sides.normal
    same_name = [(a, b) for a, b, link in pairing.pairs if link is None]
    return RepositoryDiff(
        target=new.target_name,
        arch=new.arch,
        family=new.family,
        status=Status.CHANGED,
        added=tuple(PackageVersion(p.name, p.version) for p in pairing.added),
        removed=tuple(PackageVersion(p.name, p.version) for p in pairing.removed),
        renamed=renames(pairing),
        versions=tuple(
            VersionChange(b.name, a.version, b.version)
            for a, b in same_name
            if a.version != b.version
        ),
        relations=tuple(
            change
            for a, b, _ in pairing.pairs
            if (change := relation_changes(a, b, old_normal, new_normal, sides.texts))
        ),
        modules=module_changes(old.modules, new.modules, sides.numbers),
        patterns=SetChange.between(patterns(old.packages), patterns(new.packages)),
        kernel_flavors=SetChange.between(
            kernel_flavors(old.packages), kernel_flavors(new.packages)
        ),
    )


def _finished(
    diff: RepositoryDiff,
    resolutions: tuple[ResolutionChange, ...],
    regressed: tuple[Regression, ...],
) -> RepositoryDiff:
    """*diff* with its resolution changes and regressions; unchanged when it has no change
    at all."""
    diff = replace(diff, resolutions=resolutions, regressions=regressed)
    details = (
        diff.added,
        diff.removed,
        diff.renamed,
        diff.versions,
        diff.relations,
        diff.modules,
        diff.patterns,
        diff.kernel_flavors,
        diff.resolutions,
        diff.regressions,
    )
    return (
        diff
        if any(details)
        else RepositoryDiff(diff.target, diff.arch, diff.family, Status.UNCHANGED)
    )


def _regressions(
    keys: list[Key],
    pairings: dict[Key, Pairing],
    before: dict[Key, Repository],
    after: dict[Key, Repository],
) -> dict[Key, tuple[Regression, ...]]:
    return {k: regressions(pairings[k].pairs, before[k], after[k]) for k in keys}


def _shares(sizes: dict[Key, int], count: int) -> list[list[Key]]:
    """The keys of *sizes* in at most *count* shares of about the same total size: the
    largest first, each to the smallest share so far."""
    shares: list[list[Key]] = [[] for _ in range(min(count, len(sizes)))]
    totals = [0] * len(shares)
    for key in sorted(sizes, key=lambda k: (-sizes[k], k)):
        smallest = totals.index(min(totals))
        shares[smallest].append(key)
        totals[smallest] += sizes[key]
    return shares


def diff_releases(
    old: ReleaseModel, new: ReleaseModel, options: DiffOptions = DiffOptions()
) -> ReleaseDiff:
    """Everything that changed from *old* to *new*, per target and architecture.

    Raises LookupError for a ``targets`` entry neither release has, RequestError for a request
    no client parses, and ModelErrors for an assertion file that does not load.
    """
    with comparing(old, options) as against:
        return against(new)


@contextmanager
def comparing(
    old: ReleaseModel, options: DiffOptions = DiffOptions()
) -> Iterator[Callable[[ReleaseModel], ReleaseDiff]]:
    """The diff from *old* to a release still to come (:func:`diff_releases`, given the new
    release): a worker resolves *old*'s requests from the start, while the new release may
    still be loading.

    Raises RequestError for a request no client parses.
    """
    requests: list[Assertion] = request_assertions(options.requests)
    # The old release's assertions: its requests are resolved before the new one is loaded.
    files = assertion_files(options.assertion_files, old.assertions)
    repositories = list(_selected(old, options).values())
    with forked(functools.partial(outcomes, old, repositories, files, requests)) as resolving:

        def against(new: ReleaseModel) -> ReleaseDiff:
            with collector_paused():
                return _diff(old, new, options, (files, requests), resolving)

        yield against


def _diff(
    old: ReleaseModel,
    new: ReleaseModel,
    options: DiffOptions,
    checks: tuple[list[Path], list[Assertion]],
    resolving_old: Forked[dict[Key, list[Resolved]]],
) -> ReleaseDiff:
    known = {r.target_name for r in (*old.repositories, *new.repositories)}
    unknown = sorted(set(options.targets) - known)
    if unknown:
        raise LookupError(
            f"unknown target {', '.join(unknown)}; the releases have {', '.join(sorted(known))}"
        )
    before, after = _selected(old, options), _selected(new, options)
    both = sorted(before.keys() & after.keys())
    sides = _Sides(ReleaseNumbers.between(old.release, new.release), RelationTexts())
    pairings = {k: _pairing(before[k], after[k], sides) for k in both}
    resolving = functools.partial(outcomes, new, [after[k] for k in both], *checks)
    # Workers resolve the new side's requests and check installability (the biggest part,
    # shared out by repository) while the packages are compared here.
    with ExitStack() as workers:
        resolving_new = workers.enter_context(forked(resolving))
        checking = [
            workers.enter_context(
                forked(functools.partial(_regressions, share, pairings, before, after))
            )
            for share in _shares({k: len(after[k].packages) for k in both}, cpus())
        ]
        compared = {k: _repository(before[k], after[k], pairings[k], sides) for k in both}
        resolved = resolving_old.result(), resolving_new.result()
        regressed = {k: found for share in checking for k, found in share.result().items()}
    repositories = [
        *(
            _finished(
                compared[k],
                resolution_changes(resolved[0].get(k, []), resolved[1].get(k, []), sides.normal),
                regressed[k],
            )
            for k in both
        ),
        *(
            RepositoryDiff(*k, before[k].family, Status.REMOVED)
            for k in before.keys() - after.keys()
        ),
        *(RepositoryDiff(*k, after[k].family, Status.ADDED) for k in after.keys() - before.keys()),
    ]
    return ReleaseDiff(
        old.release.name,
        new.release.name,
        tuple(sorted(repositories, key=lambda r: (r.target, r.arch))),
    )
