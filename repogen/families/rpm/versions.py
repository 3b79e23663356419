"""RPM package names and ``[epoch:]version-release`` strings: checked, split and compared."""

from __future__ import annotations

import re

import rpm

# rpm's parser (rpm.ver) accepts anything; these are the characters rpmbuild allows in the
# Version and Release tags (no '-' inside either), with an optional numeric Epoch.
_EVR = re.compile(r"^(?:(\d+):)?([A-Za-z0-9._+~^]+)-([A-Za-z0-9._+~^]+)$")
_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9_+.-]*$")


def version_problem(version: str) -> str | None:
    """Why *version* is not a valid RPM ``[epoch:]version-release``, or None when it is."""
    if _EVR.fullmatch(version) is None:
        return f"{version!r} is not an RPM [epoch:]version-release"
    return epoch_problem(version)


#: rpm stores the epoch as a 32-bit integer and dnf (libsolv) reads it as a signed one.
MAX_EPOCH = 2**31 - 1


def epoch_problem(version: str) -> str | None:
    """Why the epoch of the valid ``[E:]V-R`` *version* is out of range, or None."""
    epoch, _, _ = split_evr(version)
    if len(epoch.lstrip("0")) > 10 or int(epoch) > MAX_EPOCH:  # no int() of 5,000 digits
        return f"epoch {epoch} of {version!r} is over {MAX_EPOCH}, the largest rpm epoch"
    return None


def name_problem(name: str) -> str | None:
    """Why *name* is not a valid RPM package name, or None when it is."""
    if _NAME.fullmatch(name) is None:
        return f"{name!r} is not an RPM package name"
    return None


def split_evr(version: str) -> tuple[str, str, str]:
    """Split a valid RPM ``[E:]V-R`` into epoch (default ``0``), version and release."""
    match = _EVR.fullmatch(version)
    if match is None:
        raise ValueError(version)
    epoch, ver, rel = match.groups()
    return epoch or "0", ver, rel


def compare(a: str, b: str) -> int:
    """rpm's order of two ``[E:]V-R`` versions."""
    result: int = rpm.labelCompare(split_evr(a), split_evr(b))
    return result
