"""Resolver cases as data (fixtures/resolver-cases/*.yaml): small repositories, a request and
the expected resolution.  Shared by the in-process tests and the real-client conformance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from repogen.families import driver
from repogen.families.rpm.versions import artifact_name
from repogen.model import (
    Family,
    ModuleObsoletes,
    ModuleSpec,
    PackageSpec,
    RelationKind,
    Repository,
    StreamBuild,
    StreamSpec,
)
from repogen.model.declarations import Target
from repogen.model.relations import Relation, parse_relation
from repogen.resolve.request import Request, parse_request
from repogen.resolve.result import PackageRef, Resolution
from repogen.resolve.universe import InstalledState, Universe

CASES = Path(__file__).resolve().parent.parent / "fixtures" / "resolver-cases"
MACHINE_ARCH = {Family.DEB: "amd64", Family.RPM: "x86_64", Family.SUSE: "x86_64"}

#: The target a case's repository is published for by the real engine: Debian 12, a modular
#: EL9, SLE 15, each on x86_64.
TARGETS = {
    Family.DEB: Target(
        family=Family.DEB,
        distro="debian",
        release="12",
        arches=["amd64"],
        suite="bookworm",
        base="cases",
    ),
    Family.RPM: Target(
        family=Family.RPM,
        distro="rhel",
        release="9",
        arches=["x86_64"],
        dist=".el9",
        platform="el9",
        modular=True,
        base="cases",
    ),
    Family.SUSE: Target(
        family=Family.SUSE, distro="sles", release="15", arches=["x86_64"], base="cases"
    ),
}


def repository_for(universe: Universe) -> Repository:
    """The repository a universe's release packages and modules are published as."""
    return Repository(
        target_name=f"cases-{universe.family}",
        target=TARGETS[universe.family],
        arch=TARGETS[universe.family].arches[0],
        canonical_arch="x86_64",
        packages=universe.release,
        modules=universe.modules,
    )


@dataclass(frozen=True)
class Case:
    name: str
    family: Family
    universe: Universe
    request: Request
    expect: dict[str, Any]
    #: Why the real client answers otherwise, where repogen deliberately does not model it.
    not_modelled: str | None = None

    @property
    def repository(self) -> Repository:
        return repository_for(self.universe)

    def differences(self, resolution: Resolution) -> list[str]:
        """How *resolution* differs from the expectation (empty when it matches)."""
        problems = []
        ok = self.expect.get("ok", True)
        if resolution.ok != ok:
            return [f"ok is {resolution.ok}, expected {ok}: {resolution.problems}"]
        for key in ("install", "upgrade", "remove"):
            if key in self.expect or (key == "install" and ok):
                wanted = self.expect.get(key, [])
                got: tuple[PackageRef, ...] = getattr(resolution, key)
                if not _matches(wanted, got):
                    problems.append(
                        f"{key}: {[f'{r.name}={r.version}' for r in got]}, expected {wanted}"
                    )
        for key in ("modules", "disabled"):
            got_names = sorted(getattr(resolution, key))
            if key in self.expect and got_names != sorted(self.expect[key]):
                problems.append(f"{key}: {got_names}, expected {sorted(self.expect[key])}")
        return problems


def _matches(wanted: list[str], got: tuple[PackageRef, ...]) -> bool:
    if len(wanted) != len(got):
        return False
    remaining = list(got)
    for item in wanted:
        name, _, version = item.partition("=")
        found = next((r for r in remaining if r.name == name and version in ("", r.version)), None)
        if found is None:
            return False
        remaining.remove(found)
    return True


def _relation(text: str, family: Family) -> Relation:
    """*text* as the model reads it: a rich dependency (``(a if b)``) where the family has them."""
    if text.startswith("(") and driver(family).rich_dependencies:
        return driver(family).rich_relation(text)
    return parse_relation(text)


def package(data: dict[str, Any], family: Family) -> PackageSpec:
    relations = {
        kind: tuple(_relation(text, family) for text in data.get(kind.value, ()))
        for kind in RelationKind
        if data.get(kind.value)
    }
    return PackageSpec(
        name=data["name"],
        version=str(data["version"]),
        arch=data.get("arch", driver(family).noarch),
        summary=data["name"],
        description="",
        section="test",
        relations=relations,
        kernel_module=data.get("kernel_module"),
        source=data.get("source"),
        essential=data.get("essential", False),
        protected=data.get("protected", False),
    )


def _build(data: dict[str, Any]) -> StreamBuild:
    requires = tuple(
        sorted((module, tuple(streams)) for module, streams in data.get("requires", {}).items())
    )
    return StreamBuild(
        int(data["version"]),
        str(data["context"]),
        tuple(data["artifacts"]),
        requires,
        # ``platform: el8``: a build for another platform than the cases' target's
        tuple(str(p) for p in data.get("platform", ())),
    )


