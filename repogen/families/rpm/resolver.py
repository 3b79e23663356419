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
  stream's.  A repository with ``module_hotfixes=1`` is exempt; a repository's
  ``includepkgs`` (name globs) excludes its other packages.  Hidden
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
  old or the new stream to S's packages of that name (to any, when S has none), installed
  profile or not; it removes nothing by itself (an installed package S lacks stays), and
  erases only with ``--allowerasing``.
- A module argument is any of libdnf's ``NAME[:STREAM[:VERSION[:CONTEXT[:ARCH]]]][/PROFILE]``
  forms, globs included (:mod:`repogen.families.rpm.module_specs`); ``install @M…`` is
  ``module install M…``.  ``module install`` of named builds installs their artifacts, and
  fails when none of them is active.  ``--setopt=module_stream_switch=True`` lets ``module
  install``/``enable`` switch an enabled stream.  ``module disable|reset|remove|update`` are
  :mod:`repogen.families.rpm.module_commands`.
- ``--setopt=module_obsoletes=True``: the repositories' modulemd-obsoletes switch or reset the
  enabled streams first, in every command (:mod:`repogen.families.rpm.module_obsoletes`).

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
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

import solv

from repogen.families.rpm import libsolv, module_commands
from repogen.families.rpm.module_obsoletes import after_obsoletes, with_obsoletes
from repogen.families.rpm.module_solver import ActiveModules, ModuleBuild, active_modules
from repogen.families.rpm.module_specs import ModuleRequest, module_requests, no_default_profile
from repogen.families.rpm.upgrades import UPGRADE_ACTIONS, upgrade_jobs, versioned_packages
from repogen.families.rpm.versions import artifact_name, nevra
from repogen.model import ModuleSpec, PackageSpec, RelationKind
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

