"""Reading built repositories back: APT and rpm-md metadata into the model's repositories."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import createrepo_c as cr
import pytest

from repogen.addresses import MANIFEST
from repogen.build import build, source_date_epoch
from repogen.engine.publications import Publications
from repogen.families.deb.reader import apt_packages, open_apt
from repogen.families.rpm.dependencies import rpm_relation
from repogen.families.rpm.reader import _own, read_rpmmd
from repogen.index import MetadataError, load_tree
from repogen.index.tree import tree_repositories
from repogen.model import (
    Family,
    KernelModuleFlavor,
    RelationKind,
    ReleaseModel,
    Repository,
    load_release,
)
from repogen.model.declarations import ASSUMED
from repogen.model.relations import parse_relation
from repogen.publish.base import BuildOptions

from .conftest import MODELS, RELEASES
from .resolver_cases import CASES, load_cases

DIFF_MODELS = MODELS / "diff"


def _build(model: ReleaseModel, output: Path) -> Path:
    options = BuildOptions(source_date_epoch=source_date_epoch(model), packages=False)
    build(model, output, model.repositories, options)
    return output


@pytest.fixture(scope="module")
def new_model() -> ReleaseModel:
    return load_release(DIFF_MODELS / "new.yaml")


@pytest.fixture(scope="module")
def new_tree(new_model: ReleaseModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(new_model, tmp_path_factory.mktemp("index") / "new")


def _relations(package: object) -> dict[RelationKind, set[str]]:
    related = package.related  # type: ignore[attr-defined]
    return {kind: {str(r) for r in related(kind)} for kind in RelationKind if related(kind)}


def _same_as_model(model: ReleaseModel, tree: ReleaseModel) -> None:
    """Every repository read back has the model's packages, versions, relations (as sets:
    rpm does not keep their order), kernel modules, patterns and module streams."""
    read = {(r.target_name, r.arch): r for r in tree.repositories}
    for expected in model.repositories:
        actual = read[(expected.target_name, expected.arch)]
        assert actual.family is expected.family
        assert actual.target.modular == expected.target.modular
        assert actual.target.drivers == expected.target.drivers
        packages = {p.name: p for p in actual.packages}
        assert set(packages) == {p.name for p in expected.packages}
        for package in expected.packages:
            found = packages[package.name]
            assert (found.version, found.arch) == (package.version, package.arch)
            assert found.kernel_module == package.kernel_module, package.name
            assert found.pattern == package.pattern, package.name
            assert _relations(found) == _relations(package), package.name
        for module in expected.modules:
            (found_module,) = [m for m in actual.modules if m.name == module.name]
            assert found_module.default_stream == module.default_stream
            assert found_module.default_profile == module.default_profile
            for stream in module.streams:
                found_stream = found_module.stream(stream.name)
                assert found_stream is not None
                assert set(found_stream.artifacts) == set(stream.artifacts)
                assert found_stream.kernel_module == stream.kernel_module
                assert {k: set(v) for k, v in found_stream.profiles.items()} == {
                    k: set(v) for k, v in stream.profiles.items()
                }


def test_a_build_reads_back_as_its_model(new_model: ReleaseModel, new_tree: Path) -> None:
    tree = load_tree(new_tree)
    _same_as_model(new_model, tree)
    # Without cuda and cuda-drivers packages, the CUDA and driver versions are unknown.
    assert (tree.release.name, tree.release.date) == ("diff-new", "2024-08-01")
    assert (tree.release.cuda, tree.release.driver) == ("0.0.0", "0.0")


@pytest.mark.parametrize("release", ["cuda-12.5.yaml", "cuda-12.6.yaml"])
def test_the_bundled_releases_read_back_as_their_models(release: str, tmp_path: Path) -> None:
    model = load_release(RELEASES / release)
    tree = load_tree(_build(model, tmp_path / "out"))
    _same_as_model(model, tree)
    # CUDA and driver versions from cuda and cuda-drivers, the default flavor from what
    # installing cuda selects, the date from the Release files and repomd revisions.
    assert tree.release == model.release
    # What users install the driver through (recommend's commands), told from NVIDIA's
    # names: cuda-drivers and nvidia-open, -<branch> ones, the -dkms and -open streams.
    read = {(r.target_name, r.arch): r for r in tree.repositories}
    for expected in model.repositories:
        actual = read[(expected.target_name, expected.arch)]
        assert _entries(actual) == _entries(expected), expected.target_name


def _entries(repository: Repository) -> set[tuple[str, str | None]]:
    packages = {(p.name, p.entry) for p in repository.packages if p.entry}
    streams = {(f"{m.name}:{s.name}", s.entry) for m in repository.modules for s in m.streams}
    return packages | {stream for stream in streams if stream[1]}


def test_metadata_targets_assume_the_distribution_packages(new_tree: Path) -> None:
    tree = load_tree(new_tree)
    deb = next(r for r in tree.repositories if r.target_name == "deb1")
    assert deb.target.base == ASSUMED
    # dkms is declared in the model's base; gone is only depended on: both are stubs here.
    assert {b.name for b in deb.base} == {"dkms", "gone"}


def test_a_tree_read_whole_without_inference_has_the_packages_and_no_base(
    new_tree: Path,
) -> None:
    """What a caller resolving over a base of its own reads: every package as load_tree
    reads it, and no stubs assumed for what the tree depends on."""
    inferred = {(r.target_name, r.arch): r for r in load_tree(new_tree).repositories}
    repositories, _ = tree_repositories(new_tree, light=False)
    assert {(r.target_name, r.arch) for r in repositories} == set(inferred)
    for repository in repositories:
        assert repository.base == ()
        expected = inferred[(repository.target_name, repository.arch)]
        assert [(p.name, p.version, _relations(p)) for p in repository.packages] == [
            (p.name, p.version, _relations(p)) for p in expected.packages
        ]
        assert repository.modules == expected.modules


def test_apt_reads_any_compressed_index(new_tree: Path) -> None:
    binary = new_tree / "deb/deb1/dists/jammy/main/binary-amd64"
    (binary / "Packages").unlink()
    (binary / "Packages.gz").unlink()
    packages = apt_packages(open_apt(new_tree / "deb/deb1"), "amd64")
    meta = next(p for p in packages if p.name == "meta")
    assert {str(r) for r in meta.related(RelationKind.DEPENDS)} == {"dep-a", "dep-b"}
    assert [str(r) for r in meta.related(RelationKind.PRE_DEPENDS)] == []
    early = next(p for p in packages if p.name == "early")
    assert [str(r) for r in early.related(RelationKind.PRE_DEPENDS)] == ["dep-a"]


def _bare_suite(tmp_path: Path, packages: str) -> Path:
    """A bare APT suite, ``repo/dists/stable``, whose main/binary-amd64 index is *packages*
    (its Release file is the caller's)."""
    suite = tmp_path / "repo/dists/stable"
    (suite / "main/binary-amd64").mkdir(parents=True)
    (suite / "main/binary-amd64/Packages").write_text(packages)
    return suite


def test_apt_takes_a_suite_directory_and_a_clear_signed_release(tmp_path: Path) -> None:
    suite = _bare_suite(
        tmp_path,
        "Package: tool\nVersion: 1.0-1\nArchitecture: all\n"
        "Depends: libc6:any (>= 2.34), a (<< 2) | b\nProvides: nvidia-dkms-kernel\n"
        "Description: a tool\n long text\n .\n more\n",
    )
    (suite / "InRelease").write_text(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
        "Label: signed\nSuite: stable\nArchitectures: amd64 arm64\nComponents: main\n"
        "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"
    )
    repository = open_apt(suite)
    assert (repository.root, repository.suite, repository.label) == (
        tmp_path / "repo",
        "stable",
        "signed",
    )
    (tool,) = apt_packages(repository, "amd64")
    assert [str(r) for r in tool.related(RelationKind.DEPENDS)] == [
        "libc6:any (>= 2.34)",
        "a (<< 2) | b",
    ]
    # The names alone, read without parsing: what a resolver numbers a whole index by.
    kinds = (RelationKind.DEPENDS, RelationKind.CONFLICTS, RelationKind.PROVIDES)
    assert tool.related_names(kinds) == ["libc6", "a", "b", "nvidia-dkms-kernel"]
    assert (tool.summary, tool.description) == ("a tool", "long text\n\nmore")
    assert tool.kernel_module is KernelModuleFlavor.PROPRIETARY
    with pytest.raises(MetadataError, match="no Packages index for arm64"):
        apt_packages(repository, "arm64")
    with pytest.raises(MetadataError, match="has no architecture s390x"):
        apt_packages(repository, "s390x")
    # A bare repository is read on the architectures it has an index for.
    (bare,) = load_tree(tmp_path / "repo", "mine").repositories
    assert (bare.target_name, bare.arch, bare.family) == ("mine", "amd64", Family.DEB)


def test_an_index_read_shares_its_repeated_relation_fields_and_pickles(tmp_path: Path) -> None:
    suite = _bare_suite(
        tmp_path,
        "Package: a\nVersion: 1\nArchitecture: all\nDepends: libc6 (>= 2.34), b | c\n"
        "Essential: yes\nProtected: no\n\n"
        "Package: b\nVersion: 1\nArchitecture: all\nDepends: libc6 (>= 2.34), b | c\n",
    )
    (suite / "Release").write_text("Suite: stable\nArchitectures: amd64\nComponents: main\n")
    packages = apt_packages(open_apt(suite), "amd64")
    # Packages go to worker processes as they are read, their relations parsed or not.
    unread = pickle.loads(pickle.dumps(packages))
    a, b = packages
    assert a.related(RelationKind.DEPENDS) is b.related(RelationKind.DEPENDS)  # parsed once
    assert [(p.essential, p.protected) for p in packages] == [(True, False), (False, False)]
    for copy in (unread, pickle.loads(pickle.dumps(packages))):
        assert copy == packages
        assert [p.related_names([RelationKind.DEPENDS]) for p in copy] == [["libc6", "b", "c"]] * 2


def test_apt_needs_one_suite_or_the_suite_named(new_tree: Path) -> None:
    root = new_tree / "deb/deb1"
    shutil.copytree(root / "dists/jammy", root / "dists/noble")
    with pytest.raises(MetadataError, match="found jammy, noble"):
        open_apt(root)
    assert open_apt(root / "dists/noble").suite == "noble"


def test_rpmmd_leaves_out_what_rpm_adds_and_reads_alternatives(new_tree: Path) -> None:
    repository = read_rpmmd(new_tree / "rpm/rpm1/x86_64")
    packages = {p.name: p for p in repository.packages}
    kmod = packages["kmod-open"]
    assert kmod.version == "3:560.28.03-1.el9"
    # Not `kmod-open = 3:560.28.03-1.el9` nor `kmod-open(x86-64) = …`: rpm adds those.
    assert [str(r) for r in kmod.related(RelationKind.PROVIDES)] == ["nvidia-kmod"]
    (alternatives,) = packages["driver"].related(RelationKind.DEPENDS)
    assert str(alternatives) == "kmod-open | kmod-proprietary"
    assert [str(r) for r in packages["early"].related(RelationKind.PRE_DEPENDS)] == ["dep-a"]
    assert repository.platform == "el9"
    (module,) = repository.modules
    assert module.default_stream == "open"


def test_a_light_apt_read_keeps_the_versions_alone(new_tree: Path) -> None:
    repository = open_apt(new_tree / "deb/deb1/dists/jammy")
    whole, light = (apt_packages(repository, "amd64", light=light) for light in (False, True))
    assert [(p.name, p.version, p.arch) for p in light] == [
        (p.name, p.version, p.arch) for p in whole
    ]
    assert any(p.relations for p in whole)
    assert not any(p.relations or p.description for p in light)


@pytest.mark.parametrize("family", ["rpm/rpm1/x86_64", "suse/suse1/x86_64"])
def test_a_light_read_keeps_versions_kernel_modules_patterns_and_modules(
    new_tree: Path, family: str
) -> None:
    whole = read_rpmmd(new_tree / family)
    light = read_rpmmd(new_tree / family, light=True)
    assert [(p.name, p.version, p.arch) for p in light.packages] == [
        (p.name, p.version, p.arch) for p in whole.packages
    ]
    assert {p.name: (p.kernel_module, p.pattern) for p in light.packages} == {
        p.name: (p.kernel_module, p.pattern) for p in whole.packages
    }
    assert (light.modules, light.platform) == (whole.modules, whole.platform)
    # The others' dependencies are left unread.
    plain = [p for p in light.packages if p.kernel_module is None and p.pattern is None]
    assert plain
    assert not any(p.relations for p in plain)


def test_rpm_dependencies_become_relations() -> None:
    assert str(rpm_relation(("a", "GE", "0", "1.0", "1", False))) == "a (>= 1.0-1)"
    assert str(rpm_relation(("a", "LT", "3", "1.0", None, False))) == "a (<< 3:1.0)"
    rich = rpm_relation(("(a >= 1.2 or b or c(x86-64) < 2)", None, None, None, None, False))
    assert rich == parse_relation("a (>= 1.2) | b | c(x86-64) (<< 2)")
    opaque = rpm_relation(("(a if b)", None, None, None, None, False))
    assert [a.name for a in opaque.alternatives] == ["(a if b)"]
    pattern = rpm_relation(("pattern()", "EQ", "0", "cuda%2Dopen", None, False))
    assert str(pattern) == "pattern() (= cuda-open)"


def test_bare_rpmmd_trees_are_named_and_typed_by_what_they_hold(new_tree: Path) -> None:
    (suse,) = load_tree(new_tree / "suse/suse1/x86_64").repositories
    assert (suse.target_name, suse.arch, suse.family) == ("suse1", "x86_64", Family.SUSE)
    elsewhere = new_tree.parent / "plain-rpm"
    shutil.copytree(new_tree / "rpm/rpm1/x86_64", elsewhere)
    (rpm,) = load_tree(elsewhere, "el").repositories
    assert (rpm.target_name, rpm.arch, rpm.family) == ("el", "x86_64", Family.RPM)
    assert rpm.target.modular
    assert rpm.target.platform == "el9"


def test_unreadable_trees_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(MetadataError, match="neither a repogen output"):
        load_tree(tmp_path)
    (tmp_path / MANIFEST).write_text(json.dumps({"repos": [{"target": "x"}]}))
    with pytest.raises(MetadataError, match="not a repogen manifest"):
        load_tree(tmp_path)
    (tmp_path / "repodata").mkdir()
    with pytest.raises(MetadataError, match=r"no repodata/repomd\.xml"):
        read_rpmmd(tmp_path)


def test_rpmmd_keeps_every_build_of_a_stream_with_its_exact_artifacts(tmp_path: Path) -> None:
    """Several builds of a stream (as dnf's module test repositories have) read back with
    their versions, contexts and ``N-E:V-R.A`` artifacts, the epoch always written."""
    case = next(
        c
        for c in load_cases(CASES / "dnf-modules.yaml")
        if c.name == "every-build-of-the-active-stream-with-the-same-requires-is-shown"
    )
    published = Publications(tmp_path).universe(case.repository, case.universe)
    (module,) = read_rpmmd(published.release[0].path).modules
    (stream,) = module.streams
    assert stream.artifacts == ("pa",)  # the newest build's names, as the model lists them
    assert stream.default_profiles == ("default",)  # from the defaults document, per stream
    assert [(b.version, b.context, b.artifacts, b.requires) for b in stream.builds] == [
        (1, "c1", ("pa-0:1-1.noarch", "pb-0:1-1.noarch"), ()),
        (1, "c2", ("pc-0:1-1.noarch",), ()),
        (2, "c1", ("pa-0:2-1.noarch",), ()),
    ]


def test_rpmmd_drops_only_the_packages_own_name_isa_provide() -> None:
    """The pool gives every arch package back its own ``name(isa) = EVR``; any other
    ``name(…)`` provide is the packager's and is kept."""
    record = cr.Package()
    record.name, record.arch = "foo", "x86_64"
    record.epoch, record.version, record.release = "0", "1.0", "1"
    assert _own(record, ("foo", "EQ", "0", "1.0", "1", False))
    assert _own(record, ("foo(x86-64)", "EQ", "0", "1.0", "1", False))
    assert not _own(record, ("foo(x86-32)", "EQ", "0", "1.0", "1", False))
    assert not _own(record, ("foo(x86-64)", "EQ", "0", "2.0", "1", False))
    record.arch = "noarch"
    assert not _own(record, ("foo(x86-64)", "EQ", "0", "1.0", "1", False))
