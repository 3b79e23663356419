"""`repogen diff`: what changed between two releases, down to what installs resolve to."""

from repogen.diff.compare import DiffOptions, diff_releases
from repogen.diff.result import ReleaseDiff, RepositoryDiff, Status

__all__ = ["DiffOptions", "ReleaseDiff", "RepositoryDiff", "Status", "diff_releases"]
