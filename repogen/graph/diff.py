"""One graph of what changed between two releases of the same target.

Package names carry their release (``nvidia-driver-555`` / ``nvidia-driver-560``,
``cuda-12-5`` / ``cuda-12-6``), so nodes are matched by a key: the name with every release
variable whose value differs between the two releases (driver version, CUDA version, branch,
``cuda_dot``, ``cuda_dash``) replaced by its placeholder, ``nvidia-driver-{branch}``.  A value
only counts as a whole version: ``560`` in ``nvidia-driver-560-open``, not in ``5601`` or
``1.560``.  The keys are the node ids of the diff; labels keep the real names, the newer
release's when a node is in both.  Edges match on their keyed ends, kind and label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from repogen.graph.elements import Change, Graph, Node
from repogen.model.declarations import Release
from repogen.model.templates import release_variables

#: The release variables that appear in package and stream names.
MATCHED = ("driver", "cuda", "branch", "cuda_dot", "cuda_dash")


@dataclass(frozen=True)
class Renaming:
    """Names of one release onto the keys they share with the other release."""

    #: Value in this release → placeholder, such as ``555`` → ``{branch}``.
    placeholders: Mapping[str, str]

    def key(self, name: str) -> str:
        if not self.placeholders:
            return name
        values = sorted(self.placeholders, key=len, reverse=True)
        pattern = rf"(?<![\d.])(?:{'|'.join(map(re.escape, values))})(?!\.?\d)"
        return re.sub(pattern, lambda m: self.placeholders[m.group()], name)


@dataclass(frozen=True)
class Matching:
    """How the names of an older and a newer release are matched."""

    old: Release
    new: Release
    before: Renaming
    after: Renaming
    #: ``555 → 560, 12-5 → 12-6, …``: the values replaced.
    replaced: str

    def key(self, name: str) -> str:
        """The key of *name*, a name of either release."""
        return self.after.key(self.before.key(name))


def matching(old: Release, new: Release) -> Matching:
    before, after = release_variables(old), release_variables(new)
    differ = [v for v in MATCHED if before[v] != after[v]]
    return Matching(
        old,
        new,
        Renaming({before[v]: f"{{{v}}}" for v in differ}),
        Renaming({after[v]: f"{{{v}}}" for v in differ}),
        ", ".join(f"{before[v]} → {after[v]}" for v in differ),
    )


def diff(old: Graph, new: Graph, names: Matching, where: str) -> Graph:
    """*old* and *new*, graphs of the same target (*where*) in the releases of *names*, as
    one graph whose elements are marked added, removed, changed (a node drawn differently:
    kind, flavor, entry, default stream, cluster) or the same."""
    old, new = _rekey(old, names.before), _rekey(new, names.after)
    before = {n.id: n for n in old.nodes}
    after = {n.id: n for n in new.nodes}
    old_edges = {e.key: e for e in old.edges}
    new_edges = {e.key: e for e in new.edges}
    old_clusters = {c.id: c for c in old.clusters}
    new_clusters = {c.id: c for c in new.clusters}
    caption = [f"{names.old.name} → {names.new.name} · {where}"]
    if names.replaced:
        caption.append(f"packages matched by name, with {names.replaced}")
    return Graph(
        tuple(caption),
        tuple(_node(before.get(k), after.get(k)) for k in before.keys() | after.keys()),
        (
            *(replace(e, change=_added(k in old_edges)) for k, e in new_edges.items()),
            *(
                replace(e, change=Change.REMOVED)
                for k, e in old_edges.items()
                if k not in new_edges
            ),
        ),
        (
            *(replace(c, change=_added(k in old_clusters)) for k, c in new_clusters.items()),
            *(
                replace(c, change=Change.REMOVED)
                for k, c in old_clusters.items()
                if k not in new_clusters
            ),
        ),
    )


def _rekey(graph: Graph, renaming: Renaming) -> Graph:
    """*graph* with every node, edge end and cluster identified by its key."""
    key = renaming.key
    return Graph(
        graph.caption,
        tuple(
            replace(n, id=key(n.id), cluster=None if n.cluster is None else key(n.cluster))
            for n in graph.nodes
        ),
        tuple(replace(e, tail=key(e.tail), head=key(e.head)) for e in graph.edges),
        tuple(replace(c, id=key(c.id)) for c in graph.clusters),
    )


def _added(in_old: bool) -> Change:
    return Change.SAME if in_old else Change.ADDED


def _node(old: Node | None, new: Node | None) -> Node:
    if new is None:
        assert old is not None
        return replace(old, change=Change.REMOVED)
    if old is None:
        return replace(new, change=Change.ADDED)
    changed = _drawn_as(old) != _drawn_as(new)
    tooltip = new.tooltip if old.tooltip == new.tooltip else f"{new.tooltip}\nwas: {old.tooltip}"
    return replace(new, change=Change.CHANGED if changed else Change.SAME, tooltip=tooltip)


def _drawn_as(node: Node) -> tuple[object, ...]:
    return (node.kind, node.flavor, node.entry, node.default, node.cluster)
