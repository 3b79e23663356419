"""Debian package names and versions, checked with python-debian's parser (formats.md §1)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import apt_pkg
from debian.debian_support import Version as DebianVersion

_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")


def version_problem(version: str) -> str | None:
    """Why *version* is not a valid Debian version, or None when it is."""
    try:
        upstream = DebianVersion(version).upstream_version
    except ValueError:
        upstream = None
    if not upstream or not upstream[0].isdigit() or version != version.strip():
        return f"{version!r} is not a Debian version ([epoch:]upstream[-revision])"
    return epoch_problem(version)


#: dpkg reads the epoch into an int and refuses one over INT_MAX ("epoch too big").
MAX_EPOCH = 2**31 - 1


def epoch_problem(version: str) -> str | None:
    """Why the epoch of the valid Debian *version* is out of range, or None."""
    epoch, colon, _ = version.partition(":")
    if colon and (len(epoch.lstrip("0")) > 10 or int(epoch) > MAX_EPOCH):
        return f"epoch {epoch} of {version!r} is over {MAX_EPOCH}, the largest dpkg epoch"
    return None


def name_problem(name: str) -> str | None:
    """Why *name* is not a valid Debian package name, or None when it is."""
    if _NAME.fullmatch(name) is None:
        return (
            f"{name!r} is not a Debian package name (lowercase letters, digits, "
            "'+', '-', '.'; at least two characters)"
        )
    return None


@functools.cache
def _apt_comparison() -> Callable[[str, str], int]:
    apt_pkg.init_system()  # the comparison is the system's (dpkg's); 8 ms, made once
    return apt_pkg.version_compare


def compare(a: str, b: str) -> int:
    """dpkg's order of two versions (negative, zero or positive), as apt compares them: its
    C function, which orders every version as python-debian's does, 60 times as fast (that
    comparison was 40 % of checking the bundled release's deb targets)."""
    return _apt_comparison()(a, b)
