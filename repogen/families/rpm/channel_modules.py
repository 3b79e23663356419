"""The dnf modules of a repository holding several releases, made as NVIDIA's ``genmodules.py``
makes ``modules.yaml`` from every driver package in the directory (nvidia-packaging.md §7).

Each release's model gives its own streams at its branch: ``B``, ``B-dkms``, ``B-open`` and
``latest``, ``latest-dkms``, ``open-dkms``.  Over the releases, a stream belongs to the branch
of the newest release that has it, and lists the packages of every release of that branch:

- ``560-open`` of 12.6.0 (560.28.03) and 12.6.1 (560.35.03) lists both versions, and dnf picks
  the newest of them;
- ``555-dkms`` stays at 555's versions once 560 is out;
- ``latest``, ``latest-dkms`` and ``open-dkms`` move to the newest branch and list its versions
  only.

A stream is one build whose artifacts are exact ``N-E:V-R.A`` (what libdnf filters by): its
version is the date of its newest release (``YYYYMMDD000000``), so that a build of the whole
history and a later publication of one more release agree without depending on
``SOURCE_DATE_EPOCH``; its context is the first ten hex digits of the md5 of name, stream,
version and distribution, as ``genmodules.py`` makes it.  The module's default stream and
profile are the newest release's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from repogen.families.rpm.versions import nevra
from repogen.model.concrete import ModuleSpec, Repository, StreamBuild, StreamSpec
from repogen.model.declarations import Release


@dataclass(frozen=True)
class _Published:
    """A stream as one release publishes it, with that release's repository."""

    release: Release
    repository: Repository
    stream: StreamSpec
    #: Where the release is in the history, and the stream in its module.
    position: int
    rank: int

    @property
    def branch(self) -> str:
        # A repository of several releases already counts at its newest release's branch:
        # its older branches' streams cannot meet a newer release of theirs, whose
        # unversioned packages (nvidia-driver) would go backwards (merge.history_problems).
        return self.release.driver.split(".")[0]

    @property
    def version(self) -> int:
        if self.stream.builds:
            return max(build.version for build in self.stream.builds)
        return dated_version(self.release.date)


def dated_version(date: str) -> int:
    """``2024-08-01`` → ``20240801000000``: a stream version from a release date."""
    return int(date.replace("-", "") + "000000")


def genmodules_context(module: str, stream: str, version: int, distro: str) -> str:
    """The context ``genmodules.py`` gives a stream document."""
    text = f"{module}{stream}{version}{distro}"
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:10]


def _artifacts(published: Sequence[_Published]) -> tuple[str, ...]:
    """The exact packages of every release of *published*: each release's stream names them,
    its repository holds their version (or, merged already, its builds list them)."""
    found: set[str] = set()
    for one in published:
        if one.stream.builds:  # a repository of several releases already: exact as it is
            found.update(a for build in one.stream.builds for a in build.artifacts)
            continue
        versions = {p.name: p for p in one.repository.packages}
        for name in one.stream.artifacts:
            package = versions.get(name)
            if package is not None:
                found.add(nevra(package.name, package.version, package.arch))
    return tuple(sorted(found))


def _stream(published: Sequence[_Published]) -> StreamSpec:
    """One stream from the releases that publish it (oldest first): those of the branch of
    the newest."""
    newest = published[-1]
    members = [p for p in published if p.branch == newest.branch]
    if len(members) == 1 and newest.stream.builds:
        # Exact already (a repository read back, a resolver case): its builds, their
        # contexts and module dependencies stand as they are.
        return newest.stream
    # Newest first: a stream merged from the point before and one more release lists its
    # names so, and merging every release at once must list them alike.
    names: dict[str, None] = {}
    for member in reversed(members):
        names.update(dict.fromkeys(member.stream.artifacts))
    stream = newest.stream
    version = max(member.version for member in members)
    target = newest.repository.target_name
    build = StreamBuild(
        version=version,
        context=genmodules_context(stream.module, stream.name, version, target),
        artifacts=_artifacts(members),
    )
    return replace(stream, artifacts=tuple(names), builds=(build,))


def _module(name: str, layers: Sequence[tuple[Release, Repository]]) -> ModuleSpec:
    by_stream: dict[str, list[_Published]] = {}
    newest: ModuleSpec | None = None
    for position, (release, repository) in enumerate(layers):
        for module in repository.modules:
            if module.name != name:
                continue
            newest = module
            for rank, stream in enumerate(module.streams):
                published = _Published(release, repository, stream, position, rank)
                by_stream.setdefault(stream.name, []).append(published)
    assert newest is not None  # *name* is a module of some layer
    # The newest release's streams first, in its model's order, then older branches' streams.
    order = sorted(by_stream.values(), key=lambda p: (-p[-1].position, p[-1].rank))
    return replace(newest, streams=tuple(_stream(p) for p in order))


def merged_modules(layers: Sequence[tuple[Release, Repository]]) -> tuple[ModuleSpec, ...]:
    """The modules of one repository holding every release of *layers* (oldest first)."""
    names = dict.fromkeys(m.name for _, repository in layers for m in repository.modules)
    return tuple(_module(name, layers) for name in names)
