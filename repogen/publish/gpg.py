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
