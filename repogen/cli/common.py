"""What every `repogen` command shares: the app, consoles, model loading, common options."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from repogen.engine import RealEngine
from repogen.engine.errors import ClientError, ClientMissing
from repogen.model import ModelErrors, ReleaseModel, Repository, load_release
from repogen.resolve import Engine, in_process

#: The release a command works on when no model is given.
BUNDLED_RELEASE = Path(__file__).resolve().parents[2] / "fixtures" / "releases" / "cuda-12.6.yaml"

#: Exit code for a model that does not load (usage errors are 2 as well, as in typer).
EXIT_BAD_MODEL = 2

app = typer.Typer(
    help="One model of an NVIDIA driver + CUDA release, published as APT, dnf and zypper "
    "repositories and checked.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)
# No emoji: an error quotes model text as written (":Gem:" is not a gem).
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

ModelArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Release model YAML file. Default: the bundled CUDA 12.6 release.",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


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
    """The engine *name* stands for; a real client that is missing or fails is an error
    that names it."""
    if name is EngineName.IN_PROCESS:
        yield in_process
        return
    with RealEngine() as engine:
        try:
            yield engine
        except (ClientMissing, ClientError) as exc:
            fail(str(exc))


#: Names a directory above a model file whose tree the model's includes may read, beyond
#: the file's own directory (a shared `common/` beside the releases): an explicit choice of
#: whoever runs repogen, never something a model can ask for.
MODEL_ROOT_VARIABLE = "REPOGEN_MODEL_ROOT"


def model_root() -> Path | None:
    """The directory tree model files may include from, when set wider than their own."""
    root = os.environ.get(MODEL_ROOT_VARIABLE)
    return Path(root) if root else None


def load_model(model: Path | None) -> ReleaseModel:
    """Load *model*, or exit with every error on its own line."""
    try:
        return load_release(model or BUNDLED_RELEASE, model_root() if model else None)
    except ModelErrors as exc:
        report_model_errors(exc)


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
