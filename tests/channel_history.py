"""A small channel of four of the bundled channel's releases for the channel tests:
12.5.1 (555), 12.6.0 (560.28.03), 12.6.1 (560.35.03) and the driver-only 565.57.01 (a new
branch without a CUDA release, as NVIDIA published it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from repogen.data import bundled
from repogen.families.rpm.client import DnfSandbox
from tests.base_repositories import module_list

RELEASES = bundled("releases")
POINTS = ("cuda-12.5.1", "cuda-12.6.0", "cuda-12.6.1", "driver-565.57.01")
#: The file of each point: the bundled ones keep their names, which the bundled assertions'
#: installed states name.
FILES = {
    "cuda-12.5.1": "cuda-12.5.yaml",
    "cuda-12.6.0": "cuda-12.6.yaml",
    "cuda-12.6.1": "cuda-12.6.1.yaml",
    "driver-565.57.01": "driver-565.57.01.yaml",
}


def write_history(directory: Path, points: tuple[str, ...] = POINTS) -> Path:
    """Write the releases and a channel file listing *points* (in that order) under
    *directory*; the channel file's path."""
    releases = directory / "releases"
    shutil.copytree(RELEASES / "common", releases / "common")
    shutil.copytree(bundled("assertions"), directory / "assertions")
    for name in FILES.values():
        shutil.copy(RELEASES / name, releases / name)
    channel = directory / "channel.yaml"
    listed = "".join(f"  - releases/{FILES[point]}\n" for point in points)
    channel.write_text(f"channel: nvidia-test\nreleases:\n{listed}")
    return channel


#: A stream of each kind and the kmod (name, EVR) ``dnf module install`` takes from it in the
#: channel of the four points, built at once or published one point after another: the newest
#: build of the stream's branch.
NEWEST_BUILDS = [
    ("560-open", ("kmod-nvidia-open-dkms", "3:560.35.03-1.el9")),
    ("555-dkms", ("kmod-nvidia-latest-dkms", "3:555.42.06-1.el9")),
    ("open-dkms", ("kmod-nvidia-open-dkms", "3:565.57.01-1.el9")),
    ("565-open", ("kmod-nvidia-open-dkms", "3:565.57.01-1.el9")),
]


def assert_dnf_lists_every_branchs_streams(dnf: DnfSandbox) -> None:
    """The real dnf lists every stream of every branch of the four points, and open-dkms as
    the default."""
    rows = [row for row in module_list(dnf) if row.module == "nvidia-driver"]
    assert {row.stream for row in rows} == {
        *(f"{b}{kind}" for b in ("555", "560", "565") for kind in ("", "-dkms", "-open")),
        "latest",
        "latest-dkms",
        "open-dkms",
    }
    assert [row.stream for row in rows if row.default] == ["open-dkms"]
