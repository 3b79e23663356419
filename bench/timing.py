"""Timing actions, and the rows of the table the runner prints."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of each run of one measurement."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def scaled(self, factor: float) -> Timing:
        """The same runs, *factor* times as long (an extrapolation from a sample)."""
        return Timing(tuple(s * factor for s in self.seconds))

    def __str__(self) -> str:
        if len(self.seconds) == 1:
            return f"{_seconds(self.median)} (1 run)"
        low, high = min(self.seconds), max(self.seconds)
        return (
            f"{_seconds(self.median)} ({_seconds(low)}-{_seconds(high)}, {len(self.seconds)} runs)"
        )


def _seconds(value: float) -> str:
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def measure(
    action: Callable[[], object],
    runs: int,
    budget: float,
    prepare: Callable[[], object] | None = None,
) -> Timing:
    """Time *runs* runs of *action* (each after an untimed *prepare*), fewer when the runs
    so far show that all of them would take longer than *budget* seconds (at least one)."""
    seconds: list[float] = []
    while len(seconds) < runs:
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
        if sum(seconds) / len(seconds) * runs > budget and len(seconds) >= 1:
            break
    return Timing(tuple(seconds))


@dataclass(frozen=True)
class Row:
    """One line of a results table: *count* items done in *timing*, against a reference."""

    workload: str
    size: int
    what: str
    timing: Timing
    count: int = 0
    unit: str = "packages"
    #: What repogen is compared with, and how long that took (same items).
    reference: str = ""
    reference_timing: Timing | None = None
    note: str = ""

    @property
    def rate(self) -> str:
        return f"{self.count / self.timing.median:,.0f} {self.unit}/s" if self.count else ""

    @property
    def ratio(self) -> str:
        if self.reference_timing is None:
            return ""
        return f"{self.reference_timing.median / self.timing.median:,.1f}x"


COLUMNS = (
    "workload",
    "size",
    "what",
    "time: median (min-max)",
    "rate",
    "reference",
    "ratio",
    "note",
)


def table(rows: Sequence[Row]) -> str:
    """*rows* as a Markdown table; ratio = reference time / repogen time."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in rows:
        reference = (
            f"{row.reference}: {row.reference_timing}" if row.reference_timing else row.reference
        )
        cells = (
            row.workload,
            f"{row.size:,}" if row.size else "",
            row.what,
            str(row.timing),
            row.rate,
            reference,
            row.ratio,
            row.note,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
