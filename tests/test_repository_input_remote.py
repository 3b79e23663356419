"""Published repositories over http:// and https:// (issue 22): a server on the loopback
interface serves a build; only the indices are downloaded, checked against Release /
repomd.xml and cached by their digests under $XDG_CACHE_HOME."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.cli import app
from repogen.model import ReleaseModel

from .test_repository_input import ASSERTIONS, Key, _build, keys, signed

__all__ = ["keys", "signed"]  # fixtures shared with the on-disk tests

runner = CliRunner()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a directory and records the paths asked for."""

    asked: list[str]

    def do_GET(self) -> None:
        self.asked.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


class Server:
    def __init__(self, root: Path, context: ssl.SSLContext | None = None) -> None:
        self.asked: list[str] = []
        handler = type("Handler", (_Handler,), {"asked": self.asked})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
        )
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if context else "http"
        self.url = f"{scheme}://localhost:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel
) -> Iterator[tuple[Path, Server]]:
    tree = _build(release_12_6, tmp_path_factory.mktemp("served") / "mirror")
    server = Server(tree)
    yield tree, server
    server.stop()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "repogen" / "indices"


def _indices(asked: list[str]) -> list[str]:
    return [p for p in asked if "/binary-" in p or "primary" in p or "modules" in p]


def test_check_over_http_downloads_indices_once(
    served: tuple[Path, Server], cache: Path, tmp_path: Path
) -> None:
    _, server = served
    checks = tmp_path / "published.yaml"
    checks.write_text(ASSERTIONS)
    report = tmp_path / "report.xml"
    server.asked.clear()
    done = runner.invoke(app, ["check", server.url, str(checks), "--junit", str(report)])
    assert done.exit_code == 0, done.output
    assert "2 passed, 0 failed" in done.output
    assert report.read_text().count("<testcase") == 2
    first = _indices(server.asked)
    # One form of each Packages index (amd64), primary and modules (x86_64): no package.
    assert sorted(p.rsplit("/", 1)[-1].split("-")[-1] for p in first) == [
        "Packages.xz",
        "modules.yaml.gz",
        "primary.xml.gz",
    ]
    assert not [p for p in server.asked if p.endswith((".deb", ".rpm"))]
    assert len(list(cache.rglob("*"))) > 0
    server.asked.clear()
    again = runner.invoke(app, ["check", server.url, str(checks)])
    assert again.exit_code == 0, again.output
    assert _indices(server.asked) == []  # from the cache, by digest
    assert "/manifest.json" in server.asked  # what names the indices is always fresh


def test_remote_and_local_read_the_same(served: tuple[Path, Server], cache: Path) -> None:
    tree, server = served
    done = runner.invoke(app, ["diff", str(tree), server.url, "--exit-code"])
    assert done.exit_code == 0, done.output
    bare = runner.invoke(
        app,
        ["diff", str(tree / "rpm/rhel9/x86_64"), f"{server.url}rpm/rhel9/x86_64/", "--exit-code"],
    )
    assert bare.exit_code == 0, bare.output
    apt = runner.invoke(
        app,
        ["resolve", "--target", "ubuntu2204", f"{server.url}deb/ubuntu2204/dists/jammy",
         "--", "apt-get", "install", "cuda"],
    )  # fmt: skip
    assert apt.exit_code == 0, apt.output


def test_a_mirror_serving_another_index_is_refused(
    served: tuple[Path, Server], cache: Path, tmp_path: Path
) -> None:
    tree, _ = served
    mirror = Path(shutil.copytree(tree, tmp_path / "evil"))
    binary = mirror / "deb/ubuntu2204/dists/jammy/main/binary-amd64"
    packages = binary / "Packages"
    subprocess.run(["xz", "-kf", str(packages)], check=True)
    packages.write_text(packages.read_text() + "\nPackage: injected\nVersion: 1\n")
    subprocess.run(["xz", "-f", str(packages)], check=True)
    server = Server(mirror)
    try:
        done = runner.invoke(app, ["diff", str(tree), server.url])
    finally:
        server.stop()
    assert done.exit_code == 2, done.output
    assert "Packages.xz: SHA" in done.output
    assert "does not match" in done.output
    assert "injected" not in done.output
    # What did not match was not kept: every cached file has the digest it is named by.
    for cached in (p for p in cache.rglob("*") if p.is_file()):
        assert hashlib.new(cached.parent.name, cached.read_bytes()).hexdigest() == cached.name


def test_unreachable_and_missing_say_so(cache: Path, tmp_path: Path) -> None:
    empty = Server(tmp_path)
    try:
        missing = runner.invoke(app, ["graph", "--target", "x", empty.url])
    finally:
        empty.stop()
    assert missing.exit_code == 2
    assert "neither a repogen output" in missing.output
    closed = runner.invoke(app, ["graph", "--target", "x", empty.url])
    assert closed.exit_code == 2
    assert "cannot be downloaded" in closed.output


def test_keyring_over_http(
    signed: Path, keys: tuple[Key, Key], cache: Path, tmp_path: Path
) -> None:
    server = Server(signed)
    try:
        good = keys[0].keyring(tmp_path / "good.gpg")
        other = keys[1].keyring(tmp_path / "other.gpg")
        request = ["--", "dnf", "install", "cuda"]
        ok = runner.invoke(
            app, ["resolve", "--target", "rhel9", server.url, "--keyring", str(good), *request]
        )
        refused = runner.invoke(
            app, ["resolve", "--target", "rhel9", server.url, "--keyring", str(other), *request]
        )
    finally:
        server.stop()
    assert ok.exit_code == 0, ok.output
    assert refused.exit_code == 2
    assert "signature does not verify" in refused.output
    # Files are named by their URL, not by their downloaded copies.
    assert f"error: {server.url}" in refused.output
    assert "repogen-remote-" not in refused.output


class _Redirecting(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "ftp://127.0.0.1/passwd")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_redirect_out_of_http_is_refused(cache: Path) -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/repo/"
        done = runner.invoke(app, ["graph", "--target", "x", url])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert done.exit_code == 2
    assert "redirected to ftp://127.0.0.1/passwd, not http(s)" in done.output


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test's certificate")
def test_https_with_a_trusted_self_signed_certificate(
    served: tuple[Path, Server], cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, _ = served
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Server(tree, context)
    try:
        untrusted = runner.invoke(app, ["graph", "--target", "rhel9", server.url])
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = runner.invoke(app, ["graph", "--target", "rhel9", server.url])
    finally:
        server.stop()
    assert untrusted.exit_code == 2
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.output
    assert trusted.exit_code == 0, trusted.output
    assert trusted.output.startswith("digraph")
