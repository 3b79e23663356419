"""Version syntax per family, checked with each family's own parser."""

from __future__ import annotations

import re

from debian.debian_support import Version as DebianVersion

from repogen.model.declarations import Family

# rpm's parser (rpm.ver) accepts anything; these are the characters rpmbuild allows in the
# Version and Release tags (no '-' inside either), with an optional numeric Epoch.
_RPM_EVR = re.compile(r"^(?:(\d+):)?([A-Za-z0-9._+~^]+)-([A-Za-z0-9._+~^]+)$")
_DEB_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_RPM_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9_+.-]*$")


def version_problem(family: Family, version: str) -> str | None:
    """Why *version* is not a valid full version for *family*, or None when it is."""
    if family is Family.DEB:
        try:
            upstream = DebianVersion(version).upstream_version
        except ValueError:
            upstream = None
        if not upstream or not upstream[0].isdigit() or version != version.strip():
            return f"{version!r} is not a Debian version ([epoch:]upstream[-revision])"
        return None
    if _RPM_EVR.fullmatch(version) is None:
        return f"{version!r} is not an RPM [epoch:]version-release"
    return None


def name_problem(family: Family, name: str) -> str | None:
    """Why *name* is not a valid package name for *family*, or None when it is."""
    if family is Family.DEB:
        if _DEB_NAME.fullmatch(name) is None:
            return (
                f"{name!r} is not a Debian package name (lowercase letters, digits, "
                "'+', '-', '.'; at least two characters)"
            )
        return None
    if _RPM_NAME.fullmatch(name) is None:
        return f"{name!r} is not an RPM package name"
    return None


def split_evr(version: str) -> tuple[str, str, str]:
    """Split a valid RPM ``[E:]V-R`` into epoch (default ``0``), version and release."""
    match = _RPM_EVR.fullmatch(version)
    if match is None:
        raise ValueError(version)
    epoch, ver, rel = match.groups()
    return epoch or "0", ver, rel
