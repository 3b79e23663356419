"""Installed states made by running requests, as a machine would have run them.

An upgrade path is checked from the state an earlier install left: "the 12.5 `cuda` stack is
installed" is the state after ``apt-get install cuda`` against the 12.5 repository.
"""

from __future__ import annotations

from collections.abc import Sequence

from repogen.errors import RepogenError
from repogen.families import driver
from repogen.model import PackageSpec, Repository
from repogen.resolve import Engine, in_process
from repogen.resolve.request import Action, Request, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import InstalledState, Universe, universe_for


class SessionError(RepogenError, ValueError):
    """A request that sets up an installed state failed; the message says which and why."""


def apply(universe: Universe, request: Request, resolution: Resolution) -> InstalledState:
    """The installed state after *resolution* of *request* was carried out in *universe*."""
    state = universe.installed
    # The repository's package of a version wins over an installed one of the same version
    # (which differs in control data when the transaction upgrades it to itself).
    by_key = {(p.name, p.version): p for p in (*state.packages, *universe.available)}
    gone = {r.name for r in (*resolution.remove, *resolution.upgrade)}
    packages: list[PackageSpec] = [p for p in state.packages if p.name not in gone]
    packages += [by_key[(r.name, r.version)] for r in (*resolution.install, *resolution.upgrade)]
    streams = dict(state.streams)
    profiles = dict(state.profiles)
    disabled = set(state.disabled)
    if request.action is Action.MODULE_RESET:
        for name in request.names:
            streams.pop(name.partition(":")[0], None)
            profiles.pop(name.partition(":")[0], None)
            disabled.discard(name.partition(":")[0])
    for name in resolution.disabled:
        streams.pop(name, None)
        profiles.pop(name, None)
        disabled.add(name)
    for enabled in resolution.modules:
        module, _, stream = enabled.partition(":")
        streams[module] = stream
        disabled.discard(module)
        # A new stream starts with no installed profiles.
        profiles.pop(module, None)
    for name, chosen in driver(universe.family).installed_profiles(universe, request).items():
        profiles[name] = tuple(sorted({*profiles.get(name, ()), *chosen}))
    return InstalledState(
        tuple(sorted(packages, key=lambda p: p.name)),
        streams,
        {module: names for module, names in profiles.items() if names},
        tuple(sorted(disabled)),
        state.module_defaults,
        state.module_default_profiles,
        state.held,
    )


def installed_by(
    repository: Repository,
    requests: Sequence[str],
    start: InstalledState | None = None,
    answer: Engine = in_process,
) -> InstalledState:
    """The state after running *requests*, in order, against *repository*, each resolved by
    *answer* (default: repogen's resolver over the whole repository)."""
    state = start or InstalledState()
    for text in requests:
        request = parse_request(text)
        universe = universe_for(repository, state)
        resolution = answer(repository, universe, request)
        if not resolution.ok:
            raise SessionError(
                f"setting up the installed state: {text!r} fails on {repository.target_name}/"
                f"{repository.arch}: {' '.join(resolution.problems)}"
            )
        state = apply(universe, request, resolution)
    return state
