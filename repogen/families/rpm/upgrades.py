"""dnf's upgrades as libdnf's jobs (dnf 4 ``Base.upgrade_all``, ``upgrade``, ``distro_sync``,
``downgrade_to``), and the versioned arguments of ``dnf install``.

- ``upgrade`` asks libsolv to update one of every package (a targeted ``SOLVER_UPDATE`` over
  a selector of the whole sack); ``upgrade NAME`` over the packages named NAME, which must be
  installed ("No match for argument").  With RHEL's ``best=True`` every job is
  ``SOLVER_FORCEBEST``: an upgrade whose newest version cannot be installed is an error, not
  skipped.
- ``distro-sync`` is ``SOLVER_DISTUPGRADE`` of every available package dnf sees, or of the
  installed packages named (a name not installed is passed over).
- ``downgrade NAME`` installs the newest available version lower than the installed one; with
  none, nothing is done; a name no repository has is an error.
- ``install NAME-VERSION[-RELEASE][.ARCH]`` names a version: dnf's ``Subject`` tries the
  forms NEVRA, NA, NAME, NEVR, NEV in that order; the first that finds packages wins.
"""

from __future__ import annotations

from collections.abc import Sequence

import solv

from repogen.families.rpm import libsolv
from repogen.families.rpm.versions import split_evr
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution

#: The requests :func:`upgrade_jobs` answers.
UPGRADE_ACTIONS = frozenset({Action.UPGRADE, Action.DISTRO_SYNC, Action.DOWNGRADE})

#: How every job of a dnf transaction asks (RHEL's ``best=True``).
_BEST = solv.Job.SOLVER_FORCEBEST
#: dnf's ``upgrade`` gives libdnf a selector of packages (``Base._upgrade_internal``), which
#: ``Goal::upgrade(HySelector)`` makes a targeted update: the installed packages move only to
#: packages of the selection, so a newer version that modular filtering hides is no candidate
#: the best-version rule must reach.
_UPGRADE = solv.Job.SOLVER_UPDATE | solv.Job.SOLVER_TARGETED | _BEST


def upgrade_jobs(pool: libsolv.Pool, request: Request) -> list[solv.Job] | Resolution:
    """The jobs of an upgrade, distro-sync or downgrade; the error dnf gives when an argument
    names nothing it can act on."""
    everything = [s for s in pool.pool.solvables_iter() if pool.considered(s)]
    if request.action is Action.UPGRADE and not request.names:
        return [libsolv.one_of(pool, everything, _UPGRADE)]
    if request.action is Action.DISTRO_SYNC and not request.names:
        # libdnf's Goal::distupgrade(): a selector of the available packages dnf sees, so an
        # installed package whose only update modular filtering hides is left alone.
        available = [s for s in everything if s.repo != pool.pool.installed]
        return [libsolv.one_of(pool, available, solv.Job.SOLVER_DISTUPGRADE | _BEST)]
    jobs = []
    for name in request.names:
        named = [s for s in everything if s.name == name]
        installed = [s for s in named if s.repo == pool.pool.installed]
        if not installed and request.action is Action.DISTRO_SYNC:
            continue  # "No package … installed.", and nothing to do
        if not installed:
            return _nothing_marked(request, name)
        if request.action is Action.UPGRADE:
            jobs.append(libsolv.one_of(pool, named, _UPGRADE))
        elif request.action is Action.DISTRO_SYNC:
            jobs.append(libsolv.one_of(pool, named, solv.Job.SOLVER_DISTUPGRADE | _BEST))
        elif not any(s.repo != pool.pool.installed for s in named):
            # "Packages for argument … available, but not installed": none is available.
            return _nothing_marked(request, name)
        else:
            lower = _downgrades(named, installed)
            # dnf warns "Package … of lowest version already installed" and goes on.
            if lower is not None:
                jobs.append(libsolv.one_of(pool, [lower], solv.Job.SOLVER_INSTALL | _BEST))
    return jobs


def _downgrades(
    named: Sequence[solv.XSolvable], installed: Sequence[solv.XSolvable]
) -> solv.XSolvable | None:
    """The newest available version lower than the installed one (``downgrades().latest()``)."""
    lowest = min(installed, key=_EvrKey)
    lower = [s for s in named if s.repo != s.pool.installed and s.evrcmp(lowest) < 0]
    return max(lower, key=_EvrKey) if lower else None


class _EvrKey:
    def __init__(self, solvable: solv.XSolvable) -> None:
        self.solvable = solvable

    def __lt__(self, other: _EvrKey) -> bool:
        return bool(self.solvable.evrcmp(other.solvable) < 0)


def _nothing_marked(request: Request, name: str) -> Resolution:
    what = {
        Action.UPGRADE: "upgrade",
        Action.DOWNGRADE: "downgrade",
    }[request.action]
    return Resolution(
        ok=False,
        problems=(f"No match for argument: {name}", f"Error: No packages marked for {what}."),
    )


def versioned_packages(pool: libsolv.Pool, word: str) -> list[solv.XSolvable]:
    """The packages ``NAME-VERSION[-RELEASE][.ARCH]`` names, as dnf's ``Subject`` reads it
    after the plain name found nothing: NEVRA, then NEVR, then NEV."""
    candidates = [s for s in pool.pool.solvables_iter() if pool.considered(s)]
    stem, dot, arch = word.rpartition(".")
    forms: list[tuple[str, str | None]] = []
    if dot and any(s.arch == arch for s in candidates):
        forms.append((stem, arch))
    forms.append((word, None))
    for text, wanted_arch in forms:
        for parts in (2, 1):
            pieces = text.rsplit("-", parts)
            if len(pieces) != parts + 1:
                continue
            name, *evr = pieces
            found = [
                s
                for s in candidates
                if s.name == name
                and (wanted_arch is None or s.arch == wanted_arch)
                and _evr_matches(s.evr, evr)
            ]
            if found:
                return found
    return []


def _evr_matches(evr: str, wanted: list[str]) -> bool:
    """Whether *evr* has the version (and release, when given) of *wanted*; an epoch written
    in *wanted* must match, an unwritten one matches any."""
    have = split_evr(evr)
    version = wanted[0]
    epoch, colon, version = version.rpartition(":") if ":" in version else ("", "", version)
    if colon and (have.epoch or "0") != (epoch or "0"):
        return False
    if have.version != version:
        return False
    return len(wanted) == 1 or have.release == wanted[1]
