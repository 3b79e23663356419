"""Model text for what an index holds: escaped, and templated by the release's numbers.

Text read from an index becomes a model template, so its braces are escaped (``{{``).  A name or
version that contains the release's numbers where they stand as a word (``cuda-toolkit-12-6``,
``560.28.03-1``) is written with the variable instead (``cuda-toolkit-{cuda_dash}``,
``{driver}-1``): filling the template gives back exactly the text read, so the model builds the
same package, and says which names follow the release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from repogen.index.release import UNKNOWN_CUDA, UNKNOWN_DRIVER
from repogen.model.declarations import Release
from repogen.model.relations import Alternative, Relation


def escape(text: str) -> str:
    """*text* as a template that fills to itself."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class Numbers:
    """The variables of a release that names and versions are templated by, longest first
    (``{cuda}`` before ``{cuda_dot}``, so that ``12.6.0`` is not read as ``12.6`` then ``.0``)."""

    names: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, release: Release) -> Numbers:
        names: list[tuple[str, str]] = []
        versions: list[tuple[str, str]] = []
        if release.cuda is not None and release.cuda != UNKNOWN_CUDA:
            major, minor, _ = release.cuda.split(".")
            names.append(("cuda_dash", f"{major}-{minor}"))
            versions.append(("cuda", release.cuda))
        if release.driver != UNKNOWN_DRIVER:
            names.append(("branch", release.driver.split(".")[0]))
            versions.append(("driver", release.driver))
        return cls(tuple(names), tuple(versions))

    def name(self, name: str) -> str:
        """*name* with each of the release's name numbers that stands between dashes (or at
        the end) as its variable."""
        text = escape(name)
        for variable, value in self.names:
            text = re.sub(rf"(?<=-){re.escape(value)}(?=-|$)", f"{{{variable}}}", text)
        return text

    def version(self, version: str) -> tuple[str, str | None]:
        """*version* as a template, and the variable it is made from: its upstream part
        (between an epoch and the revision) when that is one of the release's versions."""
        match = re.fullmatch(r"(\d+:)?([^-]+)(-.*)?", version)
        for variable, value in self.versions:
            if match is not None and match[2] == value:
                epoch, revision = match[1] or "", match[3] or ""
                return f"{escape(epoch)}{{{variable}}}{escape(revision)}", variable
        return escape(version), None

    def relation(self, relation: Relation) -> str:
        """*relation* in the model's syntax, its names and versions templated."""
        return " | ".join(self._alternative(a) for a in relation.alternatives)

    def _alternative(self, alternative: Alternative) -> str:
        text = self.name(alternative.name)
        if alternative.qualifier is not None:
            text += f":{escape(alternative.qualifier)}"
        constraint = alternative.constraint
        if constraint is None:
            return text
        version, _ = self.version(constraint.version)
        return f"{text} ({constraint.operator} {version})"
