"""`repogen --help` lists every command from the registry, without importing their modules.

Whether start-up is fast is measured in bench/ (the `startup` workload); here, what it
imports: a command's module, and what that module imports, only when the command runs.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import repogen.cli
from repogen.cli import COMMANDS, app
from repogen.cli.common import LazyCommand, reflow

from .conftest import RELEASES

#: What no command's help needs: the model (pydantic, YAML), the families' libraries, the
#: resolvers and engines, and every command's own module.
HEAVY = (
    "pydantic",
    "yaml",
    "debian",
    "apt_pkg",
    "rpm",
    "solv",
    "createrepo_c",
    "gi",
    "lxml",
    "jinja2",
    "repogen.model",
    "repogen.families",
    "repogen.resolve",
    "repogen.engine",
    "repogen.build",
    "repogen.diff",
    "repogen.check",
    *sorted({registered.module for registered in COMMANDS}),
)


def _imported_by(*words: str) -> tuple[int, set[str]]:
    """Exit code of `repogen WORDS…` in a fresh interpreter, and the modules it imported."""
    script = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from repogen.cli import app\n"
        f"result = CliRunner().invoke(app, {list(words)!r})\n"
        "print(json.dumps([result.exit_code, sorted(sys.modules)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    code, modules = json.loads(done.stdout.splitlines()[-1])
    return code, set(modules)


def _loaded_any(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_help_lists_every_registered_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for registered in COMMANDS:
        [line] = [
            line for line in result.stdout.splitlines() if line.startswith(f"│ {registered.name} ")
        ]
        assert registered.summary[:100] in line


def test_help_imports_no_command_module_nor_heavy_library() -> None:
    code, modules = _imported_by("--help")
    assert code == 0
    assert _loaded_any(modules, HEAVY) == []


@pytest.mark.parametrize("registered", COMMANDS, ids=lambda r: r.name)
def test_registry_summary_is_the_command_s_own(registered: repogen.cli.common.Registered) -> None:
    command = LazyCommand(registered).loaded()
    assert command.name == registered.name
    assert (reflow(command.help) or "").split("\n\n")[0] == registered.summary


def test_every_command_a_module_defines_is_registered() -> None:
    for module in pkgutil.iter_modules(repogen.cli.__path__, "repogen.cli."):
        importlib.import_module(module.name)
    defined = {
        info.name or (info.callback.__name__ if info.callback else "")
        for info in app.registered_commands
    }
    assert defined == {registered.name for registered in COMMANDS}


def test_a_command_imports_its_own_module_only() -> None:
    code, modules = _imported_by("validate")
    assert code == 0
    others = tuple(r.module for r in COMMANDS if r.module != "repogen.cli.model")
    assert _loaded_any(modules, (*others, "repogen.engine", "repogen.diff")) == []
    assert "repogen.cli.model" in modules


def test_a_command_s_help_comes_from_the_command_itself() -> None:
    result = CliRunner().invoke(app, ["build", "--help"])
    assert result.exit_code == 0, result.output
    assert "--no-packages" in result.stdout


def test_an_unknown_command_is_suggested_a_registered_one() -> None:
    result = CliRunner().invoke(app, ["buidl"])
    assert result.exit_code == 2
    assert "Did you mean 'build'?" in result.output


#: What only a directory or URL input, or one option, uses: the readers of published
#: repositories (and their HTTP client), the build, the XML library of --junit.
ONLY_SOME = ("repogen.index", "repogen.build", "lxml", "urllib.request")
MODEL = str(RELEASES / "cuda-12.6.yaml")


@pytest.mark.parametrize(
    "words",
    [
        ("check", MODEL, "--target", "ubuntu2404"),
        ("resolve", "--target", "ubuntu2404", "--", MODEL, "apt-get", "install", "cuda"),
        ("graph", MODEL, "--target", "ubuntu2404"),
        ("diff", str(RELEASES / "cuda-12.5.yaml"), MODEL, "--target", "ubuntu2404"),
    ],
    ids=lambda words: words[0],
)
def test_a_command_on_a_model_reads_no_published_repositories(words: tuple[str, ...]) -> None:
    code, modules = _imported_by(*words)
    assert code in (0, 1)  # a diff with changes exits 1
    assert _loaded_any(modules, ONLY_SOME) == []


def test_junit_is_written_by_the_library_imported_for_it(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, modules = _imported_by("check", MODEL, "--target", "ubuntu2404", "--junit", str(report))
    assert code == 0
    assert "lxml.etree" in modules
    assert report.read_bytes().startswith(b"<?xml")
