"""dnf's resolution: libsolv with dnf's defaults, and dnf's modular filtering on top.

libsolv knows nothing of modules; dnf decides before solving which packages exist
(dnf.modularity(7), checked in formats.md §4.3):

- A stream is active when it is enabled, or when it is its module's default and no stream of
  that module is enabled, or when an active stream requires it; which builds of them are
  active is libdnf's module solver (:mod:`repogen.families.rpm.module_solver`).  A module
  command whose streams' requirements cannot be met fails ("Modular dependency problems"); the
  streams an enabled stream requires are enabled with it.
- Filtering is libdnf's ``setModuleExcludes``, by exact artifact: the NEVRAs the active
  builds list are shown; the NEVRAs of every other build (other streams, inactive modules,
  builds requiring other modules) are hidden even where they share a name; any other package
  named as, or providing the name of, an active artifact is hidden too.  A model's streams
  name their packages rather than list NEVRAs: the release packages of those names are the
  stream's.  A repository with ``module_hotfixes=1`` is exempt.  Hidden
  packages stay in libsolv's pool, excluded as dnf excludes them: never installed, but a
  package with a newer hidden version is still an old version that libsolv chooses last.
- Installing a package that is an artifact of an active build of a stream that is not enabled
  enables that stream, and the streams it requires.
- ``module install M:S/P`` enables S and installs profile P (the default profile without /P);
  without ``:S`` the stream is the module's only one, else its enabled one, else its default
  one (several streams and neither is an error); enabling a second stream of a module is an
  error unless it is a ``switch-to``.  A profile's packages are the stream's artifacts of
  those names (an installed newer version is downgraded to them).
- ``module switch-to M:S`` enables S, installs the profiles installed from the old stream that
  S has (or the one named), and distro-syncs the installed packages named as artifacts of the
  old or the new stream to S; it removes nothing by itself (an installed package S lacks
  stays), and erases only with ``--allowerasing``.

Requests are libdnf's jobs: ``install X`` asks for one of the packages named X, else of those
providing X (installed ones included), the best of them (``best=True``), with libdnf's solver
flags — downgrades allowed for installs, vendor changes allowed.  ``remove X`` erases the
installed X with the repositories switched off, so what needs X is removed too, never
replaced.  Weak dependencies are installed unless ``install_weak_deps=False``, except the
providers of what installed packages recommend and nothing installed provides
(``exclude_from_weak_autodetect``); erasing only with ``--allowerasing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import solv

from repogen.families.rpm import libsolv
from repogen.families.rpm.module_solver import ActiveModules, ModuleBuild, solve_modules
from repogen.families.rpm.upgrades import UPGRADE_ACTIONS, upgrade_jobs, versioned_packages
from repogen.families.rpm.versions import artifact_name, nevra
from repogen.model import ModuleSpec, PackageSpec, RelationKind, StreamSpec
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

_MODULE_ACTIONS = {
    Action.MODULE_INSTALL,
    Action.MODULE_ENABLE,
    Action.MODULE_SWITCH,
    Action.MODULE_RESET,
}

#: The solver flags libdnf always sets (``Goal::Impl::initSolver``).
_LIBDNF_FLAGS = {
    solv.Solver.SOLVER_FLAG_ALLOW_VENDORCHANGE: True,
    solv.Solver.SOLVER_FLAG_DUP_ALLOW_VENDORCHANGE: True,
    solv.Solver.SOLVER_FLAG_KEEP_ORPHANS: True,
    solv.Solver.SOLVER_FLAG_BEST_OBEY_POLICY: True,
    solv.Solver.SOLVER_FLAG_YUM_OBSOLETES: True,
}


@dataclass(frozen=True)
class ModuleRequest:
    """What ``M[:S][/P]`` names: a module, its stream and (when given) a profile."""

    module: ModuleSpec
    stream: StreamSpec
    profile: str | None

    @property
    def installed_profiles(self) -> tuple[str, ...]:
        """The profiles ``module install`` installs: the one named, else the default ones."""
        return (self.profile,) if self.profile else self.defaults

    @property
    def defaults(self) -> tuple[str, ...]:
        return self.stream.defaults(self.module.default_profile)


def module_request(universe: Universe, spec: str) -> ModuleRequest | str:
    """``M[:S][/P]`` → the module, stream and profile, or the error dnf prints."""
    rest, _, profile = spec.partition("/")
    name, _, stream_name = rest.partition(":")
    module = next((m for m in universe.modules if m.name == name), None)
    if module is None:
        return f"Error: Problems in request:\nmissing groups or modules: {spec}"
    only = module.streams[0].name if len(module.streams) == 1 else None
    chosen = stream_name or only or universe.installed.streams.get(name) or module.default_stream
    stream = module.stream(chosen) if chosen else None
    if stream is None:
        return f"Error: Problems in request:\nmissing groups or modules: {spec}"
    if profile and profile not in stream.profiles:
        return f"Error: Profile {name}:{stream.name}/{profile} not found"
    return ModuleRequest(module, stream, profile or None)


def no_default_profile(parsed: ModuleRequest) -> str | None:
    """What dnf 4 logs when ``module install M:S`` names no profile and S has no default
    one (``ModuleBase.install``: the stream's default profiles come from the defaults
    document), or None when it has one."""
    if parsed.profile or parsed.defaults:
        return None
    where = f"{parsed.module.name}:{parsed.stream.name}"
    if not parsed.stream.profiles:
        return f"No profiles for module {where}"
    available = ", ".join(sorted(parsed.stream.profiles))
    return f"No default profiles for module {where}. Available profiles: {available}"


@dataclass(frozen=True)
class _Goal:
    """What one dnf transaction asks for once the module streams are decided."""

    #: Command-line words, or (``profiles``) the package names of module profiles.
    names: tuple[str, ...]
    enabled: dict[str, str]
    newly_enabled: tuple[str, ...] = ()
    profiles: bool = False
    #: Installed packages to distro-sync to the active streams (``module switch-to``).
    sync: tuple[str, ...] = ()


class DnfResolver:
    """Resolves rpm-family requests as dnf 4 does on EL8/9 (and Fedora, without modules)."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        enabled = dict(universe.installed.streams)
        if request.action in _MODULE_ACTIONS:
            return self.module_command(universe, request, enabled)
        return self.transaction(universe, request, _Goal(request.names, enabled))

    def module_command(
        self, universe: Universe, request: Request, enabled: dict[str, str]
    ) -> Resolution:
        if request.action is Action.MODULE_RESET:
            return Resolution(ok=True)
        names: list[str] = []
        newly: list[str] = []
        requested_streams: list[str] = []
        sync: set[str] = set()
        for spec in request.names:
            parsed = module_request(universe, spec)
            if isinstance(parsed, str):
                return Resolution(ok=False, problems=(parsed,))
            missing = no_default_profile(parsed)
            if missing and request.action is Action.MODULE_INSTALL:
                return Resolution(
                    ok=False,
                    problems=(
                        missing,
                        f"Error: Problems in request:\nbroken groups or modules: {spec}",
                    ),
                )
            module, stream = parsed.module.name, parsed.stream.name
            current = enabled.get(module)
            switching = request.action is Action.MODULE_SWITCH
            if current not in (None, stream) and not switching:
                return Resolution(
                    ok=False,
                    problems=(
                        f"The operation would result in switching of module '{module}' stream "
                        f"'{current}' to stream '{stream}'",
                        "Error: It is not possible to switch enabled streams of a module unless "
                        "explicitly enabled via configuration option module_stream_switch.",
                    ),
                )
            if switching:
                old = solve_modules(universe.modules, enabled).streams.get(module)
                sync |= {*parsed.stream.artifacts, *(old.artifacts if old else ())}
            if current != stream:
                newly.append(f"{module}:{stream}")
            enabled[module] = stream
            requested_streams.append(f"{module}:{stream}")
            names.extend(profile_names(universe, request, parsed))
        # libdnf's module solver decides which builds the enabled streams activate; the
        # streams they require are enabled with them (``enableDependencyTree``).
        active = solve_modules(universe.modules, enabled)
        if active.problems:
            return Resolution(ok=False, problems=(*active.problems, "Error: Problems in request"))
        for stream_id in active.dependency_tree(requested_streams):
            module, _, stream = stream_id.partition(":")
            if enabled.get(module) != stream:
                enabled[module] = stream
                newly.append(stream_id)
        if request.action is Action.MODULE_ENABLE:
            return Resolution(ok=True, modules=tuple(newly))
        installed = {p.name for p in universe.installed.packages}
        goal = _Goal(
            tuple(names), enabled, tuple(newly), profiles=True, sync=tuple(sorted(sync & installed))
        )
        return self.transaction(universe, request, goal)

    @staticmethod
    def profiles(universe: Universe, request: Request, parsed: ModuleRequest) -> list[str]:
        """The profiles a module command installs."""
        if request.action is Action.MODULE_INSTALL:
            return list(parsed.installed_profiles)
        if request.action is Action.MODULE_SWITCH:
            if parsed.profile:
                return [parsed.profile]
            installed = universe.installed.profiles.get(parsed.module.name, ())
            return [p for p in installed if p in parsed.stream.profiles]
        return []

    def transaction(self, universe: Universe, request: Request, goal: _Goal) -> Resolution:
        # A problem of the modules here is only a warning: dnf goes on with what is active.
        active = solve_modules(universe.modules, goal.enabled)
        # dnf remove works without the repositories: the packages that need a removed one
        # go too, rather than being replaced from a repository.
        visible, hidden = ([], []) if request.action is Action.REMOVE else _filter(universe, active)
        pool = libsolv.build_pool(universe.arch, visible, universe.installed.packages, hidden)
        jobs = []
        if request.action in UPGRADE_ACTIONS:
            found = upgrade_jobs(pool, request)
            if isinstance(found, Resolution):
                return found
            jobs += found
        find = profile_packages if goal.profiles else command_line_packages
        for name in () if request.action in UPGRADE_ACTIONS else goal.names:
            matches = find(pool, name)
            if not matches:
                return Resolution(
                    ok=False,
                    problems=(
                        f"No match for argument: {name}",
                        f"Error: Unable to find a match: {name}",
                    ),
                )
            if request.action is Action.REMOVE:
                jobs += libsolv.select(pool, name).jobs(solv.Job.SOLVER_ERASE)
            else:
                how = solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_FORCEBEST
                jobs.append(libsolv.one_of(pool, matches, how))
        for name in goal.sync:
            named = _named(pool, name)
            if any(s.repo != pool.pool.installed for s in named):
                jobs.append(libsolv.one_of(pool, named, solv.Job.SOLVER_DISTUPGRADE))
        unmet = _unmet_recommends(pool, universe.installed.packages)
        if unmet:
            how = solv.Job.SOLVER_EXCLUDEFROMWEAK | solv.Job.SOLVER_SOLVABLE_ONE_OF
            jobs.append(pool.pool.Job(how, pool.pool.towhatprovides([s.id for s in unmet])))
        flags = {
            **_LIBDNF_FLAGS,
            solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED: not request.install_recommends,
            solv.Solver.SOLVER_FLAG_ALLOW_DOWNGRADE: request.action is not Action.REMOVE,
            solv.Solver.SOLVER_FLAG_ALLOW_UNINSTALL: request.allow_erasing
            or request.action is Action.REMOVE,
        }
        result = libsolv.solve(pool, jobs, flags)
        if not result.ok:
            return result
        # Installing an artifact of an active build of a stream that is not enabled enables
        # the stream and what it requires (``requiresModuleEnablement``).
        brought = {
            (ref.name, nevra(ref.name, ref.version, ref.arch))
            for ref in (*result.install, *result.upgrade)
        }
        by_artifact = [
            f"{build.module}:{build.stream.name}"
            for build in active.builds
            if build.module not in goal.enabled
            and any(
                key in build.build.artifacts
                if build.build.artifacts
                else name in build.stream.artifacts
                for name, key in brought
            )
        ]
        enabling = list(goal.newly_enabled)
        for stream_id in active.dependency_tree(sorted(set(by_artifact))):
            if stream_id.partition(":")[0] not in goal.enabled and stream_id not in enabling:
                enabling.append(stream_id)
        return Resolution(
            ok=True,
            install=result.install,
            upgrade=result.upgrade,
            remove=result.remove,
            modules=tuple(sorted(enabling)),
            why=result.why,
        )


