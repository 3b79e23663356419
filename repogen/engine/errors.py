"""What goes wrong with a real client, whichever family's it is."""

from __future__ import annotations


class ClientMissing(RuntimeError):
    """A package manager (or rpm) is not installed on this machine."""


class ClientError(RuntimeError):
    """A package manager failed other than by refusing a transaction."""
