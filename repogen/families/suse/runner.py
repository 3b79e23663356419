"""zypper answers a suse-family request: the command line as written, ``--dry-run``, in a
:class:`ZypperSandbox` with the release and base repositories and the installed packages'
headers in its rpmdb, and the locks of its held packages (``zypper addlock``).

Debian's zypper cannot turn pattern packages into patterns (its libsolv is built without
autopattern), so the engine adds the legacy ``patterns`` record
(:func:`~repogen.families.suse.client.add_legacy_patterns`) to its own private publication of the
release repository, never to anything a user sees: ``zypper install -t pattern NAME`` then
finds the ``pattern:NAME`` solvable SUSE's zypper would make.  That solvable is not a package;
the answer lists the packages of the transaction.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from repogen.engine.publications import Publication, Publications
from repogen.engine.sandboxes import SandboxCache
from repogen.families.suse.client import ZypperSandbox, add_legacy_patterns
from repogen.model import Repository
from repogen.resolve.request import Request
from repogen.resolve.result import PackageRef, Resolution
from repogen.resolve.universe import Universe


def _packages(refs: tuple[PackageRef, ...]) -> tuple[PackageRef, ...]:
    """*refs* without libsolv's non-package solvables (``pattern:NAME``); an rpm package name
    has no colon."""
    return tuple(ref for ref in refs if ":" not in ref.name)


class ZypperRunner:
    def __init__(self, work: Path, publications: Publications) -> None:
        self.publications = publications
        self.sandboxes: SandboxCache[ZypperSandbox] = SandboxCache(work)
        self.with_patterns: set[str] = set()

    def with_legacy_patterns(self, release: Publication) -> None:
        if release.key not in self.with_patterns:
            add_legacy_patterns(release.path)
            self.with_patterns.add(release.key)

    def resolve(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        published = self.publications.universe(repository, universe)
        for release in published.release:
            self.with_legacy_patterns(release)
        installed = universe.installed.packages

        def make(directory: Path) -> ZypperSandbox:
            repositories = [(name, publication.client) for name, publication in published.named]
            sandbox = ZypperSandbox.create(directory, repositories, arch=universe.arch)
            if installed:
                sandbox.install_headers(self.publications.rpm_files(repository, installed))
            sandbox.add_locks(sorted(universe.installed.held))
            return sandbox

        key = (published, installed, universe.installed.held)
        answer = self.sandboxes.get(key, make).resolve(request.words())
        return replace(
            answer,
            install=_packages(answer.install),
            upgrade=_packages(answer.upgrade),
            remove=_packages(answer.remove),
        )
