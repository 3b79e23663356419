"""Readers that turn repositories on disk into the model's in-memory repositories.

:func:`load_tree` reads a whole ``repogen build`` output (or one bare repository of any family)
as a :class:`~repogen.model.ReleaseModel`; each family's own reader lives in its package
(``repogen.families.<family>.reader``).
"""

from repogen.index.errors import MetadataError
from repogen.index.tree import load_tree

__all__ = ["MetadataError", "load_tree"]
