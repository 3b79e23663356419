"""Expansion: from the declarations to the concrete repositories of every target and arch.

Expansion is also where the model's meaning is checked: templates, versions and names per
family, relation syntax, references to unknown packages, duplicates, kernel flavors per arch,
and what each family's extension checks.  Problems are collected in one :class:`Problems`, not
raised one by one, so a user sees them all.  The steps live beside this module: the targets
and their repositories (:mod:`~repogen.model.targets`), the packages
(:mod:`~repogen.model.packages`) and their relations (:mod:`~repogen.model.relation_fields`),
the base stubs (:mod:`~repogen.model.bases`), the checks over a repository
(:mod:`~repogen.model.checks`), and what a family adds (:mod:`~repogen.model.extension`).
"""

from __future__ import annotations

from repogen.families import drivers
from repogen.model.bases import expand_base
from repogen.model.checks import check_references, unique_packages
from repogen.model.concrete import Repository
from repogen.model.context import Context, Place
from repogen.model.declarations import ModelFile
from repogen.model.extension import extension_of
from repogen.model.packages import expand_packages
from repogen.model.problems import Problems
from repogen.model.relation_fields import References
from repogen.model.source import Document
from repogen.model.targets import check_version_forms, check_when, places


def expand(model: ModelFile, document: Document) -> tuple[Repository, ...]:
    """Every repository *model* publishes; raises :class:`ModelErrors` with all problems."""
    context = Context(model, Problems(document))
    check_version_forms(context)
    for index, package in enumerate(model.packages):
        check_when(context, package.when, ("packages", index))
    for family in drivers():
        extension_of(family).check_model(context)
    repositories = tuple(_repository(context, place) for place in places(context))
    context.problems.raise_any()
    return repositories


def _repository(context: Context, place: Place) -> Repository:
    extension = extension_of(place.driver)
    references: References = []
    expanded = expand_packages(context, place, references)
    expanded.extend(extension.packages(context, place, references))
    packages = unique_packages(context.problems, place, expanded)
    base = expand_base(context, place)
    # An unknown base is the one problem reported; its packages' references are not checked.
    if place.target.base is None or place.target.base in context.model.bases:
        left_out = context.unversioned[str(place)]
        check_references(context.problems, references, packages, base, place, left_out)
    return Repository(
        place.target_name,
        place.target,
        place.arch,
        place.canonical_arch,
        tuple(sorted(packages.values(), key=lambda p: p.name)),
        base,
        extension.modules(context, place, packages),
    )
