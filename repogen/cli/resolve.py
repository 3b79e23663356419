"""`repogen resolve` and `repogen check`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from repogen.check.report import junit, resolution_json, results_json, table
from repogen.check.run import Checker, assertion_files, why_chain
from repogen.cli.common import (
    EXIT_ERROR,
    AtOption,
    EngineName,
    EngineOption,
    JsonOption,
    app,
    engine_of,
    fail,
    load_history,
    load_model,
    model_root,
    out,
    repository_of,
    split_model,
)
from repogen.model import Repository
from repogen.resolve.request import Request, RequestError, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.session import SessionError, installed_by
from repogen.resolve.universe import InstalledState, universe_for


@app.command()
def resolve(
    words: Annotated[
        list[str],
        typer.Argument(
            help="[MODEL] then the request as a user types it, after --", show_default=False
        ),
    ],
    target: Annotated[str, typer.Option("--target", help="Target to resolve on.")],
    arch: Annotated[
        str | None, typer.Option("--arch", help="Architecture (default: the target's first).")
    ] = None,
    installed: Annotated[
        list[str] | None,
        typer.Option("--installed", help="Requests already carried out, in order (repeatable)."),
    ] = None,
    installed_from: Annotated[
        Path | None,
        typer.Option(
            "--installed-from",
            help="Model the --installed requests ran against (default: MODEL).",
            dir_okay=False,
        ),
    ] = None,
    installed_at: Annotated[
        str | None,
        typer.Option(
            "--installed-at",
            metavar="RELEASE",
            help="With a channel file: the --installed requests ran while RELEASE was the "
            "channel's newest (default: the point of the request).",
        ),
    ] = None,
    held: Annotated[
        list[str] | None,
        typer.Option(
            "--held",
            metavar="NAME",
            help="An installed package held (apt-mark hold, zypper addlock); repeatable.",
        ),
    ] = None,
    at: AtOption = None,
    hotfixes: Annotated[
        bool, typer.Option("--hotfixes", help="module_hotfixes=1 on the release repository (dnf).")
    ] = False,
    why: Annotated[str | None, typer.Option("--why", help="Show how PKG came in.")] = None,
    engine: EngineOption = EngineName.IN_PROCESS,
    as_json: JsonOption = False,
) -> None:
    """Show what a request would install, upgrade and remove on one target, which module
    streams it enables and which kernel modules (open, proprietary, none) it brings.

    Exits 1 when the request cannot be satisfied, with the problem as the client states it.

    Example: repogen resolve --target ubuntu2204 -- apt-get install cuda
    """
    model, request_words = split_model(words)
    if installed_at is not None and installed_from is not None:
        fail(
            "give --installed-from (another model) or --installed-at (a point of the channel)",
            EXIT_ERROR,
        )
    release = load_model(model, at)
    repository = repository_of(release, target, arch)
    try:
        request = parse_request(request_words)
        state = InstalledState()
        if installed:
            source = (
                load_model(installed_from)
                if installed_from
                else load_model(model, installed_at)
                if installed_at
                else release
            )
            base = repository_of(source, target, repository.arch)
            state = installed_by(base, installed)
    except (RequestError, SessionError) as exc:
        raise typer.BadParameter(str(exc), param_hint="REQUEST") from exc
    if held:
        state = replace(state, held=frozenset(held))
    universe = universe_for(repository, state, hotfixes=hotfixes)
    with engine_of(engine) as answer:
        resolution = answer(repository, universe, request)
    flavor = universe.flavor(resolution)
    if as_json:
        data = resolution_json(resolution, flavor)
        data["why"] = why_chain(resolution, why) if why else data["why"]
        out.print_json(json.dumps(data))
    else:
        _print_resolution(request, repository, resolution, flavor, why)
    if not resolution.ok:
        raise typer.Exit(1)


def _print_resolution(
    request: Request, repository: Repository, resolution: Resolution, flavor: str, why: str | None
) -> None:
    typer.echo(f"{request} on {repository.target_name}/{repository.arch}: kernel modules {flavor}")
    if not resolution.ok:
        for line in resolution.problems:
            typer.echo(line)
        return
    for label, refs in (
        ("Install", resolution.install),
        ("Upgrade", resolution.upgrade),
        ("Remove", resolution.remove),
    ):
        if refs:
            typer.echo(f"{label} ({len(refs)}):")
            for ref in refs:
                typer.echo(f"  {ref.name} {ref.version} {ref.arch}")
    if resolution.modules:
        typer.echo(f"Enable module streams: {', '.join(resolution.modules)}")
    if why:
        typer.echo(f"why {why}: {why_chain(resolution, why)}")


@app.command()
def check(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="[MODEL] then assertion files or directories (default: the model's `assertions`)",
            show_default=False,
        ),
    ] = None,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", help="Write a JUnit XML report here.", dir_okay=False)
    ] = None,
    as_json: JsonOption = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List passing results too.")
    ] = False,
    engine: EngineOption = EngineName.IN_PROCESS,
) -> None:
    """Run assertion files against every target of a release and fail on any violation.

    Each assertion names targets, a request as a user types it, an optional installed state,
    and what must hold (succeeds or fails, kernel-module flavor, packages included or
    excluded, packages removed, module streams enabled).  A failure shows how the offending
    package came in.  Exits 1 when any assertion fails.

    Example: repogen check repogen/data/releases/cuda-12.5.yaml --junit report.xml
    """
    model, given = split_model(list(words or []))
    history = load_history(model)
    release = history.at(None)
    files = assertion_files([Path(f) for f in given], release.assertions)
    if not files:
        # Passing without checking anything would hide a model that forgot its assertions.
        where = (
            f"no assertion files in {', '.join(given)}"
            if given
            else f"{release.source} names none (`assertions:`) and none were given"
        )
        fail(f"no assertions to run: {where}", EXIT_ERROR)
    with engine_of(engine) as answer:
        checker = Checker(release, answer, root=model_root() if model else None, history=history)
        results = checker.run(files)
    if junit_file is not None:
        junit_file.write_bytes(junit(results, release.release.name))
    if as_json:
        out.print_json(json.dumps(results_json(results)))
    else:
        for line in table(results, verbose):
            typer.echo(line)
    if not all(r.passed for r in results):
        raise typer.Exit(1)
