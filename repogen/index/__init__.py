"""Readers that turn repositories on disk into the model's in-memory repositories.

:func:`load_tree` reads a whole ``repogen build`` output (or one bare APT or rpm-md
repository) as a :class:`~repogen.model.ReleaseModel`; :func:`open_apt`/:func:`apt_packages` and
:func:`read_rpmmd` read one repository.
"""

from repogen.families.deb.reader import AptRepository, apt_packages, open_apt
from repogen.families.rpm.reader import RpmMdRepository, read_rpmmd
from repogen.index.errors import MetadataError
from repogen.index.tree import load_tree

__all__ = [
    "AptRepository",
    "MetadataError",
    "RpmMdRepository",
    "apt_packages",
    "load_tree",
    "open_apt",
    "read_rpmmd",
]
