"""Typed declarations of a release model file, as written in YAML.

These classes describe the *source* form: templates such as ``nvidia-open-{branch}{kernel_suffix}``
are still unexpanded and relations are still text.  :mod:`repogen.model.expand` turns a validated
:class:`ModelFile` into the concrete packages of one target and architecture.

Every class forbids unknown keys and is strict about types, so a ``version: 12.6`` (a YAML float)
is reported at its line instead of silently becoming ``"12.6"``.  Two conveniences are not
ambiguous and are accepted: a single value where a list is expected is a one-element list
(``arches: amd64``, ``when: {family: deb}``), and an unquoted ``date: 2024-10-01``, which YAML
reads as a date, is that date.  The JSON Schema that ``repogen schema`` prints is generated
from these classes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from repogen.families import Family

T = TypeVar("T")


def _one_or_more(value: object) -> object:
    """A single value where a list is expected is a one-element list."""
    return value if isinstance(value, list) or value is None else [value]


class _OneOrMoreSchema:
    """In the JSON Schema, a list or one of its items: editors accept what repogen accepts."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        array = handler(schema)
        items = handler.resolve_ref_schema(array).get("items")
        return array if items is None else {"anyOf": [array, items]}


#: A list in which a single value stands for a one-element list (``arches: amd64``).
OneOrMore = Annotated[list[T], BeforeValidator(_one_or_more), _OneOrMoreSchema()]


def _date_text(value: object) -> object:
    """``2024-10-01`` as YAML reads it unquoted (a date) is the text ``2024-10-01``."""
    # datetime is a subclass of date: a time of day is not a release date, so it stays refused.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


Template = Annotated[str, StringConstraints(min_length=1)]
#: How users install the driver through a package or stream: `latest` follows new branches,
#: `branch` pins the release's branch (nvidia-packaging.md §1, the install-command table).
Entry = Literal["latest", "branch"]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class Declaration(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class KernelModuleFlavor(StrEnum):
    """Which GPU kernel modules a package provides."""

    OPEN = "open"
    PROPRIETARY = "proprietary"


# Enums are given as their string values in YAML; strict mode would demand enum instances.
FamilyName = Annotated[Family, Strict(False)]
FlavorName = Annotated[KernelModuleFlavor, Strict(False)]


class Release(Declaration):
    """The release itself: what every template variable is derived from."""

    name: Template = Field(description="Release name, e.g. cuda-12.6.0")
    cuda: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")] | None = Field(
        default=None,
        description="CUDA version, e.g. 12.6.0; none for a driver-only release (a new driver "
        "branch without a CUDA release), whose templates then have no {cuda…} variables",
    )
    driver: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")] = Field(
        description="Full driver version, e.g. 560.28.03; its first part is the branch"
    )
    default_flavor: FlavorName = Field(
        description="Kernel-module flavor that installing `cuda` selects"
    )
    date: Annotated[
        str,
        BeforeValidator(_date_text),
        StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    ] = Field(description="Release date (YYYY-MM-DD); the default SOURCE_DATE_EPOCH of builds")

    @property
    def versions(self) -> str:
        """``CUDA 12.6.0, driver 560.28.03``, or ``driver 565.57.01`` for a driver-only
        release."""
        cuda = f"CUDA {self.cuda}, " if self.cuda else ""
        return f"{cuda}driver {self.driver}"


class KernelFlavor(Declaration):
    """A kernel flavor (SUSE `default`, `azure`, `64kb`) and the metapackage suffix it gives."""

    suffix: str = Field(description="Appended to metapackage names: '' for default, '-azure'")
    arches: OneOrMore[Identifier] = Field(
        min_length=1, description="Canonical architectures (x86_64, aarch64) the flavor exists on"
    )


#: How a version looks in each family, as a template keyed by family name
#: (`{deb: "{driver}-0ubuntu1", rpm: "3:{driver}-1"}`).  A family's form is needed only when
#: the model has a target of that family (one that does not set the scheme in its own
#: `versions`); expansion reports the missing ones.
VersionScheme = dict[FamilyName, Template]


#: The name of the base of a target read from published metadata (``Target.base``): its
#: packages are stubs assumed for what the repository depends on (:mod:`repogen.index.stubs`),
#: not declared.
ASSUMED = "assumed"


