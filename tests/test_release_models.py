"""The two bundled releases say what the domain file says (shared/domain/nvidia-packaging.md)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from repogen.model import KernelModuleFlavor, ModelErrors, ReleaseModel, Repository, load_release
from repogen.model.concrete import PULLING, RelationKind
from repogen.model.relation_fields import is_opaque

from .conftest import MODELS, RELEASES

TARGETS = {
    "ubuntu2004": {"amd64", "arm64"},
    "ubuntu2204": {"amd64", "arm64"},
    "ubuntu2404": {"amd64", "arm64"},
    "debian12": {"amd64"},
    "wsl-ubuntu": {"amd64"},
    "rhel8": {"x86_64", "sbsa"},
    "rhel9": {"x86_64", "sbsa"},
    "fedora40": {"x86_64"},
    "amzn2023": {"x86_64", "sbsa"},
    "kylin10": {"x86_64", "sbsa"},
    "sles15": {"x86_64", "sbsa"},
    "opensuse15": {"x86_64"},
}


def repo(model: ReleaseModel, target: str, arch: str) -> Repository:
    (found,) = [r for r in model.repositories_of(target) if r.arch == arch]
    return found


def reachable(repository: Repository, start: str) -> set[str]:
    """Names reachable from *start* through any alternative of any pulling relation."""
    providers: dict[str, set[str]] = {}
    for package in repository.packages:
        providers.setdefault(package.name, set()).add(package.name)
        for relation in package.related(RelationKind.PROVIDES):
            providers.setdefault(relation.alternatives[0].name, set()).add(package.name)
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        for provider in providers.get(name, set()) - seen:
            seen.add(provider)
            package = repository.package(provider)
            assert package is not None
            todo.extend(
                alt.name
                for kind in PULLING
                for rel in package.related(kind)
                for alt in rel.alternatives
            )
    return seen


def flavors(repository: Repository, names: set[str]) -> set[KernelModuleFlavor]:
    return {
        p.kernel_module
        for p in repository.packages
        if p.name in names and p.kernel_module is not None
    }


#: Every member of the bundled channel, its file and what it says.
MEMBERS = [
    ("cuda-12.4.1.yaml", "12.4.1", "550.54.15", "proprietary"),
    ("cuda-12.5.0.yaml", "12.5.0", "555.42.02", "proprietary"),
    ("cuda-12.5.yaml", "12.5.1", "555.42.06", "proprietary"),
    ("cuda-12.6.yaml", "12.6.0", "560.28.03", "open"),
    ("cuda-12.6.1.yaml", "12.6.1", "560.35.03", "open"),
    ("cuda-12.6.2.yaml", "12.6.2", "560.35.03", "open"),
    ("cuda-12.6.3.yaml", "12.6.3", "560.35.05", "open"),
    ("driver-565.57.01.yaml", None, "565.57.01", "open"),
]


@pytest.mark.parametrize(("file", "cuda", "driver", "flavor"), MEMBERS)
def test_every_member_publishes_every_target_and_arch(
    file: str, cuda: str | None, driver: str, flavor: str
) -> None:
    model = load_release(RELEASES / file)
    assert (model.release.cuda, model.release.driver) == (cuda, driver)
    assert model.release.default_flavor == flavor
    published: dict[str, set[str]] = {}
    for repository in model.repositories:
        published.setdefault(repository.target_name, set()).add(repository.arch)
    assert published == TARGETS
    # A driver-only release publishes no CUDA package.
    names = {p.name for r in model.repositories for p in r.packages}
    assert (cuda is None) == (not {n for n in names if n.startswith("cuda-toolkit")})


def test_releases_carry_their_versions(
    release_12_5: ReleaseModel, release_12_6: ReleaseModel
) -> None:
    assert (release_12_5.release.cuda, release_12_5.release.driver) == ("12.5.1", "555.42.06")
    assert release_12_5.release.default_flavor is KernelModuleFlavor.PROPRIETARY
    assert (release_12_6.release.cuda, release_12_6.release.driver) == ("12.6.0", "560.28.03")
    assert release_12_6.release.default_flavor is KernelModuleFlavor.OPEN


def test_versions_follow_nvidias_metadata(release_12_6: ReleaseModel) -> None:
    """nvidia-packaging.md §6 and §8: the driver's RPMs have epoch 3 and the dist tag, the
    toolkit metapackages neither but are built per architecture, NVIDIA's deb metapackages are
    -1 beside Canonical's -0ubuntu1 driver packages, dnf-plugin-nvidia has its own version."""
    rhel9 = repo(release_12_6, "rhel9", "x86_64")

    def version_arch(repository: Repository, name: str) -> tuple[str, str]:
        package = repository.package(name)
        assert package is not None, name
        return package.version, package.arch

    assert version_arch(rhel9, "nvidia-driver") == ("3:560.28.03-1.el9", "x86_64")
    assert version_arch(rhel9, "kmod-nvidia-open-dkms") == ("3:560.28.03-1.el9", "x86_64")
    assert version_arch(rhel9, "cuda-drivers") == ("3:560.28.03-1.el9", "x86_64")
    assert version_arch(rhel9, "cuda") == ("12.6.0-1", "x86_64")
    assert version_arch(rhel9, "cuda-toolkit-12-6") == ("12.6.0-1", "x86_64")
    assert version_arch(rhel9, "dnf-plugin-nvidia") == ("2.0-1.el9", "noarch")
    # kmod-nvidia-<driver>-<kver>-<krel>, Release 3 and the kernel's dist.
    rhel8 = repo(release_12_6, "rhel8", "x86_64")
    precompiled = "kmod-nvidia-560.28.03-4.18.0-553.22.1"
    assert version_arch(rhel8, precompiled) == ("3:560.28.03-3.el8_10", "x86_64")
    ubuntu = repo(release_12_6, "ubuntu2204", "amd64")
    assert version_arch(ubuntu, "nvidia-driver-560-open") == ("560.28.03-0ubuntu1", "amd64")
    assert version_arch(ubuntu, "cuda-drivers") == ("560.28.03-1", "amd64")
    assert version_arch(ubuntu, "cuda-drivers-560") == ("560.28.03-1", "amd64")
    assert version_arch(ubuntu, "nvidia-open-560") == ("560.28.03-1", "amd64")
    assert version_arch(ubuntu, "cuda") == ("12.6.0-1", "amd64")
    debian = repo(release_12_6, "debian12", "amd64")
    assert version_arch(debian, "nvidia-driver") == ("560.28.03-1", "amd64")


