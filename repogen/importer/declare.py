"""A release model, as YAML data, that declares what published repositories hold.

Each package becomes one declaration with its exact version (a version scheme of its own, or
``cuda`` / ``driver`` when its upstream version is the release's), its summary, description,
architecture, relations, kernel-module flavor and entry flag.  Declarations that are the same on
several repositories are written once, with a ``when`` naming the targets (and architectures)
that have them; a package written for every repository has no ``when``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from repogen.families import Family, driver
from repogen.importer.errors import CannotImport
from repogen.importer.modules import declare_modules
from repogen.importer.places import Place, when
from repogen.importer.templates import Numbers, escape
from repogen.model import PackageSpec, ReleaseModel, Repository
from repogen.model.declarations import Target

#: Who maintains the packages and their license: neither is in a package index
#: (Packages, primary.xml), and the model requires both.
UNKNOWN_MAINTAINER = "unknown"
UNKNOWN_LICENSE = "unknown"

_IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
#: A dist tag ending an RPM release (``1.el9``, ``1.fc40``, ``1.amzn2023``): a word that
#: starts with a letter, after the release's last dot.
_DIST_TAG = re.compile(r".*-[^-]*(\.[A-Za-z][A-Za-z0-9_+~^]*)")


#: The form of a version scheme for a family none of whose packages has that version, where
#: the version itself is not valid there: every target needs a form of every scheme.
_UNUSED_FORM = "0-0"


class _Versions:
    """The model's version schemes: one per version, named after the release's number it is
    made from (``driver``, ``cuda``) or after the version itself."""

    def __init__(self, numbers: Numbers, dists: Mapping[str, str | None]) -> None:
        self.numbers = numbers
        #: The dist tag of each target, which its versions are written without.
        self.dists = dists
        #: scheme -> family -> form
        self.schemes: dict[str, dict[str, str]] = {}
        #: scheme -> the version it was made for (its form in a family that has no package
        #: with it, where valid there)
        self.versions: dict[str, str] = {}

    def scheme(self, repository: Repository, version: str) -> str:
        family = repository.family
        dist = self.dists.get(repository.target_name)
        if dist:
            version = version.removesuffix(dist)
        form, variable = self.numbers.version(version)
        base = variable or "v" + re.sub(r"[^a-z0-9_.-]", "_", version.lower())
        name, number = base, 1
        while self.schemes.get(name, {}).get(family.value, form) != form:
            number += 1
            name = f"{base}_{number}"
        self.schemes.setdefault(name, {})[family.value] = form
        self.versions.setdefault(name, version)
        return name

    def written(self, families: Iterable[Family]) -> dict[str, dict[str, str]]:
        """Every scheme, with a form for each of *families*."""
        schemes = {}
        for name, forms in sorted(self.schemes.items()):
            version = self.versions[name]
            some = next(iter(forms.values()))
            schemes[name] = {
                family.value: forms.get(
                    family.value,
                    some if driver(family).version_problem(version) is None else _UNUSED_FORM,
                )
                for family in sorted(families)
            }
        return schemes


def _target(target: Target, arches: Iterable[str], dist: str | None) -> dict[str, Any]:
    written = target.model_dump(mode="json", exclude_defaults=True)
    written["arches"] = sorted(arches)
    written["dist"] = dist
    written["base"] = None
    return {key: value for key, value in written.items() if value is not None}


def _relations(spec: PackageSpec, numbers: Numbers, leave_out: str = "") -> dict[str, Any]:
    written: dict[str, Any] = {}
    for kind, relations in sorted(spec.relations.items()):
        kept = [
            numbers.relation(r)
            for r in relations
            if not (leave_out and r.alternatives[0].name.startswith(leave_out))
        ]
        if kept:
            written[kind.value] = kept
    return written


def _pattern(spec: PackageSpec, repository: Repository, versions: _Versions) -> dict[str, Any]:
    """A SUSE pattern package (``patterns-NAME``) as a model's pattern: its ``pattern…()``
    provides are what the model's pattern keys say."""
    assert spec.pattern is not None
    attributes = spec.pattern
    written: dict[str, Any] = {
        "name": versions.numbers.name(attributes.name),
        "summary": escape(spec.summary),
    }
    if spec.description and spec.description != spec.summary:
        written["description"] = escape(spec.description)
    written["version"] = versions.scheme(repository, spec.version)
    written["visible"] = attributes.visible
    written["order"] = attributes.order
    written["category"] = escape(attributes.category)
    if attributes.icon is not None:
        written["icon"] = attributes.icon
    return {**written, **_relations(spec, versions.numbers, leave_out="pattern")}


def _dist(repositories: Sequence[Repository]) -> str | None:
    """The dist tag of a target (its *repositories*), when its family writes one and every
    one of its packages' versions ends with the same one: the model appends it, so the
    versions are written without it and the target's ``dist`` says it once."""
    if not driver(repositories[0].family).dist_tags:
        return None
    tags = {
        match[1] if (match := _DIST_TAG.fullmatch(p.version)) else None
        for repository in repositories
        for p in repository.packages
    }
    return tags.pop() if len(tags) == 1 else None


