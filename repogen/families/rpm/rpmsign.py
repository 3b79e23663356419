"""Signing .rpm files with rpmsign: the header signature dnf's and zypper's ``gpgcheck`` check.

rpmsign runs gpg itself; it gets the gpg found on ``PATH`` (Debian's rpm names ``gpg2``,
which Debian does not ship), the key's home directory, a private ``HOME`` (so that no
``~/.rpmmacros`` applies and Debian's ``%_dbpath`` of ``~/.rpmdb`` stays in the work
directory) and no terminal, so that gpg never asks for anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from repogen.publish.base import BuildError

#: Packages per rpmsign call: one process signs many, but a command line has a limit.
_BATCH = 200


def _gpg_path(gpg_home: Path | None) -> str:
    """The gpg home rpmsign must use: the one given, else the one gpg itself would use."""
    if gpg_home is not None:
        return str(gpg_home.absolute())
    return os.environ.get("GNUPGHOME") or str(Path.home() / ".gnupg")


def sign_packages(packages: Sequence[Path], key: str, gpg_home: Path | None, work: Path) -> None:
    """Add *key*'s signature to every file of *packages*, in place."""
    if not packages:
        return
    rpmsign, gpg = shutil.which("rpmsign"), shutil.which("gpg")
    if rpmsign is None:
        raise BuildError("rpmsign not found: install it with `apt-get install rpm`")
    if gpg is None:
        raise BuildError("gpg is not installed; install it with `apt-get install gnupg`")
    (work / "home").mkdir(parents=True, exist_ok=True)
    macros = {
        "__gpg": gpg,
        "_gpg_name": key,
        "_gpg_path": _gpg_path(gpg_home),
        "_dbpath": str(work / "rpmdb"),
        "_gpg_sign_cmd_extra_args": "--batch --pinentry-mode loopback",
    }
    defines = [arg for name, value in macros.items() for arg in ("--define", f"{name} {value}")]
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work / "home"),
        "LC_ALL": "C.UTF-8",
    }
    for start in range(0, len(packages), _BATCH):
        batch = [str(path) for path in packages[start : start + _BATCH]]
        result = subprocess.run(
            [rpmsign, "--addsign", *defines, *batch],
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BuildError(f"rpmsign with {key!r} failed: {result.stderr.strip()}")
