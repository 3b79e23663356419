"""The one error of ``repogen import``."""

from __future__ import annotations

from repogen.errors import RepogenError


class CannotImport(RepogenError):
    """Something published that a model cannot declare; the message names it and the field."""
