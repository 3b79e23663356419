"""Requests as a user types them: ``apt-get install cuda``, ``dnf module install M:S/P``, …

Each family's command line is parsed into one :class:`Request`.  Options the resolvers model
are kept; options that only change output or prompting (``-y``, ``-s``, ``-V``, ``--dry-run``,
``--assumeno``, ``-q``) are accepted and ignored; anything else is an error naming it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import StrEnum

from repogen.model import Family


class Action(StrEnum):
    INSTALL = "install"
    REMOVE = "remove"
    MODULE_INSTALL = "module install"
    MODULE_ENABLE = "module enable"
    MODULE_RESET = "module reset"
    MODULE_SWITCH = "module switch-to"


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

    def __str__(self) -> str:
        return self.text

    def words(self) -> list[str]:
        """The command line as written, without the options that only change output or
        prompting: what a real client is given to answer the request."""
        return [word for word in shlex.split(self.text) if word not in PROMPT_OPTIONS]


class RequestError(ValueError):
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

_CLIENTS = {
    "apt-get": Family.DEB,
    "apt": Family.DEB,
    "dnf": Family.RPM,
    "yum": Family.RPM,
    "zypper": Family.SUSE,
}


def parse_request(text: str | list[str]) -> Request:
    """Parse a command line; its first word (apt-get, apt, dnf, yum, zypper) sets the family."""
    words = shlex.split(text) if isinstance(text, str) else list(text)
    shown = text if isinstance(text, str) else shlex.join(words)
    if not words or words[0] not in _CLIENTS:
        raise RequestError(
            f"{shown!r}: expected a command starting with apt-get, apt, dnf or zypper"
        )
    family = _CLIENTS[words[0]]
    parse = {Family.DEB: _apt, Family.RPM: _dnf, Family.SUSE: _zypper}[family]
    return parse(words[1:], shown)


def _split(words: list[str], shown: str) -> tuple[list[str], list[str]]:
    options = [w for w in words if w.startswith("-") and w not in PROMPT_OPTIONS]
    operands = [w for w in words if not w.startswith("-")]
    if not operands:
        raise RequestError(f"{shown!r}: expected a command such as install")
    return options, operands


def _reject(options: list[str], known: set[str], shown: str) -> None:
    unknown = [o for o in options if o not in known]
    if unknown:
        raise RequestError(
            f"{shown!r}: option {unknown[0]} is not modelled; supported: {', '.join(sorted(known))}"
        )


def _needs_names(names: list[str], shown: str) -> tuple[str, ...]:
    if not names:
        raise RequestError(f"{shown!r}: expected at least one package name")
    return tuple(names)


def _action(actions: dict[str, Action], command: str, what: str, shown: str) -> Action:
    """The action *command* names in *actions*; an error listing them when it names none."""
    if command not in actions:
        raise RequestError(f"{shown!r}: {what} {command!r} is not modelled ({', '.join(actions)})")
    return actions[command]


def _apt(words: list[str], shown: str) -> Request:
    options, (command, *names) = _split(words, shown)
    _reject(options, {"--no-install-recommends", "--install-recommends"}, shown)
    actions = {"install": Action.INSTALL, "remove": Action.REMOVE, "purge": Action.REMOVE}
    recommends = "--no-install-recommends" not in options
    return Request(
        Family.DEB,
        _action(actions, command, "apt command", shown),
        _needs_names(names, shown),
        shown,
        install_recommends=recommends,
    )


def _dnf(words: list[str], shown: str) -> Request:
    weak = True
    kept = []
    for word in words:
        if word.startswith("--setopt=install_weak_deps="):
            weak = word.split("=", 2)[2].lower() in {"1", "true", "yes"}
        else:
            kept.append(word)
    options, (command, *rest) = _split(kept, shown)
    _reject(options, {"--allowerasing", "--best"}, shown)
    erasing = "--allowerasing" in options
    if command == "install":
        action, names = Action.INSTALL, rest
    elif command in {"remove", "erase"}:
        action, names = Action.REMOVE, rest
    elif command == "module" and rest:
        sub, *names = rest
        modules = {
            "install": Action.MODULE_INSTALL,
            "enable": Action.MODULE_ENABLE,
            "reset": Action.MODULE_RESET,
            "switch-to": Action.MODULE_SWITCH,
        }
        action = _action(modules, sub, "dnf module", shown)
    else:
        raise RequestError(
            f"{shown!r}: dnf command {command!r} is not modelled (install, remove, module …)"
        )
    return Request(
        Family.RPM,
        action,
        _needs_names(names, shown),
        shown,
        install_recommends=weak,
        allow_erasing=erasing,
    )


def _zypper(words: list[str], shown: str) -> Request:
    kind = "package"
    kept = []
    pending_type = False
    for word in words:
        if pending_type:
            kind, pending_type = word, False
        elif word in {"-t", "--type"}:
            pending_type = True
        elif word.startswith("--type="):
            kind = word.split("=", 1)[1]
        else:
            kept.append(word)
    if kind not in {"package", "pattern"}:
        raise RequestError(f"{shown!r}: zypper type {kind!r} is not modelled (package, pattern)")
    options, (command, *names) = _split(kept, shown)
    _reject(options, {"--no-recommends", "--recommends"}, shown)
    actions = {
        "install": Action.INSTALL,
        "in": Action.INSTALL,
        "remove": Action.REMOVE,
        "rm": Action.REMOVE,
    }
    return Request(
        Family.SUSE,
        _action(actions, command, "zypper command", shown),
        _needs_names(names, shown),
        shown,
        install_recommends="--no-recommends" not in options,
        patterns=kind == "pattern",
    )
