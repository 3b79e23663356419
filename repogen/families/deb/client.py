"""Real ``apt-get`` in a private sandbox: what a user of a repository would get.

The sandbox follows real-clients.md §2: a private ``APT_CONFIG`` (read before
``/etc/apt/apt.conf.d``, whose parts it switches off), private lists, cache and status file,
``Debug::NoLocking``, and the repository's architecture.  apt's own default of installing
Recommends is kept, so ``--no-install-recommends`` means what it does on a real machine.
Nothing of the host's apt or dpkg state is read or written.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from debian.deb822 import Deb822

from repogen.engine.errors import ClientFailed, ClientMissing
from repogen.families.deb.control import binary_control
from repogen.model import PackageSpec
from repogen.resolve.result import PackageRef, Resolution

#: apt-get's exit code for every error, dependency problems included.
EXIT_ERROR = 100

_ACTION = re.compile(
    r"^(?P<action>Inst|Remv) (?P<name>\S+)(?: \[(?P<old>[^\]]+)\])?"
    r"(?: \((?P<new>\S+) [^\[]*\[(?P<arch>[^\]]+)\]\))?"
)
_UNMET = "The following packages have unmet dependencies:"
#: The last line of every simulation apt-get finishes: without it, it did not answer.
_SUMMARY = re.compile(
    r"^\d+ upgraded, \d+ newly installed, (?:\d+ downgraded, )?\d+ to remove", re.MULTILINE
)
#: ``E:`` lines of apt-get failing to work at all (its state, lists or sandbox), which exits
#: 100 as a refused transaction does.
_BROKEN = (
    "Could not open",
    "could not be parsed or opened",
    "Unable to read",
    "Problem parsing",
    "Unable to parse",
    "failed",
    "Sub-process",
    "Could not get lock",
    "Malformed",
    "Syntax error",
)


#: ``E:`` lines of apt's simulated ordering (``pkgPackageManager``) refusing a transaction it
#: resolved: an answer (the request fails), not apt failing to work.
_ORDERING = (
    "early remove",
    "immediate configuration",
    "temporarily removing the essential",
    "Could not configure",
    "Couldn't configure",
    "ordering",
    "packages left unconfigured",
    "MaxLoopCount",
)


class AptError(ClientFailed):
    """apt-get failed other than by refusing a transaction (a broken or untrusted repo)."""


@dataclass(frozen=True)
class InstalledPackage:
    """A package the sandbox's dpkg status file says is installed, with the rest of the
    control data dpkg keeps of it (relations, ``Multi-Arch``, ``Installed-Size`` …)."""

    name: str
    version: str
    arch: str
    control: Mapping[str, str] = field(default_factory=dict)
    #: dpkg's selection is ``hold`` (``apt-mark hold``).
    held: bool = False

    @classmethod
    def of(cls, spec: PackageSpec, held: bool = False) -> InstalledPackage:
        """*spec* as dpkg records it once installed from a repogen repository: with the
        control data of its package.  apt takes an installed version for the repository's
        one only when the fields it hashes (relations, ``Installed-Size``, ``Multi-Arch``)
        agree; otherwise the same version would show as an upgrade of itself."""
        control = binary_control(spec, INSTALLED_MAINTAINER)
        kept = {key: str(value) for key, value in control.items() if key not in _IDENTITY}
        return cls(spec.name, spec.version, spec.arch, kept, held)


#: The fields :class:`InstalledPackage` has as attributes.
_IDENTITY = {"Package", "Version", "Architecture"}
INSTALLED_MAINTAINER = "repogen <installed@repogen.invalid>"


def status_file(installed: Sequence[InstalledPackage]) -> str:
    """A dpkg status file listing *installed* as ``install ok installed``."""
    stanzas = []
    for package in installed:
        stanza = Deb822()
        stanza["Package"] = package.name
        stanza["Status"] = f"{'hold' if package.held else 'install'} ok installed"
        stanza["Architecture"] = package.arch
        stanza["Version"] = package.version
        stanza.update(package.control)
        stanza.setdefault("Description", f"{package.name} (installed)")
        stanzas.append(stanza.dump())
    return "\n".join(stanzas)


def apt_config(state: Path, arch: str) -> str:
    """The private ``apt.conf`` of a sandbox whose state lives under *state*."""
    if any(c in str(state) for c in '"\n;{}'):
        raise ValueError(f"{state}: unusable in apt.conf")
    return "\n".join(
        (
            f'Dir "{state}/";',
            'Dir::State "var/lib/apt/";',
            f'Dir::State::status "{state}/var/lib/dpkg/status";',
            'Dir::Cache "var/cache/apt/";',
            'Dir::Cache::pkgcache "";',
            'Dir::Cache::srcpkgcache "";',
            'Dir::Etc "etc/apt/";',
            'Dir::Etc::main "/dev/null";',
            'Dir::Etc::parts "/dev/null";',
            'Dir::Etc::sourcelist "sources.list";',
            'Dir::Etc::sourceparts "/dev/null";',
            'Dir::Etc::preferences "/dev/null";',
            'Dir::Etc::preferencesparts "/dev/null";',
            'Dir::Log "var/log/apt/";',
            'Debug::NoLocking "true";',
            f'APT::Architecture "{arch}";',
            f'APT::Architectures {{ "{arch}"; }};',
            'Acquire::Languages "none";',
            # The fetch methods read local files only; running them as root avoids apt's
            # warning about files `_apt` cannot access (pytest's private tmp directories).
            'APT::Sandbox::User "root";',
            "",
        )
    )


def parse_simulation(output: str, arch: str, installed: Sequence[InstalledPackage]) -> Resolution:
    """The transaction ``apt-get -s`` printed: ``Inst`` lines are installs, or upgrades (and
    downgrades) when they show the old version; ``Remv`` lines are removals."""
    arch_of = {p.name: p.arch for p in installed}
    install: list[PackageRef] = []
    upgrade: list[PackageRef] = []
    remove: list[PackageRef] = []
    for line in output.splitlines():
        match = _ACTION.match(line)
        if match is None:
            continue
        name, _, qualifier = match["name"].partition(":")
        if match["action"] == "Remv":
            remove.append(PackageRef(name, match["old"], qualifier or arch_of.get(name, arch)))
        else:
            ref = PackageRef(name, match["new"], match["arch"])
            (upgrade if match["old"] else install).append(ref)
    return Resolution(True, tuple(install), tuple(upgrade), tuple(remove))


def problems(stdout: str, stderr: str) -> tuple[str, ...]:
    """The unmet dependencies and ``E:`` lines of a refused transaction."""
    found, unmet = [], False
    for line in stdout.splitlines():
        unmet = line == _UNMET or (unmet and line.startswith(" "))
        if unmet and line != _UNMET:
            found.append(line.strip())
    found += [line for line in (stdout + "\n" + stderr).splitlines() if line.startswith("E:")]
    return tuple(found)


@dataclass(frozen=True)
class AptSandbox:
    """A private apt state under *root* for a machine of architecture *arch* on which
    *installed* is installed."""

    root: Path
    arch: str
    installed: tuple[InstalledPackage, ...] = ()

    @classmethod
    def create(
        cls,
        root: Path,
        arch: str,
        sources: Sequence[str],
        installed: Sequence[InstalledPackage] = (),
    ) -> AptSandbox:
        """A sandbox using the sources.list lines *sources*, with *installed* installed."""
        root = root.absolute()
        for directory in (
            "etc/apt",
            "var/lib/apt/lists/partial",
            "var/cache/apt/archives/partial",
            "var/lib/dpkg",
            "var/log/apt",
        ):
            (root / directory).mkdir(parents=True, exist_ok=True)
        (root / "apt.conf").write_text(apt_config(root, arch))
        (root / "etc/apt/sources.list").write_text("".join(f"{line}\n" for line in sources))
        (root / "var/lib/dpkg/status").write_text(status_file(installed))
        return cls(root, arch, tuple(installed))

    def _run(self, arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
        apt_get = shutil.which("apt-get")
        if apt_get is None:
            raise ClientMissing("apt-get is not installed; install it with `apt-get install apt`")
        env = {**os.environ, "APT_CONFIG": str(self.root / "apt.conf"), "LC_ALL": "C.UTF-8"}
        return subprocess.run(
            [apt_get, *arguments], env=env, capture_output=True, text=True, check=False
        )

    def update(self) -> tuple[str, ...]:
        """``apt-get update``: fetch and verify the indices; return apt's warnings.

        An index apt rejects (unsigned, bad signature, hash mismatch) raises :class:`AptError`.
        """
        result = self._run(["update"])
        lines = (result.stdout + "\n" + result.stderr).splitlines()
        errors = [line for line in lines if line.startswith(("E:", "Err:"))]
        if result.returncode != 0 or errors:
            raise AptError(f"apt-get update failed: {' '.join(errors) or result.stderr.strip()}")
        return tuple(line for line in lines if line.startswith("W:"))

    def install(
        self,
        names: Sequence[str],
        options: Sequence[str] = (),
        installed: Sequence[InstalledPackage] | None = None,
        command: str = "install",
    ) -> Resolution:
        """``apt-get -s OPTIONS COMMAND NAMES`` (``install`` by default, or an upgrade), from
        the sandbox's installed state or from *installed* instead."""
        arguments = ["-s", *options]
        state = self.installed if installed is None else installed
        if installed is not None:
            text = status_file(installed)
            status = self.root / f"status-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
            status.write_text(text)
            arguments += ["-o", f"Dir::State::status={status}"]
        result = self._run([*arguments, command, *names])
        found = problems(result.stdout, result.stderr)
        refused = [e for e in found if e.startswith("E:") and any(o in e for o in _ORDERING)]
        broken = [
            e
            for e in found
            if e.startswith("E:") and e not in refused and any(b in e for b in _BROKEN)
        ]
        if result.returncode == EXIT_ERROR and found and not broken:
            return Resolution(False, problems=found)
        if result.returncode != 0 or _SUMMARY.search(result.stdout) is None:
            # A crash, a signal, apt failing to read its state: not an answer, whatever
            # the output holds.
            said = " ".join(broken) or result.stderr.strip() or result.stdout.strip()[-500:]
            raise AptError(
                f"apt-get {' '.join(arguments)} {command} {' '.join(names)} failed "
                f"(exit {result.returncode}): {said}"
            )
        return parse_simulation(result.stdout, self.arch, state)
