"""rpm-md dependency entries read back into the model's :class:`Relation`.

The reverse of :func:`repogen.families.rpm.spec.dependency`: an entry's flags become an
:class:`Operator`, its epoch, version and release one EVR (epoch 0 left out, as the model
writes versions), a rich ``(a >= 1 or b)`` its alternatives, and the %-escaped value of a SUSE
pattern capability its text.  The readers keep the entries and parse a field the first time
it is asked for (:class:`~repogen.model.concrete.LazyRelations`).
"""

from __future__ import annotations

import functools

from repogen.families.rpm.operators import from_flags
from repogen.families.rpm.patterns import is_pattern_capability, unescape
from repogen.families.rpm.rich import Rich, RichOperator, RichSyntaxError, Simple, Term, parse_rich
from repogen.families.rpm.versions import join_evr
from repogen.model.relations import Alternative, Constraint, Operator, Relation

#: One dependency as createrepo_c gives it: name, flags, epoch, version, release, pre.
RpmDependency = tuple[str, str | None, str | None, str | None, str | None, bool]


def _alternative(name: str, operator: Operator | None, evr: str | None) -> Alternative:
    if operator is None or evr is None:
        return Alternative(name)
    if is_pattern_capability(name):
        evr = unescape(evr)
    return Alternative(name, Constraint(operator, evr))


def _choices(term: Term) -> list[Simple] | None:
    """The simple dependencies *term* chooses between, if it is only a choice: ``or`` of
    simple dependencies, brackets included; None for anything else (``and``, ``if`` …)."""
    if isinstance(term, Simple):
        return [term]
    assert isinstance(term, Rich)
    if any(operator is not RichOperator.OR for operator in term.operators):
        return None
    found: list[Simple] = []
    for part in term.terms:
        choices = _choices(part)
        if choices is None:
            return None
        found += choices
    return found


@functools.lru_cache(maxsize=1 << 14)
def _rich(name: str) -> Relation:
    """``(a >= 1 or b)`` as alternatives; any other rich dependency (and one rpm does not
    read) stays one opaque name."""
    try:
        choices = _choices(parse_rich(name))
    except RichSyntaxError:
        choices = None
    if choices is None:
        return Relation((Alternative(name),))
    return Relation(tuple(_alternative(c.name, c.operator, c.evr) for c in choices))


def rpm_relation(dependency: RpmDependency) -> Relation:
    """One rpm-md dependency entry as a relation."""
    name, flags, epoch, version, release, _pre = dependency
    if name.startswith("(") and name.endswith(")"):
        return _rich(name)
    if not flags or version is None:
        return Relation((Alternative(name),))
    evr = join_evr(epoch, version, release, zero_epoch=False)
    return Relation((_alternative(name, from_flags(flags), evr),))


def rpm_relations(dependencies: list[RpmDependency]) -> tuple[Relation, ...]:
    return tuple(rpm_relation(dependency) for dependency in dependencies)
