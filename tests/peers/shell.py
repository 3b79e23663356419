"""Just enough of the POSIX shell to read apt's integration test scripts as a tree of commands.

A script is read top to bottom.  A command may span lines (an open quote, a trailing
backslash); a here-document is one command with its body.  A shell function, a ``for``,
``while``, ``until``, ``if`` or ``case`` block is a :class:`Block` holding its commands, so
that a reader can run a function where it is called and a ``for`` loop once per word, and
knows that what an ``if`` or ``while`` runs depends on the shell.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

_FUNCTION = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*\(\)\s*\{?\s*$")
_OPENERS = {"for": "done", "while": "done", "until": "done", "if": "fi", "case": "esac"}
_HEREDOC = re.compile(r"<<-?\s*'?\"?(\w+)")
#: Words that only punctuate a block (``do`` on its own line, ``then``, ``{``).
_PUNCTUATION = {"do", "then", "{", "else"}


@dataclass(frozen=True)
class Command:
    line: int
    words: tuple[str, ...]
    #: The command as written (a here-document's body included).
    text: str
    #: The words could not be split (an unbalanced quote to the end of the file).
    unparsed: bool = False


@dataclass
class Block:
    """``function NAME``, or a compound command: its kind (``for``, ``if`` …), the words of
    its first line, and the commands inside."""

    line: int
    kind: str
    words: tuple[str, ...]
    body: list[Command | Block] = field(default_factory=list)
    #: An ``if`` with an ``else``/``elif``, a one-line block: not a plain list of commands.
    branches: bool = False

    def loop(self) -> tuple[str, list[str]] | None:
        """``(VARIABLE, WORDS)`` of a ``for VARIABLE in WORDS`` loop, else None."""
        words = [w for w in self.words if w != ";"]
        if self.kind != "for" or len(words) < 3 or words[2] != "in":
            return None
        values = words[3:]
        if values and values[-1] == "do":
            values.pop()
        return words[1], values


def commands(script: str) -> list[Command | Block]:
    """The commands of *script*, in order, blocks with their commands inside."""
    lines = script.splitlines()
    top: list[Command | Block] = []
    stack: list[tuple[Block, str]] = []  # open blocks and their closing word
    index = 0
    while index < len(lines):
        start = index
        text = lines[index]
        index += 1
        stripped = text.strip()
        body = stack[-1][0].body if stack else top
        if not stripped or stripped.startswith("#"):
            continue
        function = _FUNCTION.match(text)
        if function:
            block = Block(start + 1, "function", ("function", function[1]))
            body.append(block)
            stack.append((block, "}"))
            continue
        first = stripped.split()[0].rstrip(";")
        if stack and stack[-1][1] in (first, stripped):
            stack.pop()
            continue
        if first in _OPENERS:
            try:
                header = tuple(shlex.split(stripped.replace(";", " ; ")))
            except ValueError:
                header = tuple(stripped.split())
            block = Block(start + 1, first, header)
            body.append(block)
            if re.search(rf"\b{_OPENERS[first]}\s*$", stripped):
                block.branches = True  # a one-line block: its commands are not read
            else:
                stack.append((block, _OPENERS[first]))
            continue
        if first in {"else", "elif"} and stack:
            stack[-1][0].branches = True
        if first in _PUNCTUATION | {"elif"} and stripped.rstrip(";") == first:
            continue
        text, words, index = _logical(lines, text, index)
        if words is None:
            body.append(Command(start + 1, (), text, unparsed=True))
        elif words:
            body.append(Command(start + 1, tuple(words), text))
    return top


def _logical(lines: list[str], text: str, index: int) -> tuple[str, list[str] | None, int]:
    """The command starting with *text*, continued over the lines from *index* while a quote
    is open or a line ends with a backslash, a here-document's body included; its words (None
    when a quote is never closed) and the index of the line after it."""
    words: list[str] | None = None
    while True:
        if text.rstrip().endswith("\\") and not text.rstrip().endswith("\\\\"):
            if index >= len(lines):
                break
            text += "\n" + lines[index]
            index += 1
            continue
        try:
            words = shlex.split(text, comments=True)
            break
        except ValueError:
            if index >= len(lines):
                break
            text += "\n" + lines[index]
            index += 1
    heredoc = _HEREDOC.search(text)
    if heredoc:
        while index < len(lines) and lines[index].strip() != heredoc[1]:
            text += "\n" + lines[index]
            index += 1
        index += 1
    return text, words, index
