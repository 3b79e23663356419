"""The suse family: the rpm family with SUSE's conventions (patterns, KMPs, no module streams),
for zypper."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from repogen.families import Family
from repogen.families.base import Program
from repogen.families.rpm import RpmDriver

if TYPE_CHECKING:
    from repogen.engine.publications import Publications
    from repogen.engine.real import Runner
    from repogen.index.read import RepositoryRead
    from repogen.index.remote import RemoteTree
    from repogen.model.extension import ModelExtension
    from repogen.publish.base import Publisher
    from repogen.resolve import Resolver
    from repogen.resolve.request import Request


class SuseDriver(RpmDriver):
    family = Family.SUSE
    clients = ("zypper",)
    install_command = "zypper install"
    programs = (Program("zypper", "zypper"), Program("rpm", "rpm"), Program("rpmbuild", "rpm"))
    module_install_command = None
    system_packages = (*RpmDriver.system_packages, "zypper")

    def model_extension(self) -> ModelExtension:
        """Patterns, and no module streams (a SUSE target cannot be modular)."""
        from repogen.families.suse.model import EXTENSION

        return EXTENSION

    def parse_request(self, words: list[str], shown: str) -> Request:
        from repogen.families.suse.request import parse

        return parse(words, shown)

    def publisher(self) -> Publisher:
        from repogen.families.suse.publish import PUBLISHER

        return PUBLISHER

    def resolver(self) -> Resolver:
        from repogen.families.suse.resolver import ZypperResolver

        return ZypperResolver()

    def runner(self, work: Path, publications: Publications) -> Runner:
        from repogen.families.suse.runner import ZypperRunner

        return ZypperRunner(work, publications)

    def download_bare(self, remote: RemoteTree, *, keyring: Path | None) -> bool:
        """False: as for :meth:`read_bare`, a bare rpm-md tree is the rpm family's."""
        return False

    def read_bare(
        self, path: Path, target: str | None, *, keyring: Path | None
    ) -> tuple[str, list[RepositoryRead]] | None:
        """None: a bare rpm-md tree is the rpm family's to read, and it tells SUSE's by its
        packages."""
        return None


DRIVER = SuseDriver()
