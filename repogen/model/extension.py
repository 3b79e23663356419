"""What a family adds to the expansion of its targets.

The core expands the model's ``packages`` on every target.  A family may give meaning to more
of the model: packages of a kind of its own (SUSE's patterns), things published beside the
packages (dnf's module streams), and target keys only it reads.  Its driver returns its
:class:`ModelExtension` (:meth:`~repogen.families.base.FamilyDriver.model_extension`); the
core calls the hooks below and knows nothing of what they make beyond the concrete types they
return.  A family that registers none adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from repogen.families import drivers
from repogen.families.base import FamilyDriver
from repogen.model.concrete import ModuleSpec, PackageSpec
from repogen.model.context import Context, Place
from repogen.model.declarations import Target
from repogen.model.errors import ModelPath
from repogen.model.relation_fields import References


class ModelExtension:
    """A family's part of expansion; every hook reports its problems to ``context.problems``."""

    #: Whether the family's targets may be ``modular`` (its extension publishes module
    #: streams on them).
    modular: ClassVar[bool] = False

    def check_model(self, context: Context) -> None:
        """Check the declarations the family gives meaning to, once per model, whether or not
        the model has a target of the family."""

    def check_target(self, context: Context, name: str, target: Target) -> None:
        """Check what *target*, one of the family's, sets for the extension."""
        if target.modular and not self.modular:
            modular = " and ".join(
                f"{d.family} ({d.clients[0]})" for d in drivers() if extension_of(d).modular
            )
            context.problems.add(
                ("targets", name, "modular"), f"only {modular} targets can be modular"
            )

    def packages(
        self, context: Context, place: Place, references: References
    ) -> Iterable[tuple[PackageSpec, ModelPath]]:
        """The packages the family adds on *place* beyond the model's ``packages``, and where
        each is named; the names their relations pull in go to *references*."""
        return ()

    def modules(
        self, context: Context, place: Place, packages: Mapping[str, PackageSpec]
    ) -> tuple[ModuleSpec, ...]:
        """The module streams the family publishes on *place*, whose packages are *packages*.

        A target that is ``modular`` though its family has no module streams is a problem
        :meth:`check_target` reports; the model's modules are still expanded on it by a family
        that has them, so that their own problems show in the same run.
        """
        if not place.target.modular or self.modular:  # a modular family says its own
            return ()
        having = (extension_of(d) for d in drivers())
        streams = next((extension for extension in having if extension.modular), None)
        return () if streams is None else streams.modules(context, place, packages)


_NOTHING = ModelExtension()


def extension_of(family: FamilyDriver) -> ModelExtension:
    """The extension *family* registers, or one that adds nothing."""
    return family.model_extension() or _NOTHING
