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
