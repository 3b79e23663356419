"""The real engine: every request answered by the real apt-get, dnf or zypper.

For ``(repository, universe, request)`` the engine publishes, with repogen's own publishers,
the universe's release packages (with their module streams) and its base packages, as
metadata-only repositories of *repository*'s target and architecture; sets up the universe's
installed state in the client's private sandbox (a dpkg status file for apt; for dnf and zypper
the headers of ``.rpm`` files built for the installed packages, recorded with
``rpm --justdb``, and dnf's enabled streams); and runs the request through the client (the
``runner`` module of each family under :mod:`repogen.families`).  The answer is the
client's, parsed into the same :class:`Resolution` repogen's resolvers give.

Nothing of the host's package state is read or written: every client runs in its sandbox under
the engine's work directory (real-clients.md).  For SUSE, the engine's private copy of the
release repository carries the legacy ``patterns`` record Debian's zypper needs
(:mod:`repogen.families.suse.runner`).  Publications and sandboxes are made once per content and
installed state, and reused.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Protocol

from repogen.engine.publications import Publications
from repogen.engine.requirements import require
from repogen.families import Family, driver
from repogen.model import Repository
from repogen.resolve.request import Request, RequestError
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class Runner(Protocol):
    """Answers requests of one family with its real client."""

    def resolve(
        self, repository: Repository, universe: Universe, request: Request
    ) -> Resolution: ...


class RealEngine:
    """An :data:`~repogen.resolve.Engine` that asks the real clients.

    Works under *work* (a private temporary directory when None, removed by :meth:`close`).
    Raises :class:`~repogen.engine.requirements.ClientMissing` naming the program and its
    ``apt-get install`` line when a family's client is not installed.
    """

    def __init__(self, work: Path | None = None) -> None:
        self.owned = work is None
        self.work = Path(tempfile.mkdtemp(prefix="repogen-engine-")) if work is None else work
        self.publications = Publications(self.work / "publications")
        self.runners: dict[Family, Runner] = {}

    def __call__(self, repository: Repository, universe: Universe, request: Request) -> Resolution:
        if request.family is not universe.family:
            raise RequestError(
                f"{request.text!r} is a {request.family} request; the target is {universe.family}"
            )
        return self.runner(universe.family).resolve(repository, universe, request)

    def runner(self, family: Family) -> Runner:
        if family not in self.runners:
            require(family)
            work = self.work / family.value
            self.runners[family] = driver(family).runner(work, self.publications)
        return self.runners[family]

    def close(self) -> None:
        """Remove the work directory, if the engine made it."""
        if self.owned:
            shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> RealEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
