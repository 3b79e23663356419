"""What every family's publisher shares: build options, manifest entries, the interface."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar, Protocol

from repogen.errors import RepogenError
from repogen.model import Family, ReleaseModel, Repository


@dataclass(frozen=True)
class BuildOptions:
    """How to build; the same for every family."""

    source_date_epoch: int
    packages: bool = True
    sign_key: str | None = None
    gpg_home: Path | None = None
    add_packages: Path | None = None
    #: The URL the output directory is served at, for the client files (``.repo``,
    #: ``.sources``, ``.list``); ``None``: the output's own ``file://`` URL.
    base_url: str | None = None


@dataclass(frozen=True)
class ManifestEntry:
    """One repository in `manifest.json`: what a script needs to point a client at it."""

    target: str
    family: str
    arch: str
    path: str
    client: str
    #: The client file a user drops into the package manager's configuration, relative to
    #: the output: a ``.repo`` (rpm, suse) or a deb822 ``.sources`` (deb) file.
    repo_file: str | None = None
    #: The one-line ``sources.list`` file of a deb repository (``None`` for the others).
    list_file: str | None = None


class BuildError(RepogenError):
    """A build that cannot complete; the message names what failed."""


#: Called with a short description of each step, for progress display.
Progress = Callable[[str], None]


class Publisher(Protocol):
    """Renders the repositories of one package family.

    ``repositories`` are all the architectures of one target; the publisher writes them under
    ``root`` (a directory inside the build's temporary tree) and returns their manifest entries,
    whose ``path`` is relative to ``root`` (empty for ``root`` itself).  ``final`` is where
    ``root`` will be once the build is swapped into place, for client lines.

    With ``existing`` (``repogen publish``: the target's directory in the tree the release is
    added to), the packages its indices list are kept as they are: ``root`` receives only the
    package files that are not there yet, and complete new index directories
    (:meth:`index_directories`) listing the packages of both.  A package already published
    with other content (same name, version and architecture) is a :class:`BuildError`.
    The published packages whose files are ``withdrawn`` (paths relative to ``root``: a
    release no longer kept) leave the new indices.
    """

    family: ClassVar[Family]

    def publish(
        self,
        release: ReleaseModel,
        repositories: Sequence[Repository],
        root: Path,
        final: Path,
        options: BuildOptions,
        progress: Progress,
        existing: Path | None = None,
        withdrawn: Collection[PurePosixPath] = (),
    ) -> list[ManifestEntry]: ...

    def package_files(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        """Where the package files of *repositories* lie, relative to the target's
        directory (a model's or as read from an index)."""
        ...

    def index_directories(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        """The directories, relative to the target's, that hold the indices of
        *repositories* and their top file (``Release``, ``repomd.xml``): each is replaced as a
        whole when a release is added."""
        ...
