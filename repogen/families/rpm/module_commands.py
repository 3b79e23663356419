"""dnf 4's ``module disable``, ``reset``, ``remove`` and ``update`` (``dnf.module.ModuleBase``).

- ``disable`` and ``reset`` change the state of every module an argument matches (only its
  name counts): disabled, no stream of the module is active, not even its default one, and
  its installed profiles are forgotten; reset, the module is back to its default stream.
  Nothing is installed or removed; a disable that leaves an enabled stream's requirements
  unmet fails ("Modular dependency problems").
- ``remove M[/P]`` forgets the installed profiles named (all of the module's without /P) and
  removes their packages only where dnf's history records them as installed by a profile
  (``Base._remove_if_unneeded``): a machine's installed state here has no dnf history (its
  packages are as if installed by rpm), so it removes none.  ``remove --all`` erases the
  installed packages named as artifacts of the active builds of the streams matched (name
  and stream only), except those other active modules list too.
- ``update M[/P]`` upgrades the installed packages of the module's installed profiles, and of
  the profile named — else of every profile and every artifact of the newest active build.

A modular dependency problem, a module no argument matches: dnf fails.
"""

from __future__ import annotations

from repogen.families.rpm.module_solver import ActiveModules, ModuleBuild, solve_modules
from repogen.families.rpm.module_specs import (
    ModuleRequest,
    Nsvcap,
    matching,
    module_requests,
)
from repogen.families.rpm.versions import artifact_name
from repogen.model import StreamBuild
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


def _no_match(spec: str) -> Resolution:
    return Resolution(
        ok=False,
        problems=(
            f"Unable to resolve argument {spec}",
            f"Error: Problems in request:\nmissing groups or modules: {spec}",
        ),
    )


def change_state(universe: Universe, request: Request) -> Resolution:
    """``module disable`` or ``module reset`` of *request*'s arguments."""
    names: set[str] = set()
    for spec in request.names:
        found = matching(universe.modules, spec, universe.arch)
        if not found:
            return _no_match(spec)
        names |= set(found)
    enabled = dict(universe.installed.streams)
    disabled = set(universe.installed.disabled)
    changed = sorted(names - disabled)
    for name in names:
        enabled.pop(name, None)
        if request.action is Action.MODULE_DISABLE:
            disabled.add(name)
        else:
            disabled.discard(name)
    if request.action is Action.MODULE_RESET:
        return Resolution(ok=True)
    active = solve_modules(universe.modules, enabled, disabled, universe.platform)
    if active.problems:
        return Resolution(ok=False, problems=(*active.problems, "Error: Problems in request"))
    return Resolution(ok=True, disabled=tuple(changed))


def active_builds(active: ActiveModules, parsed: ModuleRequest) -> list[ModuleBuild]:
    """The builds *parsed* matched that the module solver activated."""
    module = parsed.module.name
    candidates = parsed.builds or parsed.stream.builds
    if not candidates:  # a model's stream: its one build
        return [b for b in active.builds if b.module == module and b.stream is parsed.stream]
    return [b for b in active.builds if b.module == module and b.build in candidates]


def _artifact_names(build: ModuleBuild) -> set[str]:
    if build.build.artifacts:
        return {artifact_name(a) for a in build.build.artifacts}
    return set(build.stream.artifacts)


def _requests(
    universe: Universe, spec: str, active: ActiveModules | None = None
) -> list[ModuleRequest] | Resolution:
    """The module streams *spec* chooses (of their *active* builds only, when given)."""

    def keep(module: str, stream: str, build: StreamBuild | None) -> bool:
        assert active is not None
        return active.has(module, stream, build)

    streams = universe.installed.streams
    chosen = module_requests(
        universe.modules, spec, streams, universe.arch, keep if active else None
    )
    return _no_match(spec) if isinstance(chosen, str) else chosen


def _removed_with_all(universe: Universe, request: Request, active: ActiveModules) -> set[str]:
    """``module remove --all``: the artifact names of the active builds of the streams the
    arguments match by name and stream, less those of the other active builds."""
    matched: set[tuple[str, str]] = set()
    for spec in request.names:
        nsvcap = Nsvcap.parse(spec)
        pattern = f"{nsvcap.name}:{nsvcap.stream or '*'}" + (
            f"::{nsvcap.arch}" if nsvcap.arch else ""
        )
        for module, streams in matching(universe.modules, pattern, universe.arch).items():
            matched |= {(module, stream) for stream in streams}
    removed: set[str] = set()
    kept: set[str] = set()
    for build in active.builds:
        mine = (build.module, build.stream.name) in matched
        (removed if mine else kept).update(_artifact_names(build))
    return removed - kept


def profile_packages_of(
    universe: Universe, request: Request
) -> Resolution | tuple[tuple[str, ...], tuple[str, ...]]:
    """For ``module remove`` and ``module update``: the installed package names to erase and
    to upgrade, or the failed resolution."""
    installed_names = {p.name for p in universe.installed.packages}
    active = solve_modules(
        universe.modules,
        universe.installed.streams,
        universe.installed.disabled,
        universe.platform,
    )
    update: set[str] = set()
    for spec in request.names:
        updating = request.action is Action.MODULE_UPDATE
        chosen = _requests(universe, spec, active if updating else None)
        if isinstance(chosen, Resolution):
            if request.action is Action.MODULE_REMOVE:
                continue  # dnf only logs that the argument matches no module
            return chosen
        for parsed in chosen:
            installed = universe.installed.profiles.get(parsed.module.name, ())
            named = parsed.profiles() if parsed.profile else list(installed)
            if request.action is Action.MODULE_REMOVE:
                continue  # profile packages have no history here: none is removed
            builds = active_builds(active, parsed)
            if not builds:
                continue  # dnf logs "Unable to resolve argument" and goes on
            for profile in (p for p in named if p in installed):
                update.update(parsed.stream.profiles.get(profile, ()))
            if parsed.profile:
                for profile in parsed.profiles():
                    update.update(parsed.stream.profiles[profile])
            else:
                for packages in parsed.stream.profiles.values():
                    update.update(packages)
                newest = max(builds, key=lambda b: b.build.version)
                update |= _artifact_names(newest)
    erase: set[str] = set()
    if request.action is Action.MODULE_REMOVE and request.remove_all:
        erase = _removed_with_all(universe, request, active)
    return tuple(sorted(erase & installed_names)), tuple(sorted(update & installed_names))
