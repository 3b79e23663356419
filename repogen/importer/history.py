"""The releases of a repository that holds several, told apart by its manifest.

``repogen build`` of a channel and ``repogen publish`` record which release published which
package file (``published`` in ``manifest.json``).  Each release becomes the repositories it
published: its packages, the base its packages name, and the module streams restricted to its
packages (a stream whose kernel-module package it did not publish is not its, though it
published another of its packages; the module's default stream only when it has it; profiles
naming its packages).  Its date is the version of a stream it is the newest release of (a
stream's version is its newest release's date), else the next release's; without a CUDA
package it is a driver-only release.

A repository without that record holds releases the index cannot tell apart: several versions
of one name could be one release's or several's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from repogen.families import driver
from repogen.importer.errors import CannotImport
from repogen.index.release import UNKNOWN_CUDA, infer_release
from repogen.index.stubs import assumed_base
from repogen.model import ModuleSpec, PackageSpec, ReleaseModel, Repository, StreamSpec

#: A package by where it is published: target, architecture, name, version, architecture.
_Key = tuple[str, str, str, str, str]


def holds_several(release: ReleaseModel) -> bool:
    """Whether *release* (read from repositories) holds several releases."""
    return len(release.releases) > 1


def _key(repository: Repository, spec: PackageSpec) -> _Key:
    return (repository.target_name, repository.arch, spec.name, spec.version, spec.arch)


def _publishers(release: ReleaseModel) -> dict[_Key, list[str]]:
    """The releases that publish each package of *release*, oldest first."""
    found: dict[_Key, list[str]] = {}
    for repository in release.repositories:
        publisher = driver(repository.family).publisher()
        where = f"{repository.family.value}/{repository.target_name}"
        for spec in repository.packages:
            (file,) = publisher.package_files([replace(repository, packages=(spec,))])
            names = [
                name
                for names, files in release.published
                if file.as_posix() in files.get(where, frozenset())
                for name in names
            ]
            if not names:
                raise CannotImport(
                    f"{repository.target_name}/{repository.arch}: package {spec.name} "
                    f"{spec.version}: no release of the manifest publishes its file {file}"
                )
            found[_key(repository, spec)] = names
    return found


class _Artifacts:
    """The packages of a repository by the exact artifacts (``N-E:V-R.A``) of its module
    stream builds."""

    def __init__(self, repository: Repository) -> None:
        self.compare = driver(repository.family).compare_versions
        self.named: dict[tuple[str, str], list[PackageSpec]] = defaultdict(list)
        for package in repository.packages:
            self.named[(package.name, package.arch)].append(package)

    def __call__(self, text: str) -> PackageSpec | None:
        rest, _, arch = text.rpartition(".")
        name, _, evr = rest.rpartition("-")
        name, _, version = name.rpartition("-")
        candidates = self.named.get((name, arch), [])
        return next(
            (p for p in candidates if self.compare(p.version, f"{version}-{evr}") == 0), None
        )


def _restricted(
    stream: StreamSpec,
    artifacts: tuple[str, ...],
    repository: Repository,
    packages: tuple[PackageSpec, ...],
) -> StreamSpec:
    """*stream* as the release of *packages* published it: its *artifacts*, and profiles
    naming those only.  A stream of several releases lists the newest's profiles: the
    kernel-module package they name (``kmod-nvidia-560.35.03-…``, another release's) stands
    for this release's own."""
    flavored = {p.name for p in repository.packages if p.kernel_module is not None}
    own_kmods = [a for a in artifacts if a in flavored and any(p.name == a for p in packages)]
    profiles: dict[str, tuple[str, ...]] = {}
    for name, rpms in stream.profiles.items():
        kept: list[str] = []
        for rpm in rpms:
            kept += [rpm] if rpm in artifacts else own_kmods if rpm in flavored else []
        if kept:
            profiles[name] = tuple(dict.fromkeys(kept))
    defaults = stream.default_profiles
    if defaults is not None:
        defaults = tuple(d for d in defaults if d in profiles)
    return replace(
        stream, artifacts=artifacts, profiles=profiles, builds=(), default_profiles=defaults
    )


def _modules(repository: Repository, packages: tuple[PackageSpec, ...]) -> tuple[ModuleSpec, ...]:
    """The module streams of *repository* restricted to *packages* (one release's).

    A stream is the release's when the release published its kernel-module package (each
    release builds its own, of its driver), not merely a package of it several releases
    publish (``dnf-plugin-nvidia`` 2.0 in the 555 and the 560 streams); a stream with no
    kernel-module package is the release's when it published any of its packages."""
    ours = {id(p) for p in packages}
    flavored = {p.name for p in repository.packages if p.kernel_module is not None}
    artifact = _Artifacts(repository)
    modules = []
    for module in repository.modules:
        streams = []
        for stream in module.streams:
            found = [artifact(a) for b in stream.builds for a in b.artifacts]
            names = {p.name for p in found if p is not None and id(p) in ours}
            if not stream.builds:
                names = {p.name for p in packages} & set(stream.artifacts)
            if flavored & set(stream.artifacts) and not flavored & names:
                names = set()
            if names:
                artifacts = tuple(a for a in dict.fromkeys(stream.artifacts) if a in names)
                streams.append(_restricted(stream, artifacts, repository, packages))
        if streams:
            default = module.default_stream
            if default not in {s.name for s in streams}:
                default = None
            modules.append(replace(module, streams=tuple(streams), default_stream=default))
    return tuple(modules)


def _dates(release: ReleaseModel, publishers: Mapping[_Key, list[str]]) -> dict[str, str]:
    """Each release's date: the version of a stream whose newest kernel-module package (or,
    without one, newest package) it published (``YYYYMMDD000000``), else the next
    release's."""
    dates: dict[str, str] = {}
    order = {name: index for index, name in enumerate(release.releases)}
    for repository in release.repositories:
        artifact = _Artifacts(repository)
        for module in repository.modules:
            for stream in module.streams:
                for build in stream.builds:
                    found = [p for a in build.artifacts if (p := artifact(a)) is not None]
                    # Its kernel-module packages tell its releases: a package several
                    # releases publish (dnf-plugin-nvidia) would date it by a newer one.
                    kmods = [p for p in found if p.kernel_module is not None]
                    by = [n for p in kmods or found for n in publishers[_key(repository, p)]]
                    if by:
                        text = str(build.version)
                        newest = max(by, key=order.__getitem__)
                        dates.setdefault(newest, f"{text[:4]}-{text[4:6]}-{text[6:8]}")
    known = release.release.date
    for name in reversed(release.releases):
        known = dates.setdefault(name, known)
    return dates


def split(release: ReleaseModel) -> list[ReleaseModel]:
    """The releases *release* (a repository holding several) was made of, oldest first."""
    if not release.published:
        raise CannotImport(
            f"{release.source}: the manifest lists the releases {', '.join(release.releases)} "
            "but not which published which package; publish the tree again with this repogen"
        )
    together = [names for names, _ in release.published if len(names) > 1]
    if together:
        raise CannotImport(
            f"{release.source}: releases {', '.join(together[0])} were built together by an "
            "older repogen, which did not record which published which package: rebuild the "
            "tree from their channel"
        )
    publishers = _publishers(release)
    dates = _dates(release, publishers)
    releases = []
    for name in release.releases:
        repositories = []
        for repository in release.repositories:
            packages = tuple(
                p for p in repository.packages if name in publishers[_key(repository, p)]
            )
            if not packages:
                continue
            repositories.append(
                replace(
                    repository,
                    packages=packages,
                    base=assumed_base(packages),
                    modules=_modules(repository, packages),
                )
            )
        if not repositories:
            raise CannotImport(f"{release.source}: release {name} publishes no package")
        declared = infer_release(name, "", repositories)
        # A release without a CUDA package is a driver-only release: its model says no CUDA
        # version (the channel then holds the CUDA release before it).
        cuda = None if declared.cuda == UNKNOWN_CUDA else declared.cuda
        declared = declared.model_copy(update={"date": dates[name], "cuda": cuda})
        releases.append(
            ReleaseModel(declared, f"{release.source} (release {name})", tuple(repositories))
        )
    return releases
