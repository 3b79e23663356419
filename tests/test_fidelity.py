"""The bundled channel follows NVIDIA's real metadata (shared/domain/nvidia-packaging.md §7, §8).

Each test reproduces an observation or a confirmed fact on the bundled channel
(``repogen/data/releases/nvidia.yaml``) at the point it was made; the install sets are also
resolved by the real apt-get and dnf, which must agree with repogen's resolvers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rpm

from repogen.build import build
from repogen.channel import Channel, load_channel
from repogen.data import DEFAULT_MODEL, bundled
from repogen.engine.real import RealEngine
from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.model import ReleaseModel, Repository
from repogen.model.concrete import PackageSpec, RelationKind
from repogen.publish.base import BuildOptions
from repogen.resolve import in_process
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import universe_for
from tests.base_repositories import module_list, write_base_repository

from .differential.compare import differences

EPOCH = 1732000000  # 2024-11-19, the channel's newest release


@pytest.fixture(scope="module")
def channel() -> Channel:
    return load_channel(bundled("releases", "nvidia.yaml"))


def repository(release: ReleaseModel, target: str, arch: str) -> Repository:
    (found,) = release.select([target], [arch])
    return found


def package(repository: Repository, name: str, version: str | None = None) -> PackageSpec:
    found = [p for p in repository.packages if p.name == name]
    assert found, f"{name} is not published on {repository.target_name}"
    if version is None:
        return found[-1]
    (one,) = [p for p in found if p.version == version]
    return one


def related(package: PackageSpec, kind: RelationKind) -> list[str]:
    return [str(relation) for relation in package.related(kind)]


def resolved(repository: Repository, command: str, engine: RealEngine) -> Resolution:
    """*command* on *repository* by repogen's resolver, checked against the real client's."""
    universe = universe_for(repository)
    request = parse_request(command)
    ours = in_process(repository, universe, request)
    assert differences(ours, engine(repository, universe, request)) == []
    return ours


def installed(resolution: Resolution) -> dict[str, str]:
    assert resolution.ok, resolution.problems
    return {ref.name: ref.version for ref in resolution.install}


def test_the_default_model_is_the_channel(channel: Channel) -> None:
    assert bundled("releases", "nvidia.yaml") == DEFAULT_MODEL
    assert channel.points == (
        "cuda-12.4.1",
        "cuda-12.5.0",
        "cuda-12.5.1",
        "cuda-12.6.0",
        "cuda-12.6.1",
        "cuda-12.6.2",
        "cuda-12.6.3",
        "driver-565.57.01",
    )
    drivers = [(r.release.cuda, r.release.driver) for r in channel.releases]
    assert drivers == [
        ("12.4.1", "550.54.15"),
        ("12.5.0", "555.42.02"),
        ("12.5.1", "555.42.06"),
        ("12.6.0", "560.28.03"),
        ("12.6.1", "560.35.03"),
        ("12.6.2", "560.35.03"),
        ("12.6.3", "560.35.05"),
        (None, "565.57.01"),
    ]


# -- deb versions and the Ubuntu driver closure -----------------------------------------------


def test_deb_versions_are_nvidias_and_canonicals(channel: Channel) -> None:
    """NVIDIA's metapackages -1, Canonical's driver packages -0ubuntu1, debian12's -1."""
    ubuntu = repository(channel.at(), "ubuntu2204", "amd64")
    by_name = {(p.name, p.version) for p in ubuntu.packages}
    assert ("cuda-drivers", "555.42.06-1") in by_name
    assert ("cuda-drivers-555", "555.42.06-1") in by_name
    assert ("cuda", "12.5.1-1") in by_name
    assert ("nvidia-open-560", "560.35.05-1") in by_name
    assert ("nvidia-driver-560-open", "560.35.05-0ubuntu1") in by_name
    debian = repository(channel.at(), "debian12", "amd64")
    assert package(debian, "nvidia-driver").version == "565.57.01-1"


