"""Opening the files a repository names, as a third party may have written them.

A repository read by ``diff`` comes from anyone: its Release file, repomd.xml or manifest names
other files, and those names (``../../etc/passwd``, ``/etc/shadow``), symlinks (``Packages`` →
``/etc/passwd``), devices and FIFOs (``/dev/zero``) and compression bombs must never make the
reader open something outside the repository, hang, or run out of memory.  So every file a
reader opens comes through :func:`inside` (resolved, contained, a regular file) and every
compressed one through :func:`plain` (decompressed here, as a stream, under a cap), so that the
C parsers (apt_pkg, createrepo_c, libmodulemd) only ever get a plain file of bounded size.
Their own complaints on stderr are caught by :func:`quiet_stderr`.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from repogen.index.errors import MetadataError

#: The most a package index (Packages, primary.xml) may hold once decompressed.  The largest
#: real ones (Fedora's primary, Debian's main/amd64 Packages) are a few hundred MiB at most.
INDEX_CAP = 512 << 20
#: The most a modules.yaml may hold: it is parsed in memory (several times its size), and
#: real ones are a few MiB.
MODULES_CAP = 128 << 20
#: The most a file that only names others (Release, InRelease, repomd.xml, manifest.json) may
#: hold; real ones are well under 1 MiB.
TOP_CAP = 16 << 20

_CHUNK = 1 << 20

#: Leading bytes of the compressions a repository may use; a file is decompressed by what it
#: holds, never by its name, since the C parsers would otherwise sniff and decompress it
#: themselves, without a cap.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\x00ZCK1", "zchunk"),
)

_MODULES = {"gzip", "xz", "bzip2"}
#: Compressions without a Python module here, read through their command-line tool.
_TOOLS = {"zstd": "zstd", "lz4": "lz4"}


def mib(size: int) -> str:
    return f"{size >> 20} MiB"


def inside(
    root: Path, name: str | Path, named_by: Path | None = None, *, directory: bool = False
) -> Path:
    """The regular file (or, with *directory*, the directory) *name*, relative to *root*,
    resolved, if it is inside *root*.

    An absolute name, one that leaves *root* (``..``, a symlink pointing out), one that is
    missing, or anything but a regular file (a device, a FIFO) is a :class:`MetadataError`
    naming the file and, when given, the file that names it.
    """
    by = f" (named by {named_by})" if named_by is not None else ""
    text = str(name)
    if not text or text.startswith("/") or "\x00" in text:
        raise MetadataError(f"{root}: {text!r}{by} is not a path inside the repository")
    base = root.resolve()
    try:
        resolved = (base / text).resolve(strict=True)
    except FileNotFoundError:
        raise MetadataError(f"{root / text}: missing{by}") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
        raise MetadataError(f"{root / text}{by}: cannot be opened: {exc}") from None
    if not resolved.is_relative_to(base):
        raise MetadataError(f"{root / text}{by}: leaves the repository (it is {resolved})")
    try:
        mode = resolved.stat().st_mode
    except OSError as exc:
        raise MetadataError(f"{root / text}{by}: cannot be opened: {exc}") from None
    if directory and not stat.S_ISDIR(mode):
        raise MetadataError(f"{root / text}{by}: not a directory")
    if not directory and not stat.S_ISREG(mode):
        raise MetadataError(f"{root / text}{by}: not a regular file")
    return resolved


def _open_regular(path: Path, shown: Path) -> BinaryIO:
    """*path* opened without blocking on a FIFO put there since :func:`inside` looked."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise MetadataError(f"{shown}: cannot be opened: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise MetadataError(f"{shown}: not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def compression(path: Path) -> str | None:
    """The compression the regular file *path* is in, by its leading bytes (None: plain)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def copy_capped(source: _Readable, target: IO[bytes], cap: int, too_large: str) -> None:
    """Copy *source* to *target* in chunks; MetadataError(*too_large*) once past *cap* bytes."""
    written = 0
    while chunk := source.read(_CHUNK):
        written += len(chunk)
        if written > cap:
            raise MetadataError(too_large)
        target.write(chunk)


def _stream(kind: str, raw: BinaryIO) -> gzip.GzipFile | lzma.LZMAFile | bz2.BZ2File:
    """A decompressing reader of *raw*; each reads concatenated members (streams) too."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "xz":
        return lzma.LZMAFile(raw)
    return bz2.BZ2File(raw)


def _decompress(path: Path, kind: str, target: IO[bytes], cap: int, shown: Path) -> None:
    too_large = f"{shown}: more than {mib(cap)} once decompressed"
    with _open_regular(path, shown) as raw:
        if kind in _MODULES:
            try:
                with _stream(kind, raw) as stream:
                    copy_capped(stream, target, cap, too_large)
            except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
                raise MetadataError(f"{shown}: not valid {kind}: {exc}") from None
            return
        tool = shutil.which(_TOOLS.get(kind, ""))
        if tool is None:
            raise MetadataError(f"{shown}: {kind} compression is not supported here")
        with subprocess.Popen(
            [tool, "-dc"], stdin=raw, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as process:
            assert process.stdout is not None
            assert process.stderr is not None
            try:
                copy_capped(process.stdout, target, cap, too_large)
            finally:
                process.kill()
            failure = process.stderr.read(4096).decode(errors="replace").strip()
        if process.wait() not in {0, -9} or (process.returncode == -9 and failure):
            raise MetadataError(f"{shown}: not valid {kind}: {' '.join(failure.split())}")


@contextmanager
def plain(path: Path, cap: int, shown: Path | None = None) -> Iterator[Path]:
    """The regular file *path* as a plain file of at most *cap* bytes: itself when it is not
    compressed, else its content decompressed (as a stream, stopping at *cap*) into a
    temporary file that lives for the block.  *shown* is the name errors give."""
    shown = shown or path
    kind = compression(path)
    if kind is None:
        if path.stat().st_size > cap:
            raise MetadataError(f"{shown}: larger than {mib(cap)}")
        yield path
        return
    with ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="repogen-read-")))
        target = directory / "plain"
        with target.open("wb") as out:
            _decompress(path, kind, out, cap, shown)
        if compression(target) is not None:
            raise MetadataError(f"{shown}: compressed twice")
        yield target


