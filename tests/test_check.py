"""`repogen check` and `repogen resolve` on the bundled releases and on a broken one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from repogen.cli import app

from .conftest import RELEASES

runner = CliRunner()


def test_bundled_releases_pass_every_shipped_assertion(tmp_path: Path) -> None:
    for release in ("cuda-12.5.yaml", "cuda-12.6.yaml"):
        report = tmp_path / f"{release}.xml"
        result = runner.invoke(app, ["check", str(RELEASES / release), "--junit", str(report)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1].endswith(" passed, 0 failed")
        suite = etree.parse(str(report)).find("testsuite")
        assert suite is not None
        assert int(suite.get("tests")) > 150
        assert suite.get("failures") == "0"


def test_the_shipped_assertions_cover_the_domain_table() -> None:
    result = runner.invoke(app, ["check", "--json"])
    data = json.loads(result.stdout)
    seen = {(r["id"], r["target"], r["arch"]) for r in data["results"]}
    for expected in [
        ("cuda-default-flavor", "ubuntu2204", "amd64"),
        ("cuda-default-flavor", "rhel9", "sbsa"),
        ("zypper-nvidia-open-azure", "sles15", "x86_64"),
        ("zypper-nvidia-open-64k", "sles15", "sbsa"),
        ("dnf-module-open-dkms", "kylin10", "x86_64"),
        ("dnf-nvidia-open-fedora", "fedora40", "x86_64"),
        ("ubuntu2004-open-step-2", "ubuntu2004", "arm64"),
        ("dnf-hotfix-switch-to-open", "rhel8", "x86_64"),
        ("wsl-no-driver", "wsl-ubuntu", "amd64"),
    ]:
        assert expected in seen
    # The bundled channel is checked at every point: its newest one is open by default.
    cuda = next(
        r
        for r in data["results"]
        if (r["id"], r["target"], r["arch"], r["point"])
        == ("cuda-default-flavor", "debian12", "amd64", "driver-565.57.01")
    )
    assert cuda["resolution"]["flavor"] == "open"
    assert "nvidia-kernel-open-dkms" in {p["name"] for p in cuda["resolution"]["install"]}


def broken_12_6(tmp_path: Path) -> Path:
    """The 12.6 release with cuda-runtime-12-6 pulling cuda-drivers instead of nvidia-open."""
    copy = tmp_path / "releases"
    shutil.copytree(RELEASES, copy)
    # The assertions the model names, where it names them.
    shutil.copytree(RELEASES.parent / "assertions", tmp_path / "assertions")
    runtime = copy / "common" / "cuda-runtime-open.yaml"
    text = runtime.read_text()
    assert text.count("      - nvidia-open (>= {driver})\n") == 1
    runtime.write_text(
        text.replace("      - nvidia-open (>= {driver})\n", "      - cuda-drivers (>= {driver})\n")
    )
    return copy / "cuda-12.6.yaml"


def test_broken_model_fails_the_right_assertions_with_a_why(tmp_path: Path) -> None:
    # The model names ../assertions, beside its directory: the tree above it is allowed.
    root = {"REPOGEN_MODEL_ROOT": str(tmp_path)}
    result = runner.invoke(app, ["check", str(broken_12_6(tmp_path)), "--json"], env=root)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    failed = {(r["id"], r["target"]) for r in data["results"] if not r["passed"]}
    assert ("cuda-default-flavor", "ubuntu2204") in failed
    assert ("cuda-default-flavor", "sles15") in failed
    assert ("cuda-default-flavor", "fedora40") in failed
    # Modular targets never went through nvidia-open: their default stream decides.
    assert not {f for f in failed if f[1] in {"rhel9", "rhel8", "amzn2023", "kylin10"}}
    assert {i for i, _ in failed} == {"cuda-default-flavor"}
    again = tmp_path / "again"
    env = {"REPOGEN_MODEL_ROOT": str(again)}
    text = runner.invoke(app, ["check", str(broken_12_6(again))], env=env).stdout
    assert (
        "FAIL cuda-default-flavor ubuntu2204/amd64: apt-get install cuda "
        "[kernel modules: proprietary]"
    ) in text
    assert (
        "nvidia-dkms-560 ← nvidia-driver-560 (Depends: nvidia-dkms-560 "
        "(= 560.28.03-0ubuntu1)) ← cuda-drivers-560"
    ) in text
    assert "← cuda (Depends: cuda-12-6 (>= 12.6.0-1)) (requested)" in text


def test_resolve_prints_the_transaction_and_the_flavor() -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            "--target",
            "ubuntu2204",
            "--why",
            "nvidia-dkms-565-open",
            "--",
            "apt-get",
            "install",
            "cuda",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "apt-get install cuda on ubuntu2204/amd64: kernel modules open"
    # The bundled channel's newest point: CUDA 12.6.3 takes the newest nvidia-open, 565's.
    assert "  cuda 12.6.3-1 amd64" in lines
    assert "  nvidia-driver-565-open 565.57.01-0ubuntu1 amd64" in lines
    assert lines[-1].startswith(
        "why nvidia-dkms-565-open: nvidia-dkms-565-open ← nvidia-driver-565-open"
    )


def test_resolve_json_has_the_documented_keys() -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            "--target",
            "rhel9",
            "--json",
            "--",
            "dnf",
            "module",
            "install",
            "nvidia-driver:560-open",
        ],
    )
    data = json.loads(result.stdout)
    assert set(data) == {
        "ok",
        "install",
        "upgrade",
        "remove",
        "modules",
        "flavor",
        "problems",
        "why",
    }
    assert data["flavor"] == "open"
    assert data["modules"] == ["nvidia-driver:560-open"]
    assert {
        "name": "kmod-nvidia-open-dkms",
        "version": "3:560.35.05-1.el9",
        "arch": "x86_64",
    } in data["install"]


def test_resolve_from_an_installed_state_of_another_release() -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            str(RELEASES / "cuda-12.6.yaml"),
            "--target",
            "rhel9",
            "--installed",
            "dnf install cuda",
            "--installed-from",
            str(RELEASES / "cuda-12.5.yaml"),
            "--hotfixes",
            "--json",
            "--",
            "dnf",
            "install",
            "--allowerasing",
            "nvidia-open",
        ],
    )
    data = json.loads(result.stdout)
    assert data["flavor"] == "open"
    assert [p["name"] for p in data["remove"]] == ["kmod-nvidia-latest-dkms"]


def test_impossible_request_exits_1_with_the_clients_words() -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            "--target",
            "sles15",
            "--arch",
            "x86_64",
            "--",
            "zypper",
            "install",
            "nvidia-open-64k",
        ],
    )
    assert result.exit_code == 1
    assert "No provider of 'nvidia-open-64k' found." in result.stdout


def test_unmodelled_request_is_a_usage_error() -> None:
    result = runner.invoke(
        app,
        ["resolve", "--target", "ubuntu2204", "--", "apt-get", "install", "--fix-broken", "cuda"],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "option --fix-broken is not modelled" in result.output


def test_dnf_why_reaches_the_request() -> None:
    result = runner.invoke(
        app,
        [
            "resolve",
            "--target",
            "rhel9",
            "--why",
            "kmod-nvidia-open-dkms",
            "--",
            "dnf",
            "install",
            "cuda",
        ],
    )
    assert result.exit_code == 0, result.output
    why = result.stdout.splitlines()[-1]
    assert why.startswith("why kmod-nvidia-open-dkms: kmod-nvidia-open-dkms ← nvidia-kmod-common")
    assert why.endswith("← cuda (Requires: cuda-12-6 >= 12.6.3-1) (requested)")


def test_dnf_why_of_every_requested_package_is_the_request() -> None:
    # libsolv describes the decision by the second job's rule: its info is the job's index
    # and a whatprovides offset, not a package and a dependency (read so, it named garbage).
    result = runner.invoke(
        app,
        [
            *("resolve", "--target", "rhel9", "--why", "cuda-toolkit-12-6", "--"),
            *("dnf", "install", "cuda", "cuda-toolkit-12-6"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "why cuda-toolkit-12-6: cuda-toolkit-12-6 (requested)"


FOREACH = """\
assertions:
  - id: versioned-cuda
    description: The versioned cuda metapackage installs the default kernel modules.
    targets: {{family: [deb], drivers: true}}
    foreach_package: ["{pattern}"]
    request: "{{install}} {{package}}"
    expect: {{flavor: [open]}}
