"""`repogen publish RELEASE --into DIR`: a release added to a tree in place equals a build of
the channel holding the same releases; package files already published never change; the
indices before stay reachable for a few generations; publishing again changes nothing; a
second publish waits for the first."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.cli import app
from repogen.families.deb.xz_stream import blocks
from repogen.publish.generations import KEPT, RECORD, replace_index
from repogen.publish.output import STOP_AT

from .conftest import RELEASES, ROOT
from .test_robustness import go_on, stopped

runner = CliRunner()
EPOCH = "1722470400"
TARGETS = ["--target", "ubuntu2204", "--target", "rhel9", "--target", "sles15"]
CHANNEL = ROOT / "tests" / "channels" / "bundled.yaml"

#: The index directories of the three targets, and a top file of each.
INDICES = {
    "deb/ubuntu2204/dists/jammy": "Release",
    "rpm/rhel9/x86_64/repodata": "repomd.xml",
    "suse/sles15/x86_64/repodata": "repomd.xml",
}


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def invoke(*words: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(w) for w in words])
    return result.exit_code, result.output


def build(model: Path, out: Path) -> None:
    code, output = invoke("build", model, "-o", out, *TARGETS)
    assert code == 0, output


def publish(model: Path, tree: Path, *options: str) -> tuple[int, str]:
    return invoke("publish", model, "--into", tree, *options)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under *root* with its bytes and mtime."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_refused_unchanged(model: Path, tree: Path, message: str) -> None:
    """Publishing *model* into *tree* is refused with *message* (exit 2), and every file of
    the tree is left as it was."""
    before = snapshot(tree)
    code, output = publish(model, tree)
    assert code == 2
    assert message in output
    assert snapshot(tree) == before


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """cuda-12.5 built, then cuda-12.6 published into it; and the channel of both built."""
    work = tmp_path_factory.mktemp("published")
    before, tree, channel = work / "before", work / "tree", work / "channel"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(RELEASES / "cuda-12.5.yaml", before)
        shutil.copytree(before, tree, symlinks=True)
        code, output = publish(RELEASES / "cuda-12.6.yaml", tree)
        assert code == 0, output
        build(CHANNEL, channel)
    return {"before": before, "tree": tree, "channel": channel}


def _index_files(root: Path, index: str) -> dict[str, bytes]:
    """The files of *index* under *root* as a build writes them (the generations kept
    beside them left out): what its top file names, and the top file."""
    directory = root / index
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file() and p.name != RECORD and "by-hash" not in p.parts
    }


@pytest.mark.parametrize(
    "index",
    [
        "deb/ubuntu2204/dists/jammy",
        "rpm/rhel9/x86_64/repodata",
        "suse/sles15/x86_64/repodata",
    ],
)
def test_publishing_a_release_gives_the_indices_of_the_channel_build(
    published: dict[str, Path], index: str
) -> None:
    channel = _index_files(published["channel"], index)
    tree = published["tree"] / index
    differing = [
        name
        for name, data in channel.items()
        if not (tree / name).is_file() or (tree / name).read_bytes() != data
    ]
    assert not differing, f"{index}: {differing}"
    manifest = json.loads((published["tree"] / "manifest.json").read_text())
    assert manifest["releases"] == ["cuda-12.5.1", "cuda-12.6.0"]
    assert manifest["release"] == "cuda-12.6.0"
    # The channel's build records which release published which package file as publish does.
    built = json.loads((published["channel"] / "manifest.json").read_text())
    assert [p["releases"] for p in built["published"]] == [["cuda-12.5.1"], ["cuda-12.6.0"]]
    assert (built["published"], built["leaving"]) == (manifest["published"], manifest["leaving"])


def test_published_package_files_stay_and_the_old_indices_stay_reachable(
    published: dict[str, Path],
) -> None:
    before, tree = published["before"], published["tree"]
    for name, (data, _) in snapshot(before).items():
        if not any(name.startswith(i) for i in INDICES) and name.endswith((".deb", ".rpm")):
            assert (tree / name).read_bytes() == data, name
    # A client that read the old Release or repomd.xml finds every file it names.
    release = (before / "deb/ubuntu2204/dists/jammy/Release").read_text()
    hashes = re.findall(r"^ ([0-9a-f]{64}) +\d+ (\S+)$", release, re.MULTILINE)
    assert hashes
    for digest, name in hashes:
        by_hash = tree / "deb/ubuntu2204/dists/jammy" / Path(name).parent / "by-hash/SHA256"
        assert (by_hash / digest).read_bytes() == (
            before / "deb/ubuntu2204/dists/jammy" / name
        ).read_bytes()
    for repository in ("rpm/rhel9/x86_64", "suse/sles15/x86_64"):
        repomd = (before / repository / "repodata/repomd.xml").read_text()
        hrefs = re.findall(r'<location href="([^"]+)"', repomd)
        assert hrefs
        for href in hrefs:
            assert (tree / repository / href).read_bytes() == (
                before / repository / href
            ).read_bytes()
    # and the new top files name the new release's packages.
    assert "cuda-12.6.0" in (tree / "deb/ubuntu2204/dists/jammy/Release").read_text()


def test_publishing_a_release_already_there_changes_nothing(
    published: dict[str, Path], tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(published["tree"], tree, symlinks=True)
    before = snapshot(tree)
    for model in ("cuda-12.6.yaml", "cuda-12.5.yaml"):
        code, output = publish(RELEASES / model, tree)
        assert code == 0, output
        assert "nothing changed" in output
    assert snapshot(tree) == before


def test_a_tree_whose_manifest_records_no_provenance_is_published_into_as_one_entry(
    published: dict[str, Path], tmp_path: Path
) -> None:
    """A tree an older build made records no provenance: every package file its indices
    list is one entry, of the releases it was built from."""
    tree = tmp_path / "tree"
    shutil.copytree(published["before"], tree, symlinks=True)
    manifest = json.loads((tree / "manifest.json").read_text())
    del manifest["published"], manifest["leaving"]
    (tree / "manifest.json").write_text(json.dumps(manifest))
    code, output = publish(RELEASES / "cuda-12.6.yaml", tree)
    assert code == 0, output
    after = json.loads((tree / "manifest.json").read_text())
    grown = json.loads((published["tree"] / "manifest.json").read_text())
    assert (after["published"], after["releases"]) == (grown["published"], grown["releases"])


def test_retention_withdraws_an_older_release_of_a_channel_build(
    published: dict[str, Path], tmp_path: Path
) -> None:
    """A channel's build records each release's package files apart, so that a publish may
    keep some of its releases and not others."""
    tree = tmp_path / "tree"
    shutil.copytree(published["channel"], tree, symlinks=True)
    code, output = publish(RELEASES / "cuda-12.6.yaml", tree, "--keep-releases", "1")
    assert code == 0, output
    manifest = json.loads((tree / "manifest.json").read_text())
    assert manifest["releases"] == ["cuda-12.6.0"]
    assert "pool/main/c/cuda/cuda_12.5.1-1_amd64.deb" in manifest["leaving"]["deb/ubuntu2204"]
    packages = (tree / "deb/ubuntu2204/dists/jammy/main/binary-amd64/Packages").read_text()
    assert "Version: 12.6.0-1" in packages
    assert "Version: 12.5.1-1" not in packages


ACME = """\
release:
  {{name: acme-{name}, cuda: 12.6.0, driver: 560.28.03, default_flavor: open, date: 2024-10-0{day}}}
