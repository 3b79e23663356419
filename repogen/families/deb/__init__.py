"""The deb family: APT repositories for apt-get and apt (Debian, Ubuntu)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from repogen.families import Family
from repogen.families.base import Comparison, FamilyDriver, Program
from repogen.families.deb import versions
from repogen.model.concrete import RelationKind

if TYPE_CHECKING:
    from repogen.engine.publications import Publications
    from repogen.engine.real import Runner
    from repogen.index.read import RepositoryRead
    from repogen.index.remote import RemoteTree
    from repogen.publish.base import Publisher
    from repogen.resolve import Resolver
    from repogen.resolve.request import Request

#: Relation fields of binary packages, in dpkg-gencontrol's order.
RELATION_FIELDS: tuple[tuple[RelationKind, str], ...] = (
    (RelationKind.PRE_DEPENDS, "Pre-Depends"),
    (RelationKind.DEPENDS, "Depends"),
    (RelationKind.RECOMMENDS, "Recommends"),
    (RelationKind.SUGGESTS, "Suggests"),
    (RelationKind.BREAKS, "Breaks"),
    (RelationKind.CONFLICTS, "Conflicts"),
    (RelationKind.PROVIDES, "Provides"),
    (RelationKind.REPLACES, "Replaces"),
    (RelationKind.ENHANCES, "Enhances"),
)


class DebDriver(FamilyDriver):
    family = Family.DEB
    noarch = "all"
    arches: ClassVar[Mapping[str, str]] = {"amd64": "x86_64", "arm64": "aarch64"}
    package_arches: ClassVar[Mapping[str, str]] = {"x86_64": "amd64", "aarch64": "arm64"}
    relation_fields: ClassVar[Mapping[RelationKind, str]] = dict(RELATION_FIELDS)
    clients = ("apt-get", "apt")
    install_command = "apt-get install"
    programs = (Program("apt-get", "apt"),)
    system_packages = ("apt", "python3-apt", "dpkg-dev", "apt-utils", "gnupg")
    needs_suite = True
    arch_qualifiers = True

    def version_problem(self, version: str) -> str | None:
        return versions.version_problem(version)

    def name_problem(self, name: str) -> str | None:
        return versions.name_problem(name)

    def compare_versions(self, a: str, b: str) -> int:
        return versions.compare(a, b)

    def resolver_comparison(self) -> Comparison:
        from repogen.families.deb.cache import constraint_answers

        return constraint_answers

    def parse_request(self, words: list[str], shown: str) -> Request:
        from repogen.families.deb.request import parse

        return parse(words, shown)

    def publisher(self) -> Publisher:
        from repogen.families.deb.publish import PUBLISHER

        return PUBLISHER

    def resolver(self) -> Resolver:
        from repogen.families.deb.resolver import AptResolver

        return AptResolver()

    def runner(self, work: Path, publications: Publications) -> Runner:
        from repogen.families.deb.runner import AptRunner

        return AptRunner(work, publications)

    def read(
        self,
        path: Path,
        target: str,
        arches: Sequence[str] | None,
        *,
        keyring: Path | None,
        light: bool = False,
    ) -> list[RepositoryRead]:
        from repogen.families.deb.reader import read_repositories

        return read_repositories(path, target, arches, keyring, light)

    def download(
        self, remote: RemoteTree, where: str, client: str | None, *, keyring: Path | None
    ) -> None:
        from repogen.families.deb.reader import download

        download(remote, where, client, keyring)

    def download_bare(self, remote: RemoteTree, *, keyring: Path | None) -> bool:
        if remote.path.parent.name != "dists":
            return False
        from repogen.families.deb.reader import download_suite

        download_suite(remote, "", keyring)
        return True

    def read_bare(
        self, path: Path, target: str | None, *, keyring: Path | None
    ) -> tuple[str, list[RepositoryRead]] | None:
        if not ((path / "dists").is_dir() or path.parent.name == "dists"):
            return None
        from repogen.families.deb.reader import read_bare

        return read_bare(path, target, keyring)


DRIVER = DebDriver()
