"""apt-get and apt command lines: ``install``, ``remove``, ``purge``."""

from __future__ import annotations

from repogen.families import Family
from repogen.resolve.request import (
    Action,
    Request,
    action_named,
    needs_names,
    reject_options,
    split_options,
)


def parse(words: list[str], shown: str) -> Request:
    options, (command, *names) = split_options(words, shown)
    reject_options(options, {"--no-install-recommends", "--install-recommends"}, shown)
    actions = {"install": Action.INSTALL, "remove": Action.REMOVE, "purge": Action.REMOVE}
    recommends = "--no-install-recommends" not in options
    return Request(
        Family.DEB,
        action_named(actions, command, "apt command", shown),
        needs_names(names, shown),
        shown,
        install_recommends=recommends,
    )
