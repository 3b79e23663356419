"""The Debian/Ubuntu output of `repogen build`, checked by dpkg-deb, python-debian and apt-get."""

from __future__ import annotations

import gzip
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from debian.deb822 import Deb822, Packages, Release
from debian.debfile import DebFile
from typer.testing import CliRunner

from repogen.build import build
from repogen.channel import load_channel
from repogen.cli import app
from repogen.families.deb import RELATION_FIELDS
from repogen.families.deb.client import AptError, AptSandbox, InstalledPackage
from repogen.families.deb.control import binary_control, description, source_control
from repogen.families.deb.publish import KEYRING
from repogen.model import (
    ModelErrors,
    PackageSpec,
    RelationKind,
    ReleaseModel,
    Repository,
    load_release,
)
from repogen.model.relations import parse_relation
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry
from repogen.resolve.universe import base_packages
from tests.base_repositories import write_base_stub
from tests.conftest import MODELS

EPOCH = 1722470400  # 2024-08-01
DEB_TARGETS = ("ubuntu2004", "ubuntu2204", "ubuntu2404", "debian12", "wsl-ubuntu")
OPEN_CHAIN_560 = {
    "nvidia-open",
    "nvidia-open-560",
    "nvidia-driver-560-open",
    "nvidia-dkms-560-open",
    "nvidia-kernel-source-560-open",
}
DRIVER_PREFIXES = ("nvidia-", "libnvidia-", "xserver-xorg-video-nvidia", "cuda-drivers")


@dataclass(frozen=True)
class Built:
    """One `repogen build` output."""

    release: ReleaseModel
    output: Path
    entries: tuple[ManifestEntry, ...]

    def repository(self, target: str, arch: str) -> Repository:
        return next(r for r in self.release.repositories_of(target) if r.package_arch == arch)

    def client(self, target: str, arch: str) -> str:
        return next(e.client for e in self.entries if (e.target, e.arch) == (target, arch))

    def root(self, target: str) -> Path:
        return self.output / "deb" / target


def _build(
    release: ReleaseModel,
    output: Path,
    targets: tuple[str, ...],
    arches: tuple[str, ...] = (),
    **options: Any,
) -> Built:
    repositories = release.select(targets, arches)
    entries = build(release, output, repositories, BuildOptions(EPOCH, **options))
    return Built(release, output, tuple(entries))


