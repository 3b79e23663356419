"""Random small universes and requests, per family, as resolver-case data.

An example is the data of one case of ``fixtures/resolver-cases/<family>.yaml`` (``packages``,
``base``, ``installed``, ``enabled``, ``installed_profiles``, ``modules``, ``hotfixes``,
``request``), so a disagreement is pasted there as it is. Examples are small — at most
:data:`MAX_PACKAGES` packages — and biased toward what decides a resolution: alternatives (rich
``or`` dependencies on rpm), versioned dependencies and provides, virtual packages, conflicts
and breaks, recommends, an installed state (consistent, as a machine's is); on rpm also epochs,
module streams with and without a default, enabled streams with installed profiles, ``module
switch-to`` and hotfix repositories, and modular channels (several streams and builds per
module, versions and contexts, exact NEVRAs, module dependencies, default profiles, enabled or
disabled modules) with every module command and argument form; on suse also patterns.

Channels too: a name in several versions, installed in an older (or newer) version than the
repositories have, as a machine that installed it at an earlier point of the channel; on deb
binaries built from one ``Source`` and Essential packages; holds (``apt-mark hold``,
``zypper addlock``); and upgrade requests of every family (``apt-get upgrade``, ``apt
upgrade``, ``dist-upgrade``, ``install NAME=VERSION``; ``dnf upgrade [NAME]``,
``distro-sync``, ``downgrade NAME``, ``install NAME-VERSION``; ``zypper update [NAME]``,
``dist-upgrade``, ``install [--oldpackage] NAME=VERSION``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import rpm
from debian.debian_support import version_compare
from hypothesis import strategies as st

from repogen.model import Family
from repogen.model.relations import Alternative, parse_relation

#: Package names of the release, virtual names, a base package, a name nothing provides.
NAMES = ("pa", "pb", "pc", "pd", "pe")
VIRTUALS = ("va", "vb")
BASE = "ba"
ABSENT = "nx"
#: An installed package no repository has.
FOREIGN = "fa"
#: The source package binaries share (deb).
SOURCE = "sx"
MAX_PACKAGES = 8

Data = dict[str, Any]


def _rpm_compare(left: str, right: str) -> int:
    """rpm's order of ``[E:]V[-R]``; a side without release compares versions only."""

    def split(text: str) -> tuple[str, str, str | None]:
        epoch, _, rest = text.rpartition(":")
        version, _, release = rest.partition("-")
        return epoch or "0", version, release or None

    a, b = split(left), split(right)
    if a[2] is None or b[2] is None:
        a, b = (a[0], a[1], ""), (b[0], b[1], "")
    result: int = rpm.labelCompare(a, b)
    return result


@dataclass(frozen=True)
class Dialect:
    """What a family's examples are made of."""

    #: Package versions, in increasing order; then an older and a newer one for installed
    #: packages the repositories do not have.
    versions: tuple[str, ...]
    older: str
    newer: str
    #: Versions that appear in versioned relations.
    constraints: tuple[str, ...]
    negative: tuple[str, ...]
    compare: Callable[[str, str], int]


DIALECTS = {
    Family.DEB: Dialect(
        ("1", "2", "3", "1:1"),
        "0.5",
        "4",
        ("1", "2", "3", "1:1"),
        ("conflicts", "breaks"),
        version_compare,
    ),
    Family.RPM: Dialect(
        ("1-1", "2-1", "2-2", "1:1-1"),
        "0.5-1",
        "4-1",
        ("1", "2", "2-1", "2-2", "1:1"),
        ("conflicts",),
        _rpm_compare,
    ),
}
DIALECTS[Family.SUSE] = DIALECTS[Family.RPM]

_OPERATORS = ("<<", "<=", "=", ">=", ">>")


@st.composite
def alternative(draw: st.DrawFn, dialect: Dialect, targets: Sequence[str]) -> str:
    """A name — a package of the release more often than a virtual one, rarely one nothing
    provides — maybe with a version constraint."""
    real = [t for t in targets if t in NAMES] or list(targets)
    virtual = [t for t in targets if t not in NAMES and t != ABSENT] or list(targets)
    pool = draw(st.sampled_from((real, real, real, virtual, virtual, [ABSENT])))
    name = draw(st.sampled_from([t for t in pool if t in targets] or list(targets)))
    if draw(st.integers(0, 9)) < 7:
        return name
    operator = draw(st.sampled_from(_OPERATORS))
    return f"{name} ({operator} {draw(st.sampled_from(dialect.constraints))})"


