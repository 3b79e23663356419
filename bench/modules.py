"""dnf module requests over a ``modules.yaml`` with the streams of many driver branches.

A synthetic channel (:mod:`bench.channel`) whose releases each carry their own driver branch
and its precompiled kmod, so that its rhel9 repository's ``nvidia-driver`` module has the
``B``, ``B-dkms`` and ``B-open`` streams of every branch, plus ``latest``, ``latest-dkms`` and
``open-dkms``.  Each request is resolved by repogen's dnf resolver in-process (the channel's
model loaded) and by the real dnf: ``dnf --assumeno`` in the real engine's sandbox, over the
engine's publication of the repository (rpm-md repositories in which no name occurs twice, the
first with ``modules.yaml``), published and with dnf's metadata cache made before the runs,
untimed.
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Iterator
from pathlib import Path

import yaml

from bench.channel import ChannelShape, write_channel
from bench.generator import TARGETS
from bench.timing import Row
from bench.workloads import Settings, resolved_afresh
from repogen.channel import load_channel
from repogen.engine import RealEngine
from repogen.families.rpm.client import DnfSandbox
from repogen.families.rpm.runner import DnfRunner
from repogen.model import Family
from repogen.resolve import resolve
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import universe_for

TARGET = TARGETS["rpm"]


def _requests(shape: ChannelShape) -> tuple[str, ...]:
    oldest = shape.branches(1)[0]
    return (
        "dnf module install nvidia-driver:latest-dkms",
        f"dnf module install nvidia-driver:{oldest}-open",
        "dnf install cuda",
    )


def _contents(work: Path) -> str:
    """How many streams and artifacts the ``modules.yaml`` the real dnf read holds (its copy
    in the sandbox's dnf cache)."""
    (path,) = sorted(work.glob("rpm/*/root/var/cache/dnf/*/repodata/*-modules.yaml.gz"))
    documents = [d for d in yaml.safe_load_all(gzip.decompress(path.read_bytes())) if d is not None]
    streams = [d["data"] for d in documents if d["document"] == "modulemd"]
    artifacts = sum(len(s.get("artifacts", {}).get("rpms", ())) for s in streams)
    return f"modules.yaml: {len(streams)} streams, {artifacts:,} artifacts"


def _agreement(ours: Resolution, theirs: Resolution) -> str:
    """Whether repogen and dnf answer alike (install set and streams), or how they differ."""
    if not (ours.ok and theirs.ok):
        return f"ok: repogen {ours.ok}, dnf {theirs.ok}"
    mine, dnf = set(ours.install), set(theirs.install)
    if mine == dnf and set(ours.modules) == set(theirs.modules):
        streams = ", ".join(sorted(ours.modules)) or "no stream"
        return f"same as dnf: {len(mine)} packages, {streams}"
    return (
        f"differs from dnf ({len(mine)} vs {len(dnf)} packages; streams "
        f"{', '.join(sorted(ours.modules)) or '-'} vs {', '.join(sorted(theirs.modules)) or '-'}): "
        f"only repogen {', '.join(sorted(str(p) for p in mine - dnf)[:3]) or '-'}; "
        f"only dnf {', '.join(sorted(str(p) for p in dnf - mine)[:3]) or '-'}"
    )


def modules_rows(settings: Settings) -> Iterator[Row]:
    """Per request, repogen's dnf resolver against the real dnf over the channel's rhel9
    repository."""
    shape = ChannelShape(
        settings.channel_releases, settings.channel_size, settings.channel_new, own_branches=True
    )
    work = settings.scratch("modules")
    channel_file, _ = write_channel(work / "models", shape)
    (repository,) = load_channel(channel_file).at().select([TARGET])
    universe = universe_for(repository)
    what = f"a channel of {shape.releases} releases, one branch each ({shape.size:,} packages)"
    with RealEngine(work / "engine") as engine:
        for text in _requests(shape):
            request = parse_request(text)
            ours = resolve(universe, request)
            theirs = engine(repository, universe, request)  # publishes, makes the sandbox
            yield Row(
                "scale",
                shape.size,
                f"repogen: `{text}` over {what} (model loaded)",
                settings.timed(functools.partial(resolved_afresh, universe, request)),
                reference="dnf --assumeno in the real engine's sandbox",
                reference_timing=settings.timed(
                    functools.partial(_sandbox(engine).resolve, request.words())
                ),
                note=f"{_contents(engine.work)}; {_agreement(ours, theirs)}",
            )


def _sandbox(engine: RealEngine) -> DnfSandbox:
    """The one dnf sandbox the engine made: dnf alone is timed, not the engine's look-up of
    its publication (which hashes the universe)."""
    runner = engine.runner(Family.RPM)
    assert isinstance(runner, DnfRunner)
    (sandbox,) = runner.sandboxes.made.values()
    return sandbox
