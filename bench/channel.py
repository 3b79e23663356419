"""Synthetic channels: many releases of one repository per target, and one more to publish.

A channel of *releases* releases holds *size* packages per target in all: each release is a
generated model (:mod:`bench.generator`) of ``size / releases`` packages at its own revision,
so every release moves every version and the channel's repositories hold each name at
*releases* versions, as NVIDIA's hold each release's packages.  The release published into it
has *new* packages: the names of the releases before at new versions, and new names.
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench import toolchain
from bench.generator import BRANCHES, TARGETS, Shape, write_model
from bench.timing import Row, Timing, measure, run, run_command
from bench.workloads import REPOGEN, Settings
from repogen.build import build, source_date_epoch
from repogen.channel import load_channel
from repogen.model import Family, ReleaseModel, Repository, load_release
from repogen.publish.base import BuildOptions
from repogen.publish.into import publish_into


@dataclass(frozen=True)
class ChannelShape:
    """A channel of *releases* releases holding *size* packages per target, and a release
    of *new* packages to publish into it."""

    releases: int
    size: int
    new: int
    #: Each release at its own driver branch (release r at branch ``400 + r``) with its
    #: precompiled kmod, instead of every release at the newest of :data:`BRANCHES` that fit:
    #: a ``modules.yaml`` with the ``B``, ``B-dkms`` and ``B-open`` streams of as many
    #: branches as releases.
    own_branches: bool = False

    @property
    def per_release(self) -> int:
        return self.size // self.releases

    def release_name(self, revision: int) -> str:
        return f"synthetic-channel-r{revision:03d}"

    def branches(self, revision: int) -> tuple[str, ...]:
        """The driver branches release *revision* may have, oldest first."""
        return (str(400 + revision),) if self.own_branches else BRANCHES


def _written(path: Path, packages: int, revision: int, name: str, shape: ChannelShape) -> Path:
    """The model of one release: as many of its newest branches as *packages* leave room
    for."""
    branches = shape.branches(revision)
    for count in range(len(branches), 0, -1):
        try:
            generated = Shape(packages, revision, branches[-count:], name, shape.own_branches)
            return write_model(path, generated)
        except ValueError:
            continue
    raise ValueError(f"{packages} packages per release are too few for a generated release")


def write_channel(directory: Path, shape: ChannelShape) -> tuple[Path, Path]:
    """The channel file of *shape* in *directory* (its releases beside it), and the model of
    the release to publish into it."""
    directory.mkdir(parents=True, exist_ok=True)
    files = [
        _written(
            directory / f"r{revision:03d}.yaml",
            shape.per_release,
            revision,
            shape.release_name(revision),
            shape,
        )
        for revision in range(1, shape.releases + 1)
    ]
    revision = shape.releases + 1
    new = _written(
        directory / f"r{revision:03d}.yaml",
        shape.new,
        revision,
        shape.release_name(revision),
        shape,
    )
    return _channel(directory / "channel.yaml", files), new


def _channel(path: Path, releases: list[Path]) -> Path:
    path.write_text(
        yaml.safe_dump({"channel": "synthetic", "releases": [r.name for r in releases]})
    )
    return path


# -- the workload ---------------------------------------------------------------------------


def _copy(source: Path, destination: Path, *, links: bool = False) -> None:
    """*destination* made a copy of the tree *source* (hard links with *links*: for trees
    that are only read, or whose files are only ever replaced)."""
    shutil.rmtree(destination, ignore_errors=True)
    destination.parent.mkdir(parents=True, exist_ok=True)
    run(["cp", "-al" if links else "-a", str(source), str(destination)])


def _once(action: Callable[[], object]) -> Timing:
    return measure(action, 1, 0)


def _deb_reference(
    settings: Settings, pristine: Path, release: ReleaseModel, new: Repository
) -> Timing:
    """dpkg-deb per new package and apt-ftparchive with its cache database over the pool of
    the channel's package files (the database filled before, untimed)."""
    work = settings.scratch("channel-toolchain")
    _copy(pristine / "pool", work / "pool", links=True)
    toolchain.apt_ftparchive_generate(work)
    database = work / "packages.db"
    warm = work / "packages.db.warm"
    shutil.copyfile(database, warm)
    controls = toolchain.control_texts(release, new.packages)

    def prepare() -> None:
        for directory in (work / "pool" / "new", work / "trees"):
            shutil.rmtree(directory, ignore_errors=True)
        shutil.copyfile(warm, database)

    return settings.timed(functools.partial(toolchain.deb_update, controls, work), prepare)


