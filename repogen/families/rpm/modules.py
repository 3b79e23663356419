"""``modules.yaml`` (formats.md §4) read by libmodulemd into the model's modules.

A stream's names, summary and profiles are its newest build's; every build (version, context,
exact artifacts ``N-E:V-R.A``) is kept as well, for modular filtering by NEVRA as libdnf does.
Artifacts ``N-E:V-R.A`` become package names, as the model lists them.  A stream's
kernel-module flavor is that of the kernel-module packages among its artifacts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from repogen.families.rpm.modulemd import GLib, Modulemd
from repogen.families.rpm.versions import artifact_name, strict_nevra
from repogen.index.errors import MetadataError
from repogen.index.facts import stream_entry
from repogen.index.files import one_line, quiet_stderr
from repogen.model import (
    KernelModuleFlavor,
    ModuleObsoletes,
    ModuleSpec,
    StreamBuild,
    StreamSpec,
)


def _flavor(
    artifacts: tuple[str, ...], flavors: Mapping[str, KernelModuleFlavor]
) -> KernelModuleFlavor | None:
    found = {flavors[name] for name in artifacts if name in flavors}
    return found.pop() if len(found) == 1 else None


def _requires(document: Modulemd.ModuleStreamV2) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The modules the runtime dependencies require, the platform left out (libdnf's
    ``ModulePackage::getRequires(stream, removePlatform=true)``), sorted."""
    found = []
    for dependencies in document.get_dependencies():
        for module in dependencies.get_runtime_modules():
            if module != "platform":
                streams = tuple(sorted(dependencies.get_runtime_streams(module)))
                found.append((module, streams))
    return tuple(sorted(found))


def _build(document: Modulemd.ModuleStreamV2) -> StreamBuild:
    return StreamBuild(
        version=document.get_version(),
        context=document.get_context() or "",
        artifacts=tuple(sorted(strict_nevra(a) for a in document.get_rpm_artifacts())),
        requires=_requires(document),
        platforms=tuple(
            sorted(
                {
                    stream
                    for dependencies in document.get_dependencies()
                    for stream in dependencies.get_runtime_streams("platform")
                }
            )
        ),
    )


def _stream(
    document: Modulemd.ModuleStreamV2,
    flavors: Mapping[str, KernelModuleFlavor],
    builds: Sequence[Modulemd.ModuleStreamV2],
    defaults: Modulemd.DefaultsV1 | None,
) -> StreamSpec:
    artifacts = tuple(sorted({artifact_name(a) for a in document.get_rpm_artifacts()}))
    return StreamSpec(
        module=document.get_module_name(),
        name=document.get_stream_name(),
        summary=document.get_summary() or "",
        kernel_module=_flavor(artifacts, flavors),
        artifacts=artifacts,
        entry=stream_entry(document.get_stream_name()),
        profiles={
            name: tuple(sorted(document.get_profile(name).get_rpms()))
            for name in document.get_profile_names()
        },
        default_profiles=tuple(
            sorted(
                defaults.get_default_profiles_for_stream(document.get_stream_name())
                if defaults
                else ()
            )
        ),
        builds=tuple(sorted((_build(b) for b in builds), key=lambda b: (b.version, b.context))),
    )


def _obsoletes(document: Modulemd.Obsoletes) -> ModuleObsoletes:
    by_module = document.get_obsoleted_by_module_name()
    by_stream = document.get_obsoleted_by_module_stream()
    return ModuleObsoletes(
        stream=document.props.module_stream,
        modified=document.get_modified(),
        context=document.get_module_context(),
        reset=document.get_reset(),
        eol_date=document.get_eol_date(),
        obsoleted_by=(by_module, by_stream) if by_module and by_stream else None,
        message=document.get_message() or "",
    )


def _module(module: Modulemd.Module, flavors: Mapping[str, KernelModuleFlavor]) -> ModuleSpec:
    newest: dict[str, Modulemd.ModuleStreamV2] = {}
    builds: dict[str, list[Modulemd.ModuleStreamV2]] = {}
    for document in module.get_all_streams():
        builds.setdefault(document.get_stream_name(), []).append(document)
        known = newest.get(document.get_stream_name())
        if known is None or document.get_version() > known.get_version():
            newest[document.get_stream_name()] = document
    defaults = module.get_defaults()
    streams = tuple(
        _stream(newest[name], flavors, builds[name], defaults) for name in sorted(newest)
    )
    profiles = sorted(
        {
            profile
            for name in newest
            for profile in (defaults.get_default_profiles_for_stream(name) if defaults else [])
        }
    )
    first = newest[min(newest)]
    return ModuleSpec(
        name=module.get_module_name(),
        summary=first.get_summary() or "",
        description=first.get_description() or "",
        license=tuple(first.get_module_licenses()),
        streams=streams,
        default_stream=defaults.get_default_stream() if defaults else None,
        default_profile=profiles[0] if profiles else "",
        obsoletes=tuple(
            sorted(
                (_obsoletes(o) for o in module.get_obsoletes()),
                key=lambda o: (o.modified, o.stream, o.context or ""),
            )
        ),
    )


def read_modules(
    text: str, source: str, flavors: Mapping[str, KernelModuleFlavor]
) -> tuple[tuple[ModuleSpec, ...], str | None]:
    """The modules of a ``modules.yaml`` and the platform stream they run on (``el9``).

    *flavors* maps the repository's kernel-module packages to their flavor.
    """
    if "\x00" in text:
        # libmodulemd takes a C string: it would read only up to the NUL.
        raise MetadataError(f"{source}: not a modules.yaml: it holds a NUL character")
    index = Modulemd.ModuleIndex.new()
    said: list[str] = []  # libmodulemd's glib warnings: its error says the same
    try:
        with quiet_stderr(said):
            ok, failures = index.update_from_string(text, False)
    except GLib.Error as exc:
        raise MetadataError(f"{source}: not a modules.yaml: {one_line(exc.message)}") from None
    if not ok:
        messages = "; ".join(one_line(f.get_gerror().message) for f in failures)
        raise MetadataError(f"{source}: not a modules.yaml: {messages}")
    for name in index.get_module_names():
        module = index.get_module(name)
        if not name or not module.get_all_streams():
            # defaults (or obsoletes) of a module no stream of this file belongs to
            what = "obsoletes" if module is not None and module.get_obsoletes() else "defaults"
            raise MetadataError(f"{source}: module {name!r} has {what} but no stream")
    modules = tuple(_module(index.get_module(n), flavors) for n in sorted(index.get_module_names()))
    platforms = sorted(
        {
            stream
            for name in index.get_module_names()
            for document in index.get_module(name).get_all_streams()
            for dependencies in document.get_dependencies()
            for stream in dependencies.get_runtime_streams("platform")
        }
    )
    return modules, platforms[0] if platforms else None
