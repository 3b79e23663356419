"""What every `repogen` command shares: the app, consoles, model loading, common options.

Every command module imports this one, and `repogen --help` imports only this one: what it
needs from the model, the resolvers or the engines is imported where it is used, so that a
command loads only what it uses (`repogen.cli.COMMANDS`).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
import typer.main
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

from repogen.data import DEFAULT_MODEL
from repogen.errors import RepogenError

if TYPE_CHECKING:
    from repogen.channel import Channel
    from repogen.cli.inputs import RepositoryOptions
    from repogen.model import ModelErrors, ReleaseModel, Repository
    from repogen.resolve import Engine

#: Exit code for an error the user can put right: a model that does not load, an unusable
#: input, a request for another family, a file that cannot be written, a client that is
#: missing or fails (usage errors are 2 as well, as in typer).  1 is kept for a negative
#: answer: a request that cannot be satisfied, a failed assertion, a diff with changes.
EXIT_ERROR = 2
EXIT_BAD_MODEL = EXIT_ERROR

out = Console(highlight=False, soft_wrap=True)


def print_json(data: object) -> None:
    """*data* as indented JSON on standard output, coloured by rich on a terminal only: rich
    takes half a minute over the 20 MB of a channel's check results."""
    if out.is_terminal:
        out.print_json(json.dumps(data))
    else:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


# No emoji: an error quotes model text as written (":Gem:" is not a gem).
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def reflow(text: str | None) -> str | None:
    """*text* (a docstring) with each paragraph on one line, for help to wrap at the terminal's
    width rather than where the source code broke its lines.

    Paragraphs are separated by blank lines.  One that is a list (a line after its first starts
    with ``- `` or ``* ``), holds indented lines (code) or starts with click's ``\\b`` keeps its
    line breaks.
    """
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        paragraph if _keeps_lines(paragraph) else " ".join(paragraph.split("\n"))
        for paragraph in paragraphs
    )


