"""Which release published which package file, and which releases a tree keeps.

Keeping every release is the default, as NVIDIA does.  ``--keep-releases N`` keeps the newest
N releases, ``--keep-branches N`` the releases of the newest N driver branches; a package
leaves the indices when no kept release publishes it, and its file goes once no index a
client may still read names it: after :data:`~repogen.publish.generations.KEPT` ``- 1`` more
publishes of its repository, the generations of index files kept until then.

``manifest.json`` records it (``published`` and ``leaving``, written with the rest of the
manifest in one rename), oldest first: each entry the releases of one publish (one release;
or, for a tree ``build`` made, the releases it was built from, which can only go together)
with their newest driver branch and their package files per target directory, and the
package files waiting to go.  ``build`` records them too, one entry per release it builds
(:func:`publication` makes them for both); a tree without them (an older ``build``'s) is one
entry: every package file its indices list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from repogen.families import driver
from repogen.model import ReleaseModel, Repository
from repogen.publish.base import BuildError
from repogen.publish.generations import KEPT


@dataclass(frozen=True)
class Retention:
    """What a publish keeps: the newest *releases*, the releases of the newest *branches*
    (None: no limit)."""

    releases: int | None = None
    branches: int | None = None


#: Every release kept: the default, as NVIDIA keeps them.
KEEP_ALL = Retention()


@dataclass
class Publication:
    """The releases of one publish (or of the build that made the tree) and their files."""

    releases: list[str]
    branch: int
    #: Package files by target directory (``deb/ubuntu2204``), relative to it.
    files: dict[str, list[str]]


@dataclass
class Provenance:
    """Every entry of a tree, oldest first, and the files waiting to go (by target
    directory: each file and how many more publishes of it it waits for)."""

    published: list[Publication]
    leaving: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, manifest: Mapping[str, object], shown: Path) -> Provenance | None:
        """What *manifest* (read from *shown*) records, if it records it."""
        if "published" not in manifest:
            return None
        published, leaving = manifest["published"], manifest.get("leaving")
        if not isinstance(published, list) or not isinstance(leaving, dict):
            raise BuildError(f"{shown}: published/leaving are not repogen's")
        try:
            return cls(
                [
                    Publication(list(p["releases"]), int(p["branch"]), dict(p["files"]))
                    for p in published
                ],
                {target: dict(files) for target, files in leaving.items()},
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BuildError(f"{shown}: published/leaving are not repogen's: {error}") from error

    def names(self) -> list[str]:
        return [name for p in self.published for name in p.releases]

    def fields(self) -> dict[str, object]:
        """The manifest's fields that record it."""
        return {
            "published": [
                {"releases": p.releases, "branch": p.branch, "files": p.files}
                for p in self.published
            ],
            "leaving": self.leaving,
        }


def branch_of(release: ReleaseModel) -> int:
    """The driver branch of *release* (0 when it has none)."""
    branch = release.release.driver.split(".")[0]
    return int(branch) if branch.isdigit() else 0


def publication(
    names: Sequence[str], release: ReleaseModel, repositories: Sequence[Repository]
) -> Publication:
    """The entry of the releases *names* (of *release*'s driver branch) that publish
    *repositories*: their package files by target directory.  ``build`` records one per
    release it builds, ``publish`` one per release it adds: one format for both."""
    files: dict[str, list[str]] = {}
    for target in dict.fromkeys(r.target_name for r in repositories):
        group = [r for r in repositories if r.target_name == target]
        family = group[0].family
        package_files = driver(family).publisher().package_files(group)
        files[f"{family.value}/{target}"] = [f.as_posix() for f in package_files]
    return Publication(list(names), branch_of(release), files)


def kept(published: Sequence[Publication], retention: Retention) -> list[Publication]:
    """The entries of *published* (oldest first) that *retention* keeps."""
    chosen = list(published)
    if retention.releases is not None:
        names = [name for p in published for name in p.releases][-retention.releases :]
        chosen = [p for p in chosen if any(n in names for n in p.releases)]
    if retention.branches is not None:
        branches = sorted({p.branch for p in published}, reverse=True)[: retention.branches]
        chosen = [p for p in chosen if p.branch in branches]
    return chosen


def withdraw(
    provenance: Provenance, retention: Retention, targets: Sequence[str]
) -> dict[str, set[PurePosixPath]]:
    """Apply *retention* to the entries of *provenance* (the new release last) on the target
    directories *targets* that this publish writes: the files that leave their indices, by
    target.  The entries not kept lose those targets' files, and go when they have none."""
    keep = kept(provenance.published, retention)
    if provenance.published and provenance.published[-1] not in keep:
        raise BuildError("the release being published would not be kept itself")
    dropped = [p for p in provenance.published if p not in keep]
    withdrawn: dict[str, set[PurePosixPath]] = {}
    for target in targets:
        staying = {f for p in keep for f in p.files.get(target, ())}
        leaving = {f for p in dropped for f in p.files.pop(target, ())} - staying
        if leaving:
            withdrawn[target] = {PurePosixPath(f) for f in leaving}
    provenance.published = [p for p in provenance.published if p.files]
    return withdrawn


def remove_left(
    provenance: Provenance,
    tree: Path,
    targets: Sequence[str],
    withdrawn: Mapping[str, set[PurePosixPath]],
) -> None:
    """After a publish of *targets* made new index generations: remove the files no kept
    generation names any more, and start the wait of those just *withdrawn*."""
    for target in targets:
        named = {f for p in provenance.published for f in p.files.get(target, ())}
        waiting = provenance.leaving.get(target, {})
        for name, left in sorted(waiting.items()):
            if name in named:
                del waiting[name]  # published again: it stays
            elif left <= 1:
                (tree / target / name).unlink(missing_ok=True)
                del waiting[name]
            else:
                waiting[name] = left - 1
        for path in withdrawn.get(target, ()):
            waiting[path.as_posix()] = KEPT - 1
        if waiting:
            provenance.leaving[target] = waiting
        else:
            provenance.leaving.pop(target, None)
