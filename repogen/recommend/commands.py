"""Install commands derived from the model, each proved by resolving it.

A target's *entries* are how users install the driver: packages and dnf module streams marked
``entry: latest`` (follows new branches) or ``entry: branch`` (pins the release's branch).  On a
target with entry streams, the module is the interface (``dnf module install M:S``); elsewhere
the entry packages are (``apt-get``/``dnf``/``zypper install NAME``).  Each candidate command is
resolved in-process as its client would, and its flavor is the kernel modules it installs.
"""

from __future__ import annotations

from dataclasses import dataclass

from repogen.families import driver
from repogen.model import Repository
from repogen.model.declarations import Entry
from repogen.resolve import resolve
from repogen.resolve.outcome import Outcome, OutcomeFlavor
from repogen.resolve.request import parse_request
from repogen.resolve.universe import universe_for


@dataclass(frozen=True)
class Choice:
    """The command for a flavor, and the other entries installing it (SUSE kernel flavors)."""

    outcome: Outcome
    variants: tuple[str, ...] = ()


def outcome(repository: Repository, command: str) -> Outcome:
    """Resolve *command* on *repository* as its client would."""
    universe = universe_for(repository)
    return universe.outcome(command, resolve(universe, parse_request(command)))


def entry_commands(repository: Repository, entry: Entry) -> tuple[str, ...]:
    """The commands installing the driver through *repository*'s entries of kind *entry*."""
    family = driver(repository.family)
    if family.module_install_command and any(
        s.entry for m in repository.modules for s in m.streams
    ):
        return tuple(
            f"{family.module_install_command} {m.name}:{s.name}"
            for m in repository.modules
            for s in m.streams
            if s.entry == entry
        )
    # Once per name: a repository of several releases has several versions of an entry.
    return tuple(
        dict.fromkeys(
            f"{family.install_command} {p.name}" for p in repository.packages if p.entry == entry
        )
    )


def choose(
    repository: Repository,
    flavor: OutcomeFlavor,
    entry: Entry,
    offered: Repository | None = None,
) -> Choice | None:
    """The entry of kind *entry* that installs *flavor* on *repository*, or None when the
    release has none.  The entries are those of *offered* when given: one release's own, in a
    repository holding several releases' (a channel's, whose pinned entries are every
    branch's).

    Several entries install the same flavor where they are expanded per kernel flavor
    (``nvidia-open``, ``nvidia-open-azure``): the default kernel's name carries no suffix, so
    the shortest is chosen and the others are its variants.
    """
    found = [
        result
        for result in (outcome(repository, c) for c in entry_commands(offered or repository, entry))
        if result.installs(flavor)
    ]
    if not found:
        return None
    chosen = min(found, key=lambda result: len(result.command))
    return Choice(chosen, tuple(r.command for r in found if r is not chosen))
