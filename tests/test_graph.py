"""`repogen graph`: the DOT it writes, read back through Graphviz itself (``dot -Tjson``)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

import repogen.cli.graph  # noqa: F401  (registers the command)
from repogen.cli import app
from repogen.graph import (
    Direction,
    EdgeKind,
    Graph,
    Highlight,
    build_graph,
    focus,
    fold,
    highlight,
    matching,
    to_dot,
)
from repogen.model import (
    KernelModuleFlavor,
    RelationKind,
    ReleaseModel,
    Repository,
    load_release,
)
from repogen.model.relations import Alternative, Relation
from repogen.resolve import resolve
from repogen.resolve.request import parse_request
from repogen.resolve.universe import universe_for

from .conftest import MODELS, RELEASES

runner = CliRunner()
R125 = str(RELEASES / "cuda-12.5.yaml")
R126 = str(RELEASES / "cuda-12.6.yaml")


@dataclass(frozen=True)
class Drawn:
    """A graph as Graphviz read it: attributes by node name, edges, clusters' node names."""

    label: str
    nodes: dict[str, dict[str, Any]]
    edges: list[tuple[str, str, dict[str, Any]]]
    clusters: dict[str, tuple[dict[str, Any], set[str]]]

    def classes(self, node: str) -> set[str]:
        return set(self.nodes[node]["class"].split())

    def edge(self, tail: str, head: str) -> set[str]:
        """The classes of the one edge from *tail* to *head*."""
        (found,) = [a for t, h, a in self.edges if (t, h) == (tail, head)]
        return set(found["class"].split())


def drawn(dot: str) -> Drawn:
    done = subprocess.run(["dot", "-Tjson0"], input=dot.encode(), capture_output=True, check=True)
    assert done.stderr == b"", done.stderr  # no warnings either
    data = json.loads(done.stdout)
    objects = data.get("objects", [])
    nodes = {o["_gvid"]: o for o in objects if "nodes" not in o}
    return Drawn(
        label=data["label"],
        nodes={o["name"]: o for o in nodes.values()},
        edges=[(nodes[e["tail"]]["name"], nodes[e["head"]]["name"], e) for e in data["edges"]],
        clusters={
            o["name"]: (o, {nodes[i]["name"] for i in o["nodes"]}) for o in objects if "nodes" in o
        },
    )


