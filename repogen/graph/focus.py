"""Cutting a graph down to what lies within a number of relation steps of one node.

Steps follow what pulls packages in (depends, pre-depends, recommends, suggests, a stream's
kernel module), downstream from the focus by default: what installing it can bring.
``up`` follows the same relations backwards (what can bring the focus in), ``both`` either
way.  An alternatives group and a virtual package are part of the relation that names them:
reaching one also reaches its alternatives or providers at the same depth.  Exclusions
(conflicts, breaks, obsoletes) are never followed but are kept between nodes that are.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator
from enum import StrEnum

from repogen.graph.elements import PULLING, Edge, EdgeKind, Graph


class Direction(StrEnum):
    DOWN = "down"
    UP = "up"
    BOTH = "both"


def focus(graph: Graph, root: str, depth: int | None, direction: Direction) -> Graph:
    """The part of *graph* within *depth* steps of node *root* (every step with None).

    Raises LookupError when *root* is not a node of *graph*.
    """
    if graph.node(root) is None:
        raise LookupError(f"{root} is not drawn: name a package, virtual package or stream")
    distance = _distances(graph, root, direction)
    kept = {node for node, steps in distance.items() if depth is None or steps <= depth}
    nodes = tuple(n for n in graph.nodes if n.id in kept)
    clusters = {n.cluster for n in nodes}
    steps = "every step" if depth is None else f"{depth} step{'' if depth == 1 else 's'}"
    return Graph(
        caption=(*graph.caption, f"focus: {root}, {steps} {direction}"),
        nodes=nodes,
        edges=tuple(e for e in graph.edges if e.tail in kept and e.head in kept),
        clusters=tuple(c for c in graph.clusters if c.id in clusters),
    )


def _distances(graph: Graph, root: str, direction: Direction) -> dict[str, int]:
    """Fewest steps from *root* to every node it reaches (0-1 breadth-first search)."""
    neighbours: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for source, target, cost in _steps(graph.edges, direction):
        neighbours[source].append((target, cost))
    distance = {root: 0}
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for target, cost in neighbours[node]:
            steps = distance[node] + cost
            if steps < distance.get(target, steps + 1):
                distance[target] = steps
                if cost:
                    queue.append(target)
                else:
                    queue.appendleft(target)
    return distance


def _steps(edges: tuple[Edge, ...], direction: Direction) -> Iterator[tuple[str, str, int]]:
    """(from, to, cost) for each step *direction* allows."""
    for edge in edges:
        if edge.kind is EdgeKind.PROVIDES:  # downstream: from the virtual to its provider
            down = (edge.head, edge.tail, 0)
        elif edge.kind in PULLING:
            down = (edge.tail, edge.head, 0 if edge.kind is EdgeKind.ALTERNATIVE else 1)
        else:
            continue
        if direction is not Direction.UP:
            yield down
        if direction is not Direction.DOWN:
            yield (down[1], down[0], down[2])
