"""zypper's resolution: libsolv with zypper's defaults and zypper's own requests.

Recommends are installed unless ``--no-recommends``.  ``install X`` asks for the best
available package named X (the highest version): installed in an older version, it is
upgraded; installed already in that version or a newer one, nothing is asked; an older
available version is never chosen, even when only it could be installed.  When no package is
named X, ``install X`` asks for anything that provides X.  ``install -t pattern X`` takes the
pattern package that provides ``pattern() = X``, as SUSE's libsolv does through the
``pattern:X`` solvable it makes for it.  ``remove X`` erases the installed X and what needs it,
with the repositories unread (zypper loads only the installed packages for it).
There are no modules.
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
        # zypper remove reads only the installed packages, not the repositories: what needs a
        # removed package goes too, never replaced by another version.
        available = () if request.action is Action.REMOVE else universe.available
        pool = libsolv.build_pool(universe.arch, available, universe.installed.packages)
        jobs: list[solv.Job] = []
        for name in request.names:
            if request.action is Action.REMOVE:
                found = libsolv.select(pool, name).jobs(solv.Job.SOLVER_ERASE)
            elif request.patterns:
                found = _pattern_jobs(pool, name)
            else:
                found = _install_jobs(pool, name)
            if found is None or (request.action is Action.REMOVE and not found):
                return Resolution(ok=False, problems=(f"No provider of '{name}' found.",))
            jobs += found
        flags = {
            solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED: not request.install_recommends,
            solv.Solver.SOLVER_FLAG_ALLOW_UNINSTALL: request.action is Action.REMOVE,
        }
        return libsolv.solve(pool, jobs, flags)


def _install_jobs(pool: libsolv.Pool, name: str) -> list[solv.Job] | None:
    """The job installing the best package named *name* (none when it is installed already,
    in that version or a newer one), else anything providing *name*; None when nothing is."""
    installed = pool.pool.installed
    named = [s for s in pool.pool.solvables_iter() if s.name == name]
    available = [s for s in named if s.repo != installed]
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
    jobs: list[solv.Job] = providers.jobs(solv.Job.SOLVER_INSTALL)
    return jobs


def _pattern_jobs(pool: libsolv.Pool, name: str) -> list[solv.Job] | None:
    """The job installing the package that provides ``pattern() = name``."""
    dep = pool.dep(Alternative("pattern()", Constraint(Operator.EQ, name)))
    if not pool.pool.whatprovides(dep):
        return None
    return [pool.pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_PROVIDES, dep)]