def profile_names(universe: Universe, request: Request, parsed: ModuleRequest) -> list[str]:
    """The package names of the profiles a module command installs from *parsed*."""
    return [
        name
        for profile in DnfResolver.profiles(universe, request, parsed)
        for name in parsed.stream.profiles.get(profile, ())
    ]


def installed_profiles(universe: Universe, request: Request) -> dict[str, list[str]]:
    """The profiles each module of a ``module install``/``switch-to`` installs."""
    found: dict[str, list[str]] = {}
    if request.action in {Action.MODULE_INSTALL, Action.MODULE_SWITCH}:
        for spec in request.names:
            parsed = module_request(universe, spec)
            if isinstance(parsed, ModuleRequest):
                chosen = DnfResolver.profiles(universe, request, parsed)
                found.setdefault(parsed.module.name, []).extend(chosen)
    return found


def requested_profile_packages(universe: Universe, request: Request) -> list[str] | None:
    """The package names the profiles of a module command install, or None when it names a
    stream or profile dnf would not find."""
    names: list[str] = []
    for spec in request.names:
        parsed = module_request(universe, spec)
        if isinstance(parsed, str):
            return None
        names += profile_names(universe, request, parsed)
    return names


def _named(pool: libsolv.Pool, name: str) -> list[solv.XSolvable]:
    return [s for s in pool.pool.solvables_iter() if s.name == name and pool.considered(s)]


