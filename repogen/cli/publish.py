"""`repogen publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repogen.addresses import MANIFEST
from repogen.build import source_date_epoch
from repogen.cli.build import checked_base_url
from repogen.cli.common import EXIT_ERROR, GpgHomeOption, app, err, fail, load_model
from repogen.progress import progress_display
from repogen.publish.base import BuildOptions
from repogen.publish.into import publish_into
from repogen.publish.retention import Retention


@app.command("publish")
def publish_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="Release model YAML file of the release to add.",
            dir_okay=False,
            show_default=False,
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            help="The tree to add it to, made by `repogen build` or an earlier publish.",
            file_okay=False,
            show_default=False,
        ),
    ],
    sign_key: Annotated[
        str | None,
        typer.Option("--sign-key", help="Sign the indices and new packages with this gpg key."),
    ] = None,
    gpg_home: GpgHomeOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="URL the tree is served at, for the .repo, .sources and .list files "
            "(default: its file:// URL).",
        ),
    ] = None,
    keep_releases: Annotated[
        int | None,
        typer.Option(
            "--keep-releases",
            min=1,
            metavar="N",
            help="Keep only the newest N releases (default: every one).",
        ),
    ] = None,
    keep_branches: Annotated[
        int | None,
        typer.Option(
            "--keep-branches",
            min=1,
            metavar="N",
            help="Keep only the releases of the newest N driver branches (default: every one).",
        ),
    ] = None,
) -> None:
    """Add a release to the repositories of a tree, in place: its new package files, then
    new indices listing every release's packages, replaced so that a client never sees a
    half-published repository (older index files stay for clients mid-update).

    Package files already published are never rewritten; publishing a release that is there
    already changes nothing, and one of the same name with other content is refused.  A
    second publish into the same tree waits for the first.  With --keep-releases or
    --keep-branches, the packages only older releases published leave the indices, and their
    files go two publishes later (clients may still read the indices before).

    Example: repogen publish cuda-12.6.yaml --into out
    """
    release = load_model(model)
    if len(release.releases) > 1:
        fail(
            f"{model} is a channel; publish adds one release: give its release model "
            "(publish each in turn, or build the channel)",
            EXIT_ERROR,
        )
    options = BuildOptions(
        source_date_epoch=source_date_epoch(release),
        sign_key=sign_key,
        gpg_home=gpg_home,
        base_url=checked_base_url(base_url),
    )
    with progress_display(err) as progress:
        # Said whether or not a progress display shows: a publish that waits for another
        # (minutes, on a large tree) must not look hung.
        published = publish_into(
            release, into, options, progress, Retention(keep_releases, keep_branches), err.print
        )
    name = release.release.name
    if not published.changed:
        typer.echo(f"{name} is already published in {into}: nothing changed")
        return
    for entry in published.entries:
        typer.echo(f"{entry.target:<12} {entry.arch:<8} {into / entry.path}")
    typer.echo(f"wrote {into / MANIFEST}")
