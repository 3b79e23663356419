"""A libsolv pool from repogen packages, and its transactions as a :class:`Resolution`.

Shared by the dnf and zypper resolvers: both clients are libsolv underneath, with their own
defaults (and, for dnf, modular filtering decided before the pool is built).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import solv

from repogen.families.rpm.operators import SPELLINGS
from repogen.families.rpm.versions import ISA
from repogen.model import PackageSpec, RelationKind
from repogen.model.relations import Alternative, Relation
from repogen.resolve.result import PackageRef, Resolution

#: libsolv's relation flags of each operator.
_FLAGS = {operator: spelling.solv for operator, spelling in SPELLINGS.items()}

_KEYS = {
    RelationKind.DEPENDS: solv.SOLVABLE_REQUIRES,
    RelationKind.PRE_DEPENDS: solv.SOLVABLE_REQUIRES,
    RelationKind.RECOMMENDS: solv.SOLVABLE_RECOMMENDS,
    RelationKind.SUGGESTS: solv.SOLVABLE_SUGGESTS,
    RelationKind.SUPPLEMENTS: solv.SOLVABLE_SUPPLEMENTS,
    RelationKind.ENHANCES: solv.SOLVABLE_ENHANCES,
    RelationKind.CONFLICTS: solv.SOLVABLE_CONFLICTS,
    RelationKind.OBSOLETES: solv.SOLVABLE_OBSOLETES,
    RelationKind.PROVIDES: solv.SOLVABLE_PROVIDES,
}


@dataclass
class Pool:
    """A libsolv pool holding the available and installed packages of a universe.  Requests
    on it share it, each with its own solver and jobs; nothing a request does changes which
    solvables it holds or which are considered."""

    pool: solv.Pool
    packages: dict[int, PackageSpec]
    #: Solvables in the pool that the solver must not consider (dnf's excludes).
    hidden: frozenset[int] = frozenset()
    #: The dependency of each relation of the packages in the pool, by the relation's id():
    #: a model shares one relation object among the packages that have it.
    relations: dict[int, int] = field(default_factory=dict)
    #: The solvables of each name, in the pool's order (:meth:`named`).
    by_name: dict[str, list[solv.XSolvable]] | None = None

    def named(self, name: str) -> list[solv.XSolvable]:
        """The solvables named *name*, installed or not, excluded or not, in the pool's order
        (the index is made the first time: a pool shared by many requests is asked often)."""
        if self.by_name is None:
            self.by_name = {}
            for solvable in self.pool.solvables_iter():
                self.by_name.setdefault(solvable.name, []).append(solvable)
        return self.by_name.get(name, [])

    def considered(self, solvable: solv.XSolvable) -> bool:
        """Whether *solvable* is not excluded: libsolv's selections and ``whatprovides`` see
        excluded solvables, dnf's queries do not."""
        return solvable.id not in self.hidden

    def dep(self, alternative: Alternative) -> int:
        """The id of *alternative* as a dependency; a rich dependency (the model keeps it as
        one alternative named by its text) parsed as libsolv parses it from rpm-md."""
        constraint = alternative.constraint
        if constraint is None and alternative.name.startswith("("):
            rich = self.pool.parserpmrichdep(alternative.name)
            if rich is not None:
                return int(rich.id)
        name: int = self.pool.str2id(alternative.name)
        if constraint is None:
            return name
        version = self.pool.str2id(constraint.version)
        dep: int = self.pool.rel2id(name, version, _FLAGS[constraint.operator])
        return dep

    def relation(self, relation: Relation) -> int:
        """The id of one alternative as a plain dependency, several as the rich `(a or b …)`.

        Made once per relation of the packages in the pool, which keeps them (and so their
        id()s) alive: only those relations may be asked for."""
        known = self.relations.get(id(relation))
        if known is None:
            deps = [self.dep(a) for a in relation.alternatives]
            known = deps[-1]
            for dep in reversed(deps[:-1]):
                known = self.pool.rel2id(dep, known, solv.REL_OR)
            self.relations[id(relation)] = known
        return known

    def solvable_package(self, solvable: solv.XSolvable) -> PackageSpec:
        return self.packages[solvable.id]


