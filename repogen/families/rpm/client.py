"""Real ``dnf`` in a private sandbox: what a user of an rpm-md repository would get.

The sandbox follows real-clients.md §4: its own ``dnf.conf`` (RHEL's ``best=True``, dnf's own
default of installing weak dependencies unless asked otherwise, the target's
``module_platform_id``, no plugins, no gpg checks), its own ``reposdir``, an ``--installroot``
holding the rpmdb, dnf's cache and its module state, and ``metadata_expire=0`` so that a
regenerated repository is always re-read.  ``HOME`` is the sandbox's (see
:mod:`repogen.families.rpm.rpmroot`), and so is the rpmdb.  ``cachedir`` is left alone: given on the
command line, it would be a host path.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from repogen.engine.errors import ClientFailed
from repogen.families.rpm.modulemd import Modulemd
from repogen.families.rpm.rpmroot import SandboxRoot, tool
from repogen.resolve.result import PackageRef, Resolution

#: The ``Enabling module streams:`` row of a stream switch: ``name  old -> new``.
_SWITCH = re.compile(r"^(\S+)\s+\S+\s+->\s+(\S+)$")
#: A package row has at least a name, arch, version, repository and size (``5.4 k``, ``0``).
_PACKAGE_COLUMNS = 5
#: What dnf says when it cannot work at all (its repositories, its configuration, a crash):
#: printed as ``Error:`` lines too, but not a refused request.
_BROKEN = (
    "Failed to download metadata",
    "Loading repository",
    "Cannot download",
    "Unknown repo",
    "Config error",
    "Failed to synchronize cache",
    "Traceback (most recent call last)",
    "Cannot find a valid baseurl",
)
#: The transaction table's module sections that list profiles or modules, not packages.
_MODULE_SECTIONS = ("Installing module profiles", "Disabling module profiles", "Resetting modules")
#: What dnf prints when it answered: a transaction it then aborts (``--assumeno``) or none.
_ANSWERED = ("Operation aborted", "Nothing to do", "Complete!")


class DnfError(ClientFailed):
    """dnf failed other than by refusing a transaction: a broken repository or command."""


@dataclass(frozen=True)
class DnfRepository:
    """One repository of the sandbox; ``module_hotfixes`` exempts it from modular filtering,
    ``includepkgs`` (name globs) excludes its other packages."""

    name: str
    baseurl: str
    module_hotfixes: bool = False
    includepkgs: tuple[str, ...] = ()

    def config(self) -> str:
        lines = [
            f"[{self.name}]",
            f"name={self.name}",
            f"baseurl={self.baseurl}",
            "enabled=1",
            "gpgcheck=0",
            "metadata_expire=0",
        ]
        if self.module_hotfixes:
            lines.append("module_hotfixes=1")
        if self.includepkgs:
            lines.append(f"includepkgs={','.join(self.includepkgs)}")
        return "\n".join(lines) + "\n"


def parse_transaction(output: str) -> Resolution:
    """The transaction table dnf prints before it asks (or, with ``--assumeno``, aborts).

    Package rows are ``name arch [epoch:]version-release repo size``, wrapped onto more lines
    when a name is wider than its column (dnf formats for 80 columns when not on a terminal).
    ``Installing…`` sections are installs, ``Upgrading`` and ``Downgrading`` changes of
    version, ``Removing…`` removals; ``Enabling module streams`` and ``Switching module
    streams`` give the streams the transaction enables, ``Disabling modules`` the modules it
    disables; the other module sections (profiles, resets) hold no packages.
    """
    install: list[PackageRef] = []
    upgrade: list[PackageRef] = []
    remove: list[PackageRef] = []
    modules: list[str] = []
    disabled: list[str] = []
    section = ""
    row: list[str] = []
    for line in output.splitlines():
        if line.startswith("Transaction Summary"):
            break
        if line and not line.startswith(" ") and line.endswith(":"):
            section, row = line[:-1], []
            continue
        words = line.split()
        if not line.startswith(" ") or not words or words[0] == "replacing":
            continue
        if section in {"Enabling module streams", "Switching module streams"}:
            # ``name stream`` or ``name old -> new``; a long name stands alone on its line.
            row += words
            if len(row) >= 2 and row[1] != "->":
                switched = _SWITCH.match(" ".join(row))
                if switched or "->" not in row:
                    modules.append(":".join(switched.groups() if switched else row[:2]))
                    row = []
            continue
        if section == "Disabling modules":
            disabled.append(words[0])
            continue
        if section in _MODULE_SECTIONS:
            continue
        row += words
        if len(row) < _PACKAGE_COLUMNS:
            continue
        ref, row = PackageRef(row[0], row[2], row[1]), []
        if section.startswith("Installing"):
            install.append(ref)
        elif section in {"Upgrading", "Downgrading"}:
            upgrade.append(ref)
        elif section.startswith("Removing"):
            remove.append(ref)
    return Resolution(
        True,
        tuple(install),
        tuple(upgrade),
        tuple(remove),
        tuple(modules),
        disabled=tuple(disabled),
    )


def parse_problems(stdout: str, stderr: str) -> tuple[str, ...]:
    """What dnf says about a request it refuses: ``Error:`` and what follows, unmatched names."""
    lines = (stdout + "\n" + stderr).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Error:")), len(lines))
    unmatched = [line for line in lines[:start] if line.startswith("No match for argument")]
    return tuple(unmatched + [line.strip() for line in lines[start:] if line.strip()])


@dataclass(frozen=True)
class DnfSandbox:
    """A private dnf configuration and installroot under *work*."""

    work: Path
    releasever: str
    arch: str | None = None

    @property
    def sandbox(self) -> SandboxRoot:
        return SandboxRoot(self.work)

    @classmethod
    def create(
        cls,
        work: Path,
        repositories: Sequence[DnfRepository],
        releasever: str,
        platform: str | None = None,
        arch: str | None = None,
        install_weak_deps: bool = True,
    ) -> DnfSandbox:
        """A sandbox resolving against *repositories*, for a machine of *platform* (``el9``)
        and architecture *arch* (the host's when None)."""
        dnf = cls(work.absolute(), releasever, arch)
        dnf.sandbox.prepare()
        main = [
            "[main]",
            "gpgcheck=0",
            "best=True",
            f"install_weak_deps={install_weak_deps}",
            "plugins=0",
            "skip_if_unavailable=False",
            "protected_packages=",
        ]
        if platform is not None:
            main.append(f"module_platform_id=platform:{platform}")
        (dnf.work / "dnf.conf").write_text("\n".join(main) + "\n")
        (dnf.work / "repos.d").mkdir(exist_ok=True)
        for repository in repositories:
            (dnf.work / "repos.d" / f"{repository.name}.repo").write_text(repository.config())
        return dnf

    def _dnf(self, arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
        command = [
            tool("dnf", "dnf"),
            "-c",
            str(self.work / "dnf.conf"),
            f"--installroot={self.sandbox.root}",
            f"--setopt=reposdir={self.work / 'repos.d'}",
            f"--releasever={self.releasever}",
            "--noplugins",
            "--nogpgcheck",
            *([f"--forcearch={self.arch}"] if self.arch else []),
            *arguments,
        ]
        # Aliases come from the host's /etc/dnf/aliases.d, whatever the installroot.
        environment = self.sandbox.environment(DNF_DISABLE_ALIASES="1")
        return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)

    def install_headers(self, packages: Sequence[Path]) -> None:
        """Record *packages* as installed (``rpm -i --justdb``): nothing is unpacked."""
        self.sandbox.install_headers(packages)

    def set_module_defaults(
        self,
        defaults: Mapping[str, str],
        profiles: Mapping[str, Mapping[str, Sequence[str]]],
    ) -> None:
        """Default streams (module → stream) and profiles (module → stream → profiles) in
        ``/etc/dnf/modules.defaults.d``, written by libmodulemd: the machine's own defaults,
        over the repositories'."""
        index = Modulemd.ModuleIndex.new()
        for module in sorted({*defaults, *profiles}):
            document = Modulemd.DefaultsV1.new(module)
            if module in defaults:
                document.set_default_stream(defaults[module])
            for stream, names in sorted(profiles.get(module, {}).items()):
                for name in names:
                    document.add_default_profile_for_stream(stream, name)
            index.add_defaults(document)
        directory = self.sandbox.root / "etc/dnf/modules.defaults.d"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "defaults.yaml").write_text(index.dump_to_string())

    def disable_modules(self, modules: Sequence[str]) -> None:
        """``dnf module disable``: *modules* become disabled in the machine's state."""
        result = self._dnf(["-y", "module", "disable", *modules])
        if result.returncode != 0:
            raise DnfError(f"dnf module disable failed: {result.stderr.strip()}")

    def enable_streams(self, streams: Sequence[str]) -> None:
        """``dnf module enable``: *streams* (``name:stream``) become the machine's state."""
        result = self._dnf(["-y", "module", "enable", *streams])
        if result.returncode != 0:
            raise DnfError(f"dnf module enable failed: {result.stderr.strip()}")

    def record_profiles(self, profiles: Mapping[str, Sequence[str]]) -> None:
        """Record *profiles* (module → profile names) as installed from the modules' enabled
        streams: the ``profiles=`` line of ``/etc/dnf/modules.d/M.module``, as ``dnf module
        install`` leaves it."""
        for module, names in profiles.items():
            path = self.sandbox.root / "etc/dnf/modules.d" / f"{module}.module"
            if not path.is_file():
                raise DnfError(f"{module} has installed profiles but no enabled stream")
            lines = [
                f"profiles={','.join(names)}" if line.startswith("profiles=") else line
                for line in path.read_text().splitlines()
            ]
            path.write_text("\n".join(lines) + "\n")

    def resolve(self, command: str | Sequence[str]) -> Resolution:
        """What ``dnf …`` (``install``, ``--allowerasing install``, ``module install M:S/P``,
        ``module enable``/``reset``/``switch-to``…) would do, answered with ``--assumeno``."""
        words = shlex.split(command) if isinstance(command, str) else list(command)
        if not words or words[0] not in {"dnf", "yum"}:
            raise ValueError(f"{command!r}: expected a dnf command line")
        result = self._dnf(["--assumeno", *words[1:]])
        said = result.stdout + "\n" + result.stderr
        problems = parse_problems(result.stdout, result.stderr)
        broken = any(text in said for text in _BROKEN) or result.returncode not in {0, 1}
        if problems and not broken:
            return Resolution(False, problems=problems)
        # --assumeno aborts with 1; a crash exits 1 as well, but without the answer's end.
        if broken or not any(text in said for text in _ANSWERED):
            raise DnfError(
                f"{shlex.join(words)} failed (exit {result.returncode}): "
                f"{' '.join(result.stderr.split())[-2000:] or 'no answer'}"
            )
        return parse_transaction(result.stdout)
