"""Names and versions with the release's own numbers taken out, to compare across releases.

A release writes its version numbers into names and relations: ``nvidia-driver-555``,
``cuda-toolkit-12-5``, ``nvidia-dkms-555 (= 555.42.06-0ubuntu1)``.  Normalising replaces, in
each side's text, that side's full driver version, CUDA version, ``major.minor``,
``major-minor`` and driver branch with placeholders (the longest first, and only as whole
numbers: not after a letter, digit or dot, not before a letter or digit or ``.digit``)::

    nvidia-driver-555 (12.5.1/555.42.06)  ->  nvidia-driver-{branch}  <-  nvidia-driver-560
    cuda-drivers (>= 555.42.06)           ->  cuda-drivers (>= {driver})

Texts equal after normalisation "follow the release": the diff does not report them as
changed.  A value the release does not know (``0.0.0`` for metadata without a ``cuda``
package) is not replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from repogen.model.declarations import Release
from repogen.model.templates import release_variables

#: Release variables that are version numbers written into names, longest value first.
_NUMBERS = ("driver", "cuda", "cuda_dot", "cuda_dash", "branch")


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
            re.compile(
                r"(?<![A-Za-z0-9.])(?:"
                + "|".join(map(re.escape, values))
                + r")(?![A-Za-z0-9]|\.[0-9])"
            )
            if values
            else None
        )
        object.__setattr__(self, "_pattern", pattern)

    @classmethod
    def of(cls, release: Release) -> Normaliser:
        variables = release_variables(release)
        # Reversed, so that of two variables with one value the first listed names it.
        return cls(
            {
                variables[name]: f"{{{name}}}"
                for name in reversed(_NUMBERS)
                if variables[name].strip("0.-")
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
