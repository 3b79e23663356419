"""Writing a build beside its destination and swapping it in whole.

A build of ``DIR`` holds ``.DIR.lock`` (``flock``) beside it, so that two builds never write one
tree at once: a second build waits for the first.  It writes into ``.DIR.building-<pid>/tree``
(same file system as ``DIR``), and only a complete tree replaces the old one, in one atomic
``renameat2(RENAME_EXCHANGE)``: a reader sees the whole old or the whole new tree, and a build
that fails or is killed leaves the old one as it was.  Its temporaries, and those of the tools
it runs, go to ``.DIR.building-<pid>/tmp``, so a killed build leaves nothing in ``/tmp``; the
next build removes the staging directories of processes that are gone, and only those.

``REPOGEN_STOP_AT=NAME[,NAME…]`` makes a build stop itself (``SIGSTOP``) at the named stages, so
that a test can kill it at a known point, or let it go on with ``SIGCONT``, without guessing
from time.  See ``stage``.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
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

    The stages, in order: ``waiting`` (another build holds the lock; about to wait for it),
    ``locked`` (the lock is held, no staging directory yet), ``staging`` (the empty staging
    directory exists), ``step-N`` (the publishers report their N-th step, N from 1: the tree is
    part-written), ``manifest`` (the whole tree is written, manifest included), ``swap`` (just
    before the exchange), ``swapped`` (the new tree is in place, the old one still in the
    staging directory), ``cleaned`` (the staging directory is gone, the lock still held).

    A process stopped here is seen by its parent through ``waitpid(…, WUNTRACED)``, which
    can then ``SIGKILL`` it or continue it with ``SIGCONT``.  Unset, this is one lookup.
    """
    wanted = os.environ.get(STOP_AT)
    if wanted and name in wanted.split(","):
        os.kill(os.getpid(), signal.SIGSTOP)


def exchange(a: Path, b: Path) -> None:
    """Atomically swap two existing directories."""
    if _libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE):
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(a), None, str(b))


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


def staging_path(output: Path, pid: int) -> Path:
    return output.parent / f".{output.name}.building-{pid}"


def _same_file(fd: int, path: Path) -> bool:
    try:
        here = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (here.st_dev, here.st_ino)


@contextmanager
def _locked(path: Path, waiting: Callable[[], None]) -> Iterator[None]:
    """Hold ``flock`` on *path*, calling *waiting* first if another process holds it.

    The holder removes the file before it lets go, so that no lock file is left behind; a
    process that was waiting then holds a lock on a removed file, and starts again.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting()
                fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def _running(pid: int) -> bool:
    """Whether *pid* is another process that exists (a leftover named after this process
    is from a killed build whose pid was reused, as happens in containers)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned(output: Path) -> None:
    """Remove the staging directories of builds into *output* whose process is gone."""
    prefix = f".{output.name}.building-"
    for leftover in output.parent.glob(f"{prefix}*"):
        pid = leftover.name.removeprefix(prefix)
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def _temporaries_in(directory: Path) -> Iterator[None]:
    """Send this process's and its children's temporary files to *directory*.

    The publishers use ``tempfile`` and run tools (dpkg-deb, rpmbuild, gpg) that honour
    ``TMPDIR``; a build killed meanwhile cannot clean up after itself, and what it leaves in
    the staging directory the next build removes.
    """
    directory.mkdir()
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(directory)
    try:
        yield
    finally:
        tempfile.tempdir = saved_tempdir
        if saved_env is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved_env


@contextmanager
def working_directory(
    output: Path,
    check: Callable[[Path], None],
    waiting: Callable[[], None] = lambda: None,
) -> Iterator[Path]:
    """Hold the lock of *output* and yield this process's empty staging directory beside it
    (on the same file system, so that what is made there can be renamed into place), with
    temporaries sent to its ``tmp``; the staging directory is removed at the end.

    *check* raises ``OutputRefused`` for an *output* that must not be written; it is called
    before anything is created, and again once the lock is held.  *waiting* is called when
    another build or publish into *output* holds the lock, before waiting for it.
    """
    output = output.absolute()
    check(output)
    output.parent.mkdir(parents=True, exist_ok=True)

    def wait() -> None:
        waiting()
        stage("waiting")

    with _locked(lock_path(output), wait):
        stage("locked")
        check(output)
        _remove_abandoned(output)
        staging = staging_path(output, os.getpid())
        staging.mkdir()
        try:
            with _temporaries_in(staging / "tmp"):
                yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def staged_directory(
    output: Path,
    check: Callable[[Path], None],
    waiting: Callable[[], None] = lambda: None,
) -> Iterator[Path]:
    """Yield an empty directory to build into; on success it becomes *output*.

    *check* and *waiting* are those of :func:`working_directory`.  On any exception
    (KeyboardInterrupt included) the staged tree is removed and *output* is left untouched.
    """
    output = output.absolute()
    with working_directory(output, check, waiting) as staging:
        tree = staging / "tree"
        tree.mkdir()
        stage("staging")
        yield tree
        stage("swap")
        if output.exists():
            exchange(tree, output)
        else:
            tree.rename(output)
        stage("swapped")
    stage("cleaned")
