"""The `repogen` command as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from repogen.cli import app
from repogen.model.source import load_document

from .conftest import RELEASES

runner = CliRunner()
BROKEN = Path(__file__).resolve().parent / "models" / "broken"


def test_bare_validate_summarizes_the_bundled_12_6_release() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "cuda-12.6.0: CUDA 12.6.0, driver 560.28.03 (branch 560), default kernel modules: open"
    )
    rows = {tuple(line.split()[:3]) for line in lines[2:]}
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
    assert json.loads(done.stdout)["release"] == "cuda-12.6.0"


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
    assert result.exit_code == 1
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
