"""The suse publisher, checked by rpm and by real zypper in a sandbox: every SUSE command of
nvidia-packaging.md §1 and §4, on both architectures, for 12.6 and 12.5."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import rpm

from repogen.families.suse.client import ZypperSandbox, add_legacy_patterns
from repogen.model import ReleaseModel
from tests.base_repositories import write_base_repository
from tests.test_publish_rpm import (
    EPOCH,
    build_repositories,
    check_headers_match_model,
    check_specs_parse,
    header,
    header_dependencies,
    repomd_types,
    repository_of,
    trees_identical,
)

ZYPPER_ARCH = {"x86_64": "x86_64", "sbsa": "aarch64"}


@pytest.fixture(scope="session")
def suse_12_6(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    out = tmp_path_factory.mktemp("suse-12.6") / "out"
    build_repositories(release_12_6, out, ["sles15", "opensuse15"])
    return out


@pytest.fixture(scope="session")
def suse_12_5(tmp_path_factory: pytest.TempPathFactory, release_12_5: ReleaseModel) -> Path:
    out = tmp_path_factory.mktemp("suse-12.5") / "out"
    build_repositories(release_12_5, out, ["sles15"])
    return out


def baseurl(out: Path, target: str, arch: str) -> str:
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = [r for r in manifest["repos"] if (r["target"], r["arch"]) == (target, arch)]
    url: str = entry["client"]
    return url


Zypper = Callable[[str, str, str], ZypperSandbox]


@pytest.fixture(scope="session")
def zypper(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Zypper:
    """zypper for (release, target, arch), made once: the base stub, and the repository at
    its manifest baseurl."""
    made: dict[tuple[str, str, str], ZypperSandbox] = {}

    def sandbox(release: str, target: str, arch: str) -> ZypperSandbox:
        if (release, target, arch) not in made:
            suffix = release.replace(".", "_")
            model: ReleaseModel = request.getfixturevalue(f"release_{suffix}")
            out: Path = request.getfixturevalue(f"suse_{suffix}")
            work = tmp_path_factory.mktemp(f"zypper-{release}-{target}-{arch}")
            write_base_repository(work / "base", repository_of(model, target, arch), EPOCH)
            made[release, target, arch] = ZypperSandbox.create(
                work / "zypper",
                [("base", (work / "base").as_uri()), ("cuda", baseurl(out, target, arch))],
                arch=ZYPPER_ARCH[arch],
            )
        return made[release, target, arch]

    return sandbox


def kmps(names: frozenset[str]) -> set[str]:
    return {name for name in names if "-kmp-" in name}


# -- the tree ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "arch", "package_arch"),
    [
        ("sles15", "x86_64", "x86_64"),
        ("sles15", "sbsa", "aarch64"),
        ("opensuse15", "x86_64", "x86_64"),
    ],
)
def test_packages_lie_in_a_directory_per_architecture(
    suse_12_6: Path, release_12_6: ReleaseModel, target: str, arch: str, package_arch: str
) -> None:
    directory = suse_12_6 / "suse" / target / arch
    assert baseurl(suse_12_6, target, arch) == directory.as_uri()
    assert {p.parent.name for p in directory.rglob("*.rpm")} == {package_arch, "noarch"}
    assert set(repomd_types(directory)) == {"primary", "filelists", "other"}
    repository = repository_of(release_12_6, target, arch)
    check_specs_parse(directory, repository)
    check_headers_match_model(directory, repository)


def test_every_package_has_a_suse_group(suse_12_6: Path) -> None:
    groups = {
        header(path)[rpm.RPMTAG_NAME]: header(path)[rpm.RPMTAG_GROUP]
        for path in (suse_12_6 / "suse/sles15/x86_64").rglob("*.rpm")
    }
    assert groups["patterns-cuda-open"] == "Metapackages"
    assert groups["nvidia-open"] == "Metapackages"
    assert groups["nvidia-open-driver-G06-signed-kmp-azure"] == "System/Kernel"
    assert groups["nvidia-gl-G06"] == "System/Libraries"


def test_pattern_packages_provide_their_escaped_pattern_attributes(suse_12_6: Path) -> None:
    (path,) = (suse_12_6 / "suse/sles15/sbsa/noarch").glob("patterns-cuda-open-64k-*.rpm")
    provides = header_dependencies(header(path), rpm.RPMTAG_PROVIDENAME)
    assert {
        "pattern() = cuda%2Dopen%2D64k",
        "pattern-visible()",
        "pattern-order() = 1510",
        "pattern-category() = CUDA%20Development",
        "pattern-icon() = pattern%2Dgeneric",
    } <= provides


def test_rebuilding_gives_a_byte_identical_tree(
    suse_12_6: Path, release_12_6: ReleaseModel, tmp_path: Path
) -> None:
    build_repositories(release_12_6, tmp_path / "again", ["sles15", "opensuse15"])
    assert trees_identical(suse_12_6 / "suse", tmp_path / "again" / "suse")


# -- zypper ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "arch", "package", "kmp"),
    [
        ("sles15", "x86_64", "nvidia-open", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "x86_64", "nvidia-open-560", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "x86_64", "nvidia-open-azure", "nvidia-open-driver-G06-signed-kmp-azure"),
        ("sles15", "x86_64", "nvidia-open-560-azure", "nvidia-open-driver-G06-signed-kmp-azure"),
        ("sles15", "sbsa", "nvidia-open", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "sbsa", "nvidia-open-560", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "sbsa", "nvidia-open-64k", "nvidia-open-driver-G06-signed-kmp-64kb"),
        ("sles15", "sbsa", "nvidia-open-560-64k", "nvidia-open-driver-G06-signed-kmp-64kb"),
        ("opensuse15", "x86_64", "nvidia-open", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "x86_64", "cuda-drivers", "nvidia-driver-G06-kmp-default"),
        ("sles15", "sbsa", "cuda-drivers", "nvidia-driver-G06-kmp-default"),
        ("sles15", "x86_64", "cuda", "nvidia-open-driver-G06-signed-kmp-default"),
        ("sles15", "sbsa", "cuda", "nvidia-open-driver-G06-signed-kmp-default"),
    ],
)
def test_install_selects_the_kernel_module_package_of_the_flavor(
    zypper: Zypper, target: str, arch: str, package: str, kmp: str
) -> None:
    resolution = zypper("12.6", target, arch).resolve(f"zypper install {package}")
    assert resolution.ok, resolution.problems
    assert kmps(resolution.installed_names) == {kmp}
    assert {"nvidia-gl-G06", "nvidia-compute-G06"} <= resolution.installed_names


@pytest.mark.parametrize("arch", ["x86_64", "sbsa"])
def test_cuda_12_5_brings_the_proprietary_kernel_modules(zypper: Zypper, arch: str) -> None:
    resolution = zypper("12.5", "sles15", arch).resolve("zypper install cuda")
    assert resolution.ok, resolution.problems
    assert kmps(resolution.installed_names) == {"nvidia-driver-G06-kmp-default"}


@pytest.mark.parametrize("arch", ["x86_64", "sbsa"])
def test_the_toolkit_never_pulls_a_driver(zypper: Zypper, arch: str) -> None:
    resolution = zypper("12.6", "sles15", arch).resolve("zypper install cuda-toolkit-12-6")
    assert resolution.ok, resolution.problems
    assert "cuda-compiler-12-6" in resolution.installed_names
    assert not {n for n in resolution.installed_names if n.startswith(("nvidia-", "cuda-drivers"))}


@pytest.mark.parametrize(
    ("target", "arch", "package"),
    [
        ("sles15", "x86_64", "nvidia-open-64k"),
        ("sles15", "sbsa", "nvidia-open-azure"),
        ("opensuse15", "x86_64", "nvidia-open-azure"),
    ],
)
def test_a_flavor_that_does_not_exist_has_no_provider(
    zypper: Zypper, target: str, arch: str, package: str
) -> None:
    resolution = zypper("12.6", target, arch).resolve(f"zypper install {package}")
    assert not resolution.ok
    assert resolution.problems == (f"Package '{package}' not found.",)


def test_open_and_proprietary_modules_exclude_each_other(zypper: Zypper) -> None:
    resolution = zypper("12.6", "sles15", "x86_64").resolve(
        "zypper install nvidia-open cuda-drivers"
    )
    assert not resolution.ok
    (problem,) = resolution.problems
    assert problem.startswith("Problem: ")


@pytest.mark.parametrize(
    ("arch", "pattern", "meta"),
    [
        ("x86_64", "cuda-open-azure", "nvidia-open-azure"),
        ("sbsa", "cuda-open-64k", "nvidia-open-64k"),
    ],
)
def test_a_pattern_package_pulls_its_content(
    zypper: Zypper, arch: str, pattern: str, meta: str
) -> None:
    resolution = zypper("12.6", "sles15", arch).resolve(f"zypper install patterns-{pattern}")
    assert resolution.ok, resolution.problems
    assert {"cuda-toolkit-12-6", "cuda-libraries-12-6", meta} <= resolution.installed_names


def test_install_type_pattern_works_on_a_copy_with_the_legacy_patterns_record(
    suse_12_6: Path, release_12_6: ReleaseModel, tmp_path: Path, zypper: Zypper
) -> None:
    shipped = suse_12_6 / "suse/sles15/x86_64"
    # Debian's zypper makes no pattern of a pattern package (no autopattern in its libsolv).
    without = zypper("12.6", "sles15", "x86_64").resolve("zypper install -t pattern cuda-open")
    assert without.problems == ("No provider of 'cuda-open' found.",)
    copy = tmp_path / "copy"
    shutil.copytree(shipped, copy)
    add_legacy_patterns(copy)
    assert "patterns" in repomd_types(copy)
    assert "patterns" not in repomd_types(shipped)
    write_base_repository(tmp_path / "base", repository_of(release_12_6, "sles15", "x86_64"), EPOCH)
    sandbox = ZypperSandbox.create(
        tmp_path / "zypper", [("base", (tmp_path / "base").as_uri()), ("cuda", copy.as_uri())]
    )
    for pattern, meta, kmp in (
        ("cuda-open", "nvidia-open", "nvidia-open-driver-G06-signed-kmp-default"),
        ("cuda-open-azure", "nvidia-open-azure", "nvidia-open-driver-G06-signed-kmp-azure"),
        ("cuda-proprietary", "cuda-drivers", "nvidia-driver-G06-kmp-default"),
    ):
        resolution = sandbox.resolve(f"zypper install -t pattern {pattern}")
        assert resolution.ok, resolution.problems
        names = resolution.installed_names
        assert {f"pattern:{pattern}", f"patterns-{pattern}", meta, "cuda-toolkit-12-6"} <= names
        assert kmps(names) == {kmp}


def test_installed_packages_are_kept(
    suse_12_6: Path, release_12_6: ReleaseModel, tmp_path: Path, zypper: Zypper
) -> None:
    before = zypper("12.6", "sles15", "x86_64").resolve("zypper install nvidia-open")
    directory = suse_12_6 / "suse/sles15/x86_64"
    installed = [
        path
        for ref in before.install
        for path in directory.glob(f"*/{ref.name}-{ref.version}.{ref.arch}.rpm")
    ]
    repository = repository_of(release_12_6, "sles15", "x86_64")
    base = {package.name for package in repository.base}
    assert len(installed) == len([ref for ref in before.install if ref.name not in base])
    write_base_repository(tmp_path / "base", repository, EPOCH)
    sandbox = ZypperSandbox.create(
        tmp_path / "zypper",
        [("base", (tmp_path / "base").as_uri()), ("cuda", directory.as_uri())],
    )
    sandbox.install_headers(installed)
    again = sandbox.resolve("zypper install nvidia-open nvidia-open-560")
    assert again.ok, again.problems
    assert again.installed_names <= base
