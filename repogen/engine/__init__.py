"""Engines that answer requests with the real package managers instead of repogen's resolvers.

:class:`~repogen.engine.real.RealEngine` publishes what a resolution looks at with repogen's own
publishers and runs the request through apt-get, dnf or zypper in a private sandbox.
"""

from repogen.engine.real import RealEngine
from repogen.engine.requirements import ClientMissing, require

__all__ = ["ClientMissing", "RealEngine", "require"]
