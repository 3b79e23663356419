"""dnf's resolution: libsolv with dnf's defaults, and dnf's modular filtering on top.

libsolv knows nothing of modules; dnf decides before solving which packages exist
(dnf.modularity(7), checked in formats.md §4.3):

- A stream is active when it is enabled, or when it is its module's default and no stream of
  that module is enabled.
- Artifacts of inactive streams are hidden; non-modular packages whose name is an artifact of an
  active stream are hidden too; a repository with ``module_hotfixes=1`` is exempt.
- Installing a package that is an artifact of an active default stream enables that stream.
- ``module install M:S/P`` enables S and installs profile P (the default profile without /P);
  enabling a second stream of a module is an error unless it is a ``switch-to``.

Defaults: ``best=True``, ``install_weak_deps=True``, erasing only with ``--allowerasing``.
"""

from __future__ import annotations

from dataclasses import dataclass

import solv

from repogen.model import ModuleSpec, PackageSpec, StreamSpec
from repogen.resolve import libsolv
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


@dataclass(frozen=True)
class _ModuleRequest:
    module: ModuleSpec
    stream: StreamSpec
    profile: str | None


def _parse_spec(universe: Universe, spec: str) -> _ModuleRequest | str:
    """``M[:S][/P]`` → the module, stream and profile, or the error dnf prints."""
    rest, _, profile = spec.partition("/")
    name, _, stream_name = rest.partition(":")
    module = next((m for m in universe.modules if m.name == name), None)
    if module is None:
        return f"Error: Problems in request:\nmissing groups or modules: {spec}"
    chosen = stream_name or universe.installed.streams.get(name) or module.default_stream
    stream = module.stream(chosen) if chosen else None
    if stream is None:
        return f"Error: Problems in request:\nmissing groups or modules: {spec}"
    if profile and profile not in stream.profiles:
        return f"Error: Profile {name}:{stream.name}/{profile} not found"
    return _ModuleRequest(module, stream, profile or None)


class DnfResolver:
    """Resolves rpm-family requests as dnf 4 does on EL8/9 (and Fedora, without modules)."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        enabled = dict(universe.installed.streams)
        if request.action in {
            Action.MODULE_INSTALL,
            Action.MODULE_ENABLE,
            Action.MODULE_SWITCH,
            Action.MODULE_RESET,
        }:
            return self.module_command(universe, request, enabled)
        return self.transaction(universe, request, enabled, request.names, newly_enabled=[])

    def module_command(
        self, universe: Universe, request: Request, enabled: dict[str, str]
    ) -> Resolution:
        if request.action is Action.MODULE_RESET:
            for name in request.names:
                enabled.pop(name.partition(":")[0], None)
            return Resolution(ok=True)
        names: list[str] = []
        newly: list[str] = []
        for spec in request.names:
            parsed = _parse_spec(universe, spec)
            if isinstance(parsed, str):
                return Resolution(ok=False, problems=(parsed,))
            module, stream = parsed.module.name, parsed.stream.name
            current = enabled.get(module)
            if current not in (None, stream) and request.action is not Action.MODULE_SWITCH:
                return Resolution(
                    ok=False,
                    problems=(
                        f"The operation would result in switching of module '{module}' stream "
                        f"'{current}' to stream '{stream}'",
                        "Error: It is not possible to switch enabled streams of a module unless "
                        "explicitly enabled via configuration option module_stream_switch.",
                    ),
                )
            if current != stream:
                newly.append(f"{module}:{stream}")
            enabled[module] = stream
            if request.action is not Action.MODULE_ENABLE:
                profile = parsed.profile or parsed.module.default_profile
                names.extend(parsed.stream.profiles.get(profile, ()))
        if request.action is Action.MODULE_ENABLE:
            return Resolution(ok=True, modules=tuple(newly))
        switching = request.action is Action.MODULE_SWITCH
        return self.transaction(
            universe,
            request,
            enabled,
            tuple(names),
            newly,
            allow_erasing=request.allow_erasing or switching,
        )

    def transaction(
        self,
        universe: Universe,
        request: Request,
        enabled: dict[str, str],
        names: tuple[str, ...],
        newly_enabled: list[str],
        allow_erasing: bool | None = None,
    ) -> Resolution:
        active = _active_streams(universe.modules, enabled)
        visible = _visible(universe, active)
        pool = libsolv.build_pool(universe.arch, visible, universe.installed.packages)
        jobs = []
        for name in names:
            selection = libsolv.select(pool, name)
            if selection.isempty():
                return Resolution(
                    ok=False,
                    problems=(
                        f"No match for argument: {name}",
                        f"Error: Unable to find a match: {name}",
                    ),
                )
            action = (
                solv.Job.SOLVER_INSTALL
                if request.action is not Action.REMOVE
                else solv.Job.SOLVER_ERASE
            )
            jobs += selection.jobs(action | solv.Job.SOLVER_FORCEBEST)
        result = libsolv.solve(
            pool,
            jobs,
            recommends=request.install_recommends,
            best=True,
            allow_erasing=request.allow_erasing
            if allow_erasing is None
            else allow_erasing or request.action is Action.REMOVE,
        )
        if not result.ok:
            return result
        enabling = list(newly_enabled)
        for module_name, stream in active.items():
            if module_name in enabled:
                continue
            artifacts = set(stream.artifacts)
            if any(ref.name in artifacts for ref in (*result.install, *result.upgrade)):
                enabling.append(f"{module_name}:{stream.name}")
        return Resolution(
            ok=True,
            install=result.install,
            upgrade=result.upgrade,
            remove=result.remove,
            modules=tuple(sorted(enabling)),
            why=result.why,
        )


def _active_streams(
    modules: tuple[ModuleSpec, ...], enabled: dict[str, str]
) -> dict[str, StreamSpec]:
    active = {}
    for module in modules:
        name = enabled.get(module.name) or module.default_stream
        stream = module.stream(name) if name else None
        if stream is not None:
            active[module.name] = stream
    return active


def _visible(universe: Universe, active: dict[str, StreamSpec]) -> list[PackageSpec]:
    """The available packages that survive modular filtering."""
    artifacts = {name for m in universe.modules for s in m.streams for name in s.artifacts}
    shown = {name for s in active.values() for name in s.artifacts}
    kept = [
        p
        for p in universe.release
        if universe.hotfixes or p.name not in artifacts or p.name in shown
    ]
    kept += [p for p in universe.base if p.name not in shown]
    return kept
