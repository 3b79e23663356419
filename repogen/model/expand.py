"""Expansion: from the declarations to the concrete repositories of every target and arch.

Expansion is also where the model's meaning is checked: templates, versions and names per
family, relation syntax, references to unknown packages, duplicates, kernel flavors per arch,
module profiles.  Problems are collected, not raised one by one, so a user sees them all.  A
problem that shows on several targets is reported once, naming the targets.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from repogen.model.concrete import (
    ARCHES,
    FAMILY_RELATIONS,
    NOARCH,
    PACKAGE_ARCH,
    PULLING,
    BaseSpec,
    ModuleSpec,
    PackageSpec,
    PatternAttributes,
    RelationKind,
    Repository,
    StreamSpec,
)
from repogen.model.declarations import (
    DnfModule,
    Family,
    ModelFile,
    Package,
    PackageOverride,
    Pattern,
    Target,
    When,
)
from repogen.model.errors import ModelErrors, ModelPath
from repogen.model.relations import (
    Alternative,
    Constraint,
    Operator,
    Relation,
    RelationSyntaxError,
    parse_relation,
)
from repogen.model.source import Document
from repogen.model.templates import TemplateError, fill, release_variables
from repogen.model.versions import name_problem, version_problem

_RELATION_KINDS = tuple(RelationKind)
_PACKAGE_FIELDS = (
    "name",
    "version",
    "summary",
    "description",
    "arch",
    "kernel_module",
    "entry",
    *(kind.value for kind in RelationKind),
)


@dataclass(frozen=True)
class _Place:
    """One repository being expanded."""

    target_name: str
    target: Target
    arch: str
    canonical_arch: str

    def __str__(self) -> str:
        return f"{self.target_name}/{self.arch}"

    @property
    def family(self) -> Family:
        return self.target.family


class _Problems:
    """Collects problems; the same problem on several repositories is reported once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.places: dict[tuple[ModelPath, str], list[str]] = defaultdict(list)

    def add(self, path: ModelPath, message: str, place: object | None = None) -> None:
        """Record a problem at *path*, seen on *place* (a repository, or a finer label)."""
        where = self.places[(path, message)]
        if place is not None and str(place) not in where:
            where.append(str(place))

    def raise_any(self) -> None:
        if not self.places:
            return
        errors = []
        for (path, message), where in self.places.items():
            text = message
            if where:
                shown = ", ".join(where[:3]) + (
                    f" and {len(where) - 3} more" if len(where) > 3 else ""
                )
                text = f"{message} (on {shown})"
            errors.append(self.document.error(path, text))
        raise ModelErrors(errors)


def _applies(when: When | None, place: _Place, kernel: str) -> bool:
    if when is None:
        return True
    checks = (
        when.family is None or place.family in when.family,
        when.distro is None or place.target.distro in when.distro,
        when.target is None or place.target_name in when.target,
        when.arch is None or place.canonical_arch in when.arch,
        when.modular is None or place.target.modular == when.modular,
        when.drivers is None or place.target.drivers == when.drivers,
        when.kernel is None or kernel in when.kernel,
    )
    return all(checks)


