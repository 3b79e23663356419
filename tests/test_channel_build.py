"""`repogen build CHANNEL`: one repository per target and architecture holding every release,
read by the real apt and dnf, modulemd-validator and createrepo_c."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import createrepo_c as cr
import pytest
from debian.deb822 import Packages
from typer.testing import CliRunner

from repogen.build import build
from repogen.channel import Channel, load_channel
from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.families.deb.control import binary_control
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.families.suse.client import ZypperSandbox
from repogen.model import ReleaseModel, Repository
from repogen.publish.base import BuildOptions
from repogen.resolve import in_process
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import universe_for
from tests.base_repositories import write_base_repository, write_base_stub
from tests.channel_history import (
    NEWEST_BUILDS,
    POINTS,
    assert_dnf_lists_every_branchs_streams,
    write_history,
)
from tests.test_publish_deb import _dpkg_deb

EPOCH = 1729555200  # 2024-10-22
TARGETS = ("ubuntu2204", "rhel9")
ARCHES = ("amd64", "x86_64")


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Channel:
    return load_channel(write_history(tmp_path_factory.mktemp("history")))


def _built(release: ReleaseModel, output: Path, packages: bool = False) -> Path:
    repositories = release.select(TARGETS, ARCHES)
    build(release, output, repositories, BuildOptions(EPOCH, packages=packages))
    return output


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory, channel: Channel) -> Path:
    return _built(channel.at(), tmp_path_factory.mktemp("channel") / "out")


def _repository(release: ReleaseModel, target: str) -> Repository:
    (found,) = release.select([target], ARCHES)
    return found


def _client(output: Path, target: str) -> str:
    manifest = json.loads((output / "manifest.json").read_text())
    (entry,) = [e for e in manifest["repos"] if e["target"] == target]
    client: str = entry["client"]
    return client


@pytest.fixture(scope="module")
def apt(tmp_path_factory: pytest.TempPathFactory, channel: Channel, output: Path) -> AptSandbox:
    work = tmp_path_factory.mktemp("apt")
    repository = _repository(channel.at(), "ubuntu2204")
    base = write_base_stub(repository, work / "base")
    sandbox = AptSandbox.create(work / "apt", "amd64", [base, _client(output, "ubuntu2204")])
    assert sandbox.update() == ()
    return sandbox


@pytest.fixture(scope="module")
def dnf(tmp_path_factory: pytest.TempPathFactory, channel: Channel, output: Path) -> DnfSandbox:
    work = tmp_path_factory.mktemp("dnf")
    repository = _repository(channel.at(), "rhel9")
    write_base_repository(work / "base", repository, EPOCH)
    return DnfSandbox.create(
        work / "dnf",
        [
            DnfRepository("base", (work / "base").as_uri()),
            DnfRepository("cuda", _client(output, "rhel9")),
        ],
        releasever="9",
        platform="el9",
    )


def _ours(release: ReleaseModel, target: str, command: str) -> Resolution:
    repository = _repository(release, target)
    return in_process(repository, universe_for(repository), parse_request(command))


def _versions(resolution: Resolution) -> dict[str, str]:
    assert resolution.ok, resolution.problems
    return {ref.name: ref.version for ref in resolution.install}


def test_the_manifest_lists_the_releases_oldest_first(output: Path) -> None:
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["releases"] == list(POINTS)
    assert manifest["release"] == POINTS[-1]


# -- APT --------------------------------------------------------------------------------------


def test_apt_sees_every_version_of_a_package(apt: AptSandbox) -> None:
    result = subprocess.run(
        ["apt-cache", "madison", "nvidia-open", "nvidia-open-560"],
        env={**os.environ, "APT_CONFIG": str(apt.root / "apt.conf")},
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [
        tuple(part.strip() for part in line.split("|"))[:2] for line in result.stdout.splitlines()
    ]
    assert rows == [
        ("nvidia-open", "565.57.01-1"),
        ("nvidia-open", "560.35.03-1"),
        ("nvidia-open", "560.28.03-1"),
        ("nvidia-open-560", "560.35.03-1"),
        ("nvidia-open-560", "560.28.03-1"),
    ]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        # The pinned branch gives its newest version, with a newer branch in the repository.
        ("nvidia-open-560", {"nvidia-open-560": "560.35.03-1"}),
        (
            "nvidia-open",
            {"nvidia-open": "565.57.01-1", "nvidia-open-565": "565.57.01-1"},
        ),
        ("cuda-drivers-555", {"cuda-drivers-555": "555.42.06-1"}),
    ],
)
def test_apt_installs_the_newest_version_of_the_branch_asked_for(
    apt: AptSandbox, channel: Channel, request_: str, expected: dict[str, str]
) -> None:
    real = _versions(apt.install([request_]))
    assert expected.items() <= real.items()
    assert not [n for n in real if n.startswith("nvidia-open-") and n not in expected]
    # repogen's resolver agrees with apt on the whole transaction.
    assert _versions(_ours(channel.at(), "ubuntu2204", f"apt-get install {request_}")) == real


# -- dnf --------------------------------------------------------------------------------------


def test_dnf_lists_every_branchs_streams(dnf: DnfSandbox) -> None:
    assert_dnf_lists_every_branchs_streams(dnf)


@pytest.mark.parametrize(("stream", "kmod"), NEWEST_BUILDS)
def test_dnf_module_install_takes_the_newest_build_of_the_streams_branch(
    dnf: DnfSandbox, channel: Channel, stream: str, kmod: tuple[str, str]
) -> None:
    command = f"dnf module install nvidia-driver:{stream}"
    real = dnf.resolve(command)
    installed = _versions(real)
    assert [(n, v) for n, v in installed.items() if n.startswith("kmod-")] == [kmod]
    assert installed["nvidia-driver"] == kmod[1]
    assert real.modules == (f"nvidia-driver:{stream}",)
    ours = _ours(channel.at(), "rhel9", command)
    assert _versions(ours) == installed
    assert ours.modules == real.modules


def test_modules_yaml_passes_modulemd_validator(output: Path, tmp_path: Path) -> None:
    (compressed,) = (output / "rpm" / "rhel9" / "x86_64" / "repodata").glob("*modules.yaml*")
    plain = tmp_path / "modules.yaml"
    plain.write_bytes(gzip.decompress(compressed.read_bytes()))
    subprocess.run(["modulemd-validator", str(plain)], check=True, capture_output=True)
    text = plain.read_text()
    assert "kmod-nvidia-open-dkms-3:560.28.03-1.el9.x86_64" in text
    assert "kmod-nvidia-open-dkms-3:560.35.03-1.el9.x86_64" in text


def test_createrepo_reads_every_version(output: Path, channel: Channel) -> None:
    primary = next((output / "rpm" / "rhel9" / "x86_64" / "repodata").glob("*primary.xml*"))
    packages: list[tuple[str, str]] = []
    cr.xml_parse_primary(
        str(primary),
        pkgcb=lambda p: packages.append((p.name, f"{p.epoch}:{p.version}-{p.release}")) or True,
        do_files=False,
    )
    kmods = sorted(v for n, v in packages if n == "kmod-nvidia-open-dkms")
    assert kmods == [
        "3:555.42.06-1.el9",
        "3:560.28.03-1.el9",
        "3:560.35.03-1.el9",
        "3:565.57.01-1.el9",
    ]
    assert len(packages) == len(_repository(channel.at(), "rhel9").packages)


# -- determinism and points -------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes().replace(str(root).encode(), b"<OUT>")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_two_builds_of_a_channel_are_byte_identical(channel: Channel, tmp_path: Path) -> None:
    first = _built(channel.at(), tmp_path / "a", packages=True)
    second = _built(channel.at(), tmp_path / "b", packages=True)
    assert _tree(first) == _tree(second)


def test_build_cli_at_a_point(channel: Channel, tmp_path: Path) -> None:
    out = tmp_path / "out"
    selected = ["--target", "rhel9", "--arch", "x86_64", "--no-packages"]
    result = CliRunner().invoke(
        app,
        ["build", channel.source, "--at", "cuda-12.6.0", "-o", str(out), *selected],
        env={"SOURCE_DATE_EPOCH": str(EPOCH)},
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["releases"] == ["cuda-12.5.1", "cuda-12.6.0"]
    assert manifest["release"] == "cuda-12.6.0"
    assert manifest["model"] == channel.source


# -- zypper -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zypper(tmp_path_factory: pytest.TempPathFactory, channel: Channel) -> ZypperSandbox:
    work = tmp_path_factory.mktemp("zypper")
    release = channel.at()
    (sles,) = release.select(["sles15"], ["x86_64"])
    build(release, work / "out", [sles], BuildOptions(EPOCH, packages=False))
    write_base_repository(work / "base", sles, EPOCH)
    repository = (work / "out" / "suse" / "sles15" / "x86_64").as_uri()
    return ZypperSandbox.create(
        work / "zypper", [("base", (work / "base").as_uri()), ("cuda", repository)]
    )


@pytest.mark.parametrize(
    ("request_", "name", "version"),
    [
        ("nvidia-open-560", "nvidia-open-560", "560.35.03-1"),
        ("nvidia-open", "nvidia-open", "565.57.01-1"),
        ("patterns-cuda-open", "patterns-cuda-open", "12.6.1-1"),
    ],
)
def test_zypper_installs_the_newest_version_of_what_is_asked_for(
    zypper: ZypperSandbox, channel: Channel, request_: str, name: str, version: str
) -> None:
    command = f"zypper install {request_}"
    real = _versions(zypper.resolve(command))
    assert real[name] == version
    assert _versions(_ours(channel.at(), "sles15", command)) == real


def test_a_real_package_replaces_the_model_version_it_is(channel: Channel, tmp_path: Path) -> None:
    """--add-packages in a repository holding several versions of a name: the real .deb
    stands for the model package of its version; the other versions stay generated."""
    release = channel.at("cuda-12.6.1")
    (ubuntu,) = release.select(["ubuntu2204"], ["amd64"])
    (newer,) = [
        p for p in ubuntu.packages if (p.name, p.version) == ("cuda-libraries-12-6", "12.6.1-1")
    ]
    control = dict(binary_control(newer, release.maintainer))
    directory = tmp_path / "packages"
    directory.mkdir()
    real = _dpkg_deb(tmp_path / "root", directory / "real.deb", control)
    build(release, tmp_path / "out", [ubuntu], BuildOptions(EPOCH, add_packages=directory))
    index = tmp_path / "out" / "deb" / "ubuntu2204" / "dists" / "jammy" / "main"
    text = (index / "binary-amd64" / "Packages").read_text()
    stanzas = {
        (p["Package"], p["Version"]): p
        for p in Packages.iter_paragraphs(text, use_apt_pkg=False)
        if p["Package"] == "cuda-libraries-12-6"
    }
    assert set(stanzas) == {
        ("cuda-libraries-12-6", "12.6.0-1"),
        ("cuda-libraries-12-6", "12.6.1-1"),
    }
    digest = hashlib.sha256(real.read_bytes()).hexdigest()
    assert stanzas["cuda-libraries-12-6", "12.6.1-1"]["SHA256"] == digest
    assert stanzas["cuda-libraries-12-6", "12.6.0-1"]["SHA256"] != digest
