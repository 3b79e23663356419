"""What a resolver chooses from: the release repository, the base it is layered on, and what
is already installed (packages and, on dnf, enabled module streams)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from repogen.families import driver
from repogen.model import (
    Family,
    ModuleSpec,
    PackageSpec,
    RelationKind,
    Repository,
)
from repogen.model.relations import Alternative, Relation
from repogen.resolve.result import Resolution


@dataclass(frozen=True)
class InstalledState:
    """Packages already on the machine, and the dnf module streams enabled there with the
    profiles installed from them."""

    packages: tuple[PackageSpec, ...] = ()
    streams: Mapping[str, str] = field(default_factory=dict)
    #: Module → the profiles ``module install`` installed from its enabled stream.
    profiles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Universe:
    """Everything one resolution looks at."""

    family: Family
    #: The machine's package architecture (amd64, x86_64, aarch64).
    arch: str
    #: The release repository's packages, and the base repository's under them.
    release: tuple[PackageSpec, ...]
    base: tuple[PackageSpec, ...] = ()
    modules: tuple[ModuleSpec, ...] = ()
    installed: InstalledState = InstalledState()
    #: The release repository is exempt from modular filtering (dnf `module_hotfixes=1`).
    hotfixes: bool = False

    @property
    def available(self) -> tuple[PackageSpec, ...]:
        return (*self.release, *self.base)

    def kernel_module_packages(self, resolution: Resolution) -> tuple[PackageSpec, ...]:
        """The kernel-module providers the transaction installs or upgrades to, by name."""
        brought = {(r.name, r.version) for r in (*resolution.install, *resolution.upgrade)}
        found = {
            p.name: p
            for p in (*self.available, *self.installed.packages)
            if p.kernel_module is not None and (p.name, p.version) in brought
        }
        return tuple(found[name] for name in sorted(found))

    def flavor(self, resolution: Resolution) -> str:
        """Which kernel modules the transaction installs: open, proprietary, mixed or none."""
        flavors = {
            p.kernel_module.value
            for p in self.kernel_module_packages(resolution)
            if p.kernel_module is not None
        }
        if not flavors:
            return "none"
        return flavors.pop() if len(flavors) == 1 else "mixed"


def base_packages(repository: Repository) -> tuple[PackageSpec, ...]:
    """The target's declared base packages, as stub packages a resolver can install."""
    arch = driver(repository.family).noarch
    return tuple(
        PackageSpec(
            name=base.name,
            version=base.version,
            arch=arch,
            summary=f"{base.name} (base stub)",
            description="",
            section="base",
            relations={
                RelationKind.PROVIDES: tuple(
                    Relation((Alternative(name),)) for name in base.provides
                )
            },
        )
        for base in repository.base
    )


def universe_for(
    repository: Repository,
    installed: InstalledState = InstalledState(),
    base: Sequence[PackageSpec] | None = None,
    hotfixes: bool = False,
) -> Universe:
    """The universe of *repository*, over *base* (default: its declared base packages)."""
    return Universe(
        family=repository.family,
        arch=repository.package_arch,
        release=repository.packages,
        base=base_packages(repository) if base is None else tuple(base),
        modules=repository.modules,
        installed=installed,
        hotfixes=hotfixes,
    )


def installed_state(
    packages: Iterable[PackageSpec],
    names: Iterable[tuple[str, str]],
    streams: Mapping[str, str] | None = None,
) -> InstalledState:
    """The state after installing the (name, version) pairs *names*, found in *packages*."""
    by_key = {(p.name, p.version): p for p in packages}
    chosen = []
    for key in names:
        if key not in by_key:
            raise KeyError(f"{key[0]} {key[1]} is not a package of the repository")
        chosen.append(by_key[key])
    return InstalledState(tuple(chosen), dict(streams or {}))
