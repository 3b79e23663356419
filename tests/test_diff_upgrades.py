"""`repogen diff`'s upgrades: what an upgrade request on the new side does to a machine an
install request set up on the old side.  The facts asserted are those of the bundled
channel's upgrade matrix (repogen/data/assertions/upgrades.yaml, checked against the real
clients), and one row is compared with the real apt-get."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from repogen.channel import load_channel
from repogen.check.declarations import Expectation, TargetSelector
from repogen.cli import app
from repogen.data import DEFAULT_MODEL, bundled
from repogen.diff.upgrades import DEFAULT_UPGRADES

RELEASES = bundled("releases")
MATRIX = bundled("assertions", "upgrades.yaml")
#: The point the matrix's requests run at, and the targets it covers (one of each kind).
NEWEST = "driver-565.57.01"
TARGETS = ("ubuntu2204", "ubuntu2004", "debian12", "rhel9", "fedora40", "sles15")
ROW_KEYS = {
    "target",
    "arch",
    "installed",
    "request",
    "ok",
    "gains",
    "loses",
    "upgrades",
    "keeps",
    "held_back",
}

runner = CliRunner()


def diff(*words: str) -> tuple[int, str]:
    result = runner.invoke(app, ["diff", *words])
    return result.exit_code, result.output


def json_diff(*words: str) -> dict[str, Any]:
    code, output = diff(*words, "--format", "json")
    assert code == 0, output
    data: dict[str, Any] = json.loads(output)
    return data


def row(data: dict[str, Any], where: str, installed: str, request: str) -> dict[str, Any]:
    target, arch = where.split("/")
    found: list[dict[str, Any]] = [
        r
        for r in data["upgrades"]
        if (r["target"], r["arch"], r["installed"], r["request"])
        == (target, arch, installed, request)
    ]
    assert len(found) == 1, (where, installed, request)
    return found[0]


def names(entries: list[dict[str, str]]) -> set[str]:
    return {e["name"] for e in entries}


@pytest.fixture(scope="module")
def from_installs() -> dict[str, dict[str, Any]]:
    """The bundled channel's diff from each point the matrix installs at to its newest."""
    targets = [w for t in TARGETS for w in ("--target", t)]
    return {
        start: json_diff(str(DEFAULT_MODEL), "--from", start, "--to", NEWEST, *targets)
        for start in ("cuda-12.4.1", "cuda-12.5.1", "cuda-12.6.0")
    }


def _matrix() -> list[Any]:
    """The matrix's assertions of one install at an earlier point, then one request at the
    newest, as (installed at, install request, request, targets, expect) with the id.  The
    file is read as YAML: ``installed`` is one step or a list of them."""
    cases = []
    for assertion in yaml.safe_load(MATRIX.read_text())["assertions"]:
        steps = assertion.get("installed") or []
        steps = steps if isinstance(steps, list) else [steps]
        if assertion.get("at") != NEWEST or assertion.get("hotfixes") or len(steps) != 1:
            continue
        (step,) = steps
        if len(step["requests"]) != 1 or "at" not in step or step.get("held"):
            continue
        if assertion["request"] not in DEFAULT_UPGRADES:
            continue
        fields = (step["at"], step["requests"][0], assertion["request"])
        targets = TargetSelector.model_validate(assertion.get("targets", {}))
        expect = Expectation.model_validate(assertion["expect"])
        cases.append(pytest.param(*fields, targets, expect, id=assertion["id"]))
    return cases


