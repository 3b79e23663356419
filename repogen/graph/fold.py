"""Components related to the same nodes in the same way, drawn as one node.

The driver's shared userspace (libnvidia-gl, libnvidia-compute, … nvidia-utils) is ten
stand-ins that both the proprietary and the open driver metapackage depend on: as ten nodes
they are twenty edges saying one thing.  Folded, they are one node listing every name, one
per line, whose id is those names joined by newlines.  Only components fold, and only when
everything drawn about them is the same: their edges (kind, label, other end, highlight,
change) and their own look (kind, flavor, entry, cluster, highlight, change).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from repogen.graph.elements import Edge, EdgeKind, Graph, Node, NodeKind


def fold(graph: Graph) -> Graph:
    """*graph* with each group of interchangeable components drawn as one node."""
    ends: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for e in graph.edges:
        ends[e.tail].add(("to", e.head, e.kind, e.label, e.highlight, e.change))
        ends[e.head].add(("from", e.tail, e.kind, e.label, e.highlight, e.change))
    groups: dict[tuple[object, ...], list[Node]] = defaultdict(list)
    for node in sorted(graph.nodes, key=lambda n: n.id):
        if node.kind is NodeKind.COMPONENT:
            look = replace(node, id="", label="", tooltip="")
            groups[(look, frozenset(ends[node.id]))].append(node)
    folded = [members for members in groups.values() if len(members) > 1]
    if not folded:
        return graph
    into = {m.id: "\n".join(n.id for n in members) for members in folded for m in members}
    nodes = [n for n in graph.nodes if n.id not in into] + [
        replace(
            members[0],
            id=into[members[0].id],
            label="\n".join(m.label for m in members),
            tooltip="\n".join(m.tooltip for m in members),
        )
        for members in folded
    ]
    edges: dict[tuple[str, str, EdgeKind, str], Edge] = {}
    for edge in graph.edges:
        moved = replace(
            edge, tail=into.get(edge.tail, edge.tail), head=into.get(edge.head, edge.head)
        )
        if moved.key in edges:
            moved = replace(moved, tooltip=f"{edges[moved.key].tooltip}\n{edge.tooltip}")
        edges[moved.key] = moved
    return Graph(graph.caption, tuple(nodes), tuple(edges.values()), graph.clusters)
