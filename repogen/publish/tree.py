"""A target's directory as a publisher writes it: every file placed under it, and everything
written given the mtime ``SOURCE_DATE_EPOCH``.

A deb target is tens of thousands of files and directories: paths are handled as strings, not
pathlib objects, each directory is made once, and the mtimes are set on what was written
rather than on a walk of the whole tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path, PurePosixPath

from repogen.publish.base import BuildError


class Tree:
    """The directory *root*, written into through :meth:`place` and :meth:`write`."""

    def __init__(self, root: Path, epoch: int) -> None:
        self.root = root
        self.epoch = epoch
        #: Directories made so far, relative to the root ("" is the root).
        self._made: set[str] = set()
        #: Files placed since the last :meth:`clamp`, relative to the root.
        self._placed: list[str] = []

    def place(self, path: PurePosixPath) -> str:
        """Where the file *path* goes, its directory made; a path that would leave the root
        is an error.

        The tree is this build's own and holds no symbolic links, so a relative path without
        ``..`` stays under it.
        """
        if ".." in path.parts or path.is_absolute():
            raise BuildError(f"{path} would be written outside {self.root}")
        relative = str(path)
        self._make(os.path.dirname(relative))
        self._placed.append(relative)
        return os.path.join(self.root, relative)

    def write(self, files: Mapping[PurePosixPath, bytes]) -> None:
        for path, data in sorted(files.items()):
            with open(self.place(path), "wb") as out:
                out.write(data)

    def clamp(self) -> None:
        """Give the files placed since the last clamp, every directory above them and the
        root the mtime *epoch*.

        Making an entry in a directory changes its mtime, so a directory written into again
        later gets its mtime again from the clamp after that.
        """
        if not self._placed:
            return  # nothing changed (the root may not even exist)
        directories = {""}
        for relative in self._placed:
            directory = os.path.dirname(relative)
            while directory not in directories:
                directories.add(directory)
                directory = os.path.dirname(directory)
        for relative in (*self._placed, *directories):
            os.utime(os.path.join(self.root, relative), (self.epoch, self.epoch))
        self._placed.clear()

    def _make(self, directory: str) -> None:
        """Make *directory* (relative to the root) and those above it, each once."""
        if directory in self._made:
            return
        if directory:
            self._make(os.path.dirname(directory))
            with suppress(FileExistsError):
                os.mkdir(os.path.join(self.root, directory))
        else:
            os.makedirs(self.root, exist_ok=True)
        self._made.add(directory)


def check_package_files(root: Path, paths: Iterable[str], place: str) -> None:
    """Refuse an index that names package files *root* lacks (*paths*, relative to it): a
    tree built ``--no-packages`` describes files it does not hold, and a release added to it
    would mix the two.  One listing per directory: a stat per file of a channel costs more."""
    listed: dict[str, set[str]] = {}
    for path in paths:
        directory, _, name = path.rpartition("/")
        names = listed.get(directory)
        if names is None:
            try:
                with os.scandir(root / directory) as entries:
                    names = {e.name for e in entries if e.is_file()}
            except OSError:
                names = set()
            listed[directory] = names
        if name not in names:
            raise BuildError(
                f"{place}: {root / path} is not there (a tree built with --no-packages?); "
                "a release is added to a tree that holds its package files"
            )
