"""``repogen import``: a release model that declares what published repositories hold.

The repositories are read as every command reads them (:func:`repogen.cli.common.load_model`);
:func:`~repogen.importer.declare.declare` writes their packages and module streams as a model,
and :func:`write_model` writes it only once the model, loaded, built (metadata only, into a
temporary directory) and read back, gives the very repositories read
(:mod:`repogen.importer.verify`).  A repository holding several releases, whose manifest says
which published which package, is written by :func:`write_channel` as a channel file and one
release model per release beside it (:mod:`repogen.importer.history`), checked the same way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from repogen.build import build, source_date_epoch
from repogen.channel import load_channel
from repogen.importer.declare import declare
from repogen.importer.errors import CannotImport
from repogen.importer.history import holds_several, split
from repogen.importer.verify import verify
from repogen.index import load_tree
from repogen.index.read import identifier
from repogen.index.release import infer_release
from repogen.model import ModelError, ModelErrors, ReleaseModel, load_release
from repogen.model.errors import format_path
from repogen.publish.base import BuildOptions

__all__ = [
    "CannotImport",
    "combined",
    "holds_several",
    "model_text",
    "release_files",
    "write_channel",
    "write_model",
]


def combined(releases: Sequence[ReleaseModel]) -> ReleaseModel:
    """One release of the repositories of *releases* (each read from one source); two sources
    that publish the same target on the same architecture are refused."""
    if len(releases) == 1:
        return releases[0]
    several = [r.source for r in releases if holds_several(r)]
    if several:
        raise CannotImport(
            f"{several[0]} holds several releases: import it on its own, as a channel"
        )
    seen: dict[tuple[str, str], str] = {}
    for release in releases:
        for repository in release.repositories:
            key = (repository.target_name, repository.arch)
            if key in seen:
                raise CannotImport(
                    f"{release.source} and {seen[key]} both publish {key[0]}/{key[1]}; "
                    "name the bare repositories' targets with --target"
                )
            seen[key] = release.source
    repositories = tuple(r for release in releases for r in release.repositories)
    first = releases[0]
    inferred = infer_release(first.release.name, "", repositories)
    date = max(release.release.date for release in releases)
    return ReleaseModel(
        inferred.model_copy(update={"date": date}),
        ", ".join(release.source for release in releases),
        repositories,
    )


def model_text(release: ReleaseModel, declared: Mapping[str, Any]) -> str:
    """The YAML of the model *declared* for *release*'s repositories."""
    header = f"# Imported by `repogen import` from {release.source}.\n"
    return header + yaml.safe_dump(declared, sort_keys=False, allow_unicode=True, width=100)


def _refused(declared: Mapping[str, Any], error: ModelError) -> CannotImport:
    """*error* of the model written for the repositories, as what was read that the model
    cannot declare: the package (or pattern, module) and its field."""
    path = error.path
    if len(path) >= 3 and path[0] in ("packages", "patterns") and isinstance(path[1], int):
        package = declared[str(path[0])][path[1]]
        field = format_path(path[2:])
        return CannotImport(f"package {package['name']}: {field}: {error.message}")
    return CannotImport(f"the model cannot declare {format_path(path)}: {error.message}")


def write_model(release: ReleaseModel, output: Path) -> ReleaseModel:
    """Write the model of *release* to *output* (atomically: a temporary file beside it,
    renamed) once it is checked to build the same repositories; the model as loaded."""
    declared = declare(release)
    text = model_text(release, declared)
    directory = output.parent
    descriptor, name = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".yaml")
    written = Path(name)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        # A model is read by others as any source file is, not kept private as a temporary.
        written.chmod(0o644)
        try:
            loaded = load_release(written)
        except ModelErrors as exc:
            refused = str(_refused(declared, exc.errors[0]))
            # Name the file being written, not its temporary copy.
            raise CannotImport(refused.replace(str(written), str(output))) from exc
        _check_builds(release, loaded)
        written.replace(output)
    finally:
        written.unlink(missing_ok=True)
    return loaded


def _check_builds(read: ReleaseModel, loaded: ReleaseModel) -> None:
    """Build *loaded* (metadata only, into a temporary directory) and compare the
    repositories it gives, read back, with those *read*."""
    with tempfile.TemporaryDirectory(prefix="repogen-import-") as scratch:
        built = Path(scratch) / "out"
        options = BuildOptions(source_date_epoch(loaded), packages=False)
        build(loaded, built, loaded.repositories, options)
        verify(read, load_tree(built))


def release_files(release: ReleaseModel, output: Path) -> dict[str, Path]:
    """The release model file :func:`write_channel` writes for each release *release*
    holds: ``NAME.yaml`` beside the channel file *output* (the release's name, lowercase, each
    character a file name may not have a dash)."""
    files: dict[str, Path] = {}
    for name in release.releases:
        file = output.parent / f"{identifier(name)}.yaml"
        if file == output or file in files.values():
            raise CannotImport(
                f"release {name} would be written to {file}, as another file; "
                "name the channel file otherwise"
            )
        files[name] = file
    return files


def write_channel(release: ReleaseModel, output: Path) -> list[ReleaseModel]:
    """Write the releases *release* (a repository holding several) was made of: a channel
    file at *output* listing them, oldest first, and each release's model beside it
    (:func:`release_files`), once the channel, loaded, builds the same repositories; the
    releases as loaded.  Nothing is written unless all of it is."""
    files = release_files(release, output)
    releases = split(release)
    channel = identifier(output.stem)
    declared = {r.release.name: declare(r) for r in releases}
    scratch = Path(tempfile.mkdtemp(dir=output.parent, prefix=f".{output.name}."))
    try:
        for one in releases:
            (scratch / files[one.release.name].name).write_text(
                model_text(one, declared[one.release.name])
            )
        listed = {"channel": channel, "releases": [files[r.release.name].name for r in releases]}
        header = f"# Imported by `repogen import` from {release.source}.\n"
        (scratch / output.name).write_text(header + yaml.safe_dump(listed, sort_keys=False))
        try:
            loaded = load_channel(scratch / output.name)
        except ModelErrors as exc:
            error = exc.errors[0]
            name = next((n for n, f in files.items() if f.name == error.mark.file.name), None)
            refused = str(_refused(declared[name], error)) if name else str(error)
            raise CannotImport(refused.replace(str(scratch), str(output.parent))) from exc
        _check_builds(release, loaded.at())
        for path in [*files.values(), output]:
            written = scratch / path.name
            # A model is read by others as any source file is, not kept private.
            written.chmod(0o644)
            written.replace(path)
    finally:
        shutil.rmtree(scratch)
    return list(loaded.releases)
