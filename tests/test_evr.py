"""RPM ``[epoch:]version[-release]``: the one split and the one join, checked against rpm."""

from __future__ import annotations

import pytest
import rpm
from hypothesis import given
from hypothesis import strategies as st

from repogen.families.rpm.versions import Evr, join_evr, package_evr, split_evr

#: Text of the characters that mean something to rpm's split, and some that do not.
evr_texts = st.text(alphabet="0123456789:-.~^a", min_size=1, max_size=12)
package_versions = st.from_regex(
    r"([0-9]{1,2}:)?[0-9A-Za-z][0-9A-Za-z._+~^]{0,8}-[0-9A-Za-z][0-9A-Za-z._+~^]{0,6}",
    fullmatch=True,
)


@pytest.mark.parametrize(
    ("text", "evr"),
    [
        ("1.0", Evr(None, "1.0", None)),
        ("3:560.28.03-1.el9", Evr("3", "560.28.03", "1.el9")),
        ("0:1", Evr("0", "1", None)),
        (":1.0", Evr("0", "1.0", None)),
        ("1.0-2-3", Evr(None, "1.0-2", "3")),
        ("a:1.0", Evr(None, "a:1.0", None)),
        ("1:2:3-4", Evr("1", "2:3", "4")),
        ("cuda%2Dopen", Evr(None, "cuda%2Dopen", None)),
    ],
)
def test_split(text: str, evr: Evr) -> None:
    assert split_evr(text) == evr


@given(evr_texts)
def test_split_is_rpms(text: str) -> None:
    """rpm.ver is rpm's own parser of an EVR."""
    parsed = rpm.ver(text)
    assert split_evr(text) == (parsed.e, parsed.v, parsed.r)


@given(package_versions)
def test_join_undoes_split(version: str) -> None:
    assert join_evr(*split_evr(version)) == version
    assert rpm.labelCompare(package_evr(version), package_evr(join_evr(*split_evr(version)))) == 0


@pytest.mark.parametrize(
    ("parts", "zero_epoch", "text"),
    [
        (("0", "12.6.0", "1"), True, "0:12.6.0-1"),
        (("0", "12.6.0", "1"), False, "12.6.0-1"),
        (("3", "560.28.03", "1.el9"), False, "3:560.28.03-1.el9"),
        ((None, "1.0", None), True, "1.0"),
        (("", "1.0", ""), True, "1.0"),
    ],
)
def test_join(parts: tuple[str | None, str, str | None], zero_epoch: bool, text: str) -> None:
    assert join_evr(*parts, zero_epoch=zero_epoch) == text


@given(package_versions)
def test_package_evr_is_what_rpm_compares(version: str) -> None:
    """rpm compares a missing epoch equal to 0, so the filled-in epoch changes nothing."""
    epoch, ver, rel = package_evr(version)
    parsed = rpm.ver(version)
    assert (ver, rel) == (parsed.v, parsed.r)
    assert rpm.labelCompare((epoch, ver, rel), (parsed.e, parsed.v, parsed.r)) == 0


def test_package_evr_needs_a_release() -> None:
    with pytest.raises(ValueError, match=r"^1\.0$"):
        package_evr("1.0")
