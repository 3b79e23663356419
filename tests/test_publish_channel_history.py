"""Four releases published one by one into a tree built from the first (12.5.1, 12.6.0,
12.6.1, the driver-only 565.57.01): the APT indices are those of the channel's build byte for
byte, and the real apt and dnf see every release, every branch's module streams, and take the
newest build of a stream's branch, as they do on the channel's build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.channel import Channel, load_channel
from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from tests.base_repositories import write_base_repository, write_base_stub
from tests.channel_history import (
    FILES,
    NEWEST_BUILDS,
    POINTS,
    assert_dnf_lists_every_branchs_streams,
    write_history,
)

from .test_publish_channel import _index_files

EPOCH = "1729555200"  # 2024-10-22
TARGETS = ["--target", "ubuntu2204", "--target", "rhel9", "--arch", "amd64", "--arch", "x86_64"]
runner = CliRunner()


def _invoke(*words: str | Path) -> None:
    result = runner.invoke(app, [str(w) for w in words])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Channel, Path, Path]:
    """The channel, its build, and the tree its releases were published into one by one."""
    work = tmp_path_factory.mktemp("history")
    channel_file = write_history(work / "models")
    releases = channel_file.parent / "releases"
    built, tree = work / "built", work / "tree"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        # The releases share common/ and the assertions beside their directory.
        patch.setenv("REPOGEN_MODEL_ROOT", str(channel_file.parent))
        _invoke("build", channel_file, "-o", built, *TARGETS)
        first, *later = POINTS
        _invoke("build", releases / FILES[first], "-o", tree, *TARGETS)
        for point in later:
            _invoke("publish", releases / FILES[point], "--into", tree)
    return load_channel(channel_file), built, tree


def test_the_apt_indices_are_the_channel_builds(history: tuple[Channel, Path, Path]) -> None:
    _, built, tree = history
    index = "deb/ubuntu2204/dists/jammy"
    assert _index_files(tree, index) == _index_files(built, index)


def test_apt_sees_every_version(history: tuple[Channel, Path, Path], tmp_path: Path) -> None:
    channel, _, tree = history
    (repository,) = channel.at().select(["ubuntu2204"], ["amd64"])
    base = write_base_stub(repository, tmp_path / "base")
    line = f"deb [trusted=yes] file:{tree}/deb/ubuntu2204 jammy main"
    apt = AptSandbox.create(tmp_path / "apt", "amd64", [base, line])
    assert apt.update() == ()
    result = subprocess.run(
        ["apt-cache", "madison", "nvidia-open-560"],
        env={**os.environ, "APT_CONFIG": str(apt.root / "apt.conf")},
        capture_output=True,
        text=True,
        check=True,
    )
    versions = [line.split("|")[1].strip() for line in result.stdout.splitlines()]
    assert versions == ["560.35.03-1", "560.28.03-1"]
    installed = {ref.name: ref.version for ref in apt.install(["cuda-drivers-555"]).install}
    assert installed["cuda-drivers-555"] == "555.42.06-1"


@pytest.fixture(scope="module")
def dnf(
    history: tuple[Channel, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> DnfSandbox:
    channel, _, tree = history
    work = tmp_path_factory.mktemp("dnf")
    (repository,) = channel.at().select(["rhel9"], ["x86_64"])
    write_base_repository(work / "base", repository, int(EPOCH))
    return DnfSandbox.create(
        work / "dnf",
        [
            DnfRepository("base", (work / "base").as_uri()),
            DnfRepository("cuda", (tree / "rpm/rhel9/x86_64").as_uri()),
        ],
        releasever="9",
        platform="el9",
    )


def test_dnf_lists_every_branchs_streams(dnf: DnfSandbox) -> None:
    assert_dnf_lists_every_branchs_streams(dnf)


@pytest.mark.parametrize(("stream", "kmod"), NEWEST_BUILDS)
def test_dnf_module_install_takes_the_newest_build_of_the_streams_branch(
    dnf: DnfSandbox, stream: str, kmod: tuple[str, str]
) -> None:
    real = dnf.resolve(f"dnf module install nvidia-driver:{stream}")
    assert real.ok, real.problems
    installed = {ref.name: ref.version for ref in real.install}
    assert [(n, v) for n, v in installed.items() if n.startswith("kmod-")] == [kmod]
    assert installed["nvidia-driver"] == kmod[1]
    assert real.modules == (f"nvidia-driver:{stream}",)
