"""The family-neutral relation grammar, parsed once into one typed structure.

    relation    := alternative ( "|" alternative )*
    alternative := name [ ":" qualifier ] [ "(" operator version ")" ]
    name        := [A-Za-z0-9][A-Za-z0-9+._-]* [ "(" [A-Za-z0-9+._-]* ")" ]
    operator    := "<<" | "<=" | "=" | ">=" | ">>"

This is the Debian ``Depends`` syntax (deb-control(5)) without architecture restrictions or build
profiles, which binary packages may not carry.  Renderers translate it: Debian keeps it as it
is; RPM writes ``<<`` as ``<``, ``>>`` as ``>`` and alternatives as a rich ``(a or b)``.
Each family spells the operators in its own package (``families/deb/relations.py``,
``families/rpm/operators.py``); :class:`Operator` is the one type they all translate.
A relation written in brackets, ``(kernel = 1 if kernel)``, is not this grammar but a rich
dependency, which only some families have (``FamilyDriver.rich_relation``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum


class Operator(StrEnum):
    """A version comparison, valued as the model (and Debian) writes it."""

    LT = "<<"
    LE = "<="
    EQ = "="
    GE = ">="
    GT = ">>"

    def admits(self, order: int) -> bool:
        """Whether a version that compares *order* (negative, zero or positive, as a family's
        comparison gives it) with the constraint's version meets the constraint."""
        if order < 0:
            return self in (Operator.LT, Operator.LE)
        if order > 0:
            return self in (Operator.GT, Operator.GE)
        return self in (Operator.LE, Operator.EQ, Operator.GE)


@dataclass(frozen=True)
class Constraint:
    operator: Operator
    version: str

    def __str__(self) -> str:
        return f"{self.operator} {self.version}"


@dataclass(frozen=True)
class Alternative:
    """One package (or virtual package) that can satisfy a relation."""

    name: str
    constraint: Constraint | None = None
    qualifier: str | None = None

    def __str__(self) -> str:
        text = self.name if self.qualifier is None else f"{self.name}:{self.qualifier}"
        return text if self.constraint is None else f"{text} ({self.constraint})"


@dataclass(frozen=True)
class Relation:
    """A relation group: satisfied by any one of its alternatives, tried in order."""

    alternatives: tuple[Alternative, ...]

    def __str__(self) -> str:
        return " | ".join(str(a) for a in self.alternatives)


class RelationSyntaxError(ValueError):
    """A relation that does not follow the grammar; `column` is 1-based within the text."""

    def __init__(self, text: str, column: int, expected: str) -> None:
        self.text = text
        self.column = column
        self.expected = expected
        super().__init__(f"expected {expected} at column {column} of {text!r}")


# An RPM capability may end in a parenthesised part written without a space: pattern(),
# python3dist(foo).  A Debian package name never does (its validation rejects it).
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]*(?:\([A-Za-z0-9+._-]*\))?")
QUALIFIER = re.compile(r"[a-z0-9][a-z0-9-]*")
OPERATOR = re.compile(r"<<|<=|>=|>>|=")
VERSION = re.compile(r"[A-Za-z0-9.+~:^_-]+")
SPACE = re.compile(r"[ \t]*")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        match = SPACE.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()

    def take(self, pattern: re.Pattern[str], expected: str) -> str:
        self.skip_space()
        match = pattern.match(self.text, self.pos)
        if match is None:
            raise RelationSyntaxError(self.text, self.pos + 1, expected)
        self.pos = match.end()
        return match.group()

    def peek(self, literal: str) -> bool:
        self.skip_space()
        return self.text.startswith(literal, self.pos)

    def expect(self, literal: str) -> None:
        if not self.peek(literal):
            raise RelationSyntaxError(self.text, self.pos + 1, repr(literal))
        self.pos += len(literal)

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos == len(self.text)


def _alternative(scanner: _Scanner) -> Alternative:
    name = scanner.take(NAME, "a package name")
    qualifier = None
    if scanner.peek(":"):
        scanner.expect(":")
        qualifier = scanner.take(QUALIFIER, "an architecture qualifier")
    constraint = None
    if scanner.peek("("):
        scanner.expect("(")
        operator = Operator(scanner.take(OPERATOR, "a version operator (<<, <=, =, >=, >>)"))
        version = scanner.take(VERSION, "a version")
        scanner.expect(")")
        constraint = Constraint(operator, version)
    return Alternative(name, constraint, qualifier)


# Relations are immutable and a model repeats the same text on every target it expands to.
@functools.lru_cache(maxsize=65536)
def parse_relation(text: str) -> Relation:
    """Parse one relation group such as ``nvidia-open (>= 560.28.03) | cuda-drivers``."""
    scanner = _Scanner(text)
    alternatives = [_alternative(scanner)]
    while scanner.peek("|"):
        scanner.expect("|")
        alternatives.append(_alternative(scanner))
    if not scanner.at_end():
        raise RelationSyntaxError(text, scanner.pos + 1, "'|' or the end of the relation")
    return Relation(tuple(alternatives))
