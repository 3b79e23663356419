"""The release declaration of repositories read from disk, inferred from their packages.

The model declares a release's CUDA version, driver and default kernel-module flavor; metadata
implies them (nvidia-packaging.md §1, §6):

- ``cuda``: the upstream version of the ``cuda`` metapackage (``12.6.0-1`` → ``12.6.0``);
- ``driver``: the upstream version of ``cuda-drivers`` (``3:560.28.03-1.el9`` → ``560.28.03``);
- ``default_flavor``: the kernel-module flavor ``<install> cuda`` selects on most repositories
  (ties and no answer: proprietary, the flavor before the switch).

Repositories without these packages (not NVIDIA's) get ``0.0.0`` and ``0.0``, which the diff's
name normalisation ignores.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from repogen.families import driver
from repogen.model import KernelModuleFlavor, Repository
from repogen.model.declarations import Release
from repogen.resolve import resolve
from repogen.resolve.outcome import OutcomeFlavor
from repogen.resolve.request import parse_request
from repogen.resolve.universe import universe_for

UNKNOWN_CUDA = "0.0.0"
UNKNOWN_DRIVER = "0.0"
_CUDA = re.compile(r"^\d+\.\d+\.\d+$")
_DRIVER = re.compile(r"^\d+\.\d+(?:\.\d+)?$")


def upstream(version: str) -> str:
    """The upstream part of a Debian or RPM version: no epoch, no revision or release."""
    without_epoch = re.sub(r"^\d+:", "", version)
    return without_epoch.rsplit("-", 1)[0]


def _version_of(name: str, pattern: re.Pattern[str], repositories: Sequence[Repository]) -> str:
    """The newest upstream version of package *name* that matches *pattern*."""
    found = {
        upstream(p.version)
        for r in repositories
        for p in r.packages
        if p.name == name and pattern.match(upstream(p.version))
    }
    return max(found, key=lambda v: tuple(map(int, v.split("."))), default="")


def _default_flavor(repositories: Sequence[Repository]) -> KernelModuleFlavor:
    votes: Counter[OutcomeFlavor] = Counter()
    for repository in repositories:
        if repository.package("cuda") is None:
            continue
        universe = universe_for(repository)
        resolution = resolve(
            universe, parse_request(f"{driver(repository.family).install_command} cuda")
        )
        votes[universe.flavor(resolution)] += 1
    if votes[OutcomeFlavor.OPEN] > votes[OutcomeFlavor.PROPRIETARY]:
        return KernelModuleFlavor.OPEN
    return KernelModuleFlavor.PROPRIETARY


def date_of(text: str) -> str:
    """``YYYY-MM-DD`` of an RFC 2822 date (APT Release) or seconds since the epoch (repomd)."""
    try:
        moment = (
            datetime.fromtimestamp(int(text), UTC)
            if text.isdigit()
            else parsedate_to_datetime(text)
        )
    except (TypeError, ValueError, OverflowError):
        return "1970-01-01"
    return moment.strftime("%Y-%m-%d")


def infer_release(
    name: str,
    date: str,
    repositories: Sequence[Repository],
    flavor: KernelModuleFlavor | None = None,
) -> Release:
    """The release declaration *repositories* imply; *date* as :func:`date_of` reads it.
    The default *flavor* is what ``<install> cuda`` selects, resolved, unless given."""
    return Release(
        name=name or "unnamed",
        cuda=_version_of("cuda", _CUDA, repositories) or UNKNOWN_CUDA,
        driver=_version_of("cuda-drivers", _DRIVER, repositories) or UNKNOWN_DRIVER,
        default_flavor=_default_flavor(repositories) if flavor is None else flavor,
        date=date_of(date),
    )
