"""Channels: the releases one repository accumulates, oldest first (issue #19).

NVIDIA publishes one repository per distribution and architecture and adds every release to
it.  A channel file lists the release models in that order; :class:`Channel` gives the
repositories at each point of the history, merged by :func:`merge_releases`.
"""

from repogen.channel.channel import Channel, UnknownPoint
from repogen.channel.load import is_channel, load_channel, load_channel_or_release
from repogen.channel.merge import HistoryError, HistoryProblem, history_problems, merge_releases

__all__ = [
    "Channel",
    "HistoryError",
    "HistoryProblem",
    "UnknownPoint",
    "history_problems",
    "is_channel",
    "load_channel",
    "load_channel_or_release",
    "merge_releases",
]
