"""Template variables of a release, and filling them into model text.

A model writes ``nvidia-open-{branch}{kernel_suffix}`` once; expansion fills in the branch of the
release and the kernel flavor being expanded.  Only plain ``{name}`` fields are allowed.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping

from repogen.errors import RepogenError
from repogen.model.declarations import Release

_FORMATTER = string.Formatter()


class TemplateError(RepogenError, ValueError):
    pass


def release_variables(release: Release) -> dict[str, str]:
    """The variables every template of *release* may use."""
    variables = {
        "release": release.name,
        "driver": release.driver,
        "branch": release.driver.split(".")[0],
        "default_flavor": release.default_flavor.value,
    }
    if release.cuda is None:
        # A driver-only release publishes no CUDA package: a template naming the CUDA
        # version is an error at its line (unknown variable), not an empty name.
        return variables
    major, minor, _patch = release.cuda.split(".")
    return {
        **variables,
        "cuda": release.cuda,
        "cuda_major": major,
        "cuda_minor": minor,
        "cuda_dash": f"{major}-{minor}",
        "cuda_dot": f"{major}.{minor}",
    }


# A model repeats a few hundred templates over tens of thousands of expansions.
@functools.lru_cache(maxsize=65536)
def _fields(template: str) -> tuple[tuple[str, bool], ...]:
    """Each field of *template*, and whether it is a plain ``{name}``."""
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template {template!r}: {exc}") from exc
    return tuple(
        (field, not spec and not conversion and field.isidentifier())
        for _literal, field, spec, conversion in parts
        if field is not None
    )


def names_cuda(template: str) -> bool:
    """Whether *template* uses a variable of the CUDA version (``{cuda_dash}``), which a
    driver-only release does not have; a malformed template does not (filling reports it)."""
    try:
        return any(field.startswith("cuda") for field, _ in _fields(template))
    except TemplateError:
        return False


def fill(template: str, variables: Mapping[str, str]) -> str:
    """Fill the ``{name}`` fields of *template*; unknown or formatted fields are errors."""
    for field, plain in _fields(template):
        if not plain or field not in variables:
            known = ", ".join(sorted(variables))
            raise TemplateError(f"unknown template variable {{{field}}} (known: {known})")
    # Every field is a plain name that *variables* holds: format_map fills exactly those
    # (and turns the escapes {{ and }} into braces).
    return template.format_map(variables)
