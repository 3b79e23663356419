"""A small channel of four releases for the channel tests, written from the bundled ones:
12.5.1 (555), 12.6.0 (560.28.03), 12.6.1 (560.35.03) and the driver-only 565.57.01 (a new
branch without a CUDA release, as NVIDIA published it).

12.6.1 is 12.6.0 at a newer driver and CUDA version; the driver-only release is 12.6.0's
model without the packages and patterns that name the CUDA version (a driver-only release
publishes no CUDA package).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from repogen.data import bundled

RELEASES = bundled("releases")
POINTS = ("cuda-12.5.1", "cuda-12.6.0", "cuda-12.6.1", "driver-565.57.01")


def _without_cuda(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The declarations that do not name the CUDA version (``{cuda…}``) anywhere."""
    return [item for item in items if "{cuda" not in yaml.safe_dump(item)]


def _release(text: str, name: str, cuda: str | None, driver: str, date: str) -> str:
    block = f"release:\n  name: {name}\n"
    block += f"  cuda: {cuda}\n" if cuda else ""
    block += f'  driver: {driver}\n  default_flavor: open\n  date: "{date}"\n'
    return re.sub(r"^release:\n(  .*\n)+", block, text, count=1, flags=re.MULTILINE)


def write_history(directory: Path, points: tuple[str, ...] = POINTS) -> Path:
    """Write the releases and a channel file listing *points* (in that order) under
    *directory*; the channel file's path."""
    releases = directory / "releases"
    shutil.copytree(RELEASES / "common", releases / "common")
    shutil.copytree(bundled("assertions"), directory / "assertions")
    shutil.copy(RELEASES / "cuda-12.5.yaml", releases / "cuda-12.5.1.yaml")
    twelve_six = (RELEASES / "cuda-12.6.yaml").read_text()
    (releases / "cuda-12.6.0.yaml").write_text(twelve_six)
    (releases / "cuda-12.6.1.yaml").write_text(
        _release(twelve_six, "cuda-12.6.1", "12.6.1", "560.35.03", "2024-08-20")
    )
    driver = yaml.safe_load(
        _release(twelve_six, "driver-565.57.01", None, "565.57.01", "2024-10-22")
    )
    driver["include"] = ["common/targets.yaml", "driver-packages.yaml", "common/modules.yaml"]
    driver["packages"] = _without_cuda(driver["packages"])
    driver.pop("patterns")
    common = yaml.safe_load((RELEASES / "common" / "packages.yaml").read_text())
    common["packages"] = _without_cuda(common["packages"])
    (releases / "driver-packages.yaml").write_text(yaml.safe_dump(common, sort_keys=False))
    (releases / "driver-565.57.01.yaml").write_text(yaml.safe_dump(driver, sort_keys=False))
    channel = directory / "channel.yaml"
    listed = "".join(f"  - releases/{point}.yaml\n" for point in points)
    channel.write_text(f"channel: nvidia-test\nreleases:\n{listed}")
    return channel
