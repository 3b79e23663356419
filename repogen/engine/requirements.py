"""The programs the real engine runs per family, and the Debian packages that install them."""

from __future__ import annotations

import shutil

from repogen.engine.errors import ClientMissing
from repogen.families import Family, driver


def require(family: Family) -> None:
    """Raise :class:`ClientMissing`, naming the programs and the ``apt-get install`` line,
    unless every program *family* requests need is installed."""
    missing = [p for p in driver(family).programs if shutil.which(p.name) is None]
    if missing:
        names = " and ".join(p.name for p in missing)
        packages = " ".join(dict.fromkeys(p.package for p in missing))
        raise ClientMissing(
            f"the real engine needs {names} for {family} requests, and it is not installed; "
            f"install it with `apt-get install {packages}`"
        )


__all__ = ["ClientMissing", "require"]
