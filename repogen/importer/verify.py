"""The check that a written model builds what the repositories publish.

The repositories the model builds, read back, are compared with the ones read: the same
packages (name, version, architecture), each with the same
summary, description, relations, kernel-module flavor, entry flag and SUSE pattern, and the
same module streams.  The first difference is a :class:`CannotImport` naming the repository,
the package and the field: what the model format cannot say is refused rather than lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from repogen.importer.errors import CannotImport
from repogen.model import ModuleSpec, PackageSpec, ReleaseModel, Repository

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def _relations(spec: PackageSpec) -> dict[str, list[str]]:
    """The relation fields, each group in order of its alternatives; the groups of a field
    in no order (rpmbuild writes an index's in its own)."""
    return {
        kind.value: sorted(str(r) for r in found) for kind, found in spec.relations.items() if found
    }


def _package_fields(spec: PackageSpec) -> Iterator[tuple[str, Any]]:
    yield "summary", spec.summary
    # A model's package without a description has its summary as one, which an index writes
    # as no long description.
    yield "description", "" if spec.description == spec.summary else spec.description
    # A section the model cannot name (an RPM Group such as `Development/Tools`) is not
    # declared: nothing repogen reads or resolves depends on it.
    if _IDENTIFIER.match(spec.section):
        yield "section", spec.section
    yield "kernel_module", spec.kernel_module
    yield "entry", spec.entry
    yield "pattern", spec.pattern
    yield from _relations(spec).items()


def _keyed(repository: Repository) -> dict[tuple[str, str, str], PackageSpec]:
    return {(p.name, p.version, p.arch): p for p in repository.packages}


def _module_fields(module: ModuleSpec) -> dict[str, Any]:
    return {
        "summary": module.summary,
        "description": module.description,
        "license": sorted(module.license),
        "default_stream": module.default_stream,
        "streams": {
            stream.name: {
                "summary": stream.summary,
                "kernel_module": stream.kernel_module,
                "artifacts": sorted(set(stream.artifacts)),
                "profiles": {name: sorted(set(rpms)) for name, rpms in stream.profiles.items()},
                "entry": stream.entry,
                "default profiles": stream.defaults(module.default_profile),
            }
            for stream in module.streams
        },
    }


def _compare(what: str, read: Mapping[str, Any], declared: Mapping[str, Any]) -> None:
    for field in sorted(read.keys() | declared.keys()):
        if read.get(field) != declared.get(field):
            raise CannotImport(
                f"{what}: the model cannot declare its {field} as published "
                f"({read.get(field)!r}; the model gives {declared.get(field)!r})"
            )


def _compare_repository(read: Repository, declared: Repository) -> None:
    where = f"{read.target_name}/{read.arch}"
    published, modelled = _keyed(read), _keyed(declared)
    for key in sorted(published.keys() ^ modelled.keys()):
        side = "is not declared by the model" if key in published else "is not published"
        raise CannotImport(f"{where}: package {' '.join(key)} {side}")
    for key, spec in sorted(published.items()):
        own = dict(_package_fields(spec))
        theirs = dict(_package_fields(modelled[key]))
        if "section" not in own:
            theirs.pop("section", None)
        _compare(f"{where}: package {key[0]} {key[1]}", own, theirs)
    modules = {m.name: _module_fields(m) for m in read.modules}
    declared_modules = {m.name: _module_fields(m) for m in declared.modules}
    for name in sorted(modules.keys() | declared_modules.keys()):
        _compare(f"{where}: module {name}", modules.get(name, {}), declared_modules.get(name, {}))


def verify(read: ReleaseModel, declared: ReleaseModel) -> None:
    """Raise :class:`CannotImport` at the first difference between the repositories *read*
    and those the model builds, read back (*declared*)."""
    found = {(r.target_name, r.arch): r for r in declared.repositories}
    for repository in read.repositories:
        other = found.get((repository.target_name, repository.arch))
        if other is None:
            raise CannotImport(
                f"{repository.target_name}/{repository.arch}: the model gives no such repository"
            )
        _compare_repository(repository, other)
