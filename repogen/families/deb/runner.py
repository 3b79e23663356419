"""apt-get answers a deb-family request: ``apt-get -s install`` in an :class:`AptSandbox`.

One sandbox per set of repositories; the installed state is a dpkg status file given per call,
so every state shares the sandbox's lists.  ``remove`` and ``purge`` are written in apt's
``install pkg-`` form, which marks the same removals and prints them as ``Remv`` lines.
"""

from __future__ import annotations

from pathlib import Path

from repogen.engine.publications import Publications
from repogen.engine.sandboxes import SandboxCache
from repogen.families.deb.client import AptSandbox, InstalledPackage
from repogen.model import Repository
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class AptRunner:
    def __init__(self, work: Path, publications: Publications) -> None:
        self.publications = publications
        self.sandboxes: SandboxCache[AptSandbox] = SandboxCache(work)

    def resolve(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        published = self.publications.universe(repository, universe)

        def make(directory: Path) -> AptSandbox:
            sources = [publication.client for _, publication in published.named]
            sandbox = AptSandbox.create(directory, universe.arch, sources)
            sandbox.update()
            return sandbox

        sandbox = self.sandboxes.get((published,), make)
        names = list(request.names)
        if request.action is Action.REMOVE:
            names = [f"{name}-" for name in names]
        options = [] if request.install_recommends else ["--no-install-recommends"]
        installed = [InstalledPackage.of(p) for p in universe.installed.packages]
        return sandbox.install(names, options, installed=installed)
