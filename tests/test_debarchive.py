"""Empty packages written in-process are byte for byte what dpkg-deb writes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from repogen.model import ReleaseModel
from repogen.publish.deb_control import binary_control
from repogen.publish.debarchive import empty_deb

EPOCHS = (0, 1_722_470_400)


def _dpkg_deb(control: bytes, epoch: int, work: Path) -> bytes:
    """What ``dpkg-deb --root-owner-group -Zxz --build`` makes of *control*, as
    :mod:`repogen.publish.debarchive` describes it."""
    tree = work / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_bytes(control)
    for path, mode in ((tree, 0o755), (tree / "DEBIAN", 0o755), (tree / "DEBIAN/control", 0o644)):
        path.chmod(mode)
        os.utime(path, (epoch, epoch))
    output = work / "package.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(output)],
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        check=True,
        capture_output=True,
    )
    return output.read_bytes()


def _controls(release: ReleaseModel) -> list[bytes]:
    """A spread of the release's control files: short, long, with and without relations."""
    packages = sorted(
        {p.name: p for r in release.repositories if r.family == "deb" for p in r.packages}.values(),
        key=lambda p: len(binary_control(p, release.maintainer).dump()),
    )
    chosen = [*packages[:3], *packages[len(packages) // 2 :][:3], *packages[-3:]]
    return [binary_control(p, release.maintainer).dump().encode() for p in chosen]


@pytest.mark.parametrize("epoch", EPOCHS)
def test_empty_deb_is_dpkg_debs(release_12_6: ReleaseModel, tmp_path: Path, epoch: int) -> None:
    controls = _controls(release_12_6)
    long = "Maintainer: Zoë <z@example.org>\nDescription: ünïcode\n " + "y" * 70_000 + "\n"
    controls.append(f"Package: long\nVersion: 1.0\nArchitecture: all\n{long}".encode())
    for number, control in enumerate(controls):
        work = tmp_path / str(number)
        assert empty_deb(control, epoch) == _dpkg_deb(control, epoch, work), control[:200]
