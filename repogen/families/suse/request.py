"""zypper command lines: ``install``/``in`` (``NAME=VERSION``, ``--oldpackage``),
``remove``/``rm``, ``update``/``up`` [NAME…], ``dist-upgrade``/``dup``, with ``-t pattern``."""

from __future__ import annotations

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
    reject_options(options, {"--no-recommends", "--recommends", "--oldpackage"}, shown)
    actions = {
        "install": Action.INSTALL,
        "in": Action.INSTALL,
        "remove": Action.REMOVE,
        "rm": Action.REMOVE,
        "update": Action.UPGRADE,
        "up": Action.UPGRADE,
        "dist-upgrade": Action.DIST_UPGRADE,
        "dup": Action.DIST_UPGRADE,
    }
    action = action_named(actions, command, "zypper command", shown)
    if action is Action.DIST_UPGRADE and names:
        raise RequestError(f"{shown!r}: zypper dist-upgrade takes no package names")
    return Request(
        Family.SUSE,
        action,
        tuple(names) if action in UPGRADES else needs_names(names, shown),
        shown,
        install_recommends="--no-recommends" not in options,
        patterns=kind == "pattern",
        old_package="--oldpackage" in options,
    )
