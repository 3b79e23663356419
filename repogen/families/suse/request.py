"""zypper command lines: ``install``/``in``, ``remove``/``rm``, with ``-t pattern``."""

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
    options, (command, *names) = split_options(kept, shown)
    reject_options(options, {"--no-recommends", "--recommends"}, shown)
    actions = {
        "install": Action.INSTALL,
        "in": Action.INSTALL,
        "remove": Action.REMOVE,
        "rm": Action.REMOVE,
    }
    return Request(
        Family.SUSE,
        action_named(actions, command, "zypper command", shown),
        needs_names(names, shown),
        shown,
        install_recommends="--no-recommends" not in options,
        patterns=kind == "pattern",
    )
