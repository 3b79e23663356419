"""What apt, dnf and zypper would select: one resolver per family behind one interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from repogen.families.deb.resolver import AptResolver
from repogen.families.rpm.resolver import DnfResolver
from repogen.families.suse.resolver import ZypperResolver
from repogen.model import Family, Repository
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class Resolver(Protocol):
    def resolve(self, universe: Universe, request: Request) -> Resolution: ...


RESOLVERS: dict[Family, Resolver] = {
    Family.DEB: AptResolver(),
    Family.RPM: DnfResolver(),
    Family.SUSE: ZypperResolver(),
}


def resolve(universe: Universe, request: Request) -> Resolution:
    """Resolve *request* in *universe* with the resolver of its family."""
    if request.family is not universe.family:
        raise ValueError(
            f"{request.text!r} is a {request.family} request; the target is {universe.family}"
        )
    return RESOLVERS[universe.family].resolve(universe, request)


#: Who answers a request on a repository: repogen's resolvers (:func:`in_process`), a
#: faster equivalent, or the real clients.
Engine = Callable[[Repository, Universe, Request], Resolution]


def in_process(_repository: Repository, universe: Universe, request: Request) -> Resolution:
    """The engine of repogen's resolvers, over the whole universe."""
    return resolve(universe, request)
