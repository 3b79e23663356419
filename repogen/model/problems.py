"""The problems expansion finds, collected rather than raised one by one.

Every step of expansion reports into one :class:`Problems`, passed to it, so a user sees every
problem of a model at once; a problem that shows on several repositories is reported once,
naming them.
"""

from __future__ import annotations

from collections import defaultdict

from repogen.model.errors import ModelErrors, ModelPath
from repogen.model.source import Document


class Problems:
    """Collects problems; the same problem on several repositories is reported once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.places: dict[tuple[ModelPath, str], list[str]] = defaultdict(list)

    def add(self, path: ModelPath, message: str, place: object | None = None) -> None:
        """Record a problem at *path*, seen on *place* (a repository, or a finer label)."""
        where = self.places[(path, message)]
        if place is not None and str(place) not in where:
            where.append(str(place))

    def raise_any(self) -> None:
        if not self.places:
            return
        errors = []
        for (path, message), where in self.places.items():
            text = message
            if where:
                shown = ", ".join(where[:3]) + (
                    f" and {len(where) - 3} more" if len(where) > 3 else ""
                )
                text = f"{message} (on {shown})"
            errors.append(self.document.error(path, text))
        raise ModelErrors(errors)
