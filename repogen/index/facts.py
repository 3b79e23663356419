"""What the model states and metadata only implies: kernel-module flavors and SUSE patterns.

A package carries GPU kernel modules when it provides one of the capabilities only kernel-module
packages provide (nvidia-packaging.md §2 to §4): ``nvidia-dkms-kernel`` (Ubuntu's
``nvidia-dkms-<B>[-open]``), ``nvidia-kernel-<version>`` (Debian's
``nvidia-kernel[-open]-dkms``), ``nvidia-kmod`` (the RPM kmods) and the SUSE KMP capabilities
``nvidia[-open]-driver-G06[-signed]-kmp``.
Its flavor is *open* when ``open`` is one of the words of its name, else *proprietary*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from repogen.model import KernelModuleFlavor, PatternAttributes
from repogen.model.relations import Relation

_KERNEL_MODULE_CAPABILITY = re.compile(
    r"^(?:nvidia-dkms-kernel|nvidia-kmod|nvidia-kernel-\d[\d.]*|nvidia(?:-open)?-driver-G06(?:-signed)?-kmp)$"
)


def kernel_module_capability(name: str) -> bool:
    """Whether *name* is a capability only kernel-module packages provide."""
    return _KERNEL_MODULE_CAPABILITY.match(name) is not None


def kernel_module(name: str, provides: Iterable[Relation]) -> KernelModuleFlavor | None:
    """The flavor of the GPU kernel modules package *name* carries, if it carries any."""
    if not any(
        kernel_module_capability(alternative.name)
        for relation in provides
        for alternative in relation.alternatives
    ):
        return None
    if "open" in re.split(r"[-_.]", name):
        return KernelModuleFlavor.OPEN
    return KernelModuleFlavor.PROPRIETARY


def pattern(provides: Iterable[Relation]) -> PatternAttributes | None:
    """The SUSE pattern a package is, from its ``pattern…()`` provides (formats.md §5.1)."""
    values: dict[str, str] = {}
    for relation in provides:
        alternative = relation.alternatives[0]
        if alternative.name.startswith("pattern") and alternative.name.endswith("()"):
            constraint = alternative.constraint
            # The readers give the values unescaped (families/rpm/patterns.py).
            values[alternative.name] = "" if constraint is None else constraint.version
    name = values.get("pattern()")
    if not name:
        return None
    return PatternAttributes(
        name=name,
        visible="pattern-visible()" in values,
        order=values.get("pattern-order()", ""),
        category=values.get("pattern-category()", ""),
        icon=values.get("pattern-icon()"),
    )


#: The names users install the driver by (nvidia-packaging.md §1, §6): ``cuda-drivers`` and
#: ``nvidia-open`` follow new branches, ``…-<branch>`` pin one; either may carry a kernel
#: flavor's suffix (``nvidia-open-azure``, ``nvidia-open-560-64k``).
_ENTRY_PACKAGE = re.compile(r"^(?:cuda-drivers|nvidia-open)(?P<branch>-\d+)?(?:-azure|-64k)?$")
#: The dnf module streams users enable: ``latest-dkms`` and ``open-dkms`` follow new branches,
#: ``<branch>-dkms`` and ``<branch>-open`` pin one.
_ENTRY_STREAM = re.compile(r"^(?:(?P<latest>latest-dkms|open-dkms)|\d+-(?:dkms|open))$")


def package_entry(name: str, entry_streams: bool = False) -> str | None:
    """``latest`` or ``branch`` when users install the driver through package *name*.

    Where module streams are entries (*entry_streams*), the proprietary driver is installed
    through them, not through ``cuda-drivers``; ``nvidia-open`` stays one (the
    ``module_hotfixes`` path, nvidia-packaging.md §6)."""
    match = _ENTRY_PACKAGE.match(name)
    if match is None or (entry_streams and name.startswith("cuda-drivers")):
        return None
    return "branch" if match["branch"] else "latest"


def stream_entry(name: str) -> str | None:
    """``latest`` or ``branch`` when users enable the driver's module stream *name*."""
    match = _ENTRY_STREAM.match(name)
    if match is None:
        return None
    return "latest" if match["latest"] else "branch"