class EvrComparison:
    """How libsolv compares two rpm versions: as package versions (``evrcmp``), and as a
    provided version against a dependency's (libsolv's own matching, which leaves out a
    release only one side has), for every operator on either side."""

    def __init__(self) -> None:
        self.pool = solv.Pool()
        self.pool.setdisttype(solv.Pool.DISTTYPE_RPM)
        self.repo = self.pool.add_repo("versions")
        self.solvables: dict[str, solv.XSolvable] = {}

    def _dep(self, provided: int, wanted: int, version: str) -> solv.Dep:
        # One name per operator of the provide, so that a query meets only that provide.
        return self.pool.Dep(f"provided-{provided}").Rel(wanted, self.pool.Dep(version))

    def _solvable(self, version: str) -> solv.XSolvable:
        solvable = self.solvables.get(version)
        if solvable is None:
            solvable = self.solvables[version] = self.repo.add_solvable()
            solvable.name = "version"
            solvable.evr = version
            solvable.arch = "noarch"
            for flags in _FLAGS.values():
                solvable.add_deparray(solv.SOLVABLE_PROVIDES, self._dep(flags, flags, version))
        return solvable

    def __call__(self, a: str, b: str) -> tuple[int | bool, ...]:
        """The order of *a* and *b*, then whether a provide of *a* meets a dependency on *b*
        for each pair of operators."""
        first, second = self._solvable(a), self._solvable(b)
        order: int = first.evrcmp(second)
        return order, *(
            bool(first.matchesdep(solv.SOLVABLE_PROVIDES, self._dep(provided, wanted, b)))
            for provided in _FLAGS.values()
            for wanted in _FLAGS.values()
        )


def build_pool(
    arch: str,
    available: Iterable[PackageSpec],
    installed: Iterable[PackageSpec] = (),
    hidden: Iterable[PackageSpec] = (),
    system_first: bool = False,
) -> Pool:
    """A pool for *arch* (noarch is always allowed) with both repositories loaded; *hidden*
    packages are in the available repository but excluded (libsolv's considered map, as dnf
    excludes): never installed, yet an older version still counts as old next to them.

    The installed packages come after the available ones (zypper loads the target last), or
    first with *system_first* (dnf's ``fill_sack`` reads the rpmdb before the repositories).
    libsolv meets packages in that order, and where several choices satisfy the same rules
    its answer can depend on it."""
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch(arch)
    result = Pool(pool, {})
    excluded: set[int] = set()
    system = ("@System", rpmdb_order(installed), False)
    repositories = (("available", available, False), ("available", hidden, True))
    for name, packages, hiding in (
        (system, *repositories) if system_first else (*repositories, system)
    ):
        repo = pool.add_repo(name)
        for package in packages:
            solvable = _add(result, repo, package)
            result.packages[solvable.id] = package
            if hiding:
                excluded.add(solvable.id)
        repo.internalize()
        if name == "@System":
            pool.installed = repo
    pool.addfileprovides()
    pool.createwhatprovides()
    if excluded:
        result.hidden = frozenset(excluded)
        pool.set_considered_list([s.id for s in pool.solvables_iter() if s.id not in excluded])
    return result


def rpmdb_order(installed: Iterable[PackageSpec]) -> list[PackageSpec]:
    """*installed* in the order the machine's rpm database lists them, which is the order
    libsolv meets them in (``SOLVER_UPDATE`` of everything updates them in that order): as
    ``rpm -i`` of their files, sorted by name, records them — what a package requires
    (another installed package has or provides it) before it, else by name."""
    pending = sorted(installed, key=lambda p: (p.name, p.version, p.arch))
    provided: dict[str, set[int]] = {}
    for index, package in enumerate(pending):
        for name in (package.name, *(r.alternatives[0].name for r in package.related(_PROVIDES))):
            provided.setdefault(name, set()).add(index)
    needs = [
        {
            other
            for kind in (RelationKind.PRE_DEPENDS, RelationKind.DEPENDS)
            for relation in package.related(kind)
            for alternative in relation.alternatives
            for other in provided.get(alternative.name, ())
            if other != index
        }
        for index, package in enumerate(pending)
    ]
    order: list[PackageSpec] = []
    placed: set[int] = set()
    while len(placed) < len(pending):
        ready = [i for i in range(len(pending)) if i not in placed and needs[i] <= placed]
        # A loop: rpm breaks it; the first package by name goes first.
        index = ready[0] if ready else min(set(range(len(pending))) - placed)
        placed.add(index)
        order.append(pending[index])
    return order


_PROVIDES = RelationKind.PROVIDES