def _rpm_reference(
    settings: Settings,
    pristine: Path,
    release: ReleaseModel,
    new: Repository,
    family: Family,
    published: Path,
) -> Timing:
    """rpmbuild per new package, ``createrepo_c --update`` over the channel's package files
    (indexed before, untimed) and, for a modular repository, ``modules.yaml`` added again: the
    one repogen's publish wrote (*published*), read from it untimed."""
    work = settings.scratch("channel-toolchain")
    repo = work / "repo"
    repo.mkdir()
    for path in pristine.rglob("*.rpm"):
        os.link(path, repo / path.name)
    run(["createrepo_c", "--quiet", "--no-database", str(repo)])
    indexed = work / "repodata.indexed"
    shutil.copytree(repo / "repodata", indexed)
    modules = None
    written = sorted(published.glob("repodata/*-modules.yaml.gz"))
    if written:
        modules = work / "modules.yaml"
        modules.write_bytes(gzip.decompress(written[0].read_bytes()))
    rendered = toolchain.spec_packages(release, new.packages, family)

    def prepare() -> None:
        for directory in (repo / "new", repo / "repodata", work / "SPECS", work / "top"):
            shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(indexed, repo / "repodata")

    update = functools.partial(
        toolchain.rpm_update, rendered, new.package_arch, work, repo, modules
    )
    return settings.timed(update, prepare)


def channel_rows(settings: Settings) -> Iterator[Row]:
    """One more release published into a channel of many, per family: `repogen publish`
    (metadata alone, in-process; and the whole command, package files built) against the
    manual toolchain's incremental tools and a from-scratch `repogen build` of the channel."""
    shape = ChannelShape(settings.channel_releases, settings.channel_size, settings.channel_new)
    directory = settings.work / "channel-models"
    channel_file, new_file = write_channel(directory, shape)
    start = time.perf_counter()
    merged = load_channel(channel_file).at()
    loaded = Timing((time.perf_counter() - start,))
    yield Row(
        "channel",
        shape.size,
        f"load a channel of {shape.releases} releases and merge them (3 targets)",
        loaded,
        3 * shape.size,
    )
    release = load_release(new_file)
    listed = [directory / name for name in yaml.safe_load(channel_file.read_text())["releases"]]
    following = _channel(directory / "channel-next.yaml", [*listed, new_file])
    for family in settings.families:
        target = TARGETS[family.value]
        repositories = merged.select([target])
        pristine = settings.work / "channel-tree" / family.value
        shutil.rmtree(pristine, ignore_errors=True)
        built = _once(
            functools.partial(
                build, merged, pristine, repositories, BuildOptions(source_date_epoch(merged))
            )
        )
        yield Row(
            "channel",
            shape.size,
            f"{family}: build CHANNEL ({shape.releases} releases, package files), from scratch",
            built,
            shape.size,
        )
        tree = settings.work / "channel-publish"
        restore = functools.partial(_copy, pristine, tree)
        options = BuildOptions(source_date_epoch(release), packages=False)
        metadata = settings.timed(functools.partial(publish_into, release, tree, options), restore)
        (new,) = release.select([target])
        scratch = settings.work / "channel-scratch"
        rebuild = [*REPOGEN, "build", str(following), "--target", target, "--no-packages"]
        from_scratch = settings.timed(
            functools.partial(run_command, [*rebuild, "-o", str(scratch)]), command=True
        )
        yield Row(
            "channel",
            shape.size,
            f"{family}: publish NEW --into CHANNEL, metadata only (in-process)",
            metadata,
            len(new.packages),
            reference="repogen build CHANNEL+NEW --no-packages, from scratch (whole process)",
            reference_timing=from_scratch,
            note="target: under 2 s",
        )
        publish = [*REPOGEN, "publish", str(new_file), "--into", str(tree)]
        whole = settings.timed(functools.partial(run_command, publish), restore, command=True)
        if family is Family.DEB:
            reference = _deb_reference(settings, pristine / family.value / target, release, new)
            tools = "dpkg-deb per new package + apt-ftparchive generate, cache database warm"
        else:
            # The tree as the last publish left it: its modules.yaml has the new release's.
            published = tree / family.value / target / new.arch
            reference = _rpm_reference(settings, pristine, release, new, family, published)
            tools = "rpmbuild per new package + createrepo_c --update" + (
                " + modifyrepo_c modules.yaml" if new.modules else ""
            )
        yield Row(
            "channel",
            shape.size,
            f"{family}: repogen publish NEW --into CHANNEL (whole process, package files)",
            whole,
            len(new.packages),
            reference=tools,
            reference_timing=reference,
            note="targets: ratio >= 5x; peak memory under 1 GiB",
        )
    for path in ("channel-tree", "channel-publish", "channel-scratch", "channel-toolchain"):
        shutil.rmtree(settings.work / path, ignore_errors=True)
