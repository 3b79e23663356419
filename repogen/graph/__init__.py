"""`repogen graph`: the package graph of one target, the path a request takes through it, and
what changed between two releases, as DOT text for Graphviz.

build: repository → graph.  highlight: a request's resolution on it.  focus: cut to what
lies near one package.  diff: two releases in one graph.  fold: interchangeable components
as one node.  dot: graph → DOT text.  render: DOT → SVG or PNG, by Graphviz's dot.
"""

from repogen.graph.build import build_graph, where
from repogen.graph.diff import Matching, diff, matching
from repogen.graph.dot import to_dot
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
from repogen.graph.focus import Direction, focus
from repogen.graph.fold import fold
from repogen.graph.highlight import highlight
from repogen.graph.render import GraphvizError, PictureFormat, picture_format, render

__all__ = [
    "Change",
    "Cluster",
    "Direction",
    "Edge",
    "EdgeKind",
    "Graph",
    "GraphvizError",
    "Highlight",
    "Matching",
    "Node",
    "NodeKind",
    "PictureFormat",
    "build_graph",
    "diff",
    "focus",
    "fold",
    "highlight",
    "matching",
    "picture_format",
    "render",
    "to_dot",
    "where",
]
