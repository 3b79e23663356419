"""The small interface every package family implements.

A driver states what its family knows as plain values (architectures, relation fields, command
words) and reaches its heavy parts (publisher, resolver, real-client runner, index reader)
through methods that import them on first use: ``repogen validate`` never loads libsolv, and
``repogen --help`` loads no family at all.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from repogen.families import Family
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


#: How two versions compare as a family's resolver sees them: equal tuples for two pairs mean
#: the resolver cannot tell them apart.
Comparison = Callable[[str, str], tuple[object, ...]]


@dataclass(frozen=True)
class Program:
    """A program the real engine runs, and the Debian package that ships it."""

    name: str
    package: str


class FamilyDriver(ABC):
    """What one family knows, and where its publisher, reader and resolvers are."""

    family: ClassVar[Family]
    #: What the family calls the architecture-independent architecture.
    noarch: ClassVar[str]
    #: Repository architecture names, and the canonical (kernel) architecture of each.
    arches: ClassVar[Mapping[str, str]]
    #: The package architecture the family uses on each canonical architecture.
    package_arches: ClassVar[Mapping[str, str]]
    #: The relation fields the family's format has, and what it calls each.
    relation_fields: ClassVar[Mapping[RelationKind, str]]
    #: The programs whose command lines are this family's requests (``apt-get``, ``apt``).
    clients: ClassVar[tuple[str, ...]]
    #: How its client installs packages by name, and module streams (where it has them).
    install_command: ClassVar[str]
    module_install_command: ClassVar[str | None] = None
    #: What the real engine runs for this family.
    programs: ClassVar[tuple[Program, ...]]
    #: What its publisher runs to sign package files (``--sign-key``), beyond gpg.
    signing_programs: ClassVar[tuple[Program, ...]] = ()
    #: The Debian packages its publisher, reader and resolvers need (tools and bindings).
    system_packages: ClassVar[tuple[str, ...]]
    #: Whether a target names an APT suite (``suite``), and whether its release numbers end
    #: in an RPM dist tag (``dist``).
    needs_suite: ClassVar[bool] = False
    dist_tags: ClassVar[bool] = False
    #: Whether relations may carry an architecture qualifier (Debian's ``name:any``).
    arch_qualifiers: ClassVar[bool] = False
    #: Whether a relation may be a rich (boolean) dependency, ``(kernel = 1 if kernel)``, which
    #: the model keeps as written: one alternative named by the whole text.
    rich_dependencies: ClassVar[bool] = False

    @property
    def relations(self) -> frozenset[RelationKind]:
        return frozenset(self.relation_fields)

    @abstractmethod
    def version_problem(self, version: str) -> str | None:
        """Why *version* is not a valid full version of this family, or None."""

    @abstractmethod
    def name_problem(self, name: str) -> str | None:
        """Why *name* is not a valid package name of this family, or None."""

    def rich_relation(self, text: str) -> Relation:
        """*text*, a bracketed relation such as ``(kernel = 1 if kernel)``, as the family's
        reader gives it back (asked only where :attr:`rich_dependencies` is set).

        Raises ValueError, saying why, where *text* is not a rich dependency of the family."""
        raise NotImplementedError(f"{self.family} relations have no rich dependencies")

    def model_extension(self) -> ModelExtension | None:
        """What the family adds to the expansion of its targets (dnf module streams, SUSE
        patterns), or None: nothing."""
        return None

    def merged_modules(
        self, layers: Sequence[tuple[Release, Repository]]
    ) -> tuple[ModuleSpec, ...]:
        """The module streams of one repository that holds the packages of every release of
        *layers* (oldest first, each release with its own repository of that target and
        architecture), made as the family's repository tools make them from the packages
        present; none by default."""
        return ()

    @abstractmethod
    def compare_versions(self, a: str, b: str) -> int:
        """Negative, zero or positive as *a* sorts before, with or after *b*."""

    @abstractmethod
    def resolver_comparison(self) -> Comparison:
        """How the family's resolver compares two versions (:mod:`repogen.diff.versions`)."""

    @abstractmethod
    def parse_request(self, words: list[str], shown: str) -> Request:
        """The request a command line of this family's clients makes (*words* after the
        program's name; *shown* is the line as written, for errors)."""

    def installed_profiles(self, universe: Universe, request: Request) -> Mapping[str, list[str]]:
        """The module profiles *request* installs, by module (none: the family has no modules)."""
        return {}

    def requested_profile_packages(self, universe: Universe, request: Request) -> list[str] | None:
        """The package names the module profiles of *request* install; None when there are
        none to find (the family has no modules, or the request names no stream it has)."""
        return None

    @abstractmethod
    def publisher(self) -> Publisher:
        """The family's publisher."""

    @abstractmethod
    def resolver(self) -> Resolver:
        """The family's in-process resolver."""

    @abstractmethod
    def runner(self, work: Path, publications: Publications) -> Runner:
        """A runner answering requests with the family's real client, under *work*."""

    @abstractmethod
    def read(
        self,
        path: Path,
        target: str,
        arches: Sequence[str] | None,
        *,
        keyring: Path | None,
        light: bool = False,
    ) -> list[RepositoryRead]:
        """The repositories of *arches* (None: every one found) of *target* at *path*, as a
        build output's manifest lists them; its indices verified against the hashes of its
        Release or repomd.xml, and that signed by a key of *keyring* when given.  *light*:
        where it costs less, packages may have only what adding a release to them needs
        (name, version, architecture; what module streams take from them)."""

    @abstractmethod
    def download(
        self, remote: RemoteTree, where: str, client: str | None, *, keyring: Path | None
    ) -> None:
        """Download into *remote* the metadata :meth:`read` reads of the repository *where*
        of a build output (*client*: its manifest's ``client`` line)."""

    @abstractmethod
    def download_bare(self, remote: RemoteTree, *, keyring: Path | None) -> bool:
        """Download the metadata of the bare repository at *remote*'s URL; False when the URL
        is not laid out as this family's."""

    @abstractmethod
    def read_bare(
        self, path: Path, target: str | None, *, keyring: Path | None
    ) -> tuple[str, list[RepositoryRead]] | None:
        """The release name and repositories of a repository at *path* that repogen did not
        build, or None when *path* is not laid out as this family's (verified as by
        :meth:`read`)."""
