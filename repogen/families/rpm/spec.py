"""RPM spec files from the model: dependencies in RPM syntax and specs rendered from templates.

Packages that share Version and Release become subpackages (``%package -n NAME``) of one spec,
so that one rpmbuild call builds them all.  rpm 4.18 lets each subpackage set its own ``Epoch``
and ``BuildArch: noarch``; the spec's main package is the release itself and is never built (it
has no ``%files``).  The same rendering serves the rpm and suse families: a
:class:`SpecConventions` carries what differs between them.

Model text never becomes a directive: every value the templates print has ``%`` doubled, tag
values are single lines, and description lines that rpmbuild would read as a directive or a
comment are refused (formats.md §2).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import groupby

import jinja2

from repogen.data import RPM_TEMPLATES
from repogen.families.rpm import DRIVER, TAGS
from repogen.families.rpm.operators import from_flags, spelled
from repogen.families.rpm.patterns import escape, is_pattern_capability
from repogen.families.rpm.versions import join_evr, name_problem, package_evr, split_evr
from repogen.model import PackageSpec, RelationKind
from repogen.model.relations import Alternative, Relation
from repogen.publish.base import BuildError

NOARCH_NAME = DRIVER.noarch


#: Relation kinds whose tag takes no rich (boolean) dependency (formats.md §2.2).
_PLAIN_ONLY = {RelationKind.PROVIDES, RelationKind.OBSOLETES}


#: A dependency as createrepo_c takes it: name, flags, epoch, version, release, pre.
Entry = tuple[str, str | None, str | None, str | None, str | None, bool]


@dataclass(frozen=True)
class Dependency:
    """One RPM dependency: a (possibly rich) name, or a name compared with an EVR.

    :func:`dependency` shares one object among the packages with the same relation, so its
    forms (:attr:`text`, :attr:`entry`) are worked out once per relation, not per package.
    """

    name: str
    flags: str | None = None
    epoch: str | None = None
    version: str | None = None
    release: str | None = None
    pre: bool = False

    @property
    def evr(self) -> str:
        return join_evr(self.epoch, self.version or "", self.release)

    @functools.cached_property
    def text(self) -> str:
        """The dependency as a spec writes it."""
        if self.flags is None:
            return self.name
        return f"{self.name} {spelled(from_flags(self.flags)).symbol} {self.evr}"

    @functools.cached_property
    def entry(self) -> Entry:
        """The dependency as a createrepo_c record takes it."""
        # createrepo_c writes epoch 0 for a versioned dependency without one, as from a header.
        epoch = (self.epoch or "0") if self.flags else None
        return (self.name, self.flags, epoch, self.version, self.release, self.pre)


def capability_version(name: str, version: str) -> str:
    """*version* as RPM can carry it for the capability *name*: the value of a SUSE pattern
    capability (``pattern() = cuda-open``) is escaped for libsolv's autopattern to unescape
    (:mod:`repogen.families.rpm.patterns`)."""
    return escape(version) if is_pattern_capability(name) else version


def _alternative(alternative: Alternative) -> str:
    """One alternative as a spec writes it, inside a rich dependency or alone."""
    if alternative.qualifier is not None:
        raise BuildError(f"{alternative}: architecture qualifiers have no RPM equivalent")
    if alternative.constraint is None:
        return alternative.name
    symbol = spelled(alternative.constraint.operator).symbol
    version = capability_version(alternative.name, alternative.constraint.version)
    return f"{alternative.name} {symbol} {version}"


# A release shares relation objects among its packages (and so among targets).
@functools.lru_cache(maxsize=65536)
def dependency(relation: Relation, kind: RelationKind) -> Dependency:
    """The RPM form of *relation*: alternatives become a rich ``(a >= 1 or b)``."""
    texts = [_alternative(alternative) for alternative in relation.alternatives]
    if len(texts) > 1:
        if kind in _PLAIN_ONLY:
            raise BuildError(f"{TAGS[kind]}: {relation}: RPM allows no alternatives here")
        return Dependency(f"({' or '.join(texts)})")
    (alternative,) = relation.alternatives
    pre = kind is RelationKind.PRE_DEPENDS
    if alternative.constraint is None:
        return Dependency(alternative.name, pre=pre)
    text = capability_version(alternative.name, alternative.constraint.version)
    epoch, version, release = split_evr(text)
    flags = spelled(alternative.constraint.operator).flags
    return Dependency(alternative.name, flags, epoch, version, release, pre)


def one_line(text: str, what: str) -> str:
    """*text* as a tag value: whitespace runs (newlines included) become one space."""
    line = " ".join(text.split())
    if not line:
        raise BuildError(f"{what} is empty")
    return line


def description_lines(text: str, what: str) -> tuple[str, ...]:
    """The lines of a ``%description``, refusing those rpmbuild would not keep as text.

    rpmbuild expands macros in a line *before* it looks for sections (``%files``),
    conditionals (``%if``) and comments, so no escaping keeps a line that starts with ``%``
    or ``#`` literal.
    """
    lines = tuple(line.rstrip() for line in text.strip("\n").splitlines())
    if not lines:
        raise BuildError(f"{what} is empty")
    for number, line in enumerate(lines, 1):
        if line.lstrip()[:1] in {"%", "#"}:
            raise BuildError(
                f"{what}, line {number}: {line.strip()!r} starts with "
                f"{line.lstrip()[0]!r}, which rpmbuild reads as a directive or a comment"
            )
    return lines


@dataclass(frozen=True)
class SpecConventions:
    """What a family's specs add: the SUSE ``Group`` of a package, for example."""

    group: Callable[[PackageSpec], str | None] = lambda _package: None