_MODULE_ACTIONS = {
    Action.MODULE_INSTALL,
    Action.MODULE_ENABLE,
    Action.MODULE_SWITCH,
    Action.MODULE_RESET,
    Action.MODULE_DISABLE,
    Action.MODULE_REMOVE,
    Action.MODULE_UPDATE,
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
class _Goal:
    """What one dnf transaction asks for once the module streams are decided."""

    #: Command-line words, or (``profiles``) the package names of module profiles.
    names: tuple[str, ...]
    enabled: dict[str, str]
    newly_enabled: tuple[str, ...] = ()
    profiles: bool = False
    #: Installed packages to distro-sync to the active streams (``module switch-to``), and
    #: the names the switched-to streams list (their packages are the sync's targets).
    sync: tuple[str, ...] = ()
    switched_names: frozenset[str] = frozenset()
    #: The NEVRAs ``module install M:S:V[:C]`` installs its profiles' packages from.
    artifacts: frozenset[str] = frozenset()
    #: Modules disabled: none of their streams is active.
    disabled: frozenset[str] = frozenset()
    #: Installed packages to erase and to upgrade (``module remove --all``, ``module update``).
    erase: tuple[str, ...] = ()
    update: tuple[str, ...] = ()


class DnfResolver:
    """Resolves rpm-family requests as dnf 4 does on EL8/9 (and Fedora, without modules)."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        universe = with_local_defaults(universe)
        obsoleted = with_obsoletes(universe, request)
        if obsoleted is None:
            return self.commanded(universe, request)
        # dnf checks a stream switch only once the transaction is resolved, against the
        # state before the obsoletes (``after_obsoletes``).
        free = replace(request, module_stream_switch=True)
        return after_obsoletes(universe, obsoleted, request, self.commanded(obsoleted, free))

    def commanded(self, universe: Universe, request: Request) -> Resolution:
        enabled = dict(universe.installed.streams)
        if request.action in _MODULE_ACTIONS:
            return self.module_command(universe, request, enabled)
        disabled = frozenset(universe.installed.disabled)
        return self.transaction(universe, request, _Goal(request.names, enabled, disabled=disabled))

    def module_command(
        self, universe: Universe, request: Request, enabled: dict[str, str]
    ) -> Resolution:
        disabled = set(universe.installed.disabled)
        if request.action in {Action.MODULE_DISABLE, Action.MODULE_RESET}:
            return module_commands.change_state(universe, request)
        if request.action in {Action.MODULE_REMOVE, Action.MODULE_UPDATE}:
            found = module_commands.profile_packages_of(universe, request)
            if isinstance(found, Resolution):
                return found
            erase, update = found
            disabled_now = frozenset(disabled)
            goal = _Goal((), enabled, disabled=disabled_now, erase=erase, update=update)
            return self.transaction(universe, request, goal)
        names: list[str] = []
        newly: list[str] = []
        requested: list[ModuleRequest] = []
        sync: set[str] = set()
        switched_names: set[str] = set()
        for spec in request.names:
            chosen = module_requests(universe.modules, spec, enabled, universe.arch)
            if isinstance(chosen, str):
                return Resolution(ok=False, problems=(chosen,))
            for parsed in chosen:
                refused = _refused(request, parsed, enabled.get(parsed.module.name))
                if refused:
                    return Resolution(ok=False, problems=refused)
                module, stream = parsed.module.name, parsed.stream.name
                if request.action is Action.MODULE_SWITCH:
                    old = active_modules(universe, enabled, disabled).streams.get(module)
                    sync |= {*parsed.stream.artifacts, *(old.artifacts if old else ())}
                    switched_names |= set(parsed.stream.artifacts)
                if enabled.get(module) != stream:
                    newly.append(f"{module}:{stream}")
                enabled[module] = stream
                disabled.discard(module)
                requested.append(parsed)
                names.extend(profile_names(universe, request, parsed))
        # libdnf's module solver decides which builds the enabled streams activate; the
        # streams they require are enabled with them (``enableDependencyTree``).
        active = active_modules(universe, enabled, disabled)
        # module install and switch-to only log a problem with the newest builds (dnf's
        # ``InstallSubCommand``, ``SwitchToSubCommand``) and go on with older ones; module
        # enable fails on it.
        if active.problems and (request.action is Action.MODULE_ENABLE or not active.only_latest):
            return Resolution(ok=False, problems=(*active.problems, "Error: Problems in request"))
        streams = [f"{p.module.name}:{p.stream.name}" for p in requested]
        for stream_id in active.dependency_tree(streams):
            module, _, stream = stream_id.partition(":")
            if enabled.get(module) != stream:
                enabled[module] = stream
                newly.append(stream_id)
        if request.action is Action.MODULE_ENABLE:
            return Resolution(ok=True, modules=tuple(newly))
        inactive = [p.spec for p in requested if not module_commands.active_builds(active, p)]
        if inactive and request.action is Action.MODULE_INSTALL:
            return Resolution(
                ok=False,
                problems=(
                    f"All matches for argument '{inactive[0]}' are not active",
                    f"Error: Problems in request:\nbroken groups or modules: {inactive[0]}",
                ),
            )
        # A profile's packages come from the artifacts of the active builds the arguments
        # match (``nevra_strict``), whatever other active stream lists a newer one.
        artifacts = frozenset(
            artifact
            for parsed in requested
            for build in module_commands.active_builds(active, parsed)
            for artifact in build.build.artifacts
        )
        installed = {p.name for p in universe.installed.packages}
        goal = _Goal(
            tuple(names),
            enabled,
            tuple(newly),
            profiles=True,
            sync=tuple(sorted(sync & installed)),
            switched_names=frozenset(switched_names),
            artifacts=artifacts,
            disabled=frozenset(disabled),
        )
        return self.transaction(universe, request, goal)

    @staticmethod
    def profiles(universe: Universe, request: Request, parsed: ModuleRequest) -> list[str]:
        """The profiles a module command installs."""
        if request.action is Action.MODULE_INSTALL:
            return list(parsed.installed_profiles)
        if request.action is Action.MODULE_SWITCH:
            if parsed.profile:
                return parsed.profiles()
            installed = universe.installed.profiles.get(parsed.module.name, ())
            return [p for p in installed if p in parsed.stream.profiles]
        return []

    def transaction(self, universe: Universe, request: Request, goal: _Goal) -> Resolution:
        # A problem of the modules here is only a warning: dnf goes on with what is active.
        active = active_modules(universe, goal.enabled, goal.disabled)
        pool = _pool(universe, goal, removing=request.action is Action.REMOVE)
        hotfix = universe.shared("module_hotfixes packages", lambda: _hotfix_ids(universe))
        jobs = []
        if request.action in UPGRADE_ACTIONS:
            found = upgrade_jobs(pool, request)
            if isinstance(found, Resolution):
                return found
            jobs += found
        for name in () if request.action in UPGRADE_ACTIONS else goal.names:
            if goal.profiles:
                matches = _artifacts_named(pool, name, goal.artifacts, hotfix) or (
                    profile_packages(pool, name)
                )
            else:
                matches = command_line_packages(pool, name)
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
        for name in goal.erase:
            jobs += libsolv.select(pool, name).jobs(solv.Job.SOLVER_ERASE)
        for name in goal.update:
            # libdnf's ``Goal::upgrade`` of a package set: a targeted update.
            how = solv.Job.SOLVER_UPDATE | solv.Job.SOLVER_TARGETED | solv.Job.SOLVER_FORCEBEST
            jobs.append(libsolv.one_of(pool, _named(pool, name), how))
        for name in goal.sync:
            named = _named(pool, name)
            if any(s.repo != pool.pool.installed for s in named):
                targets = _sync_targets(pool, name, goal, hotfix) or named
                # best=True makes libdnf force the best candidate on every job, this one too.
                how = solv.Job.SOLVER_DISTUPGRADE | solv.Job.SOLVER_FORCEBEST
                jobs.append(libsolv.one_of(pool, targets, how))
        unmet = _unmet_recommends(pool, universe.installed.packages)
        if unmet:
            how = solv.Job.SOLVER_EXCLUDEFROMWEAK | solv.Job.SOLVER_SOLVABLE_ONE_OF
            jobs.append(pool.pool.Job(how, pool.pool.towhatprovides([s.id for s in unmet])))
        flags = {
            **_LIBDNF_FLAGS,
            solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED: not request.install_recommends,
            solv.Solver.SOLVER_FLAG_ALLOW_DOWNGRADE: request.action is not Action.REMOVE,
            solv.Solver.SOLVER_FLAG_ALLOW_UNINSTALL: request.allow_erasing
            or request.action in {Action.REMOVE, Action.MODULE_REMOVE},
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


def _pool(universe: Universe, goal: _Goal, removing: bool) -> libsolv.Pool:
    """The pool of a transaction of *goal*: the packages modular filtering leaves with the
    goal's streams, made once per universe for each set of enabled streams and disabled
    modules (the solver of each request starts afresh on it)."""
    if removing:
        # dnf remove works without the repositories: the packages that need a removed one
        # go too, rather than being replaced from a repository.
        return universe.shared(
            "dnf pool, installed only",
            lambda: libsolv.build_pool(
                universe.arch, (), universe.installed.packages, system_first=True
            ),
        )

    def make() -> libsolv.Pool:
        active = active_modules(universe, goal.enabled, goal.disabled)
        visible, hidden = _filter(universe, active)
        return libsolv.build_pool(
            universe.arch, visible, universe.installed.packages, hidden, system_first=True
        )

    key = ("dnf pool", frozenset(goal.enabled.items()), frozenset(goal.disabled))
    return universe.shared(key, make)


def _hotfix_ids(universe: Universe) -> frozenset[int]:
    """The id()s of the packages of *universe*'s ``module_hotfixes`` repositories."""
    return frozenset(
        id(package)
        for hotfixes, packages in (
            (universe.hotfixes, universe.release),
            (universe.base_hotfixes, universe.base),
        )
        if hotfixes
        for package in packages
    )


def profile_names(universe: Universe, request: Request, parsed: ModuleRequest) -> list[str]:
    """The package names of the profiles a module command installs from *parsed*."""
    return [
        name
        for profile in DnfResolver.profiles(universe, request, parsed)
        for name in parsed.stream.profiles.get(profile, ())
    ]


def with_local_defaults(universe: Universe) -> Universe:
    """*universe* with the default streams and profiles of the machine's
    ``modules.defaults.d`` in place of the repositories' (libdnf merges them last: they win;
    a stream they give profiles for takes those, the others keep the repositories')."""
    local = universe.installed.module_defaults
    profiles = universe.installed.module_default_profiles
    if not local and not profiles:
        return universe

    def local_module(module: ModuleSpec) -> ModuleSpec:
        mine = profiles.get(module.name, {})
        streams = tuple(
            replace(s, default_profiles=mine[s.name]) if s.name in mine else s
            for s in module.streams
        )
        default = local.get(module.name, module.default_stream)
        return replace(module, streams=streams, default_stream=default)

    return replace(universe, modules=tuple(local_module(m) for m in universe.modules))


def _chosen(universe: Universe, spec: str) -> list[ModuleRequest] | str:
    streams = universe.installed.streams
    return module_requests(universe.modules, spec, streams, universe.arch)


def installed_profiles(universe: Universe, request: Request) -> dict[str, list[str]]:
    """The profiles each module of a ``module install``/``switch-to`` installs."""
    found: dict[str, list[str]] = {}
    if request.action in {Action.MODULE_INSTALL, Action.MODULE_SWITCH}:
        for spec in request.names:
            chosen = _chosen(universe, spec)
            for parsed in chosen if not isinstance(chosen, str) else ():
                profiles = DnfResolver.profiles(universe, request, parsed)
                found.setdefault(parsed.module.name, []).extend(profiles)
    return found


def requested_profile_packages(universe: Universe, request: Request) -> list[str] | None:
    """The package names the profiles of a module command install, or None when it names a
    stream or profile dnf would not find."""
    names: list[str] = []
    for spec in request.names:
        chosen = _chosen(universe, spec)
        if isinstance(chosen, str):
            return None
        for parsed in chosen:
            names += profile_names(universe, request, parsed)
    return names


def _named(pool: libsolv.Pool, name: str) -> list[solv.XSolvable]:
    return [s for s in pool.named(name) if pool.considered(s)]


def _artifacts_named(
    pool: libsolv.Pool, name: str, artifacts: frozenset[str], hotfix: frozenset[int]
) -> list[solv.XSolvable]:
    """The packages named *name* among *artifacts* (NEVRAs), installed or available, and
    those of ``module_hotfixes`` repositories (the id()s in *hotfix*), as
    ``ModuleBase._install_profiles_internal`` asks for a profile's package; none when
    there are no artifacts (a model's stream)."""
    if not artifacts:
        return []
    return [
        s
        for s in _named(pool, name)
        if nevra(s.name, s.evr, s.arch) in artifacts or id(pool.packages[s.id]) in hotfix
    ]


def _sync_targets(
    pool: libsolv.Pool, name: str, goal: _Goal, hotfix: frozenset[int]
) -> list[solv.XSolvable]:
    """What ``ModuleBase.switch_to`` distro-syncs the installed *name* to: the packages of
    that name among the switched-to streams' artifacts (``install_base_query``, which has
    the ``module_hotfixes`` packages of the profiles' names too), so that an installed
    version those streams lack is replaced rather than kept; none when they have no package
    of that name (dnf then syncs to any package of the name)."""
    if goal.artifacts:
        profiled = hotfix if name in goal.names else frozenset()
        return _artifacts_named(pool, name, goal.artifacts, profiled)
    return profile_packages(pool, name) if name in goal.switched_names else []


def _refused(request: Request, parsed: ModuleRequest, current: str | None) -> tuple[str, ...]:
    """Why dnf refuses a module command's argument *parsed* (the module's enabled stream
    *current*), or nothing."""
    action = request.action
    if parsed.profile and not parsed.profiles() and action is not Action.MODULE_ENABLE:
        where = f"{parsed.module.name}:{parsed.stream.name}"
        available = ", ".join(sorted(parsed.stream.profiles))
        return (
            f"Unable to match profile for argument {parsed.spec}. "
            f"Available profiles for '{where}': {available}",
            f"Error: Problems in request:\nmissing groups or modules: {parsed.spec}",
        )
    missing = no_default_profile(parsed)
    if missing and action is Action.MODULE_INSTALL:
        return (missing, f"Error: Problems in request:\nbroken groups or modules: {parsed.spec}")
    module, stream = parsed.module.name, parsed.stream.name
    switching = action is Action.MODULE_SWITCH or request.module_stream_switch
    if current not in (None, stream) and not switching:
        return (
            f"The operation would result in switching of module '{module}' stream "
            f"'{current}' to stream '{stream}'",
            "Error: It is not possible to switch enabled streams of a module unless "
            "explicitly enabled via configuration option module_stream_switch.",
        )
    return ()


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
        # A model's streams list no NEVRAs: a large repository's need not be made.
        listed = self.include or self.exclude
        key = nevra(package.name, package.version, package.arch) if listed else ""
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
    """The available packages that survive modular filtering and each repository's
    ``includepkgs``, and those excluded (a ``module_hotfixes`` release or base repository is
    exempt from modular filtering)."""
    filtering = _Filtering.of(universe, active) if universe.modules else None
    kept: list[PackageSpec] = []
    hidden: list[PackageSpec] = []
    for repository, packages, hotfixes in (
        ("release", universe.release, universe.hotfixes),
        ("base", universe.base, universe.base_hotfixes),
    ):
        include = universe.include_packages.get(repository)
        modular = None if hotfixes else filtering
        for package in packages:
            excluded = include is not None and not any(
                fnmatchcase(package.name, pattern) for pattern in include
            )
            hides = excluded or (
                modular is not None and modular.hides(package, release=repository == "release")
            )
            (hidden if hides else kept).append(package)
    return kept, hidden
