"""`repogen recommend`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repogen.channel import Channel
from repogen.cli.common import (
    AtOption,
    JsonOption,
    app,
    fail,
    load_history,
    point_of,
    print_json,
    repository_of,
)
from repogen.cli.inputs import InputArgument, KeyringOption, RepositoryOptions
from repogen.data import SUPPORTED_GPUS
from repogen.model import Repository
from repogen.recommend import (
    Outcome,
    Recommendation,
    detect_target,
    is_wsl,
    load_supported_gpus,
    os_release_path,
    parse_device_id,
    read_os_release,
    read_pci_gpus,
    recommend,
    recommendation_json,
)
from repogen.recommend.errors import InputError

#: The bundled sample of NVIDIA's supported-gpus.json.
BUNDLED_GPUS = SUPPORTED_GPUS


@app.command("recommend")
def recommend_command(
    model: InputArgument = None,
    at: AtOption = None,
    gpus: Annotated[
        list[str] | None,
        typer.Option(
            "--gpu",
            help="PCI device id of a GPU: 2204, 0x2204 or 10de:2204 (repeatable). "
            "Default: the NVIDIA display controllers under --sys-root.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            help="Target to install on. Default: detected from os-release (and WSL).",
            show_default=False,
        ),
    ] = None,
    arch: Annotated[
        str | None, typer.Option("--arch", help="Architecture (default: the target's first).")
    ] = None,
    branch: Annotated[
        str | None,
        typer.Option("--branch", help="Pin the driver branch (the release's own, e.g. 560)."),
    ] = None,
    supported_gpus: Annotated[
        Path | None,
        typer.Option(
            "--supported-gpus",
            help="NVIDIA's supported-gpus.json. Default: the bundled sample.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    sys_root: Annotated[
        Path,
        typer.Option(
            "--sys-root",
            help="Root of the machine to inspect: its sys/bus/pci/devices, etc/os-release "
            "and proc/version.",
            file_okay=False,
        ),
    ] = Path("/"),
    os_release: Annotated[
        Path | None,
        typer.Option(
            "--os-release",
            help="os-release file to detect the target from. Default: the one under --sys-root.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Show what the command installs, by repogen's resolver; exit 1 unless it "
            "installs exactly that flavor.",
        ),
    ] = False,
    as_json: JsonOption = False,
    keyring: KeyringOption = None,
) -> None:
    """Tell which GPU kernel modules (open or proprietary) a machine needs and the command
    that installs them on its target, derived from the release model.

    Each GPU is looked up in NVIDIA's supported-gpus.json: no kernelopen needs the proprietary
    modules, kernelopen with gsp_proprietary_supported takes either, kernelopen alone or an
    unknown id needs the open ones; a mixed system gets open when any GPU needs it, else
    proprietary.  A legacy GPU (driven only by an older legacybranch) is flagged and not
    counted.  The command is the target's entry package or module stream (latest, or the
    branch with --branch) whose resolution installs that flavor.  Under WSL nothing
    driver-related is installed: the answer is the CUDA toolkit.  Exits 1 when the release has
    no such command (naming the closest) or --verify fails, 2 on unusable input.

    Example: repogen recommend --gpu 0x2204 --gpu 0x1b80 --target rhel9 --verify
    """
    # Unusable input (InputError) ends as every domain error does: one line, exit 2.
    channel = load_history(model, RepositoryOptions(target, keyring))
    release = point_of(channel, at)
    supported = load_supported_gpus(supported_gpus or BUNDLED_GPUS)
    devids = [parse_device_id(gpu) for gpu in gpus or ()]
    if target is None:
        system = read_os_release(os_release or os_release_path(sys_root))
        target = detect_target(release, system, is_wsl(sys_root))
    repository = repository_of(release, target, arch)
    if not devids and repository.target.drivers:
        devids = list(read_pci_gpus(sys_root))
    pinned = _pinned(channel, at, branch, repository) if len(channel.points) > 1 else None
    answer = recommend(release, repository, devids, supported, branch, pinned)
    if as_json:
        print_json(recommendation_json(answer, verify))
    else:
        _print(answer, verify)
    if answer.problem:
        if not as_json:
            fail(answer.problem)
        raise typer.Exit(1)
    if verify and answer.command is not None and not answer.verified:
        if not as_json:
            fail(f"--verify: {_verification(answer.command)}")
        raise typer.Exit(1)


def _pinned(
    channel: Channel, at: str | None, branch: str | None, repository: Repository
) -> Repository | None:
    """On a channel, the repository of the newest release of *branch* (up to *at*), whose
    entries pin it: the merged repository has every branch's."""
    if branch is None:
        return None
    branches = channel.branches(at)
    own = branches.get(branch)
    if own is None:
        raise InputError(
            f"--branch {branch}: no release of {channel.source} has it; "
            f"branches: {', '.join(sorted(branches))}"
        )
    place = (repository.target_name, repository.arch)
    found = [r for r in own.repositories if (r.target_name, r.arch) == place]
    if not found:
        raise InputError(f"--branch {branch}: {own.release.name} has no {'/'.join(place)}")
    return found[0]


def _print(answer: Recommendation, verify: bool) -> None:
    typer.echo(f"{answer.release} on {answer.target}/{answer.arch}")
    for gpu in answer.gpus:
        typer.echo(f"  {gpu.reason}")
    typer.echo(f"Kernel modules: {answer.flavor or '-'} ({answer.reason})")
    if answer.command is None:
        return
    typer.echo(f"Install: {answer.command.command}")
    if answer.variants:
        typer.echo(f"Other kernel flavors: {', '.join(answer.variants)}")
    if verify and answer.verified:
        typer.echo(f"Verified: {_verification(answer.command)}")


def _verification(result: Outcome) -> str:
    """What repogen's resolver says the command does."""
    if not result.ok:
        return f"{result.command} cannot be resolved: {' '.join(result.problems)}"
    if not result.kernel_modules:
        return f"{result.command} installs no kernel modules ({result.flavor})"
    return (
        f"{result.command} installs {', '.join(result.kernel_modules)} "
        f"({result.flavor} kernel modules)"
    )
