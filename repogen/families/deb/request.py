"""apt-get and apt command lines: ``install``, ``remove``, ``purge``, ``upgrade``,
``dist-upgrade``, ``full-upgrade``.

``install NAME=VERSION`` asks for that version.  ``apt upgrade`` may install new packages
(apt sets ``APT::Get::Upgrade-Allow-New``), ``apt-get upgrade`` may not; both remove nothing.
The upgrades take package names too: they are installed as ``install`` would, then everything
is upgraded.
"""

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
    actions = {
        "install": Action.INSTALL,
        "remove": Action.REMOVE,
        "purge": Action.REMOVE,
        "upgrade": Action.UPGRADE,
        "dist-upgrade": Action.DIST_UPGRADE,
        "full-upgrade": Action.DIST_UPGRADE,
    }
    action = action_named(actions, command, "apt command", shown)
    recommends = "--no-install-recommends" not in options
    program = shown.split(maxsplit=1)[0] if shown.strip() else ""
    return Request(
        Family.DEB,
        action,
        tuple(names)
        if action is not Action.INSTALL and action is not Action.REMOVE
        else needs_names(names, shown),
        shown,
        install_recommends=recommends,
        new_packages=action is not Action.UPGRADE or program.endswith("apt"),
    )
