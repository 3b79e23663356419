"""What a resolver chooses from: the release repository, the base it is layered on, and what
is already installed (packages and, on dnf, enabled module streams)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from repogen.families import driver
from repogen.model import (
    Family,
    ModuleSpec,
    PackageSpec,
    RelationKind,
    Repository,
)
from repogen.model.relations import Alternative, Relation
from repogen.resolve.outcome import Outcome, OutcomeFlavor
from repogen.resolve.result import Resolution

T = TypeVar("T")


@dataclass(frozen=True)
class InstalledState:
    """Packages already on the machine, and the dnf module streams enabled there with the
    profiles installed from them."""

    packages: tuple[PackageSpec, ...] = ()
    streams: Mapping[str, str] = field(default_factory=dict)
    #: Module → the profiles ``module install`` installed from its enabled stream.
    profiles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: dnf modules ``module disable`` disabled: none of their streams is active.
    disabled: tuple[str, ...] = ()
    #: dnf: default streams the machine sets in ``/etc/dnf/modules.defaults.d`` (module →
    #: stream), over the repositories' defaults documents.
    module_defaults: Mapping[str, str] = field(default_factory=dict)
    #: dnf: default profiles ``modules.defaults.d`` sets (module → stream → profiles), over the
    #: repositories' for those streams.
    module_default_profiles: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=dict
    )
    #: Installed packages the client keeps as they are: ``apt-mark hold``, ``zypper addlock``.
    held: frozenset[str] = frozenset()


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
    #: The machine's module platform stream (``el9``: dnf's ``platform:el9``), if modular.
    platform: str | None = None
    installed: InstalledState = InstalledState()
    #: The release repository is exempt from modular filtering (dnf `module_hotfixes=1`).
    hotfixes: bool = False
    #: The base repository is, instead or as well (a hotfix repository beside a modular one).
    base_hotfixes: bool = False
    #: dnf ``includepkgs`` of the ``release`` and ``base`` repositories: name globs, the
    #: repository's other packages excluded.
    include_packages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: What the resolvers make once for every request on this universe (a libsolv pool, apt's
    #: numbering of the packages), by their key (:meth:`shared`).  A universe made from this
    #: one (``dataclasses.replace``) starts without them, and so does a pickled copy.
    memo: dict[Hashable, object] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def shared(self, key: Hashable, make: Callable[[], T]) -> T:
        """What *make* makes, made once for *key* and then shared by every request on this
        universe: what it makes must not change with a request."""
        if key not in self.memo:
            self.memo[key] = make()
        return cast(T, self.memo[key])

    def __getstate__(self) -> dict[str, object]:
        # libsolv's pools cannot be pickled; where the copy goes, they are made again.
        return {name: value for name, value in self.__dict__.items() if name != "memo"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, memo={})

    @property
    def available(self) -> tuple[PackageSpec, ...]:
        return (*self.release, *self.base)

    def kernel_module_packages(self, resolution: Resolution) -> tuple[PackageSpec, ...]:
        """The kernel-module providers the transaction installs or upgrades to, by name."""
        brought = {(r.name, r.version) for r in (*resolution.install, *resolution.upgrade)}
        providers = self.shared("kernel-module providers", self._kernel_module_providers)
        found = {p.name: p for p in providers if (p.name, p.version) in brought}
        return tuple(found[name] for name in sorted(found))

    def _kernel_module_providers(self) -> tuple[PackageSpec, ...]:
        """The packages that provide kernel modules, available ones first."""
        every = (*self.available, *self.installed.packages)
        return tuple(p for p in every if p.kernel_module is not None)

    def flavor(self, resolution: Resolution) -> OutcomeFlavor:
        """Which kernel modules the transaction installs: open, proprietary, mixed or none."""
        return _flavor(self.kernel_module_packages(resolution))

    def outcome(self, command: str, resolution: Resolution) -> Outcome:
        """What *resolution*, the answer to *command*, does (:mod:`repogen.resolve.outcome`)."""
        kernel = self.kernel_module_packages(resolution)
        released = {p.name for p in self.release}
        return Outcome(
            command=command,
            ok=resolution.ok,
            flavor=_flavor(kernel),
            kernel_modules=tuple(p.name for p in kernel),
            install=tuple(sorted(resolution.installed_names & released)),
            remove=tuple(sorted({r.name for r in resolution.remove} & released)),
            modules=resolution.modules,
            problems=resolution.problems,
        )


def _flavor(kernel_modules: Sequence[PackageSpec]) -> OutcomeFlavor:
    return OutcomeFlavor.of(p.kernel_module for p in kernel_modules if p.kernel_module is not None)


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
        platform=repository.target.platform,
        installed=installed,
        hotfixes=hotfixes,
    )
