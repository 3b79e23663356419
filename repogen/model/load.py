"""Loading a release model: YAML → typed declarations → concrete repositories."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from repogen.data import bundled
from repogen.model import bounds
from repogen.model.concrete import ReleaseModel
from repogen.model.declarations import ModelFile
from repogen.model.errors import ModelError, ModelErrors, ModelPath
from repogen.model.expand import expand
from repogen.model.source import Document, load_document
from repogen.runtime.collector import collector_paused

_YAML_TYPES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "null",
}


def _clean_path(data: Any, loc: tuple[int | str, ...]) -> ModelPath:
    """The part of a pydantic error location that names real keys and indices in *data*."""
    path: list[str | int] = []
    node = data
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if found:
            node = node[part]
        elif part == "[key]" or not isinstance(node, dict | list):
            continue
        elif isinstance(node, dict) and isinstance(part, str) and "[" not in part:
            path.append(part)  # a missing key: name it, there is nothing below it
            break
        else:
            continue
        path.append(part)
    return tuple(path)


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    got = _YAML_TYPES.get(type(error["input"]), type(error["input"]).__name__)
    key = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        return f"unknown key {key!r}"
    if kind == "missing":
        return f"missing required key {key!r}"
    message = error["msg"]
    if message.startswith("Input should be "):
        message = "expected " + message.removeprefix("Input should be ")
    elif message.startswith("String should match pattern "):
        message = "expected a string matching " + message.removeprefix(
            "String should match pattern "
        )
    else:
        message = message[0].lower() + message[1:]
    shown = repr(error["input"]) if isinstance(error["input"], str | int | float) else got
    return f"{message}, got {shown}"


D = TypeVar("D", bound=BaseModel)


def declarations(document: Document, kind: type[D]) -> D:
    """*document* as the typed declarations *kind*; every mismatch becomes a ModelError."""
    try:
        return kind.model_validate(document.data)
    except ValidationError as exc:
        errors = []
        for error in exc.errors():
            path = _clean_path(document.data, error["loc"])
            errors.append(document.error(path, _describe(error)))
        raise ModelErrors(errors) from exc


def model_tree(path: Path, root: Path | None) -> Path:
    """The directory tree a model's files must be in: *root* when it is above *path*, else
    the model's own directory (as :func:`~repogen.model.source.load_document` reads them)."""
    own = Path(os.path.normpath(path.absolute())).parent
    if root is not None and own.is_relative_to(os.path.normpath(root.absolute())):
        return Path(os.path.normpath(root.absolute()))
    return own


def inside_model_tree(path: Path, tree: Path) -> bool:
    """Whether *path* (absolute, normalised) is in *tree*, also with its symbolic links
    resolved, or is one of repogen's own bundled files: the only files beside a model that a
    model or an assertion file may name (one from a pull request must not make repogen read
    any file)."""
    real = Path(os.path.realpath(path))
    inside = path.is_relative_to(tree) and real.is_relative_to(os.path.realpath(tree))
    return inside or real.is_relative_to(os.path.realpath(bundled()))


def _assertion_paths(
    model: ModelFile, document: Document, tree: Path
) -> tuple[tuple[Path, ...], list[ModelError]]:
    """The model's `assertions`, each relative to the file that names it (an included file
    names its own), and an error at each entry that does not exist or that
    :func:`inside_model_tree` refuses."""
    paths = []
    errors = []
    for index, name in enumerate(model.assertions):
        mark, _ = document.locate(("assertions", index))
        path = Path(os.path.normpath(mark.file.absolute().parent / name))
        if not inside_model_tree(path, tree):
            message = f"{name} is outside the model's directory {tree}"
            errors.append(document.error(("assertions", index), message))
        elif not path.exists():
            errors.append(document.error(("assertions", index), f"no such file: {path}"))
        paths.append(path)
    return tuple(paths), errors


def load_release(path: Path, root: Path | None = None) -> ReleaseModel:
    """Load, expand and check the release model at *path*, whose files must all be inside
    its directory, or inside *root* when that is a directory above it.

    Raises :class:`ModelErrors` listing every problem, each with file, line and model path.
    """
    with collector_paused():
        return release_of(load_document(path, root), path, root)


def release_of(document: Document, path: Path, root: Path | None) -> ReleaseModel:
    """The release model *document* (read from *path*) declares, as :func:`load_release`
    gives it; for a caller that read the document itself (its lines locate later errors)."""
    with collector_paused():
        bounds.control_characters(document)
        model = declarations(document, ModelFile)
        bounds.matrix_sizes(model, document)
        assertions, errors = _assertion_paths(model, document, model_tree(path, root))
        try:
            repositories = expand(model, document)
        except ModelErrors as exc:
            raise ModelErrors([*exc.errors, *errors]) from exc
        if errors:
            raise ModelErrors(errors)
        bounds.file_names(repositories, document)
        return ReleaseModel(
            model.release,
            str(path),
            repositories,
            model.maintainer,
            model.license,
            assertions,
            (model.release.name,),
        )
