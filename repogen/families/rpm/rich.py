"""RPM rich (boolean) dependencies, parsed by rpm's own parser.

    rich     := "(" term ( op term )* ")"        one op per level, except ``if … else``
    term     := rich | name [ comparison evr ]
    op       := and | or | if | else | with | without | unless

rpm's Python bindings tell whether a dependency is rich (``rpm.ds.IsRich``) but not what it is
made of, and libsolv's keep a parsed dependency opaque (``Pool.parserpmrichdep`` gives an id
whose parts they do not expose).  So the parse is librpm's ``rpmrichParse``, the function
rpmbuild parses specs with (public in ``rpm/rpmds.h`` since rpm 4.13), called through ctypes:
it reports each simple dependency, operator and bracket to a callback, from which the tree is
built here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from repogen.families.rpm.operators import SENSE_COMPARISON, from_sense, spelled
from repogen.model.relations import Operator


class RichOperator(IntEnum):
    """rpmrichOp (rpm/rpmds.h)."""

    SINGLE = 1
    AND = 2
    OR = 3
    IF = 4
    ELSE = 5
    WITH = 6
    WITHOUT = 7
    UNLESS = 8


@dataclass(frozen=True)
class Simple:
    """A name, optionally compared with an EVR: ``a``, ``c(x86-64) < 2``."""

    name: str
    operator: Operator | None = None
    evr: str | None = None

    def __str__(self) -> str:
        if self.operator is None:
            return self.name
        return f"{self.name} {spelled(self.operator).symbol} {self.evr}"


@dataclass(frozen=True)
class Rich:
    """A bracketed term: *terms* joined by *operators* (one fewer than the terms)."""

    terms: tuple[Term, ...]
    operators: tuple[RichOperator, ...]

    def __str__(self) -> str:
        words = [str(self.terms[0])]
        for operator, term in zip(self.operators, self.terms[1:], strict=True):
            words += [operator.name.lower(), str(term)]
        return f"({' '.join(words)})"


Term = Simple | Rich


class RichSyntaxError(ValueError):
    """Text rpm does not read as a rich dependency, with rpm's message."""


# rpmrichParseType (rpm/rpmds.h).
_SIMPLE, _ENTER, _LEAVE, _OP = 1, 2, 3, 4

#: rpmRC (*rpmrichParseFunction)(void *cbdata, rpmrichParseType type, const char *n, int nl,
#:     const char *e, int el, rpmsenseFlags sense, rpmrichOp op, char **emsg)
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_uint,
    ctypes.c_int,
    ctypes.c_void_p,
)


@dataclass(frozen=True)
class _Library:
    parse: Callable[..., int]
    free: Callable[..., None]


@functools.cache
def _library() -> _Library:
    found = ctypes.util.find_library("rpm")
    if found is None:
        raise RichSyntaxError("librpm is not installed; rpm's rich-dependency parser needs it")
    librpm = ctypes.CDLL(found)
    # rpmRC rpmrichParse(const char **dstrp, char **emsg, rpmrichParseFunction cb, void *cbdata)
    parse = librpm.rpmrichParse
    parse.argtypes = [
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_void_p),
        _CALLBACK,
        ctypes.c_void_p,
    ]
    parse.restype = ctypes.c_int
    # rpm allocates the error message with malloc; the caller frees it.
    free = ctypes.CDLL(None).free
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    return _Library(parse, free)


class _Builder:
    """The tree of one parse, built from rpmrichParse's callbacks."""

    def __init__(self) -> None:
        self.levels: list[tuple[list[Term], list[RichOperator]]] = []
        self.result: Term | None = None

    def __call__(self, kind: int, name: str, evr: str | None, sense: int, operator: int) -> None:
        if kind == _ENTER:
            self.levels.append(([], []))
        elif kind == _SIMPLE:
            compared = from_sense(sense) if sense & SENSE_COMPARISON else None
            self.add(Simple(name, compared, evr if compared is not None else None))
        elif kind == _OP:
            self.levels[-1][1].append(RichOperator(operator))
        elif kind == _LEAVE:
            terms, operators = self.levels.pop()
            # A bracket around one term, "((a or b))", is that term.
            self.add(terms[0] if not operators else Rich(tuple(terms), tuple(operators)))

    def add(self, term: Term) -> None:
        if self.levels:
            self.levels[-1][0].append(term)
        else:
            self.result = term


@functools.lru_cache(maxsize=1 << 14)
def parse_rich(text: str) -> Term:
    """The rich dependency *text* (``(a >= 1 or b)``) as rpm reads it.

    Raises :class:`RichSyntaxError` with rpm's message when rpm refuses it, or when more than
    one dependency follows."""
    library = _library()
    encoded = text.encode()
    source = ctypes.create_string_buffer(encoded)
    position = ctypes.c_void_p(ctypes.addressof(source))
    message = ctypes.c_void_p()
    builder = _Builder()
    failure: list[BaseException] = []

    def callback(
        _data: int | None,
        kind: int,
        name: int | None,
        name_length: int,
        evr: int | None,
        evr_length: int,
        sense: int,
        operator: int,
        _message: int | None,
    ) -> int:
        try:
            builder(
                kind,
                ctypes.string_at(name, name_length).decode() if name else "",
                ctypes.string_at(evr, evr_length).decode() if evr and evr_length else None,
                sense,
                operator,
            )
        except Exception as error:  # an exception cannot cross the C frames: report it after
            failure.append(error)
            return 1
        return 0

    code = library.parse(ctypes.byref(position), ctypes.byref(message), _CALLBACK(callback), None)
    if failure:
        raise failure[0]
    if code != 0:
        why = "not a rich dependency"
        if message.value:
            why = ctypes.string_at(message.value).decode(errors="replace")
            library.free(message)
        raise RichSyntaxError(f"{text!r}: {why}")
    assert position.value is not None
    rest = encoded[position.value - ctypes.addressof(source) :]
    if rest.strip() or builder.result is None:
        raise RichSyntaxError(f"{text!r}: {rest.decode(errors='replace')!r} after the dependency")
    return builder.result
