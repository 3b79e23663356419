"""Debian control stanzas rendered from the model: binary, source and base-stub packages.

Pure functions, model in, :class:`~debian.deb822.Deb822` out.  Relations are built as python-debian
``PkgRelation`` structures and rendered by ``PkgRelation.str``.  Model text is made safe before
it reaches deb822 (formats.md §1.1): a synopsis is one line, long-description lines start with a
space, an empty line is `` .``, and control characters are refused, so no model text can open a
field of its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from debian.deb822 import Deb822, PkgRelation

from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.relations import spelling
from repogen.families.deb.versions import name_problem, version_problem
from repogen.model import PackageSpec, RelationKind
from repogen.model.relations import Relation
from repogen.publish.base import BuildError

#: What every generated source package builds with (formats.md §1.2).
_SOURCE_FIELDS = {
    "Priority": "optional",
    "Build-Depends": "debhelper-compat (= 13)",
    "Standards-Version": "4.6.2",
    "Rules-Requires-Root": "no",
}

_ALL = "all"
_SIZE_OF_EMPTY_PACKAGE = "0"

if TYPE_CHECKING:
    PkgRelations = list[list[PkgRelation.ParsedRelation]]


#: Control characters (C0 but tab, DEL, C1), which no field may hold.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _refuse_control_characters(text: str, what: str) -> str:
    if _CONTROL_CHARACTERS.search(text) is not None:
        bad = sorted(set(_CONTROL_CHARACTERS.findall(text)))
        raise BuildError(f"{what} contains control characters {bad!r}: {text!r}")
    return text


def one_line(text: str, what: str) -> str:
    """*text* as one line: every run of whitespace (newlines included) becomes one space."""
    return _refuse_control_characters(" ".join(text.split()), what)


def description(summary: str, long: str, what: str) -> str:
    """A deb822 ``Description``: the synopsis line, then the long description, if any."""
    synopsis = one_line(summary, f"{what} summary")
    lines = [synopsis]
    if one_line(long, f"{what} description") not in {"", synopsis}:
        for number, line in enumerate(long.strip().splitlines(), 1):
            text = _refuse_control_characters(line.rstrip(), f"{what} description")
            if text.startswith("."):
                # " ." is an empty line and " .x" is reserved (Policy §5.6.13).
                raise BuildError(
                    f"{what} description, line {number}: {text!r} starts with '.', which a "
                    "Debian description cannot hold"
                )
            lines.append(f" {text}" if text else " .")
    return "\n".join(lines)


def _checked(value: str, problem: str | None, what: str) -> str:
    """*value* if it has no *problem* and is one line (the model's checks let a trailing
    newline through)."""
    if problem is None and value != one_line(value, what):
        problem = f"{value!r} is not one line"
    if problem is not None:
        raise BuildError(f"{what}: {problem}")
    return value


def checked_name(name: str, what: str) -> str:
    """*name* if it is a Debian package name (so it is also safe as a path component)."""
    return _checked(name, name_problem(name), what)


def checked_version(version: str, what: str) -> str:
    return _checked(version, version_problem(version), what)


def pkg_relations(relations: Sequence[Relation]) -> PkgRelations:
    """The python-debian structure of *relations*."""
    return [
        [
            {
                "name": alternative.name,
                "archqual": alternative.qualifier,
                "version": (
                    None
                    if alternative.constraint is None
                    else (spelling(alternative.constraint.operator), alternative.constraint.version)
                ),
                "arch": None,
                "restrictions": None,
            }
            for alternative in relation.alternatives
        ]
        for relation in relations
    ]


def relation_fields(relations: Mapping[RelationKind, Sequence[Relation]]) -> dict[str, str]:
    """The non-empty relation fields of a binary package, rendered by python-debian."""
    return {
        field: PkgRelation.str(pkg_relations(relations[kind]))
        for kind, field in RELATION_FIELDS
        if relations.get(kind)
    }


def binary_control(spec: PackageSpec, maintainer: str) -> Deb822:
    """The ``DEBIAN/control`` of *spec*'s (empty) binary package."""
    what = f"package {spec.name!r}"
    control = Deb822()
    control["Package"] = checked_name(spec.name, what)
    control["Version"] = checked_version(spec.version, what)
    control["Architecture"] = spec.arch
    if spec.source is not None:
        control["Source"] = one_line(spec.source, f"{what} source")
    if spec.essential:
        control["Essential"] = "yes"
    if spec.protected:
        control["Protected"] = "yes"
    control["Maintainer"] = one_line(maintainer, "maintainer")
    control["Installed-Size"] = _SIZE_OF_EMPTY_PACKAGE
    control.update(relation_fields(spec.relations))
    control["Section"] = one_line(spec.section, f"{what} section")
    control["Priority"] = "optional"
    if spec.arch == _ALL:
        control["Multi-Arch"] = "foreign"
    control["Description"] = description(spec.summary, spec.description, what)
    return control


