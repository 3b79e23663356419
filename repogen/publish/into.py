"""`repogen publish`: one more release added to a tree that ``build`` or an earlier
``publish`` made, in place, as NVIDIA adds every release to one repository per target.

The tree's indices are read, not the models of the releases before; only the new release's
package files are built, and every package file already published stays as it is.  The
publishers write, into a staging directory beside the tree, the new package files and the
complete new index directories (``dists/<suite>``, ``<arch>/repodata``), which then go into
the tree in an order that never shows a client a half-published repository:

1. new package files, specs, source packages and client files (nothing names them yet);
2. each index directory, exchanged whole with the one it replaces, older generations kept
   in it (:mod:`repogen.publish.generations`);
3. ``manifest.json``, renamed over the old one.

A publish holds the tree's lock (the one ``build`` holds), so that two never interleave: the
second says it is waiting and waits.  ``REPOGEN_STOP_AT`` stops it at each stage (``locked``,
``staging``, ``step-N``, ``staged``, ``files``, ``index-N``, ``manifest``, ``cleaned``) for
tests that kill it there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath

from repogen.build import (
    MANIFEST,
    check_signing,
    is_repogen_manifest,
    relative_entry,
    staged_progress,
)
from repogen.families import driver
from repogen.index import load_tree
from repogen.model import ReleaseModel, Repository
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress
from repogen.publish.generations import files, replace_index
from repogen.publish.output import OutputRefused, stage, working_directory
from repogen.runtime.collector import collector_paused


@dataclass(frozen=True)
class Published:
    """What a publish did: the manifest entries of the repositories it touched, and whether
    anything changed (publishing a release already there, identical, changes nothing)."""

    entries: list[ManifestEntry]
    changed: bool


def _manifest(tree: Path) -> dict[str, object]:
    path = tree / MANIFEST
    if not tree.is_dir() or not is_repogen_manifest(path):
        raise OutputRefused(
            f"{tree} is not a repogen output (no repogen {MANIFEST}); "
            "make it with `repogen build` first"
        )
    manifest: dict[str, object] = json.loads(path.read_text())
    return manifest


def _check(tree: Path) -> None:
    _manifest(tree)


def released(manifest: dict[str, object]) -> list[str]:
    """The names of the releases a tree holds, oldest first (a build's: its one release)."""
    names = manifest.get("releases")
    if isinstance(names, list) and all(isinstance(n, str) for n in names):
        return list(names)
    return [str(manifest["release"])]


def _repositories(
    release: ReleaseModel, entries: Sequence[dict[str, str]], tree: Path
) -> dict[str, list[Repository]]:
    """The release's repositories of the tree's targets and architectures, by target, each
    with the module streams of the tree's and the release's packages together."""
    wanted = {(e["target"], e["arch"]) for e in entries}
    by_target: dict[str, list[Repository]] = {}
    published: ReleaseModel | None = None
    for own in release.repositories:
        if (own.target_name, own.arch) not in wanted:
            continue
        repository = own
        if own.modules:
            published = published or load_tree(tree)
            (read,) = published.select([own.target_name], [own.arch])
            layers = [(published.release, read), (release.release, own)]
            repository = replace(own, modules=driver(own.family).merged_modules(layers))
        by_target.setdefault(own.target_name, []).append(repository)
    if not by_target:
        have = ", ".join(sorted({f"{t}/{a}" for t, a in wanted}))
        raise BuildError(f"{release.release.name} has none of the tree's repositories ({have})")
    return by_target


def _move(staged: Path, tree: Path, skip: Sequence[PurePosixPath]) -> None:
    """Rename every file under *staged* to its place under *tree*, but those under *skip*."""
    for name in files(staged):
        if any(PurePosixPath(name).is_relative_to(s) for s in skip):
            continue
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (staged / name).replace(target)


def _nothing_new(staged: Path, tree: Path, indices: Sequence[PurePosixPath]) -> bool:
    """Whether every file staged outside the index directories (package files above all) is
    in the tree already: the release needs nothing the tree does not hold."""
    return all(
        any(PurePosixPath(name).is_relative_to(i) for i in indices) or (tree / name).is_file()
        for name in files(staged)
    )


def publish_into(
    release: ReleaseModel,
    tree: Path,
    options: BuildOptions,
    progress: Progress = lambda _step: None,
) -> Published:
    """Add *release* to the repositories of the tree at *tree* (see the module's notes)."""
    tree = tree.absolute()
    check_signing(release.repositories, options)
    waiting = f"waiting for another build or publish into {tree}"
    with working_directory(tree, _check, lambda: progress(waiting)) as staging:
        # Read under the lock: a publish that held it may have changed the tree.
        manifest = _manifest(tree)
        names = released(manifest)
        entries = [e for e in manifest["repos"] if isinstance(e, dict)]  # type: ignore[attr-defined]
        by_target = _repositories(release, entries, tree)
        staged = staging / "tree"
        stage("staging")
        reporting = staged_progress(progress)
        published: list[ManifestEntry] = []
        indices: list[PurePosixPath] = []
        for target, group in by_target.items():
            relative = PurePosixPath(group[0].family.value, target)
            publisher = driver(group[0].family).publisher()
            with collector_paused():
                made = publisher.publish(
                    release,
                    group,
                    staged / relative,
                    tree / relative,
                    options,
                    reporting,
                    existing=tree / relative,
                )
            published += [relative_entry(e, relative) for e in made]
            indices += [relative / i for i in publisher.index_directories(group)]
        stage("staged")
        name = release.release.name
        if name in names:
            # Each of its packages is published as it is (one that is not is an error
            # above), so it is there: nothing is touched.  One that needs a package file the
            # tree lacks is another release under the same name.
            if _nothing_new(staged, tree, indices):
                return Published(published, changed=False)
            raise BuildError(
                f"{name} is already published in {tree} with other packages; "
                "a published release never changes: give it a new name"
            )
        _move(staged, tree, indices)
        stage("files")
        for number, index in enumerate(indices, 1):
            replace_index(staged / index, tree / index)
            stage(f"index-{number}")
        _write_manifest(tree, staging, manifest, release, names, published)
        stage("manifest")
    stage("cleaned")
    return Published(published, changed=True)


def _write_manifest(
    tree: Path,
    staging: Path,
    manifest: dict[str, object],
    release: ReleaseModel,
    names: Sequence[str],
    published: Sequence[ManifestEntry],
) -> None:
    """``manifest.json`` with the release added, renamed over the old one."""
    now = {(e.target, e.arch): asdict(e) for e in published}
    entries = [
        now.get((e["target"], e["arch"]), e)
        for e in manifest["repos"]  # type: ignore[attr-defined]
    ]
    new = {
        **manifest,
        "release": release.release.name,
        "model": release.source,
        "releases": [*names, release.release.name],
        "repos": entries,
    }
    written = staging / MANIFEST
    written.write_text(json.dumps(new, indent=2) + "\n")
    written.replace(tree / MANIFEST)