def _unmet_recommends(pool: libsolv.Pool, installed: Sequence[PackageSpec]) -> list[solv.XSolvable]:
    """dnf's ``exclude_from_weak_autodetect``: the providers of what installed packages
    recommend and nothing installed provides (by name, whatever the version) are never brought
    in as weak dependencies.  Rich (``or``) recommends are left alone."""
    found: dict[int, solv.XSolvable] = {}
    for package in installed:
        for relation in package.related(RelationKind.RECOMMENDS):
            if len(relation.alternatives) != 1:
                continue
            providers = pool.pool.whatprovides(pool.pool.Dep(relation.alternatives[0].name))
            if any(s.repo == pool.pool.installed for s in providers):
                continue
            found.update((s.id, s) for s in providers if pool.considered(s))
    return [found[key] for key in sorted(found)]


def command_line_packages(pool: libsolv.Pool, word: str) -> list[solv.XSolvable]:
    """What dnf's ``Subject`` finds for a command-line word: the packages named so, else the
    packages providing it, else those of the version it names (``NAME-VERSION[-RELEASE]``),
    installed ones included, excluded ones never."""
    for provides_only in (False, True):
        selection = libsolv.select(pool, word, provides_only)
        found = [s for s in selection.solvables() if pool.considered(s)]
        if found:
            return found
    return versioned_packages(pool, word)


