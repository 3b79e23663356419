"""`repogen validate` and `repogen schema`."""

from __future__ import annotations

import typer

from repogen.cli.common import AtOption, JsonOption, ModelArgument, app, load_model, print_json
from repogen.model.declarations import ModelFile
from repogen.summary import summarize, summary_json


@app.command()
def validate(model: ModelArgument = None, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Load a release model (or a channel of releases, at its newest point or --at), expand
    it for every target, and check it.

    Prints each target and architecture with its number of packages after expansion, how many
    of them provide open or proprietary kernel modules, its dnf module streams and default
    stream, and its SUSE patterns; --json lists them by name.  Exits 2 and
    names file:line:column and the model path of every problem when the model is broken.

    Example: repogen validate repogen/data/releases/cuda-12.5.yaml
    """
    release = load_model(model, at)
    if as_json:
        print_json(summary_json(release))
        return
    info = release.release
    typer.echo(
        f"{info.name}: {info.versions} "
        f"(branch {info.driver.split('.')[0]}), default kernel modules: "
        f"{info.default_flavor.value}"
    )
    if len(release.releases) > 1:
        typer.echo(f"releases (oldest first): {', '.join(release.releases)}")
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
    print_json(ModelFile.model_json_schema())
