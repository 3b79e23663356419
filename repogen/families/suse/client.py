"""Real ``zypper`` in a private sandbox: what a user of a SUSE repository would get.

The sandbox follows real-clients.md §5: ``--root`` for the rpmdb, zypper's repositories,
cache and lock; ``ZYPP_CONF`` (the machine's architecture, SUSE's default of installing
recommends), ``ZYPP_LOGFILE`` and zypper's own ``--config`` in the sandbox, so the host's
``/etc/zypp`` and ``/var/log/zypper.log`` are neither read nor written; the sandbox's ``HOME``
and rpmdb (:mod:`repogen.families.rpm.rpmroot`); ``-x`` output, ``--non-interactive
--no-gpg-checks``, repositories added with ``-G``.
"""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import createrepo_c as cr
from lxml import etree
from lxml.builder import ElementMaker

from repogen.engine.errors import ClientFailed
from repogen.families.rpm.dependencies import rpm_relation
from repogen.families.rpm.operators import EQUAL_FLAGS
from repogen.families.rpm.rpmmd import Record, add_record
from repogen.families.rpm.rpmroot import SandboxRoot, tool
from repogen.resolve.result import PackageRef, Resolution

#: zypper's exit codes for a refused transaction: a dependency problem, an unknown capability.
REFUSED = {4, 104}

_PATTERN_NS = "http://novell.com/package/metadata/suse/pattern"
_RPM_NS = "http://linux.duke.edu/metadata/rpm"


class ZypperError(ClientFailed):
    """zypper failed other than by refusing a transaction."""


def parse_answer(xml: str, returncode: int) -> Resolution:
    """The ``install-summary`` (or the problems) of ``zypper -x install --dry-run``.

    Packages are named as they are; other solvables as libsolv names them
    (``pattern:cuda-open``).  Versions are zypper's editions, ``[E:]V-R``.
    """
    try:
        stream = etree.fromstring(xml.encode())
    except etree.XMLSyntaxError as exc:
        raise ZypperError(f"zypper's answer is not XML ({exc}): {xml.strip()[-500:]}") from None
    problems = [
        "\n".join(line.strip() for line in element.text.strip().splitlines())
        for element in stream.iter("description", "message")
        if element.text and (element.tag == "description" or element.get("type") == "error")
    ]
    if returncode in REFUSED:
        return Resolution(False, problems=tuple(problems))
    nothing = any("Nothing to do" in (m.text or "") for m in stream.iter("message"))
    if next(stream.iter("install-summary"), None) is None and not nothing:
        raise ZypperError(f"zypper gave no install summary: {' '.join(problems)}")

    def refs(*groups: str) -> tuple[PackageRef, ...]:
        return tuple(
            PackageRef(
                solvable.get("name")
                if solvable.get("type") == "package"
                else f"{solvable.get('type')}:{solvable.get('name')}",
                solvable.get("edition"),
                solvable.get("arch"),
            )
            for group in groups
            for summary in stream.iter("install-summary")
            for section in summary.iter(group)
            for solvable in section.iter("solvable")
        )

    return Resolution(
        True,
        install=refs("to-install"),
        upgrade=refs("to-upgrade", "to-downgrade"),
        remove=refs("to-remove"),
    )


