"""Just enough of the POSIX shell to read apt's integration test scripts as a list of commands.

A script is read top to bottom.  A command may span lines (an open quote, a trailing
backslash); a here-document is one command with its body.  Commands inside a shell function
or a ``for``/``while``/``if``/``case`` block are returned with the block they are in, because
when and how often they run depends on the shell, not on the script's order.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_FUNCTION = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*\(\)\s*\{?\s*$")
_OPENERS = {"for": "done", "while": "done", "until": "done", "if": "fi", "case": "esac"}
_HEREDOC = re.compile(r"<<-?\s*'?\"?(\w+)")


@dataclass(frozen=True)
class Command:
    line: int
    words: tuple[str, ...]
    #: The command as written (a here-document's body included).
    text: str
    #: ``function NAME``, ``for``, ``if`` …: the block the command is in, None at top level.
    block: str | None = None
    #: The words could not be split (an unbalanced quote to the end of the file).
    unparsed: bool = False


def commands(script: str) -> list[Command]:
    """The commands of *script*, in order."""
    lines = script.splitlines()
    found: list[Command] = []
    blocks: list[tuple[str, str]] = []  # (name, closing word)
    index = 0
    while index < len(lines):
        start = index
        text = lines[index]
        index += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        function = _FUNCTION.match(text)
        if function:
            blocks.append((f"function {function[1]}", "}"))
            found.append(Command(start + 1, ("function", function[1]), text, _top(blocks[:-1])))
            continue
        first = stripped.split()[0].rstrip(";")
        if blocks and blocks[-1][1] in (first, stripped):
            blocks.pop()
            continue
        if first in _OPENERS:
            found.append(Command(start + 1, (first,), text, _top(blocks)))
            blocks.append((first, _OPENERS[first]))
            if re.search(rf"\b{_OPENERS[first]}\s*$", stripped):
                blocks.pop()
            continue
        text, words, index = _logical(lines, text, index)
        if words is None:
            found.append(Command(start + 1, (), text, _top(blocks), unparsed=True))
        elif words:
            found.append(Command(start + 1, tuple(words), text, _top(blocks)))
    return found


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


def _top(blocks: list[tuple[str, str]]) -> str | None:
    return blocks[0][0] if blocks else None
