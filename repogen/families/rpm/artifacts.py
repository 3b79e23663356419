"""Real .rpm files given with ``--add-packages DIR``, checked against the model.

A target's real packages are the ``*.rpm`` files directly in DIR and in ``DIR/<target>/``
(RPM releases carry the target's dist tag, so one file rarely fits every target).  A real
package replaces the empty stand-in of the same name; where the model describes that package,
its Epoch, Version, Release, and every Requires and Provides the model gives it must be in the
real header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import createrepo_c as cr

from repogen.families.rpm.rpmmd import file_record, model_record, nevra
from repogen.families.rpm.spec import NOARCH_NAME, SpecPackage
from repogen.families.rpm.versions import join_evr
from repogen.publish.base import BuildError


@dataclass(frozen=True)
class RealPackage:
    """A given package file and the record createrepo_c read from its header."""

    path: Path
    record: cr.Package


def scan(directory: Path | None, target: str, source_date_epoch: int) -> list[RealPackage]:
    """The real packages of *target*, sorted by file name (none without ``--add-packages``)."""
    if directory is None:
        return []
    paths = sorted([*directory.glob("*.rpm"), *(directory / target).glob("*.rpm")])
    return [RealPackage(path, file_record(path, path.name, source_date_epoch)) for path in paths]


def for_arch(packages: Iterable[RealPackage], arch: str) -> list[RealPackage]:
    """The packages a repository of package architecture *arch* can carry."""
    return [p for p in packages if p.record.arch in {arch, NOARCH_NAME}]


def _missing(
    real: Sequence[tuple[object, ...]], expected: Sequence[tuple[object, ...]]
) -> list[str]:
    have = {entry[:5] for entry in real}
    return [_show(entry) for entry in expected if entry[:5] not in have]


def _show(entry: tuple[object, ...]) -> str:
    name, flags, epoch, version, release = entry[:5]
    if flags is None:
        return str(name)
    # createrepo_c gives a versioned dependency an epoch, "0" when it has none.
    evr = join_evr(str(epoch or "0"), str(version), str(release) if release else None)
    return f"{name} {flags} {evr}"


def check(real: RealPackage, described: SpecPackage) -> None:
    """Refuse a real package that differs from the model's description of it."""
    # Only the identity and the dependencies of the record are compared.
    expected = model_record(described, source_rpm="", directory="", source_date_epoch=0)
    problems = []
    if nevra(real.record) != nevra(expected):
        problems.append("a different epoch, version, release or architecture")
    for field in ("requires", "provides"):
        missing = _missing(getattr(real.record, field), getattr(expected, field))
        if missing:
            problems.append(f"no {field[:-1]} {', '.join(missing)}")
    if problems:
        raise BuildError(
            f"{real.path}: {nevra(real.record)} does not match the model's "
            f"{nevra(expected)}: {'; '.join(problems)}"
        )