@dataclass(frozen=True)
class ZypperSandbox:
    """A private zypper configuration and root under *work*."""

    work: Path

    @property
    def sandbox(self) -> SandboxRoot:
        return SandboxRoot(self.work)

    @classmethod
    def create(
        cls, work: Path, repositories: Sequence[tuple[str, str]], arch: str | None = None
    ) -> ZypperSandbox:
        """A sandbox with the repositories *(alias, baseurl)* added and refreshed, for a
        machine of architecture *arch* (the host's when None)."""
        zypper = cls(work.absolute())
        zypper.sandbox.prepare()
        settings = ["[main]", "solver.onlyRequires = false"]
        if arch is not None:
            settings.append(f"arch = {arch}")
        (zypper.work / "zypp.conf").write_text("\n".join(settings) + "\n")
        (zypper.work / "zypper.conf").write_text("")
        for alias, baseurl in repositories:
            zypper._zypper(["addrepo", "-G", baseurl, alias])
        zypper._zypper(["refresh"])
        return zypper

    def _run(self, arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
        command = [
            tool("zypper", "zypper"),
            "--config",
            str(self.work / "zypper.conf"),
            "--root",
            str(self.sandbox.root),
            "--non-interactive",
            "--no-gpg-checks",
            *arguments,
        ]
        environment = self.sandbox.environment(
            ZYPP_CONF=str(self.work / "zypp.conf"), ZYPP_LOGFILE=str(self.work / "zypper.log")
        )
        return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)

    def _zypper(self, arguments: Sequence[str]) -> None:
        result = self._run(arguments)
        if result.returncode != 0:
            raise ZypperError(f"zypper {shlex.join(arguments)} failed: {result.stderr.strip()}")

    def install_headers(self, packages: Sequence[Path]) -> None:
        """Record *packages* as installed (``rpm -i --justdb``): nothing is unpacked."""
        self.sandbox.install_headers(packages)

    def add_locks(self, names: Sequence[str]) -> None:
        """``zypper addlock NAME`` for each of *names*."""
        for name in names:
            self._zypper(["addlock", name])

    def resolve(self, command: str | Sequence[str]) -> Resolution:
        """What ``zypper install|remove|update|dist-upgrade …`` would do, answered by a
        ``--dry-run``."""
        words = shlex.split(command) if isinstance(command, str) else list(command)
        if len(words) < 2 or words[0] != "zypper" or words[1].startswith("-"):
            raise ValueError(f"{command!r}: expected `zypper COMMAND …`")
        result = self._run(["-x", words[1], "--dry-run", *words[2:]])
        if result.returncode not in {0, *REFUSED}:
            raise ZypperError(
                f"{shlex.join(words)} failed ({result.returncode}): {result.stderr.strip()}"
            )
        try:
            return parse_answer(result.stdout, result.returncode)
        except ZypperError as exc:
            raise ZypperError(f"{shlex.join(words)}: {exc}; {result.stderr.strip()}") from None


def legacy_patterns(packages: Iterable[cr.Package]) -> bytes:
    """The legacy rpm-md ``patterns`` record describing, for each pattern package among
    *packages*, the solvable libsolv's autopattern makes of it (real-clients.md §5): the
    package's arch, EVR, summary and description, ``Requires: PACKAGE = EVR``,
    ``Provides: autopattern() = PACKAGE``, and the unescaped ``pattern-*()`` attributes."""
    make = ElementMaker(namespace=_PATTERN_NS, nsmap={None: _PATTERN_NS, "rpm": _RPM_NS})
    rpm = ElementMaker(namespace=_RPM_NS, nsmap={"rpm": _RPM_NS})
    patterns = []
    for package in sorted(packages, key=lambda p: p.name):
        values = {
            alternative.name: ""
            if alternative.constraint is None
            else alternative.constraint.version
            for alternative in (rpm_relation(entry).alternatives[0] for entry in package.provides)
        }
        if "pattern()" not in values:
            continue
        evr = {"epoch": package.epoch or "0", "ver": package.version, "rel": package.release}
        element = make.pattern(
            make.name(values["pattern()"]),
            make.arch(package.arch),
            make.version(**evr),
            make.summary(package.summary),
            make.description(package.description),
        )
        if "pattern-visible()" in values:
            element.append(make.uservisible())
        for attribute in ("category", "icon", "order"):
            if values.get(f"pattern-{attribute}()"):
                element.append(getattr(make, attribute)(values[f"pattern-{attribute}()"]))
        element.append(
            rpm.provides(rpm.entry(name="autopattern()", flags=EQUAL_FLAGS, ver=package.name))
        )
        element.append(rpm.requires(rpm.entry(name=package.name, flags=EQUAL_FLAGS, **evr)))
        patterns.append(element)
    document = make.patterns(*patterns, count=str(len(patterns)))
    return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))


def add_legacy_patterns(repository: Path) -> None:
    """Add the legacy ``patterns`` record of its pattern packages to *repository*.

    For tests on Debian only, on a copy of a repository — never on a shipped one.  libzypp
    turns each package that provides ``pattern() = NAME`` into a ``pattern:NAME`` solvable
    through libsolv's autopattern, which Debian's libsolv is built without (it is compiled
    ``IF (SUSE)``), so Debian's zypper never sees pattern packages as patterns and
    ``zypper install -t pattern NAME`` finds no provider.  With this record it finds the
    same solvable SUSE's zypper would make, and installs it the same way.
    """
    metadata = cr.Metadata()
    metadata.locate_and_load_xml(str(repository))
    content = legacy_patterns(map(metadata.get, metadata.keys()))
    add_record(repository, Record("patterns", "patterns.xml", content))
