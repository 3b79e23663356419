"""apt-get answers a deb-family request: ``apt-get -s install`` in an :class:`AptSandbox`.

One sandbox per set of repositories; the installed state is a dpkg status file given per call,
so every state shares the sandbox's lists.  ``remove`` and ``purge`` are written in apt's
``install pkg-`` form, which marks the same removals and prints them as ``Remv`` lines.
Upgrades run as ``apt-get upgrade`` or ``dist-upgrade``; ``apt upgrade`` is ``apt-get upgrade``
with ``APT::Get::Upgrade-Allow-New``, as the ``apt`` binary sets it.
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
        command = _COMMANDS.get(request.action, "install")
        if request.action is Action.REMOVE:
            names = [f"{name}-" for name in names]
        options = [] if request.install_recommends else ["--no-install-recommends"]
        if request.action is Action.UPGRADE and request.new_packages:
            options += ["-o", "APT::Get::Upgrade-Allow-New=true"]  # what `apt upgrade` sets
        held = universe.installed.held
        installed = [InstalledPackage.of(p, p.name in held) for p in universe.installed.packages]
        return sandbox.install(names, options, installed=installed, command=command)


#: The apt-get command of each action that is not an ``install``.
_COMMANDS = {Action.UPGRADE: "upgrade", Action.DIST_UPGRADE: "dist-upgrade"}
