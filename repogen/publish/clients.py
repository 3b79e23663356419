"""The files a user drops into a package manager's configuration to add a repository.

``.repo`` files for dnf (``/etc/yum.repos.d``) and zypper (``/etc/zypp/repos.d``), a deb822
``.sources`` file and a one-line ``.list`` file for apt (``/etc/apt/sources.list.d``).
Rendering only: text in, text out; the publishers write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from repogen.publish.base import BuildError

#: A repository id dnf and zypper accept, also a file name.
_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _one_line(text: str, what: str) -> str:
    """*text* as one line; a control character could start a key of its own in an ini or
    deb822 file, so it is refused rather than folded."""
    line = " ".join(text.split())
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in line):
        raise BuildError(f"{what}: {text!r} has control characters")
    return line


def repo_id(*parts: str) -> str:
    """The repository id (and file name stem) made of *parts*: ``repogen-rhel9-x86_64``."""
    identifier = "-".join(parts)
    if _REPO_ID.fullmatch(identifier) is None:
        raise BuildError(f"{identifier!r} is not a repository id dnf and zypper accept")
    return identifier


@dataclass(frozen=True)
class RpmRepoFile:
    """One ``.repo`` section: a dnf or zypper repository."""

    identifier: str
    name: str
    baseurl: str
    #: The URL of the armored public key, when the repository is signed.
    gpgkey: str | None
    #: zypper's spelling of the repository type; dnf ignores the key.
    zypper: bool = False

    def render(self) -> str:
        signed = "1" if self.gpgkey is not None else "0"
        lines = [
            f"[{self.identifier}]",
            f"name={_one_line(self.name, 'repository name')}",
            f"baseurl={_one_line(self.baseurl, 'base URL')}",
            "enabled=1",
        ]
        if self.zypper:
            lines += ["autorefresh=1", "type=rpm-md"]
        # Unsigned, the file says so rather than leaving the client's default (dnf's
        # gpgcheck=1 on RHEL) to refuse every package.
        lines += [f"gpgcheck={signed}", f"repo_gpgcheck={signed}"]
        if self.zypper:
            lines.append(f"pkg_gpgcheck={signed}")
        if self.gpgkey is not None:
            lines.append(f"gpgkey={_one_line(self.gpgkey, 'key URL')}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class AptSource:
    """One APT repository: its URL, suite and components, and how apt trusts it."""

    uri: str
    suite: str
    components: tuple[str, ...]
    architectures: tuple[str, ...]
    #: The armored public key (inline ``Signed-By`` in the ``.sources`` file).
    armored_key: bytes | None
    #: Where the binary keyring lies on the user's machine (``signed-by`` in the ``.list``).
    keyring_path: str | None

    def list_line(self) -> str:
        """The ``sources.list`` line, ``trusted=yes`` when unsigned."""
        options = [f"arch={','.join(self.architectures)}"]
        if self.keyring_path is None:
            options.append("trusted=yes")
        else:
            options.append(f"signed-by={self.keyring_path}")
        parts = [
            "deb",
            f"[{' '.join(options)}]",
            _one_line(self.uri, "base URL"),
            self.suite,
            *self.components,
        ]
        return " ".join(parts) + "\n"

    def sources(self) -> str:
        """The deb822 ``.sources`` stanza; a signed one carries its key inline, so that the
        one file is all a user needs (apt ≥ 2.3.10: Ubuntu 22.04, Debian 12)."""
        lines = [
            "Types: deb",
            f"URIs: {_one_line(self.uri, 'base URL')}",
            f"Suites: {self.suite}",
            f"Components: {' '.join(self.components)}",
            f"Architectures: {' '.join(self.architectures)}",
        ]
        if self.armored_key is None:
            lines.append("Trusted: yes")
        else:
            key = self.armored_key.decode("ascii").strip().splitlines()
            lines.append("Signed-By:")
            # Continuation lines start with a space; an empty line is " ." in deb822.
            lines += [f" {line}" if line.strip() else " ." for line in key]
        return "\n".join(lines) + "\n"


def url_join(base: str, *parts: str) -> str:
    """*base* with *parts* appended as path segments."""
    return "/".join([base.rstrip("/"), *parts])
