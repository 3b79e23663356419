"""Reading model YAML with the position of every value, and merging included files.

A model may be split over several files: ``include: [common.yaml]`` merges the listed files
(relative to the including one) *under* it.  Mappings merge key by key, lists concatenate in
include order (a single value beside a list counts as a one-element list), and any other
scalar in the including file replaces the included one.  Every value keeps
the file, line and column it was written at, so errors found after merging still point at the
source.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from repogen.model.errors import Mark, ModelError, ModelErrors, ModelPath

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


@dataclass
class Located:
    """A YAML value with where it was written: file position, and its path in that file.

    Containers hold Located children.  The path in the file differs from the path in the merged
    model where included lists were concatenated; errors show the one the user can find.
    """

    value: Any
    mark: Mark
    path: ModelPath = ()


@dataclass
class Document:
    """The merged model as plain data, with the mark of every path in it."""

    data: Any
    written: dict[ModelPath, Located] = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    def locate(self, path: ModelPath) -> tuple[Mark, ModelPath]:
        """Where *path* of the merged model was written: file position and path in that file.

        A path with no value (a missing key) is located at its nearest written ancestor.
        """
        for end in range(len(path), -1, -1):
            found = self.written.get(path[:end])
            if found is not None:
                return found.mark, (*found.path, *path[end:])
        return Mark(self.files[0], 1, 1), path

    def error(self, path: ModelPath, message: str) -> ModelError:
        return ModelError(*self.locate(path), message)


def _mark(file: Path, yaml_mark: yaml.Mark) -> Mark:
    return Mark(file, yaml_mark.line + 1, yaml_mark.column + 1)


class _Reader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.constructor = yaml.SafeLoader("")

    def construct(self, node: yaml.Node, path: ModelPath) -> Any:
        """The value of a scalar node; one YAML cannot make (``!foo x``, ``2024-13-01``) is
        an error at the node, not a traceback."""
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            problem = exc.problem or "cannot read the value"
            raise ModelErrors(
                [ModelError(_mark(self.file, node.start_mark), path, f"invalid YAML: {problem}")]
            ) from exc
        except ValueError as exc:  # a timestamp that is not a date (month 13)
            raise ModelErrors(
                [
                    ModelError(
                        _mark(self.file, node.start_mark),
                        path,
                        f"invalid value {node.value!r}: {exc}",
                    )
                ]
            ) from exc

    def locate(self, node: yaml.Node, path: ModelPath, depth: int = 0) -> Located:
        mark = _mark(self.file, node.start_mark)
        if depth > MAX_DEPTH:
            raise ModelErrors([ModelError(mark, path, f"nesting deeper than {MAX_DEPTH} levels")])
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Located] = {}
            for key_node, value_node in node.value:
                key = self.construct(key_node, path)
                key_mark = _mark(self.file, key_node.start_mark)
                if not isinstance(key, str):
                    key = str(key)
                if key in mapping:
                    raise ModelErrors(
                        [ModelError(key_mark, (*path, key), f"duplicate key {key!r}")]
                    )
                child = self.locate(value_node, (*path, key), depth + 1)
                mapping[key] = Located(child.value, key_mark, child.path)
            return Located(mapping, mark, path)
        if isinstance(node, yaml.SequenceNode):
            items = [
                self.locate(item, (*path, index), depth + 1)
                for index, item in enumerate(node.value)
            ]
            return Located(items, mark, path)
        return Located(self.construct(node, path), mark, path)


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """libyaml's parser (more than ten times faster than PyYAML's) under PyYAML's own
    composer, whose recursion stays in Python: absurd nesting raises RecursionError
    instead of overflowing the C stack."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


def _compose(text: str) -> yaml.Node | None:
    """``yaml.compose`` with :class:`_Loader`."""
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


