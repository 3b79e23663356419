"""Installed states made by running requests, as a machine would have run them.

An upgrade path is checked from the state an earlier install left: "the 12.5 `cuda` stack is
installed" is the state after ``apt-get install cuda`` against the 12.5 repository.  A history
is several such steps, each at its own point of a channel: Ubuntu 20.04's migration runs
``apt-get install nvidia-open`` on the machine that installed ``cuda`` at 12.5.1 and then
``nvidia-kernel-source-open`` at 565.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

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


#: The universe a request of an installed state's history runs in: :func:`universe_for`, or
#: one shared with other requests on the same repository and state.
Universes = Callable[[Repository, InstalledState], Universe]


def installed_by(
    repository: Repository,
    requests: Sequence[str],
    start: InstalledState | None = None,
    answer: Engine = in_process,
    universes: Universes = universe_for,
) -> InstalledState:
    """The state after running *requests*, in order, against *repository*, each resolved by
    *answer* (default: repogen's resolver over the whole repository) in the universe
    *universes* gives."""
    state = start or InstalledState()
    for text in requests:
        request = parse_request(text)
        universe = universes(repository, state)
        resolution = answer(repository, universe, request)
        if not resolution.ok:
            raise SessionError(
                f"setting up the installed state: {text!r} fails on {repository.target_name}/"
                f"{repository.arch}: {' '.join(resolution.problems)}"
            )
        state = apply(universe, request, resolution)
    return state


@dataclass(frozen=True)
class Step:
    """Requests a machine ran against *repository* (as it was at one point of a channel), and
    the packages it held afterwards."""

    repository: Repository
    requests: tuple[str, ...]
    held: frozenset[str] = frozenset()


def installed_along(
    steps: Sequence[Step],
    answer: Engine = in_process,
    start: InstalledState | None = None,
    universes: Universes = universe_for,
) -> InstalledState:
    """The state after each of *steps*, in order, each starting from the machine the step
    before left (:func:`installed_by`), the first from *start* (default: nothing
    installed); holds stay for the steps after."""
    state = start or InstalledState()
    for step in steps:
        state = installed_by(step.repository, step.requests, state, answer, universes)
        if step.held:
            state = replace(state, held=state.held | step.held)
    return state


def out_of_time(
    points: Sequence[str], steps: Sequence[str | None], now: str | None
) -> tuple[int, str] | None:
    """The first step of a history (each step's point, None for *now*) that goes against
    time, with why: one later than *now*, the point the request runs at (a machine cannot
    install from a repository that does not exist yet), or earlier than the step before.
    *now* None: not known yet (an assertion that runs at every point), later than every step.
    Every point is one of *points*, oldest first."""
    position = {point: index for index, point in enumerate(points)}
    ceiling = len(points) if now is None else position[now]
    before: tuple[int, str] | None = None
    for index, at in enumerate(steps):
        here = ceiling if at is None else position[at]
        name = at or now or "the point the request runs at"
        if here > ceiling:
            return index, (
                f"{at} is later than {now}, the point the request runs at: a machine cannot "
                "install from a repository that does not exist yet"
            )
        if before is not None and here < before[0]:
            return index, f"{name} is earlier than the step before it ({before[1]})"
        before = (here, name)
    return None