@pytest.mark.parametrize(("start", "installed", "command", "targets", "expect"), _matrix())
def test_the_upgrade_matrix(
    from_installs: dict[str, dict[str, Any]],
    start: str,
    installed: str,
    command: str,
    targets: TargetSelector,
    expect: Expectation,
) -> None:
    """Each row of the diff says what the matrix's assertion says: succeeds or fails, what
    the machine gets (gained or upgraded), what it loses."""
    channel = load_channel(DEFAULT_MODEL)
    chosen = [
        r
        for r in channel.at(NEWEST).repositories
        if r.target_name in TARGETS and targets.selects(r)
    ]
    assert chosen
    data = from_installs[start]
    for repository in chosen:
        where = f"{repository.target_name}/{repository.arch}"
        found = row(data, where, installed, command)
        assert found["ok"] is expect.ok, (where, found.get("reason"))
        if not expect.ok:
            assert found["reason"]
            continue
        gets = names(found["gains"]) | names(found["upgrades"])
        for pattern in expect.includes:
            assert fnmatch.filter(gets, pattern), (where, pattern, sorted(gets))
        for pattern in expect.excludes:
            assert not fnmatch.filter(gets, pattern), (where, pattern, sorted(gets))
        for pattern in expect.removes:
            assert fnmatch.filter(names(found["loses"]), pattern), (where, pattern)


def test_ubuntu_dist_upgrade_from_12_5_1_keeps_cuda(
    from_installs: dict[str, dict[str, Any]],
) -> None:
    """The matrix's 'kept': apt-get dist-upgrade removes nothing and takes none of the newer
    cuda, which the diff shows held back; only nvidia-settings and nvidia-modprobe move."""
    found = row(
        from_installs["cuda-12.5.1"],
        "ubuntu2204/amd64",
        "apt-get install cuda",
        "apt-get dist-upgrade",
    )
    assert (found["ok"], found["gains"], found["loses"]) == (True, [], [])
    assert names(found["upgrades"]) == {"nvidia-modprobe", "nvidia-settings"}
    held = {h["name"]: (h["version"], h["newer"]) for h in found["held_back"]}
    assert held["cuda"] == ("12.5.1-1", "12.6.3-1")
    kept = {k["name"] for k in found["keeps"]}
    assert {"cuda", "cuda-12-5", "nvidia-dkms-555"} <= kept
    assert set(held) <= kept


def test_debian_dist_upgrade_switches_to_open(from_installs: dict[str, dict[str, Any]]) -> None:
    found = row(
        from_installs["cuda-12.5.1"],
        "debian12/amd64",
        "apt-get install cuda",
        "apt-get dist-upgrade",
    )
    assert [(p["name"], p["version"]) for p in found["loses"]] == [
        ("nvidia-kernel-dkms", "555.42.06-1")
    ]
    assert "nvidia-kernel-open-dkms" in names(found["gains"])


def test_rhel9_dnf_upgrade_upgrades_cuda(from_installs: dict[str, dict[str, Any]]) -> None:
    found = row(from_installs["cuda-12.5.1"], "rhel9/x86_64", "dnf install cuda", "dnf upgrade")
    steps = {u["name"]: (u["from"], u["to"]) for u in found["upgrades"]}
    assert steps["cuda"] == ("12.5.1-1", "12.6.3-1")
    assert steps["kmod-nvidia-latest-dkms"] == ("3:555.42.06-1.el9", "3:565.57.01-1.el9")
    assert "cuda-12-6" in names(found["gains"])
    assert not found["loses"]
    # Every package the machine had is upgraded or kept, none twice.
    assert not names(found["upgrades"]) & names(found["keeps"])


def test_fedora_dnf_upgrade_fails_with_the_reason(from_installs: dict[str, dict[str, Any]]) -> None:
    found = row(from_installs["cuda-12.5.1"], "fedora40/x86_64", "dnf install cuda", "dnf upgrade")
    assert found["ok"] is False
    assert "nvidia-open" in found["reason"]
    assert set(found) == ROW_KEYS | {"reason"}
    assert found["gains"] == found["loses"] == found["upgrades"] == found["keeps"] == []


