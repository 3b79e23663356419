"""A vendor's own model, written as a new user writes it (issue 18, item 6).

Three packages, one deb and one rpm target: version schemes name only the families the targets
use, there are no base packages, the date is unquoted, single values stand where lists are
expected, maintainer and license are the vendor's, and `repogen check` runs the model's own
assertions and nothing of NVIDIA's.  Each convenience also has a test of its own.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from debian.deb822 import Packages
from typer.testing import CliRunner

from repogen.channel import load_channel
from repogen.cli import app
from repogen.model import ModelErrors, RelationKind, load_release

runner = CliRunner()

MODEL = """\
release:
  name: acme-1.0
  cuda: 12.6.0
  driver: 560.28.03
  default_flavor: open
  date: 2024-10-01
maintainer: Acme Packaging <packaging@acme.example>
license: MIT
assertions: [acme-assertions.yaml]

versions:
  acme: {deb: "1.0-1", rpm: "1.0-1"}

targets:
  bookworm: {family: deb, distro: debian, release: "12", suite: bookworm, arches: amd64}
  el9: {family: rpm, distro: rhel, release: "9", dist: .el9, arches: [x86_64]}

packages:
  - {name: acme-tools, version: acme, summary: Acme tools, depends: acme-lib}
  - {name: acme-lib, version: acme, summary: Acme library}
  - {name: acme-apt-hooks, version: acme, summary: Acme hooks for apt, when: {family: deb}}
"""

ASSERTIONS = """\
assertions:
  - id: tools-bring-the-library
    description: Installing acme-tools installs acme-lib.
    request: "{install} acme-tools"
    expect: {includes: acme-lib, flavor: none}
  - id: apt-hooks-on-deb
    description: The apt hooks exist where apt does.
    targets: {family: deb}
    request: "{install} acme-apt-hooks"
    expect: {includes: acme-apt-hooks}
