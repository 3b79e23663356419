"""`repogen diff`."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from repogen.check.run import assertion_files
from repogen.cli.common import EXIT_ERROR, app, fail, out, read_input
from repogen.cli.inputs import KeyringOption, RepositoryOptions
from repogen.diff import DiffOptions, ReleaseDiff
from repogen.diff.as_json import diff_json, json_text
from repogen.diff.compare import comparing
from repogen.diff.render import markdown, terminal
from repogen.model import Family, ReleaseModel
from repogen.model.templates import TemplateError
from repogen.resolve.request import RequestError
from repogen.runtime.collector import collector_paused
from repogen.runtime.workers import forked


class Format(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def _read(side: str, targets: list[str], keyring: Path | None) -> ReleaseModel:
    """A model file, or repositories (a bare one named by the only --target)."""
    return read_input(side, RepositoryOptions(targets[0] if len(targets) == 1 else None, keyring))


def _diff(
    old: str, new: str, targets: list[str], options: DiffOptions, keyring: Path | None
) -> ReleaseDiff:
    """The diff of the two sides; a worker reads the new one meanwhile, and another resolves
    the old one's requests as soon as it is read.  When both sides are broken, the old one's
    errors are the ones reported."""
    try:
        with (
            forked(functools.partial(_read, new, targets, keyring)) as reading,
            comparing(_read(old, targets, keyring), options) as against,
        ):
            return against(reading.result())
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target") from exc
    except (RequestError, TemplateError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--request") from exc


SideArgument = Annotated[
    str,
    typer.Argument(
        help="A release model (YAML), a `repogen build` output directory, or a bare APT "
        "repository or rpm-md tree, on disk or at an http(s):// URL.",
        show_default=False,
    ),
]


@app.command()
def diff(
    old: SideArgument,
    new: SideArgument,
    output_format: Annotated[
        Format, typer.Option("--format", help="text (coloured on a terminal), markdown, json.")
    ] = Format.TEXT,
    exit_code: Annotated[
        bool,
        typer.Option("--exit-code", help="Exit 1 when anything differs, like git diff."),
    ] = False,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target", help="Only this target (repeatable); the one given names a bare repository."
        ),
    ] = None,
    family: Annotated[
        list[Family] | None, typer.Option("--family", help="Only this family (repeatable).")
    ] = None,
    request: Annotated[
        list[str] | None,
        typer.Option(
            "--request",
            help="Resolve this request instead of the assertions' (repeatable); "
            "'{install} cuda' runs on every family.",
        ),
    ] = None,
    assertions: Annotated[
        list[Path] | None,
        typer.Option(
            "--assertions",
            help="Assertion file or directory whose requests to resolve "
            "(default: those the old release names).",
            exists=True,
        ),
    ] = None,
    keyring: KeyringOption = None,
) -> None:
    """Show what changed between two releases, per target and architecture: packages added,
    removed, renamed and re-versioned; relation changes per field; dnf module streams,
    default streams and profiles; SUSE patterns and kernel flavors; how install requests
    resolve (kernel-module flavor and install set) before and after; packages that are no
    longer installable.

    Each side is a release model, or repositories on disk, compared from their metadata alone.
    Exits 0, or with --exit-code 1 when anything differs; 2 for unreadable input.

    Example: repogen diff repogen/data/releases/cuda-12.5.yaml repogen/data/releases/cuda-12.6.yaml
    """
    targets = list(target or [])
    if assertions and not assertion_files(assertions):
        # Resolving no request would report no resolution change without having looked.
        fail(f"no assertion files in {', '.join(map(str, assertions))}", EXIT_ERROR)
    options = DiffOptions(
        targets=tuple(targets),
        families=tuple(family or ()),
        requests=tuple(request or ()),
        assertion_files=tuple(assertions or ()),
    )
    # Loading and writing out the diff make as many objects as the diff itself.
    with collector_paused():
        result = _diff(old, new, targets, options, keyring)
        if output_format is Format.JSON:
            typer.echo(json_text(diff_json(result)))
        elif output_format is Format.MARKDOWN:
            typer.echo(markdown(result))
        else:
            for line in terminal(result):
                out.print(line)
    if exit_code and result.changed:
        raise typer.Exit(1)