@pytest.fixture(scope="session")
def built_12_6(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Built:
    return _build(release_12_6, tmp_path_factory.mktemp("b126") / "out", DEB_TARGETS)


@pytest.fixture(scope="session")
def built_12_5(tmp_path_factory: pytest.TempPathFactory, release_12_5: ReleaseModel) -> Built:
    return _build(release_12_5, tmp_path_factory.mktemp("b125") / "out", DEB_TARGETS)


def _sandbox(work: Path, repository: Repository, client: str) -> AptSandbox:
    """An updated apt sandbox on *client*'s repository and a stub of the target's base."""
    base = write_base_stub(repository, work / "base")
    sandbox = AptSandbox.create(work / "apt", repository.package_arch, [base, client])
    assert sandbox.update() == ()
    return sandbox


SandboxFor = Callable[[Built, str, str], AptSandbox]


@pytest.fixture(scope="session")
def apt_for(tmp_path_factory: pytest.TempPathFactory) -> SandboxFor:
    """One sandbox per build, target and architecture, made on first use."""
    made: dict[tuple[Path, str, str], AptSandbox] = {}

    def sandbox(built: Built, target: str, arch: str) -> AptSandbox:
        key = (built.output, target, arch)
        if key not in made:
            work = tmp_path_factory.mktemp(f"apt-{target}-{arch}")
            made[key] = _sandbox(work, built.repository(target, arch), built.client(target, arch))
        return made[key]

    return sandbox


def _installed(sandbox: AptSandbox, request: str) -> set[str]:
    resolution = sandbox.install(request.split())
    assert resolution.ok, resolution.problems
    return {p.name for p in resolution.install}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under *root*, the output's place taken out of the client files (the
    ``.sources`` and ``.list`` files name it, by design)."""
    output = str(root.parent).encode()
    return {
        str(p.relative_to(root)): (
            p.read_bytes().replace(output, b"<OUT>")
            if p.suffix in {".sources", ".list"}
            else p.read_bytes()
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _dpkg_deb(root: Path, output: Path, control: dict[str, str]) -> Path:
    """A real package built with dpkg-deb, as a maintainer would have built it elsewhere."""
    (root / "DEBIAN").mkdir(parents=True)
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/libcudart.so.12").write_bytes(b"\x7fELF not really")
    (root / "DEBIAN/control").write_text(Deb822(control).dump())
    for path in (root, root / "DEBIAN"):
        path.chmod(0o755)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(output)],
        check=True,
        capture_output=True,
    )
    return output


def _deb_control(path: Path) -> Deb822:
    with DebFile(str(path)) as deb:
        return deb.debcontrol()


def _stanzas(root: Path, suite: str, arch: str) -> dict[str, Packages]:
    text = (root / "dists" / suite / "main" / f"binary-{arch}" / "Packages").read_text()
    return {p["Package"]: p for p in Packages.iter_paragraphs(text, use_apt_pkg=False)}


# ---------------------------------------------------------------- packages and control files


def test_deb_targets_are_the_models(release_12_6: ReleaseModel) -> None:
    deb = {r.target_name for r in release_12_6.repositories if r.family.value == "deb"}
    assert deb == set(DEB_TARGETS)


@pytest.mark.parametrize("target", DEB_TARGETS)
def test_every_deb_passes_dpkg_deb_and_matches_the_model(built_12_6: Built, target: str) -> None:
    specs = {
        (p.name, p.arch): p for r in built_12_6.release.repositories_of(target) for p in r.packages
    }
    debs = sorted(built_12_6.root(target).rglob("*.deb"))
    assert len(debs) == len(specs)
    for deb in debs:
        info, contents = (
            subprocess.run(
                ["dpkg-deb", flag, str(deb)],
                env={**os.environ, "TZ": "UTC"},
                capture_output=True,
                text=True,
                check=False,
            )
            for flag in ("--info", "--contents")
        )
        assert info.returncode == 0, info.stderr
        assert contents.stdout.split() == [
            "drwxr-xr-x",
            "root/root",
            "0",
            "2024-08-01",
            "00:00",
            "./",
        ]
        control = _deb_control(deb)
        spec = specs.pop((control["Package"], control["Architecture"]))
        assert deb.name == f"{spec.name}_{spec.version}_{spec.arch}.deb"
        assert deb.parent.relative_to(built_12_6.root(target)).parts[:2] == ("pool", "main")
        assert control["Version"] == spec.version
        assert control["Maintainer"] == "NVIDIA CUDA Packaging <cudatools@nvidia.com>"
        assert control["Description"].splitlines()[0] == spec.summary
        assert ("Multi-Arch" in control) == (spec.arch == "all")
        for kind, field in RELATION_FIELDS:
            expected = ", ".join(str(relation) for relation in spec.related(kind))
            assert control.get(field, "") == expected, (spec.name, field)
    assert specs == {}


def test_every_model_package_has_a_source_control(built_12_6: Built) -> None:
    root = built_12_6.root("ubuntu2204")
    repositories = built_12_6.release.repositories_of("ubuntu2204")
    for spec in repositories[0].packages:
        text = (root / "source" / spec.name / "debian" / "control").read_text()
        source, binary = Deb822.iter_paragraphs(text)
        assert source["Source"] == spec.name
        assert source["Build-Depends"] == "debhelper-compat (= 13)"
        assert binary["Package"] == spec.name
        arches = "all" if spec.arch == "all" else "amd64 arm64"
        assert binary["Architecture"] == arches
        assert binary.get("Depends", "") == ", ".join(map(str, spec.related(RelationKind.DEPENDS)))


def _spec(arch: str, depends: tuple[str, ...], summary: str = "s") -> PackageSpec:
    relations = {RelationKind.DEPENDS: tuple(parse_relation(d) for d in depends)}
    return PackageSpec("pkg", "1.0-1", arch, summary, summary, "metapackages", relations)


def test_source_control_restricts_relations_of_some_architectures() -> None:
    _source, binary = source_control(
        [_spec("amd64", ("a", "b")), _spec("arm64", ("a",))], "M <m@x.invalid>"
    )
    assert binary["Architecture"] == "amd64 arm64"
    assert binary["Depends"] == "a, b [amd64]"
    with pytest.raises(BuildError, match="different summary per architecture"):
        source_control([_spec("amd64", (), "one"), _spec("arm64", (), "two")], "M <m@x.invalid>")


# ---------------------------------------------------------------- the APT index


def test_release_file_lists_every_index_with_strong_hashes(built_12_6: Built) -> None:
    suite = built_12_6.root("ubuntu2204") / "dists" / "jammy"
    release = Release((suite / "Release").read_text())
    assert release["Suite"] == release["Codename"] == "jammy"
    assert release["Architectures"] == "amd64 arm64"
    assert release["Components"] == "main"
    assert release["Acquire-By-Hash"] == "yes"
    assert release["Date"] == "Thu, 01 Aug 2024 00:00:00 +0000"
    assert "empty stand-ins" in release["Description"]
    listed = {entry["name"]: entry for entry in release["SHA256"]}
    assert set(listed) == {
        f"main/binary-{arch}/Packages{suffix}"
        for arch in ("amd64", "arm64")
        for suffix in ("", ".gz", ".xz")
    }
    for name, entry in listed.items():
        data = (suite / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert int(entry["size"]) == len(data)
        by_hash = suite / name.rsplit("/", 1)[0] / "by-hash"
        assert (by_hash / "SHA256" / entry["sha256"]).read_bytes() == data
        assert (by_hash / "SHA512" / hashlib.sha512(data).hexdigest()).read_bytes() == data
    plain = (suite / "main/binary-amd64/Packages").read_bytes()
    assert gzip.decompress((suite / "main/binary-amd64/Packages.gz").read_bytes()) == plain
    assert lzma.decompress((suite / "main/binary-amd64/Packages.xz").read_bytes()) == plain


def test_all_packages_are_in_every_arch_index(built_12_6: Built) -> None:
    root = built_12_6.root("ubuntu2204")
    amd64, arm64 = (_stanzas(root, "jammy", arch) for arch in ("amd64", "arm64"))
    shared = {name for name, stanza in amd64.items() if stanza["Architecture"] == "all"}
    # Canonical's libnvidia-common-B is architecture-independent (NVIDIA's metapackages are not).
    assert "libnvidia-common-560" in shared
    assert {name: amd64[name] for name in shared} == {name: arm64[name] for name in shared}
    assert arm64["cuda-libraries-12-6"]["Architecture"] == "arm64"
    for stanza in amd64.values():
        data = (root / stanza["Filename"]).read_bytes()
        assert int(stanza["Size"]) == len(data)
        assert stanza["SHA256"] == hashlib.sha256(data).hexdigest()


def test_building_twice_gives_identical_trees(
    built_12_6: Built, tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    again = _build(release_12_6, tmp_path / "out", DEB_TARGETS)
    first, second = (_tree(b.output / "deb") for b in (built_12_6, again))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert {p.stat().st_mtime for p in (again.output / "deb").rglob("*")} == {EPOCH}


# ---------------------------------------------------------------- apt resolves the repositories


@pytest.mark.parametrize("release", ["12.5", "12.6"])
@pytest.mark.parametrize("target", DEB_TARGETS)
def test_apt_installs_every_package(
    request: pytest.FixtureRequest, apt_for: SandboxFor, release: str, target: str
) -> None:
    built: Built = request.getfixturevalue(f"built_{release.replace('.', '_')}")
    for repository in built.release.repositories_of(target):
        sandbox = apt_for(built, target, repository.package_arch)
        failures = {
            spec.name: resolution.problems
            for spec in repository.packages
            if not (resolution := sandbox.install([spec.name])).ok
        }
        assert failures == {}, (repository.package_arch, failures)


def test_cuda_12_6_brings_the_open_driver_on_ubuntu(built_12_6: Built, apt_for: SandboxFor) -> None:
    sandbox = apt_for(built_12_6, "ubuntu2204", "amd64")
    cuda = _installed(sandbox, "cuda")
    assert cuda >= OPEN_CHAIN_560
    assert not cuda & {"nvidia-dkms-560", "nvidia-driver-560", "cuda-drivers"}
    toolkit = _installed(sandbox, "cuda-toolkit-12-6")
    assert "cuda-toolkit-12-6" in toolkit
    assert [name for name in toolkit if name.startswith(DRIVER_PREFIXES)] == []


def test_cuda_12_5_brings_the_proprietary_driver(built_12_5: Built, apt_for: SandboxFor) -> None:
    cuda = _installed(apt_for(built_12_5, "ubuntu2204", "amd64"), "cuda")
    assert cuda >= {"cuda-drivers", "cuda-drivers-555", "nvidia-driver-555", "nvidia-dkms-555"}
    assert not any("open" in name for name in cuda)


def test_cuda_12_6_on_debian_names_the_open_module(built_12_6: Built, apt_for: SandboxFor) -> None:
    cuda = _installed(apt_for(built_12_6, "debian12", "amd64"), "cuda")
    assert "nvidia-kernel-open-dkms" in cuda
    assert "nvidia-kernel-dkms" not in cuda


def test_ubuntu2004_upgrade_swaps_the_kernel_source(built_12_6: Built, apt_for: SandboxFor) -> None:
    """nvidia-packaging.md §1: `apt-get install -V nvidia-kernel-source-open` on a machine with
    the proprietary 560 driver replaces the kernel source flavor."""
    repository = built_12_6.repository("ubuntu2004", "amd64")
    sandbox = apt_for(built_12_6, "ubuntu2004", "amd64")
    proprietary = sandbox.install(["cuda-drivers"])
    specs = {p.name: p for p in (*repository.packages, *base_packages(repository))}
    state = tuple(InstalledPackage.of(specs[p.name]) for p in proprietary.install)
    assert "nvidia-kernel-source-560" in {p.name for p in state}
    swap = sandbox.install(["-V", "nvidia-kernel-source-open"], installed=state)
    assert swap.ok, swap.problems
    assert {p.name for p in swap.install} == {
        "nvidia-kernel-source-open",
        "nvidia-kernel-source-560-open",
    }
    removed = {p.name: p for p in swap.remove}
    assert "nvidia-kernel-source-560" in removed
    assert removed["nvidia-kernel-source-560"].arch == "amd64"
    assert removed["nvidia-kernel-source-560"].version == specs["nvidia-kernel-source-560"].version


def test_apt_reports_unmet_dependencies(built_12_6: Built, tmp_path: Path) -> None:
    """Without the base stub, dkms is missing: apt refuses and says why."""
    sandbox = AptSandbox.create(tmp_path, "amd64", [built_12_6.client("ubuntu2204", "amd64")])
    sandbox.update()
    resolution = sandbox.install(["nvidia-open"])
    assert not resolution.ok
    assert any("dkms" in problem for problem in resolution.problems)
    assert any(problem.startswith("E:") for problem in resolution.problems)


# ---------------------------------------------------------------- options


def test_no_packages_writes_metadata_that_apt_resolves(
    tmp_path: Path, release_12_6: ReleaseModel, built_12_6: Built
) -> None:
    built = _build(release_12_6, tmp_path / "out", ("ubuntu2204",), packages=False)
    root = built.root("ubuntu2204")
    assert list(root.rglob("*.deb")) == []
    release = Release((root / "dists/jammy/Release").read_text())
    assert "Metadata only" in release["Description"]
    full = _stanzas(built_12_6.root("ubuntu2204"), "jammy", "amd64")
    for name, stanza in _stanzas(root, "jammy", "amd64").items():
        assert stanza["Filename"] == full[name]["Filename"]
        assert int(stanza["Size"]) > 0
    sandbox = _sandbox(
        tmp_path / "apt", built.repository("ubuntu2204", "amd64"), built.entries[0].client
    )
    assert _installed(sandbox, "cuda") >= OPEN_CHAIN_560


@pytest.fixture
def real_libraries(tmp_path: Path, release_12_6: ReleaseModel) -> Callable[..., Path]:
    """A directory holding a real cuda-libraries-12-6 .deb of the given version and Depends."""
    spec = release_12_6.repositories_of("ubuntu2204")[0].package("cuda-libraries-12-6")
    assert spec is not None

    def make(version: str = spec.version, depends: str = "") -> Path:
        directory = tempfile.mkdtemp(dir=tmp_path, prefix="real")
        control = {
            "Package": spec.name,
            "Source": "cuda-libraries",
            "Version": version,
            "Architecture": "amd64",
            "Maintainer": "Someone Else <else@example.org>",
            "Description": "the real libraries",
        }
        if depends:
            control["Depends"] = depends
        _dpkg_deb(tmp_path / f"tree-{version}{depends}", Path(directory) / "x.deb", control)
        return Path(directory)

    return make


def test_added_package_replaces_the_stand_in(
    tmp_path: Path, release_12_6: ReleaseModel, real_libraries: Callable[..., Path]
) -> None:
    directory = real_libraries()
    _dpkg_deb(
        tmp_path / "extra",
        directory / "extra.deb",
        {
            "Package": "cuda-extra-tool",
            "Version": "1.0-1",
            "Architecture": "all",
            "Maintainer": "Someone Else <else@example.org>",
            "Depends": "cuda-libraries-12-6 (>= 12.6.0-1)",
            "Description": "a package the model does not describe",
        },
    )
    built = _build(
        release_12_6, tmp_path / "out", ("ubuntu2204",), ("amd64",), add_packages=directory
    )
    root = built.root("ubuntu2204")
    stanzas = _stanzas(root, "jammy", "amd64")
    real = stanzas["cuda-libraries-12-6"]
    assert real["Filename"] == "pool/main/c/cuda-libraries/cuda-libraries-12-6_12.6.0-1_amd64.deb"
    assert real["SHA256"] == hashlib.sha256((directory / "x.deb").read_bytes()).hexdigest()
    assert (root / real["Filename"]).read_bytes() == (directory / "x.deb").read_bytes()
    assert not (root / "pool/main/c/cuda-libraries-12-6").exists()
    assert stanzas["cuda-extra-tool"]["Filename"].endswith("cuda-extra-tool_1.0-1_all.deb")
    sandbox = _sandbox(
        tmp_path / "apt", built.repository("ubuntu2204", "amd64"), built.entries[0].client
    )
    assert {"cuda-libraries-12-6", "cuda-extra-tool"} <= _installed(sandbox, "cuda-extra-tool")


def test_added_packages_in_a_target_directory_go_to_that_target_only(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    directory = tmp_path / "packages"
    fields = {"Version": "1.0-1", "Architecture": "all", "Maintainer": "m <m@example.org>"}
    for where, name in (("", "everywhere"), ("ubuntu2204", "ubuntu-only"), ("debian12", "deb12")):
        (directory / where).mkdir(parents=True, exist_ok=True)
        control = {"Package": name, **fields, "Description": f"{name} tool"}
        _dpkg_deb(tmp_path / "trees" / name, directory / where / f"{name}.deb", control)
    built = _build(
        release_12_6,
        tmp_path / "out",
        ("ubuntu2204", "debian12"),
        ("amd64",),
        add_packages=directory,
    )
    ubuntu = _stanzas(built.root("ubuntu2204"), "jammy", "amd64")
    debian = _stanzas(built.root("debian12"), "bookworm", "amd64")
    assert {"everywhere", "ubuntu-only"} <= set(ubuntu)
    assert "deb12" not in ubuntu
    assert {"everywhere", "deb12"} <= set(debian)
    assert "ubuntu-only" not in debian


def test_without_package_files_an_added_package_keeps_its_own_file_on_every_arch(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    directory = tmp_path / "packages"
    directory.mkdir()
    control = {
        "Package": "extra-tool",
        "Version": "1.0-1",
        "Architecture": "all",
        "Maintainer": "m <m@example.org>",
        "Description": "a tool",
    }
    deb = _dpkg_deb(tmp_path / "tree", directory / "extra-tool.deb", control)
    built = _build(
        release_12_6, tmp_path / "out", ("ubuntu2204",), packages=False, add_packages=directory
    )
    data = deb.read_bytes()
    arches = [e.arch for e in built.entries]
    assert len(arches) > 1
    for arch in arches:
        stanza = _stanzas(built.root("ubuntu2204"), "jammy", arch)["extra-tool"]
        assert (stanza["Size"], stanza["SHA256"]) == (
            str(len(data)),
            hashlib.sha256(data).hexdigest(),
        )


@pytest.mark.parametrize(
    ("version", "depends", "message"),
    [
        ("12.6.0-2", "", r"Version: '12\.6\.0-2' in x\.deb, '12\.6\.0-1' in the model"),
        ("12.6.0-1", "libc6", r"Depends: 'libc6' in x\.deb, '\(none\)' in the model"),
    ],
)
def test_added_package_must_match_the_model(
    tmp_path: Path,
    release_12_6: ReleaseModel,
    real_libraries: Callable[..., Path],
    version: str,
    depends: str,
    message: str,
) -> None:
    directory = real_libraries(version, depends)
    with pytest.raises(BuildError, match=message) as error:
        _build(release_12_6, tmp_path / "out", ("ubuntu2204",), ("amd64",), add_packages=directory)
    assert str(directory / "x.deb") in str(error.value)
    assert "cuda-libraries-12-6 on ubuntu2204/amd64" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_added_package_cannot_name_a_path_outside_the_pool(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    fields = {"Version": "1.0-1", "Architecture": "all", "Maintainer": "m <m@example.org>"}
    control = {"Package": "sneaky", "Source": "../../../escaped", **fields, "Description": "x"}
    _dpkg_deb(tmp_path / "tree", tmp_path / "sneaky.deb", control)
    with pytest.raises(BuildError, match=r"sneaky\.deb: Source: '\.\./\.\./\.\./escaped' is not"):
        _build(release_12_6, tmp_path / "out", ("wsl-ubuntu",), add_packages=tmp_path)
    assert not list(tmp_path.rglob("escaped*"))


# ---------------------------------------------------------------- signing


@pytest.fixture(scope="session")
def signing_key() -> Iterator[tuple[Path, str]]:
    """A throwaway key in a private GNUPGHOME (short path: gpg-agent's socket lives there)."""
    home = Path(tempfile.mkdtemp(prefix="gpg-"))
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "repogen test <t@repogen.invalid>",
            "ed25519",
            "sign",
            "never",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fingerprint = next(
        line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr")
    )
    yield home, fingerprint
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)
    shutil.rmtree(home)


