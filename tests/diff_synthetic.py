"""Two synthetic releases of any size, for timing `repogen diff` and testing it at scale.

Each release has one repository per family with ``count`` packages: a ``cuda`` metapackage
pulling a driver stack (open in the new release, proprietary in the old one), 50 shared
libraries ``lib<h>-<branch>`` (each depending on ``lib<h/2>``) and ``count`` components
``comp<i>-<branch>`` in families of ten: each depends on its library, the previous member of
its family, and ``lib<h+1> | lib0`` (an alternative); some recommend or provide.  From old to
new every version moves with the release (555.42.06 → 560.28.03), every package is renamed
with the branch, one component in 50 gains a dependency, one in 100 is new and one in 1000 is
dropped while the next members of its family still depend on it (installability regressions).

Run ``python -m tests.diff_synthetic [count]`` to time a diff of two such releases.
"""

from __future__ import annotations

import sys
import time

from repogen.diff import DiffOptions, diff_releases
from repogen.families import driver as family_driver
from repogen.model import (
    Family,
    KernelModuleFlavor,
    PackageSpec,
    RelationKind,
    ReleaseModel,
    Repository,
)
from repogen.model.declarations import Release, Target
from repogen.model.relations import Relation, parse_relation

_RELEASES = {
    "old": Release(
        name="synthetic-12.5.1",
        cuda="12.5.1",
        driver="555.42.06",
        default_flavor=KernelModuleFlavor.PROPRIETARY,
        date="2024-06-27",
    ),
    "new": Release(
        name="synthetic-12.6.0",
        cuda="12.6.0",
        driver="560.28.03",
        default_flavor=KernelModuleFlavor.OPEN,
        date="2024-08-01",
    ),
}
_TARGETS = {
    Family.DEB: ("synth-deb", "amd64"),
    Family.RPM: ("synth-rpm", "x86_64"),
    Family.SUSE: ("synth-suse", "x86_64"),
}


def _package(
    name: str,
    version: str,
    arch: str,
    relations: dict[RelationKind, list[str]],
    flavor: KernelModuleFlavor | None = None,
) -> PackageSpec:
    return PackageSpec(
        name=name,
        version=version,
        arch=arch,
        summary=name,
        description="",
        section="synthetic",
        relations={kind: tuple(map(parse_relation, texts)) for kind, texts in relations.items()},
        kernel_module=flavor,
    )


_LIBRARIES = 50


def _library(index: int, branch: str) -> dict[RelationKind, list[str]]:
    return {RelationKind.DEPENDS: [f"lib{index // 2}-{branch}"]} if index else {}


def _relations(index: int, branch: str, new: bool) -> dict[RelationKind, list[str]]:
    """Dependencies of component *index*: its library, the previous member of its family."""
    library = index % _LIBRARIES
    depends = [
        f"lib{library}-{branch}",
        f"lib{(library + 1) % _LIBRARIES}-{branch} | lib0-{branch}",
    ]
    if index % 10:
        depends.append(f"comp{index - 1}-{branch}")
    if new and index % 50 == 7:
        depends.append(f"lib{index % 7}-{branch}")
    relations = {RelationKind.DEPENDS: depends}
    if index % 10 == 3:
        relations[RelationKind.RECOMMENDS] = [f"comp{index - 3}-{branch}"]
    if index % 25 == 0:
        relations[RelationKind.PROVIDES] = [f"virtual-comp{index}"]
    return relations


def _repository(family: Family, side: str, count: int) -> Repository:
    release = _RELEASES[side]
    new = side == "new"
    branch = release.driver.split(".")[0]
    target_name, arch = _TARGETS[family]
    package_arch = family_driver(family).package_arches["x86_64"]
    noarch = family_driver(family).noarch
    driver = f"{release.driver}-1"
    cuda = f"{release.cuda}-1"
    flavor = "open" if new else "proprietary"
    packages = [
        _package(
            "cuda", cuda, noarch, {RelationKind.DEPENDS: [f"driver-{flavor}", "comp1-" + branch]}
        ),
        _package(f"driver-{flavor}", driver, noarch, {RelationKind.DEPENDS: [f"kmod-{flavor}"]}),
        _package(
            "kmod-open",
            driver,
            package_arch,
            {RelationKind.DEPENDS: ["dkms"]},
            KernelModuleFlavor.OPEN,
        ),
        _package(
            "kmod-proprietary",
            driver,
            package_arch,
            {RelationKind.DEPENDS: ["dkms"]},
            KernelModuleFlavor.PROPRIETARY,
        ),
        _package("dkms", "3.0-1", noarch, {}),
        *(
            _package(f"lib{h}-{branch}", driver, package_arch, _library(h, branch))
            for h in range(_LIBRARIES)
        ),
    ]
    for index in range(count):
        if index % 1000 == 15 and new:
            continue
        name = f"comp{index}-{branch}" if index % 100 != 9 or new else f"removed{index}"
        packages.append(_package(name, driver, package_arch, _relations(index, branch, new)))
    target = Target(
        family=family,
        distro="synthetic",
        release="1",
        arches=[arch],
        suite="synth" if family is Family.DEB else None,
        base="none",
    )
    return Repository(target_name, target, arch, "x86_64", tuple(packages))


def synthetic_pair(
    count: int, families: tuple[Family, ...] = tuple(Family)
) -> tuple[ReleaseModel, ReleaseModel]:
    """The old and the new synthetic release, *count* components per repository."""
    old, new = (
        ReleaseModel(
            _RELEASES[side],
            f"synthetic:{side}",
            tuple(_repository(family, side, count) for family in families),
        )
        for side in ("old", "new")
    )
    return old, new


def _main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    for family in Family:
        old, new = synthetic_pair(count, (family,))
        start = time.perf_counter()
        diff = diff_releases(old, new, DiffOptions(requests=("{install} cuda",)))
        elapsed = time.perf_counter() - start
        (repository,) = diff.repositories
        print(
            f"{family.value}: {count} packages per side diffed in {elapsed:.2f} s "
            f"({len(repository.renamed)} renamed, {len(repository.relations)} relation "
            f"changes, {len(repository.regressions)} regressions, "
            f"{len(repository.resolutions)} resolution changes)"
        )


if __name__ == "__main__":
    _main()


__all__ = ["Relation", "synthetic_pair"]