class _Expander:
    def __init__(self, model: ModelFile, document: Document) -> None:
        self.model = model
        self.problems = _Problems(document)
        self.release_vars = release_variables(model.release)
        # Every package of a repository and kernel flavor sees the same variables; the
        # versions among them are filled and checked once, not once per package.
        self.place_variables: dict[tuple[str, str, str], dict[str, str]] = {}
        #: Packages of each repository left out because their version scheme has no usable
        #: form there: that is reported once, and a relation naming them is not a second error.
        self.unversioned: dict[str, set[str]] = defaultdict(set)

    # -- helpers ---------------------------------------------------------------------------

    def fill(
        self,
        template: str,
        variables: Mapping[str, str],
        path: ModelPath,
        place: _Place | None = None,
    ) -> str | None:
        try:
            return fill(template, variables)
        except TemplateError as exc:
            self.problems.add(path, str(exc), place)
            return None

    def fill_optional(
        self,
        template: str | None,
        variables: Mapping[str, str],
        path: ModelPath,
        place: _Place | None = None,
    ) -> str | None:
        """Like :meth:`fill`, for a field that may be absent."""
        return None if template is None else self.fill(template, variables, path, place)

    def kernels(self, place: _Place) -> list[str]:
        return place.target.kernel_flavors.get(place.arch, ["default"])

    def variables(self, place: _Place, kernel: str) -> dict[str, str]:
        """The variables of *place* and *kernel*: a fresh copy the caller may extend."""
        key = (place.target_name, place.arch, kernel)
        if key not in self.place_variables:
            self.place_variables[key] = self.place_kernel_variables(place, kernel)
        return dict(self.place_variables[key])

    def place_kernel_variables(self, place: _Place, kernel: str) -> dict[str, str]:
        variables = dict(self.release_vars)
        flavor = self.model.kernel_flavors.get(kernel)
        variables.update(
            target=place.target_name,
            distro=place.target.distro,
            dist=place.target.dist or "",
            arch=place.arch,
            kernel=kernel,
            kernel_suffix=flavor.suffix if flavor else "",
            kernel_version=place.target.kernel or "",
        )
        for scheme, version in self.versions(place).items():
            variables[f"{scheme}_version"] = version
        return variables

    def versions(self, place: _Place) -> dict[str, str]:
        """The full version of every scheme on *place*, dist tag included."""
        versions = {}
        for scheme, forms in self.model.versions.items():
            path: ModelPath = ("versions", scheme, place.family.value)
            template = getattr(forms, place.family.value)
            if scheme in place.target.versions:
                template = place.target.versions[scheme]
                path = ("targets", place.target_name, "versions", scheme)
            if template is None:
                continue  # check_version_forms reports the missing form once
            version = self.fill(template, self.release_vars, path, place)
            if version is None:
                continue
            problem = version_problem(place.family, version)
            if problem is not None:
                self.problems.add(path, problem, place)
                continue
            if place.family is not Family.DEB and place.target.dist:
                version += place.target.dist
            versions[scheme] = version
        return versions

    # -- targets ---------------------------------------------------------------------------

    def places(self) -> Iterator[_Place]:
        for name, target in self.model.targets.items():
            path: ModelPath = ("targets", name)
            known = ARCHES[target.family]
            self.check_target(name, target)
            for index, arch in enumerate(target.arches):
                if arch not in known:
                    self.problems.add(
                        (*path, "arches", index),
                        f"unknown {target.family} architecture {arch!r}; expected "
                        f"one of {', '.join(known)}",
                    )
                    continue
                place = _Place(name, target, arch, known[arch])
                self.check_kernel_flavors(place)
                yield place

    def check_target(self, name: str, target: Target) -> None:
        path: ModelPath = ("targets", name)
        if target.family is Family.DEB and target.suite is None:
            self.problems.add(path, "a deb target needs `suite` (the APT suite name)")
        if target.modular and target.family is not Family.RPM:
            self.problems.add((*path, "modular"), "only rpm (dnf) targets can be modular")
        if target.modular and target.family is Family.RPM and target.platform is None:
            self.problems.add(path, "a modular target needs `platform` (e.g. el9)")
        if target.base is not None and target.base not in self.model.bases:
            self.problems.add((*path, "base"), f"unknown base package set {target.base!r}")
        for scheme in target.versions:
            if scheme not in self.model.versions:
                self.problems.add((*path, "versions", scheme), f"unknown version scheme {scheme!r}")
        for arch in target.kernel_flavors:
            if arch not in target.arches:
                self.problems.add(
                    (*path, "kernel_flavors", arch),
                    f"kernel flavors for {arch!r}, which is not in `arches`",
                )

    def check_version_forms(self) -> None:
        """Each scheme has the form of every family a target needs it in.

        A model without SUSE targets need not say how a version looks on SUSE; a target that
        sets the scheme in its own `versions` needs no family form either.
        """
        for scheme, forms in self.model.versions.items():
            needing: dict[Family, list[str]] = defaultdict(list)
            for name, target in self.model.targets.items():
                if scheme not in target.versions and getattr(forms, target.family.value) is None:
                    needing[target.family].append(name)
            for family, targets in needing.items():
                self.problems.add(
                    ("versions", scheme),
                    f"no `{family}` form of version scheme {scheme!r}, which the {family} "
                    f"target{'s' if len(targets) > 1 else ''} {', '.join(targets)} "
                    f"need{'' if len(targets) > 1 else 's'}",
                )

    def check_kernel_flavors(self, place: _Place) -> None:
        path: ModelPath = ("targets", place.target_name, "kernel_flavors", place.arch)
        for index, kernel in enumerate(self.kernels(place)):
            flavor = self.model.kernel_flavors.get(kernel)
            if flavor is None:
                self.problems.add((*path, index), f"unknown kernel flavor {kernel!r}")
            elif place.canonical_arch not in flavor.arches:
                self.problems.add(
                    (*path, index),
                    f"kernel flavor {kernel!r} does not exist on "
                    f"{place.canonical_arch} (only {', '.join(flavor.arches)})",
                )

    def check_when(self, when: When | None, path: ModelPath) -> None:
        if when is None or when.kernel is None:
            return
        for index, kernel in enumerate(when.kernel):
            if kernel not in self.model.kernel_flavors:
                self.problems.add(
                    (*path, "when", "kernel", index), f"unknown kernel flavor {kernel!r}"
                )

    # -- packages --------------------------------------------------------------------------

    def effective(
        self, package: Package, index: int, place: _Place
    ) -> tuple[dict[str, Any], dict[str, ModelPath]]:
        """The package's fields after its family and target overrides, and where each came from."""
        own: ModelPath = ("packages", index)
        fields = {name: getattr(package, name) for name in _PACKAGE_FIELDS}
        origins = dict.fromkeys(_PACKAGE_FIELDS, own)
        layers: list[tuple[PackageOverride | None, ModelPath]] = [
            (getattr(package, place.family.value), (*own, place.family.value)),
            (package.targets.get(place.target_name), (*own, "targets", place.target_name)),
        ]
        for override, path in layers:
            if override is None:
                continue
            for name in override.model_fields_set:
                fields[name] = getattr(override, name)
                origins[name] = path
        return fields, origins

    def relations(
        self,
        fields: Mapping[str, Any],
        origins: Mapping[str, ModelPath],
        variables: Mapping[str, str],
        place: _Place,
        references: list[tuple[Relation, ModelPath]],
    ) -> dict[RelationKind, tuple[Relation, ...]]:
        relations: dict[RelationKind, tuple[Relation, ...]] = {}
        allowed = FAMILY_RELATIONS[place.family]
        for kind in _RELATION_KINDS:
            items = fields.get(kind)  # a StrEnum member is its value as a key
            if not items:
                continue
            path = (*origins[kind], kind.value)
            if kind not in allowed:
                having = [f.value for f, kinds in FAMILY_RELATIONS.items() if kind in kinds]
                self.problems.add(
                    path,
                    f"`{kind}` exists only in {' and '.join(having)} packages; "
                    "set it in a family override",
                    place,
                )
                continue
            parsed = []
            for item_index, item in enumerate(items):
                item_path = (*path, item_index)
                text = self.fill(item, variables, item_path, place)
                if text is None:
                    continue
                try:
                    relation = parse_relation(text)
                except RelationSyntaxError as exc:
                    self.problems.add(item_path, f"relation syntax error: {exc}", place)
                    continue
                if self.relation_ok(relation, kind, item_path, place):
                    parsed.append(relation)
                    if kind in PULLING:
                        references.append((relation, item_path))
            relations[kind] = tuple(parsed)
        return relations

    def relation_ok(
        self, relation: Relation, kind: RelationKind, path: ModelPath, place: _Place
    ) -> bool:
        ok = True
        for alternative in relation.alternatives:
            if alternative.qualifier is not None and place.family is not Family.DEB:
                self.problems.add(
                    path,
                    f"architecture qualifier ':{alternative.qualifier}' "
                    f"exists only in deb relations",
                    place,
                )
                ok = False
            constraint = alternative.constraint
            if (
                kind is RelationKind.PROVIDES
                and constraint is not None
                and constraint.operator is not Operator.EQ
            ):
                self.problems.add(path, "a versioned provide takes only '='", place)
                ok = False
        if len(relation.alternatives) > 1 and kind in (
            RelationKind.PROVIDES,
            RelationKind.OBSOLETES,
            RelationKind.REPLACES,
        ):
            self.problems.add(path, f"`{kind}` cannot have alternatives", place)
            ok = False
        return ok

    def package(
        self,
        package: Package,
        index: int,
        place: _Place,
        kernel: str,
        matrix: Mapping[str, str],
        references: list[tuple[Relation, ModelPath]],
    ) -> PackageSpec | None:
        fields, origins = self.effective(package, index, place)
        variables = self.variables(place, kernel)
        for key, value in matrix.items():
            filled = self.fill(value, variables, ("packages", index, "matrix", key), place)
            variables[key] = filled if filled is not None else value
        name = self.fill(fields["name"], variables, (*origins["name"], "name"), place)
        summary = self.fill(fields["summary"], variables, (*origins["summary"], "summary"), place)
        description = self.fill_optional(
            fields["description"], variables, (*origins["description"], "description"), place
        )
        scheme = fields["version"]
        version = variables.get(f"{scheme}_version")
        if scheme not in self.model.versions:
            self.problems.add(
                (*origins["version"], "version"),
                f"unknown version scheme {scheme!r}; expected one of "
                f"{', '.join(self.model.versions)}",
            )
        relations = self.relations(fields, origins, variables, place, references)
        # A broken summary is reported once; the package still exists for the other checks.
        if name is None or version is None:
            if name is not None:
                self.unversioned[str(place)].add(name)
            return None
        problem = name_problem(place.family, name)
        if problem is not None:
            self.problems.add((*origins["name"], "name"), problem, place)
            return None
        arch = (
            NOARCH[place.family]
            if fields["arch"] == "all"
            else PACKAGE_ARCH[place.family][place.canonical_arch]
        )
        return PackageSpec(
            name=name,
            version=version,
            arch=arch,
            summary=summary or "",
            description=description or summary or "",
            section=package.section,
            relations=relations,
            kernel_module=fields["kernel_module"],
            entry=fields["entry"],
            component=package.component,
            origin=("packages", index),
        )

    def pattern(
        self,
        pattern: Pattern,
        index: int,
        place: _Place,
        kernel: str,
        references: list[tuple[Relation, ModelPath]],
    ) -> PackageSpec | None:
        path: ModelPath = ("patterns", index)
        variables = self.variables(place, kernel)
        fields = {
            name: getattr(pattern, name)
            for name in _PACKAGE_FIELDS
            if name in type(pattern).model_fields
        }
        origins = dict.fromkeys(fields, path)
        name = self.fill(pattern.name, variables, (*path, "name"), place)
        summary = self.fill(pattern.summary, variables, (*path, "summary"), place)
        description = self.fill_optional(
            pattern.description, variables, (*path, "description"), place
        )
        icon = self.fill_optional(pattern.icon, variables, (*path, "icon"), place)
        category = self.fill(pattern.category, variables, (*path, "category"), place)
        version = variables.get(f"{pattern.version}_version")
        if pattern.version not in self.model.versions:
            self.problems.add((*path, "version"), f"unknown version scheme {pattern.version!r}")
        relations = self.relations(fields, origins, variables, place, references)
        if name is None or category is None or version is None:
            return None
        attributes = PatternAttributes(name, pattern.visible, pattern.order, category, icon)
        relations[RelationKind.PROVIDES] = (
            *relations.get(RelationKind.PROVIDES, ()),
            *_pattern_provides(attributes),
        )
        return PackageSpec(
            name=f"patterns-{name}",
            version=version,
            arch=NOARCH[place.family],
            summary=summary or "",
            description=description or summary or "",
            section="patterns",
            relations=relations,
            pattern=attributes,
            origin=path,
        )

    # -- modules ---------------------------------------------------------------------------

    def module(
        self,
        module_name: str,
        module: DnfModule,
        place: _Place,
        packages: Mapping[str, PackageSpec],
    ) -> ModuleSpec:
        path: ModelPath = ("modules", module_name)
        variables = self.variables(place, "default")
        common = self.names(module.artifacts, variables, (*path, "artifacts"), place)
        streams = []
        for stream_index, stream in enumerate(module.streams):
            stream_path = (*path, "streams", stream_index)
            if not _applies(stream.when, place, "default"):
                continue
            stream_name = self.fill(stream.name, variables, (*stream_path, "name"), place)
            kmod = self.fill(stream.kmod, variables, (*stream_path, "kmod"), place)
            summary = self.fill(stream.summary, variables, (*stream_path, "summary"), place)
            if stream_name is None or kmod is None or summary is None:
                continue
            if kmod not in packages:
                self.problems.add(
                    (*stream_path, "kmod"), f"kmod {kmod!r} is not a package of the target", place
                )
                continue
            own = self.names(stream.artifacts, variables, (*stream_path, "artifacts"), place)
            artifacts = (*common, *own, kmod)
            for artifact, artifact_path in (
                *_indexed(common, (*path, "artifacts")),
                *_indexed(own, (*stream_path, "artifacts")),
            ):
                if artifact not in packages:
                    self.problems.add(
                        artifact_path,
                        f"artifact {artifact!r} is not a package of the target",
                        place,
                    )
            profiles = self.profiles(
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
            default = self.fill(module.default_stream, variables, (*path, "default_stream"), place)
            if default is not None and default not in {s.name for s in streams}:
                self.problems.add(
                    (*path, "default_stream"),
                    f"default stream {default!r} is not a stream of the module",
                    place,
                )
        return ModuleSpec(
            module_name,
            self.fill(module.summary, variables, (*path, "summary"), place) or "",
            self.fill(module.description, variables, (*path, "description"), place) or "",
            tuple(module.license),
            tuple(streams),
            default,
            module.default_profile,
        )

    def profiles(
        self,
        module: DnfModule,
        stream_path: ModelPath,
        own: Mapping[str, Any],
        without: list[str],
        variables: Mapping[str, str],
        artifacts: set[str],
        stream: str,
        place: _Place,
    ) -> dict[str, tuple[str, ...]]:
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
                self.problems.add(
                    (*stream_path, "without_profiles"), f"{name!r} is not a profile of the module"
                )
        profiles = {}
        for name, (profile, path) in sorted(chosen.items()):
            rpms = self.names(profile.rpms, variables, (*path, "rpms"), place)
            for rpm, rpm_path in _indexed(rpms, (*path, "rpms")):
                if rpm not in artifacts:
                    self.problems.add(
                        rpm_path,
                        f"profile {name!r} names {rpm!r}, which the stream does not carry",
                        f"{place} stream {stream}",
                    )
            profiles[name] = rpms
        if module.default_profile not in profiles:
            self.problems.add(
                (*module_path, "default_profile"),
                f"stream {stream!r} has no profile {module.default_profile!r}",
                place,
            )
        return profiles

    def names(
        self, templates: list[str], variables: Mapping[str, str], path: ModelPath, place: _Place
    ) -> tuple[str, ...]:
        filled = (self.fill(t, variables, (*path, i), place) for i, t in enumerate(templates))
        return tuple(name for name in filled if name is not None)

    # -- repositories ----------------------------------------------------------------------

    def base(self, place: _Place) -> tuple[BaseSpec, ...]:
        base_set = place.target.base
        if base_set is None:  # a target without `base`: no base packages
            return ()
        variables = self.variables(place, "default")
        specs = []
        for index, base in enumerate(self.model.bases.get(base_set, ())):
            path: ModelPath = ("bases", base_set, index)
            name = self.fill(base.name, variables, (*path, "name"), place)
            provides = self.names(base.provides, variables, (*path, "provides"), place)
            problem = version_problem(place.family, base.version)
            if problem is not None:
                self.problems.add((*path, "version"), problem, place)
            if name is not None:
                specs.append(BaseSpec(name, base.version, provides))
        return tuple(specs)

    def repository(self, place: _Place) -> Repository:
        references: list[tuple[Relation, ModelPath]] = []
        expanded: list[tuple[PackageSpec, ModelPath]] = []
        for index, package in enumerate(self.model.packages):
            for kernel in self.kernels(place) if package.foreach_kernel else ["default"]:
                if not _applies(package.when, place, kernel):
                    continue
                for matrix in _combinations(package.matrix):
                    spec = self.package(package, index, place, kernel, matrix, references)
                    if spec is not None:
                        expanded.append((spec, ("packages", index, "name")))
        if place.family is Family.SUSE:
            for index, pattern in enumerate(self.model.patterns):
                for kernel in self.kernels(place) if pattern.foreach_kernel else ["default"]:
                    if _applies(pattern.when, place, kernel):
                        spec = self.pattern(pattern, index, place, kernel, references)
                        if spec is not None:
                            expanded.append((spec, ("patterns", index, "name")))
        packages: dict[str, PackageSpec] = {}
        for spec, path in expanded:
            if spec.name in packages:
                first, _ = self.problems.document.locate((*packages[spec.name].origin, "name"))
                self.problems.add(
                    path,
                    f"duplicate package {spec.name!r} after expansion (also from {first})",
                    place,
                )
                continue
            packages[spec.name] = spec
            if spec.kernel_module is not None and not place.target.drivers:
                self.problems.add(
                    path,
                    f"{spec.name!r} provides kernel modules, but the target has `drivers: false`",
                    place,
                )
        base = self.base(place)
        # An unknown base is the one problem reported; its packages' references are not checked.
        if place.target.base is None or place.target.base in self.model.bases:
            self.check_references(references, packages, base, place)
        modules: tuple[ModuleSpec, ...] = ()
        if place.target.modular:
            modules = tuple(
                self.module(name, module, place, packages)
                for name, module in self.model.modules.items()
            )
        return Repository(
            place.target_name,
            place.target,
            place.arch,
            place.canonical_arch,
            tuple(sorted(packages.values(), key=lambda p: p.name)),
            base,
            modules,
        )

    def check_references(
        self,
        references: list[tuple[Relation, ModelPath]],
        packages: Mapping[str, PackageSpec],
        base: tuple[BaseSpec, ...],
        place: _Place,
    ) -> None:
        known = set(packages) | {b.name for b in base} | self.unversioned[str(place)]
        known.update(p for b in base for p in b.provides)
        known.update(
            alt.name
            for spec in packages.values()
            for relation in spec.related(RelationKind.PROVIDES)
            for alt in relation.alternatives
        )
        for relation, path in references:
            for alternative in relation.alternatives:
                if alternative.name not in known:
                    self.problems.add(
                        path,
                        f"unknown package {alternative.name!r}: neither a "
                        "package, a provide nor a base package of the target",
                        place,
                    )

    def expand(self) -> tuple[Repository, ...]:
        self.check_version_forms()
        for index, package in enumerate(self.model.packages):
            self.check_when(package.when, ("packages", index))
        for index, pattern in enumerate(self.model.patterns):
            self.check_when(pattern.when, ("patterns", index))
        repositories = tuple(self.repository(place) for place in self.places())
        self.problems.raise_any()
        return repositories


def _combinations(matrix: Mapping[str, list[str]]) -> Iterator[dict[str, str]]:
    """Every combination of the matrix variables' values, in declaration order."""
    names = list(matrix)
    for values in itertools.product(*(matrix[name] for name in names)):
        yield dict(zip(names, values, strict=True))


def _indexed(names: tuple[str, ...], path: ModelPath) -> Iterator[tuple[str, ModelPath]]:
    for index, name in enumerate(names):
        yield name, (*path, index)


def _pattern_provides(pattern: PatternAttributes) -> tuple[Relation, ...]:
    """The capabilities that make a package a pattern (libzypp PatternPackages.doc)."""

    def provide(name: str, value: str | None = None) -> Relation:
        constraint = None if value is None else Constraint(Operator.EQ, value)
        return Relation((Alternative(name, constraint),))

    provides = [
        provide("pattern()", pattern.name),
        provide("pattern-order()", pattern.order),
        provide("pattern-category()", quote(pattern.category)),
    ]
    if pattern.visible:
        provides.append(provide("pattern-visible()"))
    if pattern.icon is not None:
        provides.append(provide("pattern-icon()", pattern.icon))
    return tuple(provides)


def expand(model: ModelFile, document: Document) -> tuple[Repository, ...]:
    """Every repository *model* publishes; raises :class:`ModelErrors` with all problems."""
    return _Expander(model, document).expand()
