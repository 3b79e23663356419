"""Test helpers: a target's base packages (what its distribution supplies) as a repository real
clients resolve against, and ``dnf module list`` read from a dnf sandbox.

The base repository is published the way the real engine publishes the base of a universe
(:class:`repogen.engine.publications.Publications` over :func:`repogen.resolve.universe.
base_packages`): metadata only, no package files, so clients resolve against it but never
download from it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from repogen.engine.publications import Publication, Publications
from repogen.families.rpm.client import DnfError, DnfSandbox
from repogen.model import Repository
from repogen.resolve.universe import base_packages


def _published(repository: Repository, work: Path) -> Publication:
    (publication,) = Publications(work).repositories(repository, base_packages(repository))
    return publication


def write_base_stub(repository: Repository, root: Path) -> str:
    """An APT repository of *repository*'s base packages under *root*; its sources.list line."""
    return _published(repository, root).client


def write_base_repository(directory: Path, repository: Repository, source_date_epoch: int) -> Path:
    """An rpm-md repository of *repository*'s base packages in *directory* (made with the
    engine's own build time, whatever *source_date_epoch* says); *directory*."""
    del source_date_epoch  # the engine's publications have one build time of their own
    publication = _published(repository, directory.with_name(directory.name + "-publications"))
    # A directory may hold other repositories beside (a deb base stub: dists/, pool/).
    shutil.copytree(publication.path, directory, dirs_exist_ok=True)
    return directory


_MODULE_HEADER = re.compile(r"^Name\s+Stream\s+Profiles\s+Summary\s*$")


@dataclass(frozen=True)
class ModuleStreamListing:
    """One row of ``dnf module list``."""

    module: str
    stream: str
    default: bool
    enabled: bool
    profiles: tuple[str, ...]
    summary: str


def parse_module_list(output: str) -> tuple[ModuleStreamListing, ...]:
    """The rows of ``dnf module list``, cut at the columns of its header."""
    rows: list[ModuleStreamListing] = []
    columns: list[int] | None = None
    for line in output.splitlines():
        if _MODULE_HEADER.match(line):
            columns = [line.index(word) for word in ("Stream", "Profiles", "Summary")]
            continue
        if columns is None:
            continue
        if not line.strip() or line.startswith("Hint:"):
            columns = None  # the end of one repository's table
            continue
        name = line[: columns[0]].strip()
        stream, *markers = line[columns[0] : columns[1]].split()
        profiles = tuple(
            p.split()[0] for p in line[columns[1] : columns[2]].split(",") if p.strip()
        )
        rows.append(
            ModuleStreamListing(
                name,
                stream,
                "[d]" in markers,
                "[e]" in markers,
                profiles,
                line[columns[2] :].strip(),
            )
        )
    return tuple(rows)


def module_list(dnf: DnfSandbox) -> tuple[ModuleStreamListing, ...]:
    """``dnf module list`` in *dnf*'s sandbox: every stream, with its ``[d]`` and ``[e]``
    markers."""
    result = dnf._dnf(["module", "list"])
    if result.returncode != 0:
        raise DnfError(f"dnf module list failed: {result.stderr.strip()}")
    return parse_module_list(result.stdout)
