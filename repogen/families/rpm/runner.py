"""dnf answers an rpm-family request: the command line as written, ``--assumeno``, in a
:class:`DnfSandbox` with the release repositories and the base repositories, either
with ``module_hotfixes=1`` or ``includepkgs`` as the universe says.

The installed state is the machine's: the installed packages' headers in the sandbox's rpmdb
(``rpm --justdb``, from ``.rpm`` files built for them), its own default streams in
``/etc/dnf/modules.defaults.d``, and the disabled modules and enabled streams in its
``/etc/dnf/modules.d`` (``dnf module disable`` and ``enable``, then the installed profiles
written into its ``profiles=`` lines), so one sandbox serves one state.
"""

from __future__ import annotations

from pathlib import Path

from repogen.engine.publications import Publications
from repogen.engine.sandboxes import SandboxCache
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.model import Repository
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


def _hotfix(universe: Universe, name: str) -> bool:
    """Whether the repository *name* (``release…``, ``base…``) has ``module_hotfixes=1``."""
    if name.startswith("release"):
        return universe.hotfixes
    return universe.base_hotfixes


class DnfRunner:
    def __init__(self, work: Path, publications: Publications) -> None:
        self.publications = publications
        self.sandboxes: SandboxCache[DnfSandbox] = SandboxCache(work)

    def resolve(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        published = self.publications.universe(repository, universe)
        repositories = [
            DnfRepository(
                name,
                publication.client,
                _hotfix(universe, name),
                universe.include_packages.get(name.partition("-")[0], ()),
            )
            for name, publication in published.named
        ]
        installed = universe.installed
        streams = sorted(f"{module}:{stream}" for module, stream in installed.streams.items())
        profiles = {module: installed.profiles[module] for module in sorted(installed.profiles)}

        def make(directory: Path) -> DnfSandbox:
            sandbox = DnfSandbox.create(
                directory,
                repositories,
                releasever=repository.target.release,
                platform=repository.target.platform,
                arch=universe.arch,
            )
            if installed.packages:
                sandbox.install_headers(self.publications.rpm_files(repository, installed.packages))
            if installed.module_defaults or installed.module_default_profiles:
                sandbox.set_module_defaults(
                    installed.module_defaults, installed.module_default_profiles
                )
            if installed.disabled:
                sandbox.disable_modules(sorted(installed.disabled))
            if streams:
                sandbox.enable_streams(streams)
            sandbox.record_profiles(profiles)
            return sandbox

        key = (
            tuple(repositories),
            installed.packages,
            tuple(streams),
            tuple(profiles.items()),
            tuple(sorted(installed.disabled)),
            tuple(sorted(installed.module_defaults.items())),
            repr(sorted(installed.module_default_profiles.items())),
        )
        return self.sandboxes.get(key, make).resolve(request.words())
