"""What apt, dnf and zypper would select: one resolver per family behind one interface."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Protocol

from repogen.families import Family, driver
from repogen.model import Repository
from repogen.resolve.request import Request, RequestError
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


class Resolver(Protocol):
    def resolve(self, universe: Universe, request: Request) -> Resolution: ...


@functools.cache
def resolver(family: Family) -> Resolver:
    """The in-process resolver of *family*, made once."""
    return driver(family).resolver()


def resolve(universe: Universe, request: Request) -> Resolution:
    """Resolve *request* in *universe* with the resolver of its family."""
    if request.family is not universe.family:
        raise RequestError(
            f"{request.text!r} is a {request.family} request; the target is {universe.family}"
        )
    return resolver(universe.family).resolve(universe, request)


#: Who answers a request on a repository: repogen's resolvers (:func:`in_process`), a
#: faster equivalent, or the real clients.
Engine = Callable[[Repository, Universe, Request], Resolution]


def in_process(_repository: Repository, universe: Universe, request: Request) -> Resolution:
    """The engine of repogen's resolvers, over the whole universe."""
    return resolve(universe, request)