"""


def _check_foreach(tmp_path: Path, pattern: str) -> tuple[int, str, str]:
    assertions = tmp_path / "assertions.yaml"
    assertions.write_text(FOREACH.format(pattern=pattern))
    arguments = ["check", "--json", str(RELEASES / "cuda-12.6.yaml"), str(assertions)]
    result = runner.invoke(app, arguments)
    return result.exit_code, result.stdout, result.stderr


def test_foreach_package_patterns_are_filled_with_the_release_variables(tmp_path: Path) -> None:
    code, stdout, _ = _check_foreach(tmp_path, "cuda-{cuda_dash}")
    assert code == 0, stdout
    requests = {r["request"] for r in json.loads(stdout)["results"]}
    assert requests == {"apt-get install cuda-12-6"}


def test_foreach_package_matching_nothing_fails_rather_than_passing_vacuously(
    tmp_path: Path,
) -> None:
    code, stdout, _ = _check_foreach(tmp_path, "no-such-package-*")
    assert code == 1
    results = json.loads(stdout)["results"]
    assert results
    assert all(not r["passed"] for r in results)
    assert "matches no package" in results[0]["failures"][0]


def test_unknown_variable_in_an_assertion_is_a_one_line_error(tmp_path: Path) -> None:
    code, _, stderr = _check_foreach(tmp_path, "cuda-{nope}")
    assert code == 2
    assert (
        f"{tmp_path / 'assertions.yaml'}:2:5: assertions[0]: unknown template variable"
        in (stderr.splitlines()[0])
    )
