"""Work done by a forked worker: its result, its exceptions and its death reach the caller."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repogen.model import ModelErrors, load_release
from repogen.runtime.workers import Forked, WorkerFailed, forked

BROKEN = Path(__file__).resolve().parent / "models" / "broken"

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="with one CPU the work runs in this process"
)


def test_the_result_comes_from_another_process() -> None:
    with forked(os.getpid) as worker:
        assert worker.result() != os.getpid()


def test_an_exception_is_raised_again_with_its_details() -> None:
    with (
        forked(lambda: load_release(BROKEN / "bad-family.yaml", BROKEN.parent)) as worker,
        pytest.raises(ModelErrors) as raised,
    ):
        worker.result()
    (error,) = raised.value.errors
    assert (error.mark.file.name, error.mark.line) == ("bad-family.yaml", 5)


def test_a_result_that_cannot_be_sent_back_is_a_failure_that_says_why() -> None:
    unpicklable = forked(lambda: lambda: None)
    with unpicklable as worker, pytest.raises(WorkerFailed, match="cannot be sent back"):
        worker.result()


def test_a_worker_that_dies_is_a_failure() -> None:
    dying = forked(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with dying as worker, pytest.raises(WorkerFailed, match=f"exited with -{signal.SIGKILL}"):
        worker.result()


def test_leaving_the_block_early_ends_the_worker(tmp_path: Path) -> None:
    started = tmp_path / "pid"

    def wait_forever() -> None:
        started.write_text(str(os.getpid()))
        signal.pause()

    def leave_early() -> None:
        with forked(wait_forever):
            while not started.exists():
                time.sleep(0.01)
            raise KeyError

    with pytest.raises(KeyError):
        leave_early()
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)


def test_with_one_cpu_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert Forked(os.getpid).result() == os.getpid()


def test_workers_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPOGEN_WORKERS", "0")
    assert Forked(os.getpid).result() == os.getpid()


def running(pid: int) -> bool:
    """Whether process *pid* exists and is not a zombie (its new parent may be slow to reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_a_worker_dies_with_its_caller(tmp_path: Path) -> None:
    started = tmp_path / "pid"
    caller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, signal, time\n"
            "from pathlib import Path\n"
            "from repogen.runtime.workers import forked\n"
            "def work():\n"
            f"    Path({str(started)!r}).write_text(str(os.getpid()))\n"
            "    signal.pause()\n"
            "with forked(work):\n"
            "    time.sleep(60)\n",
        ],
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 30
    while not (started.exists() and started.read_text()) and time.monotonic() < deadline:
        time.sleep(0.01)
    worker = int(started.read_text())
    caller.kill()
    caller.wait()
    deadline = time.monotonic() + 10
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.01)
    outlived = running(worker)
    if outlived:
        os.kill(worker, signal.SIGKILL)
    assert not outlived, "the worker outlived its killed caller"
