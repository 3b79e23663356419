"""modulemd-obsoletes documents: written into modules.yaml and read back by libmodulemd, and
checked by modulemd-validator.  What dnf makes of them is the resolver cases of
obsoletes.feature (``fixtures/resolver-cases/dnf-modules.yaml``), checked against the real dnf
by ``tests/test_conformance.py``."""

from __future__ import annotations

from pathlib import Path

from repogen.families.rpm.modulemd import modules_yaml
from repogen.families.rpm.modules import read_modules
from repogen.model import ModuleObsoletes, ModuleSpec, StreamBuild, StreamSpec
from tests.modulemd_validator import assert_valid_modules_yaml

OBSOLETES = (
    ModuleObsoletes("5", 202005010000, "6c81f848", obsoleted_by=("nodejs", "10"), message="a"),
    ModuleObsoletes("8", 202005010000, message="reset, every context"),
    ModuleObsoletes("8", 202006010000, "6c81f848", reset=True, message="cancels"),
    ModuleObsoletes("10", 202006010000, eol_date=299001010000, message="future end of life"),
)


def _module() -> ModuleSpec:
    streams = tuple(
        StreamSpec(
            "nodejs",
            name,
            "nodejs",
            None,
            ("nodejs",),
            {"minimal": ("nodejs",)},
            builds=(StreamBuild(20180801080000, "6c81f848", (f"nodejs-1:{name}.0-1.x86_64",)),),
        )
        for name in ("10", "5", "8")
    )
    return ModuleSpec("nodejs", "nodejs", "nodejs", ("MIT",), streams, None, "", OBSOLETES)


def test_obsoletes_are_written_valid_and_read_back(tmp_path: Path) -> None:
    text = modules_yaml([_module()], "el9", "x86_64", "MIT", 0)
    assert text.count("document: modulemd-obsoletes") == len(OBSOLETES)
    assert_valid_modules_yaml(text, tmp_path)
    (module,), _ = read_modules(text, "modules.yaml", {})
    assert sorted(module.obsoletes, key=repr) == sorted(OBSOLETES, key=repr)