maintainer: Acme Packaging <packaging@acme.example>
license: MIT
versions:
  acme: {{deb: "{version}-1", rpm: "{version}-1"}}
targets:
  bookworm: {{family: deb, distro: debian, release: "12", suite: bookworm, arches: amd64}}
  el9: {{family: rpm, distro: rhel, release: "9", dist: .el9, arches: x86_64}}
packages:
  - {{name: acme-tools, version: acme, summary: {summary}, depends: acme-lib}}
  - {{name: acme-lib, version: acme, summary: Acme library}}
"""


def acme(directory: Path, version: str, summary: str = "Acme tools") -> Path:
    """A small release of two packages at *version* (``1.N``)."""
    path = directory / f"acme-{version}-{len(summary)}.yaml"
    day = version.split(".")[1] if "." in version else "1"
    path.write_text(ACME.format(name=version, version=version, day=int(day) + 1, summary=summary))
    return path


def test_a_release_of_the_same_name_with_other_content_is_refused_and_nothing_changes(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    code, output = invoke("build", acme(tmp_path, "1.0"), "-o", tree)
    assert code == 0, output
    assert publish(acme(tmp_path, "1.1"), tree)[0] == 0
    assert_refused_unchanged(
        acme(tmp_path, "1.1", summary="Acme tools renamed"),
        tree,
        "already published with other content",
    )


def test_index_directories_keep_three_generations(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree)[0] == 0
    repodata = tree / "rpm/el9/x86_64/repodata"
    tops = [(repodata / "repomd.xml").read_text()]
    for version in ("1.1", "1.2", "1.3"):
        code, output = publish(acme(tmp_path, version), tree)
        assert code == 0, output
        tops.append((repodata / "repomd.xml").read_text())
    hrefs = [set(re.findall(r'href="repodata/([^"]+)"', top)) for top in tops]
    present = {p.name for p in repodata.iterdir()}
    # The newest and the two before are there; the first is gone.
    assert KEPT == 3
    for kept in hrefs[-KEPT:]:
        assert kept <= present
    assert not (hrefs[0] - set().union(*hrefs[-KEPT:])) & present
    packages = (tree / "deb/bookworm/dists/bookworm/main/binary-amd64/Packages").read_text()
    assert packages.count("Package: acme-tools\n") == 4


def test_a_second_publish_into_the_same_tree_waits_for_the_first(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree)[0] == 0
    model = acme(tmp_path, "1.1")

    def start(stop_at: str, said: Path) -> subprocess.Popen[bytes]:
        with said.open("wb") as output, said.with_suffix(".err").open("wb") as errors:
            return subprocess.Popen(
                [sys.executable, "-m", "repogen", "publish", str(model), "--into", str(tree)],
                env={**os.environ, STOP_AT: stop_at},
                stdout=output,
                stderr=errors,
            )

    first = start("locked", tmp_path / "first")
    assert stopped(first)
    second = start("waiting", tmp_path / "second")
    assert stopped(second), "the second publish did not wait"
    go_on(first)
    assert not stopped(first)
    assert first.returncode == 0
    go_on(second)
    assert not stopped(second)
    assert second.returncode == 0
    assert "wrote" in (tmp_path / "first").read_text()
    assert f"waiting for another build or publish into {tree}" in " ".join(
        (tmp_path / "second.err").read_text().split()
    )
    # The second found the release there, published by the first.
    assert "nothing changed" in (tmp_path / "second").read_text()


def test_an_older_release_into_a_newer_tree_is_refused_and_nothing_changes(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.1"), "-o", tree)[0] == 0
    assert_refused_unchanged(
        acme(tmp_path, "1.0"),
        tree,
        "bookworm/amd64: acme-tools goes back from 1.1-1 (published) to 1.0-1",
    )


def test_a_tree_without_package_files_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree, "--no-packages")[0] == 0
    assert_refused_unchanged(acme(tmp_path, "1.1"), tree, "built with --no-packages?")


def test_publishing_into_what_is_not_a_repogen_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    for into in (tmp_path / "mine", tmp_path / "absent"):
        code, output = publish(acme(tmp_path, "1.0"), into)
        assert code == 2
        assert "is not a repogen output" in output
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]
    assert not (tmp_path / "absent").exists()


def _named_by_every_kept_index(tree: Path) -> set[Path]:
    """The package files any index kept in the tree names: every generation's Packages (by
    hash) and primary records."""
    named = set()
    for by_hash in tree.glob("deb/*/dists/*/main/binary-*/by-hash/SHA256/*"):
        data = by_hash.read_bytes()
        if data.startswith(b"Package:"):
            root = by_hash.parents[6]
            named |= {root / n for n in re.findall(r"^Filename: (\S+)$", data.decode(), re.M)}
    for primary in tree.glob("rpm/*/*/repodata/*-primary.xml.gz"):
        text = gzip.decompress(primary.read_bytes()).decode()
        named |= {primary.parents[1] / n for n in re.findall(r'<location href="([^"]+)"', text)}
    return named


def test_retention_keeps_the_newest_releases_and_removes_files_no_kept_index_names(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree)[0] == 0
    packages = tree / "deb/bookworm/dists/bookworm/main/binary-amd64/Packages"
    first = sorted(tree.glob("**/acme-tools*1.0-1*"))
    assert len(first) == 2  # the .deb and the .rpm
    for version in ("1.1", "1.2", "1.3", "1.4"):
        code, output = publish(acme(tmp_path, version), tree, "--keep-releases", "2")
        assert code == 0, output
        manifest = json.loads((tree / "manifest.json").read_text())
        newest = int(version[-1])
        kept = [f"acme-1.{newest - 1}", f"acme-1.{newest}"]
        assert manifest["releases"] == kept
        listed = re.findall(r"^Package: acme-tools\nVersion: (\S+)", packages.read_text(), re.M)
        assert listed == [f"1.{newest - 1}-1", f"1.{newest}-1"]
        # Written again without the release that left: still one part per release kept.
        plain = packages.read_bytes()
        assert gzip.decompress(packages.with_name("Packages.gz").read_bytes()) == plain
        xz = packages.with_name("Packages.xz").read_bytes()
        assert lzma.decompress(xz) == plain
        assert len(blocks(xz).records) == len(kept)
        # Every file an index a client may still read names is there.
        assert all(path.is_file() for path in _named_by_every_kept_index(tree)), version
        # 1.0 leaves the indices at 1.2; its files go two publishes later, at 1.4.
        assert all(path.exists() == (version != "1.4") for path in first), version
    code, output = publish(acme(tmp_path, "1.4"), tree, "--keep-releases", "2")
    assert code == 0
    assert "nothing changed" in output
    # The newest again, keeping fewer: the one before leaves.
    code, output = publish(acme(tmp_path, "1.4"), tree, "--keep-releases", "1")
    assert code == 0, output
    assert json.loads((tree / "manifest.json").read_text())["releases"] == ["acme-1.4"]
    listed = re.findall(r"^Package: acme-tools\nVersion: (\S+)", packages.read_text(), re.M)
    assert listed == ["1.4-1"]


def test_retention_by_branch_keeps_the_releases_of_the_newest_branches(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree)[0] == 0
    newer = acme(tmp_path, "1.1")
    newer.write_text(newer.read_text().replace("driver: 560.28.03", "driver: 565.57.01"))
    code, output = publish(newer, tree, "--keep-branches", "1")
    assert code == 0, output
    assert json.loads((tree / "manifest.json").read_text())["releases"] == ["acme-1.1"]
    packages = (tree / "deb/bookworm/dists/bookworm/main/binary-amd64/Packages").read_text()
    assert re.findall(r"^Package: acme-tools\nVersion: (\S+)", packages, re.M) == ["1.1-1"]


def test_a_release_without_an_architecture_the_tree_has_is_refused(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    both = acme(tmp_path, "1.0")
    both.write_text(both.read_text().replace("arches: amd64}", "arches: [amd64, arm64]}"))
    assert invoke("build", both, "-o", tree)[0] == 0
    assert_refused_unchanged(
        acme(tmp_path, "1.1"), tree, "bookworm: acme-1.1 has no arm64, which the tree has"
    )


def test_a_generation_record_never_brings_in_a_file_from_outside(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("secret")
    old, new = tmp_path / "tree" / "repodata", tmp_path / "new"
    old.mkdir(parents=True)
    (old / "repomd.xml").write_text("old")
    (old / "old-primary.xml.gz").write_text("old primary")
    (old / RECORD).write_text(
        json.dumps([["repomd.xml", "old-primary.xml.gz", "../../secret", str(secret)]])
    )
    new.mkdir()
    (new / "repomd.xml").write_text("new")
    replace_index(new, old)
    assert sorted(p.name for p in old.iterdir()) == [RECORD, "old-primary.xml.gz", "repomd.xml"]
    assert (old / "repomd.xml").read_text() == "new"
    assert json.loads((old / RECORD).read_text())[0] == ["repomd.xml"]


def test_a_channel_file_is_not_a_release_to_publish(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    assert invoke("build", acme(tmp_path, "1.0"), "-o", tree)[0] == 0
    code, output = publish(CHANNEL, tree)
    assert code == 2
    assert "is a channel; publish adds one release" in " ".join(output.split())
