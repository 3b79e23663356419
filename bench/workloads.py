"""The workloads: build, metadata, check, scale and diff, each yielding table rows.

Every workload calls repogen's own entry points (``repogen.build.build``,
``repogen.check.run.Checker``, the resolvers, ``repogen.diff``) and, side by side in the same
run, what it is compared with: the manual toolchain, createrepo_c's API, python-debian, the real
clients in repogen's sandboxes.
"""

from __future__ import annotations

import functools
import lzma
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from unittest import mock

from debian.deb822 import Deb822

from bench import toolchain
from bench.generator import TARGETS, Shape, write_model
from bench.timing import Row, Timing, measure, run_command
from repogen.build import build, source_date_epoch
from repogen.check.run import Checker, assertion_files
from repogen.data import DEFAULT_MODEL, bundled
from repogen.diff import DiffOptions, diff_releases
from repogen.diff.as_json import diff_json, json_text
from repogen.engine import RealEngine
from repogen.families import driver
from repogen.families.deb.debfile import WORKERS
from repogen.families.rpm.repository import RpmFamilyPublisher
from repogen.families.rpm.rpmmd import model_record, write_repodata
from repogen.families.rpm.spec import specs
from repogen.model import Family, ReleaseModel, Repository, load_release
from repogen.publish.base import BuildOptions
from repogen.resolve import resolve
from repogen.resolve.request import Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe

#: The bundled release and its assertions: what ``check`` runs.
#: One release of the bundled channel (its default model is the whole channel): CUDA 12.6.0.
BUNDLED = bundled("releases", "cuda-12.6.yaml")


@dataclass(frozen=True)
class Settings:
    """How much to run: sizes, runs per measurement, and where to work."""

    sizes: tuple[int, ...]
    runs: int
    #: Seconds one measurement may take; fewer runs are made when the first ones show more.
    budget: float
    work: Path
    #: Packages the manual toolchain builds; larger sizes are extrapolated from it.
    sample: int
    families: tuple[Family, ...] = tuple(Family)
    #: Packages per release for the diff workload.
    diff_size: int = 10_000
    #: The channel workload: releases in the channel, packages per target in all of them, and
    #: packages of the release published into it.
    channel_releases: int = 100
    channel_size: int = 50_000
    channel_new: int = 1_000

    def timed(
        self,
        action: Callable[[], object],
        prepare: Callable[[], object] | None = None,
        *,
        command: bool = False,
    ) -> Timing:
        return measure(action, self.runs, self.budget, prepare, command=command)

    def scratch(self, name: str) -> Path:
        """An empty directory *name* under the work directory."""
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path


def _loaded(path: Path) -> tuple[ReleaseModel, Timing]:
    """The release at *path*, and how long loading it took (one run: it is deterministic
    and large ones take long)."""
    start = time.perf_counter()
    release = load_release(path)
    return release, Timing((time.perf_counter() - start,))


def _repository(release: ReleaseModel, family: Family) -> Repository:
    return release.select([TARGETS[family.value]])[0]


