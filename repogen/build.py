"""`repogen build`: every selected repository of a release, one publisher per family."""

from __future__ import annotations

import calendar
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import MISSING, asdict, fields, replace
from pathlib import Path, PurePosixPath

from repogen.addresses import MANIFEST
from repogen.families import driver
from repogen.model import ReleaseModel, Repository
from repogen.publish import gpg
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress
from repogen.publish.output import OutputRefused, stage, staged_directory
from repogen.publish.retention import Provenance, publication
from repogen.runtime.collector import collector_paused


def source_date_epoch(release: ReleaseModel) -> int:
    """``SOURCE_DATE_EPOCH`` from the environment, else midnight UTC of the release date."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is not None:
        if not value.isdigit():
            raise BuildError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds")
        return int(value)
    return calendar.timegm(time.strptime(release.release.date, "%Y-%m-%d"))


def is_repogen_manifest(path: Path) -> bool:
    """Whether *path* is a manifest that ``build`` wrote: a file named ``manifest.json`` alone
    may well be the user's own."""
    try:
        manifest = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    # Keys added since (repo_file, list_file) have defaults: an older output is still one.
    keys = {field.name for field in fields(ManifestEntry) if field.default is MISSING}
    return (
        isinstance(manifest, dict)
        and isinstance(manifest.get("release"), str)
        and isinstance(manifest.get("model"), str)
        and isinstance(manifest.get("repos"), list)
        and all(isinstance(e, dict) and keys <= e.keys() for e in manifest["repos"])
    )


def check_replaceable(output: Path) -> None:
    """Refuse an *output* that is not absent, empty or a repogen output."""
    if output.exists() and not output.is_dir():
        raise OutputRefused(f"{output} exists and is not a directory; refusing to replace it")
    if output.is_dir() and any(output.iterdir()) and not is_repogen_manifest(output / MANIFEST):
        raise OutputRefused(
            f"{output} is not a repogen output (no repogen {MANIFEST}); refusing to replace it"
        )


def staged_progress(progress: Progress) -> Progress:
    """*progress*, and each step a stage (``step-1``, ``step-2``, …) a build can stop at."""
    steps = 0

    def report(step: str) -> None:
        nonlocal steps
        steps += 1
        progress(step)
        stage(f"step-{steps}")

    return report


def check_signing(repositories: Sequence[Repository], options: BuildOptions) -> None:
    """Refuse a signing key that cannot do the build's signing, before anything is built:
    gpg must have it, unexpired, with its secret part, and sign with it; the programs that
    sign a family's package files (rpmsign) must be there."""
    if options.sign_key is None:
        return
    gpg.check_signing_key(options.sign_key, options.gpg_home)
    if not options.packages:
        return
    for family in dict.fromkeys(r.family for r in repositories):
        for program in driver(family).signing_programs:
            if shutil.which(program.name) is None:
                raise BuildError(
                    f"{program.name} not found (signing {family.value} packages): "
                    f"install it with `apt-get install {program.package}`"
                )


def relative_entry(entry: ManifestEntry, relative: PurePosixPath) -> ManifestEntry:
    """*entry* with its paths relative to the output rather than to its target."""

    def under(path: str | None) -> str | None:
        return None if path is None else (relative / path).as_posix()

    return replace(
        entry,
        path=(relative / entry.path).as_posix(),
        repo_file=under(entry.repo_file),
        list_file=under(entry.list_file),
    )


def provenance(
    release: ReleaseModel, repositories: Sequence[Repository], history: Sequence[ReleaseModel]
) -> Provenance:
    """Which release of *history* publishes which package file of *repositories* (each
    release every file of its own, one an earlier release published too included); without
    a history, the releases *release* holds publish all of them together."""
    if not history:
        names = release.releases or (release.release.name,)
        return Provenance([publication(names, release, repositories)])
    built = {(r.target_name, r.arch) for r in repositories}
    return Provenance(
        [
            publication(
                [one.release.name],
                one,
                [r for r in one.repositories if (r.target_name, r.arch) in built],
            )
            for one in history
        ]
    )


def build(
    release: ReleaseModel,
    output: Path,
    repositories: Sequence[Repository],
    options: BuildOptions,
    progress: Progress = lambda _step: None,
    history: Sequence[ReleaseModel] = (),
) -> list[ManifestEntry]:
    """Build *repositories* into *output*, replacing what was there only when all succeeded.

    *history* is the releases *release* merges (a channel's, oldest first): the manifest
    records which of them publishes which package file, as ``publish`` records each release
    it adds (:func:`provenance`)."""
    output = output.absolute()
    check_signing(repositories, options)
    by_target: dict[str, list[Repository]] = {}
    for repository in repositories:
        by_target.setdefault(repository.target_name, []).append(repository)
    entries: list[ManifestEntry] = []
    waiting = f"waiting for another build into {output}"
    with staged_directory(output, check_replaceable, lambda: progress(waiting)) as staging:
        reporting = staged_progress(progress)
        for target, group in by_target.items():
            family = group[0].family
            relative = PurePosixPath(family.value, target)
            # A target's specs, records and paragraphs are hundreds of thousands of objects
            # that reference counting frees; the collector's passes over them and the loaded
            # release cost a third of a 10,000-package rpm build and grew faster than it.  It
            # runs again once they are freed.
            with collector_paused():
                published = (
                    driver(family)
                    .publisher()
                    .publish(
                        release, group, staging / relative, output / relative, options, reporting
                    )
                )
            entries += [relative_entry(e, relative) for e in published]
        recorded = provenance(release, repositories, history)
        manifest = {
            "release": release.release.name,
            "model": release.source,
            "releases": recorded.names(),
            "repos": [asdict(entry) for entry in entries],
            **recorded.fields(),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        stage("manifest")
    return entries
