"""Repositories over http(s)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from repogen.index.errors import MetadataError


def is_url(text: str) -> bool:
    """Whether *text* is an http:// or https:// URL."""
    return text.startswith(("http://", "https://"))


@contextmanager
def remote_tree(url: str) -> Iterator[Path]:
    raise MetadataError(f"{url}: remote repositories are not read yet")
    yield Path()
