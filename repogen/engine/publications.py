"""What a resolution looks at, published with repogen's own publishers into a private directory.

A universe becomes the release repository (its packages and module streams), the base
repository under it (no modules), and — for rpm installed states — the ``.rpm`` files of the
installed packages, whose headers ``rpm --justdb`` records.  Repositories hold metadata only
(``BuildOptions(packages=False)``): a dry run never downloads.

A release has one version of each package, and repogen's rpm publisher writes one per
repository; a universe may have several (an upgrade, a versioned dependency on an older one).
Its packages are therefore published in layers, the *k*-th version of each name in the *k*-th
repository, the module streams in the first; a client sees the layers as one.  Each
publication is made once per content and reused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from repogen.families import driver
from repogen.model import ModuleSpec, PackageSpec, ReleaseModel, Repository
from repogen.model.declarations import KernelModuleFlavor, Release
from repogen.publish.base import BuildOptions
from repogen.resolve.universe import Universe

#: The release the private publications are made for: it names the rpm specs and the APT
#: Release file, nothing a resolution looks at.
ENGINE_RELEASE = ReleaseModel(
    release=Release(
        name="repogen-engine",
        cuda="0.0.0",
        driver="0.0",
        default_flavor=KernelModuleFlavor.OPEN,
        date="2024-01-01",
    ),
    source="",
    maintainer="repogen engine <engine@repogen.invalid>",
    license="MIT",
)
#: 2024-01-01 00:00 UTC, the build time of every publication.
SOURCE_DATE_EPOCH = 1704067200


@dataclass(frozen=True)
class Publication:
    """A published repository: where it is, and the line a client uses for it (a
    ``sources.list`` line for apt, a baseurl for dnf and zypper)."""

    key: str
    path: Path
    client: str


@dataclass(frozen=True)
class Published:
    """A universe's repositories: the release layers, then the base layers."""

    release: tuple[Publication, ...]
    base: tuple[Publication, ...]

    @property
    def named(self) -> tuple[tuple[str, Publication], ...]:
        """Each repository with a name for it: ``release``, ``release-2`` …, ``base`` …"""
        return tuple(
            (f"{kind}-{number}" if number > 1 else kind, publication)
            for kind, layers in (("release", self.release), ("base", self.base))
            for number, publication in enumerate(layers, 1)
        )


def _publishable(package: PackageSpec) -> PackageSpec:
    """*package* as a publisher takes it: rpm wants a description, resolvers do not."""
    return package if package.description else replace(package, description=package.summary)


def layers(packages: Sequence[PackageSpec]) -> list[list[PackageSpec]]:
    """*packages* split so that no name occurs twice in a layer; at least one layer."""
    found: list[list[PackageSpec]] = [[]]
    seen: dict[str, list[str]] = {}
    for package in packages:
        versions = seen.setdefault(package.name, [])
        if package.version in versions:
            continue
        if len(versions) == len(found):
            found.append([])
        found[len(versions)].append(package)
        versions.append(package.version)
    return found


def _key(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


class Publications:
    """Publications under *work*, each made once."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.made: dict[str, Publication] = {}
        self.packages: dict[str, tuple[Path, ...]] = {}

    def universe(self, repository: Repository, universe: Universe) -> Published:
        """The release (with its module streams) and base repositories of *universe*, on
        *repository*'s target and architecture."""
        return Published(
            self.repositories(repository, universe.release, universe.modules),
            self.repositories(repository, universe.base) if universe.base else (),
        )

    def repositories(
        self,
        repository: Repository,
        packages: Sequence[PackageSpec],
        modules: Sequence[ModuleSpec] = (),
    ) -> tuple[Publication, ...]:
        """The layers of *packages* and *modules* on *repository*'s target and architecture."""
        return tuple(
            self.repository(repository, layer, modules if number == 0 else ())
            for number, layer in enumerate(layers(packages))
        )

    def repository(
        self,
        repository: Repository,
        packages: Sequence[PackageSpec],
        modules: Sequence[ModuleSpec] = (),
    ) -> Publication:
        """One repository of *packages* (one version of each) and *modules*, metadata only."""
        copy = self._copy(repository, packages, modules)
        key = _key("repository", copy)
        if key not in self.made:
            root = self.work / f"repository-{key}"
            (entry,) = (
                driver(copy.family)
                .publisher()
                .publish(
                    ENGINE_RELEASE,
                    [copy],
                    root,
                    root,
                    BuildOptions(source_date_epoch=SOURCE_DATE_EPOCH, packages=False),
                    lambda _step: None,
                )
            )
            self.made[key] = Publication(key, root / entry.path, entry.client)
        return self.made[key]

    def rpm_files(
        self, repository: Repository, packages: Sequence[PackageSpec]
    ) -> tuple[Path, ...]:
        """The ``.rpm`` files of *packages*, built for *repository*'s target and architecture (an
        rpm-family repository: its runners set up installed states from them)."""
        copy = self._copy(repository, packages, ())
        key = _key("rpm", copy)
        if key not in self.packages:
            root = self.work / f"rpm-{key}"
            driver(copy.family).publisher().publish(
                ENGINE_RELEASE,
                [copy],
                root,
                root,
                BuildOptions(source_date_epoch=SOURCE_DATE_EPOCH, packages=True),
                lambda _step: None,
            )
            self.packages[key] = tuple(sorted(root.rglob("*.rpm")))
        return self.packages[key]

    @staticmethod
    def _copy(
        repository: Repository, packages: Sequence[PackageSpec], modules: Sequence[ModuleSpec]
    ) -> Repository:
        return replace(
            repository,
            packages=tuple(_publishable(p) for p in packages),
            base=(),
            modules=tuple(modules),
        )
