"""Python's cyclic garbage collector paused while loading a release, diffing two,
publishing a target or checking a channel.

Each makes millions of small objects that live on (the loaded releases) or are freed by
reference counting; each of the collector's passes walks everything alive again.  On two
10,000-package releases the passes took 40 % of the diff and a third of loading.

When it runs again, what the block made is in its oldest generation: the next young pass
would otherwise walk all of it at once (0.1 s after the bundled channel's check, most of it
the apt caches' garbage, just before the command exits); a full pass, when one comes, frees
the cycles made meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off inside the block, and on again after it if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()  # every generation into the permanent one…
            gc.unfreeze()  # …and that into the oldest
            gc.enable()
