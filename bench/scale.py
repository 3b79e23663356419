"""Resolution at scale: Debian 12's own main index as base under the debian12 release, and
under the deb repository of a channel of many releases.

repogen reads the index with its APT reader (:mod:`repogen.families.deb.reader`) and
resolves with its apt resolver; real apt gets the same lists in one of repogen's sandboxes
(:class:`repogen.families.deb.client.AptSandbox`).  The index is the file apt keeps in
``/var/lib/apt/lists`` after ``apt-get update``; it is put into a local mirror
(``dists/bookworm/main/binary-amd64/`` with an unsigned ``Release`` written by repogen's own
APT index writer) so that both sides read the very same file.

For reference, the same file is also parsed by python-debian, by apt's own parser
(``apt_pkg.TagFile``) and by libsolv (``add_debpackages``).
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import apt_pkg
import solv
from debian.deb822 import Packages

from bench.channel import ChannelShape, write_channel
from bench.generator import TARGETS
from bench.modules import modules_rows
from bench.timing import Row, Timing
from bench.workloads import BUNDLED, Settings, resolved_afresh
from repogen.build import build, source_date_epoch
from repogen.channel import load_channel
from repogen.families.deb.apt_index import Suite, release_file
from repogen.families.deb.client import AptSandbox
from repogen.families.deb.reader import apt_packages, open_apt
from repogen.index.tree import tree_repositories
from repogen.model import PackageSpec, ReleaseModel, load_release
from repogen.publish.base import BuildOptions
from repogen.resolve import resolve
from repogen.resolve.request import parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import universe_for

TARGET, ARCH, SUITE = "debian12", "amd64", "bookworm"
REQUESTS = (
    "apt-get install cuda",
    "apt-get install cuda-toolkit-12-6",
    "apt-get install nvidia-open",
    "apt-get install cuda-drivers",
)


def mirror(index: Path, root: Path) -> Path:
    """A local APT repository holding *index*, uncompressed, as ``bookworm/main/binary-amd64``
    (with the ``by-hash`` copies its ``Release`` promises); returns the ``Packages`` file."""
    directory = root / "dists" / SUITE / "main" / f"binary-{ARCH}"
    directory.mkdir(parents=True)
    plain = directory / "Packages"
    with plain.open("wb") as handle:
        compressed = {".lz4": "lz4", ".xz": "xz", ".gz": "gzip"}
        if index.suffix in compressed:
            subprocess.run([compressed[index.suffix], "-dc", str(index)], stdout=handle, check=True)
        else:
            handle.write(index.read_bytes())
    data = plain.read_bytes()
    for name in ("SHA256", "SHA512"):
        by_hash = directory / "by-hash" / name
        by_hash.mkdir(parents=True)
        os.link(plain, by_hash / hashlib.new(name.lower(), data).hexdigest())
    suite = Suite("Debian", "Debian", SUITE, SUITE, 0, (ARCH,), "Debian 12 main, as apt keeps it")
    listed = {PurePosixPath("main", f"binary-{ARCH}", "Packages"): data}
    (root / "dists" / SUITE / "Release").write_bytes(release_file(suite, listed))
    return plain


def _python_debian(path: Path) -> int:
    with path.open() as handle:
        return sum(1 for _ in Packages.iter_paragraphs(handle, use_apt_pkg=False))


def _apt_pkg(path: Path) -> int:
    with apt_pkg.TagFile(str(path)) as index:
        return sum(1 for _ in index)


def _libsolv(path: Path) -> int:
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_DEB)
    pool.setarch(ARCH)
    repo = pool.add_repo("debian")
    handle = solv.xfopen(str(path))
    try:
        repo.add_debpackages(handle)
    finally:
        handle.close()
    return int(repo.nsolvables)


def _same(ours: set[str], theirs: set[str]) -> str:
    if ours == theirs:
        return f"installs the same {len(ours)} packages as apt"
    return (
        f"differs from apt ({len(ours)} vs {len(theirs)} packages): "
        f"only repogen {', '.join(sorted(ours - theirs)[:3]) or '-'}; "
        f"only apt {', '.join(sorted(theirs - ours)[:3]) or '-'}"
    )


def _agreement(ours: Resolution, theirs: Resolution) -> str:
    """Whether repogen's answer installs what apt's does."""
    if not (ours.ok and theirs.ok):
        return f"ok: repogen {ours.ok}, apt {theirs.ok}"
    return _same({r.name for r in ours.install}, {r.name for r in theirs.install})


class CachedApt:
    """``apt-get -s install`` in *sandbox* with apt's binary cache kept on disk (the
    sandbox's own configuration builds it in memory on every call)."""

    def __init__(self, sandbox: AptSandbox) -> None:
        self.sandbox = sandbox
        self.cache = sandbox.root / "var" / "cache" / "apt"
        self.options = [
            *("-o", f"Dir::Cache::pkgcache={self.cache / 'pkgcache.bin'}"),
            *("-o", f"Dir::Cache::srcpkgcache={self.cache / 'srcpkgcache.bin'}"),
        ]

    def _apt(self, program: str, *arguments: str) -> None:
        env = {**os.environ, "APT_CONFIG": str(self.sandbox.root / "apt.conf")}
        command = [program, *self.options, *arguments]
        # 100 is a refused transaction: timed all the same.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode not in (0, 100):
            raise RuntimeError(f"{program} failed: {result.stderr.strip()}")

    def gencaches(self) -> None:
        """Build the cache from scratch."""
        for name in ("pkgcache.bin", "srcpkgcache.bin"):
            (self.cache / name).unlink(missing_ok=True)
        self._apt("apt-cache", "gencaches")

    def install(self, names: Sequence[str]) -> None:
        self._apt("apt-get", "-s", "install", *names)