def _tamper(index: Path) -> None:
    """Change one byte of a `Packages` file and of every copy apt may fetch of it."""
    plain = (index / "Packages").read_bytes()
    changed = plain.replace(b"Version: 12.6.0-1", b"Version: 12.6.0-2", 1)
    assert len(changed) == len(plain)
    assert changed != plain
    versions = {"": (plain, changed)}
    versions[".gz"] = (gzip.compress(plain, 9, mtime=0), gzip.compress(changed, 9, mtime=0))
    versions[".xz"] = (lzma.compress(plain), lzma.compress(changed))
    for suffix, (old, new) in versions.items():
        (index / f"Packages{suffix}").write_bytes(new)
        for copy in (index / "by-hash").rglob("*"):
            if copy.is_file() and copy.read_bytes() == old:
                copy.write_bytes(new)


def test_signed_repository_is_verified_through_signed_by(
    tmp_path: Path, release_12_6: ReleaseModel, signing_key: tuple[Path, str]
) -> None:
    home, fingerprint = signing_key
    built = _build(
        release_12_6,
        tmp_path / "out",
        ("ubuntu2204",),
        ("amd64",),
        sign_key=fingerprint,
        gpg_home=home,
    )
    root = built.root("ubuntu2204")
    keyring = root / KEYRING
    (client,) = (e.client for e in built.entries)
    assert client == f"deb [signed-by={keyring}] file:{root} jammy main"
    assert (root / "dists/jammy/InRelease").read_text().startswith("-----BEGIN PGP SIGNED MESSAGE")
    assert (root / "dists/jammy/Release.gpg").read_text().startswith("-----BEGIN PGP SIGNATURE")
    packets = subprocess.run(
        ["gpg", "--list-packets", str(keyring)], capture_output=True, text=True, check=True
    ).stdout
    assert ":public key packet:" in packets
    assert "secret" not in packets
    repository = built.repository("ubuntu2204", "amd64")
    sandbox = _sandbox(tmp_path / "signed", repository, client)
    assert _installed(sandbox, "cuda") >= OPEN_CHAIN_560
    unsigned = f"deb file:{root} jammy main"
    with pytest.raises(AptError, match=r"NO_PUBKEY|not signed"):
        _sandbox(tmp_path / "unverified", repository, unsigned)
    _tamper(root / "dists/jammy/main/binary-amd64")
    with pytest.raises(AptError, match=r"Hash Sum mismatch"):
        _sandbox(tmp_path / "tampered", repository, client)


