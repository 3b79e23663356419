"""repogen installed from its wheel, not from the checkout, works from any directory.

The wheel is built from a copy of the sources (setuptools builds in-tree, and a stale
``build/lib`` of the checkout could slip removed modules into the wheel) and installed into a
fresh virtual environment under tmp_path.  That environment is made with
``--system-site-packages`` from the interpreter the tests run on, as ``make`` makes ``.venv``:
the package managers' bindings (rpm, solv, gi, apt_pkg) are Debian packages of the system
Python.  The Python dependencies are not downloaded again (the network may be slow or absent):
a ``.pth`` file puts the test environment's site-packages after the new environment's own.
Plain directories listed in a ``.pth`` are only appended to ``sys.path``; their own ``.pth``
files (such as the editable install of the checkout) are not read, so ``import repogen`` finds
the installed wheel, which the test asserts.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin directory of a fresh environment with repogen installed from its wheel."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "repogen", source / "repogen", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels = work / "wheels"
    built = _run(
        sys.executable,
        *("-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q"),
        *("-w", wheels, source),
        cwd=work,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("repogen-*.whl")

    environment = work / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(environment)
    python = environment / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work
        ).stdout.strip()
    )
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # The test environment's pip installs into the new one (it has no pip of its own).
    install = _run(
        sys.executable,
        *("-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel),
        cwd=work,
    )
    assert install.returncode == 0, install.stderr
    return environment / "bin"


def test_the_wheel_carries_the_bundled_data(installed: Path, tmp_path: Path) -> None:
    """The installed package has its data and is the one imported, not the checkout."""
    code = (
        "import repogen, repogen.data as d; "
        "print(repogen.__file__); "
        "print(all(p.is_file() for p in (d.DEFAULT_MODEL, d.SUPPORTED_GPUS,"
        " d.RPM_TEMPLATES / 'spec.j2', d.bundled('assertions', 'domain.yaml'))))"
    )
    result = _run(installed / "python", "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    where, found = result.stdout.split()
    assert Path(where).is_relative_to(installed.parent), where
    assert found == "True"


def test_validate_and_check_from_another_directory(installed: Path, tmp_path: Path) -> None:
    validate = _run(installed / "repogen", "validate", cwd=tmp_path)
    assert validate.returncode == 0, validate.stderr
    assert "driver-565.57.01" in validate.stdout
    check = _run(installed / "repogen", "check", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert ", 0 failed" in check.stdout


def test_build_finds_the_spec_template(installed: Path, tmp_path: Path) -> None:
    """An rpm target renders its specs from the bundled template."""
    result = _run(
        installed / "repogen",
        *("build", "--target", "rhel9", "--arch", "x86_64", "-o", tmp_path / "out"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "out" / "rpm" / "rhel9" / "x86_64" / "repodata" / "repomd.xml").is_file()


#: Imported from the Debian packages of the system Python, not from PyPI (see the README).
SYSTEM_BINDINGS = {"apt_pkg", "createrepo_c", "gi", "rpm", "solv"}


def _imported_modules() -> set[str]:
    """The top-level modules every module of the package imports."""
    modules: set[str] = set()
    for file in (ROOT / "repogen").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.partition(".")[0])
    return modules


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_imported_dependency_is_declared() -> None:
    third_party = _imported_modules() - set(sys.stdlib_module_names) - SYSTEM_BINDINGS
    third_party.discard("repogen")
    declared = {
        _normalised(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0])
        for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
            "dependencies"
        ]
    }
    providers = packages_distributions()
    undeclared = {
        module: providers.get(module, ["?"])
        for module in sorted(third_party)
        if not {_normalised(d) for d in providers.get(module, [])} & declared
    }
    assert not undeclared, f"imported but not in pyproject's dependencies: {undeclared}"
