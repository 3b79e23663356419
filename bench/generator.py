"""Synthetic release models shaped like the NVIDIA release, with N packages per target.

The model is ordinary repogen YAML that :func:`repogen.model.load_release` loads.  One target
per family (``ubuntu2204``/amd64, ``rhel9``/x86_64 with modules, ``sles15``/x86_64 with the
``default`` and ``azure`` kernel flavors), and on each:

- several driver branches, each its own stack: open and proprietary kernel modules that
  conflict (DKMS packages on deb, kmods on rpm, one KMP per kernel flavor on SUSE), driver
  metapackages, ``nvidia-open-<branch>`` and ``cuda-drivers-<branch>``, and on SUSE
  or-groups between the two kinds of KMP;
- the latest branch's ``nvidia-open`` and ``cuda-drivers`` (an or-group over the branches);
- a CUDA toolkit (``cuda`` → ``cuda-X-Y`` → toolkit and runtime → ``nvidia-open``);
- on rhel9, an ``nvidia-driver`` dnf module with an ``-dkms`` and an ``-open`` stream per
  branch, and ``open-dkms`` as default stream; on sles15, ``cuda-open`` patterns per flavor;
- filler, to reach exactly N packages: per stack, ``core<h>`` packages and ten times as many
  ``lib<h>-<l>`` leaves, written as ``matrix`` expansions so the YAML stays small.  Each leaf
  has a versioned Depends on its core and an or-group over the stack's common package.

``revision`` moves every version (driver patch level and CUDA patch level) without renaming
anything: two revisions are two releases for ``repogen diff``.

Run ``python -m bench.generator N [-o FILE] [--revision R]`` to write one.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FAMILIES = ("deb", "rpm", "suse")
TARGETS = {"deb": "ubuntu2204", "rpm": "rhel9", "suse": "sles15"}
BRANCHES = ("535", "550", "560", "570")
#: The rhel9 kernel precompiled kmods are built for (:attr:`Shape.precompiled`).
RHEL_KERNEL = "5.14.0-427.13.1"
#: Kernel flavors of the SUSE target (each multiplies the KMPs and kernel-flavored packages).
SUSE_KERNELS = ("default", "azure")
#: Leaves per core package in the filler.
LEAVES = 10
#: Core packages the toolkit metapackage depends on.
TOOLKIT_CORES = 10
#: The smallest size that leaves every filler stack its toolkit cores.
MINIMUM = 700

Entry = dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """What to generate: *packages* per target, at *revision*."""

    packages: int
    revision: int = 1
    branches: tuple[str, ...] = BRANCHES
    #: The release's name (default: ``synthetic-<packages>``); a channel's differ.
    name: str | None = None
    #: On rhel9, each branch also has a precompiled kmod (:meth:`precompiled_kmod`) and the
    #: streams that select it: ``B``, and ``latest`` at the latest branch.
    precompiled: bool = False

    @property
    def latest(self) -> str:
        return self.branches[-1]

    @property
    def cuda(self) -> str:
        return f"12.6.{self.revision - 1}"

    def driver(self, branch: str) -> str:
        return f"{branch}.{100 + int(branch) % 7}.{self.revision:02d}"

    def precompiled_kmod(self, branch: str) -> str:
        """The kmod of *branch* built for :data:`RHEL_KERNEL`, named as NVIDIA names theirs."""
        return f"kmod-nvidia-{self.driver(branch)}-{RHEL_KERNEL}"


def scheme(branch: str) -> str:
    """The version scheme of a branch's packages."""
    return f"b{branch}"


@dataclass
class _Packages:
    """Package entries, with how many packages each expands to per family."""

    entries: list[Entry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAMILIES, 0))

    def add(self, entry: Entry, families: tuple[str, ...] = FAMILIES) -> None:
        entry.setdefault("when", {})["family"] = list(families)
        if not entry["when"].get("family") or set(families) == set(FAMILIES):
            del entry["when"]["family"]
        if not entry["when"]:
            del entry["when"]
        self.entries.append(entry)
        per_matrix = 1
        for values in entry.get("matrix", {}).values():
            per_matrix *= len(values)
        for family in families:
            kernels = len(SUSE_KERNELS) if family == "suse" and entry.get("foreach_kernel") else 1
            self.counts[family] += per_matrix * kernels


def _component(name: str, version: str, summary: str, **fields: Any) -> Entry:
    return {
        "name": name,
        "version": version,
        "summary": summary,
        "component": True,
        "arch": "any",
        **fields,
    }