@dataclass(frozen=True)
class SpecPackage:
    """One binary package as its spec section and its header show it.

    ``summary`` is one line and ``description`` lines rpmbuild keeps as they are, so that
    records written from the model match the headers of the built packages.
    """

    name: str
    version: str
    arch: str
    summary: str
    license: str
    group: str | None
    description: tuple[str, ...]
    dependencies: tuple[tuple[RelationKind, Dependency], ...]

    @functools.cached_property
    def epoch(self) -> str | None:
        return split_evr(self.version).epoch

    @property
    def noarch(self) -> bool:
        return self.arch == NOARCH_NAME

    @functools.cached_property
    def evr(self) -> tuple[str, str, str]:
        """Epoch (``0`` if none), version and release."""
        return package_evr(self.version)

    @functools.cached_property
    def tags(self) -> tuple[tuple[str, str], ...]:
        return tuple((TAGS[kind], dep.text) for kind, dep in self.dependencies)


def spec_package(package: PackageSpec, conventions: SpecConventions, license: str) -> SpecPackage:
    what = f"package {package.name}"
    return SpecPackage(
        name=package.name,
        version=package.version,
        arch=package.arch,
        summary=one_line(package.summary, f"{what}: summary"),
        license=one_line(license, "license"),
        group=conventions.group(package),
        description=description_lines(package.description, f"{what}: description"),
        dependencies=tuple(
            (kind, dependency(relation, kind))
            for kind in TAGS
            for relation in package.related(kind)
        ),
    )


@dataclass(frozen=True)
class Spec:
    """One spec file: the release as source package, the packages of one Version-Release."""

    source: str
    version: str
    release: str
    summary: str
    license: str
    packages: tuple[SpecPackage, ...]

    @property
    def file_name(self) -> str:
        return f"{self.source}-{self.version}-{self.release}.spec"

    @property
    def source_rpm(self) -> str:
        return f"{self.source}-{self.version}-{self.release}.src.rpm"


def source_name(release_name: str, names: Collection[str]) -> str:
    """The specs' main package: the release, renamed if a package already has its name."""
    problem = name_problem(release_name)
    if problem is not None:
        raise BuildError(f"release name: {problem}; it names the spec files' source package")
    return release_name if release_name not in names else f"{release_name}-source"


def specs(release_name: str, license: str, packages: Sequence[SpecPackage]) -> list[Spec]:
    """One spec per Version-Release shared by *packages*, in a stable order."""
    source = source_name(release_name, {p.name for p in packages})

    def version_release(package: SpecPackage) -> tuple[str, str]:
        _, version, release = package.evr
        return version, release

    ordered = sorted(packages, key=lambda p: (version_release(p), p.name))
    return [
        Spec(
            source=source,
            version=version,
            release=release,
            summary=one_line(f"{release_name} packages at {version}-{release}", "summary"),
            license=one_line(license, "license"),
            packages=tuple(group),
        )
        for (version, release), group in groupby(ordered, key=version_release)
    ]


#: What no spec value may hold: control characters other than tab (a newline among them).
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0a-\x1f]")


def _spec_value(value: object) -> str:
    """Every value a template prints: one line without control characters, with ``%``
    doubled so that rpm keeps it literal."""
    text = str(value)
    # isprintable() is quick and true for nearly every value; what it refuses (a tab, a
    # non-printable letter) is looked at more closely.
    if not text.isprintable() and _CONTROL_CHARACTER.search(text) is not None:
        raise BuildError(f"{text!r}: a spec value must be one line of printable text")
    return text.replace("%", "%%")


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(RPM_TEMPLATES),
    undefined=jinja2.StrictUndefined,
    finalize=_spec_value,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,
)


@functools.cache
def spec_template() -> jinja2.Template:
    """The spec template, compiled once per process: a worker forked after the first call
    renders with it instead of compiling it again (11 ms, a fifth of a 1,000-package
    metadata-only build)."""
    return _ENVIRONMENT.get_template("spec.j2")


def render(spec: Spec) -> str:
    """The text of *spec*'s file."""
    return spec_template().render(spec=spec)
