"""The audit's reading of a file of the site: the text a reader could see in it, each way it
may be read (a page's text as written, with entities undone, with its inline markup taken out;
a picture's metadata), so that a name however written is found."""

from __future__ import annotations

import codecs
import contextlib
import html
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable

# Markup that leaves the words on either side side by side (a table's cells, a line break in a
# paragraph too): taken out, a name it splits reads whole. Other tags (a paragraph, a list item)
# stay: their names part the words as the page's blocks do.
INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup"
    r"|td|th|time|u|var|wbr|br)(?:\s[^>]*)?/?>",
    re.IGNORECASE,
)
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners
EXIF_IFD = 0x8769  # EXIF's own directory: a user comment
# Between two readings of one file: a word no secret holds, so that the last word of one
# reading and the first of the next never read as a name.
VARIANT = "\n\u01c1\u01c1\u01c1\n"


ZIP = b"PK\x03\x04"
ARCHIVE_DEPTH = 3  # archives within archives read this deep
ARCHIVE_READ = 64 << 20  # bytes unpacked from one archive or PDF at most
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
PDF_HEX = re.compile(rb"<((?:[0-9A-Fa-f]{2}\s*){2,})>")  # <FEFF005A006F00EB>: a string in hexadecimal
PDF_LITERAL = re.compile(rb"\(((?:[^\\()]|\\.)*)\)", re.DOTALL)  # (Zo\353 Haldane): a literal string
PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
PDF_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b""}


Pictures = Callable[[bytes], list[str]]  # a picture's bytes -> the texts it carries (picture_text, or a cache of it)


def readable_text(rel: str, data: bytes, pictures: Pictures | None = None, depth: int = 0) -> str:
    """The text a reader of this file could see, in each of the ways it may be read (each apart:
    see VARIANT): as written; entities and JSON escapes undone; the words a page shows side by
    side with its markup taken out (`Zoë <strong>Haldane</strong>`, a table row
    `<td>Zoë</td><td>Haldane</td>`, `Zoë<br>Haldane`); invisible characters taken out
    (`Zoë\u200bHaldane` shows as ZoëHaldane). A page not in UTF-8 is read in the encodings a
    browser would try (Windows-1252, UTF-16 with its mark); a picture for the text it carries
    (pictures: picture_text, or a cache of it); a zip archive (a spreadsheet, a document) file
    by file (depth: how many archives this one is in); a PDF with its streams unpacked."""
    if data.startswith(ZIP) and depth < ARCHIVE_DEPTH:  # a spreadsheet (.xlsx), a document (.docx, .odt)
        return VARIANT.join([data.decode("latin-1"), *archive_text(data, pictures, depth)])
    if data.startswith(b"%PDF"):
        return VARIANT.join([data.decode("latin-1"), *pdf_text(data)])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        texts = [data.decode("utf-16", errors="replace")]
    elif b"\0" in data:  # a picture, a font: no text file holds a NUL
        carried = (pictures or picture_text)(data)
        return VARIANT.join([data.decode("utf-8", errors="replace"), *map(html.unescape, carried)])
    else:
        texts = [data.decode("utf-8", errors="replace")]
        if "\ufffd" in texts[0]:  # not UTF-8: a page saved as Windows-1252 ("ANSI"), say
            texts.append(data.decode("cp1252", errors="replace"))
    return VARIANT.join(variant for text in texts for variant in _readings(rel, text))


def _readings(rel: str, text: str) -> list[str]:
    """One text's readings (see readable_text)."""
    if rel.endswith(".json"):
        with contextlib.suppress(ValueError):  # not JSON after all: read as text
            text += VARIANT + " ".join(_json_strings(json.loads(text)))
    shown = [text, html.unescape(text)]
    if "<" in text:
        shown += [html.unescape(INLINE.sub(" ", text)), html.unescape(INLINE.sub("", text))]
    if INVISIBLE.search(text):
        shown += [INVISIBLE.sub("", variant) for variant in shown]
    return shown


def picture_text(data: bytes) -> list[str]:
    """The text a picture carries beside its pixels, as Pillow reads it: EXIF (a description,
    an artist, the title and comments Windows writes, in UTF-16 of either byte order), PNG's
    text chunks, XMP. Nothing for a file Pillow cannot open (a font, a PDF)."""
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


def archive_text(data: bytes, pictures: Pictures | None, depth: int) -> list[str]:
    """The name and readable text of each file in a zip archive (an .xlsx, .docx, .odt or .epub
    is one: its words are compressed, and no search of the archive's own bytes would find them).
    At most ARCHIVE_READ bytes are unpacked, whatever the archive claims (a zip bomb stops there)."""
    import zipfile
    import zlib

    texts: list[str] = []
    budget = ARCHIVE_READ
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                texts.append(info.filename)
                if info.is_dir() or budget <= 0:
                    continue
                with archive.open(info) as member:
                    content = member.read(budget)
                budget -= len(content)
                texts.append(readable_text(info.filename, content, pictures, depth + 1))
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        pass  # damaged, or encrypted (RuntimeError): what could be read is in texts
    return texts


def pdf_text(data: bytes) -> list[str]:
    """The text of a PDF as a reader's tools get it: its compressed streams unpacked (Flate, as
    nearly every PDF writer uses), and its strings written in UTF-16 (a title `(\xfe\xff...)`
    or `<FEFF...>`) decoded; at most ARCHIVE_READ bytes unpacked."""
    import zlib

    parts = [data]
    budget = ARCHIVE_READ
    for stream in PDF_STREAM.finditer(data):
        if budget <= 0:
            break
        with contextlib.suppress(zlib.error):
            unpacked = zlib.decompressobj().decompress(stream[1], budget)
            budget -= len(unpacked)
            parts.append(unpacked)
    texts = [part.decode("latin-1") for part in parts[1:]]
    for part in parts:
        for found in PDF_HEX.finditer(part):
            texts.append(_pdf_string(bytes.fromhex(re.sub(rb"\s", b"", found[1]).decode())))
        for found in PDF_LITERAL.finditer(part):
            if b"\\" in found[1] or found[1].startswith(codecs.BOM_UTF16_BE):  # else read as written above
                texts.append(_pdf_string(PDF_ESCAPE.sub(_pdf_unescaped, found[1])))
    return texts


def _pdf_string(raw: bytes) -> str:
    """A PDF string's text: UTF-16 if it starts with its mark, else PDFDocEncoding (Latin-1, nearly)."""
    return raw.decode("utf-16" if raw.startswith(codecs.BOM_UTF16_BE) else "latin-1", errors="replace")


def _pdf_unescaped(escape: re.Match[bytes]) -> bytes:
    code = escape[1]
    if code[:1].isdigit():  # \351: an octal byte
        return bytes([int(code, 8) & 0xFF])
    return PDF_ESCAPES.get(code, code)


def _json_strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