def _meta(name: str, version: str, summary: str, **fields: Any) -> Entry:
    return {"name": name, "version": version, "summary": summary, **fields}


def _branch_deb(packages: _Packages, b: str, v: str) -> None:
    version = scheme(b)
    add = functools.partial(packages.add, families=("deb",))
    for kind, suffix, flavor in (("proprietary", "", "proprietary"), ("open", "-open", "open")):
        add(
            _component(
                f"nvidia-dkms-{b}{suffix}",
                version,
                f"NVIDIA DKMS package {b} ({kind} kernel modules)",
                kernel_module=flavor,
                depends=["dkms", f"nvidia-{b}-common (= {v})"],
                provides=["nvidia-dkms-kernel"],
                conflicts=["nvidia-dkms-kernel"],
                replaces=["nvidia-dkms-kernel"],
            )
        )
        add(
            _component(
                f"nvidia-driver-{b}{suffix}",
                version,
                f"NVIDIA driver {b} ({kind} kernel modules)",
                depends=[
                    f"nvidia-dkms-{b}{suffix} (= {v})",
                    f"nvidia-{b}-common (= {v})",
                    f"nvidia-{b}-core0 (= {v})",
                    "libc6",
                ],
            )
        )
    add(
        _meta(
            f"cuda-drivers-{b}",
            version,
            f"CUDA driver {b} (proprietary kernel modules)",
            entry="branch",
            depends=[f"nvidia-driver-{b} (>= {{{version}_version}})"],
        )
    )
    add(
        _meta(
            f"nvidia-open-{b}",
            version,
            f"NVIDIA driver {b} with the open kernel modules",
            entry="branch",
            depends=[f"nvidia-driver-{b}-open (>= {{{version}_version}})"],
        )
    )


def _branch_rpm(packages: _Packages, b: str, v: str, precompiled: str | None) -> None:
    """The rpm stack of branch *b*, with the kmod named *precompiled* if there is one."""
    version = scheme(b)
    add = functools.partial(packages.add, families=("rpm",))
    if precompiled is not None:
        add(
            _component(
                precompiled,
                version,
                f"NVIDIA {b} kernel module (proprietary), precompiled for kernel {RHEL_KERNEL}",
                kernel_module="proprietary",
                depends=[f"nvidia-kmod-common-{b} (= {v})"],
                provides=[f"nvidia-kmod-{b} (= {v})"],
                conflicts=[f"kmod-nvidia-latest-dkms-{b}", f"kmod-nvidia-open-dkms-{b}"],
            )
        )
    add(
        _component(
            f"nvidia-kmod-common-{b}",
            version,
            f"Common files of the NVIDIA {b} kernel modules",
            depends=[f"nvidia-kmod-{b} (= {v})", f"nvidia-{b}-common (= {v})", "dkms"],
        )
    )
    for kind, name, flavor, other in (
        ("proprietary", f"kmod-nvidia-latest-dkms-{b}", "proprietary", "open"),
        ("open", f"kmod-nvidia-open-dkms-{b}", "open", "latest"),
    ):
        add(
            _component(
                name,
                version,
                f"NVIDIA {b} kernel module ({kind}, DKMS)",
                kernel_module=flavor,
                depends=[f"nvidia-kmod-common-{b} (= {v})", "dkms"],
                provides=[f"nvidia-kmod-{b} (= {v})"],
                conflicts=[f"kmod-nvidia-{other}-dkms-{b}"],
            )
        )
    add(
        _component(
            f"nvidia-driver-{b}",
            version,
            f"NVIDIA driver {b}",
            depends=[f"nvidia-kmod-common-{b} (= {v})", f"nvidia-{b}-core0 (= {v})"],
        )
    )
    add(
        _meta(
            f"cuda-drivers-{b}",
            version,
            f"CUDA driver {b}; the module stream selects the kernel module",
            depends=[f"nvidia-driver-{b} (= {v})"],
        )
    )
    add(
        _meta(
            f"nvidia-open-{b}",
            version,
            f"NVIDIA driver {b} with the open kernel modules",
            entry="branch",
            depends=[f"kmod-nvidia-open-dkms-{b} (= {v})", f"nvidia-driver-{b} (= {v})"],
        )
    )