def _stream(module: str, data: dict[str, Any]) -> StreamSpec:
    """A stream: ``artifacts`` names the repository's packages, or ``builds`` list versions,
    contexts and exact artifacts ``N-E:V-R.A`` (several versions of a name in one case);
    ``default_profiles`` lists the stream's default profiles as a defaults document does
    (without it: the module's ``default`` profile, where the stream has one)."""
    builds = tuple(_build(b) for b in data.get("builds", ()))
    names = data.get("artifacts") or sorted({artifact_name(a) for b in builds for a in b.artifacts})
    defaults = data.get("default_profiles")
    return StreamSpec(
        module,
        str(data["name"]),
        str(data["name"]),
        None,
        tuple(names),
        {k: tuple(v) for k, v in data.get("profiles", {}).items()},
        builds=builds,
        default_profiles=None if defaults is None else tuple(defaults),
    )


def _modulemd_time(text: object) -> int:
    """libmodulemd's ``YYYYMMDDhhmm`` of a document's ``2020-05-01T00:00Z``."""
    return int("".join(c for c in str(text) if c.isdigit()))


def _obsoletes(data: dict[str, Any]) -> ModuleObsoletes:
    by = data.get("obsoleted_by")
    return ModuleObsoletes(
        stream=str(data["stream"]),
        modified=_modulemd_time(data["modified"]),
        context=None if data.get("context") is None else str(data["context"]),
        reset=bool(data.get("reset", False)),
        eol_date=_modulemd_time(data["eol_date"]) if "eol_date" in data else 0,
        obsoleted_by=(str(by["module"]), str(by["stream"])) if by else None,
        message=str(data.get("message", "")),
    )


def _module(data: dict[str, Any], obsoletes: list[dict[str, Any]]) -> ModuleSpec:
    """A module; *obsoletes* are a case's ``modulemd-obsoletes`` documents (their ``data``),
    of which those naming this module are its own."""
    streams = tuple(_stream(data["name"], s) for s in data["streams"])
    return ModuleSpec(
        data["name"],
        data["name"],
        data["name"],
        ("MIT",),
        streams,
        None if data.get("default") is None else str(data["default"]),
        "default",
        tuple(_obsoletes(o) for o in obsoletes if o["module"] == data["name"]),
    )


def case_of(family: Family, data: dict[str, Any]) -> Case:
    """The case *data* describes (one item of a file's ``cases``)."""
    release = tuple(package(p, family) for p in data["packages"])
    base = tuple(package(p, family) for p in data.get("base", ()))
    # ``obsoletes``: lists of modulemd-obsoletes documents' ``data`` (one list a repository).
    obsoletes = [o for documents in data.get("obsoletes", ()) for o in documents]
    installed = InstalledState(
        tuple(package(p, family) for p in data.get("installed", ())),
        dict(data.get("enabled", {})),
        {module: tuple(names) for module, names in data.get("installed_profiles", {}).items()},
        tuple(data.get("disabled", ())),
        {
            module: str(local.get("stream") if isinstance(local, dict) else local)
            for module, local in data.get("local_defaults", {}).items()
            if not isinstance(local, dict) or "stream" in local
        },
        {
            module: {str(s): tuple(p) for s, p in local["profiles"].items()}
            for module, local in data.get("local_defaults", {}).items()
            if isinstance(local, dict) and "profiles" in local
        },
        frozenset(data.get("held", ())),
    )
    universe = Universe(
        family=family,
        arch=MACHINE_ARCH[family],
        release=release,
        base=base,
        modules=tuple(_module(m, obsoletes) for m in data.get("modules", ())),
        platform=TARGETS[family].platform,
        installed=installed,
        # ``hotfixes: true``: module_hotfixes=1 on the release repository; ``base``: on the
        # base repository, a hotfix repository beside the modular one.
        hotfixes=data.get("hotfixes") is True,
        base_hotfixes=data.get("hotfixes") == "base",
        include_packages={
            repository: tuple(names) for repository, names in data.get("includepkgs", {}).items()
        },
    )
    return Case(
        data.get("name", "generated"),
        family,
        universe,
        parse_request(data["request"]),
        data.get("expect", {}),
        data.get("not_modelled"),
    )


def load_cases(file: Path) -> list[Case]:
    document = yaml.safe_load(file.read_text())
    family = Family(document["family"])
    return [case_of(family, data) for data in document["cases"]]


def all_cases() -> list[Case]:
    return [case for file in sorted(CASES.glob("*.yaml")) for case in load_cases(file)]
