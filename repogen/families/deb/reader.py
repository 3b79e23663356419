"""Reading an APT repository on disk (formats.md §1.4) into the model's packages.

``dists/<suite>/{InRelease,Release}`` names the suite's components and architectures;
``dists/<suite>/<component>/binary-<arch>/Packages[.xz|.gz|.bz2|.lz4|.zst]`` lists the packages.
apt's own C parsers read both (``apt_pkg.TagFile``, ``apt_pkg.parse_depends``), and a package's
relation fields are parsed only when something asks for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import apt_pkg

from repogen.families import Family
from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.relations import deb_names, deb_relations
from repogen.index.errors import MetadataError
from repogen.index.facts import kernel_module
from repogen.index.files import INDEX_CAP, TOP_CAP, inside, one_line, plain, uncompressed
from repogen.index.read import RepositoryRead, identifier
from repogen.model import PackageSpec, RelationKind
from repogen.model.concrete import LazyRelations

#: A component (``main``, ``updates/main``) and an architecture, as a Release file may name
#: them: names under the suite, never ``..`` or an absolute path.
_COMPONENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+~-]*(?:/[A-Za-z0-9][A-Za-z0-9_.+~-]*)*")
_ARCHITECTURE = re.compile(r"[a-z0-9][a-z0-9-]*")

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


def _release_file(root: Path, suite: str) -> tuple[Path, Path]:
    """The InRelease or Release file of *suite*: as shown, and resolved inside *root*."""
    for name in ("InRelease", "Release"):
        shown = root / "dists" / suite / name
        if os.path.lexists(shown):
            return shown, uncompressed(inside(root, f"dists/{suite}/{name}"), TOP_CAP, shown)
    raise MetadataError(f"{root / 'dists' / suite}: no InRelease or Release file")


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


def _names(release: Path, field: str, text: str, grammar: re.Pattern[str]) -> tuple[str, ...]:
    """The names a Release field lists; each becomes part of a path, so one that could lead
    out of the suite (``../../x``, ``/etc``) is refused."""
    names = tuple(text.split())
    for name in names:
        if grammar.fullmatch(name) is None or ".." in name.split("/"):
            raise MetadataError(f"{release}: {field}: {name!r} is not a name inside the suite")
    return names


def open_apt(path: Path) -> AptRepository:
    """The APT repository at *path*: its root, or its ``dists/<suite>`` directory."""
    suite = _suite_directory(path)
    root = suite.parent.parent
    release, resolved = _release_file(root, suite.name)
    try:
        with os.fdopen(apt_pkg.open_maybe_clear_signed_file(str(resolved))) as handle:
            fields = next(iter(apt_pkg.TagFile(handle)))
            components = fields.get("Components", "main")
            architectures = fields.get("Architectures", "")
            label = fields.get("Label", fields.get("Origin", ""))
            date = fields.get("Date", "")
    except (apt_pkg.Error, StopIteration, SystemError) as exc:
        raise MetadataError(f"{release}: not a Release file: {one_line(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise MetadataError(f"{release}: not UTF-8 (byte {exc.start} of a field)") from None
    return AptRepository(
        root=root,
        suite=suite.name,
        components=_names(release, "Components", components, _COMPONENT),
        architectures=tuple(
            a for a in _names(release, "Architectures", architectures, _ARCHITECTURE) if a != "all"
        ),
        label=label,
        date=date,
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
        source=section.get("Source"),
        essential=section.get("Essential", "no").strip() == "yes",
        protected=section.get("Protected", "no").strip() == "yes",
    )


def _index_file(root: Path, directory: str) -> str | None:
    """The first index file of *directory* (relative to *root*) that exists in any form: one
    that is a symlink out of the repository or a FIFO is refused when opened, not passed over
    for another."""
    return next(
        (f"{directory}/{n}" for n in _INDEX_NAMES if os.path.lexists(root / directory / n)),
        None,
    )


def _sections(root: Path, name: str) -> Iterator[PackageSpec]:
    """The packages of the index file *name* under *root*, decompressed here under a cap
    and given to apt's parser as an open plain file (apt would otherwise decompress by the
    file's name, without one)."""
    shown = root / name
    found = inside(root, name)
    last = "the first stanza"
    try:
        with plain(found, INDEX_CAP, shown) as text, text.open("rb") as handle:
            for section in apt_pkg.TagFile(handle):
                if "Package" not in section:
                    raise MetadataError(f"{shown}: a stanza after {last} has no Package field")
                last = f"package {section['Package']!r}"
                missing = [f for f in ("Version", "Architecture") if f not in section]
                if missing:
                    raise MetadataError(f"{shown}: {last} has no {' or '.join(missing)} field")
                yield _package(section)
    except (apt_pkg.Error, SystemError) as exc:
        raise MetadataError(f"{shown}: not a Packages index: {one_line(exc)}") from exc
    except UnicodeDecodeError:
        raise MetadataError(f"{shown}: not UTF-8 near {last} (Debian indices are UTF-8)") from None


def indexed_architectures(repository: AptRepository) -> tuple[str, ...]:
    """The architectures of the suite that have a Packages index here (a mirror may hold
    fewer than its Release file lists)."""
    suite = f"dists/{repository.suite}"
    return tuple(
        arch
        for arch in repository.architectures
        if any(
            _index_file(repository.root, f"{suite}/{c}/binary-{arch}")
            for c in repository.components
        )
    )


def apt_packages(repository: AptRepository, arch: str) -> tuple[PackageSpec, ...]:
    """Every package of *arch* (``Architecture: all`` ones included) in every component."""
    if repository.architectures and arch not in repository.architectures:
        raise MetadataError(
            f"{repository.root}: suite {repository.suite} has no architecture {arch} "
            f"(it has {', '.join(repository.architectures)})"
        )
    if _ARCHITECTURE.fullmatch(arch) is None:
        raise MetadataError(f"{repository.root}: {arch!r} is not an architecture name")
    suite = f"dists/{repository.suite}"
    files = [
        _index_file(repository.root, f"{suite}/{component}/binary-{arch}")
        for component in repository.components
    ]
    found = [f for f in files if f is not None]
    if not found:
        raise MetadataError(f"{repository.root / suite}: no Packages index for {arch}")
    return tuple(package for name in found for package in _sections(repository.root, name))


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
