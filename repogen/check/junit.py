"""`repogen check --junit`: the results as a JUnit XML report, which CI systems show."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from repogen.check.report import where
from repogen.check.run import CheckResult


def junit(results: Sequence[CheckResult], name: str, points: bool = False) -> bytes:
    """A JUnit XML report: one testcase per result, grouped by assertion id; with *points*,
    each names the point of the channel it ran at (also as its ``point`` property)."""
    suite = etree.Element(
        "testsuite",
        name=name,
        tests=str(len(results)),
        failures=str(sum(not r.passed for r in results)),
    )
    for r in results:
        case = etree.SubElement(
            suite, "testcase", classname=r.assertion, name=f"{where(r, points)}: {r.request}"
        )
        if points:
            properties = etree.SubElement(case, "properties")
            etree.SubElement(properties, "property", name="point", value=r.point)
        if not r.passed:
            failure = etree.SubElement(case, "failure", message=r.failures[0])
            failure.text = "\n".join((*r.failures, r.description, r.source))
    suites = etree.Element("testsuites")
    suites.append(suite)
    data: bytes = etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
