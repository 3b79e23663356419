"""RPM rich dependencies: rpm's parser gives the tree, libsolv's agrees with it."""

from __future__ import annotations

import pytest
import solv
from hypothesis import given
from hypothesis import strategies as st

from repogen.families.rpm.dependencies import rpm_relation
from repogen.families.rpm.operators import spelled
from repogen.families.rpm.rich import Rich, RichOperator, RichSyntaxError, Simple, Term, parse_rich
from repogen.model.relations import Operator, parse_relation

#: libsolv's relation of each rich operator; ``else`` is the right side of ``if``/``unless``.
_SOLV = {
    RichOperator.AND: solv.REL_AND,
    RichOperator.OR: solv.REL_OR,
    RichOperator.IF: solv.REL_COND,
    RichOperator.UNLESS: solv.REL_UNLESS,
    RichOperator.WITH: solv.REL_WITH,
    RichOperator.WITHOUT: solv.REL_WITHOUT,
}


def _pool() -> solv.Pool:
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    return pool


def _solv_id(pool: solv.Pool, term: Term) -> int:
    """*term* built in libsolv: a chain ``a or b or c`` nests to the right, as libsolv's own
    parser nests it; libsolv interns relations, so equal ids are equal trees."""
    if isinstance(term, Simple):
        name: int = pool.str2id(term.name)
        if term.operator is None:
            return name
        flags = spelled(term.operator).solv
        related: int = pool.rel2id(name, pool.str2id(term.evr), flags)
        return related
    ids = [_solv_id(pool, t) for t in term.terms]
    if term.operators[-1] is RichOperator.ELSE:
        *ids, condition, otherwise = ids
        ids.append(pool.rel2id(condition, otherwise, solv.REL_ELSE))
        operators = term.operators[:-1]
    else:
        operators = term.operators
    joined = ids[-1]
    for left, operator in zip(reversed(ids[:-1]), reversed(operators), strict=True):
        joined = pool.rel2id(left, joined, _SOLV[operator])
    return joined


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("(a)", Simple("a")),
        ("((a >= 1))", Simple("a", Operator.GE, "1")),
        (
            "(a >= 1.2 or b or c(x86-64) < 2)",
            Rich(
                (
                    Simple("a", Operator.GE, "1.2"),
                    Simple("b"),
                    Simple("c(x86-64)", Operator.LT, "2"),
                ),
                (RichOperator.OR, RichOperator.OR),
            ),
        ),
        (
            "(a if b else c)",
            Rich((Simple("a"), Simple("b"), Simple("c")), (RichOperator.IF, RichOperator.ELSE)),
        ),
        (
            "(a or (b and c <= 3:1-2))",
            Rich(
                (
                    Simple("a"),
                    Rich((Simple("b"), Simple("c", Operator.LE, "3:1-2")), (RichOperator.AND,)),
                ),
                (RichOperator.OR,),
            ),
        ),
        (
            "(kmod with kmod(x86-64))",
            Rich((Simple("kmod"), Simple("kmod(x86-64)")), (RichOperator.WITH,)),
        ),
    ],
)
def test_parse(text: str, tree: Term) -> None:
    assert parse_rich(text) == tree
    pool = _pool()
    assert _solv_id(pool, tree) == pool.parserpmrichdep(text).id


@pytest.mark.parametrize(
    "text", ["a", "(a or", "(a or b and c)", "(a or b) c", "(a >= )", "()", "(a if)"]
)
def test_what_rpm_refuses(text: str) -> None:
    with pytest.raises(RichSyntaxError):
        parse_rich(text)


names = st.from_regex(r"[a-z][a-z0-9-]{0,6}(\([a-z0-9-]{0,5}\))?", fullmatch=True)
simples = st.builds(
    Simple,
    names,
    st.sampled_from(list(Operator)),
    st.from_regex(r"([1-9]:)?[0-9][0-9a-z.~^]{0,5}(-[0-9a-z.]{1,4})?", fullmatch=True),
) | st.builds(Simple, names)


def _chains(terms: st.SearchStrategy[Term]) -> st.SearchStrategy[Term]:
    chained = st.tuples(
        st.sampled_from([RichOperator.AND, RichOperator.OR]),
        st.lists(terms, min_size=2, max_size=3),
    ).map(lambda c: Rich(tuple(c[1]), (c[0],) * (len(c[1]) - 1)))
    conditional = st.tuples(
        st.sampled_from([RichOperator.IF, RichOperator.UNLESS]), terms, terms, st.none() | terms
    ).map(
        lambda c: (
            Rich((c[1], c[2]), (c[0],))
            if c[3] is None
            else Rich((c[1], c[2], c[3]), (c[0], RichOperator.ELSE))
        )
    )
    paired = st.tuples(
        st.sampled_from([RichOperator.WITH, RichOperator.WITHOUT]), simples, simples
    ).map(lambda c: Rich((c[1], c[2]), (c[0],)))
    return chained | conditional | paired


#: Rich dependencies two levels deep, whose brackets all hold more than one term.
trees = _chains(simples | _chains(simples))


@given(trees)
def test_rpm_and_libsolv_read_the_same_tree(tree: Term) -> None:
    text = str(tree)
    assert parse_rich(text) == tree
    pool = _pool()
    assert _solv_id(pool, tree) == pool.parserpmrichdep(text).id


@pytest.mark.parametrize(
    ("name", "relation"),
    [
        ("(a >= 1.2 or b or c(x86-64) < 2)", "a (>= 1.2) | b | c(x86-64) (<< 2)"),
        ("(a or (b or c > 1))", "a | b | c (>> 1)"),
        ("(pattern() = cuda%2Dopen or b)", "pattern() (= cuda-open) | b"),
    ],
)
def test_a_choice_becomes_alternatives(name: str, relation: str) -> None:
    assert rpm_relation((name, None, None, None, None, False)) == parse_relation(relation)


@pytest.mark.parametrize(
    "name", ["(a if b)", "(a or (b and c))", "(a with b)", "(a or b and c)", "(a or"]
)
def test_anything_else_stays_one_name(name: str) -> None:
    (alternative,) = rpm_relation((name, None, None, None, None, False)).alternatives
    assert alternative.name == name
    assert alternative.constraint is None
