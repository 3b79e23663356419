"""Requests as a user types them: ``apt-get install cuda``, ``dnf module install M:S/P``, …

Each family's command line is parsed into one :class:`Request`.  Options the resolvers model
are kept; options that only change output or prompting (``-y``, ``-s``, ``-V``, ``--dry-run``,
``--assumeno``, ``-q``) are accepted and ignored; anything else is an error naming it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from repogen.errors import RepogenError
from repogen.families import Family, drivers, for_client


class Action(StrEnum):
    INSTALL = "install"
    REMOVE = "remove"
    MODULE_INSTALL = "module install"
    MODULE_ENABLE = "module enable"
    MODULE_RESET = "module reset"
    MODULE_SWITCH = "module switch-to"
    MODULE_DISABLE = "module disable"
    MODULE_REMOVE = "module remove"
    MODULE_UPDATE = "module update"
    #: Upgrade the installed packages (apt-get upgrade, dnf upgrade, zypper update); with
    #: names, only those.
    UPGRADE = "upgrade"
    #: Upgrade everything, installing and removing as needed (apt-get dist-upgrade, zypper
    #: dist-upgrade).
    DIST_UPGRADE = "dist-upgrade"
    #: Bring the installed packages to the repositories' versions, down as well as up (dnf).
    DISTRO_SYNC = "distro-sync"
    #: Install the next lower version of installed packages (dnf).
    DOWNGRADE = "downgrade"


@dataclass(frozen=True)
class Request:
    """One client invocation, reduced to what decides its resolution."""

    family: Family
    action: Action
    names: tuple[str, ...]
    text: str
    install_recommends: bool = True
    allow_erasing: bool = False
    patterns: bool = False
    #: dnf: ``--setopt=module_stream_switch=True`` (module install/enable may switch streams).
    module_stream_switch: bool = False
    #: dnf: ``--setopt=module_obsoletes=True`` (the repositories' modulemd-obsoletes apply).
    module_obsoletes: bool = False
    #: dnf: ``module remove --all`` (the streams' installed packages too, not only profiles).
    remove_all: bool = False
    #: An upgrade may install packages that are not installed yet (``apt upgrade``, not
    #: ``apt-get upgrade``).
    new_packages: bool = True
    #: zypper ``--oldpackage``: a named version lower than the installed one is installed.
    old_package: bool = False

    @property
    def upgrades(self) -> bool:
        """Whether the request upgrades installed packages rather than naming what to do."""
        return self.action in UPGRADES

    def __str__(self) -> str:
        return self.text

    def words(self) -> list[str]:
        """The command line as written, without the options that only change output or
        prompting: what a real client is given to answer the request."""
        return [word for word in shlex.split(self.text) if word not in PROMPT_OPTIONS]


#: The actions that upgrade (or sync) installed packages, with or without names.
UPGRADES = frozenset({Action.UPGRADE, Action.DIST_UPGRADE, Action.DISTRO_SYNC})


class RequestError(RepogenError, ValueError):
    """A command line repogen cannot resolve; the message says what to write instead."""


#: Options that only change output or prompting: accepted, and left out of what is resolved.
PROMPT_OPTIONS = frozenset(
    {
        "-y",
        "--yes",
        "--assume-yes",
        "-s",
        "--simulate",
        "--dry-run",
        "--just-print",
        "-V",
        "--verbose-versions",
        "-q",
        "--quiet",
        "--assumeno",
        "-n",
        "--non-interactive",
        "--no-confirm",
        "-D",
        "--assume-no",
    }
)


def parse_request(text: str | list[str]) -> Request:
    """Parse a command line; its first word (apt-get, apt, dnf, yum, zypper) sets the family."""
    words = shlex.split(text) if isinstance(text, str) else list(text)
    shown = text if isinstance(text, str) else shlex.join(words)
    family = for_client(words[0]) if words else None
    if family is None:
        programs = ", ".join(program for d in drivers() for program in d.clients)
        raise RequestError(f"{shown!r}: expected a command starting with one of {programs}")
    return family.parse_request(words[1:], shown)


def split_options(words: list[str], shown: str) -> tuple[list[str], list[str]]:
    options = [w for w in words if w.startswith("-") and w not in PROMPT_OPTIONS]
    operands = [w for w in words if not w.startswith("-")]
    if not operands:
        raise RequestError(f"{shown!r}: expected a command such as install")
    return options, operands


def reject_options(options: list[str], known: set[str], shown: str) -> None:
    unknown = [o for o in options if o not in known]
    if unknown:
        raise RequestError(
            f"{shown!r}: option {unknown[0]} is not modelled; supported: {', '.join(sorted(known))}"
        )


def needs_names(names: list[str], shown: str) -> tuple[str, ...]:
    if not names:
        raise RequestError(f"{shown!r}: expected at least one package name")
    return tuple(names)


def action_named(actions: dict[str, Action], command: str, what: str, shown: str) -> Action:
    """The action *command* names in *actions*; an error listing them when it names none."""
    if command not in actions:
        raise RequestError(f"{shown!r}: {what} {command!r} is not modelled ({', '.join(actions)})")
    return actions[command]
