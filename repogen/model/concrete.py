"""The concrete release: packages, streams and patterns of one target and architecture.

This is what renderers, resolvers and the diff consume.  Names and versions are final and in the
family's own syntax; relations are parsed (those read from an index, when first asked for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Generic, TypeVar, overload

from repogen.families import Family, driver
from repogen.model.declarations import KernelModuleFlavor, Release, Target
from repogen.model.errors import ModelPath
from repogen.model.relations import Relation


class RelationKind(StrEnum):
    DEPENDS = "depends"
    PRE_DEPENDS = "pre_depends"
    RECOMMENDS = "recommends"
    SUGGESTS = "suggests"
    ENHANCES = "enhances"
    SUPPLEMENTS = "supplements"
    CONFLICTS = "conflicts"
    BREAKS = "breaks"
    REPLACES = "replaces"
    OBSOLETES = "obsoletes"
    PROVIDES = "provides"


#: Relations that make a package pull others in; each of their names must be known.
PULLING = (
    RelationKind.DEPENDS,
    RelationKind.PRE_DEPENDS,
    RelationKind.RECOMMENDS,
    RelationKind.SUGGESTS,
)

Raw = TypeVar("Raw")
T = TypeVar("T")


class LazyRelations(Mapping[RelationKind, tuple[Relation, ...]], Generic[Raw]):
    """A package's relation fields as an index gives them, each parsed by *parse* on first
    access and kept: a resolver looking at a few packages of a 63,000-package index then parses
    a few fields, not all of them.  *names*, when given, reads a field's names without parsing
    it (:meth:`names`)."""

    __slots__ = ("_names", "_parse", "_parsed", "_raw")

    def __init__(
        self,
        raw: Mapping[RelationKind, Raw],
        parse: Callable[[Raw], tuple[Relation, ...]],
        names: Callable[[Raw], Sequence[str]] | None = None,
    ) -> None:
        self._raw = raw
        self._parse = parse
        self._names = names
        self._parsed: dict[RelationKind, tuple[Relation, ...]] = {}

    def __getitem__(self, kind: RelationKind) -> tuple[Relation, ...]:
        parsed = self._parsed.get(kind)
        if parsed is None:
            parsed = self._parsed[kind] = self._parse(self._raw[kind])
        return parsed

    def __contains__(self, kind: object) -> bool:
        return kind in self._raw  # Mapping's would parse the field

    @overload
    def get(self, kind: RelationKind, /) -> tuple[Relation, ...] | None: ...
    @overload
    def get(
        self, kind: RelationKind, /, default: tuple[Relation, ...] | T
    ) -> tuple[Relation, ...] | T: ...
    def get(self, kind: RelationKind, /, default: object = None) -> object:
        # Mapping's catches the KeyError of each field the package does not have: most.
        return self[kind] if kind in self._raw else default

    def __iter__(self) -> Iterator[RelationKind]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"LazyRelations({dict(self)!r})"

    def names(self, kinds: Iterable[RelationKind]) -> list[str]:
        """What :meth:`PackageSpec.related_names` gives, without parsing when it can: apt's
        cache numbers the packages by every name of a whole index before it looks at any."""
        if self._names is None:
            return _alternative_names(self, kinds)
        scan, raw = self._names, self._raw
        found: list[str] = []
        for kind in kinds:
            if kind in raw:
                found += scan(raw[kind])
        return found


def _alternative_names(
    relations: Mapping[RelationKind, tuple[Relation, ...]], kinds: Iterable[RelationKind]
) -> list[str]:
    return [
        alternative.name
        for kind in kinds
        for relation in relations.get(kind, ())
        for alternative in relation.alternatives
    ]


@dataclass(frozen=True)
class PatternAttributes:
    """What makes a SUSE pattern package a pattern (formats.md §5.1)."""

    name: str
    visible: bool
    order: str
    category: str
    icon: str | None


@dataclass(frozen=True)
class PackageSpec:
    """One package as it is published on one target and architecture."""

    name: str
    version: str
    arch: str
    summary: str
    description: str
    section: str
    relations: Mapping[RelationKind, tuple[Relation, ...]]
    kernel_module: KernelModuleFlavor | None = None
    #: `latest` or `branch` when users install the driver through this package.
    entry: str | None = None
    component: bool = False
    pattern: PatternAttributes | None = None
    origin: ModelPath = ()
    #: The release that first published the package, in a repository holding several (its
    #: rpm is built from that release's spec, as a build of that release alone builds it);
    #: None for a release's own packages.  Not compared: where it was written is not what
    #: is published.
    release: str | None = field(default=None, compare=False)
    #: The source package it is built from, ``name`` or ``name (version)`` (Debian
    #: ``Source``); None: a source of its own name and version.
    source: str | None = None
    #: Debian ``Essential: yes``: the package manager never removes it on its own.
    essential: bool = False
    #: Debian ``Protected: yes``: as essential for removals, nothing else.
    protected: bool = False

    def related(self, kind: RelationKind) -> tuple[Relation, ...]:
        return self.relations.get(kind, ())

    def published_first_in(self, release: str) -> PackageSpec:
        """This package with :attr:`release` set, every other field the same.  Copied as
        :func:`dataclasses.replace` copies, without running ``__init__`` over every field
        again: a channel's merge copies each package of every release (150,000 for 100
        releases, 0.7 s with ``replace``)."""
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__, release=release)
        return copied

    def related_names(self, kinds: Iterable[RelationKind]) -> list[str]:
        """The names the *kinds* relations name, every alternative, in order."""
        if isinstance(self.relations, LazyRelations):
            return self.relations.names(kinds)
        return _alternative_names(self.relations, kinds)


@dataclass(frozen=True)
class BaseSpec:
    """A package the distribution supplies, stubbed under the release repository."""

    name: str
    version: str
    provides: tuple[str, ...] = ()


@dataclass(frozen=True)
class StreamBuild:
    """One build of a stream as ``modules.yaml`` lists it: a ``version`` and ``context`` and
    the exact packages (``N-E:V-R.A``) it is made of."""

    version: int
    context: str
    artifacts: tuple[str, ...]
    #: The module streams its runtime dependencies require, the platform left out: each
    #: module with its streams (none: any stream; ``-s``: any but s).
    requires: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The platform streams (``el9``) its runtime dependencies require, any one of them
    #: (libdnf's ``platform`` pseudo-module); empty: the target's platform.
    platforms: tuple[str, ...] = ()

    @property
    def requires_key(self) -> str:
        """What libdnf names the build's solvable after (``addVersion2Modules``): its
        requires as ``module:[stream,…]``, sorted — builds of a stream that require the same
        modules are one solvable name, active together."""
        found = sorted(f"{m}:[{','.join(sorted(s))}]" if s else m for m, s in self.requires)
        return ";".join(found) or "NoRequires"


@dataclass(frozen=True)
class StreamSpec:
    """One stream of a dnf module on one target and architecture."""

    module: str
    name: str
    summary: str
    kernel_module: KernelModuleFlavor | None
    #: The names of the stream's packages.
    artifacts: tuple[str, ...]
    profiles: Mapping[str, tuple[str, ...]]
    entry: str | None = None
    #: The stream's builds, when its packages are known by exact NEVRA (a repository read
    #: back, a resolver case with several versions of a name); empty when ``artifacts`` names
    #: the repository's one package of each name, as a model's streams do.  Not compared: it
    #: spells out what ``artifacts`` names, so a build reads back equal to its model.
    builds: tuple[StreamBuild, ...] = field(default=(), compare=False)
    #: The profiles ``module install M:S`` installs, as a repository's defaults document
    #: lists them for this stream; None for a model's stream, whose default is the module's
    #: ``default_profile`` where it has that profile.  Not compared, as ``builds``.
    default_profiles: tuple[str, ...] | None = field(default=None, compare=False)

    def defaults(self, module_default: str) -> tuple[str, ...]:
        """The stream's default profiles, given its module's default profile."""
        if self.default_profiles is not None:
            return self.default_profiles
        return (module_default,) if module_default in self.profiles else ()


@dataclass(frozen=True)
class ModuleObsoletes:
    """A ``modulemd-obsoletes`` document (libmodulemd's ``Modulemd.Obsoletes``): stream
    *stream* of the module (its builds of *context* only, when given) is end of life from
    *eol_date* (0: now) and replaced by *obsoleted_by* (``(module, stream)``), or reset
    when it names none; ``reset`` cancels the older documents.  Times are libmodulemd's
    ``YYYYMMDDhhmm`` integers."""

    stream: str
    modified: int
    context: str | None = None
    reset: bool = False
    eol_date: int = 0
    obsoleted_by: tuple[str, str] | None = None
    message: str = ""


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    summary: str
    description: str
    license: tuple[str, ...]
    streams: tuple[StreamSpec, ...]
    default_stream: str | None
    default_profile: str
    #: The module's obsoletes documents, as a repository's ``modules.yaml`` carries them.
    obsoletes: tuple[ModuleObsoletes, ...] = ()

    def stream(self, name: str) -> StreamSpec | None:
        return next((s for s in self.streams if s.name == name), None)


@dataclass(frozen=True)
class Repository:
    """Everything published for one target on one architecture."""

    target_name: str
    target: Target
    arch: str
    canonical_arch: str
    packages: tuple[PackageSpec, ...]
    base: tuple[BaseSpec, ...] = ()
    modules: tuple[ModuleSpec, ...] = ()

    @property
    def family(self) -> Family:
        return self.target.family

    @property
    def package_arch(self) -> str:
        return driver(self.family).package_arches[self.canonical_arch]

    def package(self, name: str) -> PackageSpec | None:
        return next((p for p in self.packages if p.name == name), None)


@dataclass(frozen=True)
class ReleaseModel:
    """A loaded, validated release: its declaration and every repository it publishes."""

    release: Release
    source: str
    repositories: tuple[Repository, ...] = field(default_factory=tuple)
    #: Who the packages say maintains them, and their license (the model's top-level keys).
    maintainer: str = ""
    license: str = ""
    #: The assertion files and directories the model names (`assertions:`), each resolved
    #: against the file that names it: what `repogen check` runs when given none.
    assertions: tuple[Path, ...] = ()
    #: The names of the releases it holds, oldest first: its own name for one release, every
    #: release up to a point of a channel for a channel's view (:mod:`repogen.channel`).
    releases: tuple[str, ...] = ()
    #: Which releases publish which package file, as a tree's manifest records it
    #: (``published``, :mod:`repogen.publish.retention`): each entry the releases of one
    #: publish and their package files by target directory (``deb/ubuntu2204``), oldest
    #: first; empty for a model, or a tree whose manifest does not say.
    published: tuple[tuple[tuple[str, ...], Mapping[str, frozenset[str]]], ...] = ()

    def repositories_of(self, target: str) -> tuple[Repository, ...]:
        return tuple(r for r in self.repositories if r.target_name == target)

    def select(self, targets: Sequence[str] = (), arches: Sequence[str] = ()) -> list[Repository]:
        """The repositories of *targets* on *arches* (all when none are given).

        An architecture matches by the model's name (``sbsa``), the canonical one
        (``aarch64``) or the family's package architecture (``arm64``).  Raises LookupError
        naming what does not exist.
        """
        known = sorted({r.target_name for r in self.repositories})
        unknown = [t for t in targets if t not in known]
        if unknown:
            raise LookupError(
                f"unknown target {', '.join(unknown)}; the model has {', '.join(known)}"
            )
        chosen = [
            r
            for r in self.repositories
            if (not targets or r.target_name in targets)
            and (not arches or {r.arch, r.canonical_arch, r.package_arch} & set(arches))
        ]
        if not chosen:
            raise LookupError("no repository matches the given targets and architectures")
        return chosen
