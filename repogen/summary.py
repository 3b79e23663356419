"""What `repogen validate` reports about a loaded release."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from repogen.model import KernelModuleFlavor, ReleaseModel, Repository


@dataclass(frozen=True)
class RepositorySummary:
    target: str
    family: str
    arch: str
    packages: int
    open_providers: tuple[str, ...]
    proprietary_providers: tuple[str, ...]
    patterns: tuple[str, ...]
    streams: tuple[str, ...]
    default_stream: str | None


def _providers(repository: Repository, flavor: KernelModuleFlavor) -> tuple[str, ...]:
    return tuple(p.name for p in repository.packages if p.kernel_module is flavor)


def summarize(model: ReleaseModel) -> list[RepositorySummary]:
    """One summary line per repository of *model*."""
    rows = []
    for repo in model.repositories:
        streams = tuple(f"{m.name}:{s.name}" for m in repo.modules for s in m.streams)
        default = next(
            (f"{m.name}:{m.default_stream}" for m in repo.modules if m.default_stream), None
        )
        rows.append(
            RepositorySummary(
                target=repo.target_name,
                family=repo.family.value,
                arch=repo.arch,
                packages=len(repo.packages),
                open_providers=_providers(repo, KernelModuleFlavor.OPEN),
                proprietary_providers=_providers(repo, KernelModuleFlavor.PROPRIETARY),
                patterns=tuple(p.pattern.name for p in repo.packages if p.pattern is not None),
                streams=streams,
                default_stream=default,
            )
        )
    return rows


def summary_json(model: ReleaseModel) -> dict[str, Any]:
    release = model.release
    return {
        "release": release.name,
        "model": model.source,
        "releases": list(model.releases or (release.name,)),
        "cuda": release.cuda,
        "driver": release.driver,
        "branch": release.driver.split(".")[0],
        "default_flavor": release.default_flavor.value,
        "repositories": [asdict(row) for row in summarize(model)],
    }