def _branch_suse(packages: _Packages, b: str, v: str) -> None:
    version = scheme(b)
    add = functools.partial(packages.add, families=("suse",))
    add(
        _component(
            f"nvidia-open-driver-G06-signed-kmp-{b}-{{kernel}}",
            version,
            f"NVIDIA {b} open kernel modules for the {{kernel}} kernel",
            kernel_module="open",
            foreach_kernel=True,
            depends=["kernel-{kernel}"],
            provides=[f"nvidia-open-kmp-{b} (= {v})"],
            conflicts=[f"nvidia-kmp-{b}"],
        )
    )
    add(
        _component(
            f"nvidia-driver-G06-kmp-{b}-{{kernel}}",
            version,
            f"NVIDIA {b} proprietary kernel modules for the {{kernel}} kernel",
            kernel_module="proprietary",
            foreach_kernel=True,
            depends=["kernel-{kernel}"],
            provides=[f"nvidia-kmp-{b} (= {v})"],
            conflicts=[f"nvidia-open-kmp-{b}"],
        )
    )
    add(
        _component(
            f"nvidia-compute-G06-{b}",
            version,
            f"NVIDIA {b} driver userspace",
            depends=[
                f"nvidia-kmp-{b} (= {v}) | nvidia-open-kmp-{b} (= {v})",
                f"nvidia-{b}-common (= {v})",
                f"nvidia-{b}-core0 (= {v})",
            ],
        )
    )
    add(
        _meta(
            f"nvidia-open-{b}{{kernel_suffix}}",
            version,
            f"NVIDIA driver {b} with the open kernel modules ({{kernel}} kernel)",
            entry="branch",
            foreach_kernel=True,
            depends=[
                f"nvidia-open-driver-G06-signed-kmp-{b}-{{kernel}} (= {v})",
                f"nvidia-compute-G06-{b} (= {v})",
            ],
        )
    )
    add(
        _meta(
            f"cuda-drivers-{b}",
            version,
            f"CUDA driver {b} (proprietary kernel modules)",
            entry="branch",
            depends=[
                f"nvidia-driver-G06-kmp-{b}-default (= {v})",
                f"nvidia-compute-G06-{b} (= {v})",
            ],
        )
    )


def _latest(packages: _Packages, shape: Shape) -> None:
    """What users install: the latest branch's entry points and the CUDA chain."""
    b = shape.latest
    version = scheme(b)
    driver = f"{{{version}_version}}"
    older = " | ".join(f"cuda-drivers-{o}" for o in reversed(shape.branches[:-1]))
    packages.add(
        _meta(
            "nvidia-open",
            version,
            "NVIDIA driver with the open kernel modules (latest branch)",
            entry="latest",
            depends=[f"nvidia-open-{b} (>= {driver})"],
        ),
        ("deb", "rpm"),
    )
    packages.add(
        _meta(
            "nvidia-open{kernel_suffix}",
            version,
            "NVIDIA driver with the open kernel modules ({kernel} kernel)",
            entry="latest",
            foreach_kernel=True,
            depends=[f"nvidia-open-{b}{{kernel_suffix}} (>= {driver})"],
        ),
        ("suse",),
    )
    packages.add(
        _meta(
            "cuda-drivers",
            version,
            "CUDA driver meta-package (proprietary kernel modules)",
            entry="latest",
            depends=[f"cuda-drivers-{b} (>= {driver})" + (f" | {older}" if older else "")],
        )
    )
    cores = [f"cuda-core{h}-{{cuda_dash}} (>= {{cuda_version}})" for h in range(TOOLKIT_CORES)]
    packages.add(
        _meta(
            "cuda-toolkit-{cuda_dash}",
            "cuda",
            "CUDA Toolkit {cuda_dot} meta-package",
            depends=cores,
        )
    )
    packages.add(
        _meta(
            "cuda-runtime-{cuda_dash}",
            "cuda",
            "CUDA runtime {cuda_dot} meta-package",
            depends=["cuda-core0-{cuda_dash} (>= {cuda_version})", "nvidia-open (>= {driver})"],
            targets={"rhel9": {"depends": ["cuda-drivers (>= {driver})"]}},
        )
    )
    packages.add(
        _meta(
            "cuda-{cuda_dash}",
            "cuda",
            "CUDA {cuda_dot} meta-package",
            depends=[
                "cuda-toolkit-{cuda_dash} (>= {cuda_version})",
                "cuda-runtime-{cuda_dash} (>= {cuda_version})",
            ],
        )
    )
    packages.add(
        _meta("cuda", "cuda", "CUDA meta-package", depends=["cuda-{cuda_dash} (>= {cuda_version})"])
    )


