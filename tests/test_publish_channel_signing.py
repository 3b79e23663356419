"""A release published into a signed tree is signed as a build signs (issue 24): its new
packages by rpmsign, the new indices (InRelease, Release.gpg, repomd.xml.asc) by gpg; real
apt and dnf verify the result, old and new packages alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.model import ReleaseModel
from tests.base_repositories import write_base_stub
from tests.conftest import RELEASES
from tests.test_publish_rpm import repository_of
from tests.test_signing import Key, _dnf, _entry, _run_dnf, assert_rpm_verifies, key

__all__ = ["key"]  # the signing key fixture, shared with the build's signing tests

runner = CliRunner()
TARGETS = ["--target", "rhel9", "--target", "ubuntu2204", "--arch", "x86_64", "--arch", "amd64"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory, key: Key) -> Path:
    """cuda-12.5 built signed, then cuda-12.6 published into it, signed with the same key."""
    out = tmp_path_factory.mktemp("signed-publish") / "out"
    signing = ["--sign-key", key.fingerprint, "--gpg-home", str(key.home)]
    words = ["build", str(RELEASES / "cuda-12.5.yaml"), "-o", str(out), *TARGETS, *signing]
    result = runner.invoke(app, words)
    assert result.exit_code == 0, result.output
    words = ["publish", str(RELEASES / "cuda-12.6.yaml"), "--into", str(out), *signing]
    result = runner.invoke(app, words)
    assert result.exit_code == 0, result.output
    return out


def test_every_package_old_and_new_is_signed(tree: Path, tmp_path: Path) -> None:
    packages = sorted(tree.glob("rpm/rhel9/x86_64/Packages/*.rpm"))
    assert any("12.5.1" in p.name for p in packages)
    assert any("12.6.0" in p.name for p in packages)
    assert_rpm_verifies(tmp_path, tree / "rpm/rhel9/x86_64/repodata/repomd.xml.key", packages)


def test_dnf_verifies_the_new_metadata_and_downloads_old_and_new_packages(
    tree: Path, tmp_path: Path
) -> None:
    prefix = _dnf(
        tmp_path,
        tree / _entry(tree, "rhel9")["repo_file"],
        tree / "rpm/rhel9/x86_64/repodata/repomd.xml.key",
    )
    for package in ("cuda-libraries-devel-12-6", "cuda-libraries-devel-12-5"):
        into = tmp_path / package
        result = _run_dnf(
            tmp_path, prefix, "--downloadonly", f"--destdir={into}", "install", package
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert any(p.name.startswith(package) for p in into.glob("*.rpm"))


def test_apt_verifies_the_new_release_file(
    tree: Path, tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    entry = _entry(tree, "ubuntu2204")
    base = write_base_stub(repository_of(release_12_6, "ubuntu2204", "amd64"), tmp_path / "base")
    sandbox = AptSandbox.create(tmp_path / "apt", "amd64", [base])
    parts = sandbox.root / "etc/apt/sources.list.d"
    parts.mkdir()
    (parts / Path(entry["repo_file"]).name).write_bytes((tree / entry["repo_file"]).read_bytes())
    with (sandbox.root / "apt.conf").open("a") as conf:
        conf.write(f'Dir::Etc::sourceparts "{parts}/";\n')
    assert sandbox.update() == ()
    assert sandbox.install(["cuda-toolkit-12-6"]).ok
    assert sandbox.install(["cuda-toolkit-12-5"]).ok
    release = (tree / "deb/ubuntu2204/dists/jammy/InRelease").read_text()
    assert "cuda-12.6.0" in release


def test_a_signed_tree_takes_only_signed_releases_and_an_unsigned_one_only_unsigned(
    tree: Path, tmp_path: Path, key: Key
) -> None:
    before = sorted((p, p.stat().st_mtime_ns) for p in tree.rglob("*") if p.is_file())
    words = ["publish", str(RELEASES / "cuda-12.6.yaml"), "--into", str(tree)]
    result = runner.invoke(app, words)
    assert result.exit_code == 2
    assert "is signed: publish into it with --sign-key" in result.output
    assert sorted((p, p.stat().st_mtime_ns) for p in tree.rglob("*") if p.is_file()) == before
    unsigned = tmp_path / "unsigned"
    words = ["build", str(RELEASES / "cuda-12.5.yaml"), "-o", str(unsigned), "--target", "rhel9"]
    assert runner.invoke(app, words).exit_code == 0
    signing = ["--sign-key", key.fingerprint, "--gpg-home", str(key.home)]
    words = ["publish", str(RELEASES / "cuda-12.6.yaml"), "--into", str(unsigned), *signing]
    result = runner.invoke(app, words)
    assert result.exit_code == 2
    assert "is not signed" in result.output
