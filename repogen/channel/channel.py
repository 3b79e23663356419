"""A channel: the releases one repository accumulates, and its points in time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from repogen.channel.merge import merge_releases
from repogen.errors import RepogenError
from repogen.model.concrete import ReleaseModel


class UnknownPoint(RepogenError, LookupError):
    """A point of a channel that it does not have."""


@dataclass(frozen=True)
class Channel:
    """Release models in publication order, oldest first.

    A *point* is a release's name: the channel as it was when that release was the newest,
    i.e. every release up to it merged (:func:`~repogen.channel.merge.merge_releases`).
    """

    name: str
    source: str
    releases: tuple[ReleaseModel, ...]
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

    def at(self, name: str | None = None) -> ReleaseModel:
        """The repositories as they were when release *name* was the newest (None: now)."""
        index = len(self.releases) - 1 if name is None else self.index(name)
        view = self._views.get(index)
        if view is None:
            merged = merge_releases(self.releases[: index + 1])
            # A channel of one release (:meth:`of`) is that release, from its own file.
            view = merged if len(self.releases) == 1 else replace(merged, source=self.source)
            self._views[index] = view
        return view
