"""The base packages of a repository: what the distribution itself supplies (dkms, Xorg …),
published as stubs so the release's packages can be resolved against them."""

from __future__ import annotations

from repogen.model.concrete import BaseSpec
from repogen.model.context import Context, Place
from repogen.model.errors import ModelPath


def expand_base(context: Context, place: Place) -> tuple[BaseSpec, ...]:
    """The base packages of *place*'s target, their templates filled and versions checked."""
    base_set = place.target.base
    if base_set is None:  # a target without `base`: no base packages
        return ()
    variables = context.variables(place, "default")
    specs = []
    for index, base in enumerate(context.model.bases.get(base_set, ())):
        path: ModelPath = ("bases", base_set, index)
        name = context.fill(base.name, variables, (*path, "name"), place)
        provides = context.names(base.provides, variables, (*path, "provides"), place)
        problem = place.driver.version_problem(base.version)
        if problem is not None:
            context.problems.add((*path, "version"), problem, place)
        if name is not None:
            specs.append(BaseSpec(name, base.version, provides))
    return tuple(specs)