def test_signing_failure_is_a_build_error(
    tmp_path: Path, release_12_6: ReleaseModel, signing_key: tuple[Path, str]
) -> None:
    home, _fingerprint = signing_key
    with pytest.raises(BuildError, match="gpg"):
        _build(
            release_12_6,
            tmp_path / "out",
            ("wsl-ubuntu",),
            sign_key="nobody@nowhere.invalid",
            gpg_home=home,
        )
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- model text is never a directive


def test_hostile_text_cannot_add_a_field(tmp_path: Path) -> None:
    model = yaml.safe_load((MODELS / "minimal.yaml").read_text())
    toolkit = next(p for p in model["packages"] if p["name"] == "toolkit")
    toolkit["summary"] = "toolkit\nDepends: evil"
    toolkit["description"] = "First line.\n\nDepends: evil\n"
    (tmp_path / "hostile.yaml").write_text(yaml.safe_dump(model))
    release = load_release(tmp_path / "hostile.yaml")
    built = _build(release, tmp_path / "out", ("deb1",))
    root = built.root("deb1")
    (deb,) = root.rglob("toolkit_*.deb")
    for control in (_deb_control(deb), _stanzas(root, "jammy", "amd64")["toolkit"]):
        assert "Depends" not in control
        assert control["Description"] == "toolkit Depends: evil\n First line.\n .\n Depends: evil"
    sandbox = _sandbox(tmp_path / "apt", built.repository("deb1", "amd64"), built.entries[0].client)
    assert _installed(sandbox, "toolkit") == {"toolkit"}


