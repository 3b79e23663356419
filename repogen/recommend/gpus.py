"""Which kernel modules each GPU needs, from NVIDIA's ``supported-gpus.json``, and the system's
flavor from those (nvidia-packaging.md §5, NVIDIA's driver assistant).

Per GPU: no ``kernelopen`` → proprietary required; ``kernelopen`` and
``gsp_proprietary_supported`` → either; ``kernelopen`` alone, or an id the file does not list →
open required.  A GPU whose ``legacybranch`` is older than the release's branch is driven only by
that legacy driver: it is flagged and left out of the decision.  System: every GPU open-required
or either → open; every GPU proprietary-required → proprietary; otherwise open when any GPU
requires it, else proprietary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from repogen.model import KernelModuleFlavor
from repogen.recommend.errors import InputError, read_input

NVIDIA_VENDOR = 0x10DE
KERNEL_OPEN = "kernelopen"
GSP_PROPRIETARY = "gsp_proprietary_supported"

_DEVICE_ID = re.compile(r"^(?:(?P<vendor>[0-9a-f]{4}):)?(?:0x)?(?P<device>[0-9a-f]{1,4})$")
_LEGACY_BRANCH = re.compile(r"^(?P<branch>\d+)\.xx$")


class GpuRule(StrEnum):
    """What one GPU accepts."""

    OPEN_REQUIRED = "open-required"
    EITHER = "either"
    PROPRIETARY_REQUIRED = "proprietary-required"
    #: Driven only by an older legacy branch than the release's: not part of the decision.
    LEGACY = "legacy"


@dataclass(frozen=True)
class Chip:
    """One entry of ``supported-gpus.json``."""

    devid: int
    name: str
    features: frozenset[str]
    #: The legacy branch that still drives the chip (``470`` for ``"470.xx"``).
    legacy_branch: int | None = None


@dataclass(frozen=True)
class SupportedGpus:
    """A loaded ``supported-gpus.json``: its chips by device id (the first entry of an id wins)."""

    source: Path
    chips: Mapping[int, Chip]


@dataclass(frozen=True)
class GpuVerdict:
    """One GPU, what it accepts and why, in one line."""

    devid: int
    name: str | None
    rule: GpuRule
    reason: str
    legacy_branch: int | None = None


@dataclass(frozen=True)
class Decision:
    """The kernel modules the whole system needs (None: no GPU the release drives) and why."""

    flavor: KernelModuleFlavor | None
    reason: str


def format_device_id(devid: int) -> str:
    """``0x2204``, as ``supported-gpus.json`` writes ids."""
    return f"0x{devid:04X}"


def parse_device_id(text: str) -> int:
    """A PCI device id written ``2204``, ``0x2204`` or ``10de:2204`` (NVIDIA's vendor only)."""
    match = _DEVICE_ID.match(text.strip().lower())
    if match is None:
        raise InputError(f"{text!r}: expected a PCI device id such as 0x2204, 2204 or 10de:2204")
    vendor = match["vendor"]
    if vendor is not None and int(vendor, 16) != NVIDIA_VENDOR:
        raise InputError(f"{text!r}: vendor {vendor} is not NVIDIA (10de)")
    return int(match["device"], 16)


def load_supported_gpus(path: Path) -> SupportedGpus:
    """Read NVIDIA's ``{"chips": [{"devid", "name", "features", "legacybranch"?}]}``.

    Keys beyond these are ignored, as NVIDIA adds some; a malformed file raises InputError
    naming the file, the chip and what was expected.
    """
    try:
        data = json.loads(read_input(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("chips"), list):
        raise InputError(f'{path}: expected an object with a "chips" list')
    chips: dict[int, Chip] = {}
    for index, entry in enumerate(data["chips"]):
        chip = _chip(entry, f"{path}: chips[{index}]")
        chips.setdefault(chip.devid, chip)
    return SupportedGpus(path, chips)


def _chip(entry: Any, where: str) -> Chip:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected an object with devid, name and features")
    devid, name = entry.get("devid"), entry.get("name")
    features, legacy = entry.get("features", []), entry.get("legacybranch")
    if not isinstance(devid, str) or not devid.lower().startswith("0x"):
        raise InputError(f'{where}.devid: expected a PCI device id such as "0x2204", got {devid!r}')
    if not isinstance(name, str):
        raise InputError(f"{where}.name: expected a string, got {name!r}")
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise InputError(f"{where}.features: expected a list of strings, got {features!r}")
    branch = None
    if legacy is not None:
        match = _LEGACY_BRANCH.match(legacy) if isinstance(legacy, str) else None
        if match is None:
            raise InputError(
                f'{where}.legacybranch: expected a branch such as "470.xx", got {legacy!r}'
            )
        branch = int(match["branch"])
    try:
        number = parse_device_id(devid)
    except InputError as exc:
        raise InputError(f"{where}.devid: {exc}") from exc
    return Chip(number, name, frozenset(features), branch)


def classify(devid: int, supported: SupportedGpus, branch: int) -> GpuVerdict:
    """What the GPU *devid* accepts under driver *branch*, with a one-line reason."""
    shown = format_device_id(devid)
    chip = supported.chips.get(devid)
    if chip is None:
        return GpuVerdict(
            devid,
            None,
            GpuRule.OPEN_REQUIRED,
            f"{shown}: open required: not in {supported.source.name}, so newer than the list",
        )
    label = f"{chip.name} ({shown})"
    if chip.legacy_branch is not None and chip.legacy_branch < branch:
        return GpuVerdict(
            devid,
            chip.name,
            GpuRule.LEGACY,
            f"{label}: legacy GPU: only the {chip.legacy_branch}.xx legacy driver supports it, "
            f"not branch {branch}; left out of the decision",
            chip.legacy_branch,
        )
    if KERNEL_OPEN not in chip.features:
        rule, why = GpuRule.PROPRIETARY_REQUIRED, f"proprietary required: no {KERNEL_OPEN}"
    elif GSP_PROPRIETARY in chip.features:
        rule, why = GpuRule.EITHER, f"open or proprietary: {KERNEL_OPEN} and {GSP_PROPRIETARY}"
    else:
        rule, why = GpuRule.OPEN_REQUIRED, f"open required: {KERNEL_OPEN} without {GSP_PROPRIETARY}"
    if chip.legacy_branch is not None:
        why += f"; legacy after branch {chip.legacy_branch}"
    return GpuVerdict(devid, chip.name, rule, f"{label}: {why}", chip.legacy_branch)


def decide(verdicts: Sequence[GpuVerdict]) -> Decision:
    """The system's flavor from its GPUs' verdicts (legacy GPUs do not count)."""
    counted = [v for v in verdicts if v.rule is not GpuRule.LEGACY]
    if not counted:
        return Decision(None, "no GPU that this release's driver supports")
    rules = {v.rule for v in counted}
    needs_open = _labels(counted, GpuRule.OPEN_REQUIRED)
    closed = _labels(counted, GpuRule.PROPRIETARY_REQUIRED)
    if GpuRule.PROPRIETARY_REQUIRED not in rules:
        return Decision(KernelModuleFlavor.OPEN, "every GPU can use the open kernel modules")
    if rules == {GpuRule.PROPRIETARY_REQUIRED}:
        return Decision(KernelModuleFlavor.PROPRIETARY, "no GPU can use the open kernel modules")
    if needs_open:
        return Decision(
            KernelModuleFlavor.OPEN,
            f"mixed: open required by {needs_open}, although {closed} cannot use it",
        )
    return Decision(
        KernelModuleFlavor.PROPRIETARY,
        f"mixed: {closed} cannot use the open modules and no GPU requires them",
    )


def _labels(verdicts: Sequence[GpuVerdict], rule: GpuRule) -> str:
    return ", ".join(v.name or format_device_id(v.devid) for v in verdicts if v.rule is rule)