def test_dist_tagged_names_only_known_version_schemes(tmp_path: Path) -> None:
    """A scheme in `dist_tagged` that `versions` does not have is an error at its line."""
    shutil.copytree(RELEASES, tmp_path / "releases")
    shutil.copytree(RELEASES.parent / "assertions", tmp_path / "assertions")
    model = tmp_path / "releases" / "cuda-12.6.yaml"
    model.write_text(model.read_text() + "dist_tagged: [driver, drivers]\n")
    with pytest.raises(ModelErrors) as caught:
        load_release(model, tmp_path)
    (error,) = caught.value.errors
    assert str(error).startswith(f"{model}:")
    assert "dist_tagged[1]: unknown version scheme 'drivers'" in str(error)


@pytest.mark.parametrize(
    ("release", "flavor"), [("release_12_5", "proprietary"), ("release_12_6", "open")]
)
def test_cuda_reaches_the_default_flavor_on_apt_and_zypper(
    release: str, flavor: str, request: pytest.FixtureRequest
) -> None:
    model: ReleaseModel = request.getfixturevalue(release)
    for repository in model.repositories:
        if repository.family.value == "rpm" or not repository.target.drivers:
            continue
        runtime = repository.package(f"cuda-runtime-{model.release.cuda[:4].replace('.', '-')}")
        assert runtime is not None
        names = {
            alt.name for rel in runtime.related(RelationKind.DEPENDS) for alt in rel.alternatives
        }
        expected = "nvidia-open" if flavor == "open" else "cuda-drivers"
        assert expected in names, repository.target_name