def test_apt_install_nvidia_driver_560_open(channel: Channel, real_engine: RealEngine) -> None:
    """`apt install nvidia-driver-560-open` on ubuntu2204 (§8): the branch's packages with
    libnvidia-common-560 and the firmware, nvidia-modprobe and nvidia-settings at the newest
    version in the repository (not per branch), Ubuntu's nvidia-prime and
    screen-resolution-extra."""
    ubuntu = repository(channel.at(), "ubuntu2204", "amd64")
    got = installed(resolved(ubuntu, "apt install nvidia-driver-560-open", real_engine))
    branch = dict.fromkeys(
        (
            "nvidia-driver-560-open",
            "nvidia-dkms-560-open",
            "nvidia-kernel-source-560-open",
            "nvidia-kernel-common-560",
            "nvidia-firmware-560-560.35.05",
            "libnvidia-common-560",
            "libnvidia-gl-560",
            "libnvidia-compute-560",
            "libnvidia-extra-560",
            "libnvidia-decode-560",
            "libnvidia-encode-560",
            "libnvidia-cfg1-560",
            "libnvidia-fbc1-560",
            "nvidia-utils-560",
            "nvidia-compute-utils-560",
            "xserver-xorg-video-nvidia-560",
        ),
        "560.35.05-0ubuntu1",
    )
    newest = {"nvidia-modprobe": "565.57.01-0ubuntu1", "nvidia-settings": "565.57.01-0ubuntu1"}
    ubuntus_own = {"nvidia-prime", "screen-resolution-extra"}
    assert {**branch, **newest}.items() <= got.items()
    assert ubuntus_own <= got.keys()
    assert not [n for n in got if n.startswith("cuda-drivers") or n.endswith("-565")]


def test_apt_cuda_drivers_pinned_to_560_brings_the_proprietary_driver(
    channel: Channel, real_engine: RealEngine
) -> None:
    """`apt-get install cuda-drivers=560.35.05-1 --no-install-recommends` (§2, §8): the
    proprietary nvidia-driver-560, nvidia-dkms-560 and nvidia-kernel-source-560, none of the
    open packages, and none of the recommended nvidia-settings / nvidia-modprobe."""
    ubuntu = repository(channel.at(), "ubuntu2204", "amd64")
    command = "apt-get install --no-install-recommends cuda-drivers=560.35.05-1"
    got = installed(resolved(ubuntu, command, real_engine))
    assert got["cuda-drivers"] == "560.35.05-1"
    assert got["cuda-drivers-560"] == "560.35.05-1"
    for name in ("nvidia-driver-560", "nvidia-dkms-560", "nvidia-kernel-source-560"):
        assert got[name] == "560.35.05-0ubuntu1"
    assert not [n for n in got if "open" in n]
    assert not {"nvidia-settings", "nvidia-modprobe", "nvidia-prime"} & got.keys()


@pytest.mark.parametrize(
    ("target", "arch", "command", "kmod"),
    [
        ("rhel9", "x86_64", "dnf module install nvidia-driver:560-open", "kmod-nvidia-open-dkms"),
        (
            "sles15",
            "x86_64",
            "zypper install nvidia-open-560",
            "nvidia-open-driver-G06-signed-kmp-default",
        ),
        (
            "sles15",
            "x86_64",
            "zypper install nvidia-open-560-azure",
            "nvidia-open-driver-G06-signed-kmp-azure",
        ),
        (
            "sles15",
            "sbsa",
            "zypper install nvidia-open-560-64k",
            "nvidia-open-driver-G06-signed-kmp-64kb",
        ),
    ],
)
def test_pinned_branch_takes_its_newest_version_with_565_present(
    channel: Channel, real_engine: RealEngine, target: str, arch: str, command: str, kmod: str
) -> None:
    """The announcement's pinned-branch commands at the channel's last point: the newest
    560 open kernel module of that flavor, not 565's (repogen and the real dnf / zypper)."""
    got = installed(resolved(repository(channel.at(), target, arch), command, real_engine))
    assert got[kmod].split(":")[-1].startswith("560.35.05-1")


# -- RPM --------------------------------------------------------------------------------------


def test_rpm_toolkit_has_no_dist_tag_and_driver_metapackages_an_arch(channel: Channel) -> None:
    rhel9 = repository(channel.at(), "rhel9", "x86_64")
    toolkit = package(rhel9, "cuda-toolkit-12-6", "12.6.3-1")
    assert toolkit.arch == "x86_64"
    drivers = package(rhel9, "cuda-drivers", "3:565.57.01-1.el9")
    assert drivers.arch == "x86_64"


@pytest.mark.parametrize(
    ("point", "driver", "requires"),
    [
        (
            "cuda-12.5.1",
            "555.42.06",
            ["grubby", "nvidia-kmod", "nvidia-driver (= 3:555.42.06-1.el9)"],
        ),
        (
            "cuda-12.6.0",
            "560.28.03",
            ["grubby", "linux-firmware", "nvidia-modprobe", "nvidia-kmod (= 3:560.28.03-1.el9)"],
        ),
    ],
)
def test_nvidia_kmod_common_by_branch(
    channel: Channel, point: str, driver: str, requires: list[str]
) -> None:
    rhel9 = repository(channel.at(point), "rhel9", "x86_64")
    common = package(rhel9, "nvidia-kmod-common", f"3:{driver}-1.el9")
    assert related(common, RelationKind.DEPENDS) == requires


