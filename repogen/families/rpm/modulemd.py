"""``modules.yaml`` for a modular target, built and serialized by libmodulemd (formats.md §4).

One ``modulemd`` v2 document per stream, one ``modulemd-defaults`` v1 document per module and
one ``modulemd-obsoletes`` v1 document per obsoletes the module carries.
The stream version is ``SOURCE_DATE_EPOCH`` as ``YYYYMMDDhhmmss``; the context is derived from
the stream's dependencies (the platform), as the module build service derives it, so every
stream built for one platform shares it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import gi

from repogen.model import ModuleObsoletes, ModuleSpec, StreamBuild, StreamSpec
from repogen.publish.base import BuildError

gi.require_version("Modulemd", "2.0")
with warnings.catch_warnings():
    # PyGObject's importer predates exec_module(); Python warns about the fallback.
    warnings.simplefilter("ignore", ImportWarning)
    from gi.repository import GLib, Modulemd

#: ``Modulemd`` (and ``GLib``, for its errors) is exported for readers of modules.yaml:
#: imported here without the warning.
__all__ = ["GLib", "Modulemd", "modules_yaml", "obsoletes_document", "stream_version"]


def stream_version(source_date_epoch: int) -> int:
    return int(time.strftime("%Y%m%d%H%M%S", time.gmtime(source_date_epoch)))


def _stream(
    module: ModuleSpec,
    stream: StreamSpec,
    build: StreamBuild,
    platform: str,
    arch: str,
    content_license: str,
) -> Modulemd.ModuleStreamV2:
    """The document of one *build* of *stream*: its version, context and exact artifacts."""
    document = Modulemd.ModuleStreamV2.new(module.name, stream.name)
    document.set_version(build.version)
    document.set_context(build.context)
    document.set_arch(arch)
    document.set_summary(stream.summary)
    document.set_description(module.description)
    for license_name in module.license:
        document.add_module_license(license_name)
    document.add_content_license(content_license)
    dependencies = Modulemd.Dependencies.new()
    dependencies.add_buildtime_stream("platform", platform)
    for platform_stream in build.platforms or (platform,):
        dependencies.add_runtime_stream("platform", platform_stream)
    for required, streams in build.requires:
        if not streams:
            dependencies.set_empty_runtime_dependencies_for_module(required)
        for name in streams:
            dependencies.add_runtime_stream(required, name)
    document.add_dependencies(dependencies)
    for name, rpms in stream.profiles.items():
        profile = Modulemd.Profile.new(name)
        for rpm in rpms:
            profile.add_rpm(rpm)
        document.add_profile(profile)
    for name in stream.artifacts:
        document.add_rpm_api(name)
    for nevra in build.artifacts:
        document.add_rpm_artifact(nevra)
    try:
        document.validate()
    except GLib.Error as error:
        raise BuildError(f"module {module.name}:{stream.name}: {error.message}") from error
    return document


def _defaults(module: ModuleSpec, source_date_epoch: int) -> Modulemd.DefaultsV1:
    defaults = Modulemd.DefaultsV1.new(module.name)
    defaults.set_modified(stream_version(source_date_epoch) // 100)
    if module.default_stream is not None:
        defaults.set_default_stream(module.default_stream)
    for stream in module.streams:
        for profile in stream.defaults(module.default_profile):
            defaults.add_default_profile_for_stream(stream.name, profile)
    return defaults


def obsoletes_document(module: str, obsoletes: ModuleObsoletes) -> Modulemd.Obsoletes:
    """The ``modulemd-obsoletes`` document of *obsoletes* of *module*."""
    document = Modulemd.Obsoletes.new(
        1, obsoletes.modified, module, obsoletes.stream, obsoletes.message
    )
    if obsoletes.context is not None:
        document.set_module_context(obsoletes.context)
    document.set_reset(obsoletes.reset)
    if obsoletes.eol_date:
        document.set_eol_date(obsoletes.eol_date)
    if obsoletes.obsoleted_by is not None:
        document.set_obsoleted_by(*obsoletes.obsoleted_by)
    return document


def modules_yaml(
    modules: Sequence[ModuleSpec],
    platform: str,
    arch: str,
    content_license: str,
    source_date_epoch: int,
) -> str:
    """The ``modules.yaml`` of one repository: a document per build of each stream (every
    stream has its builds, :func:`~repogen.families.rpm.channel_modules.merged_modules`)."""
    index = Modulemd.ModuleIndex.new()
    for module in modules:
        for stream in module.streams:
            for build in stream.builds:
                index.add_module_stream(
                    _stream(module, stream, build, platform, arch, content_license)
                )
        index.add_defaults(_defaults(module, source_date_epoch))
        for obsoletes in module.obsoletes:
            index.add_obsoletes(obsoletes_document(module.name, obsoletes))
    text: str = index.dump_to_string()
    return text
