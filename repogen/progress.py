"""Progress of long commands: a bar on a terminal, nothing in pipes and CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from repogen.publish.base import Progress


@contextmanager
def progress_display(console: Console) -> Iterator[Progress]:
    """A callback that shows each step on *console* when it is an interactive terminal."""
    if not console.is_terminal or os.environ.get("CI"):
        yield lambda _step: None
        return
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("building")
        yield lambda step: bar.update(task, description=step)