"""


def write(directory: Path, model: str = MODEL, assertions: str | None = ASSERTIONS) -> Path:
    path = directory / "acme.yaml"
    path.write_text(model)
    if assertions is not None:
        (directory / "acme-assertions.yaml").write_text(assertions)
    return path


# ------------------------------------------------------------------------- the whole model


def test_the_new_user_model_validates(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--json", str(write(tmp_path))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    packages = {r["target"]: r["packages"] for r in data["repositories"]}
    assert packages == {"bookworm": 3, "el9": 2}


def test_the_new_user_model_builds_with_its_own_maintainer_and_license(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(write(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    index = out / "deb/bookworm/dists/bookworm/main/binary-amd64/Packages"
    stanzas = {
        p["Package"]: p for p in Packages.iter_paragraphs(index.read_text(), use_apt_pkg=False)
    }
    assert set(stanzas) == {"acme-tools", "acme-lib", "acme-apt-hooks"}
    assert {p["Maintainer"] for p in stanzas.values()} == {
        "Acme Packaging <packaging@acme.example>"
    }
    assert stanzas["acme-tools"]["Version"] == "1.0-1"
    rpms = sorted((out / "rpm/el9/x86_64").rglob("*.rpm"))
    assert [rpm.name for rpm in rpms] == [
        "acme-lib-1.0-1.el9.noarch.rpm",
        "acme-tools-1.0-1.el9.noarch.rpm",
    ]
    licenses = subprocess.run(
        ["rpm", "-qp", "--nosignature", "--qf", "%{LICENSE}\n", *map(str, rpms)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert licenses == ["MIT", "MIT"]
    assert b"NVIDIA" not in b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())


def test_check_runs_only_the_models_own_assertions(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--json", str(write(tmp_path))])
    assert result.exit_code == 0, result.output
    ran = sorted((r["id"], r["target"]) for r in json.loads(result.stdout)["results"])
    assert ran == [
        ("apt-hooks-on-deb", "bookworm"),
        ("tools-bring-the-library", "bookworm"),
        ("tools-bring-the-library", "el9"),
    ]


# ------------------------------------------------------------------------- assertions


def test_check_without_assertions_anywhere_is_a_one_line_error(tmp_path: Path) -> None:
    model = write(tmp_path, MODEL.replace("assertions: [acme-assertions.yaml]\n", ""), None)
    result = runner.invoke(app, ["check", str(model)])
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert (
        line
        == f"error: no assertions to run: {model} names none (`assertions:`) and none were given"
    )


def test_check_of_an_empty_assertion_directory_is_a_one_line_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["check", str(write(tmp_path)), str(empty)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: no assertions to run: no assertion files in {empty}"
    ]


def test_assertion_files_given_replace_those_the_model_names(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(ASSERTIONS.split("  - id: apt-hooks-on-deb", maxsplit=1)[0])
    result = runner.invoke(app, ["check", "--json", str(write(tmp_path)), str(other)])
    assert result.exit_code == 0, result.output
    assert {r["id"] for r in json.loads(result.stdout)["results"]} == {"tools-bring-the-library"}


def test_an_included_file_names_assertions_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    write(tmp_path / "shared")
    release = tmp_path / "release.yaml"
    release.write_text("include: shared/acme.yaml\nrelease: {name: acme-1.1}\n")
    loaded = load_release(release)
    assert loaded.assertions == (tmp_path / "shared" / "acme-assertions.yaml",)


def test_the_bundled_models_name_the_bundled_assertions() -> None:
    result = runner.invoke(app, ["validate", "--json"])
    model = Path(json.loads(result.stdout)["model"])
    assertions = model.parent.parent / "assertions"
    newest = load_channel(model).at()
    assert newest.assertions == (assertions / "domain.yaml", assertions / "upgrades.yaml")


# ------------------------------------------------------------------------- the model's keys


def test_version_schemes_need_only_the_families_of_the_targets(tmp_path: Path) -> None:
    """No suse target: no suse form.  A target setting the scheme itself needs no form."""
    model = MODEL.replace('acme: {deb: "1.0-1", rpm: "1.0-1"}', 'acme: {deb: "1.0-1"}').replace(
        "arches: [x86_64]}", 'arches: [x86_64], versions: {acme: "2.0-1"}}'
    )
    release = load_release(write(tmp_path, model))
    versions = {r.target_name: {p.version for p in r.packages} for r in release.repositories}
    assert versions == {"bookworm": {"1.0-1"}, "el9": {"2.0-1.el9"}}


def test_a_missing_version_form_names_the_scheme_the_family_and_the_targets(
    tmp_path: Path,
) -> None:
    model = MODEL.replace('acme: {deb: "1.0-1", rpm: "1.0-1"}', 'acme: {deb: "1.0-1"}').replace(
        "targets:\n",
        "targets:\n  el8: {family: rpm, distro: rhel, release: '8', dist: .el8, arches: x86_64}\n",
    )
    path = write(tmp_path, model)
    with pytest.raises(ModelErrors) as caught:
        load_release(path)
    (error,) = caught.value.errors
    assert str(error) == (
        f"{path}:12:3: versions.acme: no `rpm` form of version scheme 'acme', "
        "which the rpm targets el8, el9 need"
    )


def test_a_target_without_base_has_no_base_packages(tmp_path: Path) -> None:
    release = load_release(write(tmp_path))
    assert all(r.base == () for r in release.repositories)
    # A relation to a package nobody provides is still an error without a base.
    broken = MODEL.replace("depends: acme-lib}", "depends: dkms}")
    with pytest.raises(ModelErrors, match="unknown package 'dkms'"):
        load_release(write(tmp_path, broken))


@pytest.mark.parametrize("written", ["2024-10-01", '"2024-10-01"'])
def test_the_date_may_be_quoted_or_not(tmp_path: Path, written: str) -> None:
    model = MODEL.replace("date: 2024-10-01", f"date: {written}")
    assert load_release(write(tmp_path, model)).release.date == "2024-10-01"


def test_a_date_with_a_time_of_day_is_refused(tmp_path: Path) -> None:
    model = MODEL.replace("date: 2024-10-01", "date: 2024-10-01 12:00:00")
    with pytest.raises(ModelErrors, match=r"release\.date: expected a valid string, got datetime"):
        load_release(write(tmp_path, model))


@pytest.mark.parametrize("key", ["maintainer", "license"])
def test_maintainer_and_license_are_the_models_to_say(tmp_path: Path, key: str) -> None:
    model = "".join(line for line in MODEL.splitlines(True) if not line.startswith(f"{key}:"))
    with pytest.raises(ModelErrors, match=f"{key}: missing required key '{key}'"):
        load_release(write(tmp_path, model))


# ------------------------------------------------------------------------- single values


def test_single_values_are_one_element_lists(tmp_path: Path) -> None:
    """`arches: amd64`, `when: {family: deb}`, `depends: acme-lib` in the model above, and
    `includes: acme-lib`, `targets: {family: deb}` in its assertions."""
    release = load_release(write(tmp_path))
    (bookworm,) = release.repositories_of("bookworm")
    assert bookworm.arch == "amd64"
    tools = bookworm.package("acme-tools")
    assert tools is not None
    depends = tools.related(RelationKind.DEPENDS)
    assert [a.name for r in depends for a in r.alternatives] == ["acme-lib"]
    (el9,) = release.repositories_of("el9")
    assert el9.package("acme-apt-hooks") is None


def test_a_single_value_merges_with_an_included_list(tmp_path: Path) -> None:
    """Included `arches: [x86_64]` and including `arches: aarch64` concatenate, as lists do."""
    base = write(tmp_path)
    over = tmp_path / "over.yaml"
    over.write_text(f"include: [{base.name}]\ntargets:\n  el9: {{arches: aarch64}}\n")
    arches = [r.arch for r in load_release(over).repositories_of("el9")]
    assert arches == ["x86_64", "aarch64"]


def test_the_schema_accepts_single_values(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    data = yaml.safe_load(MODEL)
    data["release"]["date"] = str(data["release"]["date"])  # as an editor reads it (YAML 1.2)
    jsonschema.validate(data, schema)
