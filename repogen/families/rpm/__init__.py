"""The rpm family: rpm-md repositories with dnf module streams, for dnf and yum (RHEL-like)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from repogen.families import Family
from repogen.families.base import Comparison, FamilyDriver, Program
from repogen.families.rpm import versions
from repogen.model.concrete import RelationKind

if TYPE_CHECKING:
    from repogen.engine.publications import Publications
    from repogen.engine.real import Runner
    from repogen.index.read import RepositoryRead
    from repogen.index.remote import RemoteTree
    from repogen.model.concrete import ModuleSpec, Repository
    from repogen.model.declarations import Release
    from repogen.model.extension import ModelExtension
    from repogen.model.relations import Relation
    from repogen.publish.base import Publisher
    from repogen.resolve import Resolver
    from repogen.resolve.request import Request
    from repogen.resolve.universe import Universe

#: The spec tag of each relation kind RPM has, in the order they are written.
TAGS: dict[RelationKind, str] = {
    RelationKind.PRE_DEPENDS: "Requires(pre)",
    RelationKind.DEPENDS: "Requires",
    RelationKind.RECOMMENDS: "Recommends",
    RelationKind.SUGGESTS: "Suggests",
    RelationKind.SUPPLEMENTS: "Supplements",
    RelationKind.ENHANCES: "Enhances",
    RelationKind.PROVIDES: "Provides",
    RelationKind.CONFLICTS: "Conflicts",
    RelationKind.OBSOLETES: "Obsoletes",
}


class RpmDriver(FamilyDriver):
    family = Family.RPM
    noarch = "noarch"
    # `sbsa` is NVIDIA's name for its arm64 server repositories.
    arches: ClassVar[Mapping[str, str]] = {
        "x86_64": "x86_64",
        "aarch64": "aarch64",
        "sbsa": "aarch64",
    }
    package_arches: ClassVar[Mapping[str, str]] = {"x86_64": "x86_64", "aarch64": "aarch64"}
    relation_fields: ClassVar[Mapping[RelationKind, str]] = TAGS
    clients: ClassVar[tuple[str, ...]] = ("dnf", "yum")
    install_command = "dnf install"
    module_install_command: ClassVar[str | None] = "dnf module install"
    programs = (Program("dnf", "dnf"), Program("rpm", "rpm"), Program("rpmbuild", "rpm"))
    signing_programs = (Program("rpmsign", "rpm"),)
    system_packages: ClassVar[tuple[str, ...]] = (
        "rpm",
        "python3-rpm",
        "dnf",
        "createrepo-c",
        "python3-createrepo-c",
        "libmodulemd-tools",
        "gir1.2-modulemd-2.0",
        "python3-gi",
        "python3-solv",
        "libsolv-tools",
    )
    dist_tags = True
    rich_dependencies = True

    def version_problem(self, version: str) -> str | None:
        return versions.version_problem(version)

    def name_problem(self, name: str) -> str | None:
        return versions.name_problem(name)

    def rich_relation(self, text: str) -> Relation:
        from repogen.families.rpm.dependencies import rpm_relation
        from repogen.families.rpm.rich import parse_rich

        parse_rich(text)  # rpm's own refusal, with its message
        return rpm_relation((text, None, None, None, None, False))

    def model_extension(self) -> ModelExtension:
        from repogen.families.rpm.model import EXTENSION

        return EXTENSION

    def merged_modules(
        self, layers: Sequence[tuple[Release, Repository]]
    ) -> tuple[ModuleSpec, ...]:
        from repogen.families.rpm.channel_modules import merged_modules

        return merged_modules(layers)

    def compare_versions(self, a: str, b: str) -> int:
        return versions.compare(a, b)

    def resolver_comparison(self) -> Comparison:
        from repogen.families.rpm.libsolv import EvrComparison

        return EvrComparison()

    def parse_request(self, words: list[str], shown: str) -> Request:
        from repogen.families.rpm.request import parse

        return parse(words, shown)

    def installed_profiles(self, universe: Universe, request: Request) -> Mapping[str, list[str]]:
        from repogen.families.rpm.resolver import installed_profiles

        return installed_profiles(universe, request)

    def requested_profile_packages(self, universe: Universe, request: Request) -> list[str] | None:
        from repogen.families.rpm.resolver import requested_profile_packages

        return requested_profile_packages(universe, request)

    def publisher(self) -> Publisher:
        from repogen.families.rpm.publish import PUBLISHER

        return PUBLISHER

    def resolver(self) -> Resolver:
        from repogen.families.rpm.resolver import DnfResolver

        return DnfResolver()

    def runner(self, work: Path, publications: Publications) -> Runner:
        from repogen.families.rpm.runner import DnfRunner

        return DnfRunner(work, publications)

    def read(
        self,
        path: Path,
        target: str,
        arches: Sequence[str] | None,
        *,
        keyring: Path | None,
        light: bool = False,
    ) -> list[RepositoryRead]:
        from repogen.families.rpm.reader import read_repository

        return [
            read_repository(path, target, arch, self.family, keyring, light)
            for arch in (arches if arches is not None else [None])
        ]

    def download(
        self, remote: RemoteTree, where: str, client: str | None, *, keyring: Path | None
    ) -> None:
        from repogen.families.rpm.reader import download
        from repogen.index.errors import MetadataError

        if not download(remote, where, keyring):
            raise MetadataError(f"{remote.url}{where}: no repodata/repomd.xml")

    def download_bare(self, remote: RemoteTree, *, keyring: Path | None) -> bool:
        from repogen.families.rpm.reader import download

        return download(remote, "", keyring)

    def read_bare(
        self, path: Path, target: str | None, *, keyring: Path | None
    ) -> tuple[str, list[RepositoryRead]] | None:
        """A bare rpm-md tree, as rpm or (by its packages) suse: SUSE's extends rpm's."""
        if not (path / "repodata").is_dir():
            return None
        from repogen.families.rpm.reader import read_bare

        return read_bare(path, target, self.arches, keyring)


DRIVER = RpmDriver()
