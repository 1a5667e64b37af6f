"""What a file that is not text carries that a reader could see: a picture's metadata, a PDF's
text, what an archive holds (archives.py: a spreadsheet, a document and an e-book are zip
archives: their words are compressed, and no search of the file's own bytes would find them),
and the runs of UTF-16 text in a binary file (an old Office document's words).

What the audit cannot read whole (an encrypted PDF or archive, a damaged one, one that unpacks
to more than it may read) cannot be vouched for: it is `Unreadable`, and not published.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from .archives import READ_AT_MOST, ZIP, Read, Unreadable, archive_text, is_compressed, unpacked_text

PDF = b"%PDF"
EXIF_IFD = 0x8769  # EXIF's own directory: a user comment
PAIRED = 6  # capitalised one-word cells of a row read two by two (a class list's names)
PAIRS_AT_MOST = 200_000  # pairs read of one spreadsheet (a class list has a few hundred)
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
TEXT_RUN = re.compile(rb"[\x20-\x7e\t\r\n]{12,}")  # a run of text long enough not to be chance in binary data
# Six characters or more of UTF-16 text, little-endian then big-endian (each looked for apart,
# so that neither hides the other): Latin (Łukasz; Nguyễn's Latin Extended Additional), Greek,
# Cyrillic, Hebrew, Arabic and Devanagari letters, whose high byte is one of a few.
UTF16_RUNS = (
    re.compile(rb"(?:[\x20-\xff]\x00|[\x00-\xff][\x01-\x06\x09\x1e]){6,}"),
    re.compile(rb"(?:\x00[\x20-\xff]|[\x01-\x06\x09\x1e][\x00-\xff]){6,}"),
)
PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b""}


def carried_text(data: bytes, read: Read) -> list[str]:
    """The texts a file carries beside its bytes as written (read: how a file in an archive is read)."""
    if data.startswith(ZIP):
        texts = archive_text(data, read, [READ_AT_MOST], 0)
        return texts + sheet_rows(data) if "xl/workbook.xml" in texts else texts
    if is_pdf(data):
        return pdf_text(data, read) + strings(data)
    if is_compressed(data):
        return unpacked_text(data, read, [READ_AT_MOST], 0)
    return picture_text(data) + utf16_runs(data)  # (UTF-16 text with no mark: an old Office document's)


def is_pdf(data: bytes) -> bool:
    """A PDF: its header in its first kilobyte, where readers look for it."""
    return PDF in data[:1024]


def utf16_runs(data: bytes) -> list[str]:
    """The runs of UTF-16 text in a file's bytes (see UTF16_RUNS), each as text."""
    return [
        run.decode(order, errors="replace")
        for pattern, order in zip(UTF16_RUNS, ("utf-16-le", "utf-16-be"), strict=True)
        for run in pattern.findall(data)
    ]


def strings(data: bytes) -> list[str]:
    """What a PDF holds as text outside what a reader shows (an earlier revision saved over, an
    object no page uses, a form that borrows its page's fonts): each of its streams inflated, and
    in it and in the file, every run of text long enough not to be chance (as `strings` finds
    them: a photo's bytes hold none), its literal strings' escapes undone, and UTF-16 runs."""
    parts, budget = [data], READ_AT_MOST
    for stream in PDF_STREAM.finditer(data):
        if budget <= 0:
            break
        with contextlib.suppress(zlib.error):
            unpacked = zlib.decompressobj().decompress(stream[1], budget)
            budget -= len(unpacked)
            parts.append(unpacked)
    texts = []
    for part in parts:
        for run in TEXT_RUN.findall(part):
            texts.append(PDF_ESCAPE.sub(_unescaped, run).decode("latin-1"))
        texts += utf16_runs(part)
    return texts


def _unescaped(escape: re.Match[bytes]) -> bytes:
    code = escape[1]
    if code[0] in b"01234567":  # \351: an octal byte
        return bytes([int(code, 8) & 0xFF])
    return PDF_ESCAPES.get(code, code)


def sheet_rows(data: bytes) -> list[str]:
    """A spreadsheet's (.xlsx) text row by row: each row's cells side by side, and each two of
    its one-word cells side by side too, so that a class list's first and last names read as a
    full name however far apart their columns are (Excel keeps a sheet's words in the order they
    were typed, not row by row)."""
    from openpyxl import load_workbook

    lines = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # what openpyxl would drop on saving: nothing of the values
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells = [str(v).strip() for v in row if v is not None and str(v).strip()]
                    words = [c for c in cells if c.isalpha() and c[:1].isupper()][:PAIRED]  # (names)
                    lines.append(" ".join(cells))
                    if len(lines) < PAIRS_AT_MOST:
                        lines += [f"{a} {b}" for a in words for b in words if a is not b]
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, SyntaxError, EOFError, OSError):
        return []  # not a workbook openpyxl reads, after all: its XML is still read file by file
    return lines