@st.composite
def relation(draw: st.DrawFn, dialect: Dialect, targets: Sequence[str], width: int = 3) -> str:
    """``a | b (>= 2)``: one to *width* alternatives, two more often than not."""
    count = min(draw(st.sampled_from((1, 2, 2, 3))), width)
    return " | ".join(draw(alternative(dialect, targets)) for _ in range(count))


@st.composite
def package(
    draw: st.DrawFn, family: Family, name: str, version: str, targets: Sequence[str]
) -> Data:
    dialect = DIALECTS[family]
    data: Data = {"name": name, "version": version}
    others = [t for t in targets if t != name]

    def some(strategy: st.SearchStrategy[str], counts: tuple[int, ...]) -> list[str]:
        return [draw(strategy) for _ in range(draw(st.sampled_from(counts)))]

    fields = {
        "depends": some(relation(dialect, targets), (1, 0, 1, 2)),
        "recommends": some(relation(dialect, targets), (0, 1, 0)),
        "provides": draw(
            st.lists(
                st.sampled_from(VIRTUALS).flatmap(
                    lambda v: st.sampled_from((v, *(f"{v} (= {c})" for c in dialect.constraints)))
                ),
                max_size=1,
            )
        ),
    }
    for kind in dialect.negative:
        fields[kind] = some(relation(dialect, others, width=1), (0, 1, 0))
    if family is Family.DEB and BASE in targets and draw(st.integers(0, 4)) == 0:
        # Pre-Depends only on the base package, which depends on nothing: repogen models the
        # loops through Pre-Depends apt's ordering refuses only as far as the resolver cases
        # `pre-depends-loop-…` show (repogen.families.deb.ordering); drawn freely, they reach
        # apt's loop handling that is not modelled.
        fields["pre_depends"] = [draw(relation(dialect, [BASE], width=1))]
    data.update({kind: value for kind, value in fields.items() if value})
    # Essential, conflicting or not: an installed Essential package conflicting with what is
    # unpacked can make apt's ordering refuse the transaction (repogen.families.deb.ordering).
    if family is Family.DEB and draw(st.integers(0, 7)) == 0:
        data["essential"] = True
    return data


def _provides(data: Data) -> list[tuple[str, str | None]]:
    """The names *data* provides, with their versions: itself, then its provides."""
    found: list[tuple[str, str | None]] = [(data["name"], data["version"])]
    for text in data.get("provides", ()):
        (provided,) = parse_relation(text).alternatives
        found.append((provided.name, provided.constraint.version if provided.constraint else None))
    return found


def _matches(dialect: Dialect, wanted: Alternative, data: Data) -> bool:
    for name, version in _provides(data):
        if name != wanted.name:
            continue
        if wanted.constraint is None:
            return True
        if version is None:
            continue
        order = dialect.compare(version, wanted.constraint.version)
        if {"<<": order < 0, "<=": order <= 0, "=": order == 0, ">=": order >= 0, ">>": order > 0}[
            wanted.constraint.operator
        ]:
            return True
    return False


def consistent(family: Family, installed: list[Data]) -> list[Data]:
    """*installed* without the packages that would leave it broken: unmet dependencies, a
    conflict or break with another installed package, a second version of a name — a
    machine's installed state is consistent."""
    dialect = DIALECTS[family]
    kept = list({data["name"]: data for data in installed}.values())

    def broken(data: Data) -> bool:
        others = [other for other in kept if other is not data]
        for kind in ("depends", "pre_depends"):
            for text in data.get(kind, ()):
                alternatives = parse_relation(text).alternatives
                if not any(_matches(dialect, a, o) for a in alternatives for o in kept):
                    return True
        for kind in dialect.negative:
            for text in data.get(kind, ()):
                alternatives = parse_relation(text).alternatives
                if any(_matches(dialect, a, o) for a in alternatives for o in others):
                    return True
        return False

    while (bad := next((data for data in kept if broken(data)), None)) is not None:
        kept.remove(bad)
    return kept


