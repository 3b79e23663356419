"""`repogen import` (issue 22): a release model from published repositories.

Round trips: the model imported from a build of a model builds the same indices; the model
imported from repositories made without repogen (dpkg-deb + apt-ftparchive; rpmbuild +
createrepo_c + modifyrepo_c with a modulemd) builds repositories `repogen diff` finds no change
in.  What a model cannot declare exits 2 naming the package and the field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from repogen.build import build, source_date_epoch
from repogen.cli import app
from repogen.index import load_tree
from repogen.model import ReleaseModel, load_release
from repogen.publish.base import BuildOptions
from tests.channel_history import POINTS, write_history
from tests.test_repository_input_remote import Server
from tests.third_party import DEFAULTS, ftparchive_suite, rpm_module_tree, rpm_tree

runner = CliRunner()

APT_TOOLS = pytest.mark.skipif(
    shutil.which("apt-ftparchive") is None or shutil.which("dpkg-deb") is None,
    reason="dpkg-deb and apt-ftparchive (apt-utils) make the repository",
)
RPM_TOOLS = pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("rpmbuild", "createrepo_c", "modifyrepo_c")),
    reason="rpmbuild, createrepo_c and modifyrepo_c make the repository",
)


def _build(release: ReleaseModel, out: Path) -> Path:
    build(
        release,
        out,
        release.repositories,
        BuildOptions(source_date_epoch(release), packages=False),
    )
    return out


def _indices(tree: Path, target: str | None = None) -> dict[tuple[str, str], Any]:
    """What the indices at *tree* publish, repository by repository: each package's version,
    architecture, summary, description and relations, and each module stream's artifacts
    and profiles."""
    published = {}
    for repository in load_tree(tree, target).repositories:
        packages = {
            (p.name, p.version, p.arch): (
                p.summary,
                p.description,
                sorted((kind.value, str(r)) for kind, found in p.relations.items() for r in found),
                p.kernel_module,
                p.pattern,
            )
            for p in repository.packages
        }
        streams = {
            (m.name, s.name): (s.summary, sorted(s.artifacts), dict(s.profiles), s.entry)
            for m in repository.modules
            for s in m.streams
        }
        defaults = {m.name: m.default_stream for m in repository.modules}
        published[(repository.target_name, repository.arch)] = (packages, streams, defaults)
    return published


def _import(*arguments: str) -> Any:
    return runner.invoke(app, ["import", *arguments])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    return _build(release_12_6, tmp_path_factory.mktemp("import") / "out")


def test_a_build_imports_to_a_model_that_builds_the_same_indices(
    built: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model.yaml"
    done = _import(str(built), "-o", str(model))
    assert done.exit_code == 0, done.output
    again = _build(load_release(model), tmp_path / "again")
    assert _indices(again) == _indices(built)
    compared = runner.invoke(app, ["diff", str(built), str(again), "--exit-code"])
    assert compared.exit_code == 0, compared.output
    # The same sources, the same file.
    twice = tmp_path / "twice.yaml"
    assert _import(str(built), "-o", str(twice)).exit_code == 0
    assert twice.read_bytes() == model.read_bytes()


def test_packages_the_same_on_several_targets_are_one_templated_declaration(
    built: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model.yaml"
    assert _import(str(built), "-o", str(model)).exit_code == 0
    declared = yaml.safe_load(model.read_text())
    assert declared["release"]["cuda"] == "12.6.0"
    assert declared["release"]["driver"] == "560.28.03"
    # Versions made of the release's numbers are its version schemes.
    assert declared["versions"]["cuda"]["deb"] == "{cuda}-1"
    assert declared["versions"]["driver"]["suse"] == "{driver}-1"
    toolkits = [p for p in declared["packages"] if p["name"] == "cuda-toolkit-{cuda_dash}"]
    assert toolkits, "the toolkit's name is templated by {cuda_dash}"
    assert all(p["version"].startswith("cuda") for p in toolkits)
    # One declaration stands for the toolkit of every Debian and Ubuntu target.
    deb_targets = {t for t, d in declared["targets"].items() if d["family"] == "deb"}
    assert any(set(p["when"]["target"]) == deb_targets for p in toolkits)
    assert len(toolkits) < len(declared["targets"])
    assert any("{branch}" in p["name"] for p in declared["packages"])
    assert declared["modules"]["nvidia-driver"]["streams"]


@APT_TOOLS
def test_an_apt_ftparchive_repository_round_trips(tmp_path: Path) -> None:
    source = tmp_path / "third"
    ftparchive_suite(source)
    model = tmp_path / "third.yaml"
    done = _import(str(source), "--target", "thirdparty", "-o", str(model))
    assert done.exit_code == 0, done.output
    declared = yaml.safe_load(model.read_text())
    (driver,) = (p for p in declared["packages"] if p["name"] == "driver")
    assert (driver["arch"], driver["depends"]) == ("any", ["helper (>= 2)"])
    assert "when" not in driver  # on amd64 and arm64 alike: one declaration
    rebuilt = _build(load_release(model), tmp_path / "rebuilt")
    compared = runner.invoke(
        app, ["diff", str(source), str(rebuilt), "--target", "thirdparty", "--exit-code"]
    )
    assert compared.exit_code == 0, compared.output
    assert _indices(rebuilt) == _indices(source, "thirdparty")


STREAM = """\
---
document: modulemd
version: 2
data:
  name: nvidia-driver
  stream: "{stream}"
  version: {version}
  context: c1
  arch: noarch
  summary: driver {stream}
  description: the NVIDIA driver
  license: {{module: [MIT]}}
  dependencies: [{{buildrequires: {{platform: [el9]}}, requires: {{platform: [el9]}}}}]
  profiles: {{default: {{rpms: [nvidia-driver, {kmod}]}}, src: {{rpms: [{kmod}]}}}}
  api: {{rpms: [nvidia-driver, {kmod}]}}
  artifacts: {{rpms: [nvidia-driver-0:560.2-1.noarch, {kmod}-0:{kmod_version}-1.noarch]}}
