"""Debian relation fields: the operators as Debian spells them, and fields read by apt's parser.

The model's relation syntax is Debian's (deb-control(5)), so the model's
:class:`~repogen.model.relations.Operator` values are Debian's spellings; apt's parser
(``apt_pkg.parse_depends``) writes ``<<`` and ``>>`` as ``<`` and ``>``, the forms dpkg still
reads as their obsolete synonyms.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import apt_pkg

from repogen.model.relations import Alternative, Constraint, Operator, Relation

#: Every spelling of each operator apt and dpkg read: Debian's own, and apt_pkg's ``<``/``>``.
_READ: Mapping[str, Operator] = {
    **{operator.value: operator for operator in Operator},
    "<": Operator.LT,
    ">": Operator.GT,
}


def spelling(operator: Operator) -> str:
    """*operator* as a Debian control field writes it."""
    return operator.value


def operator(text: str) -> Operator:
    """The operator apt or a control field spells *text*; KeyError when it is none."""
    return _READ[text]


@functools.lru_cache(maxsize=1 << 16)
def _relation(group: tuple[tuple[str, str, str], ...]) -> Relation:
    """One relation group; shared, as thousands of packages depend on ``libc6 (>= 2.34)``."""
    alternatives = []
    for qualified, version, spelled in group:
        name, _, qualifier = qualified.partition(":")
        constraint = Constraint(operator(spelled), version) if spelled else None
        alternatives.append(Alternative(name, constraint, qualifier or None))
    return Relation(tuple(alternatives))


def deb_relations(text: str) -> tuple[Relation, ...]:
    """A Debian relation field (``a (>= 1) | b, c:any``), parsed by apt's own parser."""
    return tuple(_relation(tuple(group)) for group in apt_pkg.parse_depends(text, False))


def deb_names(text: str) -> tuple[str, ...]:
    """The names of the alternatives :func:`deb_relations` gives, in order, without building
    them: a resolver numbering the packages of a whole index needs every name in it."""
    return tuple(
        [
            qualified.partition(":")[0]
            for group in apt_pkg.parse_depends(text, False)
            for qualified, _version, _operator in group
        ]
    )