@st.composite
def universe(draw: st.DrawFn, family: Family) -> Data:
    """Release packages, a base, an installed state (and, on rpm, modules)."""
    dialect = DIALECTS[family]
    names = NAMES[: draw(st.sampled_from((4, 3, 5, 2, 1)))]
    with_base = draw(st.booleans())
    targets = (*names, *VIRTUALS, ABSENT, *((BASE,) if with_base else ()))
    release: list[Data] = []
    for name in names:
        versions = draw(
            st.lists(st.sampled_from(dialect.versions), min_size=1, max_size=2, unique=True)
        )
        release += [draw(package(family, name, v, targets)) for v in versions]
    release = release[: MAX_PACKAGES - 2]
    if family is Family.DEB:
        # Binaries of one source package, each built in its own version.
        shared = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        for item in release:
            if item["name"] in shared:
                item["source"] = f"{SOURCE} ({item['version']})"
    base: list[Data] = []
    if with_base:
        provides = draw(st.lists(st.sampled_from(VIRTUALS), max_size=1))
        base.append({"name": BASE, "version": dialect.versions[0], "provides": provides})
        if draw(st.integers(0, 3)) == 0:  # a release package's name, in another version
            name = draw(st.sampled_from(names))
            taken = {item["version"] for item in release if item["name"] == name}
            versions = [v for v in dialect.versions if v not in taken]
            if versions:
                base.append({"name": name, "version": draw(st.sampled_from(versions))})
    candidates = [*release, *base]
    candidates += [{"name": data["name"], "version": dialect.older} for data in release]
    candidates += [
        {**data, "version": draw(st.sampled_from((dialect.older, dialect.newer)))}
        for data in release
    ]
    candidates.append({"name": FOREIGN, "version": dialect.versions[0]})
    chosen = draw(st.lists(st.sampled_from(candidates), max_size=3))
    data: Data = {"packages": release}
    if base:
        data["base"] = base
    installed = consistent(family, chosen)
    if installed:
        data["installed"] = installed
        if family is not Family.RPM and draw(st.integers(0, 3)) == 0:
            names_installed = sorted({item["name"] for item in installed})
            data["held"] = draw(st.lists(st.sampled_from(names_installed), min_size=1, max_size=1))
    return data


@st.composite
def modules(draw: st.DrawFn, data: Data) -> Data:
    """A module ``mod`` whose streams carry release packages that have one version."""
    counts: dict[str, int] = {}
    for item in data["packages"]:
        counts[item["name"]] = counts.get(item["name"], 0) + 1
    single = sorted(name for name, count in counts.items() if count == 1)
    if not single:
        return data
    streams = []
    for stream in draw(
        st.lists(st.sampled_from(("s1", "s2")), min_size=1, max_size=2, unique=True)
    ):
        artifacts = draw(st.lists(st.sampled_from(single), min_size=1, unique=True))
        profile = draw(st.lists(st.sampled_from(artifacts), min_size=1, unique=True))
        streams.append({"name": stream, "artifacts": artifacts, "profiles": {"default": profile}})
    module: Data = {"name": "mod", "streams": streams}
    default = draw(st.sampled_from([None, *(s["name"] for s in streams)]))
    if default is not None:
        module["default"] = default
    extra: Data = {"modules": [module], "hotfixes": draw(st.integers(0, 4)) == 0}
    if draw(st.integers(0, 2)) == 0:
        extra["enabled"] = {"mod": draw(st.sampled_from([s["name"] for s in streams]))}
        if draw(st.booleans()):
            extra["installed_profiles"] = {"mod": ["default"]}
    return {**data, **extra}


def _nevra(item: Data) -> str:
    epoch, _, rest = str(item["version"]).rpartition(":")
    return f"{item['name']}-{epoch or '0'}:{rest}.noarch"


@st.composite
def _build(draw: st.DrawFn, free: list[str], version: int, requires: Data | None) -> Data | None:
    """A build of versions *version*, its artifacts taken from the *free* NEVRAs."""
    if not free:
        return None
    artifacts = draw(st.lists(st.sampled_from(free), min_size=1, max_size=3, unique=True))
    for artifact in artifacts:
        free.remove(artifact)
    build: Data = {
        "version": version,
        "context": draw(st.sampled_from(("c1", "c2"))),
        "artifacts": sorted(artifacts),
    }
    if requires:
        build["requires"] = requires
    return build


def _dep_needed(build: Data) -> str | None:
    """The stream of ``dep`` *build* requires: None for none, ``""`` for any."""
    if "requires" not in build:
        return None
    streams = build["requires"]["dep"]
    return streams[0] if streams else ""


