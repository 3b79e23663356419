"""Replacing an index directory in place while clients read it: APT's ``dists/<suite>``, an
rpm-md ``repodata``.

A mirror or a client that fetched the old ``Release`` (or ``repomd.xml``) a moment before a
publish fetches the files it names next; those must still be there.  So the new index
directory is made complete beside the old one, holding the files of the generations before it
as well (hard links: APT's ``by-hash/<algorithm>/<hash>``, rpm-md's ``<hash>-primary.xml.gz``
…), and the two are exchanged in one ``renameat2(RENAME_EXCHANGE)``: a reader sees the old or
the new directory whole, its top file (``InRelease``, ``Release``, ``Release.gpg``,
``repomd.xml``, ``repomd.xml.asc``) and the indices it names together.

``.repogen-generations.json`` in the directory lists the files of each generation kept, newest
first: :data:`KEPT` generations (the new one and the two before it, as createrepo_c's
``--retain-old-md 2`` keeps two older ones); a file no kept generation names goes.  A directory
without the list (written by ``repogen build``) is one generation.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from repogen.publish.output import exchange

#: How many generations of index files an index directory keeps, the current one included.
KEPT = 3
#: The list of generations, inside the index directory (clients ignore a file they are not
#: named).
RECORD = ".repogen-generations.json"


def files(directory: Path) -> list[str]:
    """Every file under *directory*, relative to it, sorted; the record left out."""
    found = [
        (Path(top) / name).relative_to(directory).as_posix()
        for top, _, names in os.walk(directory)
        for name in names
    ]
    return sorted(name for name in found if name != RECORD)


def generations(directory: Path) -> list[list[str]]:
    """The generations of *directory*, newest first, each the files it names."""
    record = directory / RECORD
    if record.is_file():
        listed = json.loads(record.read_text())
        return [list(map(str, generation)) for generation in listed]
    return [files(directory)]


def current(directory: Path) -> dict[str, bytes]:
    """The files of *directory*'s newest generation, with their bytes."""
    newest = generations(directory)[0] if directory.is_dir() else []
    return {name: (directory / name).read_bytes() for name in newest}


def replace_index(new: Path, old: Path) -> None:
    """Make the complete index directory *new* (same file system) the index directory *old*,
    keeping the files of the generations before it; *new* then holds the old directory.

    Files of older generations that *new* does not hold are hard-linked into it first, so
    that the exchange makes every kept generation reachable at once.
    """
    made = files(new)
    kept = [made]
    if old.is_dir():
        before = generations(old)
        # The same files again (a publish done over after a kill): still one generation.
        kept += before[1:KEPT] if before[0] == made else before[: KEPT - 1]
        for name in sorted({n for generation in kept[1:] for n in generation} - set(made)):
            source = old / name
            # The record is the tree's own, but a name in it never leads out of the directory.
            inside = not PurePosixPath(name).is_absolute() and ".." not in PurePosixPath(name).parts
            if inside and source.is_file() and not source.is_symlink():
                (new / name).parent.mkdir(parents=True, exist_ok=True)
                os.link(source, new / name)
    (new / RECORD).write_text(json.dumps(kept, indent=1) + "\n")
    if old.is_dir():
        exchange(new, old)
    else:
        old.parent.mkdir(parents=True, exist_ok=True)
        new.rename(old)
