"""The rpm output resolved by real dnf 4, in a sandbox: every command of nvidia-packaging.md §1
and §3 for the rpm family, on the 12.6 and 12.5 releases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from repogen.build import build
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.model import KernelModuleFlavor, ReleaseModel, Repository
from repogen.publish.base import BuildOptions
from repogen.resolve.result import Resolution
from tests.base_repositories import module_list, write_base_repository
from tests.test_publish_rpm import EPOCH, repository_of

MakeSandbox = Callable[..., DnfSandbox]


def built(release: ReleaseModel, out: Path, targets: list[str], packages: bool = True) -> Path:
    repositories = release.select(targets=targets, arches=["x86_64"])
    build(release, out, repositories, BuildOptions(source_date_epoch=EPOCH, packages=packages))
    return out


def baseurl(out: Path, target: str) -> str:
    """The repository's baseurl, as the build's manifest gives it."""
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = [r for r in manifest["repos"] if (r["target"], r["arch"]) == (target, "x86_64")]
    url: str = entry["client"]
    return url


def sandbox(
    work: Path, release: ReleaseModel, out: Path, target: str, hotfixes: bool = False
) -> DnfSandbox:
    """dnf for the target's x86_64 repository, with its distribution's base stubbed beside."""
    repository = repository_of(release, target, "x86_64")
    write_base_repository(work / "base", repository, EPOCH)
    return DnfSandbox.create(
        work / "dnf",
        [
            DnfRepository("base", (work / "base").as_uri()),
            DnfRepository("cuda", baseurl(out, target), module_hotfixes=hotfixes),
        ],
        releasever=repository.target.release,
        platform=repository.target.platform,
    )


@pytest.fixture(scope="session")
def out_12_6(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    return built(release_12_6, tmp_path_factory.mktemp("dnf-12.6") / "out", ["rhel9", "fedora40"])


@pytest.fixture(scope="session")
def out_12_5(tmp_path_factory: pytest.TempPathFactory, release_12_5: ReleaseModel) -> Path:
    return built(release_12_5, tmp_path_factory.mktemp("dnf-12.5") / "out", ["rhel9"])


@pytest.fixture(scope="session")
def dnf_12_6(
    tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel, out_12_6: Path
) -> dict[str, DnfSandbox]:
    return {
        target: sandbox(tmp_path_factory.mktemp(target), release_12_6, out_12_6, target)
        for target in ("rhel9", "fedora40")
    }


@pytest.fixture(scope="session")
def rhel9_12_5(
    tmp_path_factory: pytest.TempPathFactory, release_12_5: ReleaseModel, out_12_5: Path
) -> DnfSandbox:
    return sandbox(tmp_path_factory.mktemp("rhel9-12.5"), release_12_5, out_12_5, "rhel9")


def flavors(resolution: Resolution, repository: Repository) -> set[KernelModuleFlavor]:
    """The kinds of kernel module the transaction installs."""
    names = resolution.installed_names
    return {p.kernel_module for p in repository.packages if p.kernel_module and p.name in names}


# -- modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("release", "default", "branch"),
    [("12.6", "open-dkms", "560"), ("12.5", "latest-dkms", "555")],
)
def test_module_list_marks_the_release_default_stream(
    dnf_12_6: dict[str, DnfSandbox],
    rhel9_12_5: DnfSandbox,
    release: str,
    default: str,
    branch: str,
) -> None:
    dnf = dnf_12_6["rhel9"] if release == "12.6" else rhel9_12_5
    rows = module_list(dnf)
    streams = {row.stream for row in rows if row.module == "nvidia-driver"}
    assert streams == {
        "latest",
        "latest-dkms",
        "open-dkms",
        branch,
        f"{branch}-dkms",
        f"{branch}-open",
    }
    assert [row.stream for row in rows if row.default] == [default]
    assert not any(row.enabled for row in rows)
    assert all("default" in row.profiles for row in rows)


@pytest.mark.parametrize(
    ("stream", "kmod"),
    [
        ("open-dkms", "kmod-nvidia-open-dkms"),
        ("560-open", "kmod-nvidia-open-dkms"),
        ("latest-dkms", "kmod-nvidia-latest-dkms"),
        ("560-dkms", "kmod-nvidia-latest-dkms"),
        # Precompiled for the target's kernel; dnf wraps the long name onto its own line.
        ("latest", "kmod-nvidia-560.28.03-5.14.0-427.13.1"),
        ("560", "kmod-nvidia-560.28.03-5.14.0-427.13.1"),
    ],
)
def test_module_install_selects_the_stream_kernel_module(
    dnf_12_6: dict[str, DnfSandbox], stream: str, kmod: str
) -> None:
    resolution = dnf_12_6["rhel9"].resolve(f"dnf module install nvidia-driver:{stream}")
    assert resolution.ok, resolution.problems
    assert {n for n in resolution.installed_names if n.startswith("kmod-")} == {kmod}
    assert {"nvidia-driver", "cuda-drivers"} <= resolution.installed_names
    assert resolution.modules == (f"nvidia-driver:{stream}",)


@pytest.mark.parametrize(
    ("release", "flavor", "stream"),
    [
        ("12.6", KernelModuleFlavor.OPEN, "open-dkms"),
        ("12.5", KernelModuleFlavor.PROPRIETARY, "latest-dkms"),
    ],
)
def test_install_cuda_brings_the_release_default_kernel_modules(
    request: pytest.FixtureRequest,
    dnf_12_6: dict[str, DnfSandbox],
    rhel9_12_5: DnfSandbox,
    release: str,
    flavor: KernelModuleFlavor,
    stream: str,
) -> None:
    model: ReleaseModel = request.getfixturevalue(f"release_{release.replace('.', '_')}")
    dnf = dnf_12_6["rhel9"] if release == "12.6" else rhel9_12_5
    resolution = dnf.resolve("dnf install cuda")
    assert resolution.ok, resolution.problems
    assert flavors(resolution, repository_of(model, "rhel9", "x86_64")) == {flavor}
    assert resolution.modules == (f"nvidia-driver:{stream}",)


# -- Fedora: no modules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "flavor"),
    [
        ("nvidia-open", KernelModuleFlavor.OPEN),
        ("cuda-drivers", KernelModuleFlavor.PROPRIETARY),
        ("cuda", KernelModuleFlavor.OPEN),
    ],
)
def test_fedora_installs_kernel_modules_by_package(
    dnf_12_6: dict[str, DnfSandbox],
    release_12_6: ReleaseModel,
    package: str,
    flavor: KernelModuleFlavor,
) -> None:
    resolution = dnf_12_6["fedora40"].resolve(f"dnf install {package}")
    assert resolution.ok, resolution.problems
    assert flavors(resolution, repository_of(release_12_6, "fedora40", "x86_64")) == {flavor}
    assert resolution.modules == ()


@pytest.mark.parametrize("target", ["rhel9", "fedora40"])
def test_the_toolkit_never_pulls_a_driver(
    dnf_12_6: dict[str, DnfSandbox], release_12_6: ReleaseModel, target: str
) -> None:
    resolution = dnf_12_6[target].resolve("dnf install cuda-toolkit-12-6")
    assert resolution.ok, resolution.problems
    assert "cuda-compiler-12-6" in resolution.installed_names
    assert flavors(resolution, repository_of(release_12_6, target, "x86_64")) == set()
    assert not {n for n in resolution.installed_names if n.startswith(("nvidia-", "cuda-drivers"))}


def test_an_unknown_package_is_a_problem(dnf_12_6: dict[str, DnfSandbox]) -> None:
    resolution = dnf_12_6["rhel9"].resolve("dnf install no-such-package")
    assert not resolution.ok
    assert "No match for argument: no-such-package" in resolution.problems


def test_metadata_only_repository_resolves_the_same(
    tmp_path: Path, release_12_6: ReleaseModel, dnf_12_6: dict[str, DnfSandbox]
) -> None:
    out = built(release_12_6, tmp_path / "out", ["rhel9"], packages=False)
    assert not list(out.rglob("*.rpm"))
    dnf = sandbox(tmp_path, release_12_6, out, "rhel9")
    for command in ("dnf install cuda", "dnf module install nvidia-driver:latest-dkms"):
        assert dnf.resolve(command) == dnf_12_6["rhel9"].resolve(command)


def test_an_enabled_stream_wins_over_the_default_until_switched(
    tmp_path: Path, release_12_6: ReleaseModel, out_12_6: Path
) -> None:
    dnf = sandbox(tmp_path, release_12_6, out_12_6, "rhel9")
    dnf.enable_streams(["nvidia-driver:latest-dkms"])
    assert [
        (row.stream, row.enabled) for row in module_list(dnf) if row.enabled or row.default
    ] == [
        ("latest-dkms", True),
        ("open-dkms", False),
    ]
    cuda = dnf.resolve("dnf install cuda")
    assert {n for n in cuda.installed_names if n.startswith("kmod-")} == {"kmod-nvidia-latest-dkms"}
    assert not dnf.resolve("dnf module enable nvidia-driver:open-dkms").ok
    switch = dnf.resolve("dnf module switch-to nvidia-driver:open-dkms")
    assert switch.ok, switch.problems
    assert switch.modules == ("nvidia-driver:open-dkms",)
    assert dnf.resolve("dnf module reset nvidia-driver").ok


# -- the upgrade path from the proprietary stack -----------------------------------------------


def test_hotfix_repository_swaps_the_proprietary_stack_for_open_modules(
    tmp_path: Path,
    release_12_5: ReleaseModel,
    release_12_6: ReleaseModel,
    out_12_5: Path,
    out_12_6: Path,
    rhel9_12_5: DnfSandbox,
) -> None:
    # The machine: `dnf install cuda` from 12.5, the latest-dkms stream enabled.
    before = rhel9_12_5.resolve("dnf install cuda")
    packages = out_12_5 / "rpm/rhel9/x86_64/Packages"
    installed = [
        path
        for ref in before.install
        for path in packages.glob(f"{ref.name}-{ref.version.rpartition(':')[2]}.{ref.arch}.rpm")
    ]
    assert {"kmod-nvidia-latest-dkms", "cuda-12-5"} <= {p.name.rsplit("-", 2)[0] for p in installed}
    dnf = sandbox(tmp_path, release_12_6, out_12_6, "rhel9", hotfixes=True)
    dnf.install_headers(installed)
    dnf.enable_streams(["nvidia-driver:latest-dkms"])
    assert [row.stream for row in module_list(dnf) if row.enabled] == ["latest-dkms"]

    resolution = dnf.resolve("dnf --allowerasing install nvidia-open")
    assert resolution.ok, resolution.problems
    assert "kmod-nvidia-open-dkms" in {p.name for p in resolution.install}
    assert [p.name for p in resolution.remove] == ["kmod-nvidia-latest-dkms"]
    assert {"nvidia-driver", "nvidia-kmod-common", "cuda-drivers"} <= {
        p.name for p in resolution.upgrade
    }
    # Without --allowerasing dnf refuses to remove the proprietary module.
    assert not dnf.resolve("dnf install nvidia-open").ok
