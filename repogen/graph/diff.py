"""One graph of what changed between two releases of the same target.

Nodes are matched the way `repogen diff` matches packages, with its normaliser and rename rule
(:mod:`repogen.diff.normalise`, :func:`repogen.diff.packages.pair`), so the two commands agree
on which packages are the same: packages of the same name; a new package that ``Replaces``,
``Obsoletes`` or ``Provides`` a removed one; packages whose names are equal once each release's
numbers that differ (driver version, CUDA version, branch, ``cuda_dot``, ``cuda_dash``) are
replaced by placeholders, ``nvidia-driver-{branch}``.  Module streams are matched like the
diff matches them too.

Each node gets a key, the same on both sides for matched packages: a package of the same name
keeps its name, a package renamed with the release has its normalised name, a package renamed
by a declared link has its new name; every other element (packages only one side has, virtual
packages, streams) has its normalised name.  The keys are the node ids of the diff; labels
keep the real names, the newer release's when a node is in both.  Edges match on their keyed
ends, kind and label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from repogen.diff.features import stream_pairs
from repogen.diff.normalise import Normaliser, ReleaseNumbers
from repogen.diff.packages import candidates, pair
from repogen.diff.result import Link
from repogen.graph.elements import Change, Graph, Node
from repogen.model import Repository
from repogen.model.declarations import Release


@dataclass(frozen=True)
class Renaming:
    """Names of one release onto the keys they share with the other release."""

    normal: Normaliser
    #: Names matched by the rename rule (packages, ``module:stream`` ids) → their key.
    matched: Mapping[str, str] = field(default_factory=dict)

    def key(self, element: str) -> str:
        """The key of a node, edge end or cluster id: its words keyed one by one (``a | b``
        for an alternatives group, ``cluster MODULE KMOD …`` for a cluster)."""
        return " ".join(self._word(word) for word in element.split(" "))

    def _word(self, word: str) -> str:
        found = self.matched.get(word)
        return self.normal(word) if found is None else found


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
        """The key of *name*, a name of either release (the newer one's first)."""
        for renaming in (self.after, self.before):
            if name in renaming.matched:
                return renaming.matched[name]
        return self.after.normal(self.before.normal(name))


def matching(
    old: Release,
    new: Release,
    before: Repository | None = None,
    after: Repository | None = None,
) -> Matching:
    """The matching of *old*'s and *new*'s names; with the repositories *before* and *after*
    (of one target, in *old* and *new*), their packages and streams are matched by the diff's
    rename rule, otherwise names are matched by their release numbers alone."""
    numbers = ReleaseNumbers.between(old, new)
    old_keys: dict[str, str] = {}
    new_keys: dict[str, str] = {}
    if before is not None and after is not None:
        pairing = pair(
            candidates(before.packages, before.family),
            candidates(after.packages, after.family),
            numbers,
        )
        for old_package, new_package, link in pairing.pairs:
            # Distinct keys for distinct pairs: a kept name is in both releases, a name renamed
            # with the release normalises to a text with a placeholder, which no name has, and a
            # declared link's new name is only in the new release.
            name = new_package.name
            key = numbers.new(name) if link is Link.RELEASE else name
            old_keys[old_package.name] = new_keys[name] = key
        modules = {m.name: m for m in after.modules}
        for module in before.modules:
            if module.name not in modules:
                continue
            same, renamed = stream_pairs(module, modules[module.name], numbers)
            for old_stream, new_stream in [*same, *renamed]:
                old_id, new_id = f"{module.name}:{old_stream}", f"{module.name}:{new_stream}"
                kept = old_stream == new_stream
                old_keys[old_id] = new_keys[new_id] = new_id if kept else numbers.new(new_id)
    return Matching(
        old,
        new,
        Renaming(numbers.old, old_keys),
        Renaming(numbers.new, new_keys),
        numbers.replaced,
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