def _sandbox(work: Path, release: ReleaseModel, target: str = TARGET) -> AptSandbox:
    """A sandbox with the release's *target* (built metadata-only) over the Debian mirror."""
    repositories = release.select([target], [ARCH])
    options = BuildOptions(source_date_epoch(release), packages=False)
    entries = build(release, work / "release", repositories, options)
    sources = [entries[0].client, f"deb [trusted=yes] file:{work / 'debian'} {SUITE} main"]
    sandbox = AptSandbox.create(work / "apt", ARCH, sources)
    sandbox.update()
    return sandbox


def rows(settings: Settings, index: Path) -> Iterator[Row]:
    """Parsers for reference, apt's cache build, then repogen against apt-get -s."""
    work = settings.scratch("scale")
    root = work / "debian"
    plain = mirror(index, root)
    count = _apt_pkg(plain)
    for what, parse in (
        ("python-debian iter_paragraphs", _python_debian),
        ("apt_pkg.TagFile (apt's parser)", _apt_pkg),
        ("libsolv add_debpackages", _libsolv),
    ):
        timing = settings.timed(functools.partial(parse, plain))
        yield Row("scale", count, f"reference: parse with {what}", timing, count)
    release = load_release(BUNDLED)
    repository = release.select([TARGET], [ARCH])[0]
    sandbox = _sandbox(work, release)
    cached = CachedApt(sandbox)
    gencaches = settings.timed(cached.gencaches)
    yield Row(
        "scale", count, "reference: apt-cache gencaches (apt's cache build)", gencaches, count
    )

    def read() -> tuple[PackageSpec, ...]:
        return apt_packages(open_apt(root), ARCH)

    yield Row(
        "scale",
        count,
        "repogen: read the index (repogen.families.deb.reader)",
        settings.timed(read),
        count,
    )
    first = parse_request(REQUESTS[0])
    whole = settings.timed(lambda: resolve(universe_for(repository, base=read()), first))
    apt_whole = settings.timed(lambda: sandbox.install(first.names))
    yield Row(
        "scale",
        count,
        f"repogen: read + `{first}`",
        whole,
        reference="apt-get -s (cache built in memory)",
        reference_timing=apt_whole,
        note="target: ratio >= 1.0x",
    )
    universe = universe_for(repository, base=read())
    for text in REQUESTS:
        request = parse_request(text)
        ours = settings.timed(functools.partial(resolved_afresh, universe, request))
        agree = _agreement(resolve(universe, request), sandbox.install(request.names))
        yield Row(
            "scale",
            count,
            f"repogen: `{text}` (index read)",
            ours,
            reference="apt-get -s, warm pkgcache.bin",
            reference_timing=settings.timed(functools.partial(cached.install, request.names)),
            note=agree,
        )


