"""Checks over one expanded repository: every package once, kernel modules only where drivers
may be installed, and every name a relation pulls in known there."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from repogen.model.concrete import BaseSpec, PackageSpec, RelationKind
from repogen.model.context import Place
from repogen.model.errors import ModelPath
from repogen.model.problems import Problems
from repogen.model.relation_fields import References


def unique_packages(
    problems: Problems, place: Place, expanded: list[tuple[PackageSpec, ModelPath]]
) -> dict[str, PackageSpec]:
    """The packages of *place* by name, the first of each name kept; a second one, and a
    kernel module on a target without drivers, are problems."""
    packages: dict[str, PackageSpec] = {}
    for spec, path in expanded:
        if spec.name in packages:
            first, _ = problems.document.locate((*packages[spec.name].origin, "name"))
            problems.add(
                path,
                f"duplicate package {spec.name!r} after expansion (also from {first})",
                place,
            )
            continue
        packages[spec.name] = spec
        if spec.kernel_module is not None and not place.target.drivers:
            problems.add(
                path,
                f"{spec.name!r} provides kernel modules, but the target has `drivers: false`",
                place,
            )
    return packages


def check_references(
    problems: Problems,
    references: References,
    packages: Mapping[str, PackageSpec],
    base: tuple[BaseSpec, ...],
    place: Place,
    left_out: Collection[str] = (),
) -> None:
    """Every name *references* pull in is a package, a provide or a base package of *place*
    (or a package *left_out* for a problem already reported)."""
    known = set(packages) | {b.name for b in base} | set(left_out)
    known.update(p for b in base for p in b.provides)
    known.update(
        alt.name
        for spec in packages.values()
        for relation in spec.related(RelationKind.PROVIDES)
        for alt in relation.alternatives
    )
    for relation, path in references:
        for alternative in relation.alternatives:
            if alternative.name not in known:
                problems.add(
                    path,
                    f"unknown package {alternative.name!r}: neither a "
                    "package, a provide nor a base package of the target",
                    place,
                )
