"""What a Linux machine tells about itself: its NVIDIA GPUs on the PCI bus, its distribution,
and whether it is WSL; and which target of a release that distribution is.

Every path is under a *sys_root* (``/`` for the running machine, a copy for tests).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from repogen.model import ReleaseModel
from repogen.recommend.errors import InputError, read_input
from repogen.recommend.gpus import NVIDIA_VENDOR

#: PCI base class of display controllers (VGA 0x0300, 3D 0x0302, …).
DISPLAY_CLASS = 0x03
PCI_DEVICES = Path("sys/bus/pci/devices")
#: os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
OS_RELEASE = (Path("etc/os-release"), Path("usr/lib/os-release"))
PROC_VERSION = Path("proc/version")
_HEX = re.compile(r"0x[0-9a-f]+", re.IGNORECASE)


@dataclass(frozen=True)
class OsRelease:
    """The fields of os-release(5) that name a distribution release."""

    source: Path
    id: str
    version_id: str
    id_like: tuple[str, ...] = ()


def read_pci_gpus(sys_root: Path) -> tuple[int, ...]:
    """Device ids of the NVIDIA display controllers under *sys_root*, in PCI address order."""
    devices = sys_root / PCI_DEVICES
    if not devices.is_dir():
        raise InputError(f"{devices}: not a directory; expected the machine's PCI devices")
    found = []
    for device in sorted(devices.iterdir()):
        if (
            _hex(device / "vendor") == NVIDIA_VENDOR
            and _hex(device / "class") >> 16 == DISPLAY_CLASS
        ):
            found.append(_hex(device / "device"))
    if not found:
        raise InputError(
            f"{devices}: no NVIDIA display controller (vendor 0x10de, class 0x03xxxx); "
            "name the GPUs with --gpu"
        )
    return tuple(found)


def _hex(path: Path) -> int:
    text = read_input(path).strip()
    if _HEX.fullmatch(text) is None:
        raise InputError(f"{path}: expected a hexadecimal number such as 0x10de, got {text!r}")
    return int(text, 16)


def os_release_path(sys_root: Path) -> Path:
    """The os-release file of the machine under *sys_root*."""
    for candidate in OS_RELEASE:
        if (sys_root / candidate).is_file():
            return sys_root / candidate
    raise InputError(f"{sys_root / OS_RELEASE[0]}: no such file; name the target with --target")


def read_os_release(path: Path) -> OsRelease:
    """Parse os-release(5): ``KEY=value`` lines, values optionally shell-quoted."""
    fields: dict[str, str] = {}
    for number, line in enumerate(read_input(path).splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sign, value = line.partition("=")
        words = _shell_words(value)
        if not sign or not key.isidentifier() or words is None or len(words) > 1:
            raise InputError(f"{path}:{number}: expected KEY=value, got {line!r}")
        fields[key] = words[0] if words else ""
    missing = [key for key in ("ID", "VERSION_ID") if not fields.get(key)]
    if missing:
        raise InputError(f"{path}: no {' or '.join(missing)}; name the target with --target")
    return OsRelease(
        path, fields["ID"], fields["VERSION_ID"], tuple(fields.get("ID_LIKE", "").split())
    )


def _shell_words(text: str) -> list[str] | None:
    """*text* split as the shell would, or None when a quote is not closed."""
    try:
        return shlex.split(text)
    except ValueError:
        return None


def is_wsl(sys_root: Path) -> bool:
    """Whether the kernel under *sys_root* is WSL's (``microsoft`` or ``WSL`` in /proc/version)."""
    try:
        version = (sys_root / PROC_VERSION).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "microsoft" in version.lower() or "wsl" in version.lower()


def detect_target(release: ReleaseModel, system: OsRelease, wsl: bool) -> str:
    """The target of *release* for the distribution *system* describes.

    The distribution is matched by ``ID``, then each ``ID_LIKE`` (Rocky, Alma → rhel), against
    the targets' ``distro``; the release by ``VERSION_ID`` against the target's ``release``, as
    equal or as its major version (9.4 → 9, 15.6 → 15, Kylin's V10 → 10).  Under WSL only the
    targets without drivers count, whatever their release: NVIDIA's WSL repository serves every
    release of its distribution.
    """
    targets = {r.target_name: r.target for r in release.repositories}
    version = system.version_id.lower().removeprefix("v")
    for distro in (system.id, *system.id_like):
        for name, target in targets.items():
            if target.distro != distro or target.drivers == wsl:  # WSL's targets have no drivers
                continue
            if (
                wsl
                or version == target.release
                or version.startswith((f"{target.release}.", f"{target.release}-"))
            ):
                return name
    where = "WSL " if wsl else ""
    raise InputError(
        f"{system.source}: {where}{system.id} {system.version_id} is not a target of "
        f"{release.release.name} ({', '.join(sorted(targets))}); name one with --target"
    )
