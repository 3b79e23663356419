"""A small channel of four of the bundled channel's releases for the channel tests:
12.5.1 (555), 12.6.0 (560.28.03), 12.6.1 (560.35.03) and the driver-only 565.57.01 (a new
branch without a CUDA release, as NVIDIA published it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from repogen.data import bundled

RELEASES = bundled("releases")
POINTS = ("cuda-12.5.1", "cuda-12.6.0", "cuda-12.6.1", "driver-565.57.01")


def write_history(directory: Path, points: tuple[str, ...] = POINTS) -> Path:
    """Write the releases and a channel file listing *points* (in that order) under
    *directory*; the channel file's path."""
    releases = directory / "releases"
    shutil.copytree(RELEASES / "common", releases / "common")
    shutil.copytree(bundled("assertions"), directory / "assertions")
    for bundled_name, point in (
        ("cuda-12.5.yaml", "cuda-12.5.1"),
        ("cuda-12.6.yaml", "cuda-12.6.0"),
        ("cuda-12.6.1.yaml", "cuda-12.6.1"),
        ("driver-565.57.01.yaml", "driver-565.57.01"),
    ):
        shutil.copy(RELEASES / bundled_name, releases / f"{point}.yaml")
    channel = directory / "channel.yaml"
    listed = "".join(f"  - releases/{point}.yaml\n" for point in points)
    channel.write_text(f"channel: nvidia-test\nreleases:\n{listed}")
    return channel
