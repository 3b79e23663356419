"""`repogen build`: every selected repository of a release, one publisher per family."""

from __future__ import annotations

import calendar
import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path, PurePosixPath

from repogen.families import driver
from repogen.model import ReleaseModel, Repository
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress
from repogen.publish.output import staged_directory
from repogen.runtime.collector import collector_paused

MANIFEST = "manifest.json"


def source_date_epoch(release: ReleaseModel) -> int:
    """``SOURCE_DATE_EPOCH`` from the environment, else midnight UTC of the release date."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is not None:
        if not value.isdigit():
            raise BuildError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds")
        return int(value)
    return calendar.timegm(time.strptime(release.release.date, "%Y-%m-%d"))


def _check_replaceable(output: Path) -> None:
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).is_file():
        raise BuildError(
            f"{output} exists and is not a repogen output (no {MANIFEST}); refusing to replace it"
        )
    if output.exists() and not output.is_dir():
        raise BuildError(f"{output} exists and is not a directory")


def build(
    release: ReleaseModel,
    output: Path,
    repositories: Sequence[Repository],
    options: BuildOptions,
    progress: Progress = lambda _step: None,
) -> list[ManifestEntry]:
    """Build *repositories* into *output*, replacing what was there only when all succeeded."""
    output = output.absolute()
    _check_replaceable(output)
    by_target: dict[str, list[Repository]] = {}
    for repository in repositories:
        by_target.setdefault(repository.target_name, []).append(repository)
    entries: list[ManifestEntry] = []
    with staged_directory(output) as staging:
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
                        release, group, staging / relative, output / relative, options, progress
                    )
                )
            entries += [replace(e, path=(relative / e.path).as_posix()) for e in published]
        manifest = {
            "release": release.release.name,
            "model": release.source,
            "repos": [asdict(entry) for entry in entries],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return entries
