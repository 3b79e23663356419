"""What a path or an address names, told from its name alone: every command asks this of its
input before it knows whether to load a model or read repositories, so it imports nothing
of the build or of the readers."""

from __future__ import annotations

#: The file a `repogen build` output has at its top: its repositories, releases and clients.
MANIFEST = "manifest.json"


def is_url(text: str) -> bool:
    """Whether *text* is an http:// or https:// URL."""
    return text.startswith(("http://", "https://"))