"""


@RPM_TOOLS
def test_an_rpmmd_tree_with_a_modulemd_round_trips(tmp_path: Path) -> None:
    """Two streams sharing the driver, each with its kmod and two profiles."""
    kmods = [("kmod-nvidia-560-dkms", "560.1"), ("kmod-nvidia-latest-dkms", "560.2")]
    packages = [(n, v, f"Provides: nvidia-kmod = 3:{v}") for n, v in kmods]
    packages += [("nvidia-driver", "560.2", "Requires: nvidia-kmod")]
    documents = "".join(
        STREAM.format(stream=stream, version=version, kmod=kmod, kmod_version=kmod_version)
        for stream, version, kmod, kmod_version in (
            ("560-dkms", 1, "kmod-nvidia-560-dkms", "560.1"),
            ("latest-dkms", 1, "kmod-nvidia-latest-dkms", "560.2"),
        )
    )
    source = rpm_tree(tmp_path, packages, documents + DEFAULTS)
    model = tmp_path / "el9.yaml"
    done = _import(str(source), "--target", "el9", "-o", str(model))
    assert done.exit_code == 0, done.output
    declared = yaml.safe_load(model.read_text())
    module = declared["modules"]["nvidia-driver"]
    assert module["default_stream"] == "latest-dkms"
    assert module["artifacts"] == ["nvidia-driver"]
    assert {s["name"]: s["kmod"] for s in module["streams"]} == {
        "560-dkms": "kmod-nvidia-560-dkms",
        "latest-dkms": "kmod-nvidia-latest-dkms",
    }
    rebuilt = _build(load_release(model), tmp_path / "rebuilt")
    compared = runner.invoke(
        app, ["diff", str(source), str(rebuilt), "--target", "el9", "--exit-code"]
    )
    assert compared.exit_code == 0, compared.output
    assert _indices(rebuilt) == _indices(source, "el9")


@RPM_TOOLS
def test_streams_with_nothing_in_common_exit_2_naming_the_module(tmp_path: Path) -> None:
    """A model's module names what all its streams carry; streams that share nothing but
    are one module (each stream only its kmod) cannot be declared."""
    alone = STREAM.replace("nvidia-driver, ", "").replace("nvidia-driver-0:560.2-1.noarch, ", "")
    kmods = [("kmod-nvidia-560-dkms", "560.1"), ("kmod-nvidia-latest-dkms", "560.2")]
    documents = "".join(
        alone.format(stream=stream, version=1, kmod=kmod, kmod_version=version)
        for stream, (kmod, version) in zip(("560-dkms", "latest-dkms"), kmods, strict=True)
    )
    packages = [(n, v, f"Provides: nvidia-kmod = 3:{v}") for n, v in kmods]
    source = rpm_tree(tmp_path, packages, documents + DEFAULTS)
    done = _import(str(source), "--target", "el9", "-o", str(tmp_path / "m.yaml"))
    assert done.exit_code == 2
    assert "module nvidia-driver: its streams share no package" in done.output
    # Two builds of a stream over two versions of its kmod: two versions of one package.
    done = _import(
        str(rpm_module_tree(tmp_path / "two")), "--target", "el9", "-o", str(tmp_path / "m2.yaml")
    )
    assert done.exit_code == 2
    assert "package kmod-nvidia-560-dkms is published at 560.1-1 and 560.2-1" in done.output


def test_an_existing_output_is_replaced_only_with_force(built: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("mine\n")
    refused = _import(str(built), "-o", str(model))
    assert refused.exit_code == 2
    assert "exists; give --force" in refused.output
    assert model.read_text() == "mine\n"
    assert _import(str(built), "-o", str(model), "--force").exit_code == 0
    assert model.read_text().startswith("# Imported by `repogen import`")
    assert [p.name for p in tmp_path.iterdir()] == ["model.yaml"]  # no temporary left


def test_a_model_file_is_not_a_source(tmp_path: Path) -> None:
    done = _import("repogen/data/releases/cuda-12.6.yaml", "-o", str(tmp_path / "m.yaml"))
    assert done.exit_code == 2
    assert "cuda-12.6.yaml: not published repositories" in done.output


@RPM_TOOLS
def test_what_a_model_cannot_declare_exits_2_naming_package_and_field(tmp_path: Path) -> None:
    """A file dependency (`Requires: /bin/sh`, as scriptlets have) has no spelling in the
    model's relation grammar: the package and field are named, nothing is written."""
    tree = rpm_tree(tmp_path, [("tool", "1.0", "Requires: /bin/sh")])
    model = tmp_path / "tool.yaml"
    done = _import(str(tree), "--target", "el9", "-o", str(model))
    assert done.exit_code == 2, done.output
    assert "package tool: depends[0]: relation syntax error" in done.output, done.output
    assert len(done.output.strip().splitlines()) == 1
    assert not model.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


