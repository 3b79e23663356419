"""Typed declarations of assertion files (YAML), loaded like release models (a single value
where a list is expected is a one-element list there too)."""

from __future__ import annotations

from pydantic import Field

from repogen.model.declarations import (
    Declaration,
    FlavorName,
    Identifier,
    OneOrMore,
    TargetSelector,
    Template,
)

# An assertion's ``targets`` select repositories as a package's ``when`` does, with one type.
__all__ = [
    "Assertion",
    "AssertionFile",
    "BranchRange",
    "Expectation",
    "InstalledSetup",
    "ReleaseCondition",
    "TargetSelector",
]


class BranchRange(Declaration):
    """Driver branches, both ends included (``{min: 560}``: 560 and later)."""

    min: int | None = None
    max: int | None = None

    def holds(self, branch: int) -> bool:
        return (self.min is None or branch >= self.min) and (self.max is None or branch <= self.max)


class ReleaseCondition(Declaration):
    """Which releases (points of a channel) an assertion applies to: every given condition
    holds for the newest release of the point."""

    default_flavor: FlavorName | None = None
    branch: BranchRange | None = Field(
        default=None,
        description="Driver branches of the newest release: {min: 560} is 'from 560 on'",
    )


class InstalledSetup(Declaration):
    """One step of the history a request starts from: what these requests installed, in
    order, on the machine the step before left (``installed`` is one step or a list)."""

    release: str | None = Field(
        default=None,
        description="Model file the requests run against (relative to this "
        "file); default: the release being checked",
    )
    at: Template | None = Field(
        default=None,
        description="The point of the channel being checked the requests ran at (the "
        "machine was installed from the repository as it was then); default: the point "
        "being checked.  Never later than the assertion's `at`, never earlier than the "
        "step before",
    )
    requests: OneOrMore[Template] = Field(min_length=1)
    held: OneOrMore[Template] = Field(
        default_factory=list,
        description="Installed packages held afterwards (apt-mark hold, zypper addlock)",
    )


class Expectation(Declaration):
    """What the resolution must show.  Package names are shell-style patterns."""

    ok: bool = True
    flavor: OneOrMore[Template] | None = Field(
        default=None,
        description="Allowed kernel-module flavors: open, proprietary, none, "
        "mixed, or {default_flavor}",
    )
    includes: OneOrMore[Template] = Field(default_factory=list, description="Each is installed")
    excludes: OneOrMore[Template] = Field(default_factory=list, description="None is installed")
    removes: OneOrMore[Template] = Field(default_factory=list, description="Each is removed")
    modules: OneOrMore[Template] | None = Field(
        default=None, description="Exactly these module streams get enabled"
    )


class Assertion(Declaration):
    id: Identifier = Field(description="Stable id, printed with every result")
    description: str
    targets: TargetSelector = TargetSelector()
    when: ReleaseCondition | None = None
    request: Template = Field(
        description="As a user types it; {install} is the family's install command, "
        "{package} the package of foreach_package, plus the release's template variables"
    )
    foreach_package: OneOrMore[Template] | None = Field(
        default=None, description="Run once per package whose name matches one of these"
    )
    installed: OneOrMore[InstalledSetup] | None = Field(
        default=None,
        min_length=1,
        description="The machine's history, oldest step first: one step or a list of them",
    )
    at: Template | None = Field(
        default=None,
        description="Only at this point of a channel: the channel as it was when this "
        "release was the newest (default: every point where `when` holds)",
    )
    hotfixes: bool = Field(default=False, description="module_hotfixes=1 on the release repo")
    expect: Expectation

    @property
    def history(self) -> tuple[InstalledSetup, ...]:
        """The steps of ``installed``, oldest first (none: a machine with nothing installed)."""
        return tuple(self.installed or ())


class AssertionFile(Declaration):
    assertions: OneOrMore[Assertion] = Field(min_length=1)
