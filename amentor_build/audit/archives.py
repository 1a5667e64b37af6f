"""What an archive holds, as the audit reads it: the files of a zip archive (a spreadsheet, a
document and an e-book are zip archives), and what a gzip, xz or bzip2 file unpacks to (an
`.svgz`; a `.tar.gz`, each file of its tar archive). Archives within archives are read too, to
ARCHIVES_DEEP, and no more than READ_AT_MOST bytes unpacked in all (a zip bomb stops there).
"""

from __future__ import annotations

import bz2
import io
import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

ZIP = b"PK\x03\x04"
GZIP, XZ, BZIP2 = b"\x1f\x8b", b"\xfd7zXZ\x00", re.compile(rb"BZh[1-9]1AY&SY")  # (an .svgz is gzip)
ARCHIVES_DEEP = 3  # archives within archives read this deep
READ_AT_MOST = 256 << 20  # bytes unpacked from one file, nested archives included (a zip bomb stops there)
TOO_BIG = f"it unpacks to more than the {READ_AT_MOST >> 20} MB the audit reads"
TAGS = re.compile(r"<[^>]*>")
# Office and OpenDocument markup that parts words as a page's blocks do (a paragraph, a line
# break, a tab, a table's or a sheet's cell and row); any other tag (a run of text in one font,
# a spelling mark) sits inside a word as often as between two.
BLOCKS = re.compile(
    r"</?(?:\w+:)?(?:p|h|br|cr|tab|line-break|tc|tr|td|th|row|c|si|is|table-cell|table-row|list-item)\b[^>]*>"
)

Read = Callable[
    [str, bytes], str
]  # (name, bytes) -> the readable text of a file in an archive (readings.readable_text)


class Unreadable(Exception):
    """A file the audit cannot read whole (what it does not read, it cannot vouch for): why, and
    what the school can do."""

    def __init__(self, why: str, remedy: str = "leave it out"):
        super().__init__(why)
        self.why, self.remedy = why, remedy


def is_compressed(data: bytes) -> bool:
    """A gzip, xz or bzip2 file (each told by its first bytes)."""
    return data.startswith((GZIP, XZ)) or BZIP2.match(data) is not None


def archive_text(data: bytes, read: Read, budget: list[int], depth: int) -> list[str]:
    """The name and readable text of each file in a zip archive; its XML (an Office or
    OpenDocument file's) also without its tags, so that words its markup parts read as a reader
    sees them: side by side in cells (`<t>Zoë</t></si><si><t>Haldane</t>`), whole across runs
    (`<w:t>Hal</w:t></w:r><w:r><w:t>dane</w:t>`). budget:
    the bytes still to be unpacked, shared with the archives it holds."""
    if depth >= ARCHIVES_DEEP:
        raise Unreadable(f"it holds archives more than {ARCHIVES_DEEP} deep", "unpack it, or leave it out")
    texts: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"it cannot be opened as a zip archive ({exc})", "save it again") from exc
    with archive:
        texts.append(archive.comment.decode("utf-8", errors="replace"))
        for info in archive.infolist():
            texts.append(info.filename)
            if info.is_dir():
                continue
            if info.file_size > budget[0]:
                raise Unreadable(TOO_BIG, "publish it in parts")
            try:
                with archive.open(info) as member:
                    content = member.read(budget[0] + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                OSError,
                EOFError,
                ValueError,
                RuntimeError,
                NotImplementedError,
            ) as exc:
                # RuntimeError: encrypted; NotImplementedError: a method zipfile lacks (Deflate64);
                # lzma's and bz2's errors are OSErrors, EOFErrors or ValueErrors
                raise Unreadable(
                    f"its file '{info.filename}' cannot be unpacked ({exc})", "save it again, without a password"
                ) from exc
            budget[0] -= len(content)
            if budget[0] < 0:
                raise Unreadable(TOO_BIG, "publish it in parts")
            if content.startswith(ZIP) or is_compressed(content):
                texts += _packed_text(content, read, budget, depth + 1)
                continue
            texts.append(read(info.filename, content))
            if info.filename.endswith((".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx")):
                text = content.decode("utf-8", errors="replace")
                texts += [TAGS.sub(" ", text), TAGS.sub("", BLOCKS.sub(" ", text))]
    return texts


