"""Names and versions with the release's own numbers taken out, to compare across releases:
the one normaliser of `repogen diff` and `repogen graph --diff`.

A release writes its version numbers into names and relations: ``nvidia-driver-555``,
``cuda-toolkit-12-5``, ``libnvidia-compute555``, ``nvidia-dkms-555 (= 555.42.06-0ubuntu1)``.
Normalising replaces, in each side's text, that side's full driver version, CUDA version,
``major.minor``, ``major-minor`` and driver branch with placeholders::

    nvidia-driver-555 (12.5.1/555.42.06)  ->  nvidia-driver-{branch}  <-  nvidia-driver-560
    libfoo555                             ->  libfoo{branch}          <-  libfoo560
    cuda-drivers (>= 555.42.06)           ->  cuda-drivers (>= {driver})

A value only counts as a whole number: not after a digit or a dot, not before a digit or
``.digit`` (``555`` in ``nvidia-driver-555-open`` and ``libfoo555``, not in ``5551``,
``1.555`` or ``555.1``).  Letters may touch it, because Debian appends a library's number
straight to a name that ends in a letter (``libfoo555``): a release that moves from branch
555 to 560 renames that package just as it renames ``nvidia-driver-555``.  Values are tried
longest first; of two variables with one value the later of :data:`NUMBERS` names it, so that
a branch-only driver version (``560``) still reads ``{branch}`` in names.

Between two releases only the variables whose values differ are replaced (a variable with
the same value on both sides needs no placeholder to compare equal), and a value the release
does not know (``0.0.0`` for metadata without a ``cuda`` package) is never replaced.  Texts
equal after normalisation "follow the release": they are the same thing in both releases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from repogen.model.declarations import Release
from repogen.model.templates import release_variables

#: The release variables that are version numbers written into names, in the order a
#: caption lists them.
NUMBERS = ("driver", "cuda", "branch", "cuda_dot", "cuda_dash")


@dataclass(frozen=True)
class Normaliser:
    """Rewrites one release's version numbers into ``{placeholder}``s."""

    placeholders: dict[str, str]
    _pattern: re.Pattern[str] | None = field(init=False, compare=False, repr=False)
    #: Texts already rewritten: a release repeats its relations across many packages.
    _done: dict[str, str] = field(init=False, compare=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        values = sorted(self.placeholders, key=lambda v: (-len(v), v))
        pattern = (
            re.compile(r"(?<![0-9.])(?:" + "|".join(map(re.escape, values)) + r")(?![0-9]|\.[0-9])")
            if values
            else None
        )
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of(cls, release: Release, numbers: Iterable[str] = NUMBERS) -> Normaliser:
        """The normaliser of *release*'s *numbers* (default: all of them)."""
        variables = release_variables(release)
        chosen = set(numbers)
        # In NUMBERS order, so that of two variables with one value the later one names it.
        return cls(
            {
                variables[name]: f"{{{name}}}"
                for name in NUMBERS
                if name in chosen and _known(variables[name])
            }
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        done = self._done.get(text)
        if done is None:
            done = self._done[text] = self._pattern.sub(
                lambda m: self.placeholders[m.group()], text
            )
        return done


def _known(value: str) -> bool:
    """Whether *value* is a number the release knows (``0.0.0`` stands for none)."""
    return bool(value.strip("0.-"))


@dataclass(frozen=True)
class ReleaseNumbers:
    """The normalisers of an older and a newer release, for the numbers that differ."""

    old: Normaliser
    new: Normaliser
    #: ``555 → 560, 12-5 → 12-6, …``: the values replaced, in :data:`NUMBERS` order.
    replaced: str

    @classmethod
    def between(cls, old: Release, new: Release) -> ReleaseNumbers:
        before, after = release_variables(old), release_variables(new)
        differ = [name for name in NUMBERS if before[name] != after[name]]
        return cls(
            Normaliser.of(old, differ),
            Normaliser.of(new, differ),
            ", ".join(f"{before[name]} → {after[name]}" for name in differ),
        )

    def key(self, name: str) -> str:
        """The normalised *name*, a name of either release."""
        return self.new(self.old(name))


def follow_release(
    gone: Sequence[str], came: Sequence[str], numbers: ReleaseNumbers
) -> list[tuple[str, str]]:
    """The rename rule's last step: (old, new) pairs of names only one side has (*gone* on
    the old side, *came* on the new) that are equal once each side's numbers are normalised,
    each name in at most one pair, in the order of *gone*."""
    by_normal = {numbers.new(name): name for name in came}
    pairs = []
    for name in gone:
        successor = by_normal.pop(numbers.old(name), None)
        if successor is not None:
            pairs.append((name, successor))
    return pairs
