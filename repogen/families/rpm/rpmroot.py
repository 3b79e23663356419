"""What the dnf and zypper sandboxes share: a root with its own rpmdb, and a private ``HOME``.

Debian's rpm puts ``%_dbpath`` at ``~/.rpmdb`` (real-clients.md §8): run with the host's
``HOME``, every rpm, dnf or zypper call would open the host's ``/root/.rpmdb``, or create the
rpmdb at ``<root>/root/.rpmdb``.  The sandbox's ``HOME`` has a ``.rpmmacros`` that sets
``%_dbpath /var/lib/rpm``, inside the root as on RHEL and SUSE, for all three tools.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from repogen.engine.errors import ClientFailed, ClientMissing

DBPATH = "/var/lib/rpm"


def tool(name: str, package: str) -> str:
    """The path of the program *name*, or an error naming the Debian *package* to install."""
    path = shutil.which(name)
    if path is None:
        raise ClientMissing(f"{name} is not installed; install it with `apt-get install {package}`")
    return path


@dataclass(frozen=True)
class SandboxRoot:
    """The root directory and ``HOME`` of a sandbox under *work*."""

    work: Path

    @property
    def root(self) -> Path:
        return self.work / "root"

    def prepare(self) -> None:
        (self.work / "home").mkdir(parents=True, exist_ok=True)
        self.root.mkdir(exist_ok=True)
        (self.work / "home" / ".rpmmacros").write_text(f"%_dbpath {DBPATH}\n")

    def environment(self, **variables: str) -> dict[str, str]:
        """The environment of every program run in the sandbox, plus *variables*."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.work / "home"),
            "LC_ALL": "C.UTF-8",
            **variables,
        }

    def install_headers(self, packages: Sequence[Path]) -> None:
        """Record *packages* as installed (``rpm -i --justdb``): nothing is unpacked, whatever
        architecture they are built for."""
        rpm = [tool("rpm", "rpm"), "--root", str(self.root), "--dbpath", DBPATH]
        # --ignorearch: the root may be for another architecture (aarch64 on an x86_64 host).
        flags = ["-i", "--justdb", "--nodeps", "--noscripts", "--nosignature", "--ignorearch"]
        for arguments in (["--initdb"], [*flags, *map(str, packages)]):
            result = subprocess.run(
                [*rpm, *arguments],
                env=self.environment(),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise ClientFailed(f"rpm {arguments[0]} failed: {result.stderr.strip()}")