class Target(Declaration):
    """One distribution a release is published for."""

    family: FamilyName
    distro: Identifier = Field(description="Distribution name as in os-release ID (ubuntu, rhel)")
    release: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="Distribution release, e.g. 22.04 or 9"
    )
    arches: OneOrMore[Identifier] = Field(
        min_length=1, description="Repository architectures in the family's own names"
    )
    suite: Identifier | None = Field(default=None, description="APT suite/codename (deb only)")
    # The characters rpmbuild allows in Release, which the tag is appended to.
    dist: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._+~^]{1,64}$")] | None = Field(
        default=None, description="RPM dist tag appended to Release, '.el9'"
    )
    platform: Identifier | None = Field(
        default=None, description="Module platform stream, e.g. el9 (modular targets)"
    )
    modular: bool = Field(default=False, description="dnf modularity (module streams) in use")
    drivers: bool = Field(default=True, description="False where no driver may be installed (WSL)")
    kernel_flavors: dict[Identifier, OneOrMore[Identifier]] = Field(
        default_factory=dict,
        description="Kernel flavors per architecture; an architecture not listed has `default`",
    )
    kernel: str | None = Field(
        default=None, description="Kernel version precompiled kmods are built for"
    )
    kernel_dist: str | None = Field(
        default=None,
        description="That kernel's dist tag (.el8_10), which its release ends in: "
        "the `{kernel_dist}` of the kmods' relations",
    )
    base: Identifier | None = Field(
        default=None,
        description="Name of the base package set under `bases`; none: no base packages",
    )
    versions: dict[Identifier, Template] = Field(
        default_factory=dict, description="Per-target version scheme overrides for this family"
    )


class BasePackage(Declaration):
    """A package the distribution itself supplies (dkms, linux-firmware, Xorg …)."""

    name: Template
    version: str = Field(default="1.0-1", description="Version in the family's syntax")
    provides: OneOrMore[Template] = Field(default_factory=list)


class Placement(Protocol):
    """One repository of a target on one architecture, as target selection sees it (a
    concrete repository, or one being expanded)."""

    @property
    def target_name(self) -> str: ...
    @property
    def target(self) -> Target: ...
    @property
    def canonical_arch(self) -> str: ...


class TargetSelector(Declaration):
    """Which repositories something applies to: an assertion's ``targets``, and the target
    part of a package's ``when``.  Every given condition must hold."""

    target: OneOrMore[Identifier] | None = None
    family: OneOrMore[FamilyName] | None = None
    distro: OneOrMore[Identifier] | None = None
    arch: OneOrMore[Identifier] | None = Field(default=None, description="Canonical architectures")
    modular: bool | None = None
    drivers: bool | None = None

    def selects(self, place: Placement) -> bool:
        """Whether every given condition holds on *place*."""
        target = place.target
        return all(
            (
                self.target is None or place.target_name in self.target,
                self.family is None or target.family in self.family,
                self.distro is None or target.distro in self.distro,
                self.arch is None or place.canonical_arch in self.arch,
                self.modular is None or target.modular == self.modular,
                self.drivers is None or target.drivers == self.drivers,
            )
        )


class When(TargetSelector):
    """Conditions under which a package exists: a target selector, and the kernel flavors
    (a package expanded per kernel flavor exists for some of them only)."""

    kernel: OneOrMore[Identifier] | None = Field(default=None, description="Kernel flavors")

    def applies(self, place: Placement, kernel: str) -> bool:
        """Whether every given condition holds on *place* for the kernel flavor *kernel*."""
        return self.selects(place) and (self.kernel is None or kernel in self.kernel)


class RelationFields(Declaration):
    """The relation fields shared by packages and their overrides.

    Each list item is one relation group in a family-neutral Debian-like syntax:
    ``name``, ``name (>= 1.0)``, ``a (>= 1) | b`` (alternatives).  Items are templates.
    """

    depends: OneOrMore[Template] | None = None
    pre_depends: OneOrMore[Template] | None = None
    recommends: OneOrMore[Template] | None = None
    suggests: OneOrMore[Template] | None = None
    enhances: OneOrMore[Template] | None = None
    supplements: OneOrMore[Template] | None = None
    conflicts: OneOrMore[Template] | None = None
    breaks: OneOrMore[Template] | None = None
    replaces: OneOrMore[Template] | None = None
    obsoletes: OneOrMore[Template] | None = None
    provides: OneOrMore[Template] | None = None


class PackageOverride(RelationFields):
    """Fields a family or a target replaces; unset fields keep the package's value."""

    name: Template | None = None
    version: Identifier | None = None
    summary: Template | None = None
    description: Template | None = None
    arch: Annotated[str, StringConstraints(pattern=r"^(all|any)$")] | None = None
    kernel_module: FlavorName | None = None
    entry: Entry | None = None


