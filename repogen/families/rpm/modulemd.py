"""``modules.yaml`` for a modular target, built and serialized by libmodulemd (formats.md §4).

One ``modulemd`` v2 document per stream and one ``modulemd-defaults`` v1 document per module.
The stream version is ``SOURCE_DATE_EPOCH`` as ``YYYYMMDDhhmmss``; the context is derived from
the stream's dependencies (the platform), as the module build service derives it, so every
stream built for one platform shares it.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Mapping, Sequence

import gi

from repogen.model import ModuleSpec, StreamBuild, StreamSpec
from repogen.publish.base import BuildError

gi.require_version("Modulemd", "2.0")
with warnings.catch_warnings():
    # PyGObject's importer predates exec_module(); Python warns about the fallback.
    warnings.simplefilter("ignore", ImportWarning)
    from gi.repository import GLib, Modulemd

#: ``Modulemd`` (and ``GLib``, for its errors) is exported for readers of modules.yaml:
#: imported here without the warning.
__all__ = ["GLib", "Modulemd", "modules_yaml", "stream_context", "stream_version"]


def stream_version(source_date_epoch: int) -> int:
    return int(time.strftime("%Y%m%d%H%M%S", time.gmtime(source_date_epoch)))


def stream_context(platform: str) -> str:
    return hashlib.sha256(f"platform:{platform}".encode()).hexdigest()[:8]


def _stream(
    module: ModuleSpec,
    stream: StreamSpec,
    platform: str,
    arch: str,
    artifacts: Mapping[str, str],
    content_license: str,
    source_date_epoch: int,
    build: StreamBuild | None = None,
) -> Modulemd.ModuleStreamV2:
    """The document of *stream*, or of one of its *build*s when it lists them (their own
    version, context and exact artifacts)."""
    document = Modulemd.ModuleStreamV2.new(module.name, stream.name)
    document.set_version(build.version if build else stream_version(source_date_epoch))
    document.set_context(build.context if build else stream_context(platform))
    document.set_arch(arch)
    document.set_summary(stream.summary)
    document.set_description(module.description)
    for license_name in module.license:
        document.add_module_license(license_name)
    document.add_content_license(content_license)
    dependencies = Modulemd.Dependencies.new()
    dependencies.add_buildtime_stream("platform", platform)
    dependencies.add_runtime_stream("platform", platform)
    for required, streams in build.requires if build else ():
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
    if build is not None:
        for name in stream.artifacts:
            document.add_rpm_api(name)
        for nevra in build.artifacts:
            document.add_rpm_artifact(nevra)
    for name in stream.artifacts if build is None else ():
        if name not in artifacts:
            raise BuildError(
                f"module {module.name}:{stream.name}: artifact {name} is not in the repository"
            )
        document.add_rpm_api(name)
        document.add_rpm_artifact(artifacts[name])
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


def modules_yaml(
    modules: Sequence[ModuleSpec],
    platform: str,
    arch: str,
    artifacts: Mapping[str, str],
    content_license: str,
    source_date_epoch: int,
) -> str:
    """The ``modules.yaml`` of one repository.

    *artifacts* maps each package name in the repository to its ``N-E:V-R.A``.
    """
    index = Modulemd.ModuleIndex.new()
    for module in modules:
        for stream in module.streams:
            for build in stream.builds or (None,):
                index.add_module_stream(
                    _stream(
                        module,
                        stream,
                        platform,
                        arch,
                        artifacts,
                        content_license,
                        source_date_epoch,
                        build,
                    )
                )
        index.add_defaults(_defaults(module, source_date_epoch))
    text: str = index.dump_to_string()
    return text
