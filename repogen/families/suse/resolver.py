"""zypper's resolution: libsolv with zypper's defaults and zypper's own requests.

Recommends are installed unless ``--no-recommends``.  ``install X`` asks for the best
available package named X (the highest version): installed in an older version, it is
upgraded; installed already in that version or a newer one, nothing is asked; an older
available version is never chosen, even when only it could be installed.  When no package is
named X, ``install X`` asks for anything that provides X, and for nothing when an installed
package provides X already.  ``install -t pattern X`` takes the pattern package that provides
``pattern() = X``, as SUSE's libsolv does through the ``pattern:X`` solvable it makes for it.
``remove X`` erases the installed X and what needs it, with the repositories unread (zypper
loads only the installed packages for it).  ``update`` without names updates every installed
package that can be (libsolv's ``SOLVER_UPDATE`` of everything, which keeps what cannot be
updated); ``update NAME`` is ``install NAME`` for installed packages and passes over the
others.  ``dist-upgrade`` is
``SOLVER_DISTUPGRADE`` of everything.  ``install NAME=VERSION`` installs that version, a lower
one than installed only with ``--oldpackage``.  Locks (``zypper addlock``) keep installed
packages as they are.  There are no modules.
"""

from __future__ import annotations

import solv

from repogen.families.rpm import libsolv
from repogen.model.relations import Alternative, Constraint, Operator
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class ZypperResolver:
    """Resolves suse-family requests as zypper does."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        removing = request.action is Action.REMOVE
        pool = universe.shared(("zypper pool", removing), lambda: _pool(universe, removing))
        jobs = _lock_jobs(pool, universe.installed.held)
        if request.upgrades and not request.names:
            how = _UPDATE_ALL[request.action]
            jobs.append(pool.pool.Job(how | solv.Job.SOLVER_SOLVABLE_ALL, 0))
        for name in request.names:
            if request.action is Action.REMOVE:
                found = libsolv.select(pool, name).jobs(solv.Job.SOLVER_ERASE)
            elif request.patterns:
                found = _pattern_jobs(pool, name)
            elif "=" in name:
                found = _version_jobs(pool, name, request.old_package)
            else:
                found = _install_jobs(pool, name, only_installed=request.upgrades)
            if found is None or (request.action is Action.REMOVE and not found):
                return Resolution(ok=False, problems=(f"No provider of '{name}' found.",))
            jobs += found
        flags = {
            solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED: not request.install_recommends,
            solv.Solver.SOLVER_FLAG_ALLOW_UNINSTALL: request.action is Action.REMOVE,
        }
        return libsolv.solve(pool, jobs, flags)


def _pool(universe: Universe, removing: bool) -> libsolv.Pool:
    """The pool of *universe*'s requests; for a removal, of the installed packages alone."""
    # zypper remove reads only the installed packages, not the repositories: what needs a
    # removed package goes too, never replaced by another version.
    available = () if removing else universe.available
    return libsolv.build_pool(universe.arch, available, universe.installed.packages)


def _lock_jobs(pool: libsolv.Pool, locked: frozenset[str]) -> list[solv.Job]:
    """libzypp's ``setLocks``: an installed package of a locked name is kept, an available one
    never installed."""
    installed = pool.pool.installed
    return [
        pool.pool.Job(
            (solv.Job.SOLVER_INSTALL if s.repo == installed else solv.Job.SOLVER_ERASE)
            | solv.Job.SOLVER_SOLVABLE,
            s.id,
        )
        for s in sorted((s for name in locked for s in pool.named(name)), key=lambda s: s.id)
    ]


#: zypper's jobs for ``update`` and ``dist-upgrade`` without names.
_UPDATE_ALL = {
    Action.UPGRADE: solv.Job.SOLVER_UPDATE,
    Action.DIST_UPGRADE: solv.Job.SOLVER_DISTUPGRADE,
}


def _install_jobs(
    pool: libsolv.Pool, name: str, only_installed: bool = False
) -> list[solv.Job] | None:
    """The job installing the best package named *name* (none when it is installed already,
    in that version or a newer one, or, for an update, not installed), else anything
    providing *name*; None when nothing is."""
    installed = pool.pool.installed
    named = pool.named(name)
    available = [s for s in named if s.repo != installed]
    if only_installed and not any(s.repo == installed for s in named):
        return []
    if available:
        best = available[0]
        for solvable in available[1:]:
            if solvable.evrcmp(best) > 0:
                best = solvable
        if any(s.repo == installed and s.evrcmp(best) >= 0 for s in named):
            return []
        return [pool.pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE, best.id)]
    providers = libsolv.select(pool, name, provides_only=True)
    if providers.isempty():
        return None
    # zypper's SolverRequester::install asks for a capability only when no installed package
    # provides it: otherwise it says "already installed" and adds no requirement, even when
    # another argument's package replaces that provider.
    if any(s.repo == installed for s in providers.solvables()):
        return []
    jobs: list[solv.Job] = providers.jobs(solv.Job.SOLVER_INSTALL)
    return jobs


def _version_jobs(pool: libsolv.Pool, word: str, old_package: bool) -> list[solv.Job] | None:
    """The job installing ``NAME=VERSION``: the package of that name and edition (an
    edition without a release matches any release), the best of several.  A version lower
    than the installed one is installed only with ``--oldpackage``; otherwise nothing is
    asked, as zypper only says to use it.  None when no package has that version."""
    name, _, version = word.partition("=")
    wanted = pool.dep(Alternative(name, Constraint(Operator.EQ, version)))
    installed = pool.pool.installed
    matching = [
        s
        for s in pool.pool.whatprovides(wanted)
        if s.name == name and s.repo != installed and pool.considered(s)
    ]
    if not matching:
        return None
    best = matching[0]
    for solvable in matching[1:]:
        if solvable.evrcmp(best) > 0:
            best = solvable
    current = [s for s in pool.named(name) if s.repo == installed]
    if any(s.evrcmp(best) == 0 for s in current):
        return []
    if any(s.evrcmp(best) > 0 for s in current) and not old_package:
        return []
    return [pool.pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE, best.id)]


def _pattern_jobs(pool: libsolv.Pool, name: str) -> list[solv.Job] | None:
    """The job installing the package that provides ``pattern() = name``."""
    dep = pool.dep(Alternative("pattern()", Constraint(Operator.EQ, name)))
    if not pool.pool.whatprovides(dep):
        return None
    return [pool.pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_PROVIDES, dep)]
