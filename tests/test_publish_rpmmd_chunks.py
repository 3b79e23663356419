"""rpm-md written by chunks: primary, filelists and other are each a gzip member with the
header, one member per release holding the packages it first published, and one with the
closing tag.  Publishing a release appends its member after the published ones, copied as
they are; a tree written otherwise (one member) or losing a release is written again by
chunks; createrepo_c and the real dnf read every package."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import zlib
from pathlib import Path

import createrepo_c as cr
import pytest

from repogen.families.rpm.client import DnfRepository, DnfSandbox
from repogen.families.suse.client import ZypperSandbox

from .test_publish_channel import _index_files, acme, invoke, publish

REPOSITORY = "rpm/el9/x86_64"
SUSE_REPOSITORY = "suse/sl15/x86_64"
PACKAGE_FILES = ("primary", "filelists", "other")


def gzip_members(path: Path) -> list[tuple[bytes, bytes]]:
    """Each gzip member of the file at *path*: its bytes and its content."""
    data, found = path.read_bytes(), []
    while data:
        inflater = zlib.decompressobj(31)
        content = inflater.decompress(data)
        assert inflater.eof
        found.append((data[: len(data) - len(inflater.unused_data)], content))
        data = inflater.unused_data
    return found


def members(path: Path) -> list[bytes]:
    """The content of each gzip member of the file at *path*."""
    return [content for _, content in gzip_members(path)]


def package_files(repository: Path) -> dict[str, Path]:
    """primary, filelists and other of *repository*, as its repomd.xml names them."""
    repomd = cr.Repomd(str(repository / "repodata/repomd.xml"))
    return {r.type: repository / r.location_href for r in repomd.records if r.type in PACKAGE_FILES}


def loaded(repository: Path) -> list[str]:
    """The NEVRAs of every record createrepo_c's reader loads from *repository*."""
    metadata = cr.Metadata()
    metadata.locate_and_load_xml(str(repository))
    records = [metadata.get(key) for key in metadata.keys()]  # noqa: SIM118 (no __iter__)
    assert all(r.files is not None and r.changelogs is not None for r in records)
    return sorted(f"{r.name}-{r.version}-{r.release}.{r.arch}" for r in records)


def nevras(*versions: str) -> list[str]:
    return sorted(f"acme-{p}-{v}-1.el9.noarch" for p in ("lib", "tools") for v in versions)


def acme_everywhere(directory: Path, version: str) -> Path:
    """:func:`acme` with a SUSE target too."""
    path = acme(directory, version)
    suse = '  sl15: {family: suse, distro: sles, release: "15", arches: x86_64}\n'
    text = path.read_text().replace("targets:\n", "targets:\n" + suse)
    path.write_text(text.replace("rpm: ", f'suse: "{version}-1", rpm: '))
    return path


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """acme 1.0 built, and the same tree with 1.1 and 1.2 published into it."""
    work = tmp_path_factory.mktemp("chunks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1722470400")
        built, tree = work / "built", work / "tree"
        code, output = invoke("build", acme_everywhere(work, "1.0"), "-o", built)
        assert code == 0, output
        shutil.copytree(built, tree, symlinks=True)
        for version in ("1.1", "1.2"):
            code, output = publish(acme_everywhere(work, version), tree)
            assert code == 0, output
    return {"built": built, "tree": tree, "work": work}


def test_each_file_holds_a_member_per_release_between_the_header_and_the_closing_tag(
    trees: dict[str, Path],
) -> None:
    for mdtype, path in package_files(trees["tree"] / REPOSITORY).items():
        contents = members(path)
        assert [c.count(b"<package ") for c in contents] == [0, 2, 2, 2, 0], mdtype
        assert contents[0].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
        assert contents[0].endswith(b' packages="6">\n'), mdtype
        assert contents[-1].startswith(b"</"), mdtype
        for content, version in zip(contents[1:-1], ("1.0", "1.1", "1.2"), strict=True):
            assert f'ver="{version}"'.encode() in content, mdtype


def test_publishing_keeps_the_published_members_byte_for_byte(trees: dict[str, Path]) -> None:
    built = package_files(trees["built"] / REPOSITORY)
    published = package_files(trees["tree"] / REPOSITORY)
    for mdtype, path in built.items():
        _, chunk, _ = (raw for raw, _ in gzip_members(path))
        assert chunk in published[mdtype].read_bytes(), mdtype


