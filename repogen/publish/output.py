"""Writing a build beside its destination and swapping it in whole.

A build goes into a temporary directory next to the output directory (same file system), and
only a complete tree replaces the old one, in one atomic ``renameat2(RENAME_EXCHANGE)``: a reader
sees the whole old or the whole new tree, and a build that fails or is killed leaves the old one
as it was.  Leftovers of killed builds are removed by the next build.

``REPOGEN_STOP_AT=NAME[,NAME…]`` makes a build stop itself (``SIGSTOP``) at the named stages, so
that a test can kill it at a known point, or let it go on with ``SIGCONT``, without guessing
from time.  See ``stage``.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from repogen.publish.base import BuildError

#: The stages a build stops at (comma-separated names); unset in normal use.
STOP_AT = "REPOGEN_STOP_AT"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_libc = ctypes.CDLL(None, use_errno=True)


class OutputRefused(BuildError):
    """``-o DIR`` names something a build must not replace; nothing was touched."""


def stage(name: str) -> None:
    """Mark that the build reached stage *name*; stop here if ``REPOGEN_STOP_AT`` names it.

    The stages, in order: ``staging`` (the empty staging directory exists), ``step-N`` (the
    publishers report their N-th step, N from 1: the tree is part-written), ``manifest`` (the
    whole tree is written, manifest included), ``swap`` (just before the exchange),
    ``swapped`` (the new tree is in place, the old one still in the staging directory),
    ``cleaned`` (the staging directory is gone).

    A process stopped here is seen by its parent through ``waitpid(…, WUNTRACED)``, which
    can then ``SIGKILL`` it or continue it with ``SIGCONT``.  Unset, this is one lookup.
    """
    wanted = os.environ.get(STOP_AT)
    if wanted and name in wanted.split(","):
        os.kill(os.getpid(), signal.SIGSTOP)


def _exchange(a: Path, b: Path) -> None:
    """Atomically swap two existing directories."""
    if _libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(a), None, str(b))


def _leftovers(output: Path) -> Iterator[Path]:
    yield from output.parent.glob(f".{output.name}.building-*")


@contextmanager
def staged_directory(output: Path) -> Iterator[Path]:
    """Yield an empty directory to build into; on success it becomes *output*.

    On any exception (KeyboardInterrupt included) the staged tree is removed and *output* is
    left untouched.
    """
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in _leftovers(output):
        shutil.rmtree(stale, ignore_errors=True)
    staging = output.parent / f".{output.name}.building-{os.getpid()}"
    staging.mkdir()
    try:
        stage("staging")
        yield staging
        stage("swap")
        if output.exists():
            _exchange(staging, output)
        else:
            staging.rename(output)
        stage("swapped")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stage("cleaned")
