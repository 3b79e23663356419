"""``python -m bench``: run the workloads and print one table (median of several runs, min-max).

    python -m bench --sizes 1000,10000,50000 --runs 5
    python -m bench --workloads check,scale --runs 3
    python -m bench --sizes 1000 --runs 1 --sample 100 --work /dev/shm/bench   # quick

Times are wall-clock seconds.  ``ratio`` is the reference's time divided by repogen's (above
1 means repogen is faster).  Measurements whose first runs show that all ``--runs`` would take
longer than ``--budget`` seconds make fewer runs, and say how many.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bench import channel, machine, modules, scale, toolchain
from bench.timing import Row, table
from bench.workloads import Settings, build_rows, check_rows, diff_rows, startup_rows
from repogen.model import Family

WORKLOADS: dict[str, Callable[[Settings], Iterator[Row]]] = {
    "startup": startup_rows,
    "build": build_rows,
    "check": check_rows,
    "scale": scale.scale_rows,
    "diff": diff_rows,
    "channel": channel.channel_rows,
    #: The scale workload's dnf module rows alone.
    "modules": modules.modules_rows,
}
#: Every row once: the scale workload has the modules rows.
DEFAULT = [name for name in WORKLOADS if name != "modules"]


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument(
        "--sizes",
        type=_numbers,
        default=(1000, 10_000, 50_000),
        help="packages per target (build and metadata workloads)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds one measurement may take before it makes fewer runs",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=1000,
        help="packages the manual toolchain builds; larger sizes extrapolate",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(DEFAULT),
        help=f"comma-separated, from {', '.join(WORKLOADS)}",
    )
    parser.add_argument("--families", default="deb,rpm,suse", help="families to build")
    parser.add_argument(
        "--diff-size",
        type=int,
        default=10_000,
        help="packages per target of each release the diff compares",
    )
    parser.add_argument(
        "--channel",
        type=_numbers,
        default=(100, 50_000, 1_000),
        help="the channel workload: releases, packages per target in all of them, packages "
        "of the release published into it",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch directory (default: a new one in the system temp dir)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    chosen = [name for name in options.workloads.split(",") if name]
    unknown = [name for name in chosen if name not in WORKLOADS]
    if unknown:
        print(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
        return 2
    families = tuple(Family(name) for name in options.families.split(",") if name)
    missing = {tool for family in families for tool in toolchain.missing(family)}
    if missing:
        print(f"missing tools: {', '.join(sorted(missing))} (run `make system`)")
        return 2
    owned = options.work is None
    work = Path(tempfile.mkdtemp(prefix="repogen-bench-")) if owned else options.work
    work.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        sizes=options.sizes,
        runs=options.runs,
        budget=options.budget,
        work=work.absolute(),
        sample=options.sample,
        families=families,
        diff_size=options.diff_size,
        channel_releases=options.channel[0],
        channel_size=options.channel[1],
        channel_new=options.channel[2],
    )
    machine.compile_repogen()
    print("## Machine\n")
    print(machine.markdown())
    print("- repogen's modules: compiled to bytecode before the runs, as installed")
    print(f"- work directory: {settings.work}\n")
    started = time.perf_counter()
    rows: list[Row] = []
    try:
        for name in chosen:
            print(f"running {name} …", file=sys.stderr, flush=True)
            for row in WORKLOADS[name](settings):
                print(f"  {row.workload} {row.size:,} {row.what}: {row.timing}", file=sys.stderr)
                rows.append(row)
    finally:
        if owned:
            shutil.rmtree(work, ignore_errors=True)
    print("## Results\n")
    print(table(rows))
    print(f"\n(all workloads: {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
