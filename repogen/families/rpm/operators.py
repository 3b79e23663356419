"""The version operators as rpm's tools spell them: in a spec, in rpm-md, in headers, in libsolv.

One table, so that a spec's ``<``, an rpm-md entry's ``flags="LT"``, rpm's ``RPMSENSE_LESS``
and libsolv's ``REL_LT`` are the same :class:`~repogen.model.relations.Operator` everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from repogen.model.relations import Operator

#: rpmsenseFlags bits (rpm/rpmds.h), as rpm headers and its rich-dependency parser give them.
SENSE_LESS, SENSE_GREATER, SENSE_EQUAL = 1 << 1, 1 << 2, 1 << 3
SENSE_COMPARISON = SENSE_LESS | SENSE_GREATER | SENSE_EQUAL

# libsolv's REL_* bits (pool.h).  Written out rather than taken from the bindings, so that
# rendering specs and records does not load libsolv; tests check them against solv.REL_*.
_REL_GT, _REL_EQ, _REL_LT = 1, 2, 4


@dataclass(frozen=True)
class RpmOperator:
    """One operator in each of rpm's syntaxes."""

    #: In a spec and in ``rpm -q --requires`` output.
    symbol: str
    #: The ``flags`` of an rpm-md ``<rpm:entry>`` (and of a createrepo_c dependency).
    flags: str
    #: rpmsenseFlags.
    sense: int
    #: libsolv's relation flags.
    solv: int


SPELLINGS: Mapping[Operator, RpmOperator] = {
    Operator.LT: RpmOperator("<", "LT", SENSE_LESS, _REL_LT),
    Operator.LE: RpmOperator("<=", "LE", SENSE_LESS | SENSE_EQUAL, _REL_LT | _REL_EQ),
    Operator.EQ: RpmOperator("=", "EQ", SENSE_EQUAL, _REL_EQ),
    Operator.GE: RpmOperator(">=", "GE", SENSE_GREATER | SENSE_EQUAL, _REL_GT | _REL_EQ),
    Operator.GT: RpmOperator(">", "GT", SENSE_GREATER, _REL_GT),
}

#: The flags of an exact version, as rpm's self-provides ``name = EVR`` carry it.
EQUAL_FLAGS = SPELLINGS[Operator.EQ].flags

_BY_FLAGS = {spelled.flags: operator for operator, spelled in SPELLINGS.items()}
_BY_SYMBOL = {spelled.symbol: operator for operator, spelled in SPELLINGS.items()}
_BY_SENSE = {spelled.sense: operator for operator, spelled in SPELLINGS.items()}


def spelled(operator: Operator) -> RpmOperator:
    return SPELLINGS[operator]


def from_flags(flags: str) -> Operator:
    """The operator of an rpm-md entry's *flags* (``LT`` … ``GT``); KeyError for others."""
    return _BY_FLAGS[flags]


def from_symbol(symbol: str) -> Operator:
    """The operator a spec writes as *symbol* (``<`` … ``>``); KeyError for others."""
    return _BY_SYMBOL[symbol]


def from_sense(sense: int) -> Operator:
    """The operator of rpmsenseFlags *sense* (other bits, such as ``pre``, are ignored)."""
    return _BY_SENSE[sense & SENSE_COMPARISON]