def pdf_text(data: bytes, read: Read) -> list[str]:
    """A PDF's text as a reader's tools get it (pypdf: each page's text, however its fonts encode
    it), its comments and their attached files, its bookmarks, its document information and XMP
    metadata, its form fields' values, and the text of each file attached to it. A page whose
    text pypdf reads only in part (it says so) makes the file unreadable."""
    from pypdf import PdfReader

    with _said_by("pypdf") as said:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise Unreadable("it is encrypted with a password", "save it again without one")
            texts = []
            for page in reader.pages:
                texts.append(page.extract_text() or "")
                for annotation in page.get("/Annots") or []:  # a comment, a sticky note, a file attached to one
                    texts += _annotation_text(annotation.get_object(), read)
            texts += _outline(reader.outline)
            texts += [str(value) for value in (reader.metadata or {}).values()]
            if reader.xmp_metadata is not None:
                texts.append(reader.xmp_metadata.stream.get_data().decode("utf-8", errors="replace"))
            texts += [str(field.get("/V", "")) for field in (reader.get_fields() or {}).values()]
            for name, contents in reader.attachments.items():
                texts += [name, *(read(name, _attached(content)) for content in contents)]
        except Unreadable:
            raise
        except Exception as exc:  # pypdf's own errors, and what a damaged file makes it raise: said, never passed
            raise Unreadable(f"it cannot be read as a PDF ({type(exc).__name__}: {exc})", "save it again") from exc
    cut = [m for m in said if any(w in m for w in ("skipped", "Skipping", "Exceeded", "Impossible to decode"))]
    if cut:
        raise Unreadable(
            f"its text could be read only in part ({cut[0]})", "save it again more simply, or leave it out"
        )
    return texts


def _annotation_text(annotation: Any, read: Read) -> list[str]:
    texts = [str(annotation.get(key, "")) for key in ("/Contents", "/T", "/Subj", "/RC")]
    attached = annotation.get("/FS")
    if attached is not None:
        spec = attached.get_object()
        texts.append(str(spec.get("/UF", spec.get("/F", ""))))
        embedded = (spec.get("/EF") or {}).get("/F")
        if embedded is not None:
            texts.append(read(texts[-1], _attached(embedded.get_object().get_data())))
    return texts


def _attached(data: bytes) -> bytes:
    """A file attached to a PDF, if it is no archive or PDF itself: those could nest without end,
    each with a budget of its own."""
    if data.startswith(ZIP) or is_pdf(data):
        raise Unreadable("it has a PDF or an archive attached to it", "publish what is attached apart from it")
    return data


def _outline(items: Any) -> list[str]:
    """The titles of a PDF's bookmarks, at every level."""
    texts = []
    for item in items or []:
        texts += _outline(item) if isinstance(item, list) else [str(getattr(item, "title", "") or "")]
    return texts


@contextlib.contextmanager
def _said_by(name: str) -> Iterator[list[str]]:
    """What a library logs while the block runs (its warnings: how it read a file not quite to the
    standard), kept for the caller instead of printed on the command's output."""
    said: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    logger, keep = logging.getLogger(name), Keep()
    propagates = logger.propagate
    logger.addHandler(keep)
    logger.propagate = False
    try:
        yield said
    finally:
        logger.removeHandler(keep)
        logger.propagate = propagates


def picture_text(data: bytes) -> list[str]:
    """The text a picture carries beside its pixels, as Pillow reads it: EXIF (a description,
    an artist, the title and comments Windows writes, in UTF-16 of either byte order), PNG's
    text chunks, XMP. Nothing for a file Pillow cannot open (a font)."""
    from PIL import Image, UnidentifiedImageError

    values: list[object] = []
    try:
        with warnings.catch_warnings(), _said_by("PIL"):  # a huge picture: Pillow warns; its header is all read
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as picture:
                exif = picture.getexif()
                values += [*exif.values(), *exif.get_ifd(EXIF_IFD).values(), *picture.info.values()]
    except UnidentifiedImageError:
        return []  # no picture (a font, say): nothing beside its bytes
    except Exception as exc:  # a damaged picture: what Pillow raises for it varies (KeyError for a TIFF tag)
        raise Unreadable(f"it cannot be read as a picture ({type(exc).__name__}: {exc})", "save it again") from exc
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