def _read_file(file: Path, origin: Mark | None) -> Located:
    """Read one file; *origin* is the include entry naming it, if any."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelErrors(
                [
                    ModelError(
                        Mark(file, 1, 1),
                        (),
                        f"file is {size} bytes, over the "
                        f"{MAX_FILE_BYTES}-byte limit for a model file",
                    )
                ]
            )
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        reader, path = (origin, ("include",)) if origin else (Mark(file, 1, 1), ())
        raise ModelErrors([ModelError(reader, path, f"cannot read {file}: {reason}")]) from exc
    try:
        node = _compose(text)
    except RecursionError as exc:
        raise ModelErrors(
            [ModelError(Mark(file, 1, 1), (), f"nesting deeper than {MAX_DEPTH} levels")]
        ) from exc
    except yaml.MarkedYAMLError as exc:
        bad = exc.problem_mark or exc.context_mark
        mark = _mark(file, bad) if bad else Mark(file, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ModelErrors([ModelError(mark, (), f"invalid YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:
        raise ModelErrors([ModelError(Mark(file, 1, 1), (), f"invalid YAML: {exc}")]) from exc
    if node is None:
        raise ModelErrors(
            [ModelError(Mark(file, 1, 1), (), "expected a mapping, the file is empty")]
        )
    located = _Reader(file).locate(node, ())
    if not isinstance(located.value, dict):
        raise ModelErrors([ModelError(located.mark, (), "expected a mapping at the top level")])
    return located


def _merge(base: Located, over: Located) -> Located:
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        merged = dict(base.value)
        for key, value in over.value.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return Located(merged, over.mark, over.path)
    if isinstance(base.value, list) and isinstance(over.value, list):
        return Located([*base.value, *over.value], over.mark, over.path)
    # A single value stands for a one-element list (declarations.OneOrMore), and merges as
    # one; null still replaces what an included file says.
    if isinstance(base.value, list) and _single(over):
        return Located([*base.value, over], over.mark, over.path)
    if isinstance(over.value, list) and _single(base):
        return Located([base, *over.value], over.mark, over.path)
    return over


def _single(node: Located) -> bool:
    return node.value is not None and not isinstance(node.value, dict | list)


def _load(
    file: Path, including: tuple[Path, ...], origin: Mark | None = None
) -> tuple[Located, tuple[Path, ...]]:
    file = Path(os.path.normpath(file))  # a/b/../c.yaml, as a user would write it: a/c.yaml
    resolved = file.resolve()
    if resolved in (f.resolve() for f in including):
        chain = " -> ".join(str(f) for f in (*including, file))
        raise ModelErrors(
            [ModelError(origin or Mark(file, 1, 1), ("include",), f"cyclic include: {chain}")]
        )
    own = _read_file(file, origin)
    include = own.value.pop("include", None)
    files: tuple[Path, ...] = (file,)
    if include is None:
        return own, files
    if isinstance(include.value, str):  # one file: a one-element list
        include = Located([include], include.mark, include.path)
    if not isinstance(include.value, list) or not all(
        isinstance(item.value, str) for item in include.value
    ):
        raise ModelErrors([ModelError(include.mark, ("include",), "expected a list of file names")])
    merged: Located | None = None
    for item in include.value:
        child, child_files = _load(file.parent / item.value, (*including, file), item.mark)
        files += child_files
        merged = child if merged is None else _merge(merged, child)
    return (own if merged is None else _merge(merged, own)), files


def _flatten(node: Located, path: ModelPath, written: dict[ModelPath, Located]) -> Any:
    written[path] = node
    if isinstance(node.value, dict):
        return {key: _flatten(child, (*path, key), written) for key, child in node.value.items()}
    if isinstance(node.value, list):
        return [_flatten(child, (*path, index), written) for index, child in enumerate(node.value)]
    return node.value


def load_document(file: Path) -> Document:
    """Read *file* and everything it includes into one :class:`Document`."""
    located, files = _load(file, ())
    written: dict[ModelPath, Located] = {}
    data = _flatten(located, (), written)
    return Document(data, written, files)
