"""dnf module streams in the model: the rpm family's part of expansion.

A modular target publishes every module of the model's ``modules``; a stream exists where its
``when`` admits it, carries the module's common artifacts, its own and its kernel-module
package (``kmod``), and has the module's profiles unless it replaces or drops them.  Every
artifact and profile package must be a package of the target.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from repogen.model.concrete import ModuleSpec, PackageSpec, StreamSpec
from repogen.model.context import Context, Place, applies
from repogen.model.declarations import DnfModule, Target
from repogen.model.errors import ModelPath
from repogen.model.extension import ModelExtension


class ModuleStreams(ModelExtension):
    """The modules of the model, published on the family's modular targets."""

    modular = True

    def check_target(self, context: Context, name: str, target: Target) -> None:
        if target.modular and target.platform is None:
            context.problems.add(("targets", name), "a modular target needs `platform` (e.g. el9)")

    def modules(
        self, context: Context, place: Place, packages: Mapping[str, PackageSpec]
    ) -> tuple[ModuleSpec, ...]:
        if not place.target.modular:
            return ()
        return tuple(
            _module(context, name, module, place, packages)
            for name, module in context.model.modules.items()
        )


def _module(
    context: Context,
    module_name: str,
    module: DnfModule,
    place: Place,
    packages: Mapping[str, PackageSpec],
) -> ModuleSpec:
    path: ModelPath = ("modules", module_name)
    variables = context.variables(place, "default")
    common = context.names(module.artifacts, variables, (*path, "artifacts"), place)
    streams = []
    for stream_index, stream in enumerate(module.streams):
        stream_path = (*path, "streams", stream_index)
        if not applies(stream.when, place, "default"):
            continue
        stream_name = context.fill(stream.name, variables, (*stream_path, "name"), place)
        kmod = context.fill(stream.kmod, variables, (*stream_path, "kmod"), place)
        summary = context.fill(stream.summary, variables, (*stream_path, "summary"), place)
        if stream_name is None or kmod is None or summary is None:
            continue
        if kmod not in packages:
            context.problems.add(
                (*stream_path, "kmod"), f"kmod {kmod!r} is not a package of the target", place
            )
            continue
        own = context.names(stream.artifacts, variables, (*stream_path, "artifacts"), place)
        artifacts = (*common, *own, kmod)
        for artifact, artifact_path in (
            *_indexed(common, (*path, "artifacts")),
            *_indexed(own, (*stream_path, "artifacts")),
        ):
            if artifact not in packages:
                context.problems.add(
                    artifact_path,
                    f"artifact {artifact!r} is not a package of the target",
                    place,
                )
        profiles = _profiles(
            context,
            module,
            stream_path,
            stream.profiles,
            stream.without_profiles,
            {**variables, "kmod": kmod},
            set(artifacts),
            stream_name,
            place,
        )
        streams.append(
            StreamSpec(
                module_name,
                stream_name,
                summary,
                packages[kmod].kernel_module,
                artifacts,
                profiles,
                stream.entry,
            )
        )
    default = None
    if module.default_stream is not None:
        default = context.fill(module.default_stream, variables, (*path, "default_stream"), place)
        if default is not None and default not in {s.name for s in streams}:
            context.problems.add(
                (*path, "default_stream"),
                f"default stream {default!r} is not a stream of the module",
                place,
            )
    return ModuleSpec(
        module_name,
        context.fill(module.summary, variables, (*path, "summary"), place) or "",
        context.fill(module.description, variables, (*path, "description"), place) or "",
        tuple(module.license),
        tuple(streams),
        default,
        module.default_profile,
    )


def _profiles(
    context: Context,
    module: DnfModule,
    stream_path: ModelPath,
    own: Mapping[str, Any],
    without: list[str],
    variables: Mapping[str, str],
    artifacts: set[str],
    stream: str,
    place: Place,
) -> dict[str, tuple[str, ...]]:
    """The profiles of one stream: the module's, less *without*, with the stream's *own*."""
    module_path = stream_path[:2]
    chosen = {
        name: (profile, (*module_path, "profiles", name))
        for name, profile in module.profiles.items()
        if name not in without
    }
    chosen.update(
        {name: (profile, (*stream_path, "profiles", name)) for name, profile in own.items()}
    )
    for name in without:
        if name not in module.profiles:
            context.problems.add(
                (*stream_path, "without_profiles"), f"{name!r} is not a profile of the module"
            )
    profiles = {}
    for name, (profile, path) in sorted(chosen.items()):
        rpms = context.names(profile.rpms, variables, (*path, "rpms"), place)
        for rpm, rpm_path in _indexed(rpms, (*path, "rpms")):
            if rpm not in artifacts:
                context.problems.add(
                    rpm_path,
                    f"profile {name!r} names {rpm!r}, which the stream does not carry",
                    f"{place} stream {stream}",
                )
        profiles[name] = rpms
    if module.default_profile not in profiles:
        context.problems.add(
            (*module_path, "default_profile"),
            f"stream {stream!r} has no profile {module.default_profile!r}",
            place,
        )
    return profiles


def _indexed(names: tuple[str, ...], path: ModelPath) -> Iterator[tuple[str, ModelPath]]:
    for index, name in enumerate(names):
        yield name, (*path, index)


EXTENSION = ModuleStreams()
