"""zypper's resolution: libsolv with zypper's defaults.

Recommends are installed unless ``--no-recommends``; ``install X`` takes the package named X,
else what provides X; ``install -t pattern X`` takes the pattern package that provides
``pattern() = X``, as SUSE's libsolv does through the ``pattern:X`` solvable it makes for it.
There are no modules.
"""

from __future__ import annotations

import solv

from repogen.model.relations import Alternative, Constraint, Operator
from repogen.resolve import libsolv
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class ZypperResolver:
    """Resolves suse-family requests as zypper does."""

    def resolve(self, universe: Universe, request: Request) -> Resolution:
        pool = libsolv.build_pool(universe.arch, universe.available, universe.installed.packages)
        action = (
            solv.Job.SOLVER_ERASE if request.action is Action.REMOVE else solv.Job.SOLVER_INSTALL
        )
        jobs: list[solv.Job] = []
        for name in request.names:
            found = (
                _pattern_jobs(pool, name, action)
                if request.patterns
                else libsolv.select(pool, name).jobs(action)
            )
            if not found:
                return Resolution(ok=False, problems=(f"No provider of '{name}' found.",))
            jobs += found
        return libsolv.solve(
            pool,
            jobs,
            recommends=request.install_recommends,
            allow_erasing=request.action is Action.REMOVE,
            best=False,
        )


def _pattern_jobs(pool: libsolv.Pool, name: str, action: int) -> list[solv.Job]:
    """The job installing the package that provides ``pattern() = name``."""
    dep = pool.dep(Alternative("pattern()", Constraint(Operator.EQ, name)))
    if not pool.pool.whatprovides(dep):
        return []
    return [pool.pool.Job(action | solv.Job.SOLVER_SOLVABLE_PROVIDES, dep.id)]
