"""dnf and yum command lines: ``install``, ``remove``, ``upgrade``/``update``, ``distro-sync``,
``downgrade``, ``module install|enable|reset|switch-to``.

Only the argument forms the resolver models are accepted: a package is a name or a provide,
a module is ``M[:S][/P]``.  dnf also takes globs (``node*``, ``nodejs/*``), module specs with
a version and context (``M:S:VERSION[:CONTEXT][:ARCH]``) and ``@module`` in ``install``; the
resolver would answer those as missing, where dnf succeeds, so they are refused as not
modelled rather than answered wrongly.
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

#: dnf's glob characters (fnmatch): in a package or module argument they make it a pattern.
_GLOB = re.compile(r"[*?\[\]]")


def _check_package(word: str, shown: str) -> None:
    if _GLOB.search(word):
        raise RequestError(f"{shown!r}: the glob {word!r} is not modelled (name a package)")
    if word.startswith("@"):
        raise RequestError(
            f"{shown!r}: {word!r} (a group or module in dnf install) is not modelled "
            "(use dnf module install)"
        )


def _check_module(spec: str, shown: str) -> None:
    if _GLOB.search(spec):
        raise RequestError(f"{shown!r}: the module glob {spec!r} is not modelled (name M[:S][/P])")
    if spec.partition("/")[0].count(":") > 1:
        raise RequestError(
            f"{shown!r}: the module spec {spec!r} with a version or context is not modelled "
            "(name M[:S][/P])"
        )


def parse(words: list[str], shown: str) -> Request:
    weak = True
    kept = []
    for word in words:
        if word.startswith("--setopt=install_weak_deps="):
            weak = word.split("=", 2)[2].lower() in {"1", "true", "yes"}
        else:
            kept.append(word)
    options, (command, *rest) = split_options(kept, shown)
    reject_options(options, {"--allowerasing", "--best"}, shown)
    erasing = "--allowerasing" in options
    if command == "install":
        action, names = Action.INSTALL, rest
    elif command in {"remove", "erase"}:
        action, names = Action.REMOVE, rest
    elif command in _UPGRADES:
        action, names = _UPGRADES[command], rest
    elif command == "module" and rest:
        sub, *names = rest
        modules = {
            "install": Action.MODULE_INSTALL,
            "enable": Action.MODULE_ENABLE,
            "reset": Action.MODULE_RESET,
            "switch-to": Action.MODULE_SWITCH,
        }
        action = action_named(modules, sub, "dnf module", shown)
    else:
        raise RequestError(
            f"{shown!r}: dnf command {command!r} is not modelled "
            "(install, remove, upgrade, distro-sync, downgrade, module …)"
        )
    for name in names:
        (_check_module if command == "module" else _check_package)(name, shown)
    return Request(
        Family.RPM,
        action,
        tuple(names) if action in UPGRADES else needs_names(names, shown),
        shown,
        install_recommends=weak,
        allow_erasing=erasing,
    )
