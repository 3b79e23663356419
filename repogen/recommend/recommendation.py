"""The answer of `repogen recommend`: the flavor a machine's GPUs need on one target, and the
command that installs it there, proved with repogen's resolver.

- Without ``--branch`` the ``latest`` entries are used, with it the ``branch`` ones (only the
  release's own branch exists in a release model; in a channel's repository, those of the
  newest release of that branch, resolved in the repository that holds every release).
- When the release has no entry installing the needed flavor, the answer says so (``problem``)
  and names the closest command when there is one (``suggestion``): the ``latest`` entry when
  only the branch-pinned one is missing, or the other flavor when every GPU accepts both.
- On a target without drivers (WSL) nothing driver-related may be installed: the answer is the
  CUDA toolkit, whose resolution must bring no kernel modules (flavor ``none``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from repogen.families import driver
from repogen.model import KernelModuleFlavor, ReleaseModel, Repository
from repogen.model.declarations import Entry
from repogen.model.templates import fill, release_variables
from repogen.recommend.commands import choose, outcome
from repogen.recommend.errors import InputError
from repogen.recommend.gpus import (
    GpuRule,
    GpuVerdict,
    SupportedGpus,
    classify,
    decide,
    format_device_id,
)
from repogen.resolve.outcome import Outcome, OutcomeFlavor

#: The toolkit metapackage, as the model names it; it never pulls a driver (§1).
TOOLKIT = "cuda-toolkit-{cuda_dash}"


@dataclass(frozen=True)
class Recommendation:
    """What one machine's GPUs need on one target of a release, and how to install it."""

    release: str
    target: str
    arch: str
    gpus: tuple[GpuVerdict, ...]
    #: open or proprietary; ``none`` on a target without drivers; None when no GPU counts.
    flavor: OutcomeFlavor | None
    #: Why the system needs that flavor, in one line.
    reason: str
    #: ``latest`` or ``branch``: which entries the command was chosen from.
    entry: Entry
    #: The command, as resolved; None when there is none (then ``problem`` says why).
    command: Outcome | None = None
    #: Other commands installing the same flavor (SUSE kernel flavors: -azure, -64k).
    variants: tuple[str, ...] = ()
    problem: str | None = None
    suggestion: str | None = None

    @property
    def verified(self) -> bool:
        """The command resolves and installs exactly the recommended flavor (``none``: no
        kernel modules at all)."""
        return (
            self.command is not None
            and self.flavor is not None
            and self.command.installs(self.flavor)
        )


def recommend(
    release: ReleaseModel,
    repository: Repository,
    devids: Sequence[int],
    supported: SupportedGpus,
    branch: str | None = None,
    pinned: Repository | None = None,
) -> Recommendation:
    """What the GPUs *devids* need on *repository*, and the command installing it; *pinned*
    is the repository of the newest release of *branch*, whose entries pin it, when
    *repository* holds several releases (a channel's)."""
    variables = release_variables(release.release)
    if branch is not None and pinned is None and branch != variables["branch"]:
        raise InputError(
            f"--branch {branch}: {release.release.name} provides branch {variables['branch']} "
            f"only (driver {release.release.driver})"
        )
    verdicts = tuple(classify(d, supported, int(branch or variables["branch"])) for d in devids)
    entry: Entry = "latest" if branch is None else "branch"
    where = f"{repository.target_name}/{repository.arch}"
    answer = Recommendation(
        release.release.name, repository.target_name, repository.arch, verdicts, None, "", entry
    )
    if not repository.target.drivers:
        answer = replace(
            answer,
            flavor=OutcomeFlavor.NONE,
            reason=f"{repository.target_name} uses the host's driver (WSL): nothing "
            "driver-related may be installed inside it, only the CUDA toolkit",
        )
        toolkit = fill(TOOLKIT, variables)
        if repository.package(toolkit) is None:
            return replace(answer, problem=f"no {toolkit} on {where}")
        return replace(
            answer,
            command=outcome(repository, f"{driver(repository.family).install_command} {toolkit}"),
        )
    decision = decide(verdicts)
    answer = replace(answer, reason=decision.reason)
    if decision.flavor is None:
        return replace(answer, problem=f"nothing to install: {decision.reason}")
    flavor = OutcomeFlavor.of([decision.flavor])
    answer = replace(answer, flavor=flavor)
    choice = choose(repository, flavor, entry, pinned)
    if choice is not None:
        return replace(answer, command=choice.outcome, variants=choice.variants)
    problem = (
        f"{release.release.name} has no {entry} entry installing the {decision.flavor} kernel "
        f"modules on {where}"
    )
    closest = _closest(repository, decision.flavor, entry, verdicts, pinned is not None)
    if closest is None:
        return replace(answer, problem=problem)
    command, why = closest
    return replace(answer, problem=f"{problem}; {why}: {command}", suggestion=command)


def _closest(
    repository: Repository,
    flavor: KernelModuleFlavor,
    entry: Entry,
    verdicts: Sequence[GpuVerdict],
    branches: bool = False,
) -> tuple[str, str] | None:
    """The nearest command to a missing one, and why: the latest entry of the flavor when the
    branch-pinned one is missing, else the other flavor when every GPU accepts both.
    *branches*: *repository* holds several branches (a channel's), the latest one newer."""
    if entry == "branch" and (latest := choose(repository, OutcomeFlavor.of([flavor]), "latest")):
        same = "the newest branch" if branches else "the same branch in this release"
        return latest.outcome.command, f"without --branch ({same})"
    if all(v.rule in {GpuRule.EITHER, GpuRule.LEGACY} for v in verdicts):
        other = next(f for f in KernelModuleFlavor if f is not flavor)
        if choice := choose(repository, OutcomeFlavor.of([other]), entry):
            return choice.outcome.command, f"every GPU also runs the {other} ones"
    return None


def recommendation_json(answer: Recommendation, verify: bool) -> dict[str, object]:
    """The answer as `repogen recommend --json` prints it; ``verified`` is null unless asked."""
    command = answer.command
    return {
        "release": answer.release,
        "target": answer.target,
        "arch": answer.arch,
        "flavor": None if answer.flavor is None else answer.flavor.value,
        "reason": answer.reason,
        "gpus": [
            {
                "devid": format_device_id(gpu.devid),
                "name": gpu.name,
                "rule": gpu.rule.value,
                "reason": gpu.reason,
                "legacy_branch": gpu.legacy_branch,
            }
            for gpu in answer.gpus
        ],
        "entry": answer.entry,
        "command": command.command if command else None,
        "variants": list(answer.variants),
        "kernel_modules": list(command.kernel_modules) if command else [],
        "verified": answer.verified if verify else None,
        "problem": answer.problem,
        "suggestion": answer.suggestion,
    }
