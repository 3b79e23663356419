"""The values of SUSE's pattern capabilities: ``pattern() = NAME``, ``pattern-icon() = …``.

libzypp's PatternPackages.doc (formats.md §5.1): a pattern package provides its name and
attributes as versioned capabilities whose values are %-escaped text; libsolv's autopattern
(``ext/repo_autopattern.c``) turns every ``%XX`` of hex digits in them back into that byte and
keeps anything else as it is.  The model and the index readers hold the values as text; this
module is the one place they are escaped for rpm and read back.  It lives with the rpm family,
whose spec writer and rpm-md reader carry any such capability; SUSE's patterns use it.

What rpm needs, checked with rpmspec on rpm 4.18: a dependency's version may only hold ASCII
letters, digits and ``.-_+:%{}~^`` (so no space, ``/``, ``(`` or non-ASCII letter), no
``..``, at most one ``-`` (the version-release separator) and a ``:`` only after a numeric
epoch.  The escaping is URL escaping with RFC 3986's unreserved characters (letters, digits,
``_ . ~``) kept, except that ``-`` is escaped too (a pattern named ``cuda-open-64k`` has two)
and so is a ``.`` that follows a ``.``.  Everything else, ``%`` included, becomes ``%XX`` of its
UTF-8 bytes, so the value reads back as it was.
"""

from __future__ import annotations

import string
from urllib.parse import unquote

#: Characters written as they are: RFC 3986's unreserved characters but ``-``.
_KEPT = frozenset(string.ascii_letters + string.digits + "_.~")


def is_pattern_capability(name: str) -> bool:
    """Whether *name* is one of the capabilities whose value autopattern unescapes:
    ``pattern()`` and the attributes ``pattern-icon()``, ``pattern-category(de)`` …"""
    return name == "pattern()" or (
        name.startswith("pattern-") and name.endswith(")") and "(" in name
    )


def escape(value: str) -> str:
    """*value* as rpm can carry it as a pattern capability's version, for libsolv to unescape."""
    escaped: list[str] = []
    for byte in value.encode():
        character = chr(byte)
        # rpm refuses ".." anywhere in a version.
        after_dot = bool(escaped) and escaped[-1] == "."
        if character in _KEPT and not (character == "." and after_dot):
            escaped.append(character)
        else:
            escaped.append(f"%{byte:02X}")
    return "".join(escaped)


def unescape(text: str) -> str:
    """The value of a pattern capability's version *text*, as libsolv's autopattern reads it:
    ``%XX`` of two hex digits is that byte, anything else stays (``urllib.parse.unquote``
    implements the same rule, decoding the bytes as UTF-8)."""
    return unquote(text)
