"""A channel: the releases one repository accumulates, and its points in time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from repogen.channel.merge import merge_releases
from repogen.errors import RepogenError
from repogen.model.concrete import ReleaseModel
from repogen.runtime.collector import collector_paused


class UnknownPoint(RepogenError, LookupError):
    """A point of a channel that it does not have."""


@dataclass(frozen=True)
class Channel:
    """Release models in publication order, oldest first.

    A *point* is a release's name: the channel as it was when that release was the newest,
    i.e. every release up to it merged (:func:`~repogen.channel.merge.merge_releases`).
    :func:`~repogen.channel.load.load_channel` makes it, having checked that the releases
    can follow one another (:func:`~repogen.channel.merge.history_problems`).
    """

    name: str
    source: str
    releases: tuple[ReleaseModel, ...]
    #: The merged view of each point made so far, by index: made on first use, kept (the
    #: channel itself never changes).
    _views: dict[int, ReleaseModel] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def of(cls, release: ReleaseModel) -> Channel:
        """A release model on its own: a channel of one point."""
        return cls(release.release.name, release.source, (release,))

    @property
    def points(self) -> tuple[str, ...]:
        """The release names, oldest first."""
        return tuple(r.release.name for r in self.releases)

    def index(self, name: str) -> int:
        """Where the point *name* is in :attr:`points`."""
        try:
            return self.points.index(name)
        except ValueError:
            raise UnknownPoint(
                f"{self.source}: no release {name!r} in the channel; "
                f"it has {', '.join(self.points)}"
            ) from None

    def branches(self, name: str | None = None) -> dict[str, ReleaseModel]:
        """The newest release of each driver branch up to the point *name* (None: now)."""
        index = len(self.releases) - 1 if name is None else self.index(name)
        return {r.release.driver.split(".")[0]: r for r in self.releases[: index + 1]}

    def at(self, name: str | None = None) -> ReleaseModel:
        """The repositories as they were when release *name* was the newest (None: now)."""
        index = len(self.releases) - 1 if name is None else self.index(name)
        if index in self._views:
            return self._views[index]
        # The point before, when a check walking every point merged it already, and this
        # point's release make the point; otherwise every release up to it, at once, in time
        # linear in the releases, where merging one point after another from the first
        # would take time quadratic in them.  Both give the same view; loading the channel
        # checked its history.  Read from the channel's file (the one given, as the
        # manifest's `model` says); a release on its own (:meth:`of`) from its own.
        earlier = self._views.get(index - 1)
        layers = (
            [earlier, self.releases[index]] if earlier is not None else self.releases[: index + 1]
        )
        with collector_paused():  # the merged views live on: a fifth of a long merge
            merged = merge_releases(layers, checked=True)
        self._views[index] = replace(merged, source=self.source)
        return self._views[index]