#: Stacks of filler: one per branch, one for CUDA (name prefix, suffix, version scheme).
def _stacks(shape: Shape) -> Iterator[tuple[str, str, str]]:
    for b in shape.branches:
        yield f"nvidia-{b}-", "", scheme(b)
    yield "cuda-", "-{cuda_dash}", "cuda"


def _filler(packages: _Packages, shape: Shape, family: str, skeleton_count: int) -> None:
    """Exactly ``shape.packages - skeleton_count`` packages of *family*, spread over stacks."""
    stacks = list(_stacks(shape))
    total = shape.packages - skeleton_count
    for index, (prefix, suffix, version) in enumerate(stacks):
        count = total // len(stacks) + (1 if index < total % len(stacks) else 0)
        v = f"{{{version}_version}}"
        cores, extras = divmod(count - 1, LEAVES + 1)
        if cores < TOOLKIT_CORES:
            raise ValueError(
                f"{shape.packages} packages per target are too few (at least {MINIMUM})"
            )
        common = f"{prefix}common{suffix}"
        entries = [
            _component(common, version, "Files shared by the stack"),
            _component(
                f"{prefix}core{{h}}{suffix}",
                version,
                "Core library {h}",
                matrix={"h": [str(h) for h in range(cores)]},
                depends=[f"{common} (= {v})"],
            ),
            _component(
                f"{prefix}lib{{h}}-{{l}}{suffix}",
                version,
                "Library {h}.{l}",
                matrix={"h": [str(h) for h in range(cores)], "l": [str(i) for i in range(LEAVES)]},
                depends=[f"{prefix}core{{h}}{suffix} (= {v})", f"{common} (>= {v}) | libc6"],
                recommends=[f"{prefix}core0{suffix}"],
            ),
            _component(
                f"{prefix}extra{{x}}{suffix}",
                version,
                "Extra library {x}",
                matrix={"x": [str(x) for x in range(extras)]},
                depends=[f"{prefix}core0{suffix} (>= {v})"],
            ),
        ]
        for entry in entries:
            if entry.get("matrix") and not all(entry["matrix"].values()):
                continue
            packages.add(entry, (family,))


def _stream(name: str, summary: str, branch: str, kmod: str, entry: str | None) -> Entry:
    stream: Entry = {
        "name": name,
        "summary": summary,
        "kmod": kmod,
        "entry": entry,
        "artifacts": [
            f"nvidia-driver-{branch}",
            f"nvidia-kmod-common-{branch}",
            f"cuda-drivers-{branch}",
        ],
    }
    # As NVIDIA's: the precompiled streams are not what the announcements tell users to install.
    if entry is None:
        del stream["entry"]
    return stream


def _module(shape: Shape) -> Entry:
    streams = []
    for b in shape.branches:
        kinds = [("dkms", f"kmod-nvidia-latest-dkms-{b}"), ("open", f"kmod-nvidia-open-dkms-{b}")]
        if shape.precompiled:
            summary = f"NVIDIA driver {b} branch, precompiled kernel modules"
            streams.append(_stream(b, summary, b, shape.precompiled_kmod(b), None))
        for kind, kmod in kinds:
            summary = f"NVIDIA driver {b} branch, {kind} kernel modules"
            streams.append(_stream(f"{b}-{kind}", summary, b, kmod, "branch"))
    b = shape.latest
    kinds = [
        ("latest-dkms", f"kmod-nvidia-latest-dkms-{b}"),
        ("open-dkms", f"kmod-nvidia-open-dkms-{b}"),
    ]
    if shape.precompiled:
        kinds.insert(0, ("latest", shape.precompiled_kmod(b)))
    for name, kmod in kinds:
        summary = f"NVIDIA driver, latest branch ({name})"
        streams.append(_stream(name, summary, b, kmod, None if name == "latest" else "latest"))
    return {
        "summary": "NVIDIA driver",
        "description": "NVIDIA driver; each stream selects a branch and a kind of kernel module.",
        "license": ["NVIDIA License"],
        "default_stream": "open-dkms",
        "artifacts": ["cuda-drivers"],
        "profiles": {
            "default": {"description": "Default installation", "rpms": ["{kmod}", "cuda-drivers"]}
        },
        "streams": streams,
    }


