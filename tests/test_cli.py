"""The `repogen` command as a user runs it."""

from __future__ import annotations

import inspect
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from repogen.cli import COMMANDS as REGISTERED
from repogen.cli import app
from repogen.cli.common import LazyCommand, reflow
from repogen.engine.errors import ClientError, ClientFailed, ClientMissing
from repogen.errors import RepogenError
from repogen.families.deb.client import AptError, AptSandbox
from repogen.families.rpm.client import DnfError
from repogen.families.suse.client import ZypperError
from repogen.model.source import load_document

from .conftest import RELEASES

runner = CliRunner()
BROKEN = Path(__file__).resolve().parent / "models" / "broken"


def test_bare_validate_summarizes_the_bundled_channel_at_its_newest_release() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # The driver-only 565 release, in the repositories that hold CUDA 12.6.3.
    assert lines[0] == (
        "driver-565.57.01: CUDA 12.6.3, driver 565.57.01 (branch 565), default kernel modules: open"
    )
    assert lines[1] == (
        "releases (oldest first): cuda-12.4.1, cuda-12.5.0, cuda-12.5.1, cuda-12.6.0, "
        "cuda-12.6.1, cuda-12.6.2, cuda-12.6.3, driver-565.57.01"
    )
    rows = {tuple(line.split()[:3]) for line in lines[3:]}
    assert ("sles15", "suse", "sbsa") in rows
    assert len(rows) == 20
    rhel9 = next(line.split() for line in lines if line.startswith("rhel9 "))
    assert rhel9[7] == "nvidia-driver:open-dkms"