CHANNEL_TARGETS = ["--target", "ubuntu2204", "--target", "rhel9", "--target", "sles15"]


def _build_command(*words: str | Path, packages: bool = False) -> Path:
    options = [] if packages else ["--no-packages"]
    done = runner.invoke(app, ["build", *map(str, words), *options])
    assert done.exit_code == 0, done.output
    return Path(words[words.index("-o") + 1])


def _streams(tree: Path) -> dict[tuple[str, str, str, str], Any]:
    """Each module stream's builds (version, context, exact artifacts) and default profiles."""
    return {
        (r.target_name, r.arch, m.name, s.name): (s.builds, s.default_profiles, m.default_stream)
        for r in load_tree(tree).repositories
        for m in r.modules
        for s in m.streams
    }


@pytest.fixture(scope="module")
def channel_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled channel (cuda-12.5.1, then cuda-12.6.0) built on a deb, a modular rpm and
    a SUSE target."""
    out = tmp_path_factory.mktemp("channel") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1722470400")
        return _build_command("tests/channels/bundled.yaml", "-o", out, *CHANNEL_TARGETS)


def test_a_channel_build_imports_to_a_channel_that_builds_the_same_indices(
    channel_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1722470400")
    output = tmp_path / "history.yaml"
    done = _import(str(channel_built), "-o", str(output))
    assert done.exit_code == 0, done.output
    channel = yaml.safe_load(output.read_text())
    assert channel == {"channel": "history", "releases": ["cuda-12.5.1.yaml", "cuda-12.6.0.yaml"]}
    older = load_release(tmp_path / "cuda-12.5.1.yaml")
    assert (older.release.name, older.release.driver) == ("cuda-12.5.1", "555.42.06")
    # Each release holds the packages it published, templated by its own numbers.
    names = {
        p["name"] for p in yaml.safe_load((tmp_path / "cuda-12.5.1.yaml").read_text())["packages"]
    }
    assert "cuda-toolkit-{cuda_dash}" in names
    numbered = [p for r in older.repositories for p in r.packages
                if p.name.startswith(("cuda-toolkit", "nvidia-driver"))]  # fmt: skip
    assert numbered
    assert all(p.version.startswith(("12.5", "555", "3:555")) for p in numbered)
    again = _build_command(output, "-o", tmp_path / "again")
    assert _indices(again) == _indices(channel_built)
    # The module streams too: each stream's builds, made from every release of its branch.
    assert _streams(again) == _streams(channel_built)
    compared = runner.invoke(app, ["diff", str(channel_built), str(again), "--exit-code"])
    assert compared.exit_code == 0, compared.output
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_tree_grown_by_publish_imports_as_the_channel_build(
    channel_built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1722470400")
    releases = Path("repogen/data/releases")
    # A release is published into a tree that holds its package files.
    tree = _build_command(
        releases / "cuda-12.5.yaml", "-o", tmp_path / "tree", *CHANNEL_TARGETS, packages=True
    )
    grown = runner.invoke(app, ["publish", str(releases / "cuda-12.6.yaml"), "--into", str(tree)])
    assert grown.exit_code == 0, grown.output
    for source, directory in ((tree, tmp_path / "a"), (channel_built, tmp_path / "b")):
        directory.mkdir()
        done = _import(str(source), "-o", str(directory / "channel.yaml"))
        assert done.exit_code == 0, done.output
    # The same releases, each with its own packages: their channel builds the same
    # repositories.  (The models' texts differ in the order of relations, rpmbuild's in
    # the tree's indices, the model's in the other.)
    models = [tmp_path / "a" / "channel.yaml", tmp_path / "b" / "channel.yaml"]
    assert [yaml.safe_load(m.read_text())["releases"] for m in models] == [
        ["cuda-12.5.1.yaml", "cuda-12.6.0.yaml"]
    ] * 2
    again = [_build_command(m, "-o", m.parent / "again") for m in models]
    assert _indices(again[0]) == _indices(again[1]) == _indices(channel_built)
    assert _streams(again[0]) == _streams(again[1]) == _streams(channel_built)


def test_a_history_with_a_driver_only_release_round_trips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four releases, two of one driver branch (their dnf streams list both) and a
    driver-only one: each release's streams and profiles are its own, the driver-only
    release declares no CUDA version, and the channel builds the same repositories."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1722470400")
    channel = write_history(tmp_path / "history")
    targets = ["--target", "ubuntu2204", "--target", "rhel9"]
    out = _build_command(channel, "-o", tmp_path / "out", *targets)
    output = tmp_path / "imported" / "channel.yaml"
    output.parent.mkdir()
    done = _import(str(out), "-o", str(output))
    assert done.exit_code == 0, done.output
    assert yaml.safe_load(output.read_text())["releases"] == [f"{p}.yaml" for p in POINTS]
    driver_only = load_release(output.parent / "driver-565.57.01.yaml").release
    assert (driver_only.cuda, driver_only.driver) == (None, "565.57.01")
    again = _build_command(output, "-o", tmp_path / "again")
    assert _indices(again) == _indices(out)
    assert _streams(again) == _streams(out)


def test_several_releases_in_a_bare_repository_exit_2_naming_a_package(
    channel_built: Path, tmp_path: Path
) -> None:
    """A bare repository (no manifest) holding several releases: which release a version
    belongs to is not in the index, so import says so rather than guess."""
    done = _import(str(channel_built / "deb/ubuntu2204"), "-o", str(tmp_path / "m.yaml"))
    assert done.exit_code == 2
    assert "ubuntu2204/amd64: package cuda is published at 12.5" in done.output
    assert "the index cannot tell apart" in done.output
    assert not (tmp_path / "m.yaml").exists()


def test_a_tree_of_several_releases_is_imported_on_its_own(
    channel_built: Path, tmp_path: Path
) -> None:
    source = str(channel_built / "deb/ubuntu2204")
    done = _import(str(channel_built), source, "--target", "ubuntu2204", "-o", str(tmp_path / "m"))
    assert done.exit_code == 2
    assert "holds several releases: import it on its own, as a channel" in done.output
    assert list(tmp_path.iterdir()) == []


def test_a_manifest_without_provenance_exits_2(channel_built: Path, tmp_path: Path) -> None:
    """A channel's build by an older repogen lists its releases but not which published
    which package."""
    old = tmp_path / "old"
    shutil.copytree(channel_built, old)
    manifest = json.loads((old / "manifest.json").read_text())
    del manifest["published"], manifest["leaving"]
    (old / "manifest.json").write_text(json.dumps(manifest))
    done = _import(str(old), "-o", str(tmp_path / "m.yaml"))
    assert done.exit_code == 2
    assert "not which published which package" in done.output
    assert list(tmp_path.iterdir()) == [old]


def test_release_files_beside_the_channel_are_replaced_only_with_force(
    channel_built: Path, tmp_path: Path
) -> None:
    (tmp_path / "cuda-12.6.0.yaml").write_text("mine\n")
    done = _import(str(channel_built), "-o", str(tmp_path / "channel.yaml"))
    assert done.exit_code == 2
    assert "cuda-12.6.0.yaml exists; give --force" in done.output
    assert (tmp_path / "cuda-12.6.0.yaml").read_text() == "mine\n"
    forced = _import(str(channel_built), "-o", str(tmp_path / "channel.yaml"), "--force")
    assert forced.exit_code == 0, forced.output
    assert load_release(tmp_path / "cuda-12.6.0.yaml").release.name == "cuda-12.6.0"


def test_several_sources_are_one_model(built: Path, tmp_path: Path) -> None:
    """Two bare repositories, each named by its --target, are one model; two sources that
    publish the same target and architecture are refused."""
    model = tmp_path / "two.yaml"
    sources = [str(built / "deb/ubuntu2204"), str(built / "rpm/rhel9/x86_64")]
    done = _import(*sources, "--target", "ubuntu2204", "--target", "rhel9", "-o", str(model))
    assert done.exit_code == 0, done.output
    assert set(yaml.safe_load(model.read_text())["targets"]) == {"ubuntu2204", "rhel9"}
    again = _build(load_release(model), tmp_path / "again")
    assert _indices(again) == {**_indices(Path(sources[0]), "ubuntu2204"),
                               **_indices(Path(sources[1]), "rhel9")}  # fmt: skip
    same = _import(sources[0], sources[0], "--target", "ubuntu2204", "-o", str(tmp_path / "m"))
    assert same.exit_code == 2
    assert "both publish ubuntu2204/amd64" in same.output


def test_a_repository_over_http_imports_as_on_disk(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = Server(built)
    try:
        remote = tmp_path / "remote.yaml"
        done = _import(f"{server.url}rpm/rhel9/x86_64/", "--target", "rhel9", "-o", str(remote))
    finally:
        server.stop()
    assert done.exit_code == 0, done.output
    local = tmp_path / "local.yaml"
    assert (
        _import(str(built / "rpm/rhel9/x86_64"), "--target", "rhel9", "-o", str(local)).exit_code
        == 0
    )
    # The same model; only the header line names the source.
    assert remote.read_text().split("\n", 1)[1] == local.read_text().split("\n", 1)[1]
