"""Loading a release model: YAML → typed declarations → concrete repositories."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from repogen.model import bounds
from repogen.model.concrete import ReleaseModel
from repogen.model.declarations import ModelFile
from repogen.model.errors import ModelErrors, ModelPath
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


def load_release(path: Path, root: Path | None = None) -> ReleaseModel:
    """Load, expand and check the release model at *path*, whose files must all be inside
    its directory, or inside *root* when that is a directory above it.

    Raises :class:`ModelErrors` listing every problem, each with file, line and model path.
    """
    with collector_paused():
        document = load_document(path, root)
        bounds.control_characters(document)
        model = declarations(document, ModelFile)
        bounds.matrix_sizes(model, document)
        repositories = expand(model, document)
        bounds.file_names(repositories, document)
        return ReleaseModel(model.release, str(path), repositories, model.maintainer, model.license)
