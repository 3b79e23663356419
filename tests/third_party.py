"""Repositories made without repogen, as third parties make them: dpkg-deb and apt-ftparchive,
rpmbuild, createrepo_c and modifyrepo_c.  Tests that read published repositories share them."""

from __future__ import annotations

import gzip
import lzma
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


def deb(directory: Path, control: bytes) -> None:
    """A .deb made by dpkg-deb from *control* (its files: none)."""
    fields = dict(
        line.split(b": ", 1) for line in control.splitlines() if line and line[:1] != b" "
    )
    name = f"{fields[b'Package'].decode()}_{fields[b'Architecture'].decode()}"
    root = directory / "build" / name
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_bytes(control)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(directory / f"{name}.deb")],
        check=True,
        capture_output=True,
    )
    shutil.rmtree(directory / "build")


def ftparchive_suite(root: Path) -> Path:
    """dists/stable of a repository made by dpkg-deb and apt-ftparchive: components main
    (a Latin-1 control file, per architecture) and contrib (Architecture: all), amd64 and
    arm64 in one Release, every Packages index only compressed (xz, gz) on disk."""
    pool = root / "pool"
    for component in ("main", "contrib"):
        (pool / component).mkdir(parents=True)
    for arch in ("amd64", "arm64"):
        deb(
            pool / "main",
            b"Package: driver\nVersion: 1.0\nArchitecture: " + arch.encode() + b"\n"
            b"Maintainer: Jos\xe9 M\xfcller <j@example.org>\nDepends: helper (>= 2)\n"
            b"Description: pilote caf\xe9\n r\xe9sum\xe9\n",
        )
    deb(
        pool / "contrib",
        b"Package: helper\nVersion: 2.0\nArchitecture: all\nMaintainer: x <x@example.org>\n"
        b"Description: helper\n",
    )
    suite = root / "dists/stable"
    for component in ("main", "contrib"):
        for arch in ("amd64", "arm64"):
            binary = suite / component / f"binary-{arch}"
            binary.mkdir(parents=True)
            index = subprocess.run(
                ["apt-ftparchive", "--arch", arch, "packages", f"pool/{component}"],
                cwd=root,
                check=True,
                capture_output=True,
            ).stdout
            (binary / "Packages").write_bytes(index)
            (binary / "Packages.xz").write_bytes(lzma.compress(index))
            (binary / "Packages.gz").write_bytes(gzip.compress(index, mtime=0))
    release = subprocess.run(
        ["apt-ftparchive", "-o", "APT::FTPArchive::Release::Suite=stable",
         "-o", "APT::FTPArchive::Release::Label=third",
         "-o", "APT::FTPArchive::Release::Architectures=amd64 arm64",
         "-o", "APT::FTPArchive::Release::Components=main contrib", "release", "."],
        cwd=suite,
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip
    (suite / "Release").write_bytes(release)
    # As the Debian archive: Release lists Packages, the mirror serves only its compressed
    # forms (apt fetches nothing for an index whose uncompressed name is not listed).
    for plain_index in suite.glob("*/binary-*/Packages"):
        plain_index.unlink()
    return suite


SPEC = """\
Name: {name}
Version: {version}
Release: 1
Summary: {name}
License: MIT
BuildArch: noarch
{requires}
%description
{name}
%files
"""

#: One build of a stream of nvidia-driver (format with stream, version, summary, kmod and
#: kmod_version).
_BUILD = """\
---
document: modulemd
version: 2
data:
  name: nvidia-driver
  stream: "{stream}"
  version: {version}
  context: c1
  summary: {summary}
  description: {summary}
  license: {{module: [MIT]}}
  profiles: {{default: {{rpms: [{kmod}]}}}}
  artifacts: {{rpms: [{kmod}-0:{kmod_version}-1.noarch]}}
"""
#: The defaults of nvidia-driver: latest-dkms, and each stream's default profile.
DEFAULTS = """\
---
document: modulemd-defaults
version: 1
data:
  module: nvidia-driver
  stream: latest-dkms
  profiles: {latest-dkms: [default], "560-dkms": [default]}
...
"""
#: Two builds of one stream, another stream, and the defaults.
MODULES = (
    "".join(
        _BUILD.format(
            stream=stream, version=version, summary=summary, kmod=kmod, kmod_version=kmod_version
        )
        for stream, version, summary, kmod, kmod_version in (
            ("560-dkms", 1, "driver 560", "kmod-nvidia-560-dkms", "560.1"),
            ("560-dkms", 2, "driver 560", "kmod-nvidia-560-dkms", "560.2"),
            ("latest-dkms", 1, "latest driver", "kmod-nvidia-latest-dkms", "560.2"),
        )
    )
    + DEFAULTS
)


def rpm_tree(
    tmp_path: Path, packages: Sequence[tuple[str, str, str]], modules: str | None = None
) -> Path:
    """el9/x86_64 under *tmp_path*: *packages* (name, version, a spec line of relations)
    built by rpmbuild from :data:`SPEC` and indexed by createrepo_c; *modules* (a modulemd
    YAML stream), when given, added by modifyrepo_c."""
    top = tmp_path / "rpmbuild"
    (top / "SPECS").mkdir(parents=True)
    for name, version, relations in packages:
        spec = top / "SPECS" / f"{name}-{version}.spec"
        spec.write_text(SPEC.format(name=name, version=version, requires=relations))
        subprocess.run(
            ["rpmbuild", "-bb", "--define", f"_topdir {top}", str(spec)],
            check=True,
            capture_output=True,
        )
    tree = tmp_path / "el9" / "x86_64"
    shutil.copytree(top / "RPMS", tree)
    subprocess.run(["createrepo_c", "--quiet", str(tree)], check=True)
    if modules is None:
        return tree
    document = tmp_path / "modules.yaml"
    document.write_text(modules)
    if shutil.which("modulemd-validator"):
        subprocess.run(["modulemd-validator", str(document)], check=True, capture_output=True)
    subprocess.run(
        ["modifyrepo_c", "--mdtype=modules", str(document), str(tree / "repodata")],
        check=True,
        capture_output=True,
    )
    return tree


def rpm_module_tree(tmp_path: Path) -> Path:
    """el9/x86_64 under *tmp_path*: three packages, and one module in four documents (two
    builds of a stream, another stream, the defaults), as repositories made without repogen
    hold it."""
    packages = [
        (name, version, f"Provides: nvidia-kmod = 3:{version}")
        for name, version in (
            ("kmod-nvidia-560-dkms", "560.1"),
            ("kmod-nvidia-560-dkms", "560.2"),
            ("kmod-nvidia-latest-dkms", "560.2"),
        )
    ]
    return rpm_tree(tmp_path, packages, MODULES)