def test_control_characters_are_refused() -> None:
    with pytest.raises(BuildError, match=r"pkg summary contains control characters \['\\x1b'\]"):
        description("red \x1b[31m", "", "pkg")
    assert description("s", "a\r\n\n  b", "pkg") == "s\n a\n .\n   b"


def test_a_name_with_a_newline_is_refused(tmp_path: Path) -> None:
    model = yaml.safe_load((MODELS / "minimal.yaml").read_text())
    model["packages"].append({"name": "evil\n", "version": "cuda", "summary": "s"})
    (tmp_path / "hostile.yaml").write_text(yaml.safe_dump(model))
    with pytest.raises(ModelErrors, match=r"'evil\\n' is not a Debian package name"):
        load_release(tmp_path / "hostile.yaml")
    # The renderer refuses it too, whatever hands it the package.
    spec = PackageSpec("evil\n", "1.0-1", "all", "s", "s", "metapackages", {})
    with pytest.raises(
        BuildError, match=r"package 'evil\\n': 'evil\\n' is not a Debian package name"
    ):
        binary_control(spec, "M <m@x.invalid>")


# ---------------------------------------------------------------- the command, as a new user


def test_repogen_build_command_writes_the_manifest(tmp_path: Path) -> None:
    output = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", "-o", str(output), "--target", "ubuntu2204"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((output / "manifest.json").read_text())
    # The default model: the bundled channel at its newest point, the driver-only 565.
    assert manifest["release"] == "driver-565.57.01"
    assert manifest["model"].endswith("nvidia.yaml")
    client = f"deb [trusted=yes] file:{output.absolute()}/deb/ubuntu2204 jammy main"
    assert manifest["repos"] == [
        {
            "target": "ubuntu2204",
            "family": "deb",
            "arch": arch,
            "path": "deb/ubuntu2204",
            "client": client,
            "repo_file": "deb/ubuntu2204/repogen-ubuntu2204.sources",
            "list_file": "deb/ubuntu2204/repogen-ubuntu2204.list",
        }
        for arch in ("amd64", "arm64")
    ]
    release = load_channel(Path(manifest["model"])).at()
    repository = next(r for r in release.repositories_of("ubuntu2204") if r.arch == "amd64")
    sandbox = _sandbox(tmp_path / "apt", repository, manifest["repos"][0]["client"])
    # CUDA 12.6.3's cuda takes the newest nvidia-open: 565's.
    assert _installed(sandbox, "cuda") >= {
        "nvidia-open",
        "nvidia-open-565",
        "nvidia-driver-565-open",
        "nvidia-dkms-565-open",
        "nvidia-kernel-source-565-open",
    }
