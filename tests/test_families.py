"""The family registry: each family's knowledge lives in its own package, and nothing outside
the family packages branches on a family."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from repogen.families import Family, driver, drivers, for_client
from repogen.families.rpm import RpmDriver
from repogen.model.declarations import Package, PackageOverride
from repogen.model.extension import ModelExtension, extension_of

PACKAGE = Path(__file__).resolve().parents[1] / "repogen"
MAKEFILE = PACKAGE.parent / "Makefile"


def _modules_outside_families() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "families" not in p.relative_to(PACKAGE).parts]


def _family_references(path: Path) -> list[str]:
    """``Family.DEB``-style references and imports of a family's own package in *path*."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Family"
        ):
            found.append(f"{path}:{node.lineno}: Family.{node.attr}")
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and re.match(r"repogen\.families\.(?!base\b)\w+", node.module)
        ):
            found.append(f"{path}:{node.lineno}: from {node.module} import …")
    return found


def test_no_module_outside_the_family_packages_branches_on_a_family() -> None:
    modules = _modules_outside_families()
    assert len(modules) > 50, "the walk found too few modules to mean anything"
    found = [reference for path in modules for reference in _family_references(path)]
    assert found == []


def test_a_family_imports_no_other_family_but_the_one_it_extends() -> None:
    """deb and rpm stand alone; suse extends rpm, never the other way round."""
    extends = {"suse": {"rpm"}}
    found = []
    for family in Family:
        for path in (PACKAGE / "families" / family.value).rglob("*.py"):
            for reference in _family_references(path):
                other = re.search(r"from repogen\.families\.(\w+)", reference)
                if other and other[1] not in {family.value, *extends.get(family.value, ())}:
                    found.append(reference)
    assert found == []


def test_the_check_sees_a_family_reference() -> None:
    """The walk above does find what it looks for."""
    path = PACKAGE / "families" / "rpm" / "spec.py"
    assert any("from repogen.families.rpm" in r for r in _family_references(path))


@pytest.mark.parametrize("family", list(Family))
def test_every_family_has_a_driver_of_its_own(family: Family) -> None:
    found = driver(family)
    assert found.family is family
    assert driver(family.value) is found
    assert all(for_client(program) is found for program in found.clients)
    assert found.install_command.split()[0] in found.clients
    assert found.noarch not in found.arches
    assert set(found.arches.values()) <= set(found.package_arches)


def test_suse_extends_rpm() -> None:
    suse = driver(Family.SUSE)
    assert isinstance(suse, RpmDriver)
    assert suse.relation_fields == driver(Family.RPM).relation_fields


def test_each_family_registers_its_own_part_of_expansion() -> None:
    """Module streams come from rpm, patterns from suse, and deb adds nothing."""
    rpm, suse = (extension_of(driver(f)) for f in (Family.RPM, Family.SUSE))
    assert rpm.modular
    assert type(rpm).__module__ == "repogen.families.rpm.model"
    assert not suse.modular
    assert type(suse).__module__ == "repogen.families.suse.model"
    assert driver(Family.DEB).model_extension() is None
    assert type(extension_of(driver(Family.DEB))) is ModelExtension


def test_a_package_has_one_override_key_per_family() -> None:
    """The model format keeps a key per family (`deb:`, `rpm:`, `suse:`) on a package, and
    `Package.overrides` reads every one of them."""
    keys = {
        name
        for name, field in Package.model_fields.items()
        if field.annotation == PackageOverride | None
    }
    assert keys == {family.value for family in Family}
    written = {family.value: {"name": f"x-{family.value}"} for family in Family}
    package = Package.model_validate({"name": "x", "version": "v", "summary": "s", **written})
    assert {f: o.name for f, o in package.overrides.items()} == {f: f"x-{f}" for f in Family}
    assert Package.model_validate({"name": "x", "version": "v", "summary": "s"}).overrides == {}


def test_an_unknown_program_has_no_family() -> None:
    assert for_client("pacman") is None


def test_ci_installs_every_familys_system_packages() -> None:
    text = MAKEFILE.read_text()
    listed = re.search(r"^SYSTEM_PACKAGES := (.*?)(?<!\\)\n", text, re.M | re.S)
    assert listed is not None
    packages = set(listed.group(1).replace("\\\n", " ").split())
    for family in drivers():
        needed = {*family.system_packages, *(p.package for p in family.programs)}
        assert needed <= packages, family.family