@st.composite
def modular_channel(draw: st.DrawFn, data: Data) -> Data:
    """Modules as a modular channel lists them (``modules.yaml`` read back): ``mod`` with one
    or two streams of one or two builds each (versions, contexts, exact NEVRAs, several
    versions of a name in different builds), maybe requiring streams of a module ``dep``;
    default streams and default profiles, or none; an enabled or disabled state."""
    free = sorted({_nevra(item) for item in data["packages"]})
    modules: list[Data] = []
    dep_streams: list[str] = []
    if len(free) > 2 and draw(st.booleans()):
        streams = []
        for name in ("d1", "d2"):
            build = draw(_build(free, 1, None))
            if build is not None:
                names = sorted({a.rsplit("-", 2)[0] for a in build["artifacts"]})
                streams.append({"name": name, "profiles": {"default": names}, "builds": [build]})
        dep_streams = [stream["name"] for stream in streams]
        if streams:
            dep: Data = {"name": "dep", "streams": streams}
            if draw(st.booleans()):
                dep["default"] = draw(st.sampled_from(dep_streams))
            modules.append(dep)
    needs = [None, None, {"dep": []}, *({"dep": [name]} for name in dep_streams)]
    streams = []
    for name in draw(st.lists(st.sampled_from(("s1", "s2")), min_size=1, unique=True)):
        builds = []
        for version in draw(
            st.lists(st.sampled_from((1, 2, 3)), min_size=1, max_size=2, unique=True)
        ):
            requires = draw(st.sampled_from(needs)) if dep_streams else None
            build = draw(_build(free, version, requires))
            if build is not None:
                builds.append(build)
        if builds:
            names = sorted({a.rsplit("-", 2)[0] for b in builds for a in b["artifacts"]})
            profile = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
            stream: Data = {"name": name, "profiles": {"default": profile, "all": names}}
            stream["default_profiles"] = draw(st.sampled_from(([], ["default"], ["all"])))
            stream["builds"] = builds
            streams.append(stream)
    if not streams:
        return data
    module: Data = {"name": "mod", "streams": streams}
    if draw(st.booleans()):
        module["default"] = draw(st.sampled_from([s["name"] for s in streams]))
    modules.append(module)
    extra: Data = {"modules": modules}
    state = draw(st.integers(0, 5))
    # A machine's enabled streams are as ``dnf module enable`` leaves them, with the stream of
    # ``dep`` they require: only a stream whose builds need no ``dep`` or one named stream is.
    needs = {s["name"]: {_dep_needed(b) for b in s["builds"]} for s in streams}
    enableable = sorted(
        name for name, found in needs.items() if len(found) == 1 and "" not in found
    )
    if state == 0 and enableable:
        chosen = draw(st.sampled_from(enableable))
        (needed,) = needs[chosen]
        extra["enabled"] = {"mod": chosen, **({"dep": needed} if needed else {})}
    elif state == 1:
        extra["disabled"] = [draw(st.sampled_from([m["name"] for m in modules]))]
    return {**data, **extra}


@st.composite
def pattern(draw: st.DrawFn, data: Data) -> Data:
    """A SUSE pattern ``pt``: a ``patterns-pt`` package providing ``pattern() = pt``."""
    names = sorted({item["name"] for item in data["packages"]})
    dialect = DIALECTS[Family.SUSE]
    package = {
        "name": "patterns-pt",
        "version": dialect.versions[0],
        "provides": ["pattern() (= pt)", "pattern-visible()"],
        "depends": draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)),
        "recommends": draw(st.lists(st.sampled_from(names), max_size=1)),
    }
    return {**data, "packages": [*data["packages"], package]}


def _words(draw: st.DrawFn, data: Data, versions: bool) -> list[str]:
    names = sorted({item["name"] for item in data["packages"]})
    choices: list[str] = [*names, *names, *names, *VIRTUALS, ABSENT]
    if versions:
        choices += [f"{item['name']}={item['version']}" for item in data["packages"]]
    return draw(
        st.lists(
            st.sampled_from(choices),
            min_size=1,
            max_size=2,
            unique_by=lambda word: word.partition("=")[0],
        )
    )


def _removable(data: Data) -> list[str]:
    return sorted({item["name"] for item in data.get("installed", ())})


def _upgrading(draw: st.DrawFn, data: Data) -> bool:
    """Whether to draw an upgrade request: often when something is installed."""
    return bool(_removable(data)) and draw(st.integers(0, 3)) == 0


def _versioned(draw: st.DrawFn, data: Data, spell: Callable[[str, str], str]) -> str:
    """A release package's name with one of its versions, as *spell* writes them."""
    item = draw(st.sampled_from(data["packages"]))
    return spell(item["name"], item["version"])


@st.composite
def apt_request(draw: st.DrawFn, data: Data) -> str:
    if _upgrading(draw, data):
        command = draw(st.sampled_from(("apt-get upgrade", "apt upgrade", "apt-get dist-upgrade")))
        named = draw(st.integers(0, 3)) == 0
        return f"{command} {' '.join(_words(draw, data, versions=True))}" if named else command
    if _removable(data) and draw(st.integers(0, 4)) == 0:
        return f"apt-get remove {draw(st.sampled_from(_removable(data)))}"
    options = draw(st.sampled_from(("", "", "--no-install-recommends ")))
    return f"apt-get install {options}{' '.join(_words(draw, data, versions=True))}"


