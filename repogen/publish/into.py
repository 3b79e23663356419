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

Older releases stay unless a :class:`~repogen.publish.retention.Retention` says otherwise
(:mod:`repogen.publish.retention`).  A publish holds the tree's lock (the one ``build``
holds), so that two never interleave: the second says it is waiting and waits.
``REPOGEN_STOP_AT`` stops it at each stage (``locked``, ``staging``, ``step-N``, ``staged``,
``files``, ``index-N``, ``manifest``, ``cleaned``) for tests that kill it there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath

from repogen.addresses import MANIFEST
from repogen.build import (
    check_signing,
    is_repogen_manifest,
    relative_entry,
    staged_progress,
)
from repogen.families import driver
from repogen.index.release import UNKNOWN_CUDA, infer_release
from repogen.index.tree import tree_repositories
from repogen.model import KernelModuleFlavor, ReleaseModel, Repository
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress
from repogen.publish.generations import current, files, replace_index
from repogen.publish.output import OutputRefused, stage, working_directory
from repogen.publish.retention import (
    KEEP_ALL,
    Provenance,
    Retention,
    publication,
    remove_left,
    withdraw,
)
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


#: How many problems an error names before it counts the rest.
_SHOWN = 5


def _backwards(published: Repository, new: Repository) -> list[str]:
    """The packages of *new*, not published yet, whose version is lower than the newest of
    their name in the *published* repository: a user upgrading would be offered the older one
    (the rule a channel's releases keep, :func:`repogen.channel.history_problems`)."""
    compare = driver(new.family).compare_versions
    newest: dict[str, str] = {}
    there = {(p.name, p.version) for p in published.packages}
    for package in published.packages:
        known = newest.get(package.name)
        if known is None or compare(package.version, known) > 0:
            newest[package.name] = package.version
    label = f"{new.target_name}/{new.arch}"
    return [
        f"{label}: {p.name} goes back from {newest[p.name]} (published) to {p.version}"
        for p in new.packages
        if p.name in newest
        and (p.name, p.version) not in there
        and compare(p.version, newest[p.name]) < 0
    ]


def _repositories(
    release: ReleaseModel, entries: Sequence[dict[str, str]], published: ReleaseModel
) -> dict[str, list[Repository]]:
    """The release's repositories of the tree's targets and architectures, by target, each
    with the module streams of the tree's and the release's packages together."""
    wanted = {(e["target"], e["arch"]) for e in entries}
    by_target: dict[str, list[Repository]] = {}
    problems = []
    for own in release.repositories:
        if (own.target_name, own.arch) not in wanted:
            continue
        (read,) = published.select([own.target_name], [own.arch])
        problems += _backwards(read, own)
        repository = own
        if own.modules:
            # What the repository says of its newest release (its driver's branch), not
            # what the whole tree does: another repository may hold a newer one already.
            before = infer_release(published.release.name, "", [read], _UNASKED).model_copy(
                update={"date": published.release.date}
            )
            layers = [(before, read), (release.release, own)]
            repository = replace(own, modules=driver(own.family).merged_modules(layers))
        by_target.setdefault(own.target_name, []).append(repository)
    for target, group in by_target.items():
        # An APT suite's indices of every architecture are replaced together: one the
        # release lacks would be lost.
        lacking = sorted({a for t, a in wanted if t == target} - {r.arch for r in group})
        if lacking:
            problems.append(
                f"{target}: {release.release.name} has no {', '.join(lacking)}, which the "
                "tree has; a release is published on every architecture of a target"
            )
    if problems:
        more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
        raise BuildError("; ".join(problems[:_SHOWN]) + more)
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


#: The default flavor of what a tree holds is not asked: adding a release needs its packages,
#: modules, driver and date, and resolving ``cuda`` over a channel's packages takes a second.
_UNASKED = KernelModuleFlavor.PROPRIETARY


def _published(tree: Path, names: Sequence[str]) -> ReleaseModel:
    """What the tree at *tree* holds (the releases *names*), as its indices list it."""
    repositories, date = tree_repositories(tree)
    declared = infer_release(names[-1], date, repositories, _UNASKED)
    return ReleaseModel(declared, str(tree), repositories, releases=tuple(names))


def _provenance(
    manifest: dict[str, object], tree: Path, published: ReleaseModel, names: Sequence[str]
) -> Provenance:
    """Which release published which package file: as the manifest records it, else (a tree
    an older ``build`` made) every package file of the tree, by the releases it was built
    from."""
    recorded = Provenance.of(manifest, tree / MANIFEST)
    if recorded is not None:
        return recorded
    return Provenance([publication(names, published, published.repositories)])


