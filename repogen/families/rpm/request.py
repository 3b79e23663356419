"""dnf and yum command lines: ``install``, ``remove``, ``module install|enable|reset|switch-to``."""

from __future__ import annotations

from repogen.families import Family
from repogen.resolve.request import (
    Action,
    Request,
    RequestError,
    action_named,
    needs_names,
    reject_options,
    split_options,
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
            f"{shown!r}: dnf command {command!r} is not modelled (install, remove, module …)"
        )
    return Request(
        Family.RPM,
        action,
        needs_names(names, shown),
        shown,
        install_recommends=weak,
        allow_erasing=erasing,
    )
