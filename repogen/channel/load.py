"""Loading a channel file: its releases, each a release model, checked as one history.

The release files a channel names are read as its own includes are: inside the channel file's
directory tree (or the wider *root*), or among repogen's bundled releases; each release's own
includes stay inside that tree too.  An error in a release names the release's file and line,
and the channel entry that lists it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from repogen.channel.channel import Channel
from repogen.channel.declarations import ChannelFile
from repogen.channel.merge import history_problems
from repogen.model.concrete import ReleaseModel
from repogen.model.errors import ModelError, ModelErrors
from repogen.model.load import declarations, inside_model_tree, model_tree, release_of
from repogen.model.source import MAX_FILES, Document, load_document
from repogen.runtime.collector import collector_paused

#: Releases in one channel: as many as files in one model (NVIDIA's CUDA 12 history is about
#: forty releases).
MAX_RELEASES = MAX_FILES


def is_channel(document: Document) -> bool:
    """Whether *document* is a channel file (its top-level ``channel`` key) rather than a
    release model."""
    return isinstance(document.data, dict) and "channel" in document.data


def load_channel(path: Path, root: Path | None = None) -> Channel:
    """Load the channel file at *path* and every release it lists.

    Raises :class:`ModelErrors` listing every problem, each with file, line and release.
    """
    with collector_paused():
        return channel_of(load_document(path, root), path, root)


def load_channel_or_release(path: Path, root: Path | None = None) -> Channel | ReleaseModel:
    """The channel or the release model at *path*, told apart by the channel's top-level
    ``channel`` key."""
    with collector_paused():
        document = load_document(path, root)
        if is_channel(document):
            return channel_of(document, path, root)
        return release_of(document, path, root)


def _in_release(error: ModelError, entry: str, listed: str) -> ModelError:
    """*error* of a release's file, saying which entry of the channel lists it."""
    return ModelError(error.mark, error.path, f"{error.message} (release {entry}, {listed})")


def channel_of(document: Document, path: Path, root: Path | None) -> Channel:
    """The channel *document* (read from *path*) declares."""
    channel = declarations(document, ChannelFile)
    tree = model_tree(path, root)
    if len(channel.releases) > MAX_RELEASES:
        message = f"more than {MAX_RELEASES} releases in one channel"
        raise ModelErrors([document.error(("releases",), message)])
    errors: list[ModelError] = []
    releases: list[ReleaseModel] = []
    documents: list[Document] = []
    for index, entry in enumerate(channel.releases):
        where = ("releases", index)
        mark, _ = document.locate(where)
        file = Path(os.path.normpath(mark.file.absolute().parent / entry))
        if not inside_model_tree(file, tree):
            errors.append(
                document.error(where, f"{entry} is outside the channel's directory {tree}")
            )
            continue
        if not file.is_file():
            errors.append(document.error(where, f"no such file: {file}"))
            continue
        try:
            release_document = load_document(file, tree)
            release = release_of(release_document, file, tree)
        except ModelErrors as exc:
            errors += (_in_release(e, entry, f"listed at {mark}") for e in exc.errors)
            continue
        named = [i for i, r in enumerate(releases) if r.release.name == release.release.name]
        if named:
            first = document.locate(("releases", named[0]))[0]
            message = f"release {release.release.name} is listed twice (first at {first})"
            errors.append(document.error(where, message))
            continue
        releases.append(release)
        documents.append(release_document)
    if errors:
        raise ModelErrors(errors)
    _check_history(releases, documents)
    return Channel(channel.channel, str(path), tuple(releases))


def _check_history(releases: Sequence[ReleaseModel], documents: Sequence[Document]) -> None:
    """Refuse releases that cannot follow one another in one repository: an error at each
    package of the later release, naming the earlier release's file and line."""
    errors = []
    for problem in history_problems(releases):
        earlier, _ = documents[problem.earlier].locate(problem.earlier_package.origin)
        later, in_file = documents[problem.later].locate(problem.later_package.origin)
        message = f"release {releases[problem.later].release.name}: " + problem.describe(
            releases, str(earlier)
        )
        errors.append(ModelError(later, in_file, message))
    for index in range(1, len(releases)):
        before, after = releases[index - 1].release, releases[index].release
        if after.date < before.date:
            mark, in_file = documents[index].locate(("release", "date"))
            message = (
                f"release {after.name} is dated {after.date}, before {before.name} "
                f"({before.date}) that the channel lists before it"
            )
            errors.append(ModelError(mark, in_file, message))
    if errors:
        raise ModelErrors(errors)
