"""Signing with gpg: clearsigned and detached signatures, and the public key to verify them.

Everything goes through stdin/stdout; only the public key is ever exported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from repogen.publish.base import BuildError

_SIGN = ("--pinentry-mode", "loopback", "--digest-algo", "SHA512")


def _gpg(arguments: list[str], data: bytes, gpg_home: Path | None) -> bytes:
    gpg = shutil.which("gpg")
    if gpg is None:
        raise BuildError("gpg is not installed; install it with `apt-get install gnupg`")
    env = dict(os.environ)
    if gpg_home is not None:
        env["GNUPGHOME"] = str(gpg_home)
    result = subprocess.run(
        [gpg, "--batch", "--yes", *arguments], input=data, env=env, capture_output=True, check=False
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BuildError(f"gpg {' '.join(arguments)} failed: {message}")
    return result.stdout


def clearsign(data: bytes, key: str, gpg_home: Path | None) -> bytes:
    """*data* clearsigned by *key* (``InRelease``)."""
    return _gpg([*_SIGN, "--local-user", key, "--clearsign"], data, gpg_home)


def detach_sign(data: bytes, key: str, gpg_home: Path | None) -> bytes:
    """An armored detached signature of *data* by *key* (``Release.gpg``)."""
    return _gpg([*_SIGN, "--local-user", key, "--armor", "--detach-sign"], data, gpg_home)


def public_key(key: str, gpg_home: Path | None) -> bytes:
    """*key*'s public key as a binary keyring, for apt's ``signed-by``."""
    exported = _gpg(["--export-options", "export-minimal", "--export", key], b"", gpg_home)
    if not exported:
        raise BuildError(f"gpg has no public key {key!r} to export")
    return exported


def armored_public_key(key: str, gpg_home: Path | None) -> bytes:
    """*key*'s public key, ASCII-armored: ``repomd.xml.key`` and ``gpgkey=`` for dnf and
    zypper, and the inline ``Signed-By`` of a deb822 ``.sources`` file."""
    exported = _gpg(
        ["--armor", "--export-options", "export-minimal", "--export", key], b"", gpg_home
    )
    if not exported:
        raise BuildError(f"gpg has no public key {key!r} to export")
    return exported


def check_signing_key(key: str, gpg_home: Path | None) -> None:
    """Refuse *key* unless gpg holds exactly one usable secret key for it and can sign with
    it: checked before a build starts, so that a wrong key costs nothing."""
    listing = _listing(key, gpg_home)
    primaries = [line.split(":") for line in listing.splitlines() if line.startswith("sec:")]
    if not primaries:
        raise BuildError(f"signing key {key!r}: gpg has no secret key for it")
    if len(primaries) > 1:
        raise BuildError(f"signing key {key!r}: names {len(primaries)} keys; give a fingerprint")
    # --with-colons: field 2 is the validity, field 12 the capabilities (gpg's DETAILS).
    validity, capabilities = primaries[0][1], primaries[0][11]
    if validity == "e":
        raise BuildError(f"signing key {key!r} has expired")
    if validity == "r":
        raise BuildError(f"signing key {key!r} is revoked")
    # The upper-case letters are the key's usable capabilities, subkeys included.
    if "S" not in capabilities:
        raise BuildError(f"signing key {key!r} has no usable key for signing")
    try:
        detach_sign(b"repogen signing check\n", key, gpg_home)
    except BuildError as exc:
        # The secret part may be a stub (moved to a card, exported without it): only an
        # actual signature tells.
        raise BuildError(f"signing key {key!r} cannot sign: {_last_line(str(exc))}") from exc


def _listing(key: str, gpg_home: Path | None) -> str:
    try:
        return _gpg(["--with-colons", "--list-secret-keys", key], b"", gpg_home).decode()
    except BuildError:
        # gpg exits 2 for a name it has no secret key for.
        return ""


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else text
