"""`repogen import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from repogen.cli.common import app, err, fail, load_model
from repogen.cli.inputs import KeyringOption, RepositoryOptions, is_repositories
from repogen.importer import combined, holds_several, release_files, write_channel, write_model
from repogen.model import ReleaseModel


@app.command("import")
def import_(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Published repositories: `repogen build` outputs, bare APT repositories or "
            "rpm-md trees, directories or http(s):// URLs.",
            metavar="SOURCE",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The release model (or, for several releases, channel) file to write.",
            dir_okay=False,
        ),
    ],
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            help="The target of a bare repository: one for every SOURCE, or one per SOURCE "
            "in their order.",
        ),
    ] = None,
    keyring: KeyringOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT when it exists.")] = False,
) -> None:
    """Write a release model that declares what published repositories hold.

    Every package becomes a declaration with its exact version, summary, description,
    architecture and relations; packages that are the same on several targets or
    architectures are one declaration with a `when`, and versions and names made of the
    release's numbers are written as templates (`{driver}-1`, `cuda-toolkit-{cuda_dash}`).
    dnf module streams become the model's `modules`.

    The model is written only once it has been loaded back and expanded to the very packages
    and streams read; what it cannot declare exits 2 naming the repository, the package and
    the field.  The indices carry no maintainer or license: the model says `unknown`.
    A tree holding several releases (`repogen build CHANNEL`, `repogen publish`), whose
    manifest says which release published which package, is written as a channel: OUTPUT
    lists the releases, each release's model written beside it as NAME.yaml.

    Example: repogen import https://example.com/repos/ubuntu2204 --target ubuntu2204 -o model.yaml
    """
    named = targets or []
    if len(named) > 1 and len(named) != len(sources):
        raise typer.BadParameter(
            f"{len(named)} targets for {len(sources)} sources: give one, or one per SOURCE",
            param_hint="--target",
        )
    for source in sources:
        if not is_repositories(source):
            fail(f"{source}: not published repositories (no manifest.json, dists/ or repodata/)", 2)
    if output.exists() and not force:
        fail(f"{output} exists; give --force to replace it", 2)
    releases = [
        load_model(
            source,
            repositories=RepositoryOptions(
                named[index] if len(named) > 1 else (named[0] if named else None), keyring
            ),
        )
        for index, source in enumerate(sources)
    ]
    release = combined(releases)
    if holds_several(release):
        existing = [f for f in release_files(release, output).values() if f.exists()]
        if existing and not force:
            fail(f"{existing[0]} exists; give --force to replace it", 2)
        for one, file in zip(
            write_channel(release, output), release_files(release, output).values(), strict=True
        ):
            _report(file, one)
        err.print(f"{output}: channel of {len(release.releases)} releases")
        return
    _report(output, write_model(release, output))


def _report(output: Path, loaded: ReleaseModel) -> None:
    packages = sum(len(r.packages) for r in loaded.repositories)
    err.print(
        f"{output}: {loaded.release.name}, {len(loaded.repositories)} repositories, "
        f"{packages} packages"
    )