def test_rpm_driver_packages_reworked_at_560(channel: Channel) -> None:
    """nvidia-driver.spec at 560: libnvidia-ml/-fbc/-cfg, -cuda-libs takes over -devel,
    nvidia-driver requires dnf-plugin-nvidia, which has its own version (§8)."""
    before = repository(channel.at("cuda-12.5.1"), "rhel9", "x86_64")
    after = repository(channel.at("cuda-12.6.0"), "rhel9", "x86_64")
    new = {"libnvidia-ml", "libnvidia-fbc", "libnvidia-cfg"}
    assert not new & {p.name for p in before.packages}
    assert new <= {p.name for p in after.packages}
    assert package(before, "nvidia-driver-devel").version == "3:555.42.06-1.el9"
    assert "nvidia-driver-devel" not in {p.name for p in after.packages if "560" in p.version}
    cuda_libs = package(after, "nvidia-driver-cuda-libs", "3:560.28.03-1.el9")
    assert related(cuda_libs, RelationKind.PROVIDES) == [
        "nvidia-driver-devel (= 3:560.28.03-1.el9)"
    ]
    assert related(cuda_libs, RelationKind.OBSOLETES) == [
        "nvidia-driver-devel (<< 3:560.28.03-1.el9)"
    ]
    assert "dnf-plugin-nvidia" not in related(
        package(before, "nvidia-driver", "3:555.42.06-1.el9"), RelationKind.DEPENDS
    )
    assert "dnf-plugin-nvidia" in related(
        package(after, "nvidia-driver", "3:560.28.03-1.el9"), RelationKind.DEPENDS
    )
    assert [p.version for p in after.packages if p.name == "dnf-plugin-nvidia"] == ["2.0-1.el9"]


def test_only_the_open_dkms_kmod_conflicts(channel: Channel) -> None:
    rhel9 = repository(channel.at(), "rhel9", "x86_64")
    opened = package(rhel9, "kmod-nvidia-open-dkms")
    proprietary = package(rhel9, "kmod-nvidia-latest-dkms")
    assert related(opened, RelationKind.CONFLICTS) == ["kmod-nvidia-latest-dkms"]
    assert related(proprietary, RelationKind.CONFLICTS) == []


def test_precompiled_kmods_are_named_and_released_as_nvidias(channel: Channel) -> None:
    """kmod-nvidia-<driver>-<kver>-<krel>, Release 3 and the kernel's dist (§8)."""
    rhel8 = repository(channel.at(), "rhel8", "x86_64")
    kmods = {p.name: p.version for p in rhel8.packages if p.name.startswith("kmod-nvidia-5")}
    assert kmods["kmod-nvidia-560.35.05-4.18.0-553.22.1"] == "3:560.35.05-3.el8_10"
    assert kmods["kmod-nvidia-565.57.01-4.18.0-553.22.1"] == "3:565.57.01-3.el8_10"
    rhel9 = repository(channel.at(), "rhel9", "x86_64")
    precompiled = package(rhel9, "kmod-nvidia-565.57.01-5.14.0-427.13.1")
    assert precompiled.version == "3:565.57.01-3.el9_4"


def test_precompiled_kmods_carry_nvidias_rich_dependencies(
    channel: Channel, tmp_path: Path
) -> None:
    """kmod-nvidia.spec: `Requires: (kernel = KVER if kernel)` and `Supplements: (nvidia-driver =
    3:DRIVER and kernel = KVER)`, KVER the kernel's version-release with its dist (§8), as rpm
    reads them from the built package."""
    release = channel.at()
    (rhel9,) = release.select(["rhel9"], ["x86_64"])
    build(release, tmp_path / "out", [rhel9], BuildOptions(EPOCH))
    (path,) = (tmp_path / "out/rpm/rhel9/x86_64/Packages").glob("kmod-nvidia-565.57.01-*.rpm")
    ts = rpm.TransactionSet()
    ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES)
    with path.open("rb") as file:
        header = ts.hdrFromFdno(file.fileno())
    requires = [d.DNEVR()[2:] for d in rpm.ds(header, rpm.RPMTAG_REQUIRENAME)]
    assert "(kernel = 5.14.0-427.13.1.el9_4 if kernel)" in requires
    assert "kernel" not in requires
    supplements = [d.DNEVR()[2:] for d in rpm.ds(header, rpm.RPMTAG_SUPPLEMENTNAME)]
    assert supplements == ["(nvidia-driver = 3:565.57.01 and kernel = 5.14.0-427.13.1.el9_4)"]


