"""Timing actions, and the rows of the table the runner prints.

Each measurement also takes the peak resident memory of what did the work:

- in-process (the default), the bench process's own peak while the runs ran (Linux's VmHWM,
  reset before them by writing 5 to /proc/self/clear_refs).  It includes what the process held
  already (the loaded model, as `repogen` would hold it, and what earlier rows left to the
  allocator), not the processes it forked;
- for a command (``command=True``), the peak of the largest process the command ran
  (:func:`run_command` reads it from ``wait4``, which counts the processes the command waited
  for).
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Peak resident bytes of each command :func:`run_command` ran since the measurement began.
_command_peaks: list[int] = []


def run(
    command: Sequence[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    answers: tuple[int, ...] = (0,),
) -> str:
    """*command*'s output; a failure (an exit code not among *answers*) is an error, never a
    timing."""
    result = subprocess.run(
        list(command), env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode not in answers:
        raise RuntimeError(f"{' '.join(command[:3])} … failed: {result.stderr.strip()[:2000]}")
    return result.stdout


def run_command(command: Sequence[str], answers: tuple[int, ...] = (0,)) -> str:
    """:func:`run`, the peak memory of *command*'s largest process noted.

    GNU time starts it and reads its peak from ``wait4``: a process forked from the bench
    would count the bench's own memory (Linux keeps the peak of the memory a process had
    before ``exec``), GNU time's is 2 MiB.  It adds about a millisecond."""
    gnu_time = shutil.which("time")
    if gnu_time is None:
        return run(command, answers=answers)
    with tempfile.NamedTemporaryFile("r") as report:
        output = run([gnu_time, "-f", "%M", "-o", report.name, *command], answers=answers)
        _command_peaks.append(int(report.read().split()[-1]) * 1024)  # KiB
    return output


def _reset_own_peak() -> None:
    # Not on Linux: the peak is the process's since it started.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _own_peak() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of each run of one measurement, and its peak resident bytes."""

    seconds: tuple[float, ...]
    peak: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def scaled(self, factor: float) -> Timing:
        """The same runs, *factor* times as long (an extrapolation from a sample)."""
        return Timing(tuple(s * factor for s in self.seconds), self.peak)

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


def memory(peak: int | None) -> str:
    return "" if peak is None else f"{peak / 2**20:,.0f} MiB"


def measure(
    action: Callable[[], object],
    runs: int,
    budget: float,
    prepare: Callable[[], object] | None = None,
    *,
    command: bool = False,
) -> Timing:
    """Time *runs* runs of *action* (each after an untimed *prepare*), fewer when the runs
    so far show that all of them would take longer than *budget* seconds (at least one).

    The peak memory is the bench process's, or with *command* that of the commands *action*
    ran through :func:`run_command`."""
    _command_peaks.clear()
    _reset_own_peak()
    seconds: list[float] = []
    while len(seconds) < runs:
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
        if sum(seconds) / len(seconds) * runs > budget and len(seconds) >= 1:
            break
    peak = max(_command_peaks, default=None) if command else _own_peak()
    return Timing(tuple(seconds), peak)


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
    "peak memory",
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
            memory(row.timing.peak),
            row.rate,
            reference,
            row.ratio,
            row.note,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
