"""What a file that is not text carries that a reader could see: a picture's metadata, a PDF's
text, the files of a zip archive (a spreadsheet, a document and an e-book are zip archives:
their words are compressed, and no search of the file's own bytes would find them).

What the audit cannot read whole (an encrypted PDF or archive, a damaged one, one that unpacks
to more than it may read) cannot be vouched for: it is `Unreadable`, and not published.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable

ZIP = b"PK\x03\x04"
PDF = b"%PDF"
EXIF_IFD = 0x8769  # EXIF's own directory: a user comment
ARCHIVES_DEEP = 3  # archives within archives read this deep
READ_AT_MOST = 256 << 20  # bytes unpacked from one file, nested archives included (a zip bomb stops there)
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
    """A file the audit cannot read whole: what it does not read, it cannot vouch for."""


def carried_text(data: bytes, read: Read) -> list[str]:
    """The texts a file carries beside its bytes as written (read: how a file in an archive is read)."""
    if data.startswith(ZIP):
        return archive_text(data, read, [READ_AT_MOST], 0)
    if data.startswith(PDF):
        return pdf_text(data, read)
    return picture_text(data)


def archive_text(data: bytes, read: Read, budget: list[int], depth: int) -> list[str]:
    """The name and readable text of each file in a zip archive; its XML (an Office or
    OpenDocument file's) also without its tags, so that words its markup parts read as a reader
    sees them: side by side in cells (`<t>Zoë</t></si><si><t>Haldane</t>`), whole across runs
    (`<w:t>Hal</w:t></w:r><w:r><w:t>dane</w:t>`). budget:
    the bytes still to be unpacked, shared with the archives it holds."""
    if depth >= ARCHIVES_DEEP:
        raise Unreadable(f"it holds archives more than {ARCHIVES_DEEP} deep")
    texts: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"it cannot be opened as a zip archive ({exc})") from exc
    with archive:
        for info in archive.infolist():
            texts.append(info.filename)
            if info.is_dir():
                continue
            if info.file_size > budget[0]:
                raise Unreadable(f"it unpacks to more than the {READ_AT_MOST >> 20} MB the audit reads")
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
                raise Unreadable(f"its file '{info.filename}' cannot be unpacked ({exc})") from exc
            budget[0] -= len(content)
            if budget[0] < 0:
                raise Unreadable(f"it unpacks to more than the {READ_AT_MOST >> 20} MB the audit reads")
            if content.startswith(ZIP):
                texts += archive_text(content, read, budget, depth + 1)
                continue
            texts.append(read(info.filename, content))
            if info.filename.endswith((".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx")):
                text = content.decode("utf-8", errors="replace")
                texts += [TAGS.sub(" ", text), TAGS.sub("", BLOCKS.sub(" ", text))]
    return texts


def pdf_text(data: bytes, read: Read) -> list[str]:
    """A PDF's text as a reader's tools get it (pypdf: each page's text, however its fonts encode
    it), its document information (title, author, subject), its form fields' values, and the
    text of each file attached to it."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("it is encrypted with a password")
        texts = [page.extract_text() or "" for page in reader.pages]
        texts += [str(value) for value in (reader.metadata or {}).values()]
        texts += [str(field.get("/V", "")) for field in (reader.get_fields() or {}).values()]
        for name, contents in reader.attachments.items():
            texts += [name, *(read(name, content) for content in contents)]
    except Unreadable:
        raise
    except Exception as exc:  # pypdf's own errors, and what a damaged file makes it raise: said, never passed
        raise Unreadable(f"it cannot be read as a PDF ({type(exc).__name__}: {exc})") from exc
    return texts


def picture_text(data: bytes) -> list[str]:
    """The text a picture carries beside its pixels, as Pillow reads it: EXIF (a description,
    an artist, the title and comments Windows writes, in UTF-16 of either byte order), PNG's
    text chunks, XMP. Nothing for a file Pillow cannot open (a font)."""
    from PIL import Image, UnidentifiedImageError

    values: list[object] = []
    try:
        with warnings.catch_warnings():  # a huge picture: Pillow warns; its header is all that is read
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as picture:
                exif = picture.getexif()
                values += [*exif.values(), *exif.get_ifd(EXIF_IFD).values(), *picture.info.values()]
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return []
    texts = []
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, bytes):
            texts += [value.decode("utf-8", errors="replace"), value.decode("latin-1")]
            texts += [
                value[start:].decode(utf16, errors="replace")
                for start in (0, 1)
                for utf16 in ("utf-16-le", "utf-16-be")
            ]
    return texts
