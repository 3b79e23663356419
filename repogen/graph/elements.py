"""The package graph of one repository, before any drawing decision.

Edges point the way the relation reads: a package to what it depends on, recommends,
conflicts with or provides; an alternatives group to each of its alternatives; a module
stream to the kernel module it selects.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from repogen.model import KernelModuleFlavor


class NodeKind(StrEnum):
    METAPACKAGE = "metapackage"
    #: A stand-in for a real package of the driver or toolkit (``component: true``).
    COMPONENT = "component"
    #: A SUSE pattern package (``patterns-NAME``).
    PATTERN = "pattern"
    #: A package the distribution supplies (drawn only on request).
    BASE = "base"
    #: A name only provided by packages, such as ``nvidia-kmod`` or ``nvidia-dkms-kernel``.
    VIRTUAL = "virtual"
    #: One ``a | b`` relation group of one package.
    ALTERNATIVES = "alternatives"
    #: A dnf module stream, ``nvidia-driver:open-dkms``.
    STREAM = "stream"


class EdgeKind(StrEnum):
    DEPENDS = "depends"
    PRE_DEPENDS = "pre_depends"
    RECOMMENDS = "recommends"
    SUGGESTS = "suggests"
    ENHANCES = "enhances"
    SUPPLEMENTS = "supplements"
    #: From an alternatives group to one alternative; the label is its position.
    ALTERNATIVE = "alternative"
    PROVIDES = "provides"
    CONFLICTS = "conflicts"
    BREAKS = "breaks"
    OBSOLETES = "obsoletes"
    #: From a module stream to its kernel-module package.
    SELECTS = "selects"


#: Edges a resolver never follows: they only exclude.
EXCLUDING = frozenset({EdgeKind.CONFLICTS, EdgeKind.BREAKS, EdgeKind.OBSOLETES})

#: Edges that pull their head in when their tail is installed (or its stream enabled).
PULLING = frozenset(
    {
        EdgeKind.PRE_DEPENDS,
        EdgeKind.DEPENDS,
        EdgeKind.RECOMMENDS,
        EdgeKind.SUGGESTS,
        EdgeKind.ALTERNATIVE,
        EdgeKind.SELECTS,
    }
)


class Highlight(StrEnum):
    """Whether a request's resolution selects an element (NONE: no request drawn)."""

    NONE = "none"
    SELECTED = "selected"
    DIMMED = "dimmed"


class Change(StrEnum):
    """How an element differs between two releases (SAME: not a diff, or unchanged)."""

    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Node:
    id: str
    kind: NodeKind
    label: str
    tooltip: str = ""
    flavor: KernelModuleFlavor | None = None
    #: ``latest`` or ``branch`` when users install the driver through this package or stream.
    entry: str | None = None
    #: The module's default stream.
    default: bool = False
    #: Named by the request itself.
    requested: bool = False
    cluster: str | None = None
    highlight: Highlight = Highlight.NONE
    change: Change = Change.SAME


@dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    kind: EdgeKind
    label: str = ""
    tooltip: str = ""
    highlight: Highlight = Highlight.NONE
    change: Change = Change.SAME

    @property
    def key(self) -> tuple[str, str, EdgeKind, str]:
        return (self.tail, self.head, self.kind, self.label)


@dataclass(frozen=True)
class Cluster:
    """The streams of a dnf module that select one kernel module, with that module."""

    id: str
    label: str
    flavor: KernelModuleFlavor | None = None
    change: Change = Change.SAME


@dataclass(frozen=True)
class Graph:
    #: Lines stating what is drawn: release, target, request and its flavor, focus.
    caption: tuple[str, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...] = ()

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)
