"""The one error of the index readers."""

from __future__ import annotations


class MetadataError(Exception):
    """Repository metadata that cannot be read; the message names the file and the problem."""
