"""Signed builds as users meet them (issue 24): every rpm signed and verified by ``rpm -K``,
dnf with ``gpgcheck=1`` and ``repo_gpgcheck=1`` and zypper with ``--gpg-auto-import-keys``
on the ``.repo`` files the build writes, apt on its ``.sources`` file, and a signing key that
cannot sign refused before anything is built."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.build import build
from repogen.cli import app
from repogen.families.deb.client import AptError, AptSandbox
from repogen.families.rpm.rpmroot import DBPATH, SandboxRoot
from repogen.model import ReleaseModel
from repogen.publish.base import BuildOptions
from tests.base_repositories import write_base_stub
from tests.conftest import RELEASES
from tests.test_publish_rpm import EPOCH, primary, real_package, repository_of

runner = CliRunner()
TARGETS = ("rhel9", "sles15", "ubuntu2204")


@dataclass(frozen=True)
class Key:
    home: Path
    fingerprint: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.home)}


def _gpg(home: Path, *arguments: str, data: bytes | None = None) -> bytes:
    result = subprocess.run(
        ["gpg", "--batch", "--homedir", str(home), *arguments],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout


def _make_key(uid: str, *expiry: str) -> Key:
    """A key in a new GNUPGHOME (short path: gpg-agent's socket lives there); *expiry* are
    gpg options put first (``--faked-system-time`` for a key expired long ago)."""
    home = Path(tempfile.mkdtemp(prefix="gpg-"))
    home.chmod(0o700)
    _gpg(
        home,
        *expiry,
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-gen-key",
        uid,
        "ed25519",
        "sign",
        "1d" if expiry else "never",
    )
    listing = _gpg(home, "--with-colons", "--list-keys").decode()
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line[:4] == "fpr:")
    return Key(home, fingerprint)


def _drop(key: Key) -> None:
    subprocess.run(["gpgconf", "--homedir", str(key.home), "--kill", "all"], check=False)
    shutil.rmtree(key.home, ignore_errors=True)


@pytest.fixture(scope="session")
def key() -> Iterator[Key]:
    made = _make_key("repogen signing <sign@repogen.invalid>")
    yield made
    _drop(made)


@pytest.fixture(scope="session")
def signed(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel, key: Key) -> Path:
    out = tmp_path_factory.mktemp("signed") / "out"
    repositories = release_12_6.select(targets=TARGETS, arches=["x86_64", "amd64"])
    options = BuildOptions(EPOCH, sign_key=key.fingerprint, gpg_home=key.home)
    build(release_12_6, out, repositories, options)
    return out


def _entry(out: Path, target: str) -> dict[str, str]:
    manifest = json.loads((out / "manifest.json").read_text())
    (entry,) = [e for e in manifest["repos"] if e["target"] == target]
    return dict(entry)


def _tampered_copy(out: Path, work: Path) -> Path:
    copy = work / "out"
    shutil.copytree(out, copy)
    for repo in copy.rglob("*.repo"):
        repo.write_text(repo.read_text().replace(out.as_uri(), copy.as_uri()))
    return copy


# -- the packages and the files beside the repositories -----------------------------------------


def assert_rpm_verifies(work: Path, key_file: Path, packages: list[Path]) -> None:
    """rpm, in a sandbox under *work* trusting only *key_file*, finds each of *packages*
    signed and verifies it."""
    sandbox = SandboxRoot(work)
    sandbox.prepare()
    rpm = ["rpm", "--root", str(sandbox.root), "--dbpath", DBPATH]
    env = sandbox.environment()
    subprocess.run([*rpm, "--initdb"], env=env, check=True)
    subprocess.run([*rpm, "--import", str(key_file)], env=env, check=True)
    for package in packages:
        checked = subprocess.run(
            [*rpm, "-Kv", str(package)], env=env, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "Signature, key ID" in checked.stdout
        assert ": OK" in checked.stdout


def test_every_rpm_is_signed_and_rpm_verifies_it(signed: Path, tmp_path: Path) -> None:
    packages = sorted(signed.glob("rpm/*/*/Packages/*.rpm")) + sorted(
        signed.glob("suse/*/*/*/*.rpm")
    )
    assert len(packages) > 20
    assert_rpm_verifies(tmp_path, signed / "rpm/rhel9/x86_64/repodata/repomd.xml.key", packages)


def test_a_real_package_is_signed_in_its_copy_and_indexed_as_signed(
    tmp_path: Path, release_12_6: ReleaseModel, key: Key
) -> None:
    real = real_package(tmp_path, "12.6.0")
    given = real.read_bytes()
    out = tmp_path / "out"
    repositories = release_12_6.select(targets=["rhel9"], arches=["x86_64"])
    options = BuildOptions(
        EPOCH, sign_key=key.fingerprint, gpg_home=key.home, add_packages=tmp_path / "packages"
    )
    build(release_12_6, out, repositories, options)
    assert real.read_bytes() == given  # the user's file is not touched
    directory = out / "rpm/rhel9/x86_64"
    record = primary(directory)["cuda-compiler-12-6"]
    copy = (directory / record.location_href).read_bytes()
    assert copy != given
    assert record.pkgId == hashlib.sha256(copy).hexdigest()
    sandbox = SandboxRoot(tmp_path / "rpm")
    sandbox.prepare()
    rpm = ["rpm", "--root", str(sandbox.root), "--dbpath", DBPATH]
    env = sandbox.environment()
    subprocess.run([*rpm, "--initdb"], env=env, check=True)
    subprocess.run(
        [*rpm, "--import", str(directory / "repodata/repomd.xml.key")], env=env, check=True
    )
    checked = subprocess.run(
        [*rpm, "-K", str(directory / record.location_href)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(("family", "target"), [("rpm", "rhel9"), ("suse", "sles15")])
def test_the_key_and_a_repo_file_are_published_beside_each_repository(
    signed: Path, key: Key, family: str, target: str
) -> None:
    directory = signed / family / target / "x86_64"
    published = (directory / "repodata/repomd.xml.key").read_bytes()
    assert published.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert (
        key.fingerprint in _gpg(key.home, "--with-colons", "--show-keys", data=published).decode()
    )
    entry = _entry(signed, target)
    assert entry["repo_file"] == f"{family}/{target}/x86_64/repogen-{target}-x86_64.repo"
    text = (signed / entry["repo_file"]).read_text()
    baseurl = directory.as_uri()
    assert f"baseurl={baseurl}\n" in text
    assert "gpgcheck=1\n" in text
    assert "repo_gpgcheck=1\n" in text
    assert f"gpgkey={baseurl}/repodata/repomd.xml.key\n" in text
    assert entry["client"] == baseurl  # the keys that were there stay


def test_an_unsigned_build_says_so_in_its_client_files(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    out = tmp_path / "out"
    repositories = release_12_6.select(targets=["rhel9", "ubuntu2204"], arches=["x86_64", "amd64"])
    build(release_12_6, out, repositories, BuildOptions(EPOCH, packages=False))
    text = (out / _entry(out, "rhel9")["repo_file"]).read_text()
    assert "gpgcheck=0\n" in text
    assert "repo_gpgcheck=0\n" in text
    assert "gpgkey" not in text
    assert not list(out.rglob("repomd.xml.key"))
    deb = _entry(out, "ubuntu2204")
    assert "Trusted: yes" in (out / deb["repo_file"]).read_text()
    assert "[arch=amd64 trusted=yes]" in (out / deb["list_file"]).read_text()


def test_base_url_is_where_the_client_files_point(
    tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "build",
            str(RELEASES / "cuda-12.6.yaml"),
            "-o",
            str(out),
            "--no-packages",
            "--target",
            "rhel9",
            "--target",
            "ubuntu2204",
            "--arch",
            "x86_64",
            "--arch",
            "amd64",
            "--base-url",
            "https://repo.example.com/cuda/",
        ],
    )
    assert result.exit_code == 0, result.output
    repo = (out / _entry(out, "rhel9")["repo_file"]).read_text()
    assert "baseurl=https://repo.example.com/cuda/rpm/rhel9/x86_64\n" in repo
    deb = _entry(out, "ubuntu2204")
    assert (
        "URIs: https://repo.example.com/cuda/deb/ubuntu2204\n"
        in (out / deb["repo_file"]).read_text()
    )
    listed = (out / deb["list_file"]).read_text()
    assert (
        listed
        == "deb [arch=amd64 trusted=yes] https://repo.example.com/cuda/deb/ubuntu2204 jammy main\n"
    )


def test_a_base_url_that_is_not_one_is_a_usage_error(tmp_path: Path) -> None:
    arguments = ["build", str(RELEASES / "cuda-12.6.yaml"), "-o", str(tmp_path / "out")]
    result = runner.invoke(app, [*arguments, "--base-url", "https://x.example/\nenabled=0"])
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()


# -- dnf ----------------------------------------------------------------------------------------


def _dnf(work: Path, repo_file: Path, key_file: Path) -> list[str]:
    """dnf with gpgcheck=1 and repo_gpgcheck=1, the build's .repo file as its only
    repository, and the key imported into the sandbox's own rpmdb; the command prefix."""
    sandbox = SandboxRoot(work)
    sandbox.prepare()
    (work / "repos.d").mkdir()
    shutil.copy(repo_file, work / "repos.d")
    (work / "dnf.conf").write_text(
        "[main]\ngpgcheck=1\nrepo_gpgcheck=1\nbest=True\nplugins=0\n"
        "skip_if_unavailable=False\nmetadata_expire=0\nmodule_platform_id=platform:el9\n"
    )
    rpm = ["rpm", "--root", str(sandbox.root), "--dbpath", DBPATH]
    subprocess.run([*rpm, "--initdb"], env=sandbox.environment(), check=True)
    subprocess.run([*rpm, "--import", str(key_file)], env=sandbox.environment(), check=True)
    return [
        "dnf",
        "-c",
        str(work / "dnf.conf"),
        f"--installroot={sandbox.root}",
        f"--setopt=reposdir={work / 'repos.d'}",
        "--releasever=9",
        "--noplugins",
        "-y",
    ]


def _run_dnf(work: Path, prefix: list[str], *arguments: str) -> subprocess.CompletedProcess[str]:
    env = SandboxRoot(work).environment(DNF_DISABLE_ALIASES="1")
    return subprocess.run(
        [*prefix, *arguments], env=env, capture_output=True, text=True, check=False
    )


#: A package of the rhel9 repository without dependencies beyond it.
DOWNLOADABLE = "cuda-libraries-devel-12-6"


def _download(work: Path, prefix: list[str], into: Path) -> subprocess.CompletedProcess[str]:
    """dnf downloading DOWNLOADABLE and what it needs into *into*: --downloadonly still
    checks every package's signature first (dnf's gpgsigcheck)."""
    return _run_dnf(work, prefix, "--downloadonly", f"--destdir={into}", "install", DOWNLOADABLE)


def test_dnf_checks_signatures_resolves_and_downloads(signed: Path, tmp_path: Path) -> None:
    directory = signed / "rpm/rhel9/x86_64"
    prefix = _dnf(
        tmp_path,
        signed / _entry(signed, "rhel9")["repo_file"],
        directory / "repodata/repomd.xml.key",
    )
    fetched = tmp_path / "downloaded"
    result = _download(tmp_path, prefix, fetched)
    assert result.returncode == 0, result.stdout + result.stderr
    names = sorted(path.name for path in fetched.glob("*.rpm"))
    assert names == [
        "cuda-libraries-12-6-12.6.0-1.x86_64.rpm",
        "cuda-libraries-devel-12-6-12.6.0-1.x86_64.rpm",
    ]


def test_dnf_rejects_a_tampered_package(signed: Path, tmp_path: Path) -> None:
    out = _tampered_copy(signed, tmp_path)
    package = out / "rpm/rhel9/x86_64/Packages/cuda-libraries-12-6-12.6.0-1.x86_64.rpm"
    data = bytearray(package.read_bytes())
    data[-5] ^= 1
    package.write_bytes(bytes(data))
    prefix = _dnf(
        tmp_path / "dnf",
        out / _entry(out, "rhel9")["repo_file"],
        out / "rpm/rhel9/x86_64/repodata/repomd.xml.key",
    )
    result = _download(tmp_path / "dnf", prefix, tmp_path / "d")
    assert result.returncode == 1
    assert "incorrect checksum" in result.stderr + result.stdout


def test_dnf_rejects_an_unsigned_package_even_with_matching_metadata(
    signed: Path, tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    """gpgcheck=1 on its own: a repository rebuilt unsigned is refused package by package."""
    out = tmp_path / "unsigned"
    repositories = release_12_6.select(targets=["rhel9"], arches=["x86_64"])
    build(release_12_6, out, repositories, BuildOptions(EPOCH))
    repo_file = tmp_path / "signed.repo"
    text = (signed / _entry(signed, "rhel9")["repo_file"]).read_text()
    moved = f"baseurl={(out / 'rpm/rhel9/x86_64').as_uri()}\n"
    text = text.replace(f"baseurl={(signed / 'rpm/rhel9/x86_64').as_uri()}\n", moved)
    repo_file.write_text(text.replace("repo_gpgcheck=1", "repo_gpgcheck=0"))
    assert moved in repo_file.read_text()
    prefix = _dnf(tmp_path / "dnf", repo_file, signed / "rpm/rhel9/x86_64/repodata/repomd.xml.key")
    result = _download(tmp_path / "dnf", prefix, tmp_path / "d")
    assert result.returncode == 1
    assert "is not signed" in result.stdout + result.stderr


def test_dnf_rejects_a_tampered_repomd(signed: Path, tmp_path: Path) -> None:
    out = _tampered_copy(signed, tmp_path)
    repomd = out / "rpm/rhel9/x86_64/repodata/repomd.xml"
    repomd.write_text(repomd.read_text().replace("<revision>", "<revision>1", 1))
    prefix = _dnf(
        tmp_path / "dnf",
        out / _entry(out, "rhel9")["repo_file"],
        out / "rpm/rhel9/x86_64/repodata/repomd.xml.key",
    )
    result = _run_dnf(tmp_path / "dnf", prefix, "install", "--assumeno", DOWNLOADABLE)
    assert "repomd.xml GPG signature verification error" in result.stderr


# -- zypper -------------------------------------------------------------------------------------


def _zypper(work: Path, repo_file: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    sandbox = SandboxRoot(work)
    sandbox.prepare()
    (work / "zypper.conf").touch()
    (work / "zypp.conf").touch()
    env = sandbox.environment(
        ZYPP_CONF=str(work / "zypp.conf"), ZYPP_LOGFILE=str(work / "zypper.log")
    )
    zypper = [
        "zypper",
        "-c",
        str(work / "zypper.conf"),
        "--root",
        str(sandbox.root),
        "--non-interactive",
        "--gpg-auto-import-keys",
    ]
    added = subprocess.run(
        [*zypper, "addrepo", str(repo_file)], env=env, capture_output=True, text=True, check=False
    )
    assert added.returncode == 0, added.stderr
    return subprocess.run(
        [*zypper, *arguments], env=env, capture_output=True, text=True, check=False
    )


def test_zypper_imports_the_published_key_and_refreshes(
    signed: Path, tmp_path: Path, key: Key
) -> None:
    result = _zypper(tmp_path, signed / _entry(signed, "sles15")["repo_file"], "refresh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Automatically importing the following key" in result.stdout
    assert key.fingerprint[-8:] in result.stdout.replace(" ", "")
    assert "All repositories have been refreshed" in result.stdout


def test_zypper_rejects_tampered_metadata(signed: Path, tmp_path: Path) -> None:
    out = _tampered_copy(signed, tmp_path)
    repomd = out / "suse/sles15/x86_64/repodata/repomd.xml"
    repomd.write_text(repomd.read_text().replace("<revision>", "<revision>1", 1))
    result = _zypper(tmp_path / "zypper", out / _entry(out, "sles15")["repo_file"], "refresh")
    assert result.returncode != 0
    assert "Signature verification failed for file 'repomd.xml'" in result.stdout + result.stderr


# -- apt ----------------------------------------------------------------------------------------


def test_apt_verifies_the_repository_through_its_sources_file(
    signed: Path, tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    """The deb822 file carries its key inline: dropped into sources.list.d, it is enough."""
    entry = _entry(signed, "ubuntu2204")
    repository = repository_of(release_12_6, "ubuntu2204", "amd64")
    base = write_base_stub(repository, tmp_path / "base")
    sandbox = AptSandbox.create(tmp_path / "apt", "amd64", [base])
    parts = sandbox.root / "etc/apt/sources.list.d"
    parts.mkdir()
    shutil.copy(signed / entry["repo_file"], parts)
    with (sandbox.root / "apt.conf").open("a") as conf:
        conf.write(f'Dir::Etc::sourceparts "{parts}/";\n')
    assert sandbox.update() == ()
    assert sandbox.install(["cuda-toolkit-12-6"]).ok
    listed = (signed / entry["list_file"]).read_text()
    assert listed.startswith(
        f"deb [arch=amd64 signed-by={signed}/deb/ubuntu2204/archive-keyring.gpg] "
    )


def test_apt_refuses_the_sources_file_with_another_key(
    signed: Path, tmp_path: Path, release_12_6: ReleaseModel
) -> None:
    other = _make_key("someone else <else@repogen.invalid>")
    try:
        armored = _gpg(other.home, "--armor", "--export", other.fingerprint).decode()
    finally:
        _drop(other)
    text = (signed / _entry(signed, "ubuntu2204")["repo_file"]).read_text()
    head = text.split("Signed-By:")[0]
    lines = [f" {line}" if line.strip() else " ." for line in armored.strip().splitlines()]
    repository = repository_of(release_12_6, "ubuntu2204", "amd64")
    sandbox = AptSandbox.create(
        tmp_path / "apt", "amd64", [write_base_stub(repository, tmp_path / "base")]
    )
    parts = sandbox.root / "etc/apt/sources.list.d"
    parts.mkdir()
    (parts / "other.sources").write_text(head + "Signed-By:\n" + "\n".join(lines) + "\n")
    with (sandbox.root / "apt.conf").open("a") as conf:
        conf.write(f'Dir::Etc::sourceparts "{parts}/";\n')
    with pytest.raises(AptError, match=r"NO_PUBKEY|not signed|signature"):
        sandbox.update()


# -- the key, checked before anything is built --------------------------------------------------


@pytest.fixture(scope="session")
def expired() -> Iterator[Key]:
    made = _make_key("expired <old@repogen.invalid>", "--faked-system-time", "20200101T000000!")
    yield made
    _drop(made)


@pytest.fixture(scope="session")
def public_only(key: Key) -> Iterator[Key]:
    """A GNUPGHOME that has the key's public part only."""
    home = Path(tempfile.mkdtemp(prefix="gpg-"))
    home.chmod(0o700)
    _gpg(home, "--import", data=_gpg(key.home, "--export", key.fingerprint))
    made = Key(home, key.fingerprint)
    yield made
    _drop(made)


def _refused(tmp_path: Path, sign_key: str, gpg_home: Path, message: str) -> None:
    """``build`` with this key exits 2 with one line naming *message*, and neither an
    absent nor an existing output directory is touched."""
    previous = tmp_path / "previous"
    assert (
        runner.invoke(
            app,
            [
                "build",
                str(RELEASES / "cuda-12.6.yaml"),
                "-o",
                str(previous),
                "--no-packages",
                "--target",
                "rhel9",
            ],
        ).exit_code
        == 0
    )
    before = {p: p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    for out in (tmp_path / "absent", previous):
        result = runner.invoke(
            app,
            [
                "build",
                str(RELEASES / "cuda-12.6.yaml"),
                "-o",
                str(out),
                "--target",
                "rhel9",
                "--sign-key",
                sign_key,
                "--gpg-home",
                str(gpg_home),
            ],
        )
        assert result.exit_code == 2, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1, result.output
        assert message in lines[0], result.output
    assert not (tmp_path / "absent").exists()
    assert {p: p.read_bytes() for p in previous.rglob("*") if p.is_file()} == before


def test_an_unknown_key_is_refused_before_the_build(tmp_path: Path, key: Key) -> None:
    _refused(tmp_path, "nobody@repogen.invalid", key.home, "has no secret key")


def test_an_expired_key_is_refused_before_the_build(tmp_path: Path, expired: Key) -> None:
    _refused(tmp_path, expired.fingerprint, expired.home, "has expired")


def test_a_key_without_its_secret_part_is_refused_before_the_build(
    tmp_path: Path, public_only: Key
) -> None:
    _refused(tmp_path, public_only.fingerprint, public_only.home, "has no secret key")
