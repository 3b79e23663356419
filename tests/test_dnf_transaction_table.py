"""dnf's transaction table as the real-client runner reads it: module rows included, where
dnf wraps a long module name onto a line of its own."""

from __future__ import annotations

from repogen.families.rpm.client import parse_transaction

TABLE = """\
Dependencies resolved.
================================================================================
 Package        Architecture   Version              Repository             Size
================================================================================
Installing group/module packages:
 peer-gynt      x86_64         1.0-1.module         release                 0
Installing module profiles:
 DnfCiModulePopulatedDefault/server
Enabling module streams:
 DnfCiModulePopulatedDefault
                               stable
 nodejs                        8
Switching module streams:
 postgresql                    9.6 -> 10
Disabling modules:
 ninja
Disabling module profiles:
 ninja/default
Resetting modules:
 dwm

Transaction Summary
"""


def test_module_rows_are_read_wrapped_or_not() -> None:
    resolution = parse_transaction(TABLE)
    assert [(r.name, r.version) for r in resolution.install] == [("peer-gynt", "1.0-1.module")]
    assert resolution.modules == ("DnfCiModulePopulatedDefault:stable", "nodejs:8", "postgresql:10")
    assert resolution.disabled == ("ninja",)
