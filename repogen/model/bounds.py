"""What a model may ask for beyond its types: text without control characters, matrices of
bounded size, and package files whose names a file system can hold.

These are found at ``validate`` (with file and line) rather than by ``build`` failing in the
middle of writing a repository, or a format silently cutting text at a NUL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from repogen.model.concrete import Repository
from repogen.model.declarations import ModelFile
from repogen.model.errors import ModelError, ModelErrors, ModelPath
from repogen.model.source import Document

#: Combinations one package's `matrix` may expand to, and all matrices of a model together:
#: the bundled releases use at most 14 and the 50,000-package benchmark model about 46,000,
#: while 100 values in each of four variables would be 100,000,000 packages per repository.
MAX_MATRIX = 100_000
MAX_MATRIX_TOTAL = 250_000
#: The longest file name Linux file systems hold (NAME_MAX), in bytes.
MAX_FILE_NAME = 255

# Tab and line feed are text; every other C0 control, DEL, the C1 controls and the Unicode
# line and paragraph separators are refused: a NUL cuts C strings (modulemd, rpm headers), a CR
# or U+2028 starts a new line for some readers and not for others.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_EPOCH = re.compile(r"^\d+:")


def _strings(data: Any, path: ModelPath) -> Iterator[tuple[ModelPath, str, bool]]:
    """Every key and string value of *data*: its path (a key's is its mapping's, since
    printing the key in a path would print the control character too), its text, and whether
    it is a key."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, str(key), True
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _strings(item, (*path, index))
    elif isinstance(data, str):
        yield path, data, False


def control_characters(document: Document) -> None:
    """Raise :class:`ModelErrors` for every string of *document* holding a control character."""
    errors: list[ModelError] = []
    for path, text, key in _strings(document.data, ()):
        found = _CONTROL.search(text)
        if found is not None:
            what = f"key {text!r}" if key else f"character {found.start() + 1}"
            errors.append(
                document.error(
                    path,
                    f"control character {found.group()!r} at {what}; text may hold tabs and "
                    "line feeds only",
                )
            )
    if errors:
        raise ModelErrors(errors)


def matrix_sizes(model: ModelFile, document: Document) -> None:
    """Raise :class:`ModelErrors` when a `matrix` would expand to too many packages, before
    expansion spends the time and memory."""
    errors: list[ModelError] = []
    total = 0
    for index, package in enumerate(model.packages):
        size = math.prod(len(values) for values in package.matrix.values())
        total += size
        if size > MAX_MATRIX:
            errors.append(
                document.error(
                    ("packages", index, "matrix"),
                    f"{size} combinations, over the limit of {MAX_MATRIX} for one package",
                )
            )
    if not errors and total > MAX_MATRIX_TOTAL:
        errors.append(
            document.error(
                ("packages",),
                f"the matrices expand to {total} packages, over the limit of "
                f"{MAX_MATRIX_TOTAL} for a model",
            )
        )
    if errors:
        raise ModelErrors(errors)


def file_names(repositories: tuple[Repository, ...], document: Document) -> None:
    """Raise :class:`ModelErrors` for every package whose file name would be too long.

    The longest form is bounded, for every family: ``NAME-VERSION.ARCH.src.rpm`` is at least
    as long as rpm's ``NAME-VERSION-RELEASE.ARCH.rpm`` and dpkg's ``NAME_VERSION_ARCH.deb``
    (both leave the epoch out).
    """
    longest: dict[ModelPath, tuple[int, int, int]] = {}  # one error per package declared
    for repository in repositories:
        for package in repository.packages:
            version = _EPOCH.sub("", package.version)
            name = f"{package.name}-{version}.{package.arch}.src.rpm"
            sizes = (len(name.encode()), len(package.name.encode()), len(version.encode()))
            path = (*package.origin, "name")
            if sizes[0] > MAX_FILE_NAME and sizes > longest.get(path, (0, 0, 0)):
                longest[path] = sizes
    if longest:
        raise ModelErrors(
            document.error(
                path,
                f"the package's file name would be {size} bytes (name {name_size}, version "
                f"{version_size}), over the {MAX_FILE_NAME}-byte limit of file systems",
            )
            for path, (size, name_size, version_size) in longest.items()
        )
