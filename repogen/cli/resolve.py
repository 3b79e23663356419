"""`repogen resolve` and `repogen check`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from repogen.channel import Channel
from repogen.check.report import resolution_json, results_json, table
from repogen.check.run import assertion_files, check_channel, why_chain
from repogen.cli.common import (
    EXIT_ERROR,
    AtOption,
    Command,
    EngineName,
    EngineOption,
    JsonOption,
    app,
    engine_of,
    fail,
    load_history,
    model_root,
    point_of,
    print_json,
    repository_of,
    split_model,
)
from repogen.cli.inputs import KeyringOption, RepositoryOptions
from repogen.model import ReleaseModel, Repository
from repogen.resolve.request import Request, RequestError, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.session import SessionError, Step, installed_along, out_of_time
from repogen.resolve.universe import universe_for

#: ``ctx.meta`` key: the names of the options of `resolve`, one per occurrence, in the order
#: given.
_GIVEN = "repogen.resolve.given"


class _InOrder(Command):
    """`resolve`, knowing the order its options were given in: an `--installed` request runs
    at the `--installed-at` before it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Click keeps each option's values, not how they interleave: its parser's third
        # result (one parameter per occurrence) does.  Typed Any: typer vendors click.
        _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        ctx.meta[_GIVEN] = [param.name for param in order]
        return super().parse_args(ctx, args)


def installed_at_each(
    given: list[str], requests: list[str], points: list[str]
) -> list[tuple[str | None, tuple[str, ...]]]:
    """The ``--installed`` *requests* grouped by the ``--installed-at`` point they ran at, in
    order: each at the ``--installed-at`` before it on the command line (*given*: option
    names, one per occurrence), one before the first at the first (so a single
    ``--installed-at`` covers them all, wherever it is); at None without any."""
    if not points:
        return [(None, tuple(requests))] if requests else []
    groups: list[tuple[str | None, tuple[str, ...]]] = []
    left = iter(requests)
    seen = 0
    for name in given:
        if name == "installed_at":
            seen += 1
        elif name == "installed":
            at = points[max(seen - 1, 0)]
            if groups and groups[-1][0] == at:
                groups[-1] = (at, (*groups[-1][1], next(left)))
            else:
                groups.append((at, (next(left),)))
    return groups


def _installed_steps(
    groups: list[tuple[str | None, tuple[str, ...]]],
    then: Channel,
    release: ReleaseModel,
    repository: Repository,
    now: str | None,
) -> list[Step]:
    """Each group of requests on *repository*'s target as *then* was at its point (None: the
    request's own *release*); a history going back in time, or later than *now* (the
    request's point, when *then* is its channel), is a usage error of ``--installed-at``."""
    steps = []
    for at, requests in groups:
        source = release if at is None and now is not None else point_of(then, at, "--installed-at")
        steps.append(Step(repository_of(source, repository.target_name, repository.arch), requests))
    wrong = out_of_time(then.points, [at for at, _ in groups], now)
    if wrong is not None:
        raise typer.BadParameter(wrong[1], param_hint="--installed-at")
    return steps


