"""Verifying a repository's signature as apt and dnf do: with gpgv, against one keyring.

The keyring is what the user trusts (``--keyring``), as apt's ``Signed-By`` or a .repo file's
``gpgkey``: binary (``gpg --export``) or armored (``gpg --armor --export``, dearmored here,
since gpgv reads binary keyrings only).  gpgv runs with a home of its own, so no key the user
has imported elsewhere counts.  For a clearsigned file, what the reader parses is what gpgv
says was signed, never the file itself: text outside the signed part is not read.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from repogen.index.errors import MetadataError
from repogen.index.files import one_line


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MetadataError(f"--keyring needs {name}; install it with `apt-get install gpgv gnupg`")
    return found


def _binary_keyring(keyring: Path, work: Path) -> Path:
    """*keyring*, dearmored into *work* when it is armored."""
    data = keyring.read_bytes()
    if not data.lstrip().startswith(b"-----BEGIN PGP"):
        return keyring.absolute()
    dearmored = work / "keyring.gpg"
    done = subprocess.run(
        [_tool("gpg"), "--homedir", str(work), "--batch", "--dearmor"],
        input=data,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or not done.stdout:
        raise MetadataError(f"{keyring}: not an OpenPGP keyring: {one_line(done.stderr.decode())}")
    dearmored.write_bytes(done.stdout)
    return dearmored


def _gpgv(keyring: Path, arguments: list[str], work: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            _tool("gpgv"),
            "--homedir",
            str(work),
            "--keyring",
            str(_binary_keyring(keyring, work)),
            *arguments,
        ],
        capture_output=True,
        check=False,
    )


def _refused(shown: Path, done: subprocess.CompletedProcess[bytes], keyring: Path) -> MetadataError:
    said = one_line(done.stderr.decode(errors="replace"))
    return MetadataError(f"{shown}: signature does not verify with {keyring}: {said}")


def clearsigned_content(path: Path, shown: Path, keyring: Path) -> bytes:
    """What the clearsigned file *path* (InRelease) says, if a key of *keyring* signed it."""
    with tempfile.TemporaryDirectory(prefix="repogen-gpgv-") as work:
        done = _gpgv(keyring, ["--output", "-", str(path)], Path(work))
    if done.returncode != 0:
        raise _refused(shown, done, keyring)
    return done.stdout


def verify_detached(data: bytes, signature: Path, shown: Path, keyring: Path) -> None:
    """Refuse *data* (Release, repomd.xml, as read once) unless *signature* (Release.gpg,
    repomd.xml.asc) is a signature of it by a key of *keyring*."""
    with tempfile.TemporaryDirectory(prefix="repogen-gpgv-") as work:
        signed = Path(work) / "signed"
        signed.write_bytes(data)
        done = _gpgv(keyring, [str(signature), str(signed)], Path(work))
    if done.returncode != 0:
        raise _refused(shown, done, keyring)
