"""`repogen diff` on the bundled 12.5 and 12.6 releases: the open-module switch, from the
models and from their built repositories, and the command's formats, exit code and filters."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import repogen.cli.diff  # noqa: F401  (registers the command)
from repogen.build import build, source_date_epoch
from repogen.cli import app
from repogen.diff import DiffOptions, ReleaseDiff, RepositoryDiff, diff_releases
from repogen.diff.as_json import json_text
from repogen.diff.render import terminal
from repogen.diff.result import Link, SetChange, ValueChange
from repogen.index import load_tree
from repogen.model import RelationKind, ReleaseModel
from repogen.publish.base import BuildOptions

from .conftest import RELEASES

runner = CliRunner()
BROKEN = Path(__file__).resolve().parent / "models" / "broken"
OLD, NEW = str(RELEASES / "cuda-12.5.yaml"), str(RELEASES / "cuda-12.6.yaml")
#: The assertions the bundled models name, given explicitly where a built tree is diffed.
NAMED = DiffOptions(assertion_files=(RELEASES.parent / "assertions",))


@pytest.fixture(scope="module")
def switch(release_12_5: ReleaseModel, release_12_6: ReleaseModel) -> ReleaseDiff:
    return diff_releases(release_12_5, release_12_6)


@pytest.fixture(scope="module")
def trees(
    release_12_5: ReleaseModel, release_12_6: ReleaseModel, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """Both releases built (metadata only, as --no-packages)."""
    root = tmp_path_factory.mktemp("diff")
    outputs = []
    for model in (release_12_5, release_12_6):
        output = root / model.release.name
        options = BuildOptions(source_date_epoch(model), packages=False)
        build(model, output, model.repositories, options)
        outputs.append(output)
    return outputs[0], outputs[1]


def repository(diff: ReleaseDiff, target: str, arch: str) -> RepositoryDiff:
    (found,) = [r for r in diff.repositories if (r.target, r.arch) == (target, arch)]
    return found


def test_cuda_runtime_depends_on_nvidia_open_instead_of_cuda_drivers(switch: ReleaseDiff) -> None:
    for target, arch in [("ubuntu2204", "amd64"), ("debian12", "amd64"), ("sles15", "sbsa")]:
        (runtime,) = [
            c
            for c in repository(switch, target, arch).relations
            if c.old_package == "cuda-runtime-12-5"
        ]
        assert runtime.package == "cuda-runtime-12-6"
        (field,) = runtime.fields
        assert field.kind is RelationKind.DEPENDS
        assert field.relations == SetChange(
            ("cuda-drivers (>= 555.42.06)",), ("nvidia-open (>= 560.28.03)",)
        )


def test_the_default_stream_moves_to_open_dkms(switch: ReleaseDiff) -> None:
    for arch in ("x86_64", "sbsa"):
        (module,) = repository(switch, "rhel9", arch).modules
        assert module.name == "nvidia-driver"
        assert module.default_stream == ValueChange("latest-dkms", "open-dkms")
        assert module.renamed_streams == (
            ("555", "560"),
            ("555-dkms", "560-dkms"),
            ("555-open", "560-open"),
        )


def test_the_nvidia_open_packages_are_new(switch: ReleaseDiff) -> None:
    ubuntu = repository(switch, "ubuntu2204", "amd64")
    assert [p.name for p in ubuntu.added] == [
        "nvidia-kernel-source-open",
        "nvidia-open",
        "nvidia-open-560",
    ]
    # NVIDIA's guide to the open modules before 560 used nvidia-kernel-open-B.
    assert [p.name for p in ubuntu.removed] == ["nvidia-kernel-open-555"]
    sles = repository(switch, "sles15", "x86_64")
    assert {p.name for p in sles.added} >= {"nvidia-open-azure", "patterns-cuda-open-azure"}
    assert sles.patterns == SetChange((), ("cuda-open", "cuda-open-azure"))


def test_branch_packages_are_renamed_with_the_release(switch: ReleaseDiff) -> None:
    ubuntu = repository(switch, "ubuntu2204", "amd64")
    renamed = {r.old: (r.new, r.link) for r in ubuntu.renamed}
    assert renamed["nvidia-driver-555"] == ("nvidia-driver-560", Link.RELEASE)
    assert renamed["cuda-toolkit-12-5"] == ("cuda-toolkit-12-6", Link.RELEASE)
    # Their relations changed only by the release numbers: not reported.  cuda-drivers-560 no
    # longer accepts the branch's open driver in place of the proprietary one.
    assert {c.package for c in ubuntu.relations} == {"cuda-runtime-12-6", "cuda-drivers-560"}


def test_apt_get_install_cuda_goes_from_proprietary_to_open(switch: ReleaseDiff) -> None:
    ubuntu = repository(switch, "ubuntu2204", "amd64")
    cuda = next(c for c in ubuntu.resolutions if c.request == "apt-get install cuda")
    assert "cuda-default-flavor" in cuda.assertions
    assert (cuda.old.flavor, cuda.old.kernel_modules) == ("proprietary", ("nvidia-dkms-555",))
    assert (cuda.new.flavor, cuda.new.kernel_modules) == ("open", ("nvidia-dkms-560-open",))
    assert {"nvidia-driver-555", "cuda-drivers"} <= set(cuda.install.removed)
    assert {"nvidia-driver-560-open", "nvidia-open"} <= set(cuda.install.added)
    # Installing the toolkit resolved the same before and after (its name follows the release).
    assert not [c for c in ubuntu.resolutions if "toolkit" in c.request]


def test_dnf_install_cuda_enables_the_open_stream(switch: ReleaseDiff) -> None:
    resolutions = repository(switch, "rhel9", "x86_64").resolutions
    cuda = next(c for c in resolutions if c.request == "dnf install cuda")
    assert (cuda.old.modules, cuda.new.modules) == (
        ("nvidia-driver:latest-dkms",),
        ("nvidia-driver:open-dkms",),
    )
    # 560's nvidia-driver requires dnf-plugin-nvidia, its nvidia-kmod-common nvidia-modprobe.
    assert cuda.install == SetChange(
        ("kmod-nvidia-latest-dkms",),
        ("dnf-plugin-nvidia", "kmod-nvidia-open-dkms", "nvidia-modprobe"),
    )
    # Every module install changes with 560's new subpackages.
    stream = next(
        c for c in resolutions if c.request == "dnf module install nvidia-driver:560-open"
    )
    assert stream.install == SetChange(
        ("nvidia-driver-devel",), ("libnvidia-cfg", "libnvidia-fbc", "libnvidia-ml")
    )


def test_the_built_repositories_diff_like_the_models(
    switch: ReleaseDiff, trees: tuple[Path, Path]
) -> None:
    """From metadata alone, every change is the same: packages, relations, streams,
    patterns, resolutions, regressions (given the assertions the models name: a built tree
    names none)."""
    from_trees = diff_releases(load_tree(trees[0]), load_tree(trees[1]), NAMED)
    assert (from_trees.old, from_trees.new) == (switch.old, switch.new)
    assert [asdict(r) for r in from_trees.repositories] == [asdict(r) for r in switch.repositories]


def test_bare_repositories_diff_like_the_build(
    switch: ReleaseDiff, trees: tuple[Path, Path]
) -> None:
    for target, where in [("ubuntu2204", "deb/ubuntu2204"), ("rhel9", "rpm/rhel9/x86_64")]:
        old, new = (load_tree(tree / where, target) for tree in trees)
        for bare in diff_releases(old, new, NAMED).repositories:
            assert asdict(bare) == asdict(repository(switch, bare.target, bare.arch))


def test_the_terminal_report_shows_the_switch() -> None:
    result = runner.invoke(app, ["diff", OLD, NEW, "--target", "ubuntu2204", "--target", "rhel9"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "\x1b[" not in text  # plain in a pipe
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "repogen diff: cuda-12.5.1 → cuda-12.6.0 (4 changed)"
    assert "rhel9/sbsa, rhel9/x86_64 (rpm)" in lines
    assert "ubuntu2204/amd64, ubuntu2204/arm64 (deb)" in lines
    assert (
        "~ apt-get install cuda: proprietary (nvidia-dkms-555) → open (nvidia-dkms-560-open)  "
        "[cuda-default-flavor, driver-metapackages-bring-modules]"
    ) in lines
    assert "- Depends: cuda-drivers (>= 555.42.06)" in lines
    assert "+ Depends: nvidia-open (>= 560.28.03)" in lines
    assert "~ default stream: latest-dkms → open-dkms" in lines
    assert "+ nvidia-open 560.28.03-1" in lines


def test_the_terminal_report_is_coloured_on_a_terminal(switch: ReleaseDiff) -> None:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard")
    for line in terminal(switch):
        console.print(line)
    assert "\x1b[32m" in console.file.getvalue()  # type: ignore[attr-defined]


def test_markdown_for_a_pull_request() -> None:
    result = runner.invoke(app, ["diff", OLD, NEW, "--format", "markdown", "--family", "deb"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("### repogen diff: cuda-12.5.1 → cuda-12.6.0")
    row = next(line for line in text.splitlines() if line.startswith("| `apt-get install cuda` |"))
    assert "ubuntu2204/amd64" in row
    assert row.endswith("| `proprietary (nvidia-dkms-555)` | `open (nvidia-dkms-560-open)` |")
    assert "```diff\n  resolutions\n~   apt-get install cuda:" in text
    assert "\n-     Depends: cuda-drivers (>= 555.42.06)\n" in text
    assert "rhel9" not in text


def test_json_for_ci() -> None:
    result = runner.invoke(app, ["diff", OLD, NEW, "--format", "json", "--target", "rhel9"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert result.stdout == json.dumps(data, indent=2) + "\n"
    assert (data["old"], data["new"], data["changed"]) == ("cuda-12.5.1", "cuda-12.6.0", True)
    rhel = data["repositories"][0]
    assert (rhel["target"], rhel["arch"], rhel["family"], rhel["status"]) == (
        "rhel9",
        "sbsa",
        "rpm",
        "changed",
    )
    (module,) = rhel["modules"]
    assert module["default_stream"] == {"old": "latest-dkms", "new": "open-dkms"}
    cuda = next(r for r in rhel["resolutions"] if r["request"] == "dnf install cuda")
    assert cuda["old"]["flavor"] == "proprietary"
    assert cuda["new"]["kernel_modules"] == ["kmod-nvidia-open-dkms"]
    assert cuda["install"] == {
        "added": ["dnf-plugin-nvidia", "kmod-nvidia-open-dkms", "nvidia-modprobe"],
        "removed": ["kmod-nvidia-latest-dkms"],
    }
    assert {"package": "kmod-nvidia-latest-dkms"}.items() <= rhel["regressions"][0].items()


@pytest.mark.parametrize(
    "data",
    [
        {"empty": [], "none": {}, "nested": [{}, [[]]], "null": None, "flag": False, "n": -3},
        {"text": 'Ünïcode ☃ 😀 / " \\ \n \t \x01 \x7f \udcff', "big": 10**20},
        ["".join(map(chr, range(0x110000)))],
        [],
    ],
)
def test_json_is_laid_out_as_the_standard_library_does(data: object) -> None:
    assert json_text(data) == json.dumps(data, indent=2)


def test_exit_code_and_bad_input(trees: tuple[Path, Path]) -> None:
    built_old = str(trees[0])
    same = runner.invoke(app, ["diff", OLD, built_old, "--exit-code", "--family", "suse"])
    assert same.exit_code == 0, same.output
    assert "unchanged: opensuse15/x86_64, sles15/sbsa, sles15/x86_64" in same.stdout
    changed = ["diff", built_old, str(trees[1]), "--family", "suse"]
    assert runner.invoke(app, changed).exit_code == 0
    assert runner.invoke(app, [*changed, "--exit-code"]).exit_code == 1
    unknown = runner.invoke(app, ["diff", OLD, NEW, "--target", "nope"])
    assert unknown.exit_code == 2
    assert "unknown target nope" in unknown.output
    bad_request = runner.invoke(app, ["diff", OLD, NEW, "--request", "pacman -S cuda"])
    assert bad_request.exit_code == 2
    not_a_repository = runner.invoke(app, ["diff", OLD, str(RELEASES)])
    assert not_a_repository.exit_code == 2
    assert "neither a repogen output" in not_a_repository.output


def test_a_broken_model_is_reported_with_its_place_on_either_side() -> None:
    broken = BROKEN / "bad-family.yaml"
    # The broken models include ../minimal.yaml: their tree is tests/models.
    models = {"REPOGEN_MODEL_ROOT": str(BROKEN.parent)}
    new_side = runner.invoke(app, ["diff", OLD, str(broken)], env=models)
    assert new_side.exit_code == 2
    assert f"{broken}:5:5: " in new_side.stderr
    assert "Traceback" not in new_side.output
    # When both are broken, the old side's errors are the ones reported, as when read in turn.
    both = runner.invoke(app, ["diff", str(BROKEN / "bad-order.yaml"), str(broken)], env=models)
    assert both.exit_code == 2
    assert "bad-order.yaml:6:5: " in both.stderr
    assert broken.name not in both.stderr


def test_requests_replace_the_assertions() -> None:
    result = runner.invoke(
        app,
        [
            "diff",
            OLD,
            NEW,
            "--format",
            "json",
            "--family",
            "suse",
            "--request",
            "zypper install cuda-toolkit-{cuda_dash}",
            "--request",
            "{install} cuda",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    requests = {r["request"] for repo in data["repositories"] for r in repo["resolutions"]}
    assert requests == {"zypper install cuda"}
