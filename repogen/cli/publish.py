"""`repogen publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repogen.build import MANIFEST, source_date_epoch
from repogen.cli.build import checked_base_url
from repogen.cli.common import app, err, load_model
from repogen.progress import progress_display
from repogen.publish.base import BuildOptions
from repogen.publish.into import publish_into


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
    gpg_home: Annotated[
        Path | None, typer.Option("--gpg-home", help="gpg home directory holding the key.")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="URL the tree is served at, for the .repo, .sources and .list files "
            "(default: its file:// URL).",
        ),
    ] = None,
) -> None:
    """Add a release to the repositories of a tree, in place: its new package files, then
    new indices listing every release's packages, replaced so that a client never sees a
    half-published repository (older index files stay for clients mid-update).

    Package files already published are never rewritten; publishing a release that is there
    already changes nothing, and one of the same name with other content is refused.  A
    second publish into the same tree waits for the first.

    Example: repogen publish cuda-12.6.yaml --into out
    """
    release = load_model(model)
    options = BuildOptions(
        source_date_epoch=source_date_epoch(release),
        sign_key=sign_key,
        gpg_home=gpg_home,
        base_url=checked_base_url(base_url),
    )
    with progress_display(err) as progress:
        published = publish_into(release, into, options, progress)
    name = release.release.name
    if not published.changed:
        typer.echo(f"{name} is already published in {into}: nothing changed")
        return
    for entry in published.entries:
        typer.echo(f"{entry.target:<12} {entry.arch:<8} {into / entry.path}")
    typer.echo(f"wrote {into / MANIFEST}")
