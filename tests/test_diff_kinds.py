"""Each kind of change `repogen diff` reports, on the small models of tests/models/diff.

new.yaml changes old.yaml in every way at once, each change on packages of its own; a
comment in new.yaml names each one.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from repogen.build import build, source_date_epoch
from repogen.diff import DiffOptions, ReleaseDiff, RepositoryDiff, Status, diff_releases
from repogen.diff.normalise import Normaliser
from repogen.diff.result import Link, SetChange, ValueChange
from repogen.index import load_tree
from repogen.model import RelationKind, ReleaseModel, load_release
from repogen.publish.base import BuildOptions

from .conftest import MODELS

DIFF_MODELS = MODELS / "diff"
REQUEST = ("{install} driver",)


@pytest.fixture(scope="module")
def old() -> ReleaseModel:
    return load_release(DIFF_MODELS / "old.yaml")


@pytest.fixture(scope="module")
def new() -> ReleaseModel:
    return load_release(DIFF_MODELS / "new.yaml")


@pytest.fixture(scope="module")
def changes(old: ReleaseModel, new: ReleaseModel) -> ReleaseDiff:
    return diff_releases(old, new, DiffOptions(requests=REQUEST))


def repository(diff: ReleaseDiff, target: str) -> RepositoryDiff:
    (found,) = [r for r in diff.repositories if r.target == target]
    return found


def test_added_and_removed_packages(changes: ReleaseDiff) -> None:
    deb = repository(changes, "deb1")
    assert [(p.name, p.version) for p in deb.added] == [("fresh", "1.0-1")]
    assert [p.name for p in deb.removed] == ["gone"]


def test_a_name_that_follows_the_release_is_a_rename(changes: ReleaseDiff) -> None:
    renamed = {(r.old, r.new): r for r in repository(changes, "rpm1").renamed}
    toolkit = renamed["toolkit-12-5", "toolkit-12-6"]
    assert toolkit.link is Link.RELEASE
    assert (toolkit.old_version, toolkit.new_version) == ("12.5.1-1.el9", "12.6.0-1.el9")


@pytest.mark.parametrize(("target", "link"), [("deb1", Link.REPLACES), ("rpm1", Link.OBSOLETES)])
def test_declared_links_are_renames(changes: ReleaseDiff, target: str, link: Link) -> None:
    renamed = {(r.old, r.new): r.link for r in repository(changes, target).renamed}
    assert renamed["legacy-tool", "modern-tool"] is link
    assert renamed["compat-old", "compat-new"] is Link.PROVIDES


def test_version_changes(changes: ReleaseDiff) -> None:
    versions = {v.name: (v.old, v.new) for v in repository(changes, "deb1").versions}
    assert versions["helper"] == ("1.0-1", "2.0-1")
    assert versions["driver"] == ("555.42.06-1", "560.28.03-1")
    assert "dep-a" not in versions


def _fields(diff: RepositoryDiff, package: str) -> dict[RelationKind, SetChange]:
    (change,) = [c for c in diff.relations if c.package == package]
    return {field.kind: field.relations for field in change.fields}


def test_relation_changes_strong_weak_and_provides(changes: ReleaseDiff) -> None:
    assert _fields(repository(changes, "deb1"), "meta") == {
        RelationKind.DEPENDS: SetChange((), ("dep-b",)),
        RelationKind.RECOMMENDS: SetChange(("extra-old",), ("extra-new",)),
        RelationKind.PROVIDES: SetChange((), ("meta-api",)),
    }


def test_reordered_alternatives_are_a_relation_change(changes: ReleaseDiff) -> None:
    assert _fields(repository(changes, "deb1"), "driver") == {
        RelationKind.DEPENDS: SetChange(
            ("kmod-proprietary | kmod-open",), ("kmod-open | kmod-proprietary",)
        )
    }


def test_relations_that_follow_the_release_are_not_changes(changes: ReleaseDiff) -> None:
    changed = {c.package for c in repository(changes, "suse1").relations}
    # patterns-cuda depends on toolkit-12-5, then toolkit-12-6.
    assert "patterns-cuda" not in changed
    assert changed == {"driver", "meta", "compat-new", "modern-tool"}


def test_module_streams_default_profiles_and_artifacts(changes: ReleaseDiff) -> None:
    (module,) = repository(changes, "rpm1").modules
    assert module.default_stream == ValueChange("proprietary", "open")
    assert module.default_profile is None
    assert module.streams == SetChange(("legacy",), ("beta",))
    assert module.renamed_streams == (("555-open", "560-open"),)
    streams = {s.name: s for s in module.changed_streams}
    assert set(streams) == {"proprietary", "open", "latest", "560-open"}
    latest = streams["latest"]
    assert latest.flavor == ValueChange("proprietary", "open")
    assert latest.artifacts == SetChange(("kmod-proprietary",), ("fresh", "kmod-open"))
    assert latest.profiles == SetChange((), ("minimal",))
    (default,) = streams["open"].profile_rpms
    assert (default.name, default.rpms) == ("default", SetChange((), ("fresh",)))
    assert streams["560-open"].old_name == "555-open"


def test_suse_patterns_and_kernel_flavors(changes: ReleaseDiff) -> None:
    suse = repository(changes, "suse1")
    assert suse.patterns == SetChange(
        ("legacy-pattern",), ("cuda-azure", "cuda-open", "cuda-open-azure")
    )
    assert suse.kernel_flavors == SetChange((), ("azure",))
    assert repository(changes, "deb1").patterns == SetChange()


def test_resolution_changes_name_the_kernel_modules(changes: ReleaseDiff) -> None:
    (apt,) = repository(changes, "deb1").resolutions
    assert (apt.request, apt.assertions) == ("apt-get install driver", ("request-1",))
    assert (apt.old.flavor, apt.old.kernel_modules) == ("proprietary", ("kmod-proprietary",))
    assert (apt.new.flavor, apt.new.kernel_modules) == ("open", ("kmod-open",))
    assert apt.install == SetChange(("kmod-proprietary",), ("kmod-open",))
    # dnf follows the default stream; libsolv ignores the order of alternatives.
    (dnf,) = repository(changes, "rpm1").resolutions
    assert (dnf.old.modules, dnf.new.modules) == (("drv:proprietary",), ("drv:open",))
    assert repository(changes, "suse1").resolutions == ()


def test_installability_regressions(changes: ReleaseDiff) -> None:
    for target in ("deb1", "suse1"):
        (fragile,) = repository(changes, target).regressions
        assert fragile.package == "fragile"
        assert "helper" in fragile.problem
    # On dnf the new default stream also hides the proprietary kernel module.
    rpm = {r.package for r in repository(changes, "rpm1").regressions}
    assert rpm == {"fragile", "kmod-proprietary"}


def test_a_release_against_itself_has_no_changes(old: ReleaseModel) -> None:
    diff = diff_releases(old, old, DiffOptions(requests=REQUEST))
    assert not diff.changed
    assert {r.status for r in diff.repositories} == {Status.UNCHANGED}


def test_filters_and_repositories_only_one_side_has(old: ReleaseModel, new: ReleaseModel) -> None:
    only_suse = diff_releases(old, new, DiffOptions(targets=("suse1",), requests=REQUEST))
    assert [r.target for r in only_suse.repositories] == ["suse1"]
    fewer = ReleaseModel(new.release, new.source, new.repositories_of("deb1"))
    diff = diff_releases(old, fewer, DiffOptions(requests=REQUEST))
    assert {(r.target, r.status) for r in diff.repositories} == {
        ("deb1", Status.CHANGED),
        ("rpm1", Status.REMOVED),
        ("suse1", Status.REMOVED),
    }
    with pytest.raises(LookupError, match="unknown target nope"):
        diff_releases(old, new, DiffOptions(targets=("nope",)))


def test_the_garbage_collector_runs_again_after_a_diff(old: ReleaseModel) -> None:
    diff_releases(old, old, DiffOptions(requests=REQUEST))
    assert gc.isenabled()
    with pytest.raises(LookupError):
        diff_releases(old, old, DiffOptions(targets=("nope",)))
    assert gc.isenabled()


def test_metadata_does_not_assume_what_the_release_dropped(
    old: ReleaseModel, new: ReleaseModel, tmp_path: Path
) -> None:
    """new.yaml declares `gone` a distribution package; its metadata cannot say so, so read
    from disk a dependency on it is a regression the model diff does not have."""
    trees = []
    for model in (old, new):
        output = tmp_path / model.release.name
        options = BuildOptions(source_date_epoch(model), packages=False)
        build(model, output, model.select(["deb1"]), options)
        trees.append(load_tree(output))
    from_trees = repository(diff_releases(*trees, DiffOptions(requests=REQUEST)), "deb1")
    from_models = repository(diff_releases(old, new, DiffOptions(requests=REQUEST)), "deb1")
    assert {r.package for r in from_models.regressions} == {"fragile"}
    assert {r.package for r in from_trees.regressions} == {"fragile", "needs-gone"}


def test_normalising_rewrites_only_whole_release_numbers(old: ReleaseModel) -> None:
    normal = Normaliser.of(old.release)
    assert normal("nvidia-driver-555") == "nvidia-driver-{branch}"
    assert normal("kmod-nvidia-555.42.06-4.18.0") == "kmod-nvidia-{driver}-4.18.0"
    assert normal("cuda-toolkit-12-5 (>= 12.5.1-1)") == "cuda-toolkit-{cuda_dash} (>= {cuda}-1)"
    assert normal("cuda (>= 12.5.2)") == "cuda (>= 12.5.2)"
    # A number glued to a name (libx555) is the release's: libx555 → libx560 is a rename.
    assert normal("lib5550 libx555 555.1") == "lib5550 libx{branch} 555.1"
