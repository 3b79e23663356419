"""Check results as a table and JSON (JUnit XML: :mod:`repogen.check.junit`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from repogen.check.run import CheckResult
from repogen.resolve.outcome import OutcomeFlavor
from repogen.resolve.result import Resolution


def resolution_json(resolution: Resolution, flavor: OutcomeFlavor) -> dict[str, Any]:
    """The JSON shape of a resolution, shared by `repogen resolve --json` and `check --json`."""

    def refs(items: Sequence[Any]) -> list[dict[str, str]]:
        return [{"name": r.name, "version": r.version, "arch": r.arch} for r in items]

    return {
        "ok": resolution.ok,
        "install": refs(resolution.install),
        "upgrade": refs(resolution.upgrade),
        "remove": refs(resolution.remove),
        "modules": list(resolution.modules),
        "flavor": flavor.value,
        "problems": list(resolution.problems),
        "why": {name: list(reason) for name, reason in sorted(resolution.why.items())},
    }


def results_json(results: Sequence[CheckResult]) -> dict[str, Any]:
    return {
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "results": [
            {
                "id": r.assertion,
                "description": r.description,
                "source": r.source,
                "target": r.target,
                "arch": r.arch,
                "point": r.point,
                "request": r.request,
                "passed": r.passed,
                "failures": list(r.failures),
                "resolution": resolution_json(r.resolution, r.flavor),
            }
            for r in results
        ],
    }


def where(result: CheckResult, points: bool) -> str:
    """``ubuntu2204/amd64``, and `` at cuda-12.6.0`` when results span several points."""
    at = f" at {result.point}" if points else ""
    return f"{result.target}/{result.arch}{at}"


def table(results: Sequence[CheckResult], verbose: bool = False, points: bool = False) -> list[str]:
    """One line per result (failures always; passes with *verbose*), then a summary line;
    with *points*, each names the point of the channel it ran at."""
    lines = []
    for r in results:
        if r.passed and not verbose:
            continue
        status = "PASS" if r.passed else "FAIL"
        lines.append(
            f"{status} {r.assertion} {where(r, points)}: {r.request} [kernel modules: {r.flavor}]"
        )
        lines += [f"     {failure}" for failure in r.failures]
        if not r.passed:
            lines.append(f"     ({r.description} {r.source})")
    failed = sum(not r.passed for r in results)
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return lines
