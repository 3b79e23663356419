"""What a dnf module argument names: libdnf's ``NSVCAP`` forms, matched as dnf 4 matches them.

An argument is ``NAME[:STREAM[:VERSION[:CONTEXT[:ARCH]]]][/PROFILE]``; every part may be a
glob (``node*``, ``nodejs:1?``, ``nodejs/*``), as ``ModulePackageContainer::query`` and
``getProfiles`` take them.  The builds it matches are grouped by module and stream
(``ModuleBase._create_module_dict_and_enable``): where a module has several matching streams
the module's enabled stream is taken, else its default one (a disabled module's too), and a
module with neither is an error, as is one whose chosen stream is not among those matched.

A model's stream has no builds: it matches any version and context, as its one build (the
version ``SOURCE_DATE_EPOCH`` gives it when published) is not known here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from repogen.model import ModuleSpec, StreamBuild, StreamSpec

#: libdnf's characters of a module name, stream, context, arch or profile (globs included),
#: and of a version.
_PART = r"[][*?!A-Za-z0-9+._-]+"
_VERSION = r"[][*?!0-9-]+"


def _form(stream: bool, version: bool, context: bool, arch: str, profile: bool) -> re.Pattern[str]:
    text = f"(?P<name>{_PART})"
    text += f":(?P<stream>{_PART})" if stream else ""
    text += f":(?P<version>{_VERSION})" if version else ""
    text += f":(?P<context>{_PART})" if context else ""
    text += f"{arch}(?P<arch>{_PART})" if arch else ""
    text += f"/(?P<profile>{_PART})" if profile else "/?"
    return re.compile(f"^{text}$")


#: ``NAME:STREAM:VERSION:CONTEXT::ARCH/PROFILE`` and its shorter forms, in libdnf's order of
#: trying them (``NSVCAP_FORM_REGEX``): the arch comes after ``::`` (``:`` after a context).
_FORMS = [
    _form(stream, version, context, arch, profile)
    for stream, version, context, arch in (
        (True, True, True, "::?"),
        (True, True, False, "::"),
        (True, False, False, "::"),
        (True, True, True, ""),
        (True, True, False, ""),
        (True, False, False, ""),
        (False, False, False, "::"),
        (False, False, False, ""),
    )
    for profile in (True, False)
]


@dataclass(frozen=True)
class Nsvcap:
    """The parts of a module argument; None where it leaves one out."""

    name: str
    stream: str | None = None
    version: str | None = None
    context: str | None = None
    arch: str | None = None
    profile: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Nsvcap:
        """*spec* split as the first of libdnf's forms (``nsvcap.cpp``) it fits; a spec no
        form fits is taken as a name (it then matches no module)."""
        for form in _FORMS:
            found = form.match(spec)
            if found:
                return cls(**{k: v for k, v in found.groupdict().items() if v is not None})
        return cls(spec)


def _fits(pattern: str | None, value: str) -> bool:
    return pattern is None or fnmatchcase(value, pattern)


def _build_fits(nsvcap: Nsvcap, build: StreamBuild | None) -> bool:
    if build is None:
        return True  # a model's stream: its one build's version and context are not known
    return _fits(nsvcap.version, str(build.version)) and _fits(nsvcap.context, build.context)


@dataclass(frozen=True)
class ModuleRequest:
    """One module and stream an argument chose, with the builds of it that it matched and
    (when it names one) its profile pattern."""

    spec: str
    module: ModuleSpec
    stream: StreamSpec
    #: The matched builds; empty for a model's stream (which has none).
    builds: tuple[StreamBuild, ...]
    nsvcap: Nsvcap

    @property
    def profile(self) -> str | None:
        return self.nsvcap.profile

    @property
    def defaults(self) -> tuple[str, ...]:
        return self.stream.defaults(self.module.default_profile)

    def profiles(self, pattern: str | None = None) -> list[str]:
        """The stream's profiles *pattern* (default: the argument's) matches, sorted."""
        wanted = pattern if pattern is not None else self.nsvcap.profile
        return sorted(p for p in self.stream.profiles if wanted is None or fnmatchcase(p, wanted))

    @property
    def installed_profiles(self) -> tuple[str, ...]:
        """The profiles ``module install`` installs: those named, else the default ones."""
        return tuple(self.profiles()) if self.profile else self.defaults


def _missing(spec: str) -> str:
    return f"Error: Problems in request:\nmissing groups or modules: {spec}"


def matching(
    modules: Collection[ModuleSpec], spec: str, arch: str
) -> dict[str, dict[str, list[StreamBuild | None]]]:
    """The streams *spec* matches, by module and stream, each with its matching builds (a
    model's stream: ``[None]``); every build is built for the repository's *arch*."""
    nsvcap = Nsvcap.parse(spec)
    found: dict[str, dict[str, list[StreamBuild | None]]] = {}
    if not _fits(nsvcap.arch, arch):
        return found
    for module in modules:
        if not _fits(nsvcap.name, module.name):
            continue
        for stream in module.streams:
            if not _fits(nsvcap.stream, stream.name):
                continue
            candidates: tuple[StreamBuild | None, ...] = stream.builds or (None,)
            builds = [b for b in candidates if _build_fits(nsvcap, b)]
            if builds:
                found.setdefault(module.name, {})[stream.name] = builds
    return found


def module_requests(
    modules: Collection[ModuleSpec],
    spec: str,
    enabled: Mapping[str, str],
    arch: str,
    keep: Callable[[str, str, StreamBuild | None], bool] | None = None,
) -> list[ModuleRequest] | str:
    """The module streams *spec* chooses, given the *enabled* streams, or the error dnf
    prints.  (A disabled module's stream is chosen as a module's that is not enabled.)

    With *keep* (module, stream, build → whether to keep it), only the matching builds it keeps
    count (``module update`` takes only active ones): none kept is no choice, not an error.
    """
    nsvcap = Nsvcap.parse(spec)
    found = matching(modules, spec, arch)
    if not found:
        return _missing(spec)
    if keep is not None:
        found = {
            module: kept
            for module, streams in found.items()
            if (
                kept := {
                    name: [b for b in builds if keep(module, name, b)]
                    for name, builds in streams.items()
                    if any(keep(module, name, b) for b in builds)
                }
            )
        }
    chosen: list[ModuleRequest] = []
    for module in (m for m in modules if m.name in found):
        streams = found[module.name]
        if len(streams) == 1:
            (name,) = streams
        elif module.name in enabled:
            name = enabled[module.name]
        elif module.default_stream is not None:
            name = module.default_stream
        else:
            listed = "', '".join(sorted(streams))
            return (
                f"Argument '{spec}' matches {len(streams)} streams ('{listed}') of module "
                f"'{module.name}', but none of the streams are enabled or default\n"
                f"Error: Problems in request:\nbroken groups or modules: {spec}"
            )
        if name not in streams:
            return (
                f"Cannot enable multiple streams for module '{module.name}'\n"
                f"Error: Problems in request:\nbroken groups or modules: {spec}"
            )
        stream = module.stream(name)
        assert stream is not None
        builds = tuple(b for b in streams[name] if isinstance(b, StreamBuild))
        chosen.append(ModuleRequest(spec, module, stream, builds, nsvcap))
    return chosen


def no_default_profile(parsed: ModuleRequest) -> str | None:
    """What dnf 4 logs when ``module install M:S`` names no profile and S has no default
    one (``ModuleBase.install``: the stream's default profiles come from the defaults
    document), or None when it has one."""
    if parsed.profile or parsed.defaults:
        return None
    where = f"{parsed.module.name}:{parsed.stream.name}"
    if not parsed.stream.profiles:
        return f"No profiles for module {where}"
    available = ", ".join(sorted(parsed.stream.profiles))
    return f"No default profiles for module {where}. Available profiles: {available}"
