"""Work done in a forked process while this one goes on, its result sent back pickled.

A diff loads two releases and resolves requests on both; on two 10,000-package releases each
part takes about half a second and the parts do not depend on each other, so a second CPU
halves them (a metadata-only rpm build likewise writes its specs and two of its three
repodata files in workers).  The worker is forked rather than spawned: it starts from this
process's memory (the loaded releases, imported modules) and nothing is pickled on the way
in.  Only its result comes back, and pickling a loaded release is several times faster than
loading it.

A worker never outlives its caller: it dies with it (``PR_SET_PDEATHSIG``), so that one
writing into a build's staging tree stops when the build is killed.

With a single CPU there is nothing to gain: the work is then done here, when its result is
asked for.  ``REPOGEN_WORKERS=0`` in the environment does the same, to profile or debug
everything in one process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import select
import signal
import struct
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from repogen.runtime.collector import collector_paused

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def cpus() -> int:
    """The CPUs this process may run on; 1 when workers are turned off."""
    return 1 if os.environ.get("REPOGEN_WORKERS") == "0" else len(os.sched_getaffinity(0))


class WorkerFailed(RuntimeError):
    """The worker died, or raised an exception that cannot be sent back as it is."""


def _run(work: Callable[[], object], send: Connection, caller: int) -> None:
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != caller:  # the caller died before the worker asked to die with it
        return
    raised: BaseException | None = None
    with collector_paused():
        try:
            outcome: tuple[bool, object] = (True, work())
        except BaseException as exc:  # everything the work raises is the caller's to handle
            raised = exc
            outcome = (False, exc)
        try:
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception:
            before = "" if raised is None else "".join(traceback.format_exception(raised))
            failure = WorkerFailed(f"{before}{traceback.format_exc()}cannot be sent back")
            data = pickle.dumps((False, failure))
    send.send_bytes(data)
    send.close()


class Forked(Generic[T]):
    """*work* under way in a forked process; :meth:`result` waits for what it returned."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._process: multiprocessing.process.BaseProcess | None = None
        if cpus() > 1:
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_run, args=(work, send, os.getpid()), daemon=True
            )
            self._process.start()
            send.close()

    def result(self) -> T:
        """What the work returned; what it raised is raised here."""
        if self._process is None:
            return self._work()
        try:
            data = self._receive.recv_bytes()
        except EOFError:
            self._process.join()
            raise WorkerFailed(f"worker exited with {self._process.exitcode}") from None
        self._process.join()
        self._receive.close()
        with collector_paused():
            ok, value = pickle.loads(data)
        if not ok:
            raise value
        result: T = value
        return result

    def stop(self) -> None:
        """End the worker if it is still running (the result is no longer wanted)."""
        if self._process is None:
            return
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._receive.close()


class Turns:
    """The numbers 0 to *count* - 1, each taken once by whichever process asks first: this
    one or a worker forked after it was made.  Work shared out as each process becomes
    free keeps them all busy where a fixed share may leave one idle.

    The numbers wait in a pipe, all written before any worker forks; a read takes one
    (Linux reads a pipe under its lock, so that two readers never split a number)."""

    _NUMBER = struct.Struct("=H")

    def __init__(self, count: int) -> None:
        numbers = b"".join(self._NUMBER.pack(n) for n in range(count))
        if len(numbers) > select.PIPE_BUF:
            # More would not be written at once, and could wait for a reader.
            raise ValueError(f"{count} turns: at most {select.PIPE_BUF // self._NUMBER.size}")
        self._read, write = os.pipe()
        try:
            os.write(write, numbers)
        finally:
            os.close(write)

    def __iter__(self) -> Iterator[int]:
        while len(data := os.read(self._read, self._NUMBER.size)) == self._NUMBER.size:
            yield self._NUMBER.unpack(data)[0]

    def close(self) -> None:
        os.close(self._read)


@contextmanager
def forked(work: Callable[[], T]) -> Iterator[Forked[T]]:
    """*work* started in a forked process for the block; stopped if the block leaves early."""
    running = Forked(work)
    try:
        yield running
    finally:
        running.stop()
