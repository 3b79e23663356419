"""Performance plumbing in one place: the garbage collector's pause and the forked workers.

Neither changes what repogen computes, only how fast: :mod:`~repogen.runtime.collector`
pauses Python's cyclic collector while a stage makes millions of long-lived objects, and
:mod:`~repogen.runtime.workers` runs independent work in a forked process on a second CPU
(``REPOGEN_WORKERS=0`` keeps everything in one process).  The pipeline's stages (loading a
model, publishing a target, comparing two releases, checking a channel's points) use them;
nothing else needs to know.
"""
