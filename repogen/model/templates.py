"""Template variables of a release, and filling them into model text.

A model writes ``nvidia-open-{branch}{kernel_suffix}`` once; expansion fills in the branch of the
release and the kernel flavor being expanded.  Only plain ``{name}`` fields are allowed.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping

from repogen.model.declarations import Release

_FORMATTER = string.Formatter()


class TemplateError(ValueError):
    pass


def release_variables(release: Release) -> dict[str, str]:
    """The variables every template of *release* may use."""
    major, minor, _patch = release.cuda.split(".")
    return {
        "release": release.name,
        "cuda": release.cuda,
        "cuda_major": major,
        "cuda_minor": minor,
        "cuda_dash": f"{major}-{minor}",
        "cuda_dot": f"{major}.{minor}",
        "driver": release.driver,
        "branch": release.driver.split(".")[0],
        "default_flavor": release.default_flavor.value,
    }


# A model repeats a few hundred templates over tens of thousands of expansions.
@functools.lru_cache(maxsize=65536)
def _parts(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    try:
        return tuple(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template {template!r}: {exc}") from exc


def fill(template: str, variables: Mapping[str, str]) -> str:
    """Fill the ``{name}`` fields of *template*; unknown or formatted fields are errors."""
    parts = _parts(template)
    if len(parts) == 1 and parts[0][1] is None:
        return template
    out: list[str] = []
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if spec or conversion or field not in variables:
            known = ", ".join(sorted(variables))
            raise TemplateError(f"unknown template variable {{{field}}} (known: {known})")
        out.append(variables[field])
    return "".join(out)
