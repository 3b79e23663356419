"""Reading an APT repository on disk (formats.md §1.4) into the model's packages.

``dists/<suite>/{InRelease,Release}`` names the suite's components and architectures;
``dists/<suite>/<component>/binary-<arch>/Packages[.xz|.gz|.bz2|.lz4|.zst]`` lists the packages.
apt's own C parsers read both (``apt_pkg.TagFile``, ``apt_pkg.parse_depends``), and a package's
relation fields are parsed only when something asks for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import apt_pkg

from repogen.families import Family
from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.relations import deb_names, deb_relations
from repogen.index.errors import MetadataError
from repogen.index.facts import kernel_module
from repogen.index.read import RepositoryRead, identifier
from repogen.model import PackageSpec, RelationKind
from repogen.model.concrete import LazyRelations

#: The index files apt may fetch, the cheapest to read first.
_INDEX_NAMES = (
    "Packages",
    "Packages.lz4",
    "Packages.gz",
    "Packages.xz",
    "Packages.bz2",
    "Packages.zst",
)


@dataclass(frozen=True)
class AptRepository:
    """One suite of an APT repository: where it is and what its Release file says."""

    root: Path
    suite: str
    components: tuple[str, ...]
    architectures: tuple[str, ...]
    label: str
    date: str


def _release_file(suite: Path) -> Path:
    for name in ("InRelease", "Release"):
        if (suite / name).is_file():
            return suite / name
    raise MetadataError(f"{suite}: no InRelease or Release file")


def _suite_directory(path: Path) -> Path:
    """The ``dists/<suite>`` of *path*: that directory itself, or the only suite under it."""
    if path.parent.name == "dists":
        return path
    suites = sorted(p for p in (path / "dists").glob("*") if p.is_dir())
    if len(suites) != 1:
        found = ", ".join(p.name for p in suites) or "none"
        raise MetadataError(
            f"{path}: expected one suite under dists/ (found {found}); give dists/<suite>"
        )
    return suites[0]


def open_apt(path: Path) -> AptRepository:
    """The APT repository at *path*: its root, or its ``dists/<suite>`` directory."""
    suite = _suite_directory(path)
    release = _release_file(suite)
    try:
        with os.fdopen(apt_pkg.open_maybe_clear_signed_file(str(release))) as handle:
            fields = next(iter(apt_pkg.TagFile(handle)))
    except (apt_pkg.Error, StopIteration, SystemError) as exc:
        raise MetadataError(f"{release}: not a Release file: {exc}") from exc
    return AptRepository(
        root=suite.parent.parent,
        suite=suite.name,
        components=tuple(fields.get("Components", "main").split()),
        architectures=tuple(a for a in fields.get("Architectures", "").split() if a != "all"),
        label=fields.get("Label", fields.get("Origin", "")),
        date=fields.get("Date", ""),
    )


def _description(text: str) -> tuple[str, str]:
    """Synopsis and long description of a deb822 ``Description``."""
    summary, _, rest = text.partition("\n")
    lines = [line[1:] if line.startswith(" ") else line for line in rest.splitlines()]
    return summary, "\n".join("" if line == "." else line for line in lines)


def _package(section: apt_pkg.TagSection[str]) -> PackageSpec:
    raw = {kind: section[field] for kind, field in RELATION_FIELDS if field in section}
    relations = LazyRelations(raw, deb_relations, deb_names)
    name = section["Package"]
    provides = raw.get(RelationKind.PROVIDES, "")
    summary, description = _description(section.get("Description", ""))
    return PackageSpec(
        name=name,
        version=section["Version"],
        arch=section["Architecture"],
        summary=summary,
        description=description,
        section=section.get("Section", ""),
        relations=relations,
        kernel_module=kernel_module(name, relations[RelationKind.PROVIDES])
        if "nvidia" in provides
        else None,
    )


def _index_file(directory: Path) -> Path | None:
    return next((directory / n for n in _INDEX_NAMES if (directory / n).is_file()), None)


def _sections(path: Path) -> Iterator[apt_pkg.TagSection[str]]:
    try:
        with apt_pkg.TagFile(str(path)) as index:
            yield from index
    except (apt_pkg.Error, SystemError) as exc:
        raise MetadataError(f"{path}: not a Packages index: {exc}") from exc


def indexed_architectures(repository: AptRepository) -> tuple[str, ...]:
    """The architectures of the suite that have a Packages index here (a mirror may hold
    fewer than its Release file lists)."""
    suite = repository.root / "dists" / repository.suite
    return tuple(
        arch
        for arch in repository.architectures
        if any(_index_file(suite / c / f"binary-{arch}") for c in repository.components)
    )


def apt_packages(repository: AptRepository, arch: str) -> tuple[PackageSpec, ...]:
    """Every package of *arch* (``Architecture: all`` ones included) in every component."""
    if repository.architectures and arch not in repository.architectures:
        raise MetadataError(
            f"{repository.root}: suite {repository.suite} has no architecture {arch} "
            f"(it has {', '.join(repository.architectures)})"
        )
    suite = repository.root / "dists" / repository.suite
    files = [
        _index_file(suite / component / f"binary-{arch}") for component in repository.components
    ]
    found = [f for f in files if f is not None]
    if not found:
        raise MetadataError(f"{suite}: no Packages index for {arch}")
    return tuple(_package(section) for path in found for section in _sections(path))


def _reads(repository: AptRepository, target: str, arches: Sequence[str]) -> list[RepositoryRead]:
    return [
        RepositoryRead(
            target,
            Family.DEB,
            arch,
            apt_packages(repository, arch),
            suite=repository.suite,
            date=repository.date,
        )
        for arch in arches
    ]


def read_repositories(
    path: Path, target: str, arches: Sequence[str] | None
) -> list[RepositoryRead]:
    """The repositories of *arches* (default: every indexed one) in the APT suite at *path*."""
    repository = open_apt(path)
    return _reads(
        repository, target, indexed_architectures(repository) if arches is None else arches
    )


def read_bare(path: Path, target: str | None) -> tuple[str, list[RepositoryRead]]:
    """The release name and repositories of a bare APT repository (its root or
    ``dists/<suite>``); its target defaults to the root directory's name."""
    root = path.parent.parent if path.parent.name == "dists" else path
    name = target or identifier(root.name)
    repository = open_apt(path)
    return repository.label or name, _reads(repository, name, indexed_architectures(repository))