class Package(RelationFields):
    """A package, written once for every family, target and kernel flavor it exists on."""

    name: Template
    version: Identifier = Field(description="Name of a version scheme under `versions`")
    summary: Template
    description: Template | None = None
    section: Identifier = "metapackages"
    arch: Annotated[str, StringConstraints(pattern=r"^(all|any)$")] = Field(
        default="all", description="all: architecture-independent; any: built per architecture"
    )
    kernel_module: FlavorName | None = Field(
        default=None, description="Set on the packages that provide GPU kernel modules"
    )
    entry: Entry | None = Field(
        default=None, description="This package is how users install the driver (latest/branch)"
    )
    component: bool = Field(
        default=False,
        description="A real driver/toolkit package; repogen renders an empty stand-in for it",
    )
    when: When | None = None
    foreach_kernel: bool = Field(
        default=False, description="Expand once per kernel flavor of the target architecture"
    )
    matrix: dict[Identifier, OneOrMore[Template]] = Field(
        default_factory=dict,
        description="Expand once per combination of the values of these variables",
    )
    # One key per family, as the model format writes them; code reads them through
    # `overrides`, so that no code outside this class names a family.
    deb: PackageOverride | None = None
    rpm: PackageOverride | None = None
    suse: PackageOverride | None = None
    targets: dict[Identifier, PackageOverride] = Field(default_factory=dict)

    @property
    def overrides(self) -> Mapping[Family, PackageOverride]:
        """The family overrides the package has (its `deb:`, `rpm:`, `suse:` keys), by family."""
        written = ((family, getattr(self, family.value)) for family in Family)
        return {family: override for family, override in written if override is not None}


class Pattern(RelationFields):
    """A SUSE pattern, rendered as a `patterns-cuda-NAME` package providing `pattern() = NAME`."""

    name: Template
    summary: Template
    description: Template | None = None
    version: Identifier = "cuda"
    visible: bool = True
    order: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] = "1000"
    category: Template = "CUDA"
    # The value of a `pattern-icon() = ICON` provide: one word.
    icon: Annotated[str, StringConstraints(pattern=r"^\S+$")] | None = None
    when: When | None = None
    foreach_kernel: bool = False


class Profile(Declaration):
    description: Template | None = None
    rpms: OneOrMore[Template] = Field(min_length=1)


class ModuleStream(Declaration):
    """One stream of a dnf module; `kmod` is the stream's kernel-module package."""

    name: Template
    summary: Template
    kmod: Template
    when: When | None = None
    entry: Entry | None = Field(
        default=None, description="This stream is how users install the driver (latest/branch)"
    )
    artifacts: OneOrMore[Template] = Field(
        default_factory=list, description="Artifacts beyond the module's common ones"
    )
    profiles: dict[Identifier, Profile] = Field(
        default_factory=dict, description="Profiles beyond (or replacing) the module's common ones"
    )
    without_profiles: OneOrMore[Identifier] = Field(
        default_factory=list, description="Common profiles this stream does not have"
    )


class DnfModule(Declaration):
    """A dnf module such as `nvidia-driver`, published on modular targets."""

    summary: Template
    description: Template
    license: OneOrMore[Template] = Field(min_length=1)
    default_stream: Template | None = None
    default_profile: Identifier = "default"
    artifacts: OneOrMore[Template] = Field(min_length=1, description="Artifacts of every stream")
    profiles: dict[Identifier, Profile] = Field(
        min_length=1, description="Profiles of every stream; `{kmod}` is the stream's kmod"
    )
    streams: OneOrMore[ModuleStream] = Field(min_length=1)


class ModelFile(Declaration):
    """A whole release model, after its includes are merged."""

    include: OneOrMore[str] = Field(
        default_factory=list, description="Files merged under this one, relative to it"
    )
    release: Release
    # Who maintains the packages and under which license is the vendor's to say: no default.
    maintainer: Template = Field(
        description="Maintainer of every package, e.g. 'Example Packaging <pkg@example.com>'"
    )
    license: Template = Field(description="License of every package (rpm License, modules)")
    assertions: OneOrMore[str] = Field(
        default_factory=list,
        description="Assertion files or directories `repogen check` runs by default, "
        "relative to the file naming them",
    )
    kernel_flavors: dict[Identifier, KernelFlavor] = Field(
        default_factory=lambda: {"default": KernelFlavor(suffix="", arches=["x86_64", "aarch64"])}
    )
    versions: dict[Identifier, VersionScheme] = Field(min_length=1)
    # NVIDIA's RPM toolkit metapackages carry no dist tag while its driver packages do
    # (nvidia-packaging.md §8): the tag is a property of the scheme, not of the target alone.
    dist_tagged: OneOrMore[Identifier] | None = Field(
        default=None,
        description="Version schemes whose versions carry a target's dist tag (families that "
        "use dist tags); none given: every scheme",
    )
    targets: dict[Identifier, Target] = Field(min_length=1)
    bases: dict[Identifier, OneOrMore[BasePackage]] = Field(default_factory=dict)
    packages: OneOrMore[Package] = Field(min_length=1)
    patterns: OneOrMore[Pattern] = Field(default_factory=list)
    modules: dict[Identifier, DnfModule] = Field(
        default_factory=dict, description="dnf modules by name, e.g. nvidia-driver"
    )
