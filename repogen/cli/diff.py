"""`repogen diff`."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from repogen.channel import UnknownPoint
from repogen.check.run import assertion_files
from repogen.cli.common import EXIT_ERROR, app, fail, out, read_history
from repogen.cli.inputs import KeyringOption, RepositoryOptions
from repogen.diff import DiffOptions, ReleaseDiff
from repogen.diff.as_json import diff_json, json_text
from repogen.diff.compare import comparing
from repogen.diff.render import markdown, terminal
from repogen.model import Family, ReleaseModel
from repogen.model.templates import TemplateError
from repogen.resolve.request import RequestError, parse_request
from repogen.runtime.collector import collector_paused
from repogen.runtime.workers import forked


class Format(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def _options(targets: list[str], keyring: Path | None) -> RepositoryOptions:
    return RepositoryOptions(targets[0] if len(targets) == 1 else None, keyring)


def _read(
    side: str, targets: list[str], keyring: Path | None, at: str | None = None
) -> ReleaseModel:
    """A model or channel file (at the point *at*), or repositories (a bare one named by the
    only --target)."""
    return read_history(side, _options(targets, keyring)).at(at)


def _points(
    side: str | None, targets: list[str], keyring: Path | None, start: str | None, end: str | None
) -> tuple[ReleaseModel, ReleaseModel]:
    """The two points of the channel *side* (default: the bundled one) to compare: *start*
    (default: the point before *end*) and *end* (default: the newest)."""
    channel = read_history(side, _options(targets, keyring))
    after = channel.index(end) if end else len(channel.points) - 1
    before = channel.index(start) if start else after - 1
    if before < 0:
        raise typer.BadParameter(
            f"{channel.points[after]} is the first release of {side}: give --from, or NEW",
            param_hint="--from",
        )
    return channel.at(channel.points[before]), channel.at(channel.points[after])


def _diff(
    old: str | None,
    new: str | None,
    targets: list[str],
    options: DiffOptions,
    keyring: Path | None,
    points: tuple[str | None, str | None] = (None, None),
) -> ReleaseDiff:
    """The diff of the two sides; a worker reads the new one meanwhile, and another resolves
    the old one's requests as soon as it is read.  When both sides are broken, the old one's
    errors are the ones reported.  Without *new*, *old* is a channel (default: the bundled
    one) whose *points* (from, to) are compared."""
    try:
        if old is None or new is None:
            before, after = _points(old, targets, keyring, *points)
            with comparing(before, options) as against:
                return against(after)
        with (
            forked(functools.partial(_read, new, targets, keyring, points[1])) as reading,
            comparing(_read(old, targets, keyring, points[0]), options) as against,
        ):
            return against(reading.result())
    except UnknownPoint as exc:
        raise typer.BadParameter(str(exc), param_hint="--from/--to") from exc
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target") from exc
    except (RequestError, TemplateError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--request") from exc


@app.command()
def diff(
    old: Annotated[
        str | None,
        typer.Argument(
            help="A release model or channel (YAML), a `repogen build` output directory, or a "
            "bare APT repository or rpm-md tree, on disk or at an http(s):// URL. Default: "
            "the bundled channel, its newest point against the one before.",
            show_default=False,
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            help="The other side, as OLD; none when OLD is a channel whose points --from "
            "and --to are compared.",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="RELEASE",
            help="OLD as the channel was when RELEASE was the newest (default: the point "
            "before --to, when NEW is not given; else the newest).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="RELEASE",
            help="NEW (or OLD, when NEW is not given) as the channel was when RELEASE was the "
            "newest (default: the newest).",
        ),
    ] = None,
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
    upgrade: Annotated[
        list[str] | None,
        typer.Option(
            "--upgrade",
            help="Run this upgrade request on the machines the install requests set up "
            "(repeatable; default: apt-get upgrade, apt-get dist-upgrade, dnf upgrade, "
            "zypper update, each on its family's targets).",
        ),
    ] = None,
    keyring: KeyringOption = None,
) -> None:
    """Show what changed between two releases, per target and architecture: packages added,
    removed, renamed and re-versioned; relation changes per field; dnf module streams,
    default streams and profiles; SUSE patterns and kernel flavors; how install requests
    resolve (kernel-module flavor and install set) before and after; packages that are no
    longer installable; and what each upgrade request (apt-get upgrade and dist-upgrade, dnf
    upgrade, zypper update) does on the new release to a machine an install request set up
    on the old one: packages gained, lost, upgraded, and held back.

    Each side is a release model, or repositories on disk, compared from their metadata alone.
    Given one channel file, two of its points are compared: what a mirror sees change when a
    release is published (`repogen diff CHANNEL --to cuda-12.6.0`, from the point before);
    with no side at all, those of the bundled channel. Upgrades are consequences of the
    changes and never count as one. Exits 0, or with --exit-code 1 when anything differs; 2
    for unreadable input.

    Example: repogen diff repogen/data/releases/cuda-12.5.yaml repogen/data/releases/cuda-12.6.yaml
    """
    targets = list(target or [])
    if assertions and not assertion_files(assertions):
        # Resolving no request would report no resolution change without having looked.
        fail(f"no assertion files in {', '.join(map(str, assertions))}", EXIT_ERROR)
    for text in upgrade or ():
        try:
            parse_request(text)
        except RequestError as exc:
            raise typer.BadParameter(str(exc), param_hint="--upgrade") from exc
    options = DiffOptions(
        targets=tuple(targets),
        families=tuple(family or ()),
        requests=tuple(request or ()),
        assertion_files=tuple(assertions or ()),
        upgrades=tuple(upgrade or ()),
    )
    # Loading and writing out the diff make as many objects as the diff itself.
    with collector_paused():
        result = _diff(old, new, targets, options, keyring, (start, end))
        if output_format is Format.JSON:
            typer.echo(json_text(diff_json(result)))
        elif output_format is Format.MARKDOWN:
            typer.echo(markdown(result))
        else:
            for line in terminal(result):
                out.print(line)
    if exit_code and result.changed:
        raise typer.Exit(1)
