"""`repogen graph`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repogen.cli.common import AtOption, ModelArgument, app, fail, load_model, repository_of
from repogen.graph import (
    Direction,
    Graph,
    PictureFormat,
    build_graph,
    diff,
    focus,
    fold,
    highlight,
    matching,
    picture_format,
    render,
    to_dot,
    where,
)
from repogen.model import Repository
from repogen.resolve import resolve
from repogen.resolve.request import RequestError, parse_request
from repogen.resolve.universe import universe_for


@app.command()
def graph(
    target: Annotated[str, typer.Option("--target", help="Target to draw.")],
    model: ModelArgument = None,
    at: AtOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Picture to write: .svg, .png or .dot (default: DOT text on stdout).",
            dir_okay=False,
        ),
    ] = None,
    arch: Annotated[
        str | None, typer.Option("--arch", help="Architecture (default: the target's first).")
    ] = None,
    request: Annotated[
        str | None,
        typer.Option(
            "--request",
            help='Highlight what a request selects, e.g. "apt-get install cuda"; dim the rest.',
        ),
    ] = None,
    focus_on: Annotated[
        str | None,
        typer.Option("--focus", metavar="PKG", help="Draw only what is near this package."),
    ] = None,
    depth: Annotated[
        int | None,
        typer.Option("--depth", min=0, help="Relation steps kept around --focus (default: all)."),
    ] = None,
    direction: Annotated[
        Direction,
        typer.Option(
            "--direction",
            help="From --focus: down (what it pulls in), up (what pulls it in) or both.",
        ),
    ] = Direction.DOWN,
    base: Annotated[
        bool, typer.Option("--base", help="Also draw the distribution's base packages.")
    ] = False,
    releases: Annotated[
        tuple[Path, Path] | None,
        typer.Option(
            "--diff",
            metavar="OLD NEW",
            help="Draw what changed from release model OLD to NEW instead of MODEL.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Draw the package graph of one target with Graphviz: metapackages, components,
    virtual packages, kernel-module providers coloured by flavor (open / proprietary), entry
    packages with a double border, SUSE patterns, dnf module streams grouped with the kernel
    module they select, and edges by relation kind.

    --request highlights the packages and streams the resolver selects and the relations it
    follows, and states the kernel-module flavor it brings.  --focus keeps what lies within
    --depth relation steps of one package (downstream by default).  --diff draws two
    releases in one graph: added in green, removed in red and dashed, the rest faded;
    packages are matched as `repogen diff` matches them: by name, by Replaces, Obsoletes or
    Provides, or by name with the release's branch and CUDA version as placeholders.

    Example: repogen graph --target ubuntu2204 --request "apt-get install cuda" -o cuda.svg
    """
    try:
        picture = picture_format(output) if output else PictureFormat.DOT
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--output") from exc
    if depth is not None and focus_on is None:
        raise typer.BadParameter("--depth needs --focus", param_hint="--depth")
    if releases is None:
        release = load_model(model, at)
        repository = repository_of(release, target, arch)
        drawn = build_graph(repository, release.release.name, base=base)
        if request is not None:
            drawn = _highlighted(drawn, repository, request)
        root = focus_on
    else:
        if model is not None or request is not None:
            raise typer.BadParameter(
                "--diff draws two releases: give neither MODEL nor --request with it",
                param_hint="--diff",
            )
        old, new = (load_model(path) for path in releases)
        before = repository_of(old, target, arch)
        after = repository_of(new, target, before.arch)
        names = matching(old.release, new.release, before, after)
        drawn = diff(
            build_graph(before, old.release.name, base=base),
            build_graph(after, new.release.name, base=base),
            names,
            where(after),
        )
        root = None if focus_on is None else names.key(focus_on)
    if root is not None:
        try:
            drawn = focus(drawn, root, depth, direction)
        except LookupError as exc:
            raise typer.BadParameter(str(exc), param_hint="--focus") from exc
    data = render(to_dot(fold(drawn)), picture)
    if output is None:
        typer.echo(data.decode(), nl=False)
    else:
        output.write_bytes(data)
        typer.echo(f"{output}: {len(drawn.nodes)} nodes, {len(drawn.edges)} edges")


def _highlighted(drawn: Graph, repository: Repository, text: str) -> Graph:
    try:
        request = parse_request(text)
    except RequestError as exc:
        raise typer.BadParameter(str(exc), param_hint="--request") from exc
    universe = universe_for(repository)
    try:
        resolution = resolve(universe, request)
    except RequestError as exc:  # a request for another family
        raise typer.BadParameter(str(exc), param_hint="--request") from exc
    if not resolution.ok:
        fail(f"{request} fails on {where(repository)}: " + "; ".join(resolution.problems))
    return highlight(drawn, str(request), resolution, universe.flavor(resolution))
