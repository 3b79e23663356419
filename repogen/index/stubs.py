"""What metadata cannot say: the distribution packages a repository is layered on.

A model declares them (``bases``); a repository on disk only names them in its relations
(``dkms``, ``linux-firmware``, ``kernel-default``).  To resolve against metadata alone, every name
its packages depend on, pre-depend on, recommend or suggest that nothing in it provides is
assumed to come from the distribution, as a stub.  A stub has the version of an ``=``, ``>=`` or
``<=`` constraint on it (the first, in name order of the constraining package), else ``0``.
"""

from __future__ import annotations

from collections.abc import Iterable

from repogen.model import BaseSpec, PackageSpec, RelationKind
from repogen.model.concrete import PULLING
from repogen.model.relations import Alternative, Operator

_VERSIONING = (Operator.EQ, Operator.GE, Operator.LE)


def provided_names(packages: Iterable[PackageSpec]) -> set[str]:
    """Every name *packages* answer to: their own and what they provide."""
    names = set()
    for package in packages:
        names.add(package.name)
        names.update(r.alternatives[0].name for r in package.related(RelationKind.PROVIDES))
    return names


def _version(alternatives: list[Alternative]) -> str:
    return next(
        (
            a.constraint.version
            for a in alternatives
            if a.constraint is not None and a.constraint.operator in _VERSIONING
        ),
        "0",
    )


def assumed_base(packages: Iterable[PackageSpec]) -> tuple[BaseSpec, ...]:
    """Stubs for the names *packages* pull in that none of them provides, sorted by name."""
    chosen = sorted(packages, key=lambda p: (p.name, p.version))
    known = provided_names(chosen)
    missing: dict[str, list[Alternative]] = {}
    for package in chosen:
        for kind in PULLING:
            for relation in package.related(kind):
                for alternative in relation.alternatives:
                    if alternative.name not in known:
                        missing.setdefault(alternative.name, []).append(alternative)
    return tuple(BaseSpec(name, _version(found)) for name, found in sorted(missing.items()))