def test_createrepo_c_loads_every_record_and_repomd_states_the_open_content(
    trees: dict[str, Path],
) -> None:
    repository = trees["tree"] / REPOSITORY
    assert loaded(repository) == nevras("1.0", "1.1", "1.2")
    repomd = cr.Repomd(str(repository / "repodata/repomd.xml"))
    for record in repomd.records:
        opened = gzip.decompress((repository / record.location_href).read_bytes())
        assert record.checksum_open == hashlib.sha256(opened).hexdigest(), record.type
        assert record.size_open == len(opened), record.type


def test_dnf_installs_a_package_of_the_first_and_of_an_appended_release(
    trees: dict[str, Path],
) -> None:
    dnf = DnfSandbox.create(
        trees["work"] / "dnf",
        [DnfRepository("acme", (trees["tree"] / REPOSITORY).as_uri())],
        releasever="9",
    )
    first = dnf.resolve("dnf install acme-tools-1.0")
    newest = dnf.resolve("dnf install acme-tools")
    assert ("acme-tools", "1.0-1.el9") in {(p.name, p.version) for p in first.install}
    assert ("acme-tools", "1.2-1.el9") in {(p.name, p.version) for p in newest.install}
    assert ("acme-lib", "1.2-1.el9") in {(p.name, p.version) for p in newest.install}


def test_zypper_installs_a_package_of_the_first_and_of_an_appended_release(
    trees: dict[str, Path],
) -> None:
    repository = trees["tree"] / SUSE_REPOSITORY
    assert [c.count(b"<package ") for c in members(package_files(repository)["primary"])] == [
        0,
        2,
        2,
        2,
        0,
    ]
    zypper = ZypperSandbox.create(
        trees["work"] / "zypper", [("acme", repository.as_uri())], arch="x86_64"
    )
    first = zypper.resolve("zypper install acme-tools-1.0")
    newest = zypper.resolve("zypper install acme-tools")
    assert ("acme-tools", "1.0-1") in {(p.name, p.version) for p in first.install}
    assert ("acme-tools", "1.2-1") in {(p.name, p.version) for p in newest.install}


def _one_member(repository: Path) -> None:
    """Write *repository*'s package files as the writer before chunks did: each one gzip
    member, named in a repomd.xml made again by createrepo_c."""
    repodata = repository / "repodata"
    repomd = cr.Repomd(str(repodata / "repomd.xml"))
    for mdtype, path in package_files(repository).items():
        plain = repodata / f"{mdtype}.xml"
        plain.write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
        cr.compress_file(str(plain), str(repodata / f"{mdtype}.xml.gz"), cr.GZ_COMPRESSION)
        plain.unlink()
        record = cr.RepomdRecord(mdtype, str(repodata / f"{mdtype}.xml.gz"))
        record.fill(cr.SHA256)
        record.rename_file()
        record.set_timestamp(int(repomd.revision))
        repomd.set_record(record)
        assert len(members(repodata.parent / record.location_href)) == 1
    (repodata / "repomd.xml").write_text(repomd.xml_dump())


def test_a_tree_written_in_one_member_is_written_again_as_the_channel_build_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1722470400")
    first, second = acme(tmp_path, "1.0"), acme(tmp_path, "1.1")
    tree, channel = tmp_path / "tree", tmp_path / "channel"
    assert invoke("build", first, "-o", tree)[0] == 0
    _one_member(tree / REPOSITORY)
    code, output = publish(second, tree)
    assert code == 0, output
    listing = tmp_path / "channel.yaml"
    listing.write_text(f"channel: acme\nreleases:\n  - {first.name}\n  - {second.name}\n")
    assert invoke("build", listing, "-o", channel)[0] == 0
    index = f"{REPOSITORY}/repodata"
    assert _index_files(channel, index) == {
        name: (tree / index / name).read_bytes() for name in _index_files(channel, index)
    }


def test_a_withdrawn_release_leaves_its_member(
    trees: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1722470400")
    tree = tmp_path / "tree"
    shutil.copytree(trees["tree"], tree, symlinks=True)
    code, output = publish(acme(trees["work"], "1.3"), tree, "--keep-releases", "2")
    assert code == 0, output
    repository = tree / REPOSITORY
    assert loaded(repository) == nevras("1.2", "1.3")
    for mdtype, path in package_files(repository).items():
        assert [c.count(b"<package ") for c in members(path)] == [0, 2, 2, 0], mdtype