def test_every_row_is_in_the_json(from_installs: dict[str, dict[str, Any]]) -> None:
    """Every machine and request is a row, also those that change nothing; the keys of the
    diff are all still there."""
    data = from_installs["cuda-12.5.1"]
    assert set(data) == {"old", "new", "changed", "repositories", "upgrades"}
    assert all(
        set(r) == ROW_KEYS | ({"reason"} if not r["ok"] else set()) for r in data["upgrades"]
    )
    ubuntu = {
        (r["installed"], r["request"]) for r in data["upgrades"] if r["target"] == "ubuntu2204"
    }
    # The plain installs of the assertions at 12.5.1, each upgraded both ways.
    installs = {
        "apt-get install cuda",
        "apt-get install cuda-drivers",
        "apt-get install cuda-toolkit",
    }
    assert {i for i, _ in ubuntu} >= installs | {"apt-get install cuda-toolkit-12-5"}
    assert {r for _, r in ubuntu} == {"apt-get upgrade", "apt-get dist-upgrade"}
    # cuda-toolkit-12-5 has nothing newer: the row is there, with nothing in it but keeps.
    toolkit = row(data, "ubuntu2204/amd64", "apt-get install cuda-toolkit-12-5", "apt-get upgrade")
    assert toolkit["keeps"]
    assert not (toolkit["gains"])
    assert not (toolkit["upgrades"])
    assert not (toolkit["held_back"])


def test_the_text_shows_changes_only() -> None:
    code, output = diff(
        str(DEFAULT_MODEL), "--from", "cuda-12.5.1", "--to", NEWEST, "--target", "ubuntu2204"
    )
    assert code == 0, output
    lines = [line.strip() for line in output.splitlines()]
    start = lines.index("upgrades")
    assert lines[start + 1 : start + 5] == [
        "~ apt-get upgrade after apt-get install cuda: upgrades 2, holds back 2, keeps 23 as "
        "they are",
        "~ 555.42.06-0ubuntu1 → 565.57.01-0ubuntu1: nvidia-modprobe, nvidia-settings",
        "= held back 12.5.1-1 (12.6.3-1 not taken): cuda",
        "= held back 555.42.06-1 (565.57.01-1 not taken): cuda-drivers",
    ]
    # An upgrade that changes nothing is left out.
    assert not [line for line in lines if "after apt-get install cuda-toolkit-12-5" in line]


def test_markdown_has_a_table_of_upgrades() -> None:
    words = ["--from", "cuda-12.5.1", "--to", NEWEST, "--target", "fedora40", "--format"]
    code, output = diff(str(DEFAULT_MODEL), *words, "markdown")
    assert code == 0, output
    assert "#### Upgrades of installed machines" in output
    assert "| installed by | upgrade | repositories | what it does |" in output
    start = "| `dnf install cuda` | `dnf upgrade` | fedora40/x86_64 | fails: "
    assert [line for line in output.splitlines() if line.startswith(start)]
    # In the repository's diff block, marked broken.
    assert "!   dnf upgrade after dnf install cuda: fails: " in output


def test_upgrade_replaces_the_default_requests() -> None:
    """--upgrade runs only the requests given, each on its family's targets."""
    targets = ["--target", "sles15", "--target", "rhel9", "--target", "ubuntu2204"]
    words = [*targets, "--upgrade", "zypper dup", "--upgrade", "dnf distro-sync"]
    data = json_diff(str(DEFAULT_MODEL), "--from", "cuda-12.5.1", "--to", NEWEST, *words)
    requests = {(r["target"], r["request"]) for r in data["upgrades"]}
    assert requests == {("sles15", "zypper dup"), ("rhel9", "dnf distro-sync")}
    sync = row(data, "rhel9/x86_64", "dnf install cuda", "dnf distro-sync")
    assert ("cuda", "12.5.1-1", "12.6.3-1") in {
        (u["name"], u["from"], u["to"]) for u in sync["upgrades"]
    }
    # zypper dup, like zypper update in the matrix, leaves the cuda install as it is.
    dup = row(data, "sles15/x86_64", "zypper install cuda", "zypper dup")
    assert (dup["gains"], dup["loses"], dup["upgrades"]) == ([], [], [])
    assert "cuda" in names(dup["held_back"])


def test_a_bad_upgrade_request_is_exit_2() -> None:
    code, output = diff(str(DEFAULT_MODEL), "--upgrade", "apt-get frobnicate")
    assert code == 2
    text = " ".join(output.replace("│", " ").split())
    assert "--upgrade" in text
    assert "frobnicate" in text


