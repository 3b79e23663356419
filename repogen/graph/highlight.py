"""What a request selects, drawn on the graph: selected elements highlighted, the rest dimmed.

A package is selected when the resolution installs or upgrades it, a module stream when the
resolution enables it.  A virtual package is selected when a selected package provides it and
a selected package pulls it in; an alternatives group when a selected package names it and
one of its alternatives is selected.  An edge is selected when both its ends are and it is not an
exclusion (conflicts, breaks, obsoletes): that covers every edge of ``Resolution.why`` and
every other relation between the packages installed.
"""

from __future__ import annotations

from dataclasses import replace

from repogen.graph.elements import (
    EXCLUDING,
    PULLING,
    EdgeKind,
    Graph,
    Highlight,
    NodeKind,
)
from repogen.resolve.outcome import OutcomeFlavor
from repogen.resolve.result import Resolution


def highlight(graph: Graph, request: str, resolution: Resolution, flavor: OutcomeFlavor) -> Graph:
    """*graph* with what *resolution* of *request* selects highlighted; *flavor* is the
    kernel-module flavor it brings (open, proprietary, mixed, none), stated in the caption."""
    chosen = _selected(graph, resolution)
    requested = {name for name, why in resolution.why.items() if why == ("requested",)}
    return Graph(
        caption=(*graph.caption, f"{request} → kernel modules: {flavor}"),
        nodes=tuple(
            replace(n, highlight=_state(n.id in chosen), requested=n.id in requested)
            for n in graph.nodes
        ),
        edges=tuple(
            replace(
                e,
                highlight=_state(e.kind not in EXCLUDING and e.tail in chosen and e.head in chosen),
            )
            for e in graph.edges
        ),
        clusters=graph.clusters,
    )


def _selected(graph: Graph, resolution: Resolution) -> frozenset[str]:
    """The ids of the nodes *resolution* selects."""
    kinds = {n.id: n.kind for n in graph.nodes}
    chosen = (resolution.installed_names | set(resolution.modules)) & kinds.keys()
    groups = {
        e.head for e in graph.edges if e.tail in chosen and kinds[e.head] is NodeKind.ALTERNATIVES
    }
    provided = {e.head for e in graph.edges if e.kind is EdgeKind.PROVIDES and e.tail in chosen}
    pulled = {e.head for e in graph.edges if e.kind in PULLING and e.tail in chosen | groups}
    virtual = provided & pulled
    taken = {
        e.tail
        for e in graph.edges
        if e.kind is EdgeKind.ALTERNATIVE and e.tail in groups and e.head in chosen | virtual
    }
    return frozenset(chosen | virtual | taken)


def _state(chosen: bool) -> Highlight:
    return Highlight.SELECTED if chosen else Highlight.DIMMED