def _add(pool: Pool, repo: solv.Repo, package: PackageSpec) -> solv.XSolvable:
    solvable = repo.add_solvable()
    solvable.name = package.name
    solvable.evr = package.version
    solvable.arch = package.arch
    own = pool.pool.rel2id(solvable.nameid, solvable.evrid, solv.REL_EQ)
    solvable.add_deparray(solv.SOLVABLE_PROVIDES, own)
    # rpm gives every package built for an architecture ``name(isa) = EVR`` as well (what
    # ``Requires: foo%{?_isa} = EVR`` needs); the model and the index reader leave both out.
    isa = ISA.get(package.arch)
    if isa is not None:
        name = pool.pool.str2id(f"{package.name}({isa})")
        solvable.add_deparray(
            solv.SOLVABLE_PROVIDES, pool.pool.rel2id(name, solvable.evrid, solv.REL_EQ)
        )
    relations = package.relations
    for kind, key in _KEYS.items():
        for relation in relations.get(kind, ()):
            solvable.add_deparray(key, pool.relation(relation))
    return solvable


def select(pool: Pool, name: str, provides_only: bool = False) -> solv.Selection:
    """Packages a command-line word names: by name, else by what they provide."""
    flags = solv.Selection.SELECTION_NAME | solv.Selection.SELECTION_DOTARCH
    if not provides_only:
        selection = pool.pool.select(name, flags)
        if not selection.isempty():
            return selection
    return pool.pool.select(name, solv.Selection.SELECTION_PROVIDES)


def one_of(pool: Pool, solvables: Sequence[solv.XSolvable], how: int) -> solv.Job:
    """A job for one of *solvables*: how dnf asks for what a command-line word names
    (libdnf turns a selector set to the packages of a query into ``SOLVABLE_ONE_OF`` with
    ``SETARCH`` and ``SETEVR``)."""
    exact = solv.Job.SOLVER_SETARCH | solv.Job.SOLVER_SETEVR
    ids = [solvable.id for solvable in solvables]
    return pool.pool.Job(
        how | exact | solv.Job.SOLVER_SOLVABLE_ONE_OF, pool.pool.towhatprovides(ids)
    )


def solve(pool: Pool, jobs: Sequence[solv.Job], flags: Mapping[int, bool]) -> Resolution:
    """Run the solver with the client's solver *flags* and describe its transaction, or its
    problems."""
    solver = pool.pool.Solver()
    for flag, value in flags.items():
        solver.set_flag(flag, value)
    problems = solver.solve(list(jobs))
    if problems:
        return Resolution(ok=False, problems=tuple(f"Problem: {p}" for p in problems))
    transaction = solver.transaction()
    install, upgrade, remove = [], [], []
    for cls in transaction.classify(solv.Transaction.SOLVER_TRANSACTION_SHOW_OBSOLETES):
        for solvable in cls.solvables():
            if cls.type == solv.Transaction.SOLVER_TRANSACTION_INSTALL:
                install.append(solvable)
            elif cls.type == solv.Transaction.SOLVER_TRANSACTION_ERASE:
                remove.append(solvable)
            else:  # upgraded, downgraded, reinstalled, changed: the new version comes in
                upgrade.append(transaction.othersolvable(solvable))
    return Resolution(
        ok=True,
        install=_refs(pool, install),
        upgrade=_refs(pool, upgrade),
        remove=_refs(pool, remove),
        why=_why(pool, solver, [*install, *upgrade]),
    )


def _refs(pool: Pool, solvables: Iterable[solv.XSolvable]) -> tuple[PackageRef, ...]:
    packages = (pool.solvable_package(s) for s in solvables)
    return tuple(sorted(PackageRef(p.name, p.version, p.arch) for p in packages))


def _why(
    pool: Pool, solver: solv.Solver, solvables: Iterable[solv.XSolvable]
) -> dict[str, tuple[str, ...]]:
    """For each package brought in, the package and dependency that required it."""
    why: dict[str, tuple[str, ...]] = {}
    for solvable in solvables:
        reason, rule = solver.describe_decision(solvable)
        # A job rule is the request itself; its info holds the job's index and what it asks
        # for (a whatprovides offset for "one of"), not a solvable and a dependency, so they
        # must not be read as such (reading that offset as a dependency can crash libsolv).
        if (
            reason == solv.Solver.SOLVER_REASON_RESOLVE_JOB
            or rule is None
            or rule.type == solv.Solver.SOLVER_RULE_JOB
        ):
            why[solvable.name] = ("requested",)
            continue
        info = rule.info()
        source = info.solvable
        if source is None:
            why[solvable.name] = ("requested",)
        elif info.dep is not None:
            kind = "Recommends" if reason == solv.Solver.SOLVER_REASON_WEAKDEP else "Requires"
            why[solvable.name] = (source.name, f"{kind}: {info.dep}")
    return why
