"""Installability checks skip what only moved its version numbers, and only that: a version
change that a resolver's comparisons can tell apart is still checked."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping

import pytest

from repogen.diff import DiffOptions, diff_releases, installability
from repogen.families import driver
from repogen.model import (
    Family,
    KernelModuleFlavor,
    PackageSpec,
    RelationKind,
    ReleaseModel,
    Repository,
)
from repogen.model.declarations import Release, Target
from repogen.model.relations import parse_relation
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

_TARGETS = {Family.DEB: "deb1", Family.RPM: "rpm1", Family.SUSE: "suse1"}


Relations = dict[RelationKind, list[str]]


def _release(
    name: str, family: Family, packages: Mapping[str, tuple[str, list[str] | Relations]]
) -> ReleaseModel:
    """A release with one repository of *packages*: name → (version, dependencies or
    relations by field)."""
    specs = tuple(
        PackageSpec(
            name=package,
            version=version,
            arch=driver(family).noarch,
            summary=package,
            description="",
            section="test",
            relations={
                kind: tuple(map(parse_relation, texts))
                for kind, texts in (
                    relations if isinstance(relations, dict) else {RelationKind.DEPENDS: relations}
                ).items()
            },
        )
        for package, (version, relations) in packages.items()
    )
    target = Target(
        family=family,
        distro="test",
        release="1",
        arches=["x86_64"],
        suite="test" if family is Family.DEB else None,
        base="none",
    )
    repository = Repository(_TARGETS[family], target, "x86_64", "x86_64", specs)
    release = Release(
        name=name,
        cuda="12.6.0",
        driver="560.28.03",
        default_flavor=KernelModuleFlavor.OPEN,
        date="2024-08-01",
    )
    return ReleaseModel(release, f"test:{name}", (repository,))


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The requests the installability checks resolve (checked in this process, where the
    spy is)."""
    monkeypatch.setenv("REPOGEN_WORKERS", "0")
    requests: list[str] = []

    def spy(universe: Universe, request: Request) -> Resolution:
        requests.append(request.text)
        return original(universe, request)

    original = installability.resolve
    monkeypatch.setattr(installability, "resolve", spy)
    return requests


def _regressions(old: ReleaseModel, new: ReleaseModel) -> list[str]:
    (repository,) = diff_releases(old, new, DiffOptions(requests=("{install} app",))).repositories
    return [r.package for r in repository.regressions]


@pytest.mark.parametrize("family", list(Family))
def test_versions_that_only_move_are_not_resolved(family: Family, resolved: list[str]) -> None:
    old, new = (
        _release(
            f"r{v}",
            family,
            {"app": (f"{v}-1", [f"lib (= {v}-1)", "lib (>= 1.0)"]), "lib": (f"{v}-1", [])},
        )
        for v in ("1.5", "1.6")
    )
    assert _regressions(old, new) == []
    assert resolved == []


@pytest.mark.parametrize("family", list(Family))
def test_versions_that_compare_otherwise_are_resolved(family: Family, resolved: list[str]) -> None:
    # 1.10 and 1.1 both sort before 1.9 as strings, but only 1.10 meets ">= 1.9".
    old, new = (
        _release(f"r{v}", family, {"app": ("1", ["lib (>= 1.9)"]), "lib": (v, [])})
        for v in ("1.10", "1.1")
    )
    assert _regressions(old, new) == ["app"]
    assert resolved


@pytest.mark.parametrize("family", [Family.RPM, Family.SUSE])
def test_a_dependency_without_a_release_is_compared_as_libsolv_matches(
    family: Family, resolved: list[str]
) -> None:
    # "= 1.0" is met by 1.0-1 (libsolv leaves out a release the dependency lacks), "= 1.0-0" is
    # not, though each sorts and compares before 1.0-1 alike.
    old, new = (
        _release(f"r{wanted}", family, {"app": ("1", [f"lib (= {wanted})"]), "lib": ("1.0-1", [])})
        for wanted in ("1.0", "1.0-0")
    )
    assert _regressions(old, new) == ["app"]
    assert resolved


_VERSIONS = ("1.0", "1.0-1", "1.0-2", "1.1", "1.10", "1.9", "2:0.5", "1.0~rc1", "1.0-1.el9")
_NAMES = ("a", "b", "c", "d", "e", "f")


def _random_packages(rng: random.Random) -> dict[str, tuple[str, Relations]]:
    """Packages a-f of random versions, with dependencies (alternatives, constraints, names
    nothing has), conflicts and provides among them."""

    def alternative() -> str:
        name = rng.choice([*_NAMES, "virtual", "ghost"])
        operator = rng.choice([None, "<<", "<=", "=", ">=", ">>"])
        return name if operator is None else f"{name} ({operator} {rng.choice(_VERSIONS)})"

    packages: dict[str, tuple[str, Relations]] = {}
    for name in _NAMES:
        relations: Relations = {
            RelationKind.DEPENDS: [
                " | ".join(alternative() for _ in range(rng.randint(1, 2)))
                for _ in range(rng.randint(0, 2))
            ]
        }
        if rng.random() < 0.3:
            relations[RelationKind.CONFLICTS] = [alternative()]
        if rng.random() < 0.3:
            relations[RelationKind.PROVIDES] = [f"virtual (= {rng.choice(_VERSIONS)})"]
        packages[name] = (rng.choice(_VERSIONS), relations)
    return packages


def _moved(
    packages: dict[str, tuple[str, Relations]], rng: random.Random
) -> dict[str, tuple[str, Relations]]:
    """*packages* with their version strings swapped for others, the same everywhere: some
    moves keep every comparison, most do not."""
    mapping = dict(zip(_VERSIONS, rng.sample(_VERSIONS, len(_VERSIONS)), strict=True))
    pattern = re.compile("|".join(sorted(map(re.escape, _VERSIONS), key=len, reverse=True)))

    def move(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group()], text)

    return {
        name: (move(version), {k: [move(t) for t in texts] for k, texts in relations.items()})
        for name, (version, relations) in packages.items()
    }


@pytest.mark.parametrize("family", list(Family))
def test_skipping_never_changes_the_regressions(family: Family) -> None:
    # Each package checked on both sides without skipping anything gives the same regressions.
    rng = random.Random(f"versions-{family}")
    for _ in range(300):
        packages = _random_packages(rng)
        moved = _moved(packages, rng) if rng.random() < 0.8 else packages
        (old,), (new,) = (
            _release(name, family, p).repositories
            for name, p in (("old", packages), ("new", moved))
        )
        pairs = [(a, b, None) for a, b in zip(old.packages, new.packages, strict=True)]
        before, after = installability.Installability(old), installability.Installability(new)
        expected = [
            b.name
            for a, b, _ in pairs
            if after.problem(b.name) is not None and before.problem(a.name) is None
        ]
        assert [r.package for r in installability.regressions(pairs, old, new)] == expected
