"""rpm-md dependency entries read back into the model's :class:`Relation`.

The reverse of :func:`repogen.families.rpm.spec.dependency`: an entry's flags become an
:class:`Operator`, its epoch, version and release one EVR (epoch 0 left out, as the model
writes versions), a rich ``(a >= 1 or b)`` its alternatives, and the %-escaped value of a SUSE
pattern capability its text.  The readers keep the entries and parse a field the first time
it is asked for (:class:`~repogen.model.concrete.LazyRelations`).
"""

from __future__ import annotations

import re

from repogen.families.rpm.operators import from_flags, from_symbol
from repogen.families.rpm.versions import join_evr
from repogen.families.suse.patterns import is_pattern_capability, unescape
from repogen.model.relations import Alternative, Constraint, Operator, Relation

#: One dependency as createrepo_c gives it: name, flags, epoch, version, release, pre.
RpmDependency = tuple[str, str | None, str | None, str | None, str | None, bool]

#: One operand of a rich ``(a >= 1 or b)``: a name, optionally compared with an EVR.
_OPERAND = re.compile(r"^\s*([^\s()]+(?:\([^\s()]*\))?)\s*(?:(<=|>=|<|>|=)\s*(\S+))?\s*$")
#: Words that make a rich dependency more than a choice between alternatives.
_NOT_A_CHOICE = re.compile(r"\b(?:and|if|else|with|without|unless)\b|\(.*\(.*\).*\)")


def _alternative(name: str, operator: Operator | None, evr: str | None) -> Alternative:
    if operator is None or evr is None:
        return Alternative(name)
    if is_pattern_capability(name):
        evr = unescape(evr)
    return Alternative(name, Constraint(operator, evr))


def _rich(name: str) -> Relation:
    """``(a >= 1 or b)`` as alternatives; any other rich dependency stays one opaque name."""
    inner = name[1:-1]
    operands = [_OPERAND.match(part) for part in re.split(r"\s+or\s+", inner)]
    if _NOT_A_CHOICE.search(inner) or not all(operands):
        return Relation((Alternative(name),))
    alternatives = []
    for match in operands:
        assert match is not None
        capability, operator, version = match.groups()
        alternatives.append(
            _alternative(capability, from_symbol(operator) if operator else None, version)
        )
    return Relation(tuple(alternatives))


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
