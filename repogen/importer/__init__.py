"""``repogen import``: a release model that declares what published repositories hold.

The repositories are read as every command reads them (:func:`repogen.cli.common.load_model`);
:func:`~repogen.importer.declare.declare` writes their packages and module streams as a model,
and :func:`write_model` writes it only once the model, loaded, built (metadata only, into a
temporary directory) and read back, gives the very repositories read
(:mod:`repogen.importer.verify`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from repogen.build import build, source_date_epoch
from repogen.importer.declare import declare
from repogen.importer.errors import CannotImport
from repogen.importer.verify import verify
from repogen.index import load_tree
from repogen.index.release import infer_release
from repogen.model import ModelError, ModelErrors, ReleaseModel, load_release
from repogen.model.errors import format_path
from repogen.publish.base import BuildOptions

__all__ = ["CannotImport", "combined", "model_text", "write_model"]


def combined(releases: Sequence[ReleaseModel]) -> ReleaseModel:
    """One release of the repositories of *releases* (each read from one source); two sources
    that publish the same target on the same architecture are refused."""
    if len(releases) == 1:
        return releases[0]
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
        with tempfile.TemporaryDirectory(prefix="repogen-import-") as scratch:
            built = Path(scratch) / "out"
            options = BuildOptions(source_date_epoch(loaded), packages=False)
            build(loaded, built, loaded.repositories, options)
            verify(release, load_tree(built))
        written.replace(output)
    finally:
        written.unlink(missing_ok=True)
    return loaded
