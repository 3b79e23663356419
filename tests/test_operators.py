"""The version operators: one type, each family's spellings checked against its own tools."""

from __future__ import annotations

from pathlib import Path

import apt_pkg
import pytest
import rpm
import solv
from hypothesis import given
from hypothesis import strategies as st

from repogen.families.deb.relations import deb_relations, operator, spelling
from repogen.families.rpm import operators
from repogen.model.relations import Operator

OPERATORS = list(Operator)


@pytest.mark.parametrize("op", OPERATORS)
def test_debian_spelling_is_what_apt_parses(op: Operator) -> None:
    (relation,) = deb_relations(f"a ({spelling(op)} 1.0)")
    (alternative,) = relation.alternatives
    assert alternative.constraint is not None
    assert alternative.constraint.operator is op
    # apt_pkg writes << and >> as < and >; both read back as the same operator.
    ((_, _, apt_spelling),) = apt_pkg.parse_depends(f"a ({spelling(op)} 1.0)", False)[0]
    assert operator(apt_spelling) is op


@pytest.mark.parametrize(
    ("version", "wanted"),
    [("1.0", "1.0"), ("1.0~rc1", "1.0"), ("1:0.9", "2.0"), ("1.0+b1", "1.0"), ("2.0", "2.0-0")],
)
@pytest.mark.parametrize("op", OPERATORS)
def test_admits_agrees_with_apt(op: Operator, version: str, wanted: str) -> None:
    order = apt_pkg.version_compare(version, wanted)
    assert op.admits(order) == apt_pkg.check_dep(version, spelling(op), wanted)


@given(st.integers(-3, 3))
def test_admits_is_the_order_each_operator_names(order: int) -> None:
    assert [op for op in OPERATORS if op.admits(order)] == [
        op
        for op, holds in zip(
            OPERATORS, (order < 0, order <= 0, order == 0, order >= 0, order > 0), strict=True
        )
        if holds
    ]


def test_every_rpm_syntax_names_each_operator_once() -> None:
    for field in ("symbol", "flags", "sense", "solv"):
        values = [getattr(operators.spelled(op), field) for op in OPERATORS]
        assert len(set(values)) == len(OPERATORS), field
    for op in OPERATORS:
        spelled = operators.spelled(op)
        assert operators.from_flags(spelled.flags) is op
        assert operators.from_symbol(spelled.symbol) is op
        assert operators.from_sense(spelled.sense | rpm.RPMSENSE_SCRIPT_PRE) is op


def test_rpm_sense_bits_are_rpms() -> None:
    assert (operators.SENSE_LESS, operators.SENSE_GREATER, operators.SENSE_EQUAL) == (
        rpm.RPMSENSE_LESS,
        rpm.RPMSENSE_GREATER,
        rpm.RPMSENSE_EQUAL,
    )


def test_rpm_reads_each_spec_symbol_as_its_sense(tmp_path: Path) -> None:
    requires = "".join(
        f"Requires: dep-{op.name} {operators.spelled(op).symbol} 1.0\n" for op in OPERATORS
    )
    spec = tmp_path / "t.spec"
    spec.write_text(
        "Name: t\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"{requires}%description\nd\n%files\n"
    )
    header = rpm.spec(str(spec)).packages[0].header
    found = {
        d.N(): d.Flags() & operators.SENSE_COMPARISON
        for d in rpm.ds(header, rpm.RPMTAG_REQUIRENAME)
    }
    assert found == {f"dep-{op.name}": operators.spelled(op).sense for op in OPERATORS}


@pytest.mark.parametrize("op", OPERATORS)
def test_libsolv_flags_are_libsolvs(op: Operator) -> None:
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    dep = pool.rel2id(pool.str2id("a"), pool.str2id("1.0"), operators.spelled(op).solv)
    assert pool.dep2str(dep) == f"a {operators.spelled(op).symbol} 1.0"
    rel = {"<": solv.REL_LT, "=": solv.REL_EQ, ">": solv.REL_GT}
    assert operators.spelled(op).solv == sum(rel[c] for c in operators.spelled(op).symbol)