def _keeps_lines(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return paragraph.startswith("\b") or any(
        line.startswith((" ", "\t", "- ", "* ")) for line in lines[1:]
    )


def _bare_flags(params: list[Any]) -> list[Any]:
    """*params*, with flags shown as `--json`, not `--json <bool>`.

    Typer's rich help prints every option's type, a flag's (and --help's) too, unless the
    option has a metavar: a flag takes no value, so its metavar is empty.
    """
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class Command(TyperCommand):
    """Every `repogen` command: help reflowed by paragraph, flags without a type."""

    def __init__(self, name: str | None, **settings: Any) -> None:
        settings["help"] = reflow(settings.get("help"))
        super().__init__(name, **settings)

    def get_params(self, ctx: Any) -> list[Any]:
        # Typed Any: typer vendors click and does not export its Context and Parameter.
        return _bare_flags(super().get_params(ctx))


@dataclass(frozen=True)
class Registered:
    """A command as `repogen --help` lists it before its module is imported: its *name* and
    the *module* that defines it (with ``@app.command``)."""

    name: str
    module: str

    @property
    def summary(self) -> str:
        """The first paragraph of the command's docstring, read from its module's source:
        importing the module would import what the command uses."""
        return reflow(_docstrings(self.module).get(self.name, "").split("\n\n")[0]) or ""


@functools.cache
def _docstrings(module: str) -> dict[str, str]:
    """The docstring of each command *module* defines, by command name (the name given to
    ``@app.command``, else the function's, as typer names it)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise LookupError(f"no module {module}")
    tree = ast.parse(Path(spec.origin).read_text())
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "app.command":
                given = decorator.args[0] if decorator.args else None
                name = (
                    given.value
                    if isinstance(given, ast.Constant) and isinstance(given.value, str)
                    else node.name.replace("_", "-")
                )
                found[name] = inspect.cleandoc(ast.get_docstring(node) or "")
    return found


class LazyCommand(TyperCommand):
    """A registered command whose module is imported only when the command runs (click's lazy
    loading of subcommands): its name and summary are all the group's help needs."""

    def __init__(self, registered: Registered) -> None:
        super().__init__(registered.name, help=registered.summary)
        self.registered = registered

    def loaded(self) -> Any:
        """The command itself, as typer makes it from the function its module registered.

        Typed Any: typer vendors click and does not export its Command."""
        importlib.import_module(self.registered.module)
        for info in app.registered_commands:
            if info.callback is not None and self.registered.name in (
                info.name,
                typer.main.get_command_name(info.callback.__name__),
            ):
                return typer.main.get_command_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
        raise LookupError(f"{self.registered.module} defines no command {self.registered.name!r}")

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        # The group makes a command's context first: from here on, click deals with the
        # command itself (its options, its help, its callback).
        return self.loaded().make_context(info_name, args, parent, **extra)


class Group(TyperGroup):
    """The `repogen` command group: its help as a :class:`Command`'s, its commands as
    registered (:data:`repogen.cli.COMMANDS`), and the one boundary of their errors.

    A domain error (:class:`~repogen.errors.RepogenError`) or a file that cannot be read or
    written ends the command with `error: …` on one line and exit 2, never a traceback; a
    broken model gets one line per problem.
    """

    def __init__(self, name: str | None = None, **settings: Any) -> None:
        # Here, not at the top: repogen.cli imports this module before it registers.
        from repogen.cli import COMMANDS

        settings["help"] = reflow(settings.get("help"))
        # Typer passes the commands of the modules imported so far; the others wait for
        # their turn, in the registry's order.
        imported = dict(settings.pop("commands", None) or {})
        commands = {c.name: imported.pop(c.name, None) or LazyCommand(c) for c in COMMANDS}
        super().__init__(name=name, commands=commands | imported, **settings)

    def get_params(self, ctx: Any) -> list[Any]:
        # Typed Any: typer vendors click and does not export its Context and Parameter.
        return _bare_flags(super().get_params(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RepogenError as exc:
            # Loaded by whatever raised it when it is one.
            from repogen.model.errors import ModelErrors

            if isinstance(exc, ModelErrors):
                report_model_errors(exc)
            fail(_one_line(str(exc)), EXIT_ERROR)
        except BrokenPipeError:
            raise  # the reader went away: nothing to tell it (main() leaves quietly)
        except OSError as exc:
            fail(_one_line(_os_error(exc)), EXIT_ERROR)


def _os_error(exc: OSError) -> str:
    """`PATH: what went wrong`, as a shell says it."""
    if exc.filename is None or exc.strerror is None:
        return str(exc)
    return f"{exc.filename}: {exc.strerror}"


def _one_line(message: str) -> str:
    # A client's stderr quoted in a message may span lines; the error stays one line, for
    # CI logs to be grepped.
    return " ".join(line.strip() for line in message.splitlines() if line.strip())


class App(typer.Typer):
    """A typer app whose commands are :class:`Command`, so that what they share is said once."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **settings: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(name, cls=cls or Command, **settings)


def _no_options() -> None:
    """The group takes no options of its own.  Being a callback makes typer build a group even
    before a command's module is imported."""


app = App(
    cls=Group,
    callback=_no_options,
    help="One model of an NVIDIA driver + CUDA release, published as APT, dnf and zypper "
    "repositories and checked.",
    no_args_is_help=True,
    add_completion=False,
)

ModelArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Release model or channel YAML file. Default: the bundled channel (CUDA 12.4.1 "
        "to driver 565.57.01, at its newest release).",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
#: The gpg home of ``--sign-key``, for the commands that sign.
GpgHomeOption = Annotated[
    Path | None, typer.Option("--gpg-home", help="gpg home directory holding the key.")
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="RELEASE",
        help="With a channel file: the channel as it was when RELEASE was the newest "
        "(default: the newest).",
    ),
]


class EngineName(StrEnum):
    IN_PROCESS = "in-process"
    REAL = "real"


EngineOption = Annotated[
    EngineName,
    typer.Option(
        "--engine",
        help="Who answers requests: repogen's own resolvers (in-process), or the real apt-get, "
        "dnf and zypper against the published repository in private sandboxes (real).",
    ),
]


@contextmanager
def engine_of(name: EngineName) -> Iterator[Engine]:
    """The engine *name* stands for.  A real client that is missing or fails raises a
    :class:`~repogen.engine.errors.ClientError` naming it, which ends the command as every domain
    error does (:class:`Group`)."""
    if name is EngineName.IN_PROCESS:
        from repogen.resolve import in_process

        yield in_process
        return
    from repogen.engine import RealEngine

    with RealEngine() as engine:
        yield engine


#: Names a directory above a model file whose tree the model's includes may read, beyond
#: the file's own directory (a shared `common/` beside the releases): an explicit choice of
#: whoever runs repogen, never something a model can ask for.
MODEL_ROOT_VARIABLE = "REPOGEN_MODEL_ROOT"


def model_root() -> Path | None:
    """The directory tree model files may include from, when set wider than their own."""
    root = os.environ.get(MODEL_ROOT_VARIABLE)
    return Path(root) if root else None


def read_history(
    model: str | Path | None, repositories: RepositoryOptions | None = None
) -> Channel:
    """The history of a command's input: the channel or release model file *model* (default:
    the bundled one; a release is a channel of one point) or, for a directory or a URL, the
    repositories published there (:mod:`repogen.cli.inputs`), read with *repositories*
    options.  A broken model raises :class:`ModelErrors`."""
    from repogen.channel import Channel, load_channel_or_release
    from repogen.cli.inputs import RepositoryOptions, is_repositories

    if model is not None and (is_repositories(model) or Path(model).is_dir()):
        from repogen.index.tree import load_address

        options = repositories or RepositoryOptions()
        return Channel.of(load_address(model, options.target, keyring=options.keyring))
    loaded = load_channel_or_release(Path(model or DEFAULT_MODEL), model_root() if model else None)
    return loaded if isinstance(loaded, Channel) else Channel.of(loaded)


def read_input(
    model: str | Path | None, repositories: RepositoryOptions | None = None, at: str | None = None
) -> ReleaseModel:
    """:func:`read_history` at the point *at* (default: the newest)."""
    return read_history(model, repositories).at(at)


def load_history(
    model: str | Path | None, repositories: RepositoryOptions | None = None
) -> Channel:
    """:func:`read_history`, or exit with every error of a broken model on its own line."""
    from repogen.model import ModelErrors

    try:
        return read_history(model, repositories)
    except ModelErrors as exc:
        report_model_errors(exc)


def load_model(
    model: str | Path | None,
    at: str | None = None,
    repositories: RepositoryOptions | None = None,
) -> ReleaseModel:
    """The repositories of *model* (a channel file, a release model or published
    repositories) when release *at* was the newest (default: the newest), or exit with every
    error on its own line."""
    return point_of(load_history(model, repositories), at)


def point_of(channel: Channel, at: str | None, option: str = "--at") -> ReleaseModel:
    """*channel* when release *at* was the newest (default: now); an unknown *at* is a
    usage error of *option* naming the known ones."""
    from repogen.channel import UnknownPoint

    try:
        return channel.at(at)
    except UnknownPoint as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from exc


def report_model_errors(exc: ModelErrors) -> NoReturn:
    for error in exc.errors:
        err.print(f"[red]error:[/red] {escape(str(error))}")
    err.print(f"{len(exc.errors)} error(s) in the model")
    raise typer.Exit(EXIT_BAD_MODEL) from exc


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def split_model(words: list[str]) -> tuple[str | None, list[str]]:
    """`[MODEL] REQUEST…`: a first word naming a YAML file or repositories is the model."""
    from repogen.cli.inputs import is_repositories

    if words and (words[0].endswith((".yaml", ".yml")) or is_repositories(words[0])):
        return words[0], words[1:]
    return None, words


def repository_of(release: ReleaseModel, target: str, arch: str | None) -> Repository:
    """The repository of *target* on *arch* (default: the target's first architecture)."""
    try:
        return release.select([target], [arch] if arch else [])[0]
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target/--arch") from exc
