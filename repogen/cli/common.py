"""What every `repogen` command shares: the app, consoles, model loading, common options."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption
from typer.models import CommandFunctionType

from repogen.channel import Channel, UnknownPoint, load_channel_or_release
from repogen.data import RELEASE
from repogen.engine import RealEngine
from repogen.errors import RepogenError
from repogen.model import ModelErrors, ReleaseModel, Repository
from repogen.resolve import Engine, in_process

#: The release a command works on when no model is given.
BUNDLED_RELEASE = RELEASE

#: Exit code for an error the user can put right: a model that does not load, an unusable
#: input, a request for another family, a file that cannot be written, a client that is
#: missing or fails (usage errors are 2 as well, as in typer).  1 is kept for a negative
#: answer: a request that cannot be satisfied, a failed assertion, a diff with changes.
EXIT_ERROR = 2
EXIT_BAD_MODEL = EXIT_ERROR

out = Console(highlight=False, soft_wrap=True)
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


class Group(TyperGroup):
    """The `repogen` command group: its help as a :class:`Command`'s, and the one boundary of
    its errors.

    A domain error (:class:`~repogen.errors.RepogenError`) or a file that cannot be read or
    written ends the command with `error: …` on one line and exit 2, never a traceback; a
    broken model gets one line per problem.
    """

    def __init__(self, name: str | None = None, **settings: Any) -> None:
        settings["help"] = reflow(settings.get("help"))
        super().__init__(name=name, **settings)

    def get_params(self, ctx: Any) -> list[Any]:
        # Typed Any: typer vendors click and does not export its Context and Parameter.
        return _bare_flags(super().get_params(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ModelErrors as exc:
            report_model_errors(exc)
        except RepogenError as exc:
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


app = App(
    cls=Group,
    help="One model of an NVIDIA driver + CUDA release, published as APT, dnf and zypper "
    "repositories and checked.",
    no_args_is_help=True,
    add_completion=False,
)

ModelArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Release model or channel YAML file. Default: the bundled CUDA 12.6 release.",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
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
        yield in_process
        return
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


def load_history(model: Path | None) -> Channel:
    """Load *model*, a channel file or a release model (a channel of one point), or exit
    with every error on its own line."""
    try:
        loaded = load_channel_or_release(model or BUNDLED_RELEASE, model_root() if model else None)
    except ModelErrors as exc:
        report_model_errors(exc)
    return loaded if isinstance(loaded, Channel) else Channel.of(loaded)


def load_model(model: Path | None, at: str | None = None) -> ReleaseModel:
    """The repositories of *model* (a channel file or a release model) when release *at*
    was the newest (default: the newest), or exit with every error on its own line."""
    try:
        return load_history(model).at(at)
    except UnknownPoint as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from exc


def report_model_errors(exc: ModelErrors) -> NoReturn:
    for error in exc.errors:
        err.print(f"[red]error:[/red] {escape(str(error))}")
    err.print(f"{len(exc.errors)} error(s) in the model")
    raise typer.Exit(EXIT_BAD_MODEL) from exc


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def split_model(words: list[str]) -> tuple[Path | None, list[str]]:
    """`[MODEL] REQUEST…`: a first word naming a YAML file is the model."""
    if words and words[0].endswith((".yaml", ".yml")):
        return Path(words[0]), words[1:]
    return None, words


def repository_of(release: ReleaseModel, target: str, arch: str | None) -> Repository:
    """The repository of *target* on *arch* (default: the target's first architecture)."""
    try:
        return release.select([target], [arch] if arch else [])[0]
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target/--arch") from exc
