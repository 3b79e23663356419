"""What every step of expansion shares: the repository being expanded, template filling, and
the variables each repository's templates see.

A template that does not fill is a problem reported to the context's :class:`Problems`, and the
step goes on without the value, so one expansion finds every problem of a model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from repogen.families import Family, driver
from repogen.families.base import FamilyDriver
from repogen.model.declarations import ModelFile, Target, When
from repogen.model.errors import ModelPath
from repogen.model.problems import Problems
from repogen.model.templates import TemplateError, fill, names_cuda, release_variables


@dataclass(frozen=True)
class Place:
    """One repository being expanded: a target on one of its architectures."""

    target_name: str
    target: Target
    arch: str
    canonical_arch: str

    def __str__(self) -> str:
        return f"{self.target_name}/{self.arch}"

    @property
    def family(self) -> Family:
        return self.target.family

    @property
    def driver(self) -> FamilyDriver:
        return driver(self.target.family)


def applies(when: When | None, place: Place, kernel: str) -> bool:
    """Whether a declaration with *when* exists on *place* for *kernel*."""
    return when is None or when.applies(place, kernel)


class Context:
    """The model being expanded, its problems, and the template variables of each place."""

    def __init__(self, model: ModelFile, problems: Problems) -> None:
        self.model = model
        self.problems = problems
        self.release_vars = release_variables(model.release)
        # Every package of a repository and kernel flavor sees the same variables; the
        # versions among them are filled and checked once, not once per package.
        self.place_variables: dict[tuple[str, str, str], dict[str, str]] = {}
        #: Packages of each repository left out because their version scheme has no form
        #: there: that is reported once, and a relation naming them is not a second error.
        self.unversioned: dict[str, set[str]] = defaultdict(set)
        #: Version schemes made from the CUDA version, in a driver-only release (no
        #: ``release.cuda``): they have no value, and only a package using one is an error.
        self.cuda_schemes: set[str] = set()

    def fill(
        self,
        template: str,
        variables: Mapping[str, str],
        path: ModelPath,
        place: Place | None = None,
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
        place: Place | None = None,
    ) -> str | None:
        """Like :meth:`fill`, for a field that may be absent."""
        return None if template is None else self.fill(template, variables, path, place)

    def names(
        self, templates: list[str], variables: Mapping[str, str], path: ModelPath, place: Place
    ) -> tuple[str, ...]:
        """The names a list of templates at *path* gives; those that do not fill are left out."""
        filled = (self.fill(t, variables, (*path, i), place) for i, t in enumerate(templates))
        return tuple(name for name in filled if name is not None)

    def kernels(self, place: Place) -> list[str]:
        return place.target.kernel_flavors.get(place.arch, ["default"])

    def variables(self, place: Place, kernel: str) -> dict[str, str]:
        """The variables of *place* and *kernel*: a fresh copy the caller may extend."""
        key = (place.target_name, place.arch, kernel)
        if key not in self.place_variables:
            self.place_variables[key] = self.place_kernel_variables(place, kernel)
        return dict(self.place_variables[key])

    def place_kernel_variables(self, place: Place, kernel: str) -> dict[str, str]:
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
            kernel_dist=place.target.kernel_dist or "",
        )
        for scheme, version in self.versions(place).items():
            variables[f"{scheme}_version"] = version
        return variables

    def dist_tagged(self, scheme: str) -> bool:
        """Whether versions of *scheme* carry the target's dist tag (``dist_tagged``)."""
        return self.model.dist_tagged is None or scheme in self.model.dist_tagged

    def versions(self, place: Place) -> dict[str, str]:
        """The full version of every scheme on *place*, dist tag included."""
        versions = {}
        for scheme, forms in self.model.versions.items():
            path: ModelPath = ("versions", scheme, place.family.value)
            template = forms.get(place.family)
            if scheme in place.target.versions:
                template = place.target.versions[scheme]
                path = ("targets", place.target_name, "versions", scheme)
            if template is None:
                continue  # check_version_forms reports the missing form once
            if self.model.release.cuda is None and names_cuda(template):
                self.cuda_schemes.add(scheme)
                continue
            version = self.fill(template, self.release_vars, path, place)
            if version is None:
                continue
            problem = place.driver.version_problem(version)
            if problem is not None:
                self.problems.add(path, problem, place)
                continue
            if place.driver.dist_tags and place.target.dist and self.dist_tagged(scheme):
                version += place.target.dist
            versions[scheme] = version
        return versions