@app.command(cls=_InOrder)
def resolve(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(
            help="[MODEL or REPOSITORIES] then the request as a user types it, after --",
            show_default=False,
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
    held: Annotated[
        list[str] | None,
        typer.Option(
            "--held",
            metavar="NAME",
            help="An installed package held (apt-mark hold, zypper addlock); repeatable.",
        ),
    ] = None,
    at: AtOption = None,
    installed_at: Annotated[
        list[str] | None,
        typer.Option(
            "--installed-at",
            metavar="RELEASE",
            help="The point of the channel (--installed-from's, else MODEL's) the --installed "
            "requests ran at: the machine was installed when RELEASE was the newest.  "
            "Repeatable, for a history: each --installed runs at the --installed-at before it "
            "(the first one if none is before it), oldest first.",
        ),
    ] = None,
    hotfixes: Annotated[
        bool, typer.Option("--hotfixes", help="module_hotfixes=1 on the release repository (dnf).")
    ] = False,
    why: Annotated[str | None, typer.Option("--why", help="Show how PKG came in.")] = None,
    engine: EngineOption = EngineName.IN_PROCESS,
    as_json: JsonOption = False,
    keyring: KeyringOption = None,
) -> None:
    """Show what a request would install, upgrade and remove on one target, which module
    streams it enables and which kernel modules (open, proprietary, none) it brings.

    MODEL may be published repositories instead: a `repogen build` output, a bare APT
    repository or rpm-md tree, a directory or an http(s):// URL (a bare one is named by
    --target).  Exits 1 when the request cannot be satisfied, with the problem as the client
    states it.

    Example: repogen resolve --target ubuntu2204 -- apt-get install cuda
    """
    model, request_words = split_model(words)
    channel = load_history(model, RepositoryOptions(target, keyring))
    release = point_of(channel, at)
    repository = repository_of(release, target, arch)
    groups = installed_at_each(ctx.meta.get(_GIVEN, []), installed or [], installed_at or [])
    then = load_history(installed_from) if installed_from else channel
    now = None if installed_from else release.release.name
    steps = _installed_steps(groups, then, release, repository, now)
    with engine_of(engine) as answer:
        try:
            request = parse_request(request_words)
            # The engine sets up the installed state too: with --engine real, the real
            # client runs the machine's whole history.
            state = installed_along(steps, answer=answer)
        except (RequestError, SessionError) as exc:
            raise typer.BadParameter(str(exc), param_hint="REQUEST") from exc
        if held:
            state = replace(state, held=frozenset(held))
        universe = universe_for(repository, state, hotfixes=hotfixes)
        resolution = answer(repository, universe, request)
    flavor = universe.flavor(resolution)
    if as_json:
        data = resolution_json(resolution, flavor)
        data["why"] = why_chain(resolution, why) if why else data["why"]
        print_json(data)
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
    if resolution.disabled:
        typer.echo(f"Disable modules: {', '.join(resolution.disabled)}")
    if why:
        typer.echo(f"why {why}: {why_chain(resolution, why)}")


@app.command()
def check(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="[MODEL or REPOSITORIES] then assertion files or directories (default: the "
            "model's `assertions`)",
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
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="RELEASE",
            help="With a channel file: check only the point where RELEASE was the newest "
            "(default: every point).",
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Target name of a bare repository given as input."),
    ] = None,
    keyring: KeyringOption = None,
) -> None:
    """Run assertion files against every target of a release and fail on any violation.

    Each assertion names targets, a request as a user types it, an optional installed state,
    and what must hold (succeeds or fails, kernel-module flavor, packages included or
    excluded, packages removed, module streams enabled).  A failure shows how the offending
    package came in.  Exits 1 when any assertion fails; 2 when there is nothing to run or an
    assertion matches no target.

    The release may be published repositories instead of a model: a `repogen build` output,
    a bare APT repository or rpm-md tree (named by --target), a directory or an http(s)://
    URL; the assertions then run over the metadata as published.

    Given a channel file, each assertion runs at every point of the channel where its `when`
    holds (or at its `at` point only), on the repositories as they were when that point's
    release was the newest; each result names its point.

    Example: repogen check repogen/data/releases/cuda-12.5.yaml --junit report.xml

    Example: repogen check https://mirror.example/cuda/ checks/ --keyring cuda.gpg --junit r.xml
    """
    model, given = split_model(list(words or []))
    channel = load_history(model, RepositoryOptions(target, keyring))
    release = point_of(channel, at)
    files = assertion_files([Path(f) for f in given], release.assertions)
    if not files:
        # Passing without checking anything would hide a model that forgot its assertions.
        where = (
            f"no assertion files in {', '.join(given)}"
            if given
            else f"{release.source} names none (`assertions:`) and none were given"
        )
        fail(f"no assertions to run: {where}", EXIT_ERROR)
    points = [at] if at else []
    with engine_of(engine) as answer:
        root = model_root() if model else None
        results = check_channel(channel, files, answer, root, points, every_assertion_applies=True)
    if not results:
        # Nothing checked is not a pass: every assertion's `when` or `at` left it out.
        fail(f"no assertion of {', '.join(map(str, files))} applies here", EXIT_ERROR)
    several = len(channel.points) > 1
    if junit_file is not None:
        from repogen.check.junit import junit

        junit_file.write_bytes(junit(results, release.release.name, several))
    if as_json:
        print_json(results_json(results))
    else:
        for line in table(results, verbose, several):
            typer.echo(line)
    if not all(r.passed for r in results):
        raise typer.Exit(1)
