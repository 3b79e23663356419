"""The relation grammar, checked against python-debian's parser of the same syntax."""

from __future__ import annotations

import pytest
from debian.deb822 import PkgRelation
from hypothesis import given
from hypothesis import strategies as st

from repogen.families.deb.relations import deb_names, deb_relations
from repogen.model.relations import (
    Alternative,
    Constraint,
    Operator,
    Relation,
    RelationSyntaxError,
    parse_relation,
)


def test_alternatives_with_versions_and_qualifier() -> None:
    relation = parse_relation(
        "nvidia-kernel-dkms (= 560.28.03-1) | nvidia-kernel-560.28.03 | python3:any (>= 3.9)"
    )
    assert relation == Relation(
        (
            Alternative("nvidia-kernel-dkms", Constraint(Operator.EQ, "560.28.03-1")),
            Alternative("nvidia-kernel-560.28.03"),
            Alternative("python3", Constraint(Operator.GE, "3.9"), "any"),
        )
    )


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("", 1, "a package name"),
        ("a (> 1)", 4, "a version operator"),
        ("a (>= )", 7, "a version"),
        ("a (>= 1", 8, "')'"),
        ("a b", 3, "'|' or the end"),
        ("a [amd64]", 3, "'|' or the end"),
        ("a:", 3, "an architecture qualifier"),
    ],
)
def test_syntax_errors_point_at_the_column(text: str, column: int, expected: str) -> None:
    with pytest.raises(RelationSyntaxError) as caught:
        parse_relation(text)
    assert caught.value.column == column
    assert caught.value.expected.startswith(expected)


names = st.from_regex(r"[a-z0-9][a-z0-9+.-]{1,12}", fullmatch=True)
versions = st.from_regex(
    r"([1-9]:)?[0-9][A-Za-z0-9.+~]{0,8}(-[A-Za-z0-9.+~]{1,5})?", fullmatch=True
)
alternatives = st.builds(
    Alternative,
    names,
    st.none() | st.builds(Constraint, st.sampled_from(list(Operator)), versions),
    st.none() | st.sampled_from(["any", "native"]),
)
relations = st.lists(alternatives, min_size=1, max_size=4).map(lambda a: Relation(tuple(a)))


@given(relations)
def test_round_trip_agrees_with_python_debian(relation: Relation) -> None:
    text = str(relation)
    assert parse_relation(text) == relation
    (group,) = PkgRelation.parse_relations(text)
    assert [(a["name"], a["archqual"], a["version"]) for a in group] == [
        (
            a.name,
            a.qualifier,
            None if a.constraint is None else (a.constraint.operator.value, a.constraint.version),
        )
        for a in relation.alternatives
    ]


@given(st.lists(relations, min_size=1, max_size=3))
def test_apt_names_the_alternatives_it_parses(group: list[Relation]) -> None:
    text = ", ".join(str(relation) for relation in group)
    parsed = [a.name for relation in deb_relations(text) for a in relation.alternatives]
    assert (
        list(deb_names(text))
        == parsed
        == [a.name for relation in group for a in relation.alternatives]
    )
