"""`repogen recommend`: the GPU → flavor decision, the command derived from the model, and the
machine it reads (sysfs, os-release, WSL)."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import repogen.cli.recommend
from repogen.cli import app
from repogen.cli.common import load_history
from repogen.model import ReleaseModel, load_release
from repogen.recommend import (
    GpuRule,
    Recommendation,
    load_supported_gpus,
    parse_device_id,
    read_pci_gpus,
    recommend,
)

from .conftest import RELEASES, ROOT

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data" / "recommend"
OS_RELEASES = DATA / "os-release"
SAMPLE = load_supported_gpus(repogen.cli.recommend.BUNDLED_GPUS)
RELEASE_12_5 = str(RELEASES / "cuda-12.5.yaml")

PASCAL, AMPERE, GH200, KEPLER_LEGACY, UNKNOWN = "0x1B80", "0x2204", "0x2342", "0x1180", "0x28FF"


#: Each model is loaded once for the whole module: loading dominates a command's run time.
cached_load_history = functools.cache(load_history)


@pytest.fixture(autouse=True)
def _load_each_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repogen.cli.recommend, "load_history", cached_load_history)


def run(*args: str) -> Result:
    return runner.invoke(app, ["recommend", *args])


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, "--json")
    return result.exit_code, json.loads(result.stdout)


def gpu_args(*ids: str) -> list[str]:
    return [word for devid in ids for word in ("--gpu", devid)]


def install_line(result: Result) -> str:
    return next(line for line in result.stdout.splitlines() if line.startswith("Install: "))


# ---------------------------------------------------------------- the decision (§5)


@pytest.mark.parametrize(
    ("ids", "flavor"),
    [
        pytest.param([PASCAL], "proprietary", id="pascal-only"),
        pytest.param([AMPERE], "open", id="ampere"),
        pytest.param([GH200], "open", id="gh200"),
        pytest.param([PASCAL, AMPERE], "proprietary", id="pascal+ampere"),
        pytest.param([PASCAL, GH200], "open", id="pascal+gh200"),
        pytest.param([UNKNOWN], "open", id="unknown-id"),
        pytest.param(["0x13C2", "0x1DB6", PASCAL], "proprietary", id="maxwell+volta+pascal"),
        pytest.param(["0x1E04", "0x20B0", "0x2330", "0x2684", GH200], "open", id="all-new"),
    ],
)
def test_each_decision_rule(release_12_6: ReleaseModel, ids: list[str], flavor: str) -> None:
    repository = release_12_6.select(["ubuntu2204"])[0]
    answer = recommend(release_12_6, repository, [parse_device_id(i) for i in ids], SAMPLE)
    assert answer.flavor == flavor
    assert answer.verified


@pytest.mark.parametrize(
    ("devid", "rule"),
    [
        *((d, GpuRule.PROPRIETARY_REQUIRED) for d in ("0x13C2", PASCAL, "0x1DB6")),
        *((d, GpuRule.EITHER) for d in ("0x1E04", "0x20B0", AMPERE, "0x2330", "0x2684")),
        (GH200, GpuRule.OPEN_REQUIRED),
        (UNKNOWN, GpuRule.OPEN_REQUIRED),
        (KEPLER_LEGACY, GpuRule.LEGACY),
    ],
)
def test_every_sample_gpu_gets_its_rule_and_a_reason(devid: str, rule: GpuRule) -> None:
    code, data = run_json("--target", "ubuntu2204", "--gpu", devid)
    (gpu,) = data["gpus"]
    assert (gpu["devid"], gpu["rule"]) == (devid, rule.value)
    assert gpu["reason"].startswith(f"{gpu['name']} ({devid}): " if gpu["name"] else devid)
    assert "\n" not in gpu["reason"]
    assert code == (1 if rule is GpuRule.LEGACY else 0)


def test_mixed_system_reasons_name_the_gpus() -> None:
    _, data = run_json("--target", "ubuntu2204", *gpu_args(PASCAL, GH200))
    assert data["reason"] == (
        "mixed: open required by NVIDIA GH200 480GB, although NVIDIA GeForce GTX 1080 cannot use it"
    )
    _, data = run_json("--target", "ubuntu2204", *gpu_args(PASCAL, AMPERE))
    assert data["reason"] == (
        "mixed: NVIDIA GeForce GTX 1080 cannot use the open modules and no GPU requires them"
    )


def test_unknown_id_is_assumed_newer_than_the_list() -> None:
    _, data = run_json("--target", "ubuntu2204", "--gpu", UNKNOWN)
    (gpu,) = data["gpus"]
    assert gpu == {
        "devid": UNKNOWN,
        "name": None,
        "rule": "open-required",
        "reason": f"{UNKNOWN}: open required: not in supported-gpus.json, so newer than the list",
        "legacy_branch": None,
    }


def test_a_legacy_gpu_is_flagged_and_left_out_of_the_decision() -> None:
    code, data = run_json("--target", "ubuntu2204", *gpu_args(KEPLER_LEGACY, AMPERE))
    assert code == 0
    assert data["flavor"] == "open"
    legacy = data["gpus"][0]
    assert legacy["legacy_branch"] == 470
    assert "only the 470.xx legacy driver supports it, not branch 560" in legacy["reason"]

    alone = run("--target", "ubuntu2204", "--gpu", KEPLER_LEGACY)
    assert alone.exit_code == 1
    assert alone.stderr == (
        "error: nothing to install: no GPU that this release's driver supports\n"
    )


def test_a_gpu_turned_legacy_after_the_release_branch_still_counts(tmp_path: Path) -> None:
    gpus = tmp_path / "supported-gpus.json"
    gpus.write_text(
        json.dumps(
            {
                "chips": [
                    {"devid": PASCAL, "name": "GTX 1080", "features": [], "legacybranch": "580.xx"}
                ]
            }
        )
    )
    code, data = run_json("--target", "ubuntu2204", "--gpu", PASCAL, "--supported-gpus", str(gpus))
    assert code == 0
    assert data["flavor"] == "proprietary"
    assert data["gpus"][0]["rule"] == "proprietary-required"
    assert data["gpus"][0]["reason"].endswith("; legacy after branch 580")


@pytest.mark.parametrize("text", ["2204", "0x2204", "0X2204", "10de:2204", "10DE:0x2204"])
def test_device_ids_are_accepted_in_every_usual_spelling(text: str) -> None:
    assert parse_device_id(text) == 0x2204


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0xZZ", "error: '0xZZ': expected a PCI device id such as 0x2204, 2204 or 10de:2204"),
        ("1002:73bf", "error: '1002:73bf': vendor 1002 is not NVIDIA (10de)"),
    ],
)
def test_bad_device_ids_are_one_line_errors(text: str, message: str) -> None:
    result = run("--target", "ubuntu2204", "--gpu", text)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


# ---------------------------------------------------------------- commands from the model


@pytest.mark.parametrize(
    ("target", "arch", "open_command", "proprietary_command"),
    [
        ("ubuntu2204", "amd64", "apt-get install nvidia-open", "apt-get install cuda-drivers"),
        ("debian12", "amd64", "apt-get install nvidia-open", "apt-get install cuda-drivers"),
        ("opensuse15", "x86_64", "zypper install nvidia-open", "zypper install cuda-drivers"),
        ("sles15", "x86_64", "zypper install nvidia-open", "zypper install cuda-drivers"),
        ("fedora40", "x86_64", "dnf install nvidia-open", "dnf install cuda-drivers"),
        *(
            (
                target,
                "x86_64",
                "dnf module install nvidia-driver:open-dkms",
                "dnf module install nvidia-driver:latest-dkms",
            )
            for target in ("rhel8", "rhel9", "amzn2023", "kylin10")
        ),
    ],
)
def test_each_family_prints_its_documented_command(
    target: str, arch: str, open_command: str, proprietary_command: str
) -> None:
    where = ["--target", target, "--arch", arch]
    assert install_line(run(*where, "--gpu", AMPERE)) == f"Install: {open_command}"
    assert install_line(run(*where, "--gpu", PASCAL)) == f"Install: {proprietary_command}"


@pytest.mark.parametrize(
    ("target", "open_command", "proprietary_command"),
    [
        ("ubuntu2404", "apt-get install nvidia-open-560", "apt-get install cuda-drivers-560"),
        ("sles15", "zypper install nvidia-open-560", "zypper install cuda-drivers-560"),
        (
            "rhel9",
            "dnf module install nvidia-driver:560-open",
            "dnf module install nvidia-driver:560-dkms",
        ),
    ],
)
def test_branch_pins_the_branch_entries(
    target: str, open_command: str, proprietary_command: str
) -> None:
    where = ["--target", target, "--branch", "560"]
    assert install_line(run(*where, "--gpu", GH200)) == f"Install: {open_command}"
    assert install_line(run(*where, "--gpu", PASCAL)) == f"Install: {proprietary_command}"


def test_fedora_has_no_pinned_proprietary_entry_and_names_the_closest() -> None:
    assert install_line(run("--target", "fedora40", "--branch", "560", "--gpu", GH200)) == (
        "Install: dnf install nvidia-open-560"
    )
    code, data = run_json("--target", "fedora40", "--branch", "560", "--gpu", PASCAL)
    assert code == 1
    assert data["command"] is None
    assert data["suggestion"] == "dnf install cuda-drivers"
    assert data["problem"] == (
        "cuda-12.6.0 has no branch entry installing the proprietary kernel modules on "
        "fedora40/x86_64; without --branch (the same branch in this release): "
        "dnf install cuda-drivers"
    )


def test_a_branch_the_release_does_not_provide_is_refused() -> None:
    result = run("--target", "ubuntu2204", "--gpu", AMPERE, "--branch", "550")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --branch 550: cuda-12.6.0 provides branch 560 only (driver 560.28.03)\n"
    )


@pytest.mark.parametrize(
    ("arch", "variant"),
    [("x86_64", "zypper install nvidia-open-azure"), ("sbsa", "zypper install nvidia-open-64k")],
)
def test_suse_prints_the_default_kernel_entry_and_names_the_other_kernel_flavors(
    arch: str, variant: str
) -> None:
    code, data = run_json("--target", "sles15", "--arch", arch, "--gpu", GH200)
    assert code == 0
    assert data["command"] == "zypper install nvidia-open"
    assert data["variants"] == [variant]
    assert data["kernel_modules"] == ["nvidia-open-driver-G06-signed-kmp-default"]
    text = run("--target", "sles15", "--arch", arch, "--gpu", GH200).stdout
    assert f"Other kernel flavors: {variant}\n" in text
    _, opensuse = run_json("--target", "opensuse15", "--gpu", GH200)
    assert opensuse["variants"] == []


def test_12_5_has_no_open_entry_on_apt_and_says_so() -> None:
    code, data = run_json(RELEASE_12_5, "--target", "ubuntu2204", "--gpu", AMPERE)
    assert code == 1
    assert data["flavor"] == "open"
    assert data["command"] is None
    assert data["suggestion"] == "apt-get install cuda-drivers"
    assert data["problem"] == (
        "cuda-12.5.1 has no latest entry installing the open kernel modules on "
        "ubuntu2204/amd64; every GPU also runs the proprietary ones: apt-get install cuda-drivers"
    )
    required = run(RELEASE_12_5, "--target", "ubuntu2204", "--gpu", GH200)
    assert required.exit_code == 1
    assert required.stderr == (
        "error: cuda-12.5.1 has no latest entry installing the open kernel modules on "
        "ubuntu2204/amd64\n"
    )
    modular = run(RELEASE_12_5, "--target", "rhel9", "--gpu", GH200, "--verify")
    assert modular.exit_code == 0, modular.output
    assert install_line(modular) == "Install: dnf module install nvidia-driver:open-dkms"


@pytest.mark.parametrize(
    "repository",
    [
        pytest.param((r.target_name, r.arch), id=f"{r.target_name}-{r.arch}")
        for r in load_release(RELEASES / "cuda-12.6.yaml").repositories
    ],
)
@pytest.mark.parametrize("gpu", [AMPERE, PASCAL])
def test_verify_passes_for_every_target_and_arch_of_the_bundled_release(
    repository: tuple[str, str], gpu: str
) -> None:
    target, arch = repository
    code, data = run_json("--target", target, "--arch", arch, "--gpu", gpu, "--verify")
    assert code == 0, data
    assert data["verified"] is True
    assert data["kernel_modules"] or data["flavor"] == "none"


def test_verify_shows_what_the_command_installs() -> None:
    result = run("--target", "rhel9", "--gpu", PASCAL, "--verify")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "Verified: dnf module install nvidia-driver:latest-dkms installs "
        "kmod-nvidia-latest-dkms (proprietary kernel modules)"
    )
    _, data = run_json("--target", "rhel9", "--gpu", PASCAL)
    assert data["verified"] is None


def test_verify_fails_when_the_command_does_not_install_the_flavor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def mixed(*args: Any) -> Recommendation:
        answer = recommend(*args)
        assert answer.command is not None
        return replace(answer, command=replace(answer.command, flavor="mixed"))

    monkeypatch.setattr(repogen.cli.recommend, "recommend", mixed)
    result = run("--target", "ubuntu2204", "--gpu", AMPERE, "--verify")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --verify: apt-get install nvidia-open installs nvidia-dkms-560-open "
        "(mixed kernel modules)\n"
    )
    code, data = run_json("--target", "ubuntu2204", "--gpu", AMPERE, "--verify")
    assert (code, data["verified"]) == (1, False)
    assert run("--target", "ubuntu2204", "--gpu", AMPERE).exit_code == 0


def test_json_keys() -> None:
    code, data = run_json("--target", "ubuntu2204", *gpu_args(PASCAL, GH200), "--verify")
    assert code == 0
    assert data == {
        "release": "cuda-12.6.0",
        "target": "ubuntu2204",
        "arch": "amd64",
        "flavor": "open",
        "reason": data["reason"],
        "gpus": data["gpus"],
        "entry": "latest",
        "command": "apt-get install nvidia-open",
        "variants": [],
        "kernel_modules": ["nvidia-dkms-560-open"],
        "verified": True,
        "problem": None,
        "suggestion": None,
    }
    assert [set(g) for g in data["gpus"]] == [
        {"devid", "name", "rule", "reason", "legacy_branch"}
    ] * 2


def test_help_has_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Example: repogen recommend " in result.stdout


# ---------------------------------------------------------------- the machine


def fake_machine(root: Path, os_release: str = "ubuntu-22.04", kernel: str = "generic") -> Path:
    """A sys-root like a real one: sys/bus/pci/devices/* link into sys/devices/pci0000:00."""
    devices = root / "sys" / "bus" / "pci" / "devices"
    devices.mkdir(parents=True)
    for address, vendor, device, klass in [
        ("0000:00:02.0", "0x8086", "0x9a49", "0x030000"),  # Intel integrated graphics
        ("0000:01:00.0", "0x10de", "0x2204", "0x030000"),  # RTX 3090, VGA
        ("0000:01:00.1", "0x10de", "0x1aef", "0x040300"),  # its HDMI audio function
        ("0000:41:00.0", "0x10de", "0x1b80", "0x030200"),  # GTX 1080 as a 3D controller
    ]:
        real = root / "sys" / "devices" / "pci0000:00" / address
        real.mkdir(parents=True)
        for name, value in (("vendor", vendor), ("device", device), ("class", klass)):
            (real / name).write_text(value + "\n")
        (devices / address).symlink_to(Path("../../../devices/pci0000:00") / address)
    (root / "etc").mkdir()
    (root / "etc" / "os-release").write_bytes((OS_RELEASES / os_release).read_bytes())
    (root / "proc").mkdir()
    (root / "proc" / "version").write_text(
        f"Linux version 5.15.0-105-{kernel} (buildd@lcy02-amd64-007) (gcc 11.4.0) #115-Ubuntu\n"
    )
    return root


def test_sysfs_gives_the_nvidia_display_controllers_only(tmp_path: Path) -> None:
    assert read_pci_gpus(fake_machine(tmp_path)) == (0x2204, 0x1B80)


def test_a_machine_is_read_whole_from_its_sys_root(tmp_path: Path) -> None:
    root = fake_machine(tmp_path)
    code, data = run_json("--sys-root", str(root), "--verify")
    assert code == 0
    assert (data["target"], data["flavor"]) == ("ubuntu2204", "proprietary")
    assert [g["devid"] for g in data["gpus"]] == [AMPERE, PASCAL]
    assert data["command"] == "apt-get install cuda-drivers"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda root: (root / "sys/devices/pci0000:00/0000:01:00.0/class").write_text("VGA\n"),
            "sys/bus/pci/devices/0000:01:00.0/class: "
            "expected a hexadecimal number such as 0x10de, got 'VGA'",
        ),
        (
            lambda root: (root / "sys/devices/pci0000:00/0000:41:00.0/device").unlink(),
            "sys/bus/pci/devices/0000:41:00.0/device: cannot read",
        ),
    ],
)
def test_a_malformed_sysfs_file_is_named(
    tmp_path: Path, damage: Callable[[Path], object], message: str
) -> None:
    root = fake_machine(tmp_path)
    damage(root)
    result = run("--sys-root", str(root))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_os_release_falls_back_to_usr_lib(tmp_path: Path) -> None:
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_bytes((OS_RELEASES / "rhel-9.4").read_bytes())
    code, data = run_json("--sys-root", str(tmp_path), "--gpu", AMPERE)
    assert (code, data["target"]) == (0, "rhel9")
    result = run("--sys-root", str(tmp_path / "empty"), "--gpu", AMPERE)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {tmp_path}/empty/etc/os-release: no such file; name the target with --target\n"
    )


def test_a_machine_without_nvidia_gpus_asks_for_gpu(tmp_path: Path) -> None:
    (tmp_path / "sys/bus/pci/devices").mkdir(parents=True)
    result = run("--sys-root", str(tmp_path), "--target", "ubuntu2204")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {tmp_path}/sys/bus/pci/devices: no NVIDIA display controller "
        "(vendor 0x10de, class 0x03xxxx); name the GPUs with --gpu\n"
    )
    result = run("--sys-root", str(tmp_path / "nowhere"), "--target", "ubuntu2204")
    assert result.exit_code == 2
    assert "sys/bus/pci/devices: not a directory" in result.stderr


@pytest.mark.parametrize(
    ("os_release", "target"),
    [
        ("ubuntu-22.04", "ubuntu2204"),
        ("ubuntu-24.04", "ubuntu2404"),
        ("debian-12", "debian12"),
        ("rhel-9.4", "rhel9"),
        ("rocky-8.10", "rhel8"),
        ("fedora-40", "fedora40"),
        ("amzn-2023", "amzn2023"),
        ("kylin-v10", "kylin10"),
        ("sles-15-sp6", "sles15"),
        ("opensuse-leap-15.6", "opensuse15"),
    ],
)
def test_os_release_detects_the_target(os_release: str, target: str) -> None:
    code, data = run_json("--os-release", str(OS_RELEASES / os_release), "--gpu", AMPERE)
    assert code == 0
    assert data["target"] == target


@pytest.mark.parametrize(
    ("os_release", "message"),
    [
        (
            "ubuntu-18.04",
            "ubuntu 18.04 is not a target of cuda-12.6.0 (amzn2023, debian12, fedora40, "
            "kylin10, opensuse15, rhel8, rhel9, sles15, ubuntu2004, ubuntu2204, ubuntu2404, "
            "wsl-ubuntu); name one with --target",
        ),
        ("no-version-id", "no VERSION_ID; name the target with --target"),
        ("malformed", """:3: expected KEY=value, got 'VERSION_ID="22.04'"""),
    ],
)
def test_unusable_os_release_is_a_one_line_error(os_release: str, message: str) -> None:
    path = OS_RELEASES / os_release
    result = run("--os-release", str(path), "--gpu", AMPERE)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}")
    assert result.stderr.endswith(message + "\n")
    assert result.stderr.count("\n") == 1


def test_wsl_installs_the_toolkit_and_no_driver(tmp_path: Path) -> None:
    root = fake_machine(tmp_path, "ubuntu-24.04", kernel="microsoft-standard-WSL2")
    shutil.rmtree(root / "sys")  # WSL's GPUs are not on its PCI bus; no answer may need them
    code, data = run_json("--sys-root", str(root), "--verify")
    assert code == 0
    assert data["target"] == "wsl-ubuntu"
    assert data["flavor"] == "none"
    assert data["gpus"] == []
    assert data["command"] == "apt-get install cuda-toolkit-12-6"
    assert data["kernel_modules"] == []
    assert data["verified"] is True
    text = run("--target", "wsl-ubuntu", "--gpu", GH200, "--verify").stdout.splitlines()
    assert text[2] == (
        "Kernel modules: none (wsl-ubuntu uses the host's driver (WSL): nothing driver-related "
        "may be installed inside it, only the CUDA toolkit)"
    )
    assert text[3:] == [
        "Install: apt-get install cuda-toolkit-12-6",
        "Verified: apt-get install cuda-toolkit-12-6 installs no kernel modules (none)",
    ]


# ---------------------------------------------------------------- supported-gpus.json


def test_the_bundled_sample_covers_the_domain_ids() -> None:
    ids = {
        "0x13C2", "0x1B80", "0x1DB6", "0x1E04", "0x20B0", "0x2204", "0x2330", "0x2684", "0x2342",
    }  # fmt: skip
    assert {parse_device_id(i) for i in ids} < set(SAMPLE.chips)
    assert any(chip.legacy_branch for chip in SAMPLE.chips.values())
    assert SAMPLE.source == ROOT / "repogen" / "data" / "supported-gpus.json"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"chips": [', "malformed JSON: Expecting value: line 1 column 12 (char 11)"),
        ('{"gpus": []}', 'expected an object with a "chips" list'),
        ('{"chips": [42]}', "chips[0]: expected an object with devid, name and features"),
        (
            '{"chips": [{"devid": "2204", "name": "x", "features": []}]}',
            """chips[0].devid: expected a PCI device id such as "0x2204", got '2204'""",
        ),
        (
            '{"chips": [{"devid": "0xG204", "name": "x", "features": []}]}',
            "chips[0].devid: '0xG204': expected a PCI device id such as 0x2204, 2204 or 10de:2204",
        ),
        (
            '{"chips": [{"devid": "0x2204", "name": "x", "features": "kernelopen"}]}',
            "chips[0].features: expected a list of strings, got 'kernelopen'",
        ),
        (
            '{"chips": [{"devid": "0x2204", "name": "x", "features": [], "legacybranch": 470}]}',
            'chips[0].legacybranch: expected a branch such as "470.xx", got 470',
        ),
    ],
)
def test_a_bad_supported_gpus_file_is_a_one_line_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "supported-gpus.json"
    path.write_text(content)
    result = run("--target", "ubuntu2204", "--gpu", AMPERE, "--supported-gpus", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: {message}\n"


def test_a_missing_supported_gpus_file_is_named(tmp_path: Path) -> None:
    result = run("--target", "ubuntu2204", "--supported-gpus", str(tmp_path / "none.json"))
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path}/none.json: cannot read: No such file or directory\n"
