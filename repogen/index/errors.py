"""The one error of the index readers."""

from __future__ import annotations

from repogen.errors import RepogenError


class MetadataError(RepogenError):
    """Repository metadata that cannot be read; the message names the file and the problem."""
