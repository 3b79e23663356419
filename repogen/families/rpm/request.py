"""dnf and yum command lines: ``install``, ``remove``, ``upgrade``/``update``, ``distro-sync``,
``downgrade``, ``module install|enable|disable|reset|switch-to|remove|update``.

A package is a name or a provide; ``install @M…`` installs module profiles as ``module
install M…`` does.  A module argument is ``NAME[:STREAM[:VERSION[:CONTEXT[:ARCH]]]][/PROFILE]``,
globs allowed (:mod:`repogen.families.rpm.module_specs`).  Package globs (``node*``) and
``install`` mixing ``@`` arguments with packages are refused as not modelled rather than
answered wrongly.
"""

from __future__ import annotations

import re

from repogen.families import Family
from repogen.resolve.request import (
    UPGRADES,
    Action,
    Request,
    RequestError,
    action_named,
    needs_names,
    reject_options,
    split_options,
)

#: dnf's upgrade commands and their aliases (names optional, except for downgrade).
_UPGRADES = {
    "upgrade": Action.UPGRADE,
    "update": Action.UPGRADE,
    "distro-sync": Action.DISTRO_SYNC,
    "distrosync": Action.DISTRO_SYNC,
    "downgrade": Action.DOWNGRADE,
}

#: dnf's glob characters (fnmatch): in a package argument they make it a pattern.
_GLOB = re.compile(r"[*?\[\]]")

_MODULE_COMMANDS = {
    "install": Action.MODULE_INSTALL,
    "enable": Action.MODULE_ENABLE,
    "disable": Action.MODULE_DISABLE,
    "reset": Action.MODULE_RESET,
    "switch-to": Action.MODULE_SWITCH,
    "remove": Action.MODULE_REMOVE,
    "erase": Action.MODULE_REMOVE,
    "update": Action.MODULE_UPDATE,
}

#: ``--setopt`` options that decide a resolution, and the words that set them true.
_TRUE = {"1", "true", "yes"}


def _check_package(word: str, shown: str) -> None:
    if _GLOB.search(word):
        raise RequestError(f"{shown!r}: the glob {word!r} is not modelled (name a package)")


def _module_install(names: list[str], shown: str) -> list[str] | None:
    """The module arguments of ``install @M…``, or None when no argument starts with ``@``."""
    modules = [name[1:] for name in names if name.startswith("@")]
    if not modules:
        return None
    if len(modules) != len(names):
        raise RequestError(
            f"{shown!r}: install of @modules together with packages is not modelled "
            "(install them in two commands)"
        )
    return modules


def parse(words: list[str], shown: str) -> Request:
    settings = {"install_weak_deps": True, "module_stream_switch": False, "module_obsoletes": False}
    kept = []
    for word in words:
        option, _, value = word.removeprefix("--setopt=").partition("=")
        if word.startswith("--setopt=") and option in settings:
            settings[option] = value.lower() in _TRUE
        else:
            kept.append(word)
    options, (command, *rest) = split_options(kept, shown)
    known = {"--allowerasing", "--best"}
    if command == "module" and rest and rest[0] in {"remove", "erase"}:
        known.add("--all")
    reject_options(options, known, shown)
    if command == "install":
        modules = _module_install(rest, shown)
        action, names = Action.INSTALL, rest
        if modules is not None:
            action, names = Action.MODULE_INSTALL, modules
    elif command in {"remove", "erase"}:
        action, names = Action.REMOVE, rest
    elif command in _UPGRADES:
        action, names = _UPGRADES[command], rest
    elif command == "module" and rest:
        sub, *names = rest
        action = action_named(_MODULE_COMMANDS, sub, "dnf module", shown)
    else:
        raise RequestError(
            f"{shown!r}: dnf command {command!r} is not modelled "
            "(install, remove, upgrade, distro-sync, downgrade, module …)"
        )
    if action in {Action.INSTALL, Action.REMOVE}:
        for name in names:
            _check_package(name, shown)
    return Request(
        Family.RPM,
        action,
        tuple(names) if action in UPGRADES else needs_names(names, shown),
        shown,
        install_recommends=settings["install_weak_deps"],
        allow_erasing="--allowerasing" in options,
        module_stream_switch=settings["module_stream_switch"],
        module_obsoletes=settings["module_obsoletes"],
        remove_all="--all" in options,
    )