def run_graph(*args: str) -> str:
    """DOT text of `repogen graph ARGS` (without -o: DOT on stdout)."""
    result = runner.invoke(app, ["graph", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def repository(release: ReleaseModel, target: str) -> Repository:
    return release.select([target])[0]


def requested(release: ReleaseModel, target: str, text: str) -> Graph:
    """The graph of *target* with what *text* selects highlighted."""
    repo = repository(release, target)
    universe = universe_for(repo)
    resolution = resolve(universe, parse_request(text))
    graph = build_graph(repo, release.release.name)
    return highlight(graph, text, resolution, universe.flavor(resolution))


# ------------------------------------------------------------------------------ what is drawn


def test_ubuntu_graph_shows_metapackages_flavors_virtuals_and_relation_kinds() -> None:
    graph = drawn(run_graph(R126, "--target", "ubuntu2204"))
    assert graph.classes("cuda") == {"metapackage"}
    assert graph.classes("nvidia-open") == {"metapackage", "entry"}
    assert graph.nodes["nvidia-open"]["peripheries"] == "2"
    assert graph.classes("nvidia-driver-560-open") == {"component"}
    open_, proprietary = graph.nodes["nvidia-dkms-560-open"], graph.nodes["nvidia-dkms-560"]
    assert set(open_["class"].split()) == {"component", "open"}
    assert set(proprietary["class"].split()) == {"component", "proprietary"}
    assert open_["fillcolor"] != proprietary["fillcolor"]
    assert graph.nodes["nvidia-dkms-kernel"]["shape"] == "ellipse"
    assert graph.classes("nvidia-dkms-kernel") == {"virtual"}
    assert "dkms" not in graph.nodes  # base packages are drawn only with --base
    assert graph.edge("cuda-runtime-12-6", "nvidia-open") == {"depends"}
    assert graph.edge("nvidia-open-560", "nvidia-driver-560-open") == {"depends"}
    # Debian's exclusive providers: provides and conflicts with the same virtual package.
    assert graph.edge("nvidia-dkms-560", "nvidia-dkms-kernel") == {"conflicts", "provides"}
    assert ("cuda-runtime-12-6", "cuda-drivers") not in {(t, h) for t, h, _ in graph.edges}


def test_interchangeable_components_fold_into_one_node() -> None:
    graph = drawn(run_graph(R126, "--target", "ubuntu2204"))
    shared = [name for name in graph.nodes if "libnvidia-compute-560" in name.split("\\n")]
    assert len(shared) == 1
    names = shared[0].split("\\n")
    assert len(names) == 9
    assert {"nvidia-utils-560", "xserver-xorg-video-nvidia-560"} <= set(names)
    # libnvidia-gl-560 also depends on libnvidia-common-560: not interchangeable with them.
    assert "libnvidia-gl-560" not in names
    assert graph.edge("nvidia-driver-560", shared[0]) == {"depends"}
    assert graph.edge("nvidia-driver-560-open", shared[0]) == {"depends"}


def test_base_packages_are_drawn_on_request() -> None:
    graph = drawn(run_graph(R126, "--target", "ubuntu2204", "--base"))
    assert graph.classes("dkms") == {"base"}
    assert graph.edge("nvidia-dkms-560-open", "dkms") == {"depends"}


def test_alternatives_are_numbered_in_the_order_apt_tries_them() -> None:
    graph = drawn(run_graph(R126, "--target", "debian12"))
    group = "nvidia-kernel-dkms | nvidia-kernel-560.28.03 | nvidia-kernel-open-dkms"
    assert graph.classes(group) == {"alternatives"}
    assert graph.edge("nvidia-driver", group) == {"depends"}
    order = {h: a["label"] for t, h, a in graph.edges if t == group}
    assert order == {
        "nvidia-kernel-dkms": "1",
        "nvidia-kernel-560.28.03": "2",
        "nvidia-kernel-open-dkms": "3",
    }
    assert graph.classes("nvidia-kernel-560.28.03") == {"virtual"}


def test_suse_patterns_are_distinct_and_share_one_alternatives_group() -> None:
    graph = drawn(run_graph(R126, "--target", "sles15"))
    assert graph.classes("patterns-cuda-open") == {"pattern"}
    assert graph.nodes["patterns-cuda-open"]["label"] == "pattern cuda-open"
    assert graph.nodes["patterns-cuda-open"]["shape"] == "folder"
    groups = [n for n in graph.nodes if graph.classes(n) == {"alternatives"}]
    assert len(groups) == 1  # the five G06 userspace packages share one relation
    assert sorted(a["label"] for t, _, a in graph.edges if t == groups[0]) == ["1", "2", "3"]


def test_module_streams_are_clusters_with_their_kernel_module_and_default() -> None:
    for model, default in ((R125, "latest-dkms"), (R126, "open-dkms")):
        graph = drawn(run_graph(model, "--target", "rhel9"))
        (open_cluster,) = [
            nodes for _, nodes in graph.clusters.values() if "kmod-nvidia-open-dkms" in nodes
        ]
        branch = "555" if model == R125 else "560"
        assert open_cluster == {
            "kmod-nvidia-open-dkms",
            "nvidia-driver:open-dkms",
            f"nvidia-driver:{branch}-open",
        }
        assert graph.edge("nvidia-driver:open-dkms", "kmod-nvidia-open-dkms") == {"selects"}
        defaults = [n for n in graph.nodes if "default" in graph.classes(n)]
        assert defaults == [f"nvidia-driver:{default}"]
        assert "(default stream)" in graph.nodes[defaults[0]]["label"]
        assert {"stream", "open"} <= graph.classes("nvidia-driver:open-dkms")
    # Only the open DKMS kmod names the proprietary one (nvidia-packaging.md §8): one edge,
    # not a tee at both ends.
    assert graph.edge("kmod-nvidia-open-dkms", "kmod-nvidia-latest-dkms") == {"conflicts"}
    assert not [a for t, h, a in graph.edges if a.get("dir") == "both"]


# ------------------------------------------------------------------------------ requests


def test_apt_install_cuda_highlights_the_open_path_on_12_6() -> None:
    graph = drawn(run_graph(R126, "--target", "ubuntu2204", "--request", "apt-get install cuda"))
    path = [
        "cuda",
        "cuda-12-6",
        "cuda-runtime-12-6",
        "nvidia-open",
        "nvidia-open-560",
        "nvidia-driver-560-open",
        "nvidia-dkms-560-open",
    ]
    for name in path:
        assert "selected" in graph.classes(name), name
    for tail, head in itertools.pairwise(path):
        assert "selected" in graph.edge(tail, head), (tail, head)
    for name in ("nvidia-dkms-560", "nvidia-driver-560", "cuda-drivers", "cuda-toolkit"):
        assert "dimmed" in graph.classes(name), name
    assert "requested" in graph.classes("cuda")
    assert graph.nodes["nvidia-dkms-560-open"]["penwidth"] == "2.5"
    assert graph.edge("nvidia-dkms-560", "nvidia-dkms-kernel") >= {"conflicts", "dimmed"}
    assert "apt-get install cuda → kernel modules: open" in graph.label


def test_apt_install_cuda_took_the_proprietary_path_on_12_5() -> None:
    graph = drawn(run_graph(R125, "--target", "ubuntu2204", "--request", "apt-get install cuda"))
    # cuda-drivers-555 accepts the branch's open driver as a second alternative; apt took the
    # first.
    choice = "nvidia-driver-555 | nvidia-driver-555-open"
    path = ["cuda-runtime-12-5", "cuda-drivers", "cuda-drivers-555", choice, "nvidia-driver-555"]
    for tail, head in itertools.pairwise([*path, "nvidia-dkms-555"]):
        assert "selected" in graph.edge(tail, head), (tail, head)
    assert "dimmed" in graph.edge(choice, "nvidia-driver-555-open")
    assert "dimmed" in graph.classes("nvidia-dkms-555-open")
    assert "kernel modules: proprietary" in graph.label


def test_every_edge_the_resolver_followed_is_highlighted(release_12_6: ReleaseModel) -> None:
    for target, text in (
        ("ubuntu2204", "apt-get install cuda"),
        ("rhel9", "dnf install cuda"),
        ("sles15", "zypper install -t pattern cuda-open"),
    ):
        repo = repository(release_12_6, target)
        resolution = resolve(universe_for(repo), parse_request(text))
        graph = requested(release_12_6, target, text)
        chosen = {n.id for n in graph.nodes if n.highlight is Highlight.SELECTED}
        assert chosen >= resolution.installed_names & {n.id for n in graph.nodes}
        followed = {(e.tail, e.head) for e in graph.edges if e.highlight is Highlight.SELECTED}
        for child, why in resolution.why.items():
            if len(why) == 2 and child in chosen:
                parent = why[0]
                # directly, or through the virtual package / alternatives node it names
                via = {h for t, h in followed if t == parent}
                assert (
                    child in via
                    or any((v, child) in followed for v in via)
                    or any((child, v) in followed for v in via)
                ), (target, parent, child)


def test_dnf_install_cuda_selects_the_default_open_stream_on_rhel9(
    release_12_6: ReleaseModel,
) -> None:
    graph = requested(release_12_6, "rhel9", "dnf install cuda")
    state = {n.id: n.highlight for n in graph.nodes}
    assert state["nvidia-driver:open-dkms"] is Highlight.SELECTED
    assert state["kmod-nvidia-open-dkms"] is Highlight.SELECTED
    assert state["nvidia-kmod"] is Highlight.SELECTED  # the virtual the kmod satisfies
    assert state["kmod-nvidia-latest-dkms"] is Highlight.DIMMED
    assert state["nvidia-driver:latest-dkms"] is Highlight.DIMMED
    edges = {(e.tail, e.head, e.kind): e.highlight for e in graph.edges}
    assert edges["kmod-nvidia-open-dkms", "nvidia-kmod", EdgeKind.PROVIDES] is Highlight.SELECTED
    assert edges["kmod-nvidia-latest-dkms", "nvidia-kmod", EdgeKind.PROVIDES] is Highlight.DIMMED
    assert graph.caption[-1] == "dnf install cuda → kernel modules: open"


def test_a_request_that_fails_or_does_not_fit_the_target_is_an_error() -> None:
    failed = runner.invoke(
        app, ["graph", "--target", "ubuntu2204", "--request", "apt-get install nope"]
    )
    assert failed.exit_code == 1
    assert "Unable to locate package nope" in failed.output
    wrong = runner.invoke(app, ["graph", "--target", "ubuntu2204", "--request", "dnf install cuda"])
    assert wrong.exit_code == 2
    assert "rpm request" in wrong.output


# ------------------------------------------------------------------------------ focus


def test_focus_keeps_what_lies_within_the_depth(release_12_6: ReleaseModel) -> None:
    graph = build_graph(repository(release_12_6, "ubuntu2204"), "r")

    def kept(root: str, depth: int | None, direction: Direction = Direction.DOWN) -> set[str]:
        return {n.id for n in focus(graph, root, depth, direction).nodes}

    assert kept("cuda-runtime-12-6", 0) == {"cuda-runtime-12-6"}
    assert kept("cuda-runtime-12-6", 2) == {
        "cuda-runtime-12-6",
        "cuda-libraries-12-6",
        "nvidia-open",
        "nvidia-open-560",
    }
    assert kept("nvidia-dkms-560", None, Direction.UP) == {
        "nvidia-dkms-560",
        "nvidia-dkms-kernel",  # what it provides: anything asking for that could pull it in
        "nvidia-driver-560",
        "cuda-drivers-560",
        "cuda-drivers",
    }
    assert kept("nvidia-open-560", 1, Direction.BOTH) == {
        "nvidia-open-560",
        "nvidia-open",
        "nvidia-driver-560-open",
    }
    with pytest.raises(LookupError, match="nope"):
        focus(graph, "nope", 1, Direction.DOWN)


def test_a_virtual_package_brings_its_providers_at_the_same_depth(
    release_12_6: ReleaseModel,
) -> None:
    graph = build_graph(repository(release_12_6, "rhel9"), "r")
    cut = focus(graph, "nvidia-kmod-common", 1, Direction.DOWN)
    assert {n.id for n in cut.nodes} >= {
        "nvidia-kmod",
        "kmod-nvidia-open-dkms",
        "kmod-nvidia-latest-dkms",
        "nvidia-modprobe",
    }
    assert all(n.kind != "stream" for n in cut.nodes)
    assert {c.id for c in cut.clusters} == {n.cluster for n in cut.nodes} - {None}
    assert cut.caption[-1] == "focus: nvidia-kmod-common, 1 step down"


def test_focus_on_the_command_line() -> None:
    graph = drawn(
        run_graph(R126, "--target", "ubuntu2204", "--focus", "nvidia-open", "--depth", "1")
    )
    assert set(graph.nodes) == {"nvidia-open", "nvidia-open-560"}
    assert "focus: nvidia-open, 1 step down" in graph.label
    lonely = runner.invoke(app, ["graph", "--target", "ubuntu2204", "--depth", "1"])
    assert lonely.exit_code == 2
    assert "--depth needs --focus" in lonely.output


# ------------------------------------------------------------------------------ diff


def test_diff_shows_the_12_6_switch_of_cuda_on_ubuntu() -> None:
    graph = drawn(run_graph("--diff", R125, R126, "--target", "ubuntu2204"))
    runtime = "cuda-runtime-{cuda_dash}"
    assert graph.edge(runtime, "cuda-drivers") == {"depends", "removed"}
    assert graph.edge(runtime, "nvidia-open") == {"depends", "added"}
    assert graph.edge("nvidia-open", "nvidia-open-{branch}") == {"depends", "added"}
    assert "added" in graph.classes("nvidia-open")
    assert graph.nodes["nvidia-open-{branch}"]["label"] == "nvidia-open-560"
    # matched across releases: the same node, labelled with the newer name, unchanged
    assert graph.classes("nvidia-driver-{branch}") == {"component"}
    assert graph.nodes["nvidia-driver-{branch}"]["label"] == "nvidia-driver-560"
    assert graph.nodes[runtime]["style"] == "rounded,filled"
    assert graph.edge("cuda-drivers", "cuda-drivers-{branch}") == {"depends"}
    assert "cuda-12.5.1 → cuda-12.6.0 · ubuntu2204/amd64" in graph.label
    assert "555 → 560" in graph.label


def test_diff_marks_the_default_stream_moving_on_rhel9() -> None:
    graph = drawn(run_graph("--diff", R125, R126, "--target", "rhel9", "--focus", "cuda"))
    assert "nvidia-driver:open-dkms" not in graph.nodes  # nothing pulls a stream in
    full = drawn(run_graph("--diff", R125, R126, "--target", "rhel9"))
    assert {"changed", "default"} <= full.classes("nvidia-driver:open-dkms")
    assert "changed" in full.classes("nvidia-driver:latest-dkms")
    assert "default" not in full.classes("nvidia-driver:latest-dkms")
    assert full.classes("nvidia-driver:{branch}-open") == {"stream", "open", "entry"}


def test_names_match_across_releases_by_their_versions(
    release_12_5: ReleaseModel, release_12_6: ReleaseModel
) -> None:
    names = matching(release_12_5.release, release_12_6.release)
    assert names.key("nvidia-driver-555-open") == "nvidia-driver-{branch}-open"
    assert names.key("nvidia-driver-560-open") == "nvidia-driver-{branch}-open"
    assert names.key("kmod-nvidia-555.42.06-5.14.0-427") == "kmod-nvidia-{driver}-5.14.0-427"
    assert names.key("cuda-runtime-12-6") == "cuda-runtime-{cuda_dash}"
    assert names.key("nvidia-driver:555-dkms") == "nvidia-driver:{branch}-dkms"
    assert names.key("libfoo5551") == "libfoo5551"
    assert names.key("cuda-toolkit-12") == "cuda-toolkit-12"
    same = matching(release_12_6.release, release_12_6.release)
    assert same.key("nvidia-driver-560") == "nvidia-driver-560"
    assert same.replaced == ""


def test_diff_refuses_a_model_or_a_request() -> None:
    result = runner.invoke(app, ["graph", R126, "--diff", R125, R126, "--target", "ubuntu2204"])
    assert result.exit_code == 2
    assert "--diff" in result.output


# ------------------------------------------------------------------------------ output


def test_dot_renders_to_svg_and_png(tmp_path: Path) -> None:
    """The README pictures' command: valid SVG with the elements' classes, and a PNG."""
    svg, png = tmp_path / "cuda.svg", tmp_path / "cuda.png"
    for path in (svg, png):
        args = ["graph", R126, "--target", "ubuntu2204", "--request", "apt-get install cuda"]
        result = runner.invoke(app, [*args, "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{path}: ")
    root = etree.parse(str(svg)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    classes = {g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert "node component open selected" in classes  # nvidia-dkms-560-open
    assert "edge depends selected" in classes
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000


def test_the_picture_format_comes_from_the_file_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", "--target", "ubuntu2204", "-o", str(tmp_path / "g.jpg")])
    assert result.exit_code == 2
    assert "cannot tell the picture format from .jpg" in result.output
    assert not (tmp_path / "g.jpg").exists()
    dot = tmp_path / "g.dot"
    assert runner.invoke(app, ["graph", "--target", "ubuntu2204", "-o", str(dot)]).exit_code == 0
    assert dot.read_text().startswith("digraph packages {")


def test_the_same_model_gives_the_same_bytes() -> None:
    args = ["--target", "rhel9", "--request", "dnf install cuda"]
    first, second = run_graph(R126, *args), run_graph(R126, *args)
    assert first == second
    again = load_release(RELEASES / "cuda-12.6.yaml")
    rebuilt = build_graph(repository(again, "rhel9"), "cuda-12.6.0")
    reversed_ = dataclasses.replace(rebuilt, nodes=rebuilt.nodes[::-1], edges=rebuilt.edges[::-1])
    assert to_dot(rebuilt) == to_dot(reversed_)


def test_no_label_overlaps_another_or_a_node() -> None:
    """Graphviz's own label boxes (xdot text ops) for the README pictures and dense targets."""
    cases = [
        (R125, "ubuntu2204", "apt-get install cuda"),
        (R126, "ubuntu2204", "apt-get install cuda"),
        (R126, "rhel9", "dnf install cuda"),
        (R126, "sles15", "zypper install cuda"),
        (R126, "debian12", "apt-get install cuda"),
    ]
    for model, target, text in cases:
        dot = run_graph(model, "--target", target, "--request", text)
        done = subprocess.run(
            ["dot", "-Tjson"], input=dot.encode(), capture_output=True, check=True
        )
        data = json.loads(done.stdout)
        labels = [
            box
            for e in data["edges"]
            for op in e.get("_ldraw_", [])
            if (box := _text_box(op, e["_ldraw_"])) is not None
        ]
        nodes = [_node_box(o) for o in data["objects"] if "pos" in o]
        assert labels, target
        for a, b in itertools.combinations(labels, 2):
            assert not _overlap(a, b), (target, a, b)
        for a, b in itertools.product(labels, nodes):
            assert not _overlap(a, b), (target, a, b)


Box = tuple[str, float, float, float, float]


def _text_box(op: dict[str, Any], ops: list[dict[str, Any]]) -> Box | None:
    if op["op"] != "T":
        return None
    size = next(o["size"] for o in ops if o["op"] == "F")
    x, y = op["pt"]
    half = op["width"] / 2
    return (op["text"], x - half, y - size * 0.25, x + half, y + size * 0.8)


def _node_box(node: dict[str, Any]) -> Box:
    x, y = map(float, node["pos"].split(","))
    half_w, half_h = float(node["width"]) * 36, float(node["height"]) * 36
    return (node["name"], x - half_w, y - half_h, x + half_w, y + half_h)


def _overlap(a: Box, b: Box) -> bool:
    return a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]


# ------------------------------------------------------------------------------ hostile text

HOSTILE = 'a"b} -> {c\\N\n];<x>&amp;\x01'


def test_hostile_names_and_summaries_cannot_break_the_dot() -> None:
    mini = load_release(MODELS / "minimal.yaml").select(["deb1"])[0]
    kmod = next(p for p in mini.packages if p.name == "kmod-open")
    evil = dataclasses.replace(kmod, name=f"kmod{HOSTILE}", summary=HOSTILE, relations={})
    either = Relation((Alternative(evil.name), Alternative("kmod-open")))
    driver = dataclasses.replace(
        next(p for p in mini.packages if p.name == "driver"),
        summary=HOSTILE,
        relations={RelationKind.DEPENDS: (either,), RelationKind.CONFLICTS: (either,)},
    )
    others = tuple(p for p in mini.packages if p.name != "driver")
    repo = dataclasses.replace(mini, packages=(*others, evil, driver))
    graph = build_graph(repo, release=f"mini{HOSTILE}")
    group = f"{evil.name} | kmod-open"
    assert {(e.tail, e.head) for e in graph.edges} >= {("driver", group), (group, evil.name)}
    dot = to_dot(fold(graph))
    parsed = drawn(dot)
    assert len(parsed.nodes) == len(fold(graph).nodes)
    assert len(parsed.edges) == len(graph.edges) - 1  # depends + conflicts: one bundle
    svg = subprocess.run(["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=True)
    root = etree.fromstring(svg.stdout)
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert 'kmoda"b} -> {c\\N' in texts  # one line of the node's label, shown as written
    assert "];<x>&amp;\u2401" in texts  # the next line; a control character as its picture
    tooltips = {a.get("{http://www.w3.org/1999/xlink}title") for a in root.iter()}
    shown = HOSTILE.replace("\\", "\u29f5")[:-1]  # Graphviz expands \\N in any tooltip
    assert any(t and t.startswith(f"driver 560.28.03-1\n{shown}") for t in tooltips)
    assert f"mini{HOSTILE[:-1]}" not in dot  # the caption is escaped HTML-like text


def test_help_has_an_example() -> None:
    result = runner.invoke(app, ["graph", "--help"])
    assert result.exit_code == 0
    assert "Example: repogen graph " in result.stdout


def test_flavors_have_their_own_colours(release_12_6: ReleaseModel) -> None:
    graph = drawn(to_dot(build_graph(repository(release_12_6, "sles15"), "r")))
    fills = {
        flavor: {graph.nodes[n]["fillcolor"] for n in graph.nodes if flavor in graph.classes(n)}
        for flavor in KernelModuleFlavor
    }
    assert all(len(colours) == 1 for colours in fills.values())
    assert fills[KernelModuleFlavor.OPEN] != fills[KernelModuleFlavor.PROPRIETARY]
