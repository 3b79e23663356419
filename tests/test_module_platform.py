"""A build's platform (its runtime ``platform`` dependency) written into modules.yaml and read
back by libmodulemd.  What dnf makes of it is the resolver cases of platform.feature
(``fixtures/resolver-cases/dnf-modules.yaml``), checked against the real dnf by
``tests/test_conformance.py``."""

from __future__ import annotations

from repogen.families.rpm.modulemd import modules_yaml
from repogen.families.rpm.modules import read_modules
from repogen.model import ModuleSpec, StreamBuild, StreamSpec

EL8 = StreamBuild(2, "c8", ("pa-0:2-1.noarch",), platforms=("el8",))
TARGETS = StreamBuild(1, "c9", ("pa-0:1-1.noarch",))


def test_a_builds_platform_is_written_and_read_back() -> None:
    stream = StreamSpec(
        "mod", "s", "mod", None, ("pa",), {"default": ("pa",)}, builds=(EL8, TARGETS)
    )
    module = ModuleSpec("mod", "mod", "mod", ("MIT",), (stream,), None, "")
    text = modules_yaml([module], "el9", "x86_64", "MIT", 0)
    (read,), _ = read_modules(text, "modules.yaml", {})
    # A build that names no platform is written for the target's.
    assert [(b.context, b.platforms) for b in read.streams[0].builds] == [
        ("c9", ("el9",)),
        ("c8", ("el8",)),
    ]
