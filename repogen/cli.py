"""The `repogen` command: parse arguments, call one function, print its result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from repogen.model import ModelErrors, ReleaseModel, load_release
from repogen.model.declarations import ModelFile
from repogen.summary import summarize, summary_json

#: The release a bare `repogen validate` works on.
BUNDLED_RELEASE = (
    Path(__file__).resolve().parent.parent / "fixtures" / "releases" / "cuda-12.6.yaml"
)

#: Exit code for a model that does not load (usage errors are 2 as well, as in typer).
EXIT_BAD_MODEL = 2

app = typer.Typer(
    help="One model of an NVIDIA driver + CUDA release, published as APT, dnf and zypper "
    "repositories and checked.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ModelArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Release model YAML file. Default: the bundled CUDA 12.6 release.",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _load(model: Path | None) -> ReleaseModel:
    """Load *model*, or exit with every error on its own line."""
    try:
        return load_release(model or BUNDLED_RELEASE)
    except ModelErrors as exc:
        for error in exc.errors:
            err.print(f"[red]error:[/red] {escape(str(error))}")
        err.print(f"{len(exc.errors)} error(s) in the model")
        raise typer.Exit(EXIT_BAD_MODEL) from exc


@app.command()
def validate(model: ModelArgument = None, as_json: JsonOption = False) -> None:
    """Load a release model, expand it for every target, and check it.

    Prints each target and architecture with its number of packages after expansion, how many
    of them provide open or proprietary kernel modules, its dnf module streams and default
    stream, and its SUSE patterns; --json lists them by name.  Exits 2 and
    names file:line:column and the model path of every problem when the model is broken.

    Example: repogen validate fixtures/releases/cuda-12.5.yaml
    """
    release = _load(model)
    if as_json:
        out.print_json(json.dumps(summary_json(release)))
        return
    info = release.release
    typer.echo(
        f"{info.name}: CUDA {info.cuda}, driver {info.driver} "
        f"(branch {info.driver.split('.')[0]}), default kernel modules: "
        f"{info.default_flavor.value}"
    )
    header = (
        "target",
        "family",
        "arch",
        "packages",
        "open",
        "proprietary",
        "streams",
        "default stream",
        "patterns",
    )
    rows = [header] + [
        (
            row.target,
            row.family,
            row.arch,
            str(row.packages),
            str(len(row.open_providers)),
            str(len(row.proprietary_providers)),
            str(len(row.streams)),
            row.default_stream or "-",
            str(len(row.patterns)),
        )
        for row in summarize(release)
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=True)).rstrip()
        )


@app.command()
def schema() -> None:
    """Print the JSON Schema of release model files, for editors to complete and check them.

    Example: repogen schema > release.schema.json
    """
    out.print_json(json.dumps(ModelFile.model_json_schema()))


def main() -> None:
    app()
