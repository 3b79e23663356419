"""primary, filelists and other as multi-member gzip files, one member per chunk of packages.

A repository's packages are ordered by the release that first published them, oldest first;
the packages one release first published are a *chunk*.  Each of the three files is a gzip
member holding the header createrepo_c writes (the XML declaration and the opening element
with ``packages="N"``), one member per chunk with its packages as createrepo_c dumps them,
and one member with the closing tag.  zlib's ``gzread``, with which librepo, libsolv (dnf,
zypper) and createrepo_c read them, reads concatenated members as one stream (RFC 1952 §2.2).

Publishing a release then appends: the header is written again (the count changes), the
chunk members already published are copied as they are, and only the new chunk is dumped and
compressed.  :class:`PublishedChunks` is what that needs of a published repository, read
without loading its records.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import tempfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import createrepo_c as cr

from repogen.publish.base import BuildError

#: The files that list the packages, in the order repomd.xml names them.
PACKAGE_FILES = ("primary", "filelists", "other")

_XML_FILES: Mapping[str, Callable[..., cr.XmlFile]] = {
    "primary": cr.PrimaryXmlFile,
    "filelists": cr.FilelistsXmlFile,
    "other": cr.OtherXmlFile,
}
_DUMPS: Mapping[str, Callable[[cr.Package], str]] = {
    "primary": cr.xml_dump_primary,
    "filelists": cr.xml_dump_filelists,
    "other": cr.xml_dump_other,
}

#: How much compressed input one step of reading a member takes: a member's end is known
#: only once it is inflated, and what zlib gives back past it is at most this.
_BLOCK = 1 << 16
_COUNT = re.compile(rb' packages="(\d+)">')
_PACKAGE = b'<package type="rpm">'
_LOCATION = re.compile(rb'<location (?:xml:base="[^"]*" )?href="([^"]*)"/>')
_PACKAGE_END = b"</package>\n"


def member(data: bytes) -> bytes:
    """*data* as one gzip member, the same bytes every time (no time, no file name) and as
    createrepo_c compresses (zlib's default level)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def frame(mdtype: str, count: int) -> tuple[bytes, bytes]:
    """The header and the closing tag of *mdtype* listing *count* packages, as createrepo_c
    writes them around the packages."""
    with tempfile.TemporaryDirectory(prefix="repogen-rpmmd-") as scratch:
        path = Path(scratch, f"{mdtype}.xml")
        xml = _XML_FILES[mdtype](str(path), cr.NO_COMPRESSION)
        xml.set_num_of_pkgs(count)
        xml.close()
        text = path.read_bytes()
    end = text.rindex(b"</")
    return text[:end], text[end:]


def _members(data: bytes) -> Iterator[tuple[int, bytes]]:
    """The end offset and the content of each gzip member of *data*, in order."""
    view = memoryview(data)
    position = 0
    while position < len(data):
        inflater = zlib.decompressobj(31)
        parts = []
        while not inflater.eof:
            if position >= len(data):
                raise zlib.error("truncated gzip member")
            block = view[position : position + _BLOCK]
            parts.append(inflater.decompress(block))
            position += len(block)
        position -= len(inflater.unused_data)
        yield position, b"".join(parts)


@dataclass(frozen=True)
class Opened:
    """The uncompressed content of a file: its SHA-256 and size (repomd.xml's
    ``open-checksum`` and ``open-size``), known as it is written."""

    checksum: str
    size: int

    def stat(self) -> cr.ContentStat:
        stat = cr.ContentStat(cr.SHA256)
        stat.checksum, stat.size = self.checksum, self.size
        return stat


def write_package_files(
    repodata: Path,
    mdtypes: Sequence[str],
    chunks: Sequence[Sequence[cr.Package]],
    published: PublishedChunks | None = None,
) -> dict[str, Opened]:
    """Write the files of *mdtypes* into *repodata*: the members of *published* (if any) as
    they are, then one member per chunk of *chunks* (each in the order it is given)."""
    count = sum(map(len, chunks)) + (published.count if published else 0)
    opened = {}
    for mdtype in mdtypes:
        header, footer = frame(mdtype, count)
        dump = _DUMPS[mdtype]
        digest = hashlib.sha256(header)
        size = len(header)
        with (repodata / f"{mdtype}.xml.gz").open("wb") as out:
            out.write(member(header))
            if published is not None:
                out.write(published.members[mdtype])
                for content in published.contents(mdtype):
                    digest.update(content)
                    size += len(content)
            for chunk in chunks:
                content = "".join(map(dump, chunk)).encode()
                out.write(member(content))
                digest.update(content)
                size += len(content)
            out.write(member(footer))
        digest.update(footer)
        opened[mdtype] = Opened(digest.hexdigest(), size + len(footer))
    return opened


@dataclass(frozen=True)
class PublishedChunks:
    """The packages a repository's primary lists, by chunk, and, when its three files are
    made as :func:`write_package_files` makes them, their chunk members to append to."""

    #: The locations of the packages, per chunk, in file order (a file written otherwise:
    #: one chunk, every package).
    chunks: tuple[tuple[str, ...], ...]
    #: Per file, its chunk members' compressed bytes (header and closing tag left out);
    #: empty when they cannot be appended to.
    members: Mapping[str, bytes]
    #: The package elements of primary, per chunk, as the file holds them.
    texts: tuple[bytes, ...]
    #: Where each location is named: its chunk and the offset in that chunk's text.
    places: Mapping[str, tuple[int, int]]

    @property
    def count(self) -> int:
        return sum(map(len, self.chunks))

    @property
    def appendable(self) -> bool:
        return bool(self.members)

    def contents(self, mdtype: str) -> Iterator[bytes]:
        """The uncompressed content of the chunk members of *mdtype*, in order."""
        if mdtype == "primary":
            yield from self.texts
        else:
            yield from (content for _, content in _members(self.members[mdtype]))

    def records(self, locations: Collection[str]) -> dict[str, cr.Package]:
        """The primary records of the packages at *locations*, by location: only their
        elements are parsed."""
        elements = []
        for location in locations:
            chunk, offset = self.places[location]
            text = self.texts[chunk]
            start = text.rindex(_PACKAGE, 0, offset)
            end = text.index(_PACKAGE_END, offset) + len(_PACKAGE_END)
            elements.append(text[start:end])
        records: dict[str, cr.Package] = {}

        def keep(record: cr.Package) -> bool:
            records[record.location_href] = record
            return True

        if elements:
            cr.xml_parse_primary_snippet(b"".join(elements).decode(), pkgcb=keep)
        return records


def read_published(repository: Path) -> PublishedChunks | None:
    """What :class:`PublishedChunks` needs of the repodata at *repository*, as its
    ``repomd.xml`` names it; none when it has none."""
    repomd_path = repository / "repodata" / "repomd.xml"
    if not repomd_path.is_file():
        return None
    try:
        repomd = cr.Repomd(str(repomd_path))
        hrefs = {record.type: record.location_href for record in repomd.records}
        files = {mdtype: (repository / hrefs[mdtype]).read_bytes() for mdtype in PACKAGE_FILES}
        primary = [content for _, content in _members(files["primary"])]
    except (cr.CreaterepoCError, KeyError, OSError, zlib.error) as error:
        raise BuildError(f"{repository / 'repodata'}: cannot be read: {error}") from error
    texts = tuple(text for text in map(_packages, primary) if text)
    chunks: list[tuple[str, ...]] = []
    places: dict[str, tuple[int, int]] = {}
    for number, text in enumerate(texts):
        chunk = []
        for match in _LOCATION.finditer(text):
            href = match[1].decode()
            location = html.unescape(href) if "&" in href else href
            places[location] = (number, match.start())
            chunk.append(location)
        chunks.append(tuple(chunk))
    count = sum(map(len, chunks))
    # Members as written here: a header, chunks holding package elements alone (each with
    # its location), the closing tag; the header and the closing tag checked below.
    framed = (
        len(primary) >= 2
        and all(c.startswith(_PACKAGE) and c.endswith(_PACKAGE_END) for c in primary[1:-1])
        and all(t.count(_PACKAGE) == len(c) for t, c in zip(texts, chunks, strict=True))
        and len(places) == count
    )
    members = {
        mdtype: _chunk_members(data, mdtype, count) if framed else None
        for mdtype, data in files.items()
    }
    appendable = {m: data for m, data in members.items() if data is not None}
    if len(appendable) < len(members):
        appendable = {}
    return PublishedChunks(tuple(chunks), appendable, texts, places)


def _packages(content: bytes) -> bytes:
    """The package elements of one member of primary (none for the header and the closing
    tag): the member itself when it holds nothing else, as a chunk's does."""
    if content.startswith(_PACKAGE) and content.endswith(_PACKAGE_END):
        return content
    start = content.find(_PACKAGE)
    if start < 0:
        return b""
    return content[start : content.rindex(_PACKAGE_END) + len(_PACKAGE_END)]


def _chunk_members(data: bytes, mdtype: str, count: int) -> bytes | None:
    """The chunk members of *data*, the file of *mdtype*, when it starts with the header
    member of *count* packages and ends with the closing tag's, as written here."""
    header, footer = frame(mdtype, count)
    closing = member(footer)
    try:
        end, first = next(_members(data))
    except (zlib.error, StopIteration):
        return None
    if first != header or not data.endswith(closing) or end > len(data) - len(closing):
        return None
    return data[end : len(data) - len(closing)]
