"""Reading model YAML with the position of every value, and merging included files.

A model may be split over several files: ``include: [common.yaml]`` merges the listed files
(relative to the including one) *under* it.  Mappings merge key by key, lists concatenate in
include order (a single value beside a list counts as a one-element list), and any other
scalar in the including file replaces the included one.  Every value keeps
the file, line and column it was written at, so errors found after merging still point at the
source.

A model may come from a pull request that CI checks with secrets readable, so reading is
bounded: includes stay inside the model's directory tree (no absolute paths, no ``..`` or
symlink leading out), only regular files are opened, every file is capped before it is read,
aliases count at their expanded size against one node budget, and the include tree has a
depth and a size limit.  Each limit is one :class:`ModelError`, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

from repogen.model.errors import Mark, ModelError, ModelErrors, ModelPath

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
#: YAML nodes over all files of a model, an alias counting as the nodes it stands for: the
#: bundled releases have under 2,000 and a generated 10,000-package model about 100,000, so
#: a "billion laughs" stops after half a million (about 250 MB, 2 s) instead of filling memory.
MAX_NODES = 500_000
#: Files in one chain of includes, and files read in all (a file included twice counts twice,
#: so includes fanning out to the same files cannot multiply the work either).
MAX_INCLUDE_DEPTH = 16
MAX_FILES = 256
#: Bytes over all files read, so that 256 files of 4 MiB each (or one included 256 times) do
#: not make a gigabyte to read; the 50,000-package benchmark model is about 0.4 MiB.
MAX_TOTAL_BYTES = 32 * 1024 * 1024


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


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _Reader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.constructor = yaml.SafeLoader("")

    def locate(self, node: yaml.Node, path: ModelPath, depth: int = 0) -> Located:
        mark = _mark(self.file, node.start_mark)
        if depth > MAX_DEPTH:
            raise ModelErrors([ModelError(mark, path, f"nesting deeper than {MAX_DEPTH} levels")])
        if isinstance(node, yaml.CollectionNode) and node.tag not in _PLAIN_TAGS:
            # A scalar's tag goes through the safe constructor, which refuses what it does not
            # know; a mapping's or list's would be dropped here without a word.
            raise ModelErrors([ModelError(mark, path, f"invalid YAML: tag {node.tag!r}")])
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

    def construct(self, node: yaml.Node, path: ModelPath) -> Any:
        """The Python value of the scalar *node*; one YAML cannot make (``!foo x``) or Python
        cannot hold (an integer of thousands of digits, a date with month 13) is an error at
        its position, not a traceback."""
        mark = _mark(self.file, node.start_mark)
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            problem = exc.problem or "cannot read the value"
            raise ModelErrors([ModelError(mark, path, f"invalid YAML: {problem}")]) from exc
        except (ValueError, OverflowError) as exc:
            reason = str(exc).split(";")[0]  # not Python's advice on raising its limit
            raise ModelErrors([ModelError(mark, path, f"invalid value: {reason}")]) from exc


class _OverBudget(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


@dataclass
class _Budget:
    """What the files of one model may still use: nodes, and files to read."""

    nodes: int = MAX_NODES
    files: int = MAX_FILES
    bytes: int = MAX_TOTAL_BYTES


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """libyaml's parser (more than ten times faster than PyYAML's) under PyYAML's own
    composer, whose recursion stays in Python: absurd nesting raises RecursionError
    instead of overflowing the C stack.  Every node is paid for from *budget* as it is
    composed, an alias at the expanded size of its anchor: whoever walks the tree later
    (positions, merging, validation) meets each alias that many times."""

    def __init__(self, stream: str, budget: _Budget) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.budget = budget
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()
        node: yaml.Node | None = super().compose_node(parent, index)
        if isinstance(event, AliasEvent):
            # An anchor still being composed (a recursive alias) has no size yet; the
            # nesting limit stops the walk through it.
            size = self.sizes.get(id(node), 1)
            self.spend(size, event.start_mark)
            return node
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        self.sizes[id(node)] = 1 + sum(self.sizes.get(id(child), 1) for child in children)
        self.spend(1, event.start_mark)  # the children paid for themselves
        return node

    def spend(self, nodes: int, mark: Any) -> None:
        self.budget.nodes -= nodes
        if self.budget.nodes < 0:
            raise _OverBudget(mark)


def _compose(text: str, budget: _Budget | None = None) -> yaml.Node | None:
    """``yaml.compose`` with :class:`_Loader`."""
    loader = _Loader(text, budget or _Budget())
    try:
        node: yaml.Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


def _refuse(mark: Mark, path: ModelPath, message: str) -> ModelErrors:
    return ModelErrors([ModelError(mark, path, message)])


def _read_text(file: Path, real: str, origin: Mark | None, budget: _Budget) -> str:
    """The text of the model file *file* (found at *real*), read only if it is a regular file
    of at most MAX_FILE_BYTES; *origin* is the include entry naming it, if any.

    Errors name the file and the reason, never its content: it may not be a model at all.
    """
    reader, path = (origin, ("include",)) if origin else (Mark(file, 1, 1), ())
    try:
        # Stat before opening, so that a FIFO or a device is never opened; O_NONBLOCK and
        # O_NOFOLLOW in case the path was swapped since: opening then neither blocks nor
        # follows a new symlink, and fstat below sees what was really opened.
        if not stat.S_ISREG(Path(real).stat().st_mode):
            raise _refuse(reader, path, f"{file} is not a regular file")
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _refuse(reader, path, f"{file} is not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise _refuse(Mark(file, 1, 1), (), _too_big(info.st_size))
            # st_size can understate (files of /proc say 0): read one byte past the cap.
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _refuse(Mark(file, 1, 1), (), _too_big(len(data)))
        budget.bytes -= len(data)
        if budget.bytes < 0:
            raise _refuse(
                reader, path, f"more than {MAX_TOTAL_BYTES} bytes in the files of the model"
            )
        return data.decode("utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _refuse(reader, path, f"cannot read {file}: {reason}") from exc
    except UnicodeDecodeError as exc:
        # Where, not what: the bytes may belong to a file that is not a model.
        reason = f"not UTF-8 (byte {exc.start + 1} of the file)"
        raise _refuse(reader, path, f"cannot read {file}: {reason}") from exc


def _too_big(size: int) -> str:
    return f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for a model file"


def _read_file(file: Path, real: str, origin: Mark | None, budget: _Budget) -> Located:
    """Read and compose one file; *origin* is the include entry naming it, if any."""
    text = _read_text(file, real, origin, budget)
    try:
        node = _compose(text, budget)
    except RecursionError as exc:
        raise _refuse(Mark(file, 1, 1), (), f"nesting deeper than {MAX_DEPTH} levels") from exc
    except _OverBudget as exc:
        raise _refuse(
            _mark(file, exc.mark),
            (),
            f"more than {MAX_NODES} YAML nodes in the model (an alias counts as the nodes "
            "it repeats)",
        ) from exc
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(file, exc) from exc
    except yaml.YAMLError as exc:
        # The first line: the rest places the problem in "<unicode string>".
        problem = str(exc).splitlines()[0]
        raise _refuse(Mark(file, 1, 1), (), f"invalid YAML: {problem}") from exc
    if node is None:
        raise _refuse(Mark(file, 1, 1), (), "expected a mapping, the file is empty")
    try:
        located = _Reader(file).locate(node, ())
    except yaml.MarkedYAMLError as exc:  # a tag the safe constructor refuses (!!python/…)
        raise _yaml_error(file, exc) from exc
    if not isinstance(located.value, dict):
        raise _refuse(located.mark, (), "expected a mapping at the top level")
    return located


def _yaml_error(file: Path, exc: yaml.MarkedYAMLError) -> ModelErrors:
    bad = exc.problem_mark or exc.context_mark
    mark = _mark(file, bad) if bad else Mark(file, 1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    return _refuse(mark, (), f"invalid YAML: {problem}")


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


@dataclass(frozen=True)
class _Tree:
    """The directory tree a model's files must stay in: *shown* as the user wrote it,
    *real* with every symlink resolved."""

    shown: Path
    real: str

    def real_path(self, file: Path, mark: Mark, path: ModelPath) -> str:
        """*file* with every symlink resolved, refused unless it is inside the tree."""
        outside = _refuse(
            mark,
            path,
            f"{file} is outside the model's directory {self.shown}; include only files under it",
        )
        if not _normal(file).is_relative_to(_normal(self.shown)):
            raise outside
        try:
            real = os.path.realpath(file, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                reason = "a loop of symbolic links"
            else:
                reason = exc.strerror or type(exc).__name__
            raise _refuse(mark, path, f"cannot read {file}: {reason}") from exc
        if os.path.commonpath([real, self.real]) != self.real:
            raise _refuse(
                mark,
                path,
                f"{file} is a symbolic link leading outside the model's directory {self.shown}",
            )
        return real


def _normal(path: Path) -> Path:
    """*path* absolute, with ``..`` taken lexically, as the user reads it."""
    return Path(os.path.normpath(path.absolute()))


def _single(node: Located) -> bool:
    return node.value is not None and not isinstance(node.value, dict | list)


def _load(
    file: Path,
    tree: _Tree,
    budget: _Budget,
    including: tuple[tuple[Path, str], ...] = (),
    origin: Mark | None = None,
) -> tuple[Located, tuple[Path, ...]]:
    file = Path(os.path.normpath(file))  # a/b/../c.yaml, as a user would write it: a/c.yaml
    where, at = (origin, ("include",)) if origin else (Mark(file, 1, 1), ())
    if len(including) >= MAX_INCLUDE_DEPTH:
        raise _refuse(where, at, f"includes nested deeper than {MAX_INCLUDE_DEPTH} files")
    budget.files -= 1
    if budget.files < 0:
        raise _refuse(where, at, f"more than {MAX_FILES} files included in the model")
    real = tree.real_path(file, where, at)
    if real in (r for _, r in including):
        chain = " -> ".join(str(f) for f in (*(f for f, _ in including), file))
        raise _refuse(where, ("include",), f"cyclic include: {chain}")
    own = _read_file(file, real, origin, budget)
    include = own.value.pop("include", None)
    files: tuple[Path, ...] = (file,)
    if include is None:
        return own, files
    if isinstance(include.value, str):  # one file: a one-element list
        include = Located([include], include.mark, include.path)
    if not isinstance(include.value, list) or not all(
        isinstance(item.value, str) and item.value.isprintable() for item in include.value
    ):
        raise _refuse(include.mark, ("include",), "expected a list of file names")
    merged: Located | None = None
    for item in include.value:
        named = Path(item.value)
        if named.is_absolute():
            raise _refuse(
                item.mark,
                ("include",),
                f"{named} is an absolute path; include files "
                "relative to the including one, under the model's directory",
            )
        child, child_files = _load(
            file.parent / named, tree, budget, (*including, (file, real)), item.mark
        )
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


def load_document(file: Path, root: Path | None = None) -> Document:
    """Read *file* and everything it includes into one :class:`Document`.

    Every file read must be inside the directory of *file*, also after its symlinks are
    resolved; *root*, a directory above it, widens that to the tree under *root* (a *root*
    that *file* is not under changes nothing).
    """
    shown = Path(os.path.normpath(file)).parent
    if root is not None and _normal(file).is_relative_to(_normal(root)):
        shown = root
    try:
        real_root = os.path.realpath(shown, strict=True)
    except OSError as exc:
        raise _refuse(
            Mark(file, 1, 1), (), f"cannot read the model's directory {shown}: {exc.strerror}"
        ) from exc
    located, files = _load(file, _Tree(shown, real_root), _Budget())
    written: dict[ModelPath, Located] = {}
    data = _flatten(located, (), written)
    return Document(data, written, files)
