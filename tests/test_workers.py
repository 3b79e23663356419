"""Work done by a forked worker: its result, its exceptions and its death reach the caller."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
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


def test_leaving_the_block_early_ends_the_worker() -> None:
    started, write = os.pipe()
    worker = 0

    def wait_forever() -> None:
        os.write(write, str(os.getpid()).encode())
        signal.pause()

    def leave_early() -> None:
        nonlocal worker
        with forked(wait_forever):
            # Only the worker can write now; one that died without writing reads as empty.
            os.close(write)
            worker = int(os.read(started, 32))
            raise KeyError

    with pytest.raises(KeyError):
        leave_early()
    os.close(started)
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)


def test_with_one_cpu_the_work_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0})
    assert Forked(os.getpid).result() == os.getpid()


def test_workers_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPOGEN_WORKERS", "0")
    assert Forked(os.getpid).result() == os.getpid()


def test_a_worker_dies_with_its_caller() -> None:
    caller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, signal\n"
            "from repogen.runtime.workers import forked\n"
            "def work():\n"
            "    print(os.getpid(), flush=True)\n"
            "    signal.pause()\n"
            "with forked(work):\n"
            "    signal.pause()\n",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
    )
    assert caller.stdout is not None
    worker = int(caller.stdout.readline())  # the worker is running, waiting for ever
    ended = os.pidfd_open(worker)
    caller.kill()
    caller.wait()
    # The kernel sends the worker SIGKILL as its caller exits; readable once the worker has
    # ended.  The bound is only there so that a worker that outlives its caller fails the
    # test instead of hanging it.
    readable, _, _ = select.select([ended], [], [], 120)
    os.close(ended)
    caller.stdout.close()
    if not readable:
        os.kill(worker, signal.SIGKILL)
    assert readable, "the worker outlived its killed caller"