@st.composite
def dnf_request(draw: st.DrawFn, data: Data) -> str:
    if _upgrading(draw, data):
        name = draw(st.sampled_from(_removable(data)))
        return draw(
            st.sampled_from(
                (
                    "dnf upgrade",
                    f"dnf upgrade {name}",
                    "dnf distro-sync",
                    f"dnf downgrade {name}",
                    f"dnf install {_versioned(draw, data, lambda n, v: f'{n}-{v}')}",
                )
            )
        )
    if _removable(data) and draw(st.integers(0, 4)) == 0:
        return f"dnf remove {draw(st.sampled_from(_removable(data)))}"
    if data.get("modules") and any("builds" in s for s in data["modules"][-1]["streams"]):
        if draw(st.sampled_from((True, True, False))):
            return draw(_module_command(data["modules"]))
    elif data.get("modules") and draw(st.booleans()):
        (module,) = data["modules"]
        stream = draw(st.sampled_from(["", *(f":{s['name']}" for s in module["streams"])]))
        command = draw(st.sampled_from(("install", "install", "enable", "switch-to")))
        profile = "/default" if command != "enable" and draw(st.booleans()) else ""
        erasing = " --allowerasing" if command == "switch-to" and draw(st.booleans()) else ""
        return f"dnf module {command} mod{stream}{profile}{erasing}"
    options = draw(
        st.sampled_from(("", "", "--allowerasing ", "--setopt=install_weak_deps=False "))
    )
    return f"dnf install {options}{' '.join(_words(draw, data, versions=False))}"


@st.composite
def _module_command(draw: st.DrawFn, modules: list[Data]) -> str:
    """A module command on a modular channel: any NSVCAP form (glob, version, context),
    install, enable, disable, reset, switch-to, update, remove --all, or install @M."""
    module = draw(st.sampled_from(modules))
    stream = draw(st.sampled_from(module["streams"]))
    build = draw(st.sampled_from(stream["builds"]))
    spec = draw(
        st.sampled_from(
            (
                module["name"],
                f"{module['name']}:{stream['name']}",
                f"{module['name']}:{stream['name']}:{build['version']}",
                f"{module['name']}:{stream['name']}:{build['version']}:{build['context']}",
                f"{module['name'][0]}*:{stream['name']}",
            )
        )
    )
    command = draw(
        st.sampled_from(
            ("install", "install", "enable", "disable", "reset", "switch-to", "update", "remove")
        )
    )
    if command in {"install", "switch-to", "update"} and draw(st.booleans()):
        spec += draw(st.sampled_from(("/default", "/all", "/*")))
    if command == "install" and draw(st.integers(0, 3)) == 0:
        return f"dnf install '@{spec}'"
    erasing = " --all" if command == "remove" and draw(st.booleans()) else ""
    return f"dnf module {command}{erasing} '{spec}'"


@st.composite
def zypper_request(draw: st.DrawFn, data: Data) -> str:
    if _upgrading(draw, data):
        name = draw(st.sampled_from(_removable(data)))
        old = draw(st.sampled_from(("", "--oldpackage ")))
        return draw(
            st.sampled_from(
                (
                    "zypper update",
                    f"zypper update {name}",
                    "zypper dist-upgrade",
                    f"zypper install {old}{_versioned(draw, data, lambda n, v: f'{n}={v}')}",
                )
            )
        )
    if _removable(data) and draw(st.integers(0, 4)) == 0:
        return f"zypper remove {draw(st.sampled_from(_removable(data)))}"
    options = draw(st.sampled_from(("", "", "--no-recommends ")))
    if any(item["name"] == "patterns-pt" for item in data["packages"]) and draw(st.booleans()):
        return f"zypper install {options}-t pattern pt"
    return f"zypper install {options}{' '.join(_words(draw, data, versions=False))}"


@st.composite
def scenario(draw: st.DrawFn, family: Family) -> Data:
    """One case's data: a universe and a request, for *family*."""
    data = draw(universe(family))
    if family is Family.RPM and draw(st.integers(0, 9)) < 4:
        with_modules = draw(st.sampled_from((modules, modular_channel)))
        data = draw(with_modules(data))
    if family is Family.SUSE and draw(st.integers(0, 9)) < 3:
        data = draw(pattern(data))
    request = {Family.DEB: apt_request, Family.RPM: dnf_request, Family.SUSE: zypper_request}
    return {**data, "request": draw(request[family](data))}
