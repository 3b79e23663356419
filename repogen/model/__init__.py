"""The release model: one declaration of a release, expanded per target and architecture."""

from repogen.families import Family
from repogen.model.concrete import (
    BaseSpec,
    ModuleObsoletes,
    ModuleSpec,
    PackageSpec,
    PatternAttributes,
    RelationKind,
    ReleaseModel,
    Repository,
    StreamBuild,
    StreamSpec,
)
from repogen.model.declarations import KernelModuleFlavor, ModelFile
from repogen.model.errors import Mark, ModelError, ModelErrors
from repogen.model.load import load_release

__all__ = [
    "BaseSpec",
    "Family",
    "KernelModuleFlavor",
    "Mark",
    "ModelError",
    "ModelErrors",
    "ModelFile",
    "ModuleObsoletes",
    "ModuleSpec",
    "PackageSpec",
    "PatternAttributes",
    "RelationKind",
    "ReleaseModel",
    "Repository",
    "StreamBuild",
    "StreamSpec",
    "load_release",
]