@pytest.mark.parametrize("release", ["release_12_5", "release_12_6"])
def test_cuda_toolkit_never_reaches_a_driver(release: str, request: pytest.FixtureRequest) -> None:
    model: ReleaseModel = request.getfixturevalue(release)
    toolkit = f"cuda-toolkit-{model.release.cuda[:4].replace('.', '-')}"
    for repository in model.repositories:
        names = reachable(repository, toolkit)
        assert toolkit in names
        assert not flavors(repository, names), repository.target_name
        assert not any("nvidia" in name or "driver" in name for name in names)


def test_wsl_has_nothing_driver_related(release_12_6: ReleaseModel) -> None:
    wsl = repo(release_12_6, "wsl-ubuntu", "amd64")
    names = {p.name for p in wsl.packages}
    assert not any(p.kernel_module for p in wsl.packages)
    assert not {n for n in names if "nvidia" in n or "driver" in n}
    assert {"cuda", "cuda-toolkit-12-6", "cuda-runtime-12-6"} <= names


def test_new_nvidia_open_metapackages_exist_only_from_560(
    release_12_5: ReleaseModel, release_12_6: ReleaseModel
) -> None:
    for target in ("ubuntu2204", "debian12", "fedora40", "sles15", "rhel9"):
        arch = repo(release_12_6, target, "amd64" if target[0] in "ud" else "x86_64")
        assert arch.package("nvidia-open") is not None
        assert arch.package("nvidia-open-560") is not None
    assert not any(
        p.name.startswith("nvidia-open") and "driver" not in p.name
        for r in release_12_5.repositories
        for p in r.packages
    )


def test_suse_flavors_exist_only_where_the_kernel_does(release_12_6: ReleaseModel) -> None:
    def names(target: str, arch: str) -> set[str]:
        return {p.name for p in repo(release_12_6, target, arch).packages}

    sles_x86, sles_arm, leap = (
        names("sles15", "x86_64"),
        names("sles15", "sbsa"),
        names("opensuse15", "x86_64"),
    )
    assert {
        "nvidia-open-azure",
        "nvidia-open-560-azure",
        "nvidia-open-driver-G06-signed-kmp-azure",
        "nvidia-driver-G06-kmp-azure",
    } <= sles_x86
    assert {
        "nvidia-open-64k",
        "nvidia-open-560-64k",
        "nvidia-open-driver-G06-signed-kmp-64kb",
    } <= sles_arm
    assert not {n for n in sles_x86 if "64k" in n}
    assert not {n for n in sles_arm | leap if "azure" in n}
    assert {
        "patterns-cuda-open",
        "patterns-cuda-open-azure",
        "patterns-cuda-proprietary",
    } <= sles_x86


def test_suse_userspace_accepts_any_kernel_module_package(release_12_6: ReleaseModel) -> None:
    compute = repo(release_12_6, "sles15", "x86_64").package("nvidia-compute-G06")
    assert compute is not None
    (group, _libglvnd) = compute.related(RelationKind.DEPENDS)
    assert [a.name for a in group.alternatives] == [
        "nvidia-driver-G06-kmp",
        "nvidia-open-driver-G06-kmp",
        "nvidia-open-driver-G06-signed-kmp",
    ]


