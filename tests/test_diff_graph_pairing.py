"""`repogen diff` and `repogen graph --diff` pair the packages of two releases the same way:
one normaliser and one rename rule (by name, by Replaces/Obsoletes/Provides, by name once the
release numbers are normalised).

Checked on every repository of the bundled 12.5 → 12.6 releases and of the small models of
tests/models/rename, whose renames are each of a kind (a number glued to a name, declared
links, a name kept while its normalised twin is dropped, a link that wins over the release
numbers).
"""

from __future__ import annotations

import functools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import repogen.cli.graph  # noqa: F401  (registers the command)
from repogen.cli import app
from repogen.diff import DiffOptions, ReleaseDiff, RepositoryDiff, diff_releases
from repogen.graph import Change, Graph, NodeKind, build_graph, diff, matching, where
from repogen.model import ReleaseModel, load_release

from .conftest import MODELS, RELEASES

runner = CliRunner()
RENAME = MODELS / "rename"
#: The graph's nodes that are packages of the release repository.
PACKAGE_NODES = frozenset({NodeKind.METAPACKAGE, NodeKind.COMPONENT, NodeKind.PATTERN})


@dataclass(frozen=True)
class Paired:
    """Packages of one repository pair: renamed (old, new), and those one side has alone."""

    renamed: frozenset[tuple[str, str]]
    removed: frozenset[str]
    added: frozenset[str]


def by_diff(found: RepositoryDiff) -> Paired:
    return Paired(
        frozenset((r.old, r.new) for r in found.renamed),
        frozenset(p.name for p in found.removed),
        frozenset(p.name for p in found.added),
    )


def _name(tooltip: str) -> str:
    """The package a node's tooltip (``NAME VERSION\\nsummary``) describes."""
    return tooltip.split(maxsplit=1)[0]


def by_graph(graph: Graph) -> Paired:
    """What the graph diff paired: a node of both releases is drawn as the new package, with
    the old one's tooltip after ``was:`` when it differs."""
    renamed, removed, added = set(), set(), set()
    for node in graph.nodes:
        if node.kind not in PACKAGE_NODES:
            # A package whose name only a Provides keeps in the new release (nvidia-driver-devel
            # at 560, provided by nvidia-driver-cuda-libs) is drawn as that virtual package,
            # with the old package after ``was:``: the package itself is gone.
            _, _, was = node.tooltip.partition("\nwas: ")
            if node.kind is NodeKind.VIRTUAL and was and not was.startswith("provided by"):
                removed.add(_name(was))
            continue
        if node.change is Change.REMOVED:
            removed.add(_name(node.tooltip))
        elif node.change is Change.ADDED:
            added.add(_name(node.tooltip))
        else:
            new, _, was = node.tooltip.partition("\nwas: ")
            if was and _name(was) != _name(new):
                renamed.add((_name(was), _name(new)))
    return Paired(frozenset(renamed), frozenset(removed), frozenset(added))


def graph_diff(old: ReleaseModel, new: ReleaseModel, target: str, arch: str) -> Graph:
    """The graph `repogen graph --diff` draws for *target*/*arch*."""
    (before,) = [r for r in old.repositories_of(target) if r.arch == arch]
    (after,) = [r for r in new.repositories_of(target) if r.arch == arch]
    return diff(
        build_graph(before, old.release.name),
        build_graph(after, new.release.name),
        matching(old.release, new.release, before, after),
        where(after),
    )


@dataclass(frozen=True)
class Compared:
    old: ReleaseModel
    new: ReleaseModel
    diff: ReleaseDiff


@functools.cache
def compare(old_path: Path, new_path: Path) -> Compared:
    old, new = load_release(old_path), load_release(new_path)
    # One cheap request: the requests' outcomes are not what is compared here.
    return Compared(old, new, diff_releases(old, new, DiffOptions(requests=("{install} x",))))


@pytest.fixture(
    scope="module",
    params=[
        (RELEASES / "cuda-12.5.yaml", RELEASES / "cuda-12.6.yaml"),
        (RENAME / "old.yaml", RENAME / "new.yaml"),
    ],
    ids=["12.5-12.6", "rename"],
)
def compared(request: pytest.FixtureRequest) -> Compared:
    return compare(*request.param)


def test_both_commands_pair_the_same_packages(compared: Compared) -> None:
    changed = [r for r in compared.diff.repositories if r.renamed or r.removed or r.added]
    assert changed, "nothing renamed, added or removed: the comparison would prove nothing"
    for found in compared.diff.repositories:
        graph = graph_diff(compared.old, compared.new, found.target, found.arch)
        assert by_graph(graph) == by_diff(found), f"{found.target}/{found.arch}"


def test_the_rename_models_have_each_kind_of_rename() -> None:
    for found in compare(RENAME / "old.yaml", RENAME / "new.yaml").diff.repositories:
        paired = by_diff(found)
        assert paired.renamed == {
            ("libfoo555", "libfoo560"),
            ("tool-555", "tool-560"),
            ("predecessor", "successor"),
            ("compat-old", "compat-new"),
            ("baz", "bar-560"),
        }
        assert paired.removed == {"keep-555", "bar-555"}
        assert paired.added == frozenset()


def test_the_graph_command_draws_declared_renames_as_one_node() -> None:
    """The command itself, not only its parts, pairs by the declared links."""
    args = ["graph", "--diff", str(RENAME / "old.yaml"), str(RENAME / "new.yaml")]
    result = runner.invoke(app, [*args, "--target", "deb1"])
    assert result.exit_code == 0, result.output
    dot = ["dot", "-Tjson0"]
    done = subprocess.run(dot, input=result.stdout.encode(), capture_output=True, check=True)
    nodes = {o["name"]: o for o in json.loads(done.stdout)["objects"] if "nodes" not in o}
    assert set(nodes) == {
        "same",
        "libfoo{branch}",
        "tool-{branch}",
        "successor",
        "compat-new",
        "keep-560",
        "keep-{branch}",
        "bar-560",
        "bar-{branch}",
    }
    removed = {name for name, o in nodes.items() if "removed" in o["class"].split()}
    assert removed == {"keep-{branch}", "bar-{branch}"}
    assert nodes["bar-560"]["label"] == "bar-560"
    assert nodes["libfoo{branch}"]["label"] == "libfoo560"
