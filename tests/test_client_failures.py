"""A real client that does not answer is a client error naming what it said, never an empty
success nor a refused transaction.  The clients are made to fail for real: by a repository
whose metadata they cannot load, or by a broken state in their own sandbox."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import createrepo_c as cr
import pytest

from repogen.engine.errors import ClientError
from repogen.families.deb.client import AptError, AptSandbox
from repogen.families.rpm.client import DnfError, DnfRepository, DnfSandbox
from repogen.families.suse.client import ZypperError, parse_answer


def rpm_repository(root: Path, epoch: str) -> Path:
    """A metadata-only rpm-md repository of one package ``a`` of *epoch*, as createrepo_c
    writes it."""
    repodata = root / "repodata"
    repodata.mkdir(parents=True)
    package = cr.Package()
    package.name, package.arch, package.epoch = "a", "x86_64", epoch
    package.version, package.release, package.summary = "1.0", "1", "a"
    package.pkgId, package.checksum_type, package.location_href = "0" * 64, "sha256", "a.rpm"
    repomd = cr.Repomd()
    for kind, writer in (
        ("primary", cr.PrimaryXmlFile),
        ("filelists", cr.FilelistsXmlFile),
        ("other", cr.OtherXmlFile),
    ):
        path = repodata / f"{kind}.xml.gz"
        xml = writer(str(path))
        xml.set_num_of_pkgs(1)
        xml.add_pkg(package)
        xml.close()
        record = cr.RepomdRecord(kind, str(path))
        record.fill(cr.SHA256)
        repomd.set_record(record)
    (repodata / "repomd.xml").write_text(repomd.xml_dump())
    return root


@pytest.mark.skipif(shutil.which("dnf") is None, reason="dnf is not installed")
def test_dnf_that_cannot_load_a_repository_fails_with_its_stderr(tmp_path: Path) -> None:
    good = rpm_repository(tmp_path / "good", "0")
    sandbox = DnfSandbox.create(
        tmp_path / "ok", [DnfRepository("r", good.as_uri())], "9", arch="x86_64"
    )
    assert [p.name for p in sandbox.resolve("dnf install a").install] == ["a"]
    # An epoch beyond int32: dnf crashes with a traceback and exits 1, as an aborted
    # --assumeno transaction does; with nothing parsed that was `ok: true`, nothing installed.
    bad = rpm_repository(tmp_path / "bad", "99999999999999999999")
    sandbox = DnfSandbox.create(
        tmp_path / "broken", [DnfRepository("r", bad.as_uri())], "9", arch="x86_64"
    )
    with pytest.raises(DnfError, match=r"failed \(exit 1\): Traceback.*OverflowError.*int32_t"):
        sandbox.resolve("dnf install a")
    assert issubclass(DnfError, ClientError)


@pytest.mark.skipif(shutil.which("apt-ftparchive") is None, reason="apt-utils is not installed")
def test_apt_get_that_cannot_read_its_state_fails_with_its_errors(tmp_path: Path) -> None:
    suite = tmp_path / "repo"
    suite.mkdir()
    stanza = (
        b"Package: a\nVersion: 1\nArchitecture: amd64\nDescription: a\n"
        b"Filename: a.deb\nSize: 1\nSHA256: " + b"0" * 64 + b"\n"
    )
    (suite / "Packages").write_bytes(stanza)
    (suite / "Packages.gz").write_bytes(gzip.compress(stanza, mtime=0))
    release = subprocess.run(
        ["apt-ftparchive", "release", "."], cwd=suite, capture_output=True, check=True
    )
    (suite / "Release").write_bytes(release.stdout)
    sandbox = AptSandbox.create(tmp_path / "apt", "amd64", [f"deb [trusted=yes] file:{suite} ./"])
    sandbox.update()
    assert [p.name for p in sandbox.install(["a"]).install] == ["a"]
    refused = sandbox.install(["no-such-package"])
    assert not refused.ok
    assert refused.problems == ("E: Unable to locate package no-such-package",)
    # A dpkg status file apt cannot parse: apt-get exits 100, as for a refused transaction.
    (sandbox.root / "var/lib/dpkg/status").write_text("Package: b\nVersion 1\n\x00\n")
    with pytest.raises(AptError, match=r"failed \(exit 100\): .*(parse|parsing)"):
        sandbox.install(["a"])
    assert issubclass(AptError, ClientError)


def test_zypper_output_without_an_answer_is_an_error() -> None:
    with pytest.raises(ZypperError, match="not XML"):
        parse_answer("Segmentation fault\n", 0)
    with pytest.raises(ZypperError, match="no install summary"):
        parse_answer('<?xml version="1.0"?><stream><message type="error">x</message></stream>', 0)
    nothing = '<stream><message type="info">Nothing to do.</message></stream>'
    assert parse_answer(nothing, 0).ok
    refused = "<stream><message type=\"error\">No provider of 'x' found.</message></stream>"
    assert parse_answer(refused, 104).problems == ("No provider of 'x' found.",)
