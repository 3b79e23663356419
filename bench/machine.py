"""What machine and tools the figures come from."""

from __future__ import annotations

import compileall
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

import repogen

#: Tools whose versions the figures depend on: program and the argument that prints it.
TOOLS = (
    ("apt-get", "--version"),
    ("dpkg-deb", "--version"),
    ("apt-ftparchive", "--version"),
    ("rpm", "--version"),
    ("rpmbuild", "--version"),
    ("createrepo_c", "--version"),
    ("dnf", "--version"),
    ("zypper", "--version"),
)


def _first_line(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0].strip() if lines else "?"


def _cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "?"


def _memory() -> str:
    text = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else "?"


def _os() -> str:
    path = Path("/etc/os-release")
    text = path.read_text() if path.exists() else ""
    match = re.search(r'^PRETTY_NAME="?([^"\n]+)"?$', text, re.MULTILINE)
    return match.group(1) if match else platform.platform()


def _package_version(package: str) -> str:
    """The installed version of a Debian package."""
    return _first_line(["dpkg-query", "-W", "-f=${Version}", package]) or "not installed"


#: Debian packages of the libraries repogen calls in-process.
LIBRARIES = ("python3-solv", "python3-createrepo-c", "python3-apt", "python3-rpm")


def compile_repogen() -> None:
    """repogen's modules compiled to bytecode beside their sources, as ``pip install``
    leaves an installed repogen.  A checkout run with ``PYTHONDONTWRITEBYTECODE`` set (or
    read-only) has none, and each process of a whole-process row would compile them again
    (55 ms of a `repogen check`), which no installed repogen does."""
    compileall.compile_dir(Path(repogen.__file__).parent, quiet=1)


def describe() -> list[tuple[str, str]]:
    """(what, value) pairs: CPUs, CPU model, memory, OS, kernel, load, tool versions."""
    facts = [
        ("nproc", str(os.cpu_count())),
        ("CPU", _cpu_model()),
        ("memory", _memory()),
        ("OS", _os()),
        ("kernel", platform.release()),
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
    ]
    facts.append(("python", platform.python_version()))
    facts.append(("python-debian", metadata.version("python-debian")))
    facts += [(package, _package_version(package)) for package in LIBRARIES]
    facts += [(tool, _first_line([tool, flag])) for tool, flag in TOOLS]
    return facts


def markdown() -> str:
    return "\n".join(f"- {what}: {value}" for what, value in describe())
