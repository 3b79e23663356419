"""The graph of one repository: its packages, the virtual packages its relations name, and
its dnf module streams.

Every package of the release repository is drawn; the distribution's base packages (dkms,
libc6, kernels …) only with ``base=True``, and relations to a name nothing drawn satisfies
are left out.  A provided name gets a node of its own only when a drawn relation names it
(so a pattern's ``pattern() = NAME`` provides, which nothing requires, are not drawn).
``Replaces`` is not drawn: it only allows overwriting files and always comes with the
``Conflicts`` that is.  A relation with two or more drawn alternatives goes through an
alternatives node, whose edges are numbered in the order a client tries them; packages with
the same alternatives share the node (its id is ``a | b | c``).  The streams of a dnf
module that select the same kernel-module package form one cluster with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from repogen.graph.elements import Cluster, Edge, EdgeKind, Graph, Node, NodeKind
from repogen.model import PackageSpec, RelationKind, Repository, StreamSpec
from repogen.resolve.universe import base_packages

#: The relation kinds drawn, and the edge each becomes.
DRAWN: Mapping[RelationKind, EdgeKind] = {
    RelationKind.PRE_DEPENDS: EdgeKind.PRE_DEPENDS,
    RelationKind.DEPENDS: EdgeKind.DEPENDS,
    RelationKind.RECOMMENDS: EdgeKind.RECOMMENDS,
    RelationKind.SUGGESTS: EdgeKind.SUGGESTS,
    RelationKind.ENHANCES: EdgeKind.ENHANCES,
    RelationKind.SUPPLEMENTS: EdgeKind.SUPPLEMENTS,
    RelationKind.CONFLICTS: EdgeKind.CONFLICTS,
    RelationKind.BREAKS: EdgeKind.BREAKS,
    RelationKind.OBSOLETES: EdgeKind.OBSOLETES,
}


def build_graph(repository: Repository, release: str, *, base: bool = False) -> Graph:
    """The graph of *repository*, published by the release named *release*."""
    own = {p.name for p in repository.packages}
    stubs = [p for p in base_packages(repository) if p.name not in own] if base else []
    packages = {p.name: p for p in (*repository.packages, *stubs)}
    providers: dict[str, set[str]] = defaultdict(set)
    for package in packages.values():
        for relation in package.related(RelationKind.PROVIDES):
            providers[relation.alternatives[0].name].add(package.name)

    def drawn(name: str) -> str | None:
        return name if name in packages or name in providers else None

    stream_nodes, stream_edges, clusters = _streams(repository, packages)
    stream_cluster = {n.id: n.cluster for n in stream_nodes}
    cluster_of = {e.head: stream_cluster[e.tail] for e in stream_edges}
    nodes = [_package_node(p, p.name not in own, cluster_of.get(p.name)) for p in packages.values()]
    edges = [e for p in packages.values() for e in _relations(p, drawn)]
    groups = {e.tail: e.tooltip for e in edges if e.kind is EdgeKind.ALTERNATIVE}
    nodes += [Node(g, NodeKind.ALTERNATIVES, "or", tooltip=text) for g, text in groups.items()]
    virtual = sorted({e.head for e in edges} & providers.keys() - packages.keys())
    nodes += [
        Node(
            name,
            NodeKind.VIRTUAL,
            name,
            tooltip="provided by " + ", ".join(sorted(providers[name])),
        )
        for name in virtual
    ]
    edges += [
        Edge(provider, name, EdgeKind.PROVIDES, tooltip=f"{provider} provides {name}")
        for name in virtual
        for provider in sorted(providers[name])
    ]
    return Graph(
        caption=(f"{release} · {where(repository)}",),
        nodes=(*nodes, *stream_nodes),
        edges=_unique([*edges, *stream_edges]),
        clusters=clusters,
    )


def where(repository: Repository) -> str:
    """``ubuntu2204/amd64``: the target and architecture of *repository*."""
    return f"{repository.target_name}/{repository.arch}"


def _package_node(package: PackageSpec, base: bool, cluster: str | None) -> Node:
    if base:
        kind = NodeKind.BASE
    elif package.pattern is not None:
        kind = NodeKind.PATTERN
    else:
        kind = NodeKind.COMPONENT if package.component else NodeKind.METAPACKAGE
    return Node(
        package.name,
        kind,
        package.name if package.pattern is None else f"pattern {package.pattern.name}",
        tooltip=f"{package.name} {package.version}\n{package.summary}",
        flavor=package.kernel_module,
        entry=package.entry,
        cluster=cluster,
    )


def _relations(package: PackageSpec, drawn: Callable[[str], str | None]) -> list[Edge]:
    """The edges of *package*'s drawn relations, through alternatives nodes for ``a | b``."""
    edges: list[Edge] = []
    for kind, edge_kind in DRAWN.items():
        for relation in package.related(kind):
            text = f"{package.name} {kind.value.replace('_', '-')}: {relation}"
            heads = [h for h in dict.fromkeys(drawn(a.name) for a in relation.alternatives) if h]
            if len(heads) == 1:
                edges.append(Edge(package.name, heads[0], edge_kind, tooltip=text))
            elif heads:
                group = " | ".join(heads)
                edges.append(Edge(package.name, group, edge_kind, tooltip=text))
                edges += [
                    Edge(group, head, EdgeKind.ALTERNATIVE, label=str(n), tooltip=f"one of {group}")
                    for n, head in enumerate(heads, 1)
                ]
    return edges


def _streams(
    repository: Repository, packages: Mapping[str, PackageSpec]
) -> tuple[list[Node], list[Edge], tuple[Cluster, ...]]:
    """Stream nodes, their edges to the kernel modules they select, and one cluster for the
    streams of a module that select the same kernel modules."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    clusters: list[Cluster] = []
    for module in repository.modules:
        groups: dict[tuple[str, ...], list[StreamSpec]] = defaultdict(list)
        for stream in module.streams:
            kmods = tuple(
                a for a in stream.artifacts if a in packages and packages[a].kernel_module
            )
            groups[kmods].append(stream)
        for kmods, streams in groups.items():
            cluster = " ".join(("cluster", module.name, *kmods))
            flavors = {s.kernel_module for s in streams}
            clusters.append(
                Cluster(
                    cluster,
                    f"module {module.name}: " + ", ".join(s.name for s in streams),
                    flavor=flavors.pop() if len(flavors) == 1 else None,
                )
            )
            for stream in streams:
                stream_id = f"{module.name}:{stream.name}"
                default = stream.name == module.default_stream
                nodes.append(
                    Node(
                        stream_id,
                        NodeKind.STREAM,
                        f"{stream.name}\n(default stream)" if default else stream.name,
                        tooltip=f"{stream_id}\n{stream.summary}",
                        flavor=stream.kernel_module,
                        entry=stream.entry,
                        default=default,
                        cluster=cluster,
                    )
                )
                edges += [
                    Edge(stream_id, kmod, EdgeKind.SELECTS, tooltip=f"{stream_id} selects {kmod}")
                    for kmod in kmods
                ]
    return nodes, edges, tuple(clusters)


def _unique(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """*edges* without repeats of the same relation between the same nodes (first wins)."""
    first: dict[tuple[str, str, EdgeKind, str], Edge] = {}
    for edge in edges:
        first.setdefault(edge.key, edge)
    return tuple(first.values())
