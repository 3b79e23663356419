"""RPM package names and ``[epoch:]version-release`` strings: checked, split, joined and compared.

Every split and join of an EVR in repogen is :func:`split_evr` and :func:`join_evr`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import rpm

# rpm's parser (rpm.ver) accepts anything; these are the characters rpmbuild allows in the
# Version and Release tags (no '-' inside either), with an optional numeric Epoch.
_EVR = re.compile(r"^(?:(\d+):)?([A-Za-z0-9._+~^]+)-([A-Za-z0-9._+~^]+)$")
_NAME = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9_+.-]*$")

#: The ``name(isa)`` capability rpm gives every package built for an architecture
#: (``%{_isa}``: rpm's ``rpmrc`` archcolor and ISA names).
ISA = {"x86_64": "x86-64", "aarch64": "aarch-64", "ppc64le": "ppc-64", "s390x": "s390-64"}


def version_problem(version: str) -> str | None:
    """Why *version* is not a valid RPM ``[epoch:]version-release``, or None when it is."""
    if _EVR.fullmatch(version) is None:
        return f"{version!r} is not an RPM [epoch:]version-release"
    return epoch_problem(version)


#: rpm stores the epoch as a 32-bit integer and dnf (libsolv) reads it as a signed one.
MAX_EPOCH = 2**31 - 1


def epoch_problem(version: str) -> str | None:
    """Why the epoch of the valid ``[E:]V-R`` *version* is out of range, or None."""
    epoch = split_evr(version).epoch or "0"
    if len(epoch.lstrip("0")) > 10 or int(epoch) > MAX_EPOCH:  # no int() of 5,000 digits
        return f"epoch {epoch} of {version!r} is over {MAX_EPOCH}, the largest rpm epoch"
    return None


def name_problem(name: str) -> str | None:
    """Why *name* is not a valid RPM package name, or None when it is."""
    if _NAME.fullmatch(name) is None:
        return f"{name!r} is not an RPM package name"
    return None


class Evr(NamedTuple):
    """An ``[epoch:]version[-release]`` in its parts; None for a part the text leaves out."""

    epoch: str | None
    version: str
    release: str | None


_DIGITS = "0123456789"


def split_evr(text: str) -> Evr:
    """*text* split as rpm splits an EVR (``parseEVR`` in rpmds.c; ``rpm.ver`` gives the same):
    the epoch is the leading digits before a ``:`` (``0`` when the ``:`` comes first), the
    release what follows the last ``-``.  Any text splits; :func:`version_problem` says
    whether it is a valid package version."""
    digits = len(text) - len(text.lstrip(_DIGITS))
    epoch: str | None = None
    rest = text
    if text[digits : digits + 1] == ":":
        epoch, rest = text[:digits] or "0", text[digits + 1 :]
    version, dash, release = rest.rpartition("-")
    if not dash:
        return Evr(epoch, rest, None)
    return Evr(epoch, version, release)


def join_evr(
    epoch: str | None, version: str, release: str | None, *, zero_epoch: bool = True
) -> str:
    """``[E:]V[-R]``: the epoch and the release where there is one (an empty one is none).

    With ``zero_epoch=False`` an epoch ``0`` is left out too, as rpm compares it equal to no
    epoch: the model writes ``12.6.0-1``, where rpm-md says ``epoch="0"``."""
    text = f"{version}-{release}" if release else version
    if not epoch or (epoch == "0" and not zero_epoch):
        return text
    return f"{epoch}:{text}"


def package_evr(version: str) -> tuple[str, str, str]:
    """A valid package ``[E:]V-R`` as rpm stores it: epoch (``0`` if none), version, release."""
    if _EVR.fullmatch(version) is None:
        raise ValueError(version)
    epoch, ver, rel = split_evr(version)
    assert rel is not None  # the pattern requires one
    return epoch or "0", ver, rel


def compare(a: str, b: str) -> int:
    """rpm's order of two ``[E:]V-R`` versions."""
    result: int = rpm.labelCompare(package_evr(a), package_evr(b))
    return result


def nevra(name: str, version: str, arch: str) -> str:
    """``N-E:V-R.A`` with the epoch always written (``0`` when none), as modulemd lists
    artifacts and libdnf matches them (``HY_PKG_NEVRA_STRICT``)."""
    epoch, ver, rel = split_evr(version)
    return f"{name}-{epoch or '0'}:{join_evr(None, ver, rel)}.{arch}"


def strict_nevra(text: str) -> str:
    """A modulemd artifact ``N-[E:]V-R.A`` written as :func:`nevra` writes it."""
    rest, _, arch = text.rpartition(".")
    name, _, evr = rest.rpartition("-")
    name, _, version = name.rpartition("-")
    return nevra(name, f"{version}-{evr}", arch)


def artifact_name(nevra: str) -> str:
    """``kmod-nvidia-open-dkms-3:560.28.03-1.el9.x86_64`` → ``kmod-nvidia-open-dkms``."""
    return nevra.rsplit(".", 1)[0].rsplit("-", 2)[0]