def _restricted(relations: PkgRelations, arches: Sequence[str]) -> PkgRelations:
    restriction = [PkgRelation.ArchRestriction(enabled=True, arch=arch) for arch in arches]
    return [[{**alternative, "arch": restriction} for alternative in group] for group in relations]


def _merged_relations(specs: Sequence[PackageSpec]) -> dict[str, str]:
    """Relation fields for all *specs* of one package; a relation that only some architectures
    have gets an architecture restriction (allowed in source, never in binary control)."""
    fields = {}
    for kind, field in RELATION_FIELDS:
        arches_of: dict[Relation, list[str]] = {}
        for spec in specs:
            for relation in spec.related(kind):
                arches_of.setdefault(relation, []).append(spec.arch)
        groups = [
            group
            for relation, arches in arches_of.items()
            for group in (
                pkg_relations([relation])
                if len(arches) == len(specs)
                else _restricted(pkg_relations([relation]), arches)
            )
        ]
        if groups:
            fields[field] = PkgRelation.str(groups)
    return fields


def _same(specs: Sequence[PackageSpec], attribute: str) -> str:
    values = {getattr(spec, attribute) for spec in specs}
    if len(values) > 1:
        raise BuildError(
            f"package {specs[0].name!r} has a different {attribute} per architecture "
            f"({', '.join(sorted(values))}); one source stanza cannot describe it"
        )
    value: str = values.pop()
    return value


def source_control(specs: Sequence[PackageSpec], maintainer: str) -> list[Deb822]:
    """The ``debian/control`` of the source package of one binary package, from its specs on
    every architecture of the target (one spec for ``Architecture: all``)."""
    name = checked_name(specs[0].name, "source package")
    source = Deb822()
    source["Source"] = name
    source["Section"] = one_line(_same(specs, "section"), f"package {name!r} section")
    source["Maintainer"] = one_line(maintainer, "maintainer")
    source.update(_SOURCE_FIELDS)
    binary = Deb822()
    binary["Package"] = name
    binary["Architecture"] = " ".join(sorted({spec.arch for spec in specs}))
    if binary["Architecture"] == _ALL:
        binary["Multi-Arch"] = "foreign"
    binary.update(_merged_relations(specs))
    binary["Description"] = description(
        _same(specs, "summary"), _same(specs, "description"), f"package {name!r}"
    )
    return [source, binary]


def pool_directory(source: str) -> PurePosixPath:
    """``pool/main/<prefix>/<source>``: the prefix is ``libX`` for ``lib*`` sources."""
    prefix = source[:4] if source.startswith("lib") and len(source) > 3 else source[0]
    return PurePosixPath("pool", "main", prefix, source)


def deb_file_name(name: str, version: str, arch: str) -> str:
    """``<name>_<version without epoch>_<arch>.deb`` (formats.md §1.1)."""
    return f"{name}_{version.partition(':')[2] or version}_{arch}.deb"
