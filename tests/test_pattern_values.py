"""SUSE pattern capability values: escaped once for rpm, read back as libsolv reads them."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import rpm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repogen.families.rpm.dependencies import rpm_relation
from repogen.families.rpm.patterns import escape, is_pattern_capability, unescape
from repogen.families.rpm.spec import capability_version

#: What rpm 4.18 takes in a dependency's version (rpmCharCheck in build/parseReqs.c), less
#: '-' and ':', which split it, and the '{' '}' of macros.
RPM_VERSION_CHARACTERS = set(string.ascii_letters + string.digits + "._+~^%")


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        # The bundled releases' values, as their builds have always written them.
        ("cuda-open-64k", "cuda%2Dopen%2D64k"),
        ("CUDA Development", "CUDA%20Development"),
        ("pattern-generic", "pattern%2Dgeneric"),
        ("1510", "1510"),
        # What rpm refuses or would misread.
        ("a..b", "a.%2Eb"),
        ("1:2", "1%3A2"),
        ("a/b (c)", "a%2Fb%20%28c%29"),
        ("100%", "100%25"),
        ("x=y", "x%3Dy"),
        ("Grafik", "Grafik"),
        ("Bürosoftware", "B%C3%BCrosoftware"),
    ],
)
def test_escape(value: str, escaped: str) -> None:
    assert escape(value) == escaped
    assert unescape(escaped) == value


@given(st.text())
def test_unescape_undoes_escape(value: str) -> None:
    assert unescape(escape(value)) == value


@given(st.text())
def test_escaped_values_are_rpm_versions(value: str) -> None:
    escaped = escape(value)
    assert set(escaped) <= RPM_VERSION_CHARACTERS
    assert ".." not in escaped


def test_unescape_keeps_what_is_not_an_escape() -> None:
    """libsolv's rule: only '%' and two hex digits is a byte."""
    assert unescape("100%") == "100%"
    assert unescape("a%zz%2") == "a%zz%2"
    assert unescape("%41%2d") == "A-"


@pytest.mark.parametrize(
    ("name", "is_pattern"),
    [
        ("pattern()", True),
        ("pattern-icon()", True),
        ("pattern-category(de)", True),
        ("pattern-generic", False),
        ("patterns-cuda-open", False),
        ("python3dist(pattern)", False),
    ],
)
def test_pattern_capabilities(name: str, is_pattern: bool) -> None:
    assert is_pattern_capability(name) is is_pattern
    assert (capability_version(name, "a b") == "a%20b") is is_pattern


def _provides_rpm_reads(directory: Path, values: list[str]) -> list[str]:
    """The versions of ``pattern-category()`` rpm's spec parser gives for *values* escaped
    (with '%' doubled, as the spec template writes every value)."""
    lines = "".join(
        f"Provides: pattern-category() = {escape(v).replace('%', '%%')}\n" for v in values
    )
    spec = directory / "pattern.spec"
    spec.write_text(
        "Name: patterns-t\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        f"BuildArch: noarch\n{lines}%description\nd\n%files\n"
    )
    header = rpm.spec(str(spec)).packages[0].header
    return [d.EVR() for d in rpm.ds(header, rpm.RPMTAG_PROVIDENAME) if d.N() != "patterns-t"]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1), min_size=1, max_size=8, unique_by=escape))
def test_rpm_keeps_escaped_values(tmp_path: Path, values: list[str]) -> None:
    read = _provides_rpm_reads(tmp_path, values)
    assert sorted(read) == sorted(escape(v) for v in values)
    assert sorted(unescape(v) for v in read) == sorted(values)


@given(st.text(min_size=1))
def test_rpm_md_entries_read_back_as_the_value(value: str) -> None:
    """An entry as createrepo_c gives it (epoch 0, no release: nothing to split)."""
    entry = ("pattern-category()", "EQ", "0", escape(value), None, False)
    (alternative,) = rpm_relation(entry).alternatives
    assert alternative.constraint is not None
    assert alternative.constraint.version == value
    rich = f"(pattern() = {escape(value)} or other)"
    first, _ = rpm_relation((rich, None, None, None, None, False)).alternatives
    assert first.constraint is not None
    assert first.constraint.version == value
