"""The model's packages on one repository: overrides layered, templates filled, names and
versions checked against the family.

A package is written once; on a repository it exists once per kernel flavor (``foreach_kernel``)
and matrix combination that its ``when`` admits, with its family's override and then its
target's laid over its own fields.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from repogen.model.concrete import PackageSpec, RelationKind
from repogen.model.context import Context, Place, applies
from repogen.model.declarations import Package, PackageOverride
from repogen.model.errors import ModelPath
from repogen.model.relation_fields import References, expand_relations

_PACKAGE_FIELDS = (
    "name",
    "version",
    "summary",
    "description",
    "arch",
    "kernel_module",
    "entry",
    *(kind.value for kind in RelationKind),
)


def expand_packages(
    context: Context, place: Place, references: References
) -> list[tuple[PackageSpec, ModelPath]]:
    """Every package the model's ``packages`` give on *place*, and where each is named."""
    expanded: list[tuple[PackageSpec, ModelPath]] = []
    for index, package in enumerate(context.model.packages):
        for kernel in context.kernels(place) if package.foreach_kernel else ["default"]:
            if not applies(package.when, place, kernel):
                continue
            for matrix in _combinations(package.matrix):
                spec = _package(context, package, index, place, kernel, matrix, references)
                if spec is not None:
                    expanded.append((spec, ("packages", index, "name")))
    return expanded


def effective(
    package: Package, index: int, place: Place
) -> tuple[dict[str, Any], dict[str, ModelPath]]:
    """The package's fields after its family and target overrides, and where each came from."""
    own: ModelPath = ("packages", index)
    fields = {name: getattr(package, name) for name in _PACKAGE_FIELDS}
    origins = dict.fromkeys(_PACKAGE_FIELDS, own)
    layers: list[tuple[PackageOverride | None, ModelPath]] = [
        (package.overrides.get(place.family), (*own, place.family.value)),
        (package.targets.get(place.target_name), (*own, "targets", place.target_name)),
    ]
    for override, path in layers:
        if override is None:
            continue
        for name in override.model_fields_set:
            fields[name] = getattr(override, name)
            origins[name] = path
    return fields, origins


def _package(
    context: Context,
    package: Package,
    index: int,
    place: Place,
    kernel: str,
    matrix: Mapping[str, str],
    references: References,
) -> PackageSpec | None:
    fields, origins = effective(package, index, place)
    variables = context.variables(place, kernel)
    for key, value in matrix.items():
        filled = context.fill(value, variables, ("packages", index, "matrix", key), place)
        variables[key] = filled if filled is not None else value
    name = context.fill(fields["name"], variables, (*origins["name"], "name"), place)
    summary = context.fill(fields["summary"], variables, (*origins["summary"], "summary"), place)
    description = context.fill_optional(
        fields["description"], variables, (*origins["description"], "description"), place
    )
    scheme = fields["version"]
    version = variables.get(f"{scheme}_version")
    if scheme not in context.model.versions:
        context.problems.add(
            (*origins["version"], "version"),
            f"unknown version scheme {scheme!r}; expected one of "
            f"{', '.join(context.model.versions)}",
        )
    elif version is None and scheme in context.cuda_schemes:
        context.problems.add(
            (*origins["version"], "version"),
            f"version scheme {scheme!r} is made from the CUDA version, which a driver-only "
            "release (no `release.cuda`) does not have",
            place,
        )
    relations = expand_relations(context, fields, origins, variables, place, references)
    # A broken summary is reported once; the package still exists for the other checks.
    if name is None or version is None:
        if name is not None:
            context.unversioned[str(place)].add(name)
        return None
    problem = place.driver.name_problem(name)
    if problem is not None:
        context.problems.add((*origins["name"], "name"), problem, place)
        return None
    arch = (
        place.driver.noarch
        if fields["arch"] == "all"
        else place.driver.package_arches[place.canonical_arch]
    )
    return PackageSpec(
        name=name,
        version=version,
        arch=arch,
        summary=summary or "",
        description=description or summary or "",
        section=package.section,
        relations=relations,
        kernel_module=fields["kernel_module"],
        entry=fields["entry"],
        component=package.component,
        origin=("packages", index),
    )


def _combinations(matrix: Mapping[str, list[str]]) -> Iterator[dict[str, str]]:
    """Every combination of the matrix variables' values, in declaration order."""
    names = list(matrix)
    for values in itertools.product(*(matrix[name] for name in names)):
        yield dict(zip(names, values, strict=True))