def _patterns() -> list[Entry]:
    return [
        {
            "name": "cuda-open{kernel_suffix}",
            "summary": "CUDA {cuda_dot} with the open kernel modules ({kernel} kernel)",
            "foreach_kernel": True,
            "order": "1510",
            "category": "CUDA Development",
            "depends": ["cuda-toolkit-{cuda_dash}", "nvidia-open{kernel_suffix}"],
        },
        {
            "name": "cuda-proprietary",
            "summary": "CUDA {cuda_dot} with the proprietary kernel modules",
            "order": "1520",
            "category": "CUDA Development",
            "depends": ["cuda-toolkit-{cuda_dash}", "cuda-drivers"],
        },
    ]


def model(shape: Shape) -> dict[str, Any]:
    """The release model of *shape*, as YAML data."""
    skeleton = _Packages()
    for b in shape.branches:
        v = f"{{{scheme(b)}_version}}"
        _branch_deb(skeleton, b, v)
        _branch_rpm(skeleton, b, v, shape.precompiled_kmod(b) if shape.precompiled else None)
        _branch_suse(skeleton, b, v)
    packages = _Packages(list(skeleton.entries), dict(skeleton.counts))
    _latest(packages, shape)
    patterns = 1 + len(SUSE_KERNELS)
    for family in FAMILIES:
        taken = packages.counts[family] + (patterns if family == "suse" else 0)
        _filler(packages, shape, family, taken)
    versions: dict[str, Any] = {
        "cuda": {"deb": "{cuda}-1", "rpm": "{cuda}-1", "suse": "{cuda}-1"},
    }
    for b in shape.branches:
        driver = shape.driver(b)
        versions[scheme(b)] = {
            "deb": f"{driver}-0ubuntu1",
            "rpm": f"3:{driver}-1",
            "suse": f"{driver}-1",
        }
    return {
        "release": {
            "name": shape.name or f"synthetic-{shape.packages}",
            "cuda": shape.cuda,
            "driver": shape.driver(shape.latest),
            "default_flavor": "open",
            "date": "2024-08-01",
        },
        # As NVIDIA's own releases say.
        "maintainer": "NVIDIA CUDA Packaging <cudatools@nvidia.com>",
        "license": "NVIDIA Proprietary",
        "kernel_flavors": {
            "default": {"suffix": "", "arches": ["x86_64", "aarch64"]},
            "azure": {"suffix": "-azure", "arches": ["x86_64"]},
        },
        "versions": versions,
        "targets": {
            "ubuntu2204": {
                "family": "deb",
                "distro": "ubuntu",
                "release": "22.04",
                "suite": "jammy",
                "arches": ["amd64"],
                "base": "ubuntu",
            },
            "rhel9": {
                "family": "rpm",
                "distro": "rhel",
                "release": "9",
                "dist": ".el9",
                "platform": "el9",
                "modular": True,
                "arches": ["x86_64"],
                "base": "el",
            },
            "sles15": {
                "family": "suse",
                "distro": "sles",
                "release": "15",
                "arches": ["x86_64"],
                "kernel_flavors": {"x86_64": list(SUSE_KERNELS)},
                "base": "sle",
            },
        },
        "bases": {
            "ubuntu": [
                {"name": "dkms", "version": "3.0.11-1ubuntu13"},
                {"name": "libc6", "version": "2.35-0ubuntu3"},
            ],
            "el": [
                {"name": "dkms", "version": "3.0.13-1"},
                {"name": "libc6", "version": "2.34-100.el9"},
            ],
            "sle": [
                {"name": "kernel-default", "version": "6.4.0-150600.21.3"},
                {"name": "kernel-azure", "version": "6.4.0-150600.8.5"},
                {"name": "libc6", "version": "2.38-150600.14.1"},
            ],
        },
        "packages": packages.entries,
        "patterns": _patterns(),
        "modules": {"nvidia-driver": _module(shape)},
    }


def write_model(path: Path, shape: Shape) -> Path:
    """Write the model of *shape* to *path*; return *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# Synthetic release for repogen's benchmarks: {shape.packages} packages per target, "
        f"revision {shape.revision}.\n# Written by bench/generator.py; do not edit.\n"
        + yaml.safe_dump(model(shape), sort_keys=False, width=100)
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", type=int, help="packages per target")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    parser.add_argument("--revision", type=int, default=1, help="moves every version")
    arguments = parser.parse_args(argv)
    shape = Shape(arguments.packages, arguments.revision)
    if arguments.output is None:
        yaml.safe_dump(model(shape), sys.stdout, sort_keys=False, width=100)
    else:
        write_model(arguments.output, shape)


if __name__ == "__main__":
    main()
