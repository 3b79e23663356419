"""What goes wrong with a real client, whichever family's it is: one hierarchy for apt-get,
dnf and zypper (and rpm under them).

A refused transaction is an answer, not an error: it comes back as a failed resolution.
"""

from __future__ import annotations

from repogen.errors import RepogenError


class ClientError(RepogenError):
    """A real package manager cannot answer."""


class ClientMissing(ClientError):
    """A package manager (or rpm) is not installed on this machine; the message names the
    Debian package to install."""


class ClientFailed(ClientError):
    """A package manager failed other than by refusing a transaction (a broken or untrusted
    repository, a failing rpm database)."""
