"""DOT text of a package graph: the one place that decides how it looks.

Nodes, clusters and edges are written sorted, so one graph always gives the same bytes.
Every id and attribute value is a quoted DOT string (:func:`quote`), shown text escaped for
what Graphviz does to it (:func:`_shown`); the caption and legend are an HTML-like label
with every text escaped, so no name, summary or request can end a string or a statement, or
be shown as anything but itself.  Each element's ``class`` names what it is (``metapackage open
entry selected``; ``provides added``): Graphviz copies it into SVG, and tests read it.
The layout runs top to bottom, as NVIDIA drew its before/after pictures.  Every edge takes
part in ranking, exclusions too: dot then lays out edge labels like nodes, so no two overlap.
Edges between the same two nodes that are drawn alike are one edge, with each kind's arrow
at its end and each kind in its label: a package that provides and conflicts with one
virtual package (Debian's way of making providers exclusive), two packages that conflict
with each other.  Parallel edges would put their labels on top of each other.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from repogen.graph.elements import (
    Change,
    Cluster,
    Edge,
    EdgeKind,
    Graph,
    Highlight,
    Node,
    NodeKind,
)
from repogen.model import KernelModuleFlavor

FONT = "DejaVu Sans"
INK = "#333333"
STRONG = "#000000"
#: Appended to an #rrggbb colour to draw a dimmed (or, in a diff, unchanged) element.
FAINT = "4d"


@dataclass(frozen=True)
class NodeLook:
    shape: str
    style: str
    fill: str
    legend: str


@dataclass(frozen=True)
class EdgeLook:
    style: str
    arrow: str
    #: Drawn on each edge of the kind (empty: depends, the usual kind, goes unlabelled).
    label: str
    color: str
    #: How the legend shows the kind.
    sample: str


NODES: Mapping[NodeKind, NodeLook] = {
    NodeKind.METAPACKAGE: NodeLook("box", "rounded,filled", "#fff3c4", "metapackage"),
    NodeKind.COMPONENT: NodeLook("box", "filled", "#ececec", "component (stand-in)"),
    NodeKind.PATTERN: NodeLook("folder", "filled", "#dccbf2", "SUSE pattern"),
    NodeKind.BASE: NodeLook("box", "dotted,filled", "#ffffff", "base package"),
    NodeKind.VIRTUAL: NodeLook("ellipse", "dashed,filled", "#ffffff", "virtual package"),
    NodeKind.ALTERNATIVES: NodeLook("diamond", "filled", "#ffffff", "a | b: tried in order"),
    NodeKind.STREAM: NodeLook("tab", "filled", "#ffffff", "dnf module stream"),
}

FLAVORS: Mapping[KernelModuleFlavor, tuple[str, str]] = {
    KernelModuleFlavor.OPEN: ("#8fc1e3", "open kernel modules"),
    KernelModuleFlavor.PROPRIETARY: ("#f7a862", "proprietary kernel modules"),
}
CLUSTER_FILL: Mapping[KernelModuleFlavor | None, str] = {
    KernelModuleFlavor.OPEN: "#eaf3fa",
    KernelModuleFlavor.PROPRIETARY: "#fdf0e4",
    None: "#f4f4f4",
}

CONFLICT = "#c0392b"
EDGES: Mapping[EdgeKind, EdgeLook] = {
    EdgeKind.DEPENDS: EdgeLook("solid", "normal", "", INK, "───▶"),
    EdgeKind.PRE_DEPENDS: EdgeLook("bold", "normal", "pre-depends", INK, "━━━▶"),
    EdgeKind.RECOMMENDS: EdgeLook("dashed", "normal", "recommends", INK, "╌╌╌▶"),
    EdgeKind.SUGGESTS: EdgeLook("dotted", "normal", "suggests", INK, "┈┈┈▶"),
    EdgeKind.ENHANCES: EdgeLook("dotted", "onormal", "enhances", INK, "┈┈┈▷"),
    EdgeKind.SUPPLEMENTS: EdgeLook("dotted", "onormal", "supplements", INK, "┈┈┈▷"),
    EdgeKind.ALTERNATIVE: EdgeLook("solid", "normal", "", INK, "◇──▶ 1, 2 …"),
    EdgeKind.PROVIDES: EdgeLook("dashed", "onormal", "provides", "#666666", "╌╌╌▷"),
    EdgeKind.CONFLICTS: EdgeLook("solid", "tee", "conflicts", CONFLICT, "───┤"),
    EdgeKind.BREAKS: EdgeLook("solid", "tee", "breaks", CONFLICT, "───┤"),
    EdgeKind.OBSOLETES: EdgeLook("solid", "tee", "obsoletes", CONFLICT, "───┤"),
    EdgeKind.SELECTS: EdgeLook("bold", "dot", "", "#666666", "━━━●"),
}
LEGEND_NAME: Mapping[EdgeKind, str] = {
    EdgeKind.ALTERNATIVE: "alternative",
    EdgeKind.SELECTS: "stream's kernel module",
}

CHANGES: Mapping[Change, tuple[str, str]] = {
    Change.ADDED: ("#1a9641", "added"),
    Change.REMOVED: ("#d7191c", "removed (dashed)"),
    Change.CHANGED: ("#b8860b", "drawn differently"),
}

GRAPH = {
    "rankdir": "TB",
    "fontname": FONT,
    "fontsize": "12",
    "nodesep": "0.12",
    "ranksep": "0.55",
    "labelloc": "t",
    "labeljust": "l",
    "pad": "0.25",
    "bgcolor": "#ffffff",
}
NODE = {"fontname": FONT, "fontsize": "11", "height": "0.3", "margin": "0.1,0.04"}
EDGE = {"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"}


def to_dot(graph: Graph) -> str:
    """The DOT text of *graph*."""
    diffing = bool(_changes(graph) - {Change.SAME})
    nodes = sorted(graph.nodes, key=lambda n: n.id)
    lines = [
        "digraph packages {",
        f"  graph [{_attributes(GRAPH)}, label={_legend(graph, diffing)}];",
        f"  node [{_attributes(NODE)}];",
        f"  edge [{_attributes(EDGE)}];",
    ]
    for cluster in sorted(graph.clusters, key=lambda c: c.id):
        lines.append(f"  subgraph {quote(cluster.id)} {{")
        lines.append(f"    graph [{_attributes(_cluster(cluster, diffing))}];")
        lines += [f"    {_node(n, diffing)}" for n in nodes if n.cluster == cluster.id]
        lines.append("  }")
    clustered = {c.id for c in graph.clusters}
    lines += [f"  {_node(n, diffing)}" for n in nodes if n.cluster not in clustered]
    lines += [f"  {_edge(bundle, diffing)}" for bundle in _bundles(graph.edges)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    """*text* as a quoted DOT string that means *text* (a newline becomes a line break)."""
    escaped = _printable(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _printable(text: str) -> str:
    """*text* with control characters other than newline shown as their Unicode pictures."""
    return "".join(
        chr(0x2400 + ord(c)) if ord(c) < 0x20 and c != "\n" else "\u2421" if c == "\x7f" else c
        for c in text
    )


def _attributes(attributes: Mapping[str, str]) -> str:
    return ", ".join(f"{name}={quote(_shown(name, value))}" for name, value in attributes.items())


def _shown(attribute: str, text: str) -> str:
    """*text* escaped so that Graphviz shows it as written.

    Graphviz decodes HTML entities in labels and tooltips, so ``&`` is ``&amp;`` there.  A
    label keeps a backslash that :func:`quote` doubled; a tooltip does not (Graphviz expands
    ``\\N``, ``\\G`` … in tooltips however the backslash is escaped), so there it is the
    look-alike U+29F5.
    """
    if attribute == "label":
        return text.replace("&", "&amp;")
    if attribute == "tooltip":
        return text.replace("&", "&amp;").replace("\\", "\u29f5")
    return text


def _classes(*names: str | None) -> str:
    return " ".join(n for n in names if n)


def _changes(graph: Graph) -> set[Change]:
    """How the elements of *graph* changed (only SAME unless it is a diff)."""
    elements: Iterable[Node | Edge | Cluster] = (*graph.nodes, *graph.edges, *graph.clusters)
    return {e.change for e in elements}


def _faded(highlight: Highlight, change: Change, diffing: bool) -> bool:
    return highlight is Highlight.DIMMED or (diffing and change is Change.SAME)


def _node(node: Node, diffing: bool) -> str:
    look = NODES[node.kind]
    fill = FLAVORS[node.flavor][0] if node.flavor else look.fill
    line, font, width, style = INK, STRONG, "1", look.style
    if node.highlight is Highlight.SELECTED:
        line, width = STRONG, "2.5"
    if node.change in CHANGES:
        line, width = CHANGES[node.change][0], "2.5"
        if node.change is Change.REMOVED:
            style, font = f"{style},dashed", line
    if _faded(node.highlight, node.change, diffing):
        line, font, fill = line + FAINT, font + FAINT, fill + FAINT
    label = node.label + ("\n(requested)" if node.requested else "")
    attributes = {
        "class": _classes(
            node.kind,
            node.flavor,
            "entry" if node.entry else None,
            "default" if node.default else None,
            "requested" if node.requested else None,
            node.highlight if node.highlight is not Highlight.NONE else None,
            node.change if node.change is not Change.SAME else None,
        ),
        "label": label,
        "tooltip": node.tooltip or node.label,
        "shape": look.shape,
        "style": f"{style},bold" if node.default else style,
        "fillcolor": fill,
        "color": line,
        "fontcolor": font,
        "penwidth": width,
    }
    if node.entry:
        attributes["peripheries"] = "2"
    if node.kind is NodeKind.ALTERNATIVES:
        attributes.update(fontsize="8", margin="0.02", height="0.25", width="0.35")
    return f"{quote(node.id)} [{_attributes(attributes)}];"


def _bundles(edges: Iterable[Edge]) -> list[list[Edge]]:
    """*edges* grouped by the two nodes they join (either way) and how they are drawn."""
    bundles: dict[tuple[str, str, Highlight, Change], list[Edge]] = {}
    for edge in sorted(edges, key=lambda e: e.key):
        ends = sorted((edge.tail, edge.head))
        bundles.setdefault((ends[0], ends[1], edge.highlight, edge.change), []).append(edge)
    return list(bundles.values())


def _edge(bundle: list[Edge], diffing: bool) -> str:
    """The edges of one bundle as one edge: the first edge's line, every kind's arrow at its
    end (both ends when they go both ways), every kind named in the label."""
    first = bundle[0]
    look = EDGES[first.kind]
    color, width, style = look.color, "1", look.style
    if first.highlight is Highlight.SELECTED:
        color, width = STRONG, "2.5"
    if first.change in CHANGES:
        color, width = CHANGES[first.change][0], "2.5"
        if first.change is Change.REMOVED:
            style = "dashed"
    if _faded(first.highlight, first.change, diffing):
        color += FAINT
    forward = [e for e in bundle if e.tail == first.tail]
    backward = [e for e in bundle if e.tail != first.tail]
    attributes = {
        "class": _classes(
            *dict.fromkeys(e.kind.value for e in bundle),
            first.highlight if first.highlight is not Highlight.NONE else None,
            first.change if first.change is not Change.SAME else None,
        ),
        "label": ", ".join(
            dict.fromkeys(t for e in bundle if (t := e.label or EDGES[e.kind].label))
        ),
        "tooltip": "\n".join(e.tooltip or e.kind.value for e in bundle),
        "style": style,
        "arrowhead": _arrows(forward),
        "color": color,
        "fontcolor": color,
        "penwidth": width,
    }
    if backward:
        attributes.update(dir="both", arrowtail=_arrows(backward))
    return f"{quote(first.tail)} -> {quote(first.head)} [{_attributes(attributes)}];"


def _arrows(edges: list[Edge]) -> str:
    """One arrowhead showing each kind of *edges* (Graphviz stacks up to four shapes)."""
    return "".join(list(dict.fromkeys(EDGES[e.kind].arrow for e in edges))[:4])


def _cluster(cluster: Cluster, diffing: bool) -> dict[str, str]:
    line = CHANGES[cluster.change][0] if cluster.change in CHANGES else "#999999"
    fill = CLUSTER_FILL[cluster.flavor]
    return {
        "class": _classes("stream-group", cluster.flavor, cluster.change),
        "label": cluster.label,
        "style": "rounded,filled,dashed" if cluster.change is Change.REMOVED else "rounded,filled",
        "fillcolor": fill + FAINT if diffing and cluster.change is Change.SAME else fill,
        "color": line,
        "fontsize": "10",
    }


def _legend(graph: Graph, diffing: bool) -> str:
    """The caption and a legend of what the graph contains, as an HTML-like label."""
    rows = [
        f"<B>{_html(line)}</B>" if i == 0 else _html(line) for i, line in enumerate(graph.caption)
    ]
    present = {n.kind for n in graph.nodes}
    cells = [
        _cell(look.legend, look.fill, "rounded" in look.style or look.shape == "ellipse")
        for kind, look in NODES.items()
        if kind in present
    ]
    cells += [
        _cell(text, fill)
        for f, (fill, text) in FLAVORS.items()
        if f in {n.flavor for n in graph.nodes}
    ]
    if any(n.entry for n in graph.nodes):
        entry = _cell("entry: what users install", "#ffffff")
        cells.append(f'<TD BORDER="1" CELLPADDING="1">{_row([entry], spacing=0)}</TD>')
    rows.append(_row(cells))
    kinds = {e.kind for e in graph.edges}
    rows.append(
        "   ".join(
            f'<FONT COLOR="{look.color}">{look.sample}</FONT> '
            + _html(LEGEND_NAME.get(kind, kind.value.replace("_", "-")))
            for kind, look in EDGES.items()
            if kind in kinds
        )
    )
    if any(n.highlight is not Highlight.NONE for n in graph.nodes):
        rows.append("<B>bold</B>: selected by the request · faded: not selected")
    if diffing:
        changes = [
            f'<FONT COLOR="{color}"><B>{text}</B></FONT>'
            for change, (color, text) in CHANGES.items()
            if change in _changes(graph)
        ]
        rows.append(" · ".join([*changes, "faded: unchanged"]))
    body = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{body}</TABLE>>'


def _row(cells: Iterable[str], spacing: int = 4) -> str:
    return (
        f'<TABLE BORDER="0" CELLSPACING="{spacing}" CELLPADDING="0">'
        f"<TR>{''.join(cells)}</TR></TABLE>"
    )


def _cell(text: str, fill: str, rounded: bool = False) -> str:
    style = ' STYLE="ROUNDED"' if rounded else ""
    return (
        f'<TD BORDER="1" CELLPADDING="2" BGCOLOR="{fill}"{style}>'
        f'<FONT POINT-SIZE="10">{_html(text)}</FONT></TD>'
    )


def _html(text: str) -> str:
    return html.escape(_printable(text)).replace("\n", '<BR ALIGN="LEFT"/>')