PROFILES = {
    "latest": ("default", "fm", "ks", "src"),
    "open-dkms": ("default", "fm", "ks", "src"),
    "latest-dkms": ("default", "fm", "ks"),
}


@pytest.mark.parametrize(
    ("point", "default"), [("cuda-12.5.1", "latest-dkms"), ("cuda-12.6.0", "open-dkms")]
)
def test_module_profiles_and_default_stream(channel: Channel, point: str, default: str) -> None:
    """As `dnf module list nvidia-driver` showed on cuda-rhel8 (§7): the profiles of the
    latest streams, and the default stream before and from 560."""
    (module,) = repository(channel.at(point), "rhel8", "x86_64").modules
    assert module.default_stream == default
    for stream, profiles in PROFILES.items():
        found = module.stream(stream)
        assert found is not None
        assert tuple(sorted(found.profiles)) == profiles, stream


def test_the_default_profile_holds_every_branch_package_and_the_kmod(channel: Channel) -> None:
    rhel9 = repository(channel.at(), "rhel9", "x86_64")
    (module,) = rhel9.modules
    stream = module.stream("560-open")
    assert stream is not None
    default = set(stream.profiles["default"])
    assert {"kmod-nvidia-open-dkms", "cuda-drivers", "dnf-plugin-nvidia"} <= default
    assert {"libnvidia-ml", "libnvidia-fbc", "libnvidia-cfg", "nvidia-kmod-common"} <= default
    assert set(stream.profiles["ks"]) == default - {"cuda-drivers"}
    assert set(stream.profiles["fm"]) == default | {"nvidia-fabric-manager", "libnvidia-nscq-560"}


# -- SUSE -------------------------------------------------------------------------------------


def test_suse_userspace_and_kmp_requirements(channel: Channel) -> None:
    """The KMP alternative on nvidia-compute, -gl, -video, -drivers and -drivers-minimal only;
    nvidia-utils and nvidia-compute-utils require nvidia-compute; the KMPs the GSP firmware."""
    sles = repository(channel.at(), "sles15", "x86_64")
    version = "565.57.01-1"
    kmp = (
        f"nvidia-driver-G06-kmp (= {version}) | nvidia-open-driver-G06-kmp (= {version})"
        f" | nvidia-open-driver-G06-signed-kmp (= {version})"
    )
    with_kmp = [
        p.name
        for p in sles.packages
        if p.version == version and kmp in related(p, RelationKind.DEPENDS)
    ]
    assert sorted(with_kmp) == [
        "nvidia-compute-G06",
        "nvidia-drivers-G06",
        "nvidia-drivers-minimal-G06",
        "nvidia-gl-G06",
        "nvidia-video-G06",
    ]
    for name in ("nvidia-utils-G06", "nvidia-compute-utils-G06"):
        requires = related(package(sles, name, version), RelationKind.DEPENDS)
        assert requires == [f"nvidia-compute-G06 (= {version})"]
    firmware = f"kernel-firmware-nvidia-gspx-G06 (= {version})"
    for name in ("nvidia-open-driver-G06-signed-kmp-azure", "nvidia-driver-G06-kmp-default"):
        assert firmware in related(package(sles, name, version), RelationKind.DEPENDS)


@pytest.fixture(scope="module")
def dnf(tmp_path_factory: pytest.TempPathFactory, channel: Channel) -> DnfSandbox:
    """The real dnf over the bundled channel's rhel8 repository as it is built."""
    work = tmp_path_factory.mktemp("dnf")
    release = channel.at()
    (rhel8,) = release.select(["rhel8"], ["x86_64"])
    build(release, work / "out", [rhel8], BuildOptions(EPOCH))
    manifest = json.loads((work / "out" / "manifest.json").read_text())
    (entry,) = manifest["repos"]
    write_base_repository(work / "base", rhel8, EPOCH)
    return DnfSandbox.create(
        work / "dnf",
        [
            DnfRepository("base", (work / "base").as_uri()),
            DnfRepository("cuda", entry["client"]),
        ],
        releasever="8",
        platform="el8",
    )


def test_real_dnf_module_list(dnf: DnfSandbox) -> None:
    """`dnf module list nvidia-driver` (§7 [O]): every branch's streams, `open-dkms [d]`,
    and the profiles of the latest streams."""
    rows = {row.stream: row for row in module_list(dnf) if row.module == "nvidia-driver"}
    assert {"550", "550-dkms", "550-open", "565-open", "latest", "open-dkms"} <= rows.keys()
    assert [stream for stream, row in rows.items() if row.default] == ["open-dkms"]
    for stream, profiles in PROFILES.items():
        assert tuple(sorted(rows[stream].profiles)) == profiles, stream
