"""Published repositories as the input of check, resolve, graph, recommend and diff (issue 22):
a build output, a bare APT repository or rpm-md tree; indices checked against the hashes of
Release / repomd.xml, signatures verified by the real gpgv with --keyring."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from repogen.build import build, source_date_epoch
from repogen.cli import app
from repogen.families.deb.client import AptSandbox
from repogen.index import MetadataError, load_tree
from repogen.model import ReleaseModel
from repogen.publish.base import BuildOptions
from tests.third_party import ftparchive_suite, rpm_module_tree

runner = CliRunner()
TARGETS = ("ubuntu2204", "rhel9")

ASSERTIONS = """\
assertions:
  - id: cuda-installs
    description: cuda installs, with the toolkit of the release.
    targets: {drivers: true}
    request: "{install} cuda"
    expect:
      includes: ["cuda-toolkit-{cuda_dash}"]
"""


def _build(release: ReleaseModel, out: Path, **options: object) -> Path:
    repositories = release.select(targets=TARGETS, arches=["x86_64", "amd64"])
    build(
        release,
        out,
        repositories,
        BuildOptions(source_date_epoch(release), packages=False, **options),  # type: ignore[arg-type]
    )
    return out


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    return _build(release_12_6, tmp_path_factory.mktemp("input") / "out")


@pytest.fixture
def assertions(tmp_path: Path) -> Path:
    path = tmp_path / "checks" / "published.yaml"
    path.parent.mkdir()
    path.write_text(ASSERTIONS)
    return path


def _copy(tree: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tree, tmp_path / "copy"))


# -- 1. repositories as input -----------------------------------------------------------------


def test_check_runs_assertions_over_a_build_output(
    tree: Path, assertions: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.xml"
    done = runner.invoke(app, ["check", str(tree), str(assertions), "--junit", str(report)])
    assert done.exit_code == 0, done.output
    assert "2 passed, 0 failed" in done.output
    suite = ElementTree.parse(report).getroot()
    cases = suite.findall(".//testcase")
    assert len(cases) == 2
    assert {c.get("classname") for c in cases} == {"cuda-installs"}
    assert {c.get("name") for c in cases} == {
        "ubuntu2204/amd64: apt-get install cuda",
        "rhel9/x86_64: dnf install cuda",
    }


def test_check_with_nothing_to_run_is_an_error(tree: Path) -> None:
    done = runner.invoke(app, ["check", str(tree)])
    assert done.exit_code == 2
    assert "no assertions to run" in done.output


def test_an_assertion_that_matches_no_target_is_an_error(tree: Path, tmp_path: Path) -> None:
    checks = tmp_path / "sles.yaml"
    checks.write_text(ASSERTIONS.replace("{drivers: true}", "{family: suse}"))
    done = runner.invoke(app, ["check", str(tree), str(checks)])
    assert done.exit_code == 2, done.output
    assert re.search(
        r"sles\.yaml:\d+:\d+: assertions\[0\]\.targets: .*matches no target", done.output
    )
    # The bundled model too: an assertion for a target it lacks is refused.
    bundled = runner.invoke(app, ["check", "--target", "x", str(checks)])
    assert bundled.exit_code == 2


def test_diff_with_an_empty_assertion_directory_is_an_error(tree: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-checks"
    empty.mkdir()
    done = runner.invoke(app, ["diff", str(tree), str(tree), "--assertions", str(empty)])
    assert done.exit_code == 2
    assert "no assertion files in" in done.output


def test_a_bare_apt_repository_is_named_by_target(
    tree: Path, assertions: Path, tmp_path: Path
) -> None:
    bare = shutil.copytree(tree / "deb/ubuntu2204", tmp_path / "mirror")
    named = assertions.parent / "named.yaml"
    named.write_text(ASSERTIONS.replace("{drivers: true}", "{target: ubuntu2204}"))
    done = runner.invoke(app, ["check", str(bare), str(named), "--target", "ubuntu2204"])
    assert done.exit_code == 0, done.output
    assert "1 passed, 0 failed" in done.output
    # Unnamed, the target is the directory's name, and the assertion matches nothing.
    unnamed = runner.invoke(app, ["check", str(bare), str(named)])
    assert unnamed.exit_code == 2


def test_resolve_graph_and_recommend_read_repositories(tree: Path, tmp_path: Path) -> None:
    resolved = runner.invoke(
        app, ["resolve", "--target", "rhel9", str(tree), "--", "dnf", "install", "cuda"]
    )
    assert resolved.exit_code == 0, resolved.output
    assert "cuda-toolkit-12-6" in resolved.output
    drawn = runner.invoke(app, ["graph", "--target", "ubuntu2204", str(tree / "deb/ubuntu2204")])
    assert drawn.exit_code == 0, drawn.output
    assert drawn.output.startswith("digraph")
    assert '"cuda"' in drawn.output
    recommended = runner.invoke(
        app, ["recommend", str(tree), "--target", "ubuntu2204", "--gpu", "0x2204", "--verify"]
    )
    assert recommended.exit_code == 0, recommended.output
    assert "Verified:" in recommended.output


# -- 3. hashes and signatures -----------------------------------------------------------------


def _inject(packages: Path) -> None:
    """A package added to an index after its Release was written (a compromised mirror)."""
    packages.write_text(
        packages.read_text() + "\nPackage: injected\nVersion: 1\nArchitecture: amd64\n"
    )


def test_an_index_that_does_not_match_release_is_refused(tree: Path, tmp_path: Path) -> None:
    copy = _copy(tree, tmp_path)
    binary = copy / "deb/ubuntu2204/dists/jammy/main/binary-amd64"
    for name in ("Packages.gz", "Packages.xz"):
        (binary / name).unlink(missing_ok=True)
    _inject(binary / "Packages")
    done = runner.invoke(app, ["diff", str(tree), str(copy)])
    assert done.exit_code == 2, done.output
    assert "Packages: SHA" in done.output
    assert "does not match" in done.output
    assert "injected" not in done.output


def test_an_index_the_release_does_not_list_is_refused(tree: Path, tmp_path: Path) -> None:
    copy = _copy(tree, tmp_path)
    suite = copy / "deb/ubuntu2204/dists/jammy"
    binary = suite / "main/binary-amd64"
    # A form the Release does not list is checked against the content of the form it does.
    content = (binary / "Packages").read_bytes()
    for name in ("Packages", "Packages.gz", "Packages.xz"):
        (binary / name).unlink(missing_ok=True)
    (binary / "Packages.bz2").write_bytes(bz2.compress(content + b"\nPackage: injected\n"))
    with pytest.raises(MetadataError, match=r"Packages\.bz2: .* does not match"):
        load_tree(copy)
    (binary / "Packages.bz2").write_bytes(bz2.compress(content))
    assert load_tree(copy).repositories
    # An index whose every form is missing from the Release (which lists others) is refused.
    (suite / "InRelease").unlink(missing_ok=True)
    release = suite / "Release"
    release.write_text(release.read_text().replace("main/binary-amd64/", "main/binary-i386/"))
    with pytest.raises(MetadataError, match="not listed in"):
        load_tree(copy)


def test_a_primary_that_does_not_match_repomd_is_refused(tree: Path, tmp_path: Path) -> None:
    copy = _copy(tree, tmp_path)
    repodata = copy / "rpm/rhel9/x86_64/repodata"
    (primary,) = repodata.glob("*primary.xml*")
    text = gzip.decompress(primary.read_bytes()) if primary.suffix == ".gz" else None
    assert text is not None, primary
    primary.write_bytes(gzip.compress(text.replace(b"cuda-toolkit", b"cuda-tooIkit")))
    with pytest.raises(MetadataError, match=r"primary\.xml\.gz: sha256 .* does not match"):
        load_tree(copy)


class Key:
    def __init__(self, uid: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="gpg-"))
        self.home.chmod(0o700)
        self.gpg(
            "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", uid,
            "ed25519", "sign", "never",
        )  # fmt: skip
        listing = self.gpg("--with-colons", "--list-keys").decode()
        self.fingerprint = next(
            line.split(":")[9] for line in listing.splitlines() if line[:4] == "fpr:"
        )

    def gpg(self, *arguments: str) -> bytes:
        return subprocess.run(
            ["gpg", "--batch", "--homedir", str(self.home), *arguments],
            capture_output=True,
            check=True,
        ).stdout

    def keyring(self, path: Path, armor: bool = False) -> Path:
        path.write_bytes(self.gpg(*(["--armor"] if armor else []), "--export", self.fingerprint))
        return path

    def drop(self) -> None:
        subprocess.run(["gpgconf", "--homedir", str(self.home), "--kill", "all"], check=False)
        shutil.rmtree(self.home, ignore_errors=True)


@pytest.fixture(scope="module")
def keys() -> Iterator[tuple[Key, Key]]:
    made = (Key("signer <sign@repogen.invalid>"), Key("other <other@repogen.invalid>"))
    yield made
    for key in made:
        key.drop()


@pytest.fixture(scope="module")
def signed(
    tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel, keys: tuple[Key, Key]
) -> Path:
    signer = keys[0]
    out = tmp_path_factory.mktemp("signed") / "out"
    return _build(release_12_6, out, sign_key=signer.fingerprint, gpg_home=signer.home)


@pytest.mark.skipif(shutil.which("gpgv") is None, reason="gpgv is not installed")
def test_keyring_accepts_what_its_key_signed(
    signed: Path, keys: tuple[Key, Key], assertions: Path, tmp_path: Path
) -> None:
    for armor in (False, True):
        keyring = keys[0].keyring(tmp_path / f"signer-{armor}.gpg", armor)
        done = runner.invoke(
            app, ["check", str(signed), str(assertions), "--keyring", str(keyring)]
        )
        assert done.exit_code == 0, done.output


@pytest.mark.skipif(shutil.which("gpgv") is None, reason="gpgv is not installed")
def test_keyring_refuses_another_key_a_tampered_release_and_no_signature(
    signed: Path, tree: Path, keys: tuple[Key, Key], tmp_path: Path
) -> None:
    other = keys[1].keyring(tmp_path / "other.gpg")
    mine = keys[0].keyring(tmp_path / "signer.gpg")
    request = ["--", "dnf", "install", "cuda"]
    done = runner.invoke(
        app, ["resolve", "--target", "rhel9", str(signed), "--keyring", str(other), *request]
    )
    assert done.exit_code == 2
    assert "signature does not verify with" in done.output
    # Unsigned repositories are refused when a keyring is given.
    unsigned = runner.invoke(app, ["graph", "--target", "rhel9", str(tree), "--keyring", str(mine)])
    assert unsigned.exit_code == 2
    assert "not signed" in unsigned.output
    # A Release whose signed text was changed (an index hash swapped) does not verify.
    copy = Path(shutil.copytree(signed, tmp_path / "tampered"))
    suite = copy / "deb/ubuntu2204/dists/jammy"
    inrelease = suite / "InRelease"
    inrelease.write_text(inrelease.read_text().replace("Label:", "Label: evil", 1))
    (suite / "Release.gpg").unlink(missing_ok=True)
    with pytest.raises(MetadataError, match="InRelease: signature does not verify"):
        load_tree(copy, keyring=mine)
    # repomd.xml changed after signing.
    copy2 = Path(shutil.copytree(signed, tmp_path / "tampered-rpm"))
    repomd = copy2 / "rpm/rhel9/x86_64/repodata/repomd.xml"
    repomd.write_text(repomd.read_text().replace("<revision>", "<revision>1", 1))
    with pytest.raises(MetadataError, match=r"repomd\.xml: signature does not verify"):
        load_tree(copy2, keyring=mine)


# -- 4. real-world index quirks ---------------------------------------------------------------


def _release_for(suite: Path, architectures: str, components: str) -> None:
    """A Release file listing every index under *suite* by SHA256, as apt-ftparchive would."""
    lines = []
    for index in sorted(p for p in suite.rglob("Packages*") if p.is_file()):
        data = index.read_bytes()
        name = index.relative_to(suite).as_posix()
        lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data)} {name}")
    (suite / "Release").write_text(
        f"Origin: third\nLabel: third\nSuite: stable\nArchitectures: {architectures}\n"
        f"Components: {components}\nSHA256:\n" + "\n".join(lines) + "\n"
    )


def test_third_party_apt_quirks(tmp_path: Path) -> None:
    """Latin-1 bytes, two components, two architectures in one Release, indices only
    compressed."""
    suite = tmp_path / "third/dists/stable"
    latin1 = (
        b"Package: driver\nVersion: 1.0\nArchitecture: amd64\n"
        b"Maintainer: Jos\xe9 M\xfcller <j@example.org>\nDepends: helper\n"
        b"Description: pilote caf\xe9\n r\xe9sum\xe9\n"
    )
    helper = b"Package: helper\nVersion: 2.0\nArchitecture: all\nDescription: helper\n"
    for arch in ("amd64", "arm64"):
        main = suite / f"main/binary-{arch}"
        extra = suite / f"contrib/binary-{arch}"
        main.mkdir(parents=True)
        extra.mkdir(parents=True)
        body = latin1.replace(b"amd64", arch.encode())
        (main / "Packages.xz").write_bytes(lzma.compress(body))
        (extra / "Packages.gz").write_bytes(gzip.compress(helper))
    _release_for(suite, "amd64 arm64", "main contrib")
    release = load_tree(tmp_path / "third", "thirdparty")
    assert {(r.target_name, r.arch) for r in release.repositories} == {
        ("thirdparty", "amd64"),
        ("thirdparty", "arm64"),
    }
    for repository in release.repositories:
        driver = repository.package("driver")
        assert driver is not None
        assert repository.package("helper") is not None
        assert (driver.summary, driver.description) == ("pilote café", "résumé")
    done = runner.invoke(
        app, ["resolve", "--target", "thirdparty", "--arch", "arm64", str(tmp_path / "third"),
              "--", "apt-get", "install", "driver"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "helper 2.0" in done.output


@pytest.mark.skipif(
    shutil.which("apt-ftparchive") is None or shutil.which("apt-get") is None,
    reason="apt-utils (apt-ftparchive) and apt make the repository and answer for apt",
)
def test_an_apt_ftparchive_repository_resolves_as_apt_resolves_it(tmp_path: Path) -> None:
    root = tmp_path / "third"
    ftparchive_suite(root)
    release = load_tree(root, "thirdparty")
    assert {r.arch for r in release.repositories} == {"amd64", "arm64"}
    for arch in ("amd64", "arm64"):
        sandbox = AptSandbox.create(
            tmp_path / f"apt-{arch}", arch, [f"deb [trusted=yes] file:{root} stable main contrib"]
        )
        assert sandbox.update() == ()
        apt = sandbox.install(["driver"])
        done = runner.invoke(
            app,
            ["resolve", "--target", "thirdparty", "--arch", arch, str(root), "--json",
             "--", "apt-get", "install", "driver"],
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        ours = json.loads(done.output)
        assert apt.ok
        assert sorted(r.name for r in apt.install) == ["driver", "helper"]
        assert sorted(p["name"] for p in ours["install"]) == ["driver", "helper"]


@pytest.mark.skipif(
    any(shutil.which(t) is None for t in ("rpmbuild", "createrepo_c", "modifyrepo_c")),
    reason="rpmbuild, createrepo_c and modifyrepo_c make the repository",
)
def test_an_rpmmd_tree_with_several_module_documents_per_module(tmp_path: Path) -> None:
    """rpmbuild + createrepo_c + modifyrepo_c: one module in four documents (two builds of a
    stream, another stream, the defaults), as repositories made without repogen hold it."""
    tree = rpm_module_tree(tmp_path)
    (repository,) = load_tree(tree, "el9").repositories
    (module,) = repository.modules
    assert module.default_stream == "latest-dkms"
    streams = {s.name: s for s in module.streams}
    assert set(streams) == {"560-dkms", "latest-dkms"}
    assert [b.version for b in streams["560-dkms"].builds] == [1, 2]
    assert (streams["560-dkms"].entry, streams["latest-dkms"].entry) == ("branch", "latest")
    done = runner.invoke(
        app,
        ["resolve", "--target", "el9", str(tree), "--", "dnf", "module", "install",
         "nvidia-driver:560-dkms"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "kmod-nvidia-560-dkms 560.2-1" in done.output
