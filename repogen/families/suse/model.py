"""SUSE patterns in the model: the suse family's part of expansion.

A pattern of the model's ``patterns`` becomes a package ``patterns-NAME`` on every suse target
where its ``when`` admits it; what makes it a pattern for zypper are its provides
(``pattern() = NAME``, its order, category, visibility and icon).
"""

from __future__ import annotations

from collections.abc import Iterator

from repogen.model.concrete import PackageSpec, PatternAttributes, RelationKind
from repogen.model.context import Context, Place, applies
from repogen.model.declarations import Pattern
from repogen.model.errors import ModelPath
from repogen.model.extension import ModelExtension
from repogen.model.relation_fields import References, expand_relations
from repogen.model.relations import Alternative, Constraint, Operator, Relation
from repogen.model.targets import check_when


class Patterns(ModelExtension):
    """The patterns of the model, published as packages on the family's targets."""

    def check_model(self, context: Context) -> None:
        for index, pattern in enumerate(context.model.patterns):
            check_when(context, pattern.when, ("patterns", index))

    def packages(
        self, context: Context, place: Place, references: References
    ) -> Iterator[tuple[PackageSpec, ModelPath]]:
        for index, pattern in enumerate(context.model.patterns):
            for kernel in context.kernels(place) if pattern.foreach_kernel else ["default"]:
                if applies(pattern.when, place, kernel):
                    spec = _pattern(context, pattern, index, place, kernel, references)
                    if spec is not None:
                        yield spec, ("patterns", index, "name")


def _pattern(
    context: Context,
    pattern: Pattern,
    index: int,
    place: Place,
    kernel: str,
    references: References,
) -> PackageSpec | None:
    path: ModelPath = ("patterns", index)
    variables = context.variables(place, kernel)
    fields = {kind.value: getattr(pattern, kind.value) for kind in RelationKind}
    origins = dict.fromkeys(fields, path)
    name = context.fill(pattern.name, variables, (*path, "name"), place)
    summary = context.fill(pattern.summary, variables, (*path, "summary"), place)
    description = context.fill_optional(
        pattern.description, variables, (*path, "description"), place
    )
    icon = context.fill_optional(pattern.icon, variables, (*path, "icon"), place)
    category = context.fill(pattern.category, variables, (*path, "category"), place)
    version = variables.get(f"{pattern.version}_version")
    if pattern.version not in context.model.versions:
        context.problems.add((*path, "version"), f"unknown version scheme {pattern.version!r}")
    relations = expand_relations(context, fields, origins, variables, place, references)
    if name is None or category is None or version is None:
        return None
    attributes = PatternAttributes(name, pattern.visible, pattern.order, category, icon)
    relations[RelationKind.PROVIDES] = (
        *relations.get(RelationKind.PROVIDES, ()),
        *_pattern_provides(attributes),
    )
    return PackageSpec(
        name=f"patterns-{name}",
        version=version,
        arch=place.driver.noarch,
        summary=summary or "",
        description=description or summary or "",
        section="patterns",
        relations=relations,
        pattern=attributes,
        origin=path,
    )


def _pattern_provides(pattern: PatternAttributes) -> tuple[Relation, ...]:
    """The capabilities that make a package a pattern (libzypp PatternPackages.doc)."""

    def provide(name: str, value: str | None = None) -> Relation:
        constraint = None if value is None else Constraint(Operator.EQ, value)
        return Relation((Alternative(name, constraint),))

    provides = [
        provide("pattern()", pattern.name),
        provide("pattern-order()", pattern.order),
        provide("pattern-category()", pattern.category),
    ]
    if pattern.visible:
        provides.append(provide("pattern-visible()"))
    if pattern.icon is not None:
        provides.append(provide("pattern-icon()", pattern.icon))
    return tuple(provides)


EXTENSION = Patterns()