#: How a gpg signature starts (``InRelease``, ``Release.gpg``, ``repomd.xml.asc``).
_SIGNATURES = (b"-----BEGIN PGP SIGNED MESSAGE", b"-----BEGIN PGP SIGNATURE")


def _check_signed(tree: Path, indices: Sequence[PurePosixPath], options: BuildOptions) -> None:
    """Refuse to sign what was not signed, or not to sign what was: a client configured
    for the one would refuse the other's packages or indices."""
    for index in indices:
        newest = current(tree / index)
        if not newest:
            continue
        signed = any(data.startswith(_SIGNATURES) for data in newest.values())
        if signed and options.sign_key is None:
            raise BuildError(f"{tree / index} is signed: publish into it with --sign-key")
        if not signed and options.sign_key is not None:
            raise BuildError(
                f"{tree / index} is not signed, nor are its packages: build the tree "
                "with --sign-key to publish signed releases into it"
            )


def publish_into(
    release: ReleaseModel,
    tree: Path,
    options: BuildOptions,
    progress: Progress = lambda _step: None,
    retention: Retention = KEEP_ALL,
    waiting: Callable[[str], None] | None = None,
) -> Published:
    """Add *release* to the repositories of the tree at *tree* (see the module's notes),
    keeping the releases *retention* says; *waiting* (default: *progress*) is told when
    another build or publish holds the tree."""
    tree = tree.absolute()
    check_signing(release.repositories, options)
    message = f"waiting for another build or publish into {tree}"
    with working_directory(tree, _check, lambda: (waiting or progress)(message)) as staging:
        # Read under the lock: a publish that held it may have changed the tree.
        manifest = _manifest(tree)
        names = released(manifest)
        entries = [e for e in manifest["repos"] if isinstance(e, dict)]  # type: ignore[attr-defined]
        before = _published(tree, names)
        if release.release.cuda is None and before.release.cuda != UNKNOWN_CUDA:
            # A driver-only release, said as a channel says it: the tree still holds the
            # newest CUDA release before it (:func:`repogen.channel.merge_releases`).
            cuda = {"cuda": before.release.cuda}
            release = replace(release, release=release.release.model_copy(update=cuda))
        by_target = _repositories(release, entries, before)
        name = release.release.name
        provenance = _provenance(manifest, tree, before, names)
        targets = {
            PurePosixPath(group[0].family.value, target): group
            for target, group in by_target.items()
        }
        if name not in names:
            own = [r for group in by_target.values() for r in group]
            provenance.published.append(publication([name], release, own))
        withdrawn = withdraw(provenance, retention, [str(t) for t in targets])
        indices = [
            relative / index
            for relative, group in targets.items()
            for index in driver(group[0].family).publisher().index_directories(group)
        ]
        _check_signed(tree, indices, options)
        staged = staging / "tree"
        stage("staging")
        reporting = staged_progress(progress)
        published: list[ManifestEntry] = []
        for relative, group in targets.items():
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
                    withdrawn=withdrawn.get(str(relative), ()),
                )
            published += [relative_entry(e, relative) for e in made]
        stage("staged")
        if name in names:
            # Each of its packages is published as it is (one that is not is an error
            # above), so it is there: nothing is touched, unless retention withdraws older
            # releases.  One that needs a package file the tree lacks is another release
            # under the same name.
            if not _nothing_new(staged, tree, indices):
                raise BuildError(
                    f"{name} is already published in {tree} with other packages; "
                    "a published release never changes: give it a new name"
                )
            if not any(withdrawn.values()):
                return Published(published, changed=False)
        _move(staged, tree, indices)
        stage("files")
        for number, index in enumerate(indices, 1):
            replace_index(staged / index, tree / index)
            stage(f"index-{number}")
        remove_left(provenance, tree, [str(t) for t in targets], withdrawn)
        _write_manifest(tree, staging, manifest, release, provenance, published)
        stage("manifest")
    stage("cleaned")
    return Published(published, changed=True)


def _write_manifest(
    tree: Path,
    staging: Path,
    manifest: dict[str, object],
    release: ReleaseModel,
    provenance: Provenance,
    published: Sequence[ManifestEntry],
) -> None:
    """``manifest.json`` with the release added (and those not kept gone), renamed over the
    old one."""
    now = {(e.target, e.arch): asdict(e) for e in published}
    entries = [
        now.get((e["target"], e["arch"]), e)
        for e in manifest["repos"]  # type: ignore[attr-defined]
    ]
    new = {
        **manifest,
        "release": release.release.name,
        "model": release.source,
        "releases": provenance.names(),
        "repos": entries,
        **provenance.fields(),
    }
    written = staging / MANIFEST
    written.write_text(json.dumps(new, indent=2) + "\n")
    written.replace(tree / MANIFEST)
