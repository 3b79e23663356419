"""Releases merged into the repositories that hold them all, as NVIDIA publishes them: each
release is added to the one repository of its target and architecture (nvidia-packaging.md §7).

Per target and architecture the merged repository holds every release's packages (a package
two releases publish identically once, in release order, then model order), every base stub,
and the module streams its family makes from every release present
(:meth:`~repogen.families.base.FamilyDriver.merged_modules`).  What the releases say about the
release itself (name, versions, default flavor, date, maintainer, license) is the newest's,
but for its CUDA version after a driver-only release: the repository still holds the newest
CUDA release before it (at 565.57.01, ``apt-get install cuda`` installs CUDA 12.6.1), and
assertions name its packages with ``{cuda_dash}``.

Two rules keep a history publishable: no two releases publish one name, version and
architecture with different content (a mirror would hold two files of one name), and no
package's version goes backwards (a user upgrading would be offered the older one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from repogen.errors import RepogenError
from repogen.families import driver
from repogen.model.concrete import PackageSpec, ReleaseModel, Repository
from repogen.model.declarations import Release


class HistoryError(RepogenError):
    """Releases that cannot be published in one repository, in this order."""


class Contradiction(StrEnum):
    CHANGED = "changed"  # one name, version and architecture with another content
    BACKWARDS = "backwards"  # a version lower than an earlier release's


@dataclass(frozen=True)
class HistoryProblem:
    """A package of release *later* that contradicts one of release *earlier* (indices into
    the merged releases) on the repository *repository* (``target/arch``)."""

    kind: Contradiction
    repository: str
    earlier: int
    earlier_package: PackageSpec
    later: int
    later_package: PackageSpec

    def describe(self, releases: Sequence[ReleaseModel], earlier: str = "") -> str:
        """What is wrong, naming the earlier release and where its package is written
        (*earlier*: its file and line when known, else its release's file)."""
        where = earlier or releases[self.earlier].source
        before, after = self.earlier_package, self.later_package
        name = releases[self.earlier].release.name
        if self.kind is Contradiction.CHANGED:
            return (
                f"{self.repository}: {after.name} {after.version} ({after.arch}) differs from "
                f"the one release {name} publishes ({where}): a version once published "
                "cannot change"
            )
        return (
            f"{self.repository}: {after.name} goes back from {before.version} (release "
            f"{name}, {where}) to {after.version}"
        )


def _key(repository: Repository) -> tuple[str, str]:
    return repository.target_name, repository.arch


def _content(package: PackageSpec) -> PackageSpec:
    """*package* without where its model wrote it: what a repository publishes."""
    return replace(package, origin=())


def history_problems(releases: Sequence[ReleaseModel]) -> Iterator[HistoryProblem]:
    """Every package of *releases* (oldest first) that differs from an earlier release's of
    the same name, version and architecture, or whose version is lower than an earlier
    release's of the same name, on one target and architecture."""
    published: dict[tuple[str, str], dict[tuple[str, str, str], tuple[int, PackageSpec]]] = {}
    highest: dict[tuple[str, str], dict[str, tuple[int, PackageSpec]]] = {}
    for index, release in enumerate(releases):
        for repository in release.repositories:
            key = _key(repository)
            label = f"{repository.target_name}/{repository.arch}"
            seen = published.setdefault(key, {})
            tops = highest.setdefault(key, {})
            compare = driver(repository.family).compare_versions
            for package in repository.packages:
                identity = (package.name, package.version, package.arch)
                known = seen.get(identity)
                if known is None:
                    seen[identity] = (index, package)
                elif known[0] != index and _content(known[1]) != _content(package):
                    yield HistoryProblem(
                        Contradiction.CHANGED, label, known[0], known[1], index, package
                    )
                top = tops.get(package.name)
                if top is not None and compare(package.version, top[1].version) < 0:
                    yield HistoryProblem(
                        Contradiction.BACKWARDS, label, top[0], top[1], index, package
                    )
        for repository in release.repositories:
            tops = highest[_key(repository)]
            compare = driver(repository.family).compare_versions
            for package in repository.packages:
                top = tops.get(package.name)
                if top is None or compare(package.version, top[1].version) > 0:
                    tops[package.name] = (index, package)


def _merged_repository(layers: Sequence[tuple[Release, Repository]]) -> Repository:
    packages: dict[tuple[str, str, str], PackageSpec] = {}
    for release, repository in layers:
        for package in repository.packages:
            key = (package.name, package.version, package.arch)
            if key not in packages:
                # A merged view's packages already name their release: kept as they are.
                packages[key] = (
                    package if package.release else package.published_first_in(release.name)
                )
    base = dict.fromkeys(b for _, repository in layers for b in repository.base)
    newest = layers[-1][1]
    return replace(
        newest,
        packages=tuple(packages.values()),
        base=tuple(base),
        modules=driver(newest.family).merged_modules(layers),
    )


def merge_releases(releases: Sequence[ReleaseModel], *, checked: bool = False) -> ReleaseModel:
    """The repositories that hold every one of *releases* (oldest first), as one release
    model: the newest's declaration, every release's packages (:mod:`repogen.channel.merge`).

    One release is returned as it is.  Raises :class:`HistoryError` naming every package
    that would make the history unpublishable, unless the caller has *checked* them (with
    :func:`history_problems`, as loading a channel does).
    """
    if not releases:
        raise ValueError("merge_releases needs at least one release")
    problems = [] if checked else [p.describe(releases) for p in history_problems(releases)]
    if problems:
        raise HistoryError("; ".join(problems))
    newest = releases[-1]
    if len(releases) == 1:
        return newest
    layers: dict[tuple[str, str], list[tuple[Release, Repository]]] = {}
    for release in releases:
        for repository in release.repositories:
            layers.setdefault(_key(repository), []).append((release.release, repository))
    cuda = next((r.release.cuda for r in reversed(releases) if r.release.cuda), None)
    return replace(
        newest,
        release=newest.release.model_copy(update={"cuda": cuda}),
        repositories=tuple(_merged_repository(group) for group in layers.values()),
        assertions=tuple(dict.fromkeys(a for r in releases for a in r.assertions)),
        releases=tuple(name for r in releases for name in r.releases or (r.release.name,)),
    )
