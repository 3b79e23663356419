"""The diff's closure engine answers every request as the resolvers do over the whole
repository: installs of every package and module installs and switches of every stream, with
nothing installed and from the states installs leave (of this release and of the other one)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from repogen.diff import closure
from repogen.families import driver
from repogen.model import Family, PackageSpec, RelationKind, Repository, load_release
from repogen.model.declarations import Target
from repogen.model.relations import parse_relation
from repogen.resolve import resolve
from repogen.resolve.request import Request, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.session import SessionError, installed_by
from repogen.resolve.universe import InstalledState, Universe, universe_for

from .conftest import RELEASES

#: A name no package has or provides.
ABSENT = "no-such-package"


def _requests(repository: Repository) -> list[str]:
    install = driver(repository.family).install_command
    requests = [f"{install} {p.name}" for p in repository.packages]
    first = repository.packages[0].name
    requests += [
        f"{install} {ABSENT}",
        f"{install} {first} {ABSENT}",
        f"{install} {ABSENT} {first}",
    ]
    if repository.family is Family.RPM:
        requests += [f"dnf install --allowerasing {p.name}" for p in repository.packages]
    for module in repository.modules:
        requests.append(f"dnf module install {module.name}")
        for stream in module.streams:
            requests.append(f"dnf module install {module.name}:{stream.name}")
            requests.append(f"dnf module switch-to {module.name}:{stream.name} --allowerasing")
            requests += [
                f"dnf module install {module.name}:{stream.name}/{profile}"
                for profile in stream.profiles
            ]
    return requests


def _states(repository: Repository, other: Repository | None) -> list[InstalledState]:
    """Nothing installed, then what each setup that succeeds leaves, on *repository* and on
    *other* (the other release's repository of the same target)."""
    install = driver(repository.family).install_command
    setups = [f"{install} cuda", f"{install} cuda-drivers"]
    setups += [f"dnf module install {m.name}" for m in repository.modules]
    states = [InstalledState()]
    for source in (r for r in (repository, other) if r is not None):
        for setup in setups:
            try:
                states.append(installed_by(source, [setup]))
            except SessionError:
                continue
    return states


@pytest.mark.parametrize(("version", "other"), [("12.5", "12.6"), ("12.6", "12.5")])
def test_closure_engine_answers_as_the_whole_repository(
    version: str, other: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the engine resolves, first over the closure: a request that succeeds must not need
    # the whole universe (a failure is resolved again over it, which would hide a closure that
    # is too small).
    answers: list[Resolution] = []

    def spy(universe: Universe, request: Request) -> Resolution:
        answers.append(resolve(universe, request))
        return answers[-1]

    monkeypatch.setattr(closure, "resolve", spy)
    engine = closure.ClosureEngine()
    others = load_release(RELEASES / f"cuda-{other}.yaml")
    for repository in load_release(RELEASES / f"cuda-{version}.yaml").repositories:
        same = others.repositories_of(repository.target_name)
        other_repository = next((r for r in same if r.arch == repository.arch), None)
        for state in _states(repository, other_repository):
            universe = universe_for(repository, state)
            for text in _requests(repository):
                request = parse_request(text)
                expected = resolve(universe, request)
                answers.clear()
                assert engine(repository, universe, request) == expected, text
                assert answers[0] == expected or not expected.ok, text
                # A name nothing has fails over the closure as over everything.
                assert len(answers) == 1 or ABSENT not in request.names, text


def _package(name: str, version: str, **relations: list[str]) -> PackageSpec:
    return PackageSpec(
        name=name,
        version=version,
        arch="noarch",
        summary=name,
        description="",
        section="test",
        relations={
            RelationKind(kind): tuple(map(parse_relation, texts))
            for kind, texts in relations.items()
        },
    )


def test_what_an_installed_package_needs_is_reached() -> None:
    # Installing z erases provider-a; the installed x still needs libold, which only
    # provider-b can then give: no package of the release names libold, the installed x does.
    provider = _package("provider-a", "1.0", provides=["libold"])
    installed = (_package("x", "1.0", depends=["libold"]), provider)
    release = (
        _package("x", "2.0"),
        provider,
        _package("provider-b", "1.0", provides=["libold"]),
        _package("z", "1.0", conflicts=["provider-a"]),
    )
    target = Target(family=Family.RPM, distro="test", release="1", arches=["x86_64"], base="none")
    repository = Repository("rpm1", target, "x86_64", "x86_64", release)
    universe = universe_for(repository, InstalledState(installed))
    request = parse_request("dnf install --allowerasing z")
    expected = resolve(universe, request)
    assert "provider-b" in expected.installed_names
    assert closure.ClosureEngine()(repository, universe, request) == expected


@pytest.mark.parametrize("family", list(Family))
def test_words_that_are_more_than_a_name_are_looked_up_in_everything(family: Family) -> None:
    # No package is called y.x86_64 or y:amd64, but clients read these as y on an
    # architecture; x is installed and in no repository, and z is in none at all.
    arch = "amd64" if family is Family.DEB else "x86_64"
    installed = (_package("x", "1.0", provides=["virtual-x"]),)
    target = Target(
        family=family,
        distro="test",
        release="1",
        suite="test" if family is Family.DEB else None,
        arches=["x86_64"],
        base="none",
    )
    y = replace(_package("y", "1.0"), arch=arch)
    repository = Repository("t1", target, "x86_64", "x86_64", (y,))
    universe = universe_for(repository, InstalledState(installed))
    install = driver(family).install_command
    words = ["x", "virtual-x", "y x", f"y.{arch}", f"y:{arch}", "y=1.0", "z", "y z"]
    for text in (f"{install} {w}" for w in words):
        request = parse_request(text)
        expected = resolve(universe, request)
        assert closure.ClosureEngine()(repository, universe, request) == expected, text
