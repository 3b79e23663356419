"""The repositories a model publishes, and the checks of its targets.

Each target is published once per architecture it lists.  A target's keys are checked against
its family (architecture names, an APT suite, what only the family's extension gives meaning
to) and against the rest of the model (bases, version schemes, kernel flavors).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from repogen.families import Family, driver
from repogen.model.context import Context, Place
from repogen.model.declarations import Target, When
from repogen.model.errors import ModelPath
from repogen.model.extension import extension_of


def places(context: Context) -> Iterator[Place]:
    """Every repository of the model, its target checked before its first one is given."""
    for name, target in context.model.targets.items():
        path: ModelPath = ("targets", name)
        known = driver(target.family).arches
        check_target(context, name, target)
        for index, arch in enumerate(target.arches):
            if arch not in known:
                context.problems.add(
                    (*path, "arches", index),
                    f"unknown {target.family} architecture {arch!r}; expected "
                    f"one of {', '.join(known)}",
                )
                continue
            place = Place(name, target, arch, known[arch])
            _check_kernel_flavors(context, place)
            yield place


def check_version_forms(context: Context) -> None:
    """Each scheme has the form of every family a target needs it in.

    A model without SUSE targets need not say how a version looks on SUSE; a target that sets
    the scheme in its own `versions` needs no family form either.
    """
    for scheme, forms in context.model.versions.items():
        needing: dict[Family, list[str]] = defaultdict(list)
        for name, target in context.model.targets.items():
            if scheme not in target.versions and target.family not in forms:
                needing[target.family].append(name)
        for family, targets in needing.items():
            context.problems.add(
                ("versions", scheme),
                f"no `{family}` form of version scheme {scheme!r}, which the {family} "
                f"target{'s' if len(targets) > 1 else ''} {', '.join(targets)} "
                f"need{'' if len(targets) > 1 else 's'}",
            )
    for index, scheme in enumerate(context.model.dist_tagged or ()):
        if scheme not in context.model.versions:
            context.problems.add(("dist_tagged", index), f"unknown version scheme {scheme!r}")


def check_target(context: Context, name: str, target: Target) -> None:
    path: ModelPath = ("targets", name)
    family = driver(target.family)
    problems = context.problems
    if family.needs_suite and target.suite is None:
        problems.add(path, f"a {target.family} target needs `suite` (the APT suite name)")
    if target.base is not None and target.base not in context.model.bases:
        problems.add((*path, "base"), f"unknown base package set {target.base!r}")
    for scheme in target.versions:
        if scheme not in context.model.versions:
            problems.add((*path, "versions", scheme), f"unknown version scheme {scheme!r}")
    for arch in target.kernel_flavors:
        if arch not in target.arches:
            problems.add(
                (*path, "kernel_flavors", arch),
                f"kernel flavors for {arch!r}, which is not in `arches`",
            )
    extension_of(family).check_target(context, name, target)


def _check_kernel_flavors(context: Context, place: Place) -> None:
    path: ModelPath = ("targets", place.target_name, "kernel_flavors", place.arch)
    for index, kernel in enumerate(context.kernels(place)):
        flavor = context.model.kernel_flavors.get(kernel)
        if flavor is None:
            context.problems.add((*path, index), f"unknown kernel flavor {kernel!r}")
        elif place.canonical_arch not in flavor.arches:
            context.problems.add(
                (*path, index),
                f"kernel flavor {kernel!r} does not exist on "
                f"{place.canonical_arch} (only {', '.join(flavor.arches)})",
            )


def check_when(context: Context, when: When | None, path: ModelPath) -> None:
    """Check the kernel flavors a declaration's ``when`` at *path* names."""
    if when is None or when.kernel is None:
        return
    for index, kernel in enumerate(when.kernel):
        if kernel not in context.model.kernel_flavors:
            context.problems.add(
                (*path, "when", "kernel", index), f"unknown kernel flavor {kernel!r}"
            )