def test_validate_json_lists_providers_and_streams() -> None:
    result = runner.invoke(app, ["validate", "--json", str(RELEASES / "cuda-12.5.yaml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["release"] == "cuda-12.5.1"
    assert data["default_flavor"] == "proprietary"
    ubuntu = next(r for r in data["repositories"] if r["target"] == "ubuntu2204")
    assert ubuntu["open_providers"] == ["nvidia-dkms-555-open"]
    assert ubuntu["proprietary_providers"] == ["nvidia-dkms-555"]
    rhel = next(r for r in data["repositories"] if r["target"] == "rhel9")
    assert rhel["default_stream"] == "nvidia-driver:latest-dkms"


def test_schema_accepts_the_bundled_models_and_rejects_unknown_keys() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    for name in ("cuda-12.5.yaml", "cuda-12.6.yaml"):
        jsonschema.validate(load_document(RELEASES / name).data, schema)
    broken = load_document(RELEASES / "cuda-12.6.yaml").data
    broken["packages"][0]["dependz"] = []
    validator = jsonschema.Draft202012Validator(schema)
    assert any("dependz" in e.message for e in validator.iter_errors(broken))


def test_every_command_explains_itself_with_an_example() -> None:
    for command in ("validate", "schema", "build", "resolve", "check", "recommend", "graph"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Example: repogen " in result.stdout


def test_python_dash_m_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "repogen", "validate", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["release"] == "driver-565.57.01"


def test_missing_model_file_is_a_one_line_error() -> None:
    result = runner.invoke(app, ["validate", "no-such-model.yaml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "error: no-such-model.yaml:1:1: <root>: cannot read no-such-model.yaml: "
        "No such file or directory"
    )


def test_resolve_with_the_real_engine_answers_as_apt_does() -> None:
    arguments = ["resolve", "--json", "--target", "ubuntu2204", "--", "apt-get", "install", "cuda"]
    answers = {
        engine: runner.invoke(app, [*arguments[:1], "--engine", engine, *arguments[1:]])
        for engine in ("in-process", "real")
    }
    for result in answers.values():
        assert result.exit_code == 0, result.output
    real, mine = (json.loads(answers[e].stdout) for e in ("real", "in-process"))
    assert real["flavor"] == "open"
    assert sorted((p["name"], p["version"]) for p in real["install"]) == sorted(
        (p["name"], p["version"]) for p in mine["install"]
    )


def test_real_engine_names_the_missing_client_and_its_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(
        app, ["resolve", "--engine", "real", "--target", "sles15", "--", "zypper", "in", "cuda"]
    )
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "zypper" in result.stderr
    assert "apt-get install zypper rpm" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "code", "stream", "expected"),
    [
        (["validate", str(RELEASES / "cuda-12.5.yaml")], 0, "stdout", "cuda-12.5.1: CUDA"),
        (["validate", str(BROKEN / "bad-family.yaml")], 2, "stderr", "bad-family.yaml:5:5: "),
    ],
)
def test_the_command_leaves_with_its_exit_code_and_all_its_output(
    arguments: list[str], code: int, stream: str, expected: str
) -> None:
    # The command leaves without freeing its objects (os._exit): what it printed must still
    # be all there, and its exit code the same.
    done = subprocess.run(
        [sys.executable, "-m", "repogen", *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "REPOGEN_MODEL_ROOT": str(BROKEN.parent)},  # they include ../
    )
    assert done.returncode == code, done.stderr
    assert expected in getattr(done, stream)


def test_a_diff_through_the_command_is_written_out_whole() -> None:
    old, new = str(RELEASES / "cuda-12.5.yaml"), str(RELEASES / "cuda-12.6.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "repogen", "diff", old, new, "--format", "json", "--exit-code"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["changed"] is True


def _repogen(*arguments: str) -> subprocess.CompletedProcess[str]:
    """`python -m repogen ARGUMENTS`: the command as a user runs it, its own process."""
    return subprocess.run(
        [sys.executable, "-m", "repogen", *arguments], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            ["resolve", "--target", "rhel9", "--", "apt-get", "install", "cuda"],
            "error: 'apt-get install cuda' is a deb request; the target is rpm",
        ),
        (
            ["graph", "--target", "ubuntu2204", "-o", "{missing}/x.png"],
            "error: {missing}/x.png: No such file or directory",
        ),
        (
            ["build", "--target", "ubuntu2204", "--no-packages", "-o", "{file}/out"],
            "error: {file}",
        ),
        (
            ["graph", "--target", "ubuntu2204", "no-such-model.yaml"],
            "error: no-such-model.yaml:1:1: <root>: cannot read no-such-model.yaml",
        ),
    ],
)
def test_an_ordinary_mistake_is_one_line_and_exit_2(
    arguments: list[str], expected: str, tmp_path: Path
) -> None:
    # A directory that does not exist (build makes it), and a file where one is needed.
    paths = {"missing": str(tmp_path / "missing"), "file": str(tmp_path / "file")}
    (tmp_path / "file").touch()
    done = _repogen(*(word.format(**paths) for word in arguments))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith(expected.format(**paths))
    # A model that does not load also says how many problems it has; anything else is one line.
    assert len(done.stderr.splitlines()) == (2 if arguments[-1].endswith(".yaml") else 1)


def test_a_request_for_another_family_in_an_assertion_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(
        "assertions:\n"
        "  - id: wrong-family\n"
        "    description: an apt request on the rpm targets\n"
        "    targets: {family: [rpm]}\n"
        "    request: apt-get install cuda\n"
        "    expect: {flavor: [open]}\n"
    )
    done = _repogen("check", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "error: 'apt-get install cuda' is a deb request; the target is rpm"
    ]


def test_an_unwritable_report_is_one_line(tmp_path: Path) -> None:
    report = tmp_path / "missing" / "report.xml"
    result = runner.invoke(app, ["check", "--junit", str(report)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"error: {report}: No such file or directory"]


def test_the_real_clients_share_one_error_hierarchy() -> None:
    for failure in (AptError, DnfError, ZypperError):
        assert issubclass(failure, ClientFailed)
    assert issubclass(ClientFailed, ClientError)
    assert issubclass(ClientMissing, ClientError)
    assert issubclass(ClientError, RepogenError)


def test_apt_get_update_failing_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real apt-get refuses the published repository once it is no longer [trusted=yes]:
    # it is unsigned, so `apt-get update` fails.
    create = AptSandbox.create.__func__  # type: ignore[attr-defined]

    def untrusted(
        cls: type[AptSandbox], root: Path, arch: str, sources: list[str], installed: tuple[()] = ()
    ) -> AptSandbox:
        distrusted = [line.replace("[trusted=yes] ", "") for line in sources]
        sandbox: AptSandbox = create(cls, root, arch, distrusted, installed)
        return sandbox

    monkeypatch.setattr(AptSandbox, "create", classmethod(untrusted))
    result = runner.invoke(
        app,
        [
            "resolve",
            "--engine",
            "real",
            "--target",
            "ubuntu2204",
            "--",
            "apt-get",
            "install",
            "cuda",
        ],
    )
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("error: apt-get update failed: ")
    assert "not signed" in line


COMMANDS = tuple(registered.name for registered in REGISTERED)


def _callback(name: str) -> Any:
    """The function behind command *name*, its module imported."""
    [registered] = [r for r in REGISTERED if r.name == name]
    return LazyCommand(registered).loaded().callback


def _help(monkeypatch: pytest.MonkeyPatch, width: int, *command: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _paragraphs(text: str) -> list[list[str]]:
    """The paragraphs of *text*, each as its lines without the console's margins."""
    found: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            found[-1].append(line.strip())
        elif found[-1]:
            found.append([])
    return [paragraph for paragraph in found if paragraph]


def _described(text: str) -> str:
    """The description in a command's help: between the usage line and the first panel."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("Usage:")) + 1
    end = next((i for i, line in enumerate(lines) if line.startswith("╭")), len(lines))
    return "\n".join(lines[start:end])


@pytest.mark.parametrize("width", [60, 200])
@pytest.mark.parametrize("name", COMMANDS)
def test_help_wraps_as_paragraphs_at_any_width(
    name: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    docstring = inspect.getdoc(_callback(name)) or ""
    shown = _paragraphs(_described(_help(monkeypatch, width, name)))
    # The same paragraphs as the docstring, whatever the width...
    assert [" ".join(" ".join(p).split()) for p in shown] == [
        " ".join(p.split()) for p in docstring.split("\n\n")
    ]
    # ...and each line is full: it ends where the next word would not fit, not where the
    # docstring's line ended (the console keeps one column each side).
    for paragraph in shown:
        for line, following in itertools.pairwise(paragraph):
            assert len(line) + 1 + len(following.split()[0]) > width - 2, (line, following)


def test_the_command_list_shows_each_summary_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _help(monkeypatch, 200)
    for name in COMMANDS:
        summary = " ".join((inspect.getdoc(_callback(name)) or "").split("\n\n")[0].split())
        if len(summary) < 150:  # fits the panel's column at 200 columns
            assert any(summary in line for line in shown.splitlines()), name


@pytest.mark.parametrize("name", [*COMMANDS, None])
def test_flags_read_as_flags(name: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _help(monkeypatch, 120, *([name] if name else []))
    assert "<bool>" not in shown
    assert "BOOLEAN" not in shown
    if name in ("validate", "resolve", "check", "recommend"):
        [words] = [
            line.strip("│ ").split()
            for line in shown.splitlines()
            if line.strip("│ ").startswith("--json ")
        ]
        assert words[:3] == ["--json", "Print", "JSON"]  # no type between flag and help


def test_help_without_rich_reflows_and_shows_flags_bare() -> None:
    # Without rich, typer leaves help to click's formatter: the same paragraphs, no BOOLEAN.
    done = subprocess.run(
        [sys.executable, "-m", "repogen", "validate", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TYPER_USE_RICH": "0", "COLUMNS": "60"},
    )
    assert "BOOLEAN" not in done.stdout
    assert "<bool>" not in done.stdout
    assert re.search(r"\n  --json +Print JSON instead of a table\.", done.stdout)
    assert "how many\n" not in done.stdout  # a docstring line break


def test_reflow_joins_prose_and_keeps_lists_and_code() -> None:
    text = """First paragraph,
    on two lines.

    Checks:
    - one thing
    - another thing

    Run:
        repogen build -o out
    """
    assert reflow(text) == (
        "First paragraph, on two lines.\n\n"
        "Checks:\n- one thing\n- another thing\n\n"
        "Run:\n    repogen build -o out"
    )


def test_the_readme_python_dash_m_line_works_as_written() -> None:
    root = Path(__file__).resolve().parents[1]
    [line] = [
        line.split("#")[0].strip()
        for line in (root / "README.md").read_text().splitlines()
        if "-m repogen --help" in line
    ]
    words = shlex.split(line)
    if not (root / words[0]).exists():
        pytest.skip(f"{words[0]}: the checkout's virtual environment (make .venv/.installed)")
    done = subprocess.run(words, cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "validate" in done.stdout