def unpacked_text(data: bytes, read: Read, budget: list[int], depth: int) -> list[str]:
    """The readable text of what a gzip, xz or bzip2 file unpacks to: the file it holds, or each
    file of the tar archive it holds, with its name (budget: as archive_text's)."""
    if depth >= ARCHIVES_DEEP:
        raise Unreadable(f"it holds archives more than {ARCHIVES_DEEP} deep", "unpack it, or leave it out")
    content = unpacked(data, budget[0])
    budget[0] -= len(content)
    if content[257:262] != b"ustar":  # one file, not a tar archive
        return _packed_text(content, read, budget, depth + 1) if _is_packed(content) else [read("", content)]
    texts: list[str] = []
    try:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:") as archive:
            for member in archive:
                texts.append(member.name)
                if member.size > budget[0]:  # (a sparse file's holes are read as the zeros they stand for)
                    raise Unreadable(TOO_BIG, "publish it in parts")
                file = archive.extractfile(member) if member.isfile() else None
                inner = file.read() if file is not None else b""
                budget[0] -= len(inner)
                packed = _is_packed(inner)
                texts += _packed_text(inner, read, budget, depth + 1) if packed else [read(member.name, inner)]
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise Unreadable(f"its tar archive cannot be read ({exc})", "save it again") from exc
    return texts


UNPACK_STEP = 1 << 16  # bytes of a compressed file given to its decompressor at a time


def unpacked(data: bytes, budget: int) -> bytes:
    """Every stream of a gzip, xz or bzip2 file unpacked, one after another (pigz, pbzip2 and a
    `cat` of two files write several), the zeros that may pad them passed over; Unreadable if it
    is damaged, cut short, followed by anything else (what it does not read, the audit cannot
    vouch for), or unpacks to more than budget. The file is read a step at a time, so that a
    file of thousands of streams costs no more than one."""
    out, view, at = bytearray(), memoryview(data), 0
    unpacker: Any = None
    left = b""  # what the last stream left of its step: the start of the next, or padding
    while True:
        chunk = left or view[at : at + UNPACK_STEP]
        at += 0 if left else len(chunk)
        left = b""
        if unpacker is None:
            chunk = bytes(chunk).lstrip(b"\0")
            if not chunk:
                if at >= len(data):
                    return bytes(out)
                continue
            if len(chunk) < 10 and at < len(data):  # too short to tell its kind: take more
                left, chunk = chunk + bytes(view[at : at + UNPACK_STEP]), b""
                at = min(at + UNPACK_STEP, len(data))
                continue
            if not is_compressed(chunk):
                raise Unreadable("it holds something else after its compressed data", "save it again")
            unpacker = (
                zlib.decompressobj(16 + zlib.MAX_WBITS)
                if chunk.startswith(GZIP)
                else lzma.LZMADecompressor()
                if chunk.startswith(XZ)
                else bz2.BZ2Decompressor()
            )
        elif not chunk:
            raise Unreadable("it is cut short: it cannot be unpacked whole", "save it again")
        try:
            out += unpacker.decompress(chunk, budget + 1 - len(out))
        except (zlib.error, lzma.LZMAError, OSError, EOFError, ValueError) as exc:
            raise Unreadable(f"it cannot be unpacked ({exc})", "save it again") from exc
        if len(out) > budget:
            raise Unreadable(TOO_BIG, "publish it in parts")
        if unpacker.eof:
            left, unpacker = unpacker.unused_data, None
            if not left and at >= len(data):
                return bytes(out)


def _is_packed(data: bytes) -> bool:
    return data.startswith(ZIP) or is_compressed(data)


def _packed_text(data: bytes, read: Read, budget: list[int], depth: int) -> list[str]:
    """An archive or a compressed file inside another: read with the budget and depth of the
    one that holds it (a chain of them ends at ARCHIVES_DEEP, however it mixes the two)."""
    if data.startswith(ZIP):
        return archive_text(data, read, budget, depth)
    return unpacked_text(data, read, budget, depth)
