"""`repogen build`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from repogen.addresses import MANIFEST
from repogen.build import build, source_date_epoch
from repogen.cli.common import (
    AtOption,
    GpgHomeOption,
    ModelArgument,
    app,
    err,
    load_history,
    point_of,
)
from repogen.progress import progress_display
from repogen.publish.base import BuildOptions

#: A base URL: a scheme, then no whitespace or control character that would split a line.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\x00-\x20\x7f]+")


def checked_base_url(base_url: str | None) -> str | None:
    """*base_url*, if it is a URL (a usage error otherwise)."""
    if base_url is not None and _URL.fullmatch(base_url) is None:
        raise typer.BadParameter(
            f"{base_url!r} is not a URL (scheme://host/path, no spaces)", param_hint="--base-url"
        )
    return base_url


@app.command("build")
def build_command(
    model: ModelArgument = None,
    at: AtOption = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output directory (replaced as a whole).")
    ] = Path("out"),
    target: Annotated[
        list[str] | None, typer.Option("--target", help="Only this target (repeatable).")
    ] = None,
    arch: Annotated[
        list[str] | None, typer.Option("--arch", help="Only this architecture (repeatable).")
    ] = None,
    sign_key: Annotated[
        str | None, typer.Option("--sign-key", help="Sign the indices with this gpg key.")
    ] = None,
    gpg_home: GpgHomeOption = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="URL the output directory will be served at, for the .repo, .sources and "
            ".list files (default: its file:// URL).",
        ),
    ] = None,
    no_packages: Annotated[
        bool, typer.Option("--no-packages", help="Write metadata only, no package files.")
    ] = False,
    add_packages: Annotated[
        Path | None,
        typer.Option(
            "--add-packages",
            help="Index these real .deb/.rpm files too.",
            file_okay=False,
            exists=True,
        ),
    ] = None,
) -> None:
    """Build the release's repositories: APT for deb targets, rpm-md (+ modules) for rpm
    targets, rpm-md with patterns for SUSE, and DIR/manifest.json describing them.

    The output directory is replaced only when the whole build succeeded.

    Example: repogen build -o out --target ubuntu2204 --target rhel9
    """
    base_url = checked_base_url(base_url)
    channel = load_history(model)
    release = point_of(channel, at)
    # The releases merged at that point, for the manifest to say which published what.
    history = channel.releases[: channel.index(release.release.name) + 1]
    options = BuildOptions(
        source_date_epoch=source_date_epoch(release),
        packages=not no_packages,
        sign_key=sign_key,
        gpg_home=gpg_home,
        add_packages=add_packages,
        base_url=base_url,
    )
    try:
        repositories = release.select(target or (), arch or ())
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--target/--arch") from exc
    # A build that fails (BuildError), or an -o it must not replace (OutputRefused), ends as
    # every domain error does: one line, exit 2.
    with progress_display(err) as progress:
        entries = build(release, output, repositories, options, progress, history)
    for entry in entries:
        typer.echo(f"{entry.target:<12} {entry.arch:<8} {output / entry.path}")
    typer.echo(f"wrote {output / MANIFEST}")