def profile_packages(pool: libsolv.Pool, name: str) -> list[solv.XSolvable]:
    """What ``module install`` asks for a profile's package *name*: the stream's artifacts of
    that name (the available packages, and an installed one of the same version), else any
    package of that name."""
    named = _named(pool, name)
    available = [s for s in named if s.repo != pool.pool.installed]
    if not available:
        return named
    versions = {s.evr for s in available}
    return available + [s for s in named if s.repo == pool.pool.installed and s.evr in versions]


@dataclass(frozen=True)
class _Filtering:
    """What modular filtering includes and excludes: libdnf's ``setModuleExcludes`` over the
    artifacts of the active builds and of all the others.  A model's streams (no builds)
    name their release-repository packages instead of listing NEVRAs."""

    include: frozenset[str]
    include_names: frozenset[str]
    exclude: frozenset[str]
    exclude_names: frozenset[str]
    #: Names of the active artifacts: any other package named so or providing the name is
    #: hidden, whatever its version.
    names: frozenset[str]

    @classmethod
    def of(cls, universe: Universe, active: ActiveModules) -> _Filtering:
        include: set[str] = set()
        include_names: set[str] = set()
        exclude: set[str] = set()
        exclude_names: set[str] = set()
        for module in universe.modules:
            for stream in module.streams:
                for build in stream.builds:
                    on = active.shown(ModuleBuild(module.name, stream, build))
                    (include if on else exclude).update(build.artifacts)
                if not stream.builds:
                    on = active.streams.get(module.name) is stream
                    (include_names if on else exclude_names).update(stream.artifacts)
        names = include_names | {artifact_name(a) for a in include}
        return cls(
            frozenset(include),
            frozenset(include_names),
            frozenset(exclude),
            frozenset(exclude_names),
            frozenset(names),
        )

    def hides(self, package: PackageSpec, release: bool) -> bool:
        """Whether *package*, of the release repository or (not *release*) the base one, is
        excluded."""
        key = nevra(package.name, package.version, package.arch)
        if key in self.include or (release and package.name in self.include_names):
            return False
        if key in self.exclude or (release and package.name in self.exclude_names):
            return True
        if package.name in self.names:
            return True
        if not self.names:
            return False  # no active module: a large repository's provides are not read
        provided = {
            package.name,
            *(r.alternatives[0].name for r in package.related(RelationKind.PROVIDES)),
        }
        return not provided.isdisjoint(self.names)


def _filter(
    universe: Universe, active: ActiveModules
) -> tuple[list[PackageSpec], list[PackageSpec]]:
    """The available packages that survive modular filtering, and those it excludes (a
    ``module_hotfixes`` release repository is exempt)."""
    if not universe.modules:
        return [*universe.release, *universe.base], []
    filtering = _Filtering.of(universe, active)
    kept: list[PackageSpec] = []
    hidden: list[PackageSpec] = []
    for package in universe.release:
        visible = universe.hotfixes or not filtering.hides(package, release=True)
        (kept if visible else hidden).append(package)
    for package in universe.base:
        (hidden if filtering.hides(package, release=False) else kept).append(package)
    return kept, hidden