def _removed(path: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(path, ignore_errors=True)


# -- build and metadata -------------------------------------------------------------------

TOOLCHAINS = {
    Family.DEB: "dpkg-deb per package + apt-ftparchive",
    Family.RPM: "rpmbuild per spec + createrepo_c",
    Family.SUSE: "rpmbuild per spec + createrepo_c",
}


def _toolchain(settings: Settings, release: ReleaseModel, family: Family, size: int) -> Timing:
    """The manual toolchain on the first *size* packages of *family*'s repository."""
    repository = _repository(release, family)
    packages = repository.packages[:size]
    work = settings.work / "toolchain"
    if family is Family.DEB:
        controls = toolchain.control_texts(release, packages)
        return settings.timed(
            functools.partial(toolchain.deb_toolchain, controls, work), _removed(work)
        )
    rendered = toolchain.spec_packages(release, packages, family)
    return settings.timed(
        lambda: toolchain.rpm_toolchain(rendered, repository.package_arch, work), _removed(work)
    )


def _dpkg_deb_floor(settings: Settings, release: ReleaseModel, size: int) -> Timing:
    """dpkg-deb alone over the first *size* deb packages, as a deb build runs it
    (:func:`bench.toolchain.dpkg_deb_alone`), its control trees written beforehand."""
    work = settings.scratch("dpkg-deb")
    packages = _repository(release, Family.DEB).packages[:size]
    trees = toolchain.control_trees(toolchain.control_texts(release, packages), work)
    pool = work / "pool"
    return settings.timed(functools.partial(toolchain.dpkg_deb_alone, trees, pool), _removed(pool))


def _records_reference(settings: Settings, release: ReleaseModel, family: Family) -> Timing:
    """createrepo_c's API writing the records repogen writes without package files, in one
    process (repogen's own writer hands two of the three files to a worker)."""
    repository = _repository(release, family)
    publisher = driver(family).publisher()
    assert isinstance(publisher, RpmFamilyPublisher)
    rendered = toolchain.spec_packages(release, repository.packages, family)
    epoch = source_date_epoch(release)
    records = [
        model_record(package, spec.source_rpm, publisher.package_directory(package.arch), epoch)
        for spec in specs(release.release.name, release.license, rendered)
        for package in spec.packages
    ]
    work = settings.work / "records"
    with mock.patch.dict(os.environ, {"REPOGEN_WORKERS": "0"}):
        return settings.timed(lambda: write_repodata(work, [records], (), epoch), _removed(work))


def _stanzas_reference(settings: Settings, index: Path) -> Timing:
    """python-debian writing the stanzas of the ``Packages`` file *index* (parsed untimed)."""
    with index.open() as handle:
        fields = [dict(paragraph) for paragraph in Deb822.iter_paragraphs(handle)]
    return settings.timed(lambda: "\n".join(Deb822(f).dump() for f in fields))


def _xz_row(settings: Settings, index: Path, size: int) -> Row:
    """The ``Packages.xz`` of a deb build alone: one liblzma stream at xz's default preset,
    which the build makes in a thread beside the rest; its rate bounds the build's."""
    plain = index.read_bytes()
    compressing = settings.timed(functools.partial(lzma.compress, plain, preset=6))
    return Row(
        "metadata",
        size,
        f"deb: its Packages.xz alone ({len(plain) / 2**20:.1f} MiB, liblzma preset 6)",
        compressing,
        size,
        note="bounds the deb metadata rate",
    )


def _build(
    settings: Settings, release: ReleaseModel, repositories: list[Repository], packages: bool
) -> Timing:
    """``repogen build`` of *repositories* into ``work/out`` (removed before each run)."""
    out = settings.work / "out"
    options = BuildOptions(source_date_epoch(release), packages=packages)
    return settings.timed(lambda: build(release, out, repositories, options), _removed(out))


def build_rows(settings: Settings) -> Iterator[Row]:
    """``repogen build`` with and without package files, per family and size, against the
    manual toolchain and the index writers' own speed."""
    toolchains: dict[tuple[Family, int], Timing] = {}
    for size in settings.sizes:
        model = settings.work / "models" / f"synthetic-{size}.yaml"
        release, load = _loaded(write_model(model, Shape(size)))
        yield Row("load", size, "load_release (3 targets)", load, 3 * size)
        for family in settings.families:
            repositories = release.select([TARGETS[family.value]])
            metadata = _build(settings, release, repositories, packages=False)
            out = settings.work / "out"
            if family is Family.DEB:
                index = next(out.glob("deb/*/dists/*/main/binary-*/Packages"))
                reference = _stanzas_reference(settings, index)
                writer = "python-debian dump, same stanzas"
            else:
                reference = _records_reference(settings, release, family)
                writer = "createrepo_c API, same records, one process"
            yield Row(
                "metadata",
                size,
                f"{family}: build --no-packages",
                metadata,
                size,
                reference=writer,
                reference_timing=reference,
            )
            if family is Family.DEB:
                yield _xz_row(settings, index, size)
            full = _build(settings, release, repositories, packages=True)
            sample = min(size, settings.sample)
            if (family, sample) not in toolchains:
                toolchains[family, sample] = _toolchain(settings, release, family, sample)
            yield Row(
                "build",
                size,
                f"{family}: build",
                full,
                size,
                reference=TOOLCHAINS[family],
                reference_timing=toolchains[family, sample].scaled(size / sample),
                note="" if sample == size else f"toolchain extrapolated from {sample:,} packages",
            )
            if family is Family.DEB and size == sample:
                yield Row(
                    "build",
                    size,
                    f"deb: dpkg-deb alone, {WORKERS} at a time as a build runs it (xargs -P)",
                    _dpkg_deb_floor(settings, release, size),
                    size,
                    reference=TOOLCHAINS[family],
                    reference_timing=toolchains[family, sample],
                    note="bounds a deb build: no control file written, no index, no Python",
                )
    shutil.rmtree(settings.work / "out", ignore_errors=True)


# -- start-up -----------------------------------------------------------------------------

#: repogen as a user runs it, in a process of its own (``repogen/__main__.py`` is the
#: ``repogen`` script's entry point).
REPOGEN = [sys.executable, "-m", "repogen"]


def startup_rows(settings: Settings) -> Iterator[Row]:
    """Whole processes: the interpreter alone (the floor), `repogen --help` (every command
    listed, none imported) and a command that loads the bundled model."""
    for what, command, note in (
        ("python -c pass (the interpreter's start-up)", [sys.executable, "-c", "pass"], ""),
        ("repogen --help", [*REPOGEN, "--help"], "target: under 0.15 s"),
        ("repogen validate (bundled release)", [*REPOGEN, "validate"], ""),
    ):
        timing = settings.timed(functools.partial(run_command, command), command=True)
        yield Row("startup", 0, what, timing, note=note)


# -- check --------------------------------------------------------------------------------


#: The repository of each family that check times per request, in-process and real.
CHECK_SAMPLES = {Family.DEB: "ubuntu2204", Family.RPM: "rhel9", Family.SUSE: "sles15"}
CLIENTS = {Family.DEB: "apt-get -s", Family.RPM: "dnf --assumeno", Family.SUSE: "zypper --dry-run"}


def _real(release: ReleaseModel, files: list[Path], work: Path, errors: list[str]) -> None:
    """The assertions through the real clients, sandboxes made from scratch; a request the
    engine cannot answer is noted in *errors* (and counts as failed) instead of stopping."""
    shutil.rmtree(work, ignore_errors=True)
    with RealEngine(work) as engine:

        def answer(repository: Repository, universe: Universe, request: Request) -> Resolution:
            try:
                return engine(repository, universe, request)
            except Exception as error:  # any failure of the engine is reported with the figures
                errors.append(f"{repository.target_name}/{repository.arch} {request}: {error}")
                return Resolution(ok=False)

        Checker(release, answer).run(files)


def _channel_check(settings: Settings) -> Iterator[Row]:
    """`repogen check` of the bundled channel, repogen's default model (every assertion at
    every point where it applies), whole processes: in-process resolvers against the real
    clients' engine.  Exit 1 (an assertion that fails) is an answer like any other."""
    command = [*REPOGEN, "check", str(DEFAULT_MODEL)]
    summary = run_command(command, answers=(0, 1)).strip().splitlines()[-1]
    count = sum(int(word) for word in summary.split() if word.isdigit())
    ours = settings.timed(functools.partial(run_command, command, answers=(0, 1)), command=True)
    real = [*command, "--engine", "real"]
    theirs = measure(functools.partial(run_command, real, answers=(0, 1)), 1, 0, command=True)
    yield Row(
        "check",
        count,
        f"repogen check {DEFAULT_MODEL.name} (bundled channel, every point, whole process)",
        ours,
        count,
        "requests",
        reference="the same with --engine real (apt-get/dnf/zypper in sandboxes)",
        reference_timing=theirs,
        note=f"targets: under 2 s, ratio >= 50x; {summary}",
    )


def _errors(errors: list[str]) -> str:
    if not errors:
        return ""
    first = errors[0].splitlines()[0][:160]
    return f"; the real engine raised on {len(errors)} requests (first: {first})"


def _per_request(timing: Timing, requests: int) -> str:
    return f"{timing.median / requests * 1000:.2f} ms"


def resolved_afresh(universe: Universe, request: Request) -> Resolution:
    """*request* resolved on a copy of *universe*: what a universe's first request builds
    (libsolv pools, apt's numbering of the packages) is not kept from a run before."""
    return resolve(replace(universe), request)


def _checked(release: ReleaseModel, files: list[Path]) -> int:
    """How many checks a new checker of *release* runs from *files*."""
    return len(Checker(release).run(files))


def check_rows(settings: Settings) -> Iterator[Row]:
    """The bundled assertions on every target in-process against the real clients in their
    sandboxes (one run: it takes minutes), then per family on one repository."""
    release = load_release(BUNDLED)
    files = assertion_files([], release.assertions)
    count = len(Checker(release).run(files))
    # A checker each run, as each `repogen check` makes one: what a checker keeps between
    # its runs (universes, pools, answers) is not measured as free.
    everything = settings.timed(functools.partial(_checked, release, files))
    errors: list[str] = []
    clients = measure(
        functools.partial(_real, release, files, settings.work / "engine", errors), 1, 0
    )
    yield Row(
        "check",
        count,
        "bundled assertions, all targets, in-process",
        everything,
        count,
        "requests",
        reference="apt-get/dnf/zypper in sandboxes, setup included",
        reference_timing=clients,
        note="targets: under 1 s, ratio >= 50x" + _errors(errors),
    )
    whole = settings.timed(lambda: run_command([*REPOGEN, "check", str(BUNDLED)]), command=True)
    yield Row(
        "check",
        count,
        f"repogen check {BUNDLED.name} (whole process: start-up, load, all targets)",
        whole,
        count,
        "requests",
        reference="apt-get/dnf/zypper in sandboxes, setup included",
        reference_timing=clients,
        note="target: ratio >= 50x",
    )
    yield from _channel_check(settings)
    for family, target in CHECK_SAMPLES.items():
        if family not in settings.families:
            continue
        repository = release.select([target])[0]
        one = replace(release, repositories=(repository,))
        requests = len(Checker(one).run(files))
        in_process = settings.timed(functools.partial(_checked, one, files))
        errors = []
        real = measure(
            functools.partial(_real, one, files, settings.work / "engine", errors),
            max(1, settings.runs // 2),
            settings.budget,
        )
        yield Row(
            "check",
            requests,
            f"{repository.target_name}/{repository.arch}, in-process",
            in_process,
            requests,
            "requests",
            reference=f"{CLIENTS[family]}, setup included",
            reference_timing=real,
            note=f"per request {_per_request(in_process, requests)} vs "
            f"{_per_request(real, requests)}" + _errors(errors),
        )
    shutil.rmtree(settings.work / "engine", ignore_errors=True)


# -- diff ---------------------------------------------------------------------------------


def diff_rows(settings: Settings) -> Iterator[Row]:
    """``repogen diff`` of two generated releases of ``diff_size`` packages per target."""
    size = settings.diff_size
    old, new = (
        write_model(settings.work / "models" / f"synthetic-{size}-r{r}.yaml", Shape(size, r))
        for r in (1, 2)
    )
    load = settings.timed(lambda: (load_release(old), load_release(new)))
    yield Row("diff", size, "load both models (3 targets each)", load, 6 * size)
    before, after = load_release(old), load_release(new)
    compared = settings.timed(
        lambda: json_text(diff_json(diff_releases(before, after, DiffOptions())))
    )
    yield Row("diff", size, "diff_releases + JSON, in-process", compared, 3 * size)
    command = [sys.executable, "-m", "repogen", "diff", str(old), str(new), "--format", "json"]
    cli = settings.timed(lambda: run_command(command), command=True)
    yield Row(
        "diff",
        size,
        "repogen diff OLD NEW --format json (CLI)",
        cli,
        3 * size,
        note="target: under 2 s",
    )
