"""A declaration's relation fields on one repository: filled, parsed and checked.

The model writes relations once in a family-neutral syntax; here each is checked against what
the repository's family can say (which fields it has, architecture qualifiers) and against what
a field can hold (a provide is versioned only with ``=``; some fields take no alternatives).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from repogen.families import drivers
from repogen.model.concrete import PULLING, RelationKind
from repogen.model.context import Context, Place
from repogen.model.errors import ModelPath
from repogen.model.problems import Problems
from repogen.model.relations import (
    Operator,
    Relation,
    RelationSyntaxError,
    parse_relation,
)

#: The relations that name packages, and where each was written: the reference check's input.
References = list[tuple[Relation, ModelPath]]

_RELATION_KINDS = tuple(RelationKind)
_WITHOUT_ALTERNATIVES = (RelationKind.PROVIDES, RelationKind.OBSOLETES, RelationKind.REPLACES)


def expand_relations(
    context: Context,
    fields: Mapping[str, Any],
    origins: Mapping[str, ModelPath],
    variables: Mapping[str, str],
    place: Place,
    references: References,
) -> dict[RelationKind, tuple[Relation, ...]]:
    """The relation fields among *fields* (written at *origins*) on *place*; the pulling
    ones are added to *references*."""
    relations: dict[RelationKind, tuple[Relation, ...]] = {}
    allowed = place.driver.relations
    for kind in _RELATION_KINDS:
        items = fields.get(kind)  # a StrEnum member is its value as a key
        if not items:
            continue
        path = (*origins[kind], kind.value)
        if kind not in allowed:
            having = [d.family.value for d in drivers() if kind in d.relations]
            context.problems.add(
                path,
                f"`{kind}` exists only in {' and '.join(having)} packages; "
                "set it in a family override",
                place,
            )
            continue
        parsed = []
        for item_index, item in enumerate(items):
            item_path = (*path, item_index)
            text = context.fill(item, variables, item_path, place)
            if text is None:
                continue
            relation: Relation | None
            if text.lstrip().startswith("("):
                relation = rich_relation(context.problems, text.strip(), kind, item_path, place)
            else:
                try:
                    relation = parse_relation(text)
                except RelationSyntaxError as exc:
                    context.problems.add(item_path, f"relation syntax error: {exc}", place)
                    relation = None
            if relation is None:
                continue
            if is_opaque(relation):
                parsed.append(relation)
            elif relation_ok(context.problems, relation, kind, item_path, place):
                parsed.append(relation)
                if kind in PULLING:
                    references.append((relation, item_path))
        relations[kind] = tuple(parsed)
    return relations


def rich_relation(
    problems: Problems, text: str, kind: RelationKind, path: ModelPath, place: Place
) -> Relation | None:
    """*text*, a rich (boolean) dependency, in the form the family's reader gives it back: a
    choice ``(a or b)`` as alternatives, anything else as one alternative named by the whole
    text.  None, reported to *problems*, where it may not stand."""
    if not place.driver.rich_dependencies:
        having = " and ".join(d.family for d in drivers() if d.rich_dependencies)
        problems.add(path, f"rich dependencies exist only in {having} relations", place)
        return None
    try:
        relation = place.driver.rich_relation(text)
    except ValueError as exc:
        problems.add(path, str(exc), place)
        return None
    if is_opaque(relation) and kind in _WITHOUT_ALTERNATIVES:
        problems.add(path, f"`{kind}` takes no rich dependency", place)
        return None
    return relation


def is_opaque(relation: Relation) -> bool:
    """Whether *relation* is a rich dependency kept as its text.  Its names are conditions as
    much as needs (``(kernel = 1 if kernel)``), so the reference check leaves them to the
    resolvers."""
    (first, *_) = relation.alternatives
    return first.name.startswith("(")


def relation_ok(
    problems: Problems, relation: Relation, kind: RelationKind, path: ModelPath, place: Place
) -> bool:
    """Whether *relation* may stand in *kind* on *place*; reports why not to *problems*."""
    ok = True
    for alternative in relation.alternatives:
        if alternative.qualifier is not None and not place.driver.arch_qualifiers:
            problems.add(
                path,
                f"architecture qualifier ':{alternative.qualifier}' exists only in "
                f"{' and '.join(d.family for d in drivers() if d.arch_qualifiers)} relations",
                place,
            )
            ok = False
        constraint = alternative.constraint
        if (
            kind is RelationKind.PROVIDES
            and constraint is not None
            and constraint.operator is not Operator.EQ
        ):
            problems.add(path, "a versioned provide takes only '='", place)
            ok = False
    if len(relation.alternatives) > 1 and kind in _WITHOUT_ALTERNATIVES:
        problems.add(path, f"`{kind}` cannot have alternatives", place)
        ok = False
    return ok