def _package(
    spec: PackageSpec, repository: Repository, versions: _Versions
) -> tuple[str, dict[str, Any]]:
    """Where *spec* is declared (``packages`` or ``patterns``) and its declaration."""
    if spec.pattern is not None and spec.name == f"patterns-{spec.pattern.name}":
        return "patterns", _pattern(spec, repository, versions)
    numbers = versions.numbers
    family = repository.family
    written: dict[str, Any] = {
        "name": numbers.name(spec.name),
        "version": versions.scheme(repository, spec.version),
        "summary": escape(spec.summary),
    }
    if spec.description and spec.description != spec.summary:
        written["description"] = escape(spec.description)
    if _IDENTIFIER.match(spec.section) and spec.section != "metapackages":
        written["section"] = spec.section
    if spec.arch != driver(family).noarch:
        written["arch"] = "any"
    if spec.kernel_module is not None:
        written["kernel_module"] = spec.kernel_module.value
    if spec.entry is not None:
        written["entry"] = spec.entry
    return "packages", {**written, **_relations(spec, numbers)}


def _key(written: Mapping[str, Any]) -> str:
    return repr(sorted(written.items()))


def _grouped(
    declared: Mapping[tuple[str, str], tuple[dict[str, Any], set[Place]]],
    kind: str,
    everywhere: set[Place],
) -> list[dict[str, Any]]:
    packages = []
    for (of_kind, _), (written, places) in declared.items():
        if of_kind != kind:
            continue
        for condition in when(places, everywhere):
            packages.append({**written, **({"when": condition} if condition else {})})
    return sorted(packages, key=lambda p: (p["name"], p["version"], repr(p.get("when"))))


def _base_version(version: str, family: Family) -> str | None:
    """A stub's version as the family writes one: a stub read from metadata has the version
    a relation asks for (``2.0``, ``0`` when none), which an RPM version needs a release
    for (``2.0-0``); none when neither is valid (the model's default then stands)."""
    for candidate in (version, f"{version}-0"):
        if driver(family).version_problem(candidate) is None:
            return candidate
    return None


def _bases(release: ReleaseModel) -> dict[str, list[dict[str, Any]]]:
    """Each target's base packages (what its packages name and none provides), by target."""
    bases: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for repository in release.repositories:
        for base in repository.base:
            written: dict[str, Any] = {"name": escape(base.name)}
            version = _base_version(base.version, repository.family)
            if version is not None:
                written["version"] = escape(version)
            if base.provides:
                written["provides"] = [escape(p) for p in base.provides]
            bases[repository.target_name].setdefault(base.name, written)
    return {
        target: sorted(named.values(), key=lambda b: b["name"]) for target, named in bases.items()
    }


def _one_version_each(repository: Repository, release: ReleaseModel) -> None:
    """Refuse a repository with several versions of a package whose releases are not known
    apart: a release model declares one version of each, and which release published which
    version is not in an index (only a manifest that records it says,
    :mod:`repogen.importer.history`)."""
    seen: dict[str, str] = {}
    for spec in repository.packages:
        if spec.name in seen and seen[spec.name] != spec.version:
            holds = f"it holds {', '.join(release.releases)}, " if release.releases else ""
            raise CannotImport(
                f"{repository.target_name}/{repository.arch}: package {spec.name} is published "
                f"at {seen[spec.name]} and {spec.version}: several releases, which the index "
                f"cannot tell apart ({holds}no manifest records which release published which "
                "package); a release model declares one version of each package: import the "
                "repositories of one release, or a tree `repogen build` or `repogen publish` "
                "made"
            )
        seen[spec.name] = spec.version


def declare(release: ReleaseModel) -> dict[str, Any]:
    """The model of *release* (read from repositories), as the data of a YAML file."""
    numbers = Numbers.of(release.release)
    of_target: dict[str, list[Repository]] = defaultdict(list)
    for repository in release.repositories:
        of_target[repository.target_name].append(repository)
    dists = {target: _dist(repositories) for target, repositories in of_target.items()}
    versions = _Versions(numbers, dists)
    arches: dict[str, set[str]] = defaultdict(set)
    targets: dict[str, Target] = {}
    declared: dict[tuple[str, str], tuple[dict[str, Any], set[Place]]] = {}
    everywhere: set[Place] = set()
    for repository in release.repositories:
        arches[repository.target_name].add(repository.arch)
        targets[repository.target_name] = repository.target
        place = Place(repository.target_name, repository.canonical_arch)
        everywhere.add(place)
        _one_version_each(repository, release)
        for spec in repository.packages:
            kind, written = _package(spec, repository, versions)
            declared.setdefault((kind, _key(written)), (written, set()))[1].add(place)
    bases = _bases(release)
    model: dict[str, Any] = {
        "release": release.release.model_dump(mode="json", exclude_none=True),
        "maintainer": release.maintainer or UNKNOWN_MAINTAINER,
        "license": release.license or UNKNOWN_LICENSE,
        "versions": versions.written({t.family for t in targets.values()}),
        "targets": {
            name: {
                **_target(target, arches[name], dists[name]),
                **({"base": name} if name in bases else {}),
            }
            for name, target in sorted(targets.items())
        },
    }
    if bases:
        model["bases"] = dict(sorted(bases.items()))
    model["packages"] = _grouped(declared, "packages", everywhere)
    patterns = _grouped(declared, "patterns", everywhere)
    if patterns:
        model["patterns"] = patterns
    modules = declare_modules(release.repositories, numbers, everywhere)
    if modules:
        model["modules"] = modules
    return model
