"""The base of the errors repogen raises for what a user can put right.

Every domain error derives from :class:`RepogenError` (a model that does not load, a request
repogen cannot resolve, a build that fails, a real client that is missing or fails, …), so the
command line has one boundary for all of them (`repogen.cli.common`): the message on one line
and exit 2, never a traceback.
"""

from __future__ import annotations


class RepogenError(Exception):
    """An error whose message, on one line, tells the user what is wrong."""
