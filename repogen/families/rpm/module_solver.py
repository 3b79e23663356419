"""Which module builds dnf activates: libdnf's module solver (``ModulePackageContainer``).

Every build of every stream is a solvable named ``module:stream:<requires key>`` with its
version as EVR (``ModulePackage::setSovable``, ``addVersion2Modules``); it provides
``module(M)`` and ``module(M:S)``, conflicts with ``module(M)`` (one stream per module), and
requires ``module(D:S)`` for each module stream its runtime dependencies name (several
streams: ``(… or …)``; none: ``module(D)``; ``-S``: a conflict with ``module(D:S)``).  The
platform is such a requirement too: the machine's platform is an installed pseudo-module
``platform:<id>`` (``ModulePackage::createPlatformSolvable``, from ``module_platform_id`` or
os-release's ``PLATFORM_ID``) that provides ``module(platform:<id>)``, so a build for another
platform cannot be installed.  A build that names no platform runs on the target's.

The solver installs ``module(M:S)`` for each enabled stream, and for each default stream of a
module that is not enabled, as an optional job (``moduleSolve``): first with every job
required and the best versions, then with the defaults optional (a problem only in the
defaults: dnf warns and goes on), then without best versions, then everything optional (a
problem with the enabled streams themselves: "Modular dependency problems").  Every solvable
named like one the solver installs is active (``goal2name_query``): all versions of a build
that requires the same modules.

A model's streams have no builds: each is one build of no requirements, its artifacts named.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import solv

from repogen.model import ModuleSpec, StreamBuild, StreamSpec
from repogen.resolve.universe import Universe

#: The build a model's stream stands for: no version, no requirements.
MODEL_BUILD = StreamBuild(0, "", ())


@dataclass(frozen=True)
class ModuleBuild:
    """One build of one stream, as the module solver sees it."""

    module: str
    stream: StreamSpec
    build: StreamBuild

    @property
    def solvable_name(self) -> str:
        return f"{self.module}:{self.stream.name}:{self.build.requires_key}"


@dataclass(frozen=True)
class ActiveModules:
    """What the module solver activated."""

    #: The active builds, and per module its active stream.
    builds: tuple[ModuleBuild, ...]
    streams: Mapping[str, StreamSpec]
    #: Why the enabled streams cannot all be met ("Modular dependency problems"), when they
    #: cannot; a problem only with default streams is no error.
    problems: tuple[str, ...] = ()
    #: Whether the problems are only with the newest builds (libdnf's ``ERROR_IN_LATEST``):
    #: older ones meet the enabled streams.
    only_latest: bool = False
    #: For each active stream ``M:S``, the active streams its active builds require.
    requires: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def shown(self, build: ModuleBuild) -> bool:
        return build in self.builds

    def has(self, module: str, stream: str, build: StreamBuild | None) -> bool:
        """Whether *build* of *module*:*stream* (any, for None: a model's stream) is active."""
        return any(
            b.module == module and b.stream.name == stream and build in (None, b.build)
            for b in self.builds
        )

    def dependency_tree(self, streams: Iterable[str]) -> list[str]:
        """*streams* (``M:S``) and every active stream they require, directly or not, in the
        order libdnf's ``enableDependencyTree`` reaches them."""
        found: list[str] = []
        todo = list(streams)
        while todo:
            stream = todo.pop(0)
            if stream not in found:
                found.append(stream)
                todo.extend(sorted(self.requires.get(stream, ())))
        return found


def _builds(module: ModuleSpec) -> list[ModuleBuild]:
    return [
        ModuleBuild(module.name, stream, build)
        for stream in module.streams
        for build in stream.builds or (MODEL_BUILD,)
    ]


def _dependency(pool: solv.Pool, text: str) -> int:
    dep: int = pool.str2id(text)
    return dep


def _solvable(
    pool: solv.Pool, repo: solv.Repo, name: str, stream: str, solvable_name: str, version: int
) -> solv.XSolvable:
    """A solvable of *name*:*stream*, as ``ModulePackage::setSovable`` makes it."""
    solvable = repo.add_solvable()
    solvable.name = solvable_name
    solvable.evr = str(version)
    solvable.arch = "noarch"
    solvable.add_deparray(solv.SOLVABLE_PROVIDES, _dependency(pool, f"module({name})"))
    solvable.add_deparray(solv.SOLVABLE_PROVIDES, _dependency(pool, f"module({name}:{stream})"))
    return solvable


def _add(pool: solv.Pool, repo: solv.Repo, build: ModuleBuild, platform: bool) -> solv.XSolvable:
    """The solvable of *build*; it requires its platform where the machine has one."""
    solvable = _solvable(
        pool,
        repo,
        build.module,
        build.stream.name,
        build.solvable_name,
        build.build.version,
    )
    solvable.add_deparray(solv.SOLVABLE_CONFLICTS, _dependency(pool, f"module({build.module})"))
    requires = build.build.requires
    if platform and build.build.platforms:
        requires = (*requires, ("platform", build.build.platforms))
    for required, streams in requires:
        wanted = [s for s in streams if not s.startswith("-")]
        for refused in (s[1:] for s in streams if s.startswith("-")):
            conflict = _dependency(pool, f"module({required}:{refused})")
            solvable.add_deparray(solv.SOLVABLE_CONFLICTS, conflict)
        deps = [_dependency(pool, f"module({required}:{s})") for s in wanted]
        dep = deps[-1] if deps else _dependency(pool, f"module({required})")
        for other in reversed(deps[:-1]):
            dep = pool.rel2id(other, dep, solv.REL_OR)
        solvable.add_deparray(solv.SOLVABLE_REQUIRES, dep)
    return solvable


def _pool(
    modules: Iterable[ModuleSpec], platform: str | None
) -> tuple[solv.Pool, dict[int, ModuleBuild]]:
    """The module solver's pool: the platform installed, every build of *modules* available
    (by solvable id)."""
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch("noarch")
    if platform is not None:
        system = pool.add_repo("@System")
        _solvable(pool, system, "platform", platform, f"platform:{platform}:00000000", 0)
        system.internalize()
        pool.installed = system
    repo = pool.add_repo("modules")
    by_id: dict[int, ModuleBuild] = {}
    for module in modules:
        for build in _builds(module):
            by_id[_add(pool, repo, build, platform is not None).id] = build
    repo.internalize()
    pool.createwhatprovides()
    return pool, by_id


def solve_modules(
    modules: Iterable[ModuleSpec],
    enabled: Mapping[str, str],
    disabled: Collection[str] = (),
    platform: str | None = None,
) -> ActiveModules:
    """The builds active with *enabled* streams (module → stream) and the modules' defaults
    on a machine of *platform* (``el9``; None: every build runs on it); the builds of
    *disabled* modules are left out (``resolveActiveModulePackages`` excludes them), so
    nothing requiring them can be met."""
    modules = tuple(m for m in modules if m.name not in disabled)
    pool, by_id = _pool(modules, platform)
    wanted: list[tuple[str, bool]] = []  # module(M:S), whether it is only a default
    for module in modules:
        stream = enabled.get(module.name)
        if stream is not None:
            wanted.append((f"module({module.name}:{stream})", False))
        elif module.default_stream is not None:
            wanted.append((f"module({module.name}:{module.default_stream})", True))

    def run(optional_defaults: bool, best: bool, all_optional: bool = False) -> list[int] | None:
        jobs = []
        for dep, default in wanted:
            how = solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_PROVIDES
            if best:
                how |= solv.Job.SOLVER_FORCEBEST
            if all_optional or (optional_defaults and default):
                how |= solv.Job.SOLVER_WEAK
            jobs.append(pool.Job(how, _dependency(pool, dep)))
        solver = pool.Solver()
        if solver.solve(jobs):
            return None
        return [s.id for s in solver.transaction().newsolvables()]

    problems: tuple[str, ...] = ()
    only_latest = False
    chosen = run(optional_defaults=False, best=True)
    if chosen is None:
        chosen = run(optional_defaults=True, best=True)
    if chosen is None:
        # The enabled streams themselves cannot be met at their newest builds, or at all.
        problems = ("Modular dependency problems",)
        chosen = run(optional_defaults=True, best=False)
        only_latest = chosen is not None
        if chosen is None:
            chosen = run(optional_defaults=True, best=False, all_optional=True) or []
    names = {by_id[i].solvable_name for i in chosen}
    builds = tuple(b for b in by_id.values() if b.solvable_name in names)
    streams = {b.module: b.stream for b in builds}
    requires: dict[str, set[str]] = {}
    active_ids = [i for i, b in by_id.items() if b in builds]
    for solvable_id in active_ids:
        solvable = pool.id2solvable(solvable_id)
        build = by_id[solvable_id]
        needed = requires.setdefault(f"{build.module}:{build.stream.name}", set())
        for dep in solvable.lookup_deparray(solv.SOLVABLE_REQUIRES):
            for provider in pool.whatprovides(dep):
                if provider.id in by_id and by_id[provider.id] in builds:
                    other = by_id[provider.id]
                    needed.add(f"{other.module}:{other.stream.name}")
    return ActiveModules(
        builds, streams, problems, only_latest, {k: frozenset(v) for k, v in requires.items()}
    )


def active_modules(
    universe: Universe, enabled: Mapping[str, str], disabled: Collection[str] = ()
) -> ActiveModules:
    """:func:`solve_modules` over *universe*'s modules on its platform, solved once for each
    set of enabled streams and disabled modules (a check asks the same of many requests)."""
    key = ("active modules", frozenset(enabled.items()), frozenset(disabled))
    return universe.shared(
        key, lambda: solve_modules(universe.modules, enabled, disabled, universe.platform)
    )
