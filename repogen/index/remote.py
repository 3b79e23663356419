"""Repositories over http:// and https://: their metadata downloaded, then read as on disk.

Only what a reader reads is downloaded: ``manifest.json`` of a build output, each
repository's Release (InRelease, Release.gpg) or repomd.xml (repomd.xml.asc), and the
indices these list (one form of each ``Packages``; ``primary`` and ``modules``), never a
package.  The files that name others are downloaded every time; an index is downloaded only
when the cache has no file with the digest its Release or repomd.xml gives, and is kept
there only once its digest was checked.  The cache is ``$XDG_CACHE_HOME/repogen/indices``
(default ``~/.cache/repogen/indices``), one file per digest.

Each family says which files its repositories have (``FamilyDriver.download``); the
downloaded tree is laid out under a temporary directory as the URL's path, so that the names
a reader derives from directories (a bare repository's target) are the URL's.  The readers
then verify hashes and signatures as they do on disk.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPMessage
from pathlib import Path, PurePosixPath
from typing import IO

from repogen.addresses import is_url
from repogen.index.errors import MetadataError
from repogen.index.files import INDEX_CAP, TOP_CAP, check_digest, copy_capped, mib, one_line

#: Seconds a server may take to answer, or between two reads.
TIMEOUT = 60
_HEX = re.compile(r"[0-9a-f]{32,128}")


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects followed within http and https only (urllib's own also follows ftp)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if not is_url(newurl):
            fp.close()
            raise MetadataError(f"{req.full_url}: redirected to {newurl}, not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def cache_directory() -> Path:
    """Where downloaded indices are kept, by digest."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repogen" / "indices"


def _relative(name: str, shown: str) -> str:
    """*name* (from a manifest, a Release, a repomd.xml) if it stays below the base URL."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\x00" in name or "?" in name:
        raise MetadataError(f"{shown}: {name!r} is not a path inside the repository")
    return path.as_posix()


class RemoteTree:
    """The metadata of the repositories at one URL, downloaded into a local directory."""

    def __init__(self, url: str, local: Path, cache: Path) -> None:
        self.url = url.rstrip("/") + "/"
        #: The directory the URL's files are written to.
        self.local = local
        self.cache = cache

    @property
    def path(self) -> PurePosixPath:
        """The URL's path, for a reader to tell a layout by (``…/dists/<suite>``)."""
        return PurePosixPath(urllib.parse.urlsplit(self.url).path)

    def _open(self, url: str) -> object:
        request = urllib.request.Request(url, headers={"User-Agent": "repogen"})
        return _OPENER.open(request, timeout=TIMEOUT)

    def _download(self, name: str, target: Path, cap: int) -> bool:
        """*name* below the URL written to *target*; False when the server has no such
        file (404, 410)."""
        url = urllib.parse.urljoin(self.url, name)
        try:
            with self._open(url) as response, target.open("wb") as out:  # type: ignore[attr-defined]
                copy_capped(response, out, cap, f"{url}: larger than {mib(cap)}")
        except urllib.error.HTTPError as exc:
            target.unlink(missing_ok=True)
            if exc.code in {404, 410}:
                return False
            raise MetadataError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            target.unlink(missing_ok=True)
            reason = getattr(exc, "reason", exc)
            raise MetadataError(f"{url}: cannot be downloaded: {one_line(reason)}") from None
        return True

    def top(self, name: str) -> bool:
        """Download *name* (a file that names others: always fresh); False when missing."""
        relative = _relative(name, self.url)
        target = self.local / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return self._download(relative, target, TOP_CAP)

    def local_path(self, name: str) -> Path:
        """Where *name* below the URL is (or will be) in the local tree."""
        return self.local / _relative(name, self.url)

    def index(self, name: str, algorithm: str, digest: str, listed_in: str) -> None:
        """Put the index *name* in the local tree: from the cache when it holds a file with
        *digest*, else downloaded, checked and then cached."""
        relative = _relative(name, listed_in)
        digest = digest.lower()
        algorithm_name = algorithm.lower()
        if _HEX.fullmatch(digest) is None or not algorithm_name.isalnum():
            raise MetadataError(f"{listed_in}: {algorithm} {digest!r} is not a checksum")
        cached = self.cache / algorithm_name / digest
        target = self.local / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False) as partial:
                downloading = Path(partial.name)
            try:
                url = urllib.parse.urljoin(self.url, relative)
                if not self._download(relative, downloading, INDEX_CAP):
                    raise MetadataError(f"{url}: missing (listed in {listed_in})")
                check_digest(downloading, algorithm, digest, url, listed_in)
                downloading.replace(cached)
            finally:
                downloading.unlink(missing_ok=True)
        shutil.copyfile(cached, target)


@contextmanager
def remote_tree(url: str) -> Iterator[RemoteTree]:
    """A :class:`RemoteTree` of *url* in a temporary directory that lives for the block."""
    parts = urllib.parse.urlsplit(url)
    if not parts.netloc or parts.query or parts.fragment:
        raise MetadataError(f"{url}: not a repository URL (scheme://host/path)")
    with tempfile.TemporaryDirectory(prefix="repogen-remote-") as work:
        path = parts.path.strip("/")
        local = Path(work) / (_relative(path, url) if path else parts.netloc.replace(":", "-"))
        local.mkdir(parents=True, exist_ok=True)
        yield RemoteTree(url, local, cache_directory())