def done(found: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """What a row says the request does, as `repogen resolve --json` lists it."""
    return {
        "install": {(p["name"], p["version"]) for p in found["gains"]},
        "remove": {(p["name"], p["version"]) for p in found["loses"]},
        "upgrade": {(p["name"], p["to"]) for p in found["upgrades"]},
    }


def resolved(model: Path, target: str, *words: str) -> dict[str, set[tuple[str, str]]]:
    """What `repogen resolve MODEL --target TARGET WORDS` does, leaving out the target's base
    packages (the distribution's, which the diff leaves out; every release of the bundled
    channel declares the same)."""
    result = runner.invoke(app, ["resolve", str(model), "--target", target, "--json", *words])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    repositories = load_channel(DEFAULT_MODEL).at(NEWEST).repositories_of(target)
    base = {b.name for r in repositories for b in r.base}
    return {
        kind: {(p["name"], p["version"]) for p in data[kind] if p["name"] not in base}
        for kind in ("install", "remove", "upgrade")
    }


#: Two release files: the 12.6 repository alone, without 12.5's packages.
OLD, NEW = RELEASES / "cuda-12.5.yaml", RELEASES / "cuda-12.6.yaml"
FROM_FILE = ["--installed", "apt-get install cuda", "--installed-from", str(OLD)]


@pytest.fixture(scope="module")
def between_files() -> dict[str, Any]:
    return json_diff(str(OLD), str(NEW), "--target", "ubuntu2204")


def test_two_release_files_show_the_removals(between_files: dict[str, Any]) -> None:
    """Between two release files the machine meets a repository without its packages:
    dist-upgrade removes the 12.5 metapackages and the 555 driver for cuda 12.6 (the
    removals NVIDIA's users saw, nvidia-packaging.md §7), as `repogen resolve
    --installed-from` answers it."""
    found = row(between_files, "ubuntu2204/amd64", "apt-get install cuda", "apt-get dist-upgrade")
    assert {"cuda-12-5", "cuda-runtime-12-5", "cuda-drivers", "cuda-drivers-555"} <= names(
        found["loses"]
    )
    assert {"cuda-12-6", "nvidia-dkms-560-open"} <= names(found["gains"])
    assert done(found) == resolved(NEW, "ubuntu2204", *FROM_FILE, "--", "apt-get", "dist-upgrade")
    # Nothing newer of the 12.5 toolkit's names: it is kept, not held back.
    assert "cuda-toolkit-12-5" in names(found["keeps"])
    assert not names(found["held_back"]) & {"cuda-toolkit-12-5", "cuda-12-5"}


def test_identical_sides_stay_unchanged() -> None:
    model = str(RELEASES / "cuda-12.6.yaml")
    code, output = diff(model, model, "--target", "ubuntu2204", "--exit-code")
    assert code == 0, output
    assert "upgrades" not in output
    data = json_diff(model, model, "--target", "ubuntu2204")
    assert data["upgrades"]
    assert not data["changed"]
    assert not [r for r in data["upgrades"] if r["gains"] or r["loses"] or r["upgrades"]]
    assert not [r for r in data["upgrades"] if r["held_back"] or not r["ok"]]


def test_rows_agree_with_the_real_apt_get(
    from_installs: dict[str, dict[str, Any]], between_files: dict[str, Any]
) -> None:
    """Two rows as the real apt-get answers them (`repogen resolve --engine real` from the
    same installed state): Ubuntu 22.04 between the two release files, and Debian 12 in the
    channel from a 12.5.1 install, whose dist-upgrade switches to the open modules."""
    request = ["--engine", "real", "--", "apt-get", "dist-upgrade"]
    ubuntu = row(between_files, "ubuntu2204/amd64", "apt-get install cuda", "apt-get dist-upgrade")
    assert done(ubuntu) == resolved(NEW, "ubuntu2204", *FROM_FILE, *request)
    debian = row(
        from_installs["cuda-12.5.1"],
        "debian12/amd64",
        "apt-get install cuda",
        "apt-get dist-upgrade",
    )
    words = ["--at", NEWEST, "--installed", "apt-get install cuda", "--installed-at", "cuda-12.5.1"]
    real = resolved(DEFAULT_MODEL, "debian12", *words, *request)
    assert done(debian) == real
    assert ("nvidia-kernel-dkms", "555.42.06-1") in real["remove"]