def test_pattern_packages_provide_their_pattern(release_12_6: ReleaseModel) -> None:
    pattern = repo(release_12_6, "sles15", "x86_64").package("patterns-cuda-open-azure")
    assert pattern is not None
    assert pattern.pattern is not None
    provides = {str(r) for r in pattern.related(RelationKind.PROVIDES)}
    assert provides == {
        "pattern() (= cuda-open-azure)",
        "pattern-order() (= 1510)",
        "pattern-category() (= CUDA Development)",
        "pattern-visible()",
        "pattern-icon() (= pattern-generic)",
    }


@pytest.mark.parametrize(
    ("release", "default"), [("release_12_5", "latest-dkms"), ("release_12_6", "open-dkms")]
)
def test_module_default_stream_and_stream_flavors(
    release: str, default: str, request: pytest.FixtureRequest
) -> None:
    model: ReleaseModel = request.getfixturevalue(release)
    branch = model.release.driver.split(".")[0]
    (module,) = repo(model, "rhel9", "x86_64").modules
    assert module.name == "nvidia-driver"
    assert module.default_stream == default
    kinds = {s.name: s.kernel_module for s in module.streams}
    assert kinds == {
        "latest": KernelModuleFlavor.PROPRIETARY,
        "latest-dkms": KernelModuleFlavor.PROPRIETARY,
        "open-dkms": KernelModuleFlavor.OPEN,
        branch: KernelModuleFlavor.PROPRIETARY,
        f"{branch}-dkms": KernelModuleFlavor.PROPRIETARY,
        f"{branch}-open": KernelModuleFlavor.OPEN,
    }
    open_stream = module.stream(f"{branch}-open")
    assert open_stream is not None
    assert set(open_stream.profiles) == {"default", "ks", "fm", "src"}
    assert "kmod-nvidia-open-dkms" in open_stream.profiles["default"]
    assert "cuda-drivers" in open_stream.profiles["default"]
    assert "cuda-drivers" not in open_stream.profiles["ks"]
    assert open_stream.profiles["src"] == ("nvidia-kmod-source",)
    dkms = module.stream("latest-dkms")
    assert dkms is not None
    assert "src" not in dkms.profiles
    # Without precompiled kernels, amzn2023 has only the DKMS streams.
    (amazon,) = repo(model, "amzn2023", "x86_64").modules
    assert {s.name for s in amazon.streams} == {
        "latest-dkms",
        "open-dkms",
        f"{branch}-dkms",
        f"{branch}-open",
    }
    assert not repo(model, "fedora40", "x86_64").modules


def test_every_declared_relation_uses_only_known_packages(release_12_6: ReleaseModel) -> None:
    """The loader's reference check: each pulled name is a package, a provide or a base package
    (a rich dependency kept as its text, a condition as much as a need, is the resolvers')."""
    for repository in release_12_6.repositories:
        known = {p.name for p in repository.packages} | {b.name for b in repository.base}
        known |= {
            a.name
            for p in repository.packages
            for r in p.related(RelationKind.PROVIDES)
            for a in r.alternatives
        }
        known |= {name for b in repository.base for name in b.provides}
        for package in repository.packages:
            for kind in PULLING:
                for relation in package.related(kind):
                    if not is_opaque(relation):
                        assert {a.name for a in relation.alternatives} <= known


def test_pattern_text_is_filled_per_kernel_flavor(release_12_6: ReleaseModel) -> None:
    pattern = repo(release_12_6, "sles15", "sbsa").package("patterns-cuda-open-64k")
    assert pattern is not None
    assert "built for the 64kb kernel" in pattern.description
    assert "{" not in pattern.description


def test_the_garbage_collector_is_as_it_was_after_loading() -> None:
    """Loading pauses the collector; a load that succeeds or fails leaves it as it found it."""
    load_release(RELEASES / "cuda-12.5.yaml")
    assert gc.isenabled()
    with pytest.raises(ModelErrors):
        load_release(MODELS / "broken" / "bad-deb-version.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        load_release(RELEASES / "cuda-12.5.yaml")
        assert not gc.isenabled()
    finally:
        gc.enable()