def read_plain(path: Path, cap: int, shown: Path | None = None) -> bytes:
    """The content of *path*, decompressed if it is compressed, at most *cap* bytes."""
    with plain(path, cap, shown) as found, _open_regular(found, shown or path) as handle:
        return handle.read()


def uncompressed(path: Path, cap: int, shown: Path | None = None) -> Path:
    """*path*, which is read as it is (Release, repomd.xml: never compressed), if it is plain
    and at most *cap* bytes."""
    shown = shown or path
    kind = compression(path)
    if kind is not None:
        raise MetadataError(f"{shown}: {kind}-compressed, but this file never is")
    if path.stat().st_size > cap:
        raise MetadataError(f"{shown}: larger than {mib(cap)}")
    return path


@contextmanager
def quiet_stderr(said: list[str]) -> Iterator[None]:
    """File descriptor 2 sent to a temporary file for the block, and what was written there
    appended to *said* line by line: the C libraries (glib's ``CRITICAL`` lines of
    createrepo_c and libmodulemd) print there themselves, before repogen's own error."""
    with tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(capture.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.flush()
            capture.seek(0)
            text = capture.read(1 << 16).decode(errors="replace")
            said.extend(line.strip() for line in text.splitlines() if line.strip())


def one_line(text: object) -> str:
    """*text* (a library's message, perhaps over lines) on one line."""
    return " ".join(str(text).split())


#: Hash names as Release files (``SHA256``, ``MD5Sum``) and repomd.xml (``sha256``, ``sha``)
#: write them, to hashlib's.
_HASHES = {
    "md5sum": "md5",
    "md5": "md5",
    "sha": "sha1",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
}


def check_digest(
    path: Path, algorithm: str, expected: str, shown: Path | str, listed_in: Path | str
) -> None:
    """Refuse the regular file *path* unless its *algorithm* digest is *expected*, as
    *listed_in* (a Release file, a repomd.xml) lists it: a mirror that serves an index its
    signed list does not name is serving something else than what was published."""
    name = _HASHES.get(algorithm.lower())
    if name is None:
        raise MetadataError(f"{listed_in}: unknown checksum type {algorithm!r} for {shown}")
    hasher = hashlib.new(name)
    read = 0
    with _open_regular(path, Path(shown)) as handle:
        while chunk := handle.read(_CHUNK):
            read += len(chunk)
            if read > INDEX_CAP:
                raise MetadataError(f"{shown}: larger than {mib(INDEX_CAP)}")
            hasher.update(chunk)
    if hasher.hexdigest() != expected.lower():
        raise MetadataError(
            f"{shown}: {algorithm} {hasher.hexdigest()} does not match {listed_in} "
            f"({expected}): the index is not the one published"
        )