#: Where apt keeps Debian 12's main index after ``apt-get update``.
DEBIAN_LISTS = Path("/var/lib/apt/lists")
DEBIAN_INDEX = "*_dists_bookworm_main_binary-amd64_Packages*"


def debian_index() -> Path | None:
    """Debian 12's main amd64 ``Packages`` list as apt keeps it, if ``apt-get update`` ran."""
    return next(iter(sorted(DEBIAN_LISTS.glob(DEBIAN_INDEX))), None)


def channel_rows(settings: Settings, index: Path) -> Iterator[Row]:
    """The deb repository of a channel of many releases (:mod:`bench.channel`, every name at
    as many versions as releases) layered over Debian 12's index: `apt-get install cuda`
    with the channel's model loaded and the index read, against apt-get -s over the same
    lists."""
    shape = ChannelShape(settings.channel_releases, settings.channel_size, settings.channel_new)
    work = settings.scratch("scale-channel")
    root = work / "debian"
    plain = mirror(index, root)
    count = _apt_pkg(plain) + shape.size
    channel_file, _ = write_channel(work / "models", shape)
    target = TARGETS["deb"]
    sandbox = _sandbox(work, load_channel(channel_file).at(), target)
    request = parse_request("apt-get install cuda")

    def answer(merged: ReleaseModel | None = None) -> Resolution:
        merged = merged or load_channel(channel_file).at()
        (repository,) = merged.select([target], [ARCH])
        return resolve(universe_for(repository, base=apt_packages(open_apt(root), ARCH)), request)

    apt = settings.timed(functools.partial(sandbox.install, request.names))
    theirs = sandbox.install(request.names)
    agree = _agreement(answer(), theirs)
    what = f"a channel of {shape.releases} releases ({shape.size:,} packages) over Debian 12"
    yield Row(
        "scale",
        count,
        f"repogen: load {what}, read the index, `{request}`",
        settings.timed(answer),
        reference="apt-get -s (cache built in memory)",
        reference_timing=apt,
        note="target: ratio >= 1.0x; " + agree,
    )
    merged = load_channel(channel_file).at()
    yield Row(
        "scale",
        count,
        f"repogen: {what} (model loaded), read the index, `{request}`",
        settings.timed(functools.partial(answer, merged)),
        reference="apt-get -s (cache built in memory)",
        reference_timing=apt,
    )

    def published() -> Resolution:
        """What apt reads: the channel's repository as built (the sandbox's) and the index.
        The tree is read as its indices give it, nothing inferred: the base is the index,
        not the stubs :func:`repogen.index.load_tree` would assume for a tree alone."""
        (repository,) = tree_repositories(work / "release", light=False)[0]
        base = apt_packages(open_apt(root), ARCH)
        return resolve(universe_for(repository, base=base), request)

    resolution = published()
    yield Row(
        "scale",
        count,
        f"repogen: read {what} as published (its Packages) and the index, `{request}`",
        settings.timed(published),
        reference="apt-get -s (cache built in memory)",
        reference_timing=apt,
        note="target: ratio >= 1.0x; " + _agreement(resolution, theirs),
    )


def scale_rows(settings: Settings) -> Iterator[Row]:
    """Resolution over Debian 12's own main index layered under the debian12 release, and
    under a channel of many releases; dnf module requests over many branches' streams."""
    index = debian_index()
    if index is None:
        note = f"skipped: no {DEBIAN_LISTS}/{DEBIAN_INDEX}; run `apt-get update` on Debian 12"
        yield Row("scale", 0, "resolution over Debian 12's index", Timing((0.0,)), note=note)
    else:
        yield from rows(settings, index)
        yield from channel_rows(settings, index)
    yield from modules_rows(settings)
