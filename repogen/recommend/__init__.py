"""`repogen recommend`: which GPU kernel modules a machine needs, and the command that installs
them, derived from the release model and proved with repogen's resolver.

- :mod:`.gpus`: NVIDIA's ``supported-gpus.json`` and the per-GPU and system decision.
- :mod:`.machine`: a Linux machine's GPUs (sysfs), distribution (os-release), WSL, its target.
- :mod:`.commands`: install commands from the model's entries, each resolved.
- :mod:`.recommendation`: the answer, putting those together.
"""

from __future__ import annotations

from repogen.recommend.errors import InputError
from repogen.recommend.gpus import (
    GpuRule,
    GpuVerdict,
    SupportedGpus,
    format_device_id,
    load_supported_gpus,
    parse_device_id,
)
from repogen.recommend.machine import (
    detect_target,
    is_wsl,
    os_release_path,
    read_os_release,
    read_pci_gpus,
)
from repogen.recommend.recommendation import Recommendation, recommend, recommendation_json
from repogen.resolve.outcome import Outcome

__all__ = [
    "GpuRule",
    "GpuVerdict",
    "InputError",
    "Outcome",
    "Recommendation",
    "SupportedGpus",
    "detect_target",
    "format_device_id",
    "is_wsl",
    "load_supported_gpus",
    "os_release_path",
    "parse_device_id",
    "read_os_release",
    "read_pci_gpus",
    "recommend",
    "recommendation_json",
]
