"""The ``modules`` of a model, from the module streams repositories publish.

A model's module is the same on every target that has it; its streams carry a ``when`` for
the repositories that have them, unless every repository has them.  The module's artifacts
and profiles are what every stream shares (the kernel-module package ``kmod`` written as
``{kmod}`` in profiles); each stream adds its own, replaces the profiles that differ and drops
the ones it lacks.  What this cannot say (a module whose description differs between targets,
streams that share no package, a stream without one kernel-module package) is a
:class:`CannotImport` naming the module and stream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from repogen.importer.errors import CannotImport
from repogen.importer.places import Place, when
from repogen.importer.templates import Numbers, escape
from repogen.model import ModuleSpec, Repository, StreamSpec


def _kmod(stream: StreamSpec, repository: Repository, shared: set[str]) -> str:
    """The stream's kernel-module package: the one artifact that carries kernel modules, or,
    when none does, the one artifact no other stream of its module carries (*shared*: what
    every stream carries)."""
    flavored = [
        name
        for name in stream.artifacts
        if (spec := repository.package(name)) is not None and spec.kernel_module is not None
    ]
    own = sorted(set(stream.artifacts) - shared)
    found = flavored if flavored else own
    if len(found) != 1:
        raise CannotImport(
            f"{repository.target_name}/{repository.arch}: module stream "
            f"{stream.module}:{stream.name}: a model's stream has one kernel-module package "
            f"(kmod); this one has {len(found)} candidates ({', '.join(found)})"
        )
    return found[0]


def _profile(rpms: Sequence[str], kmod: str, numbers: Numbers) -> list[str]:
    return sorted("{kmod}" if rpm == kmod else numbers.name(rpm) for rpm in rpms)


def _stream(
    stream: StreamSpec, repository: Repository, numbers: Numbers, shared: set[str]
) -> dict[str, Any]:
    kmod = _kmod(stream, repository, shared)
    written: dict[str, Any] = {
        "name": numbers.name(stream.name),
        "summary": escape(stream.summary),
        "kmod": numbers.name(kmod),
        "artifacts": sorted(numbers.name(a) for a in set(stream.artifacts) - {kmod}),
        "profiles": {
            name: {"rpms": _profile(rpms, kmod, numbers)}
            for name, rpms in sorted(stream.profiles.items())
        },
    }
    if stream.entry is not None:
        written["entry"] = stream.entry
    return written


def _same(modules: Sequence[tuple[ModuleSpec, Repository]], field: str) -> Any:
    values = {repr(getattr(module, field)) for module, _ in modules}
    if len(values) > 1:
        module, repository = modules[0]
        raise CannotImport(
            f"module {module.name}: its {field} differs between repositories "
            f"({repository.target_name}/{repository.arch} and others); a model's module has one"
        )
    return getattr(modules[0][0], field)


def _default_profile(modules: Sequence[tuple[ModuleSpec, Repository]]) -> str:
    """The profile every stream installs by default (the model has one per module)."""
    defaults = {
        stream.defaults(module.default_profile)
        for module, _ in modules
        for stream in module.streams
    }
    if len(defaults) != 1 or len(next(iter(defaults))) != 1:
        module = modules[0][0]
        raise CannotImport(
            f"module {module.name}: its streams' default profiles ({sorted(defaults)}) are not "
            "one profile for every stream, as a model's default_profile is"
        )
    return next(iter(defaults))[0]


def _module(
    modules: Sequence[tuple[ModuleSpec, Repository]], numbers: Numbers, everywhere: set[Place]
) -> dict[str, Any]:
    first = modules[0][0]
    streams: dict[str, tuple[dict[str, Any], set[Place]]] = {}
    for module, repository in modules:
        place = Place(repository.target_name, repository.canonical_arch)
        # With one stream, nothing tells its kmod from what other streams would share.
        shared = (
            set.intersection(*(set(s.artifacts) for s in module.streams))
            if len(module.streams) > 1
            else set()
        )
        for stream in module.streams:
            of_stream = _stream(stream, repository, numbers, shared)
            streams.setdefault(repr(of_stream), (of_stream, set()))[1].add(place)
    written_streams = [s for s, _ in streams.values()]
    common_artifacts = set.intersection(*(set(s["artifacts"]) for s in written_streams))
    module_profiles = written_streams[0]["profiles"]
    declared_streams = []
    for declared, places in streams.values():
        own = dict(declared)
        own["artifacts"] = sorted(set(declared["artifacts"]) - common_artifacts)
        own["profiles"] = {
            name: profile
            for name, profile in declared["profiles"].items()
            if module_profiles.get(name) != profile
        }
        own["without_profiles"] = sorted(set(module_profiles) - set(declared["profiles"]))
        own = {key: value for key, value in own.items() if value}
        for condition in when(places, everywhere):
            declared_streams.append({**own, **({"when": condition} if condition else {})})
    written: dict[str, Any] = {
        # Published as each stream's summary: a module's own is the first stream's, read.
        "summary": escape(first.summary),
        "description": escape(_same(modules, "description")),
        "license": [escape(text) for text in _same(modules, "license")],
    }
    default_stream = _same(modules, "default_stream")
    if default_stream is not None:
        written["default_stream"] = numbers.name(default_stream)
    written["default_profile"] = _default_profile(modules)
    written["artifacts"] = sorted(common_artifacts)
    written["profiles"] = module_profiles
    written["streams"] = sorted(declared_streams, key=lambda s: (s["name"], repr(s.get("when"))))
    if not common_artifacts:
        raise CannotImport(
            f"module {first.name}: its streams share no package besides their kmod; a "
            "model's module names at least one artifact every stream carries"
        )
    return written


def declare_modules(
    repositories: Sequence[Repository], numbers: Numbers, everywhere: set[Place]
) -> Mapping[str, dict[str, Any]]:
    """The ``modules`` of a model that publishes the modules of *repositories* (of all the
    repositories, *everywhere*)."""
    by_name: dict[str, list[tuple[ModuleSpec, Repository]]] = defaultdict(list)
    for repository in repositories:
        for module in repository.modules:
            by_name[module.name].append((module, repository))
    return {name: _module(found, numbers, everywhere) for name, found in sorted(by_name.items())}
