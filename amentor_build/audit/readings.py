"""The audit's reading of a file of the site: the text a reader could see in it, each way it
may be read (a page's text as written, with entities, percent-encoding and `\\u` escapes
undone, with its inline markup taken out; a file a page holds in a `data:` address; what a
picture, a PDF or an archive carries: carried.py), so that a name however written is found."""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import html
import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote, unquote_to_bytes

from .archives import ARCHIVES_DEEP, ZIP, Unreadable, is_compressed
from .carried import carried_text, is_pdf

# Markup that leaves the words on either side side by side (a table's cells, a line break in a
# paragraph too): taken out, a name it splits reads whole. Other tags (a paragraph, a list item)
# stay: their names part the words as the page's blocks do.
INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|font|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup"
    r"|td|th|time|u|var|wbr|br)(?:\s[^>]*)?/?>",
    re.IGNORECASE,
)
INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")  # zero-width spaces and joiners
PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")  # an address's escape: Kwame%20Mensah
ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")  # a script's: "Kwame\u0020Mensah"
# A file a page holds in its own text (a picture in an <img>, a style sheet's font): its bytes,
# base64 or percent-encoded, up to the quote, bracket or space that ends the address.
DATA = re.compile(r"data:[^,\s\"'()<>]*?(;base64)?,([^\s\"'()<>]*)", re.IGNORECASE)
# Between two readings of one file: a word no secret holds, so that the last word of one
# reading and the first of the next never read as a name.
VARIANT = "\n\u01c1\u01c1\u01c1\n"


Carried = Callable[[bytes], list[str]]  # a file's bytes -> the texts it carries (carried_text, or a cache of it)


def readable_text(rel: str, data: bytes, carried: Carried | None = None, depth: int = 0) -> str:
    """The text a reader of this file could see, in each of the ways it may be read (each apart:
    see VARIANT): as written; entities and JSON escapes undone; the words a page shows side by
    side with its markup taken out (`Zoë <strong>Haldane</strong>`, a table row
    `<td>Zoë</td><td>Haldane</td>`, `Zoë<br>Haldane`); invisible characters taken out
    (`Zoë\u200bHaldane` shows as ZoëHaldane). A page not in UTF-8 is read in the encodings a
    browser would try (Windows-1252, UTF-16 with its mark). A file that is not text (a picture, a
    PDF, a spreadsheet) is read for the texts it carries too (carried: carried_text, or a cache of
    it; it raises Unreadable for a file it cannot read whole). depth: how deep in `data:`
    addresses the file is held."""
    packed = data.startswith(ZIP) or is_pdf(data) or is_compressed(data)  # what it holds is read, not its bytes
    if packed or (b"\0" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        texts = carried(data) if carried is not None else read_carried(data)
        # Its bytes as written too (an XMP packet is UTF-8), unless they are compressed: a PDF's or
        # an archive's would be noise (names found by chance) and time.
        raw = [] if packed else [data.decode("utf-8", errors="replace"), data.decode("latin-1")]
        return VARIANT.join([*raw, *map(html.unescape, texts)])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        texts = [data.decode("utf-16", errors="replace")]
    else:
        texts = [data.decode("utf-8", errors="replace")]
        if "\ufffd" in texts[0]:  # not UTF-8: a page saved as Windows-1252 ("ANSI"), say
            texts.append(data.decode("cp1252", errors="replace"))
    readings = [variant for text in texts for variant in _readings(rel, text)]
    held = _held(texts[0])
    if held and depth >= ARCHIVES_DEEP:
        raise Unreadable(f"it holds `data:` addresses more than {ARCHIVES_DEEP} deep", "leave them out")
    readings += [readable_text("", inner, carried, depth + 1) for inner in held]
    return VARIANT.join(readings)


def _readings(rel: str, text: str) -> list[str]:
    """One text's readings (see readable_text)."""
    if rel.endswith(".json"):
        with contextlib.suppress(ValueError):  # not JSON after all: read as text
            text += VARIANT + _paired(" ".join(_json_strings(json.loads(text))))
    shown = [text, html.unescape(text)]
    if "<" in text:
        shown += [html.unescape(INLINE.sub(" ", text)), html.unescape(INLINE.sub("", text))]
    if PERCENT.search(shown[1]):
        shown.append(unquote(shown[1]))
    if ESCAPE.search(text):
        shown.append(_paired(ESCAPE.sub(lambda code: chr(int(code[1], 16)), text)))
    if INVISIBLE.search(text):
        shown += [INVISIBLE.sub("", variant) for variant in shown]
    return shown


def _paired(text: str) -> str:
    """Text an escape wrote (`\\ud83d\\ude00`), each pair of surrogates made the one character
    they write, and one alone (`\\ud800`, in a script's range of characters) a U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", errors="replace")


def _held(text: str) -> list[bytes]:
    """The bytes of each file a text holds in a `data:` address (see DATA), entities undone;
    one whose base64 is not whole is read as it is written."""
    if "data:" not in text.lower():
        return []
    held = []
    for found in DATA.finditer(html.unescape(text)):
        if found[1]:
            with contextlib.suppress(binascii.Error, ValueError):
                held.append(base64.b64decode(unquote(found[2]) + "==", validate=False))
        else:
            held.append(unquote_to_bytes(found[2]))
    return held


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


def read_carried(data: bytes, carried: Carried | None = None) -> list[str]:
    """carried_text, each file inside an archive read as readable_text reads a file (through
    carried, a cache of this, if given)."""
    return carried_text(data, lambda name, inner: readable_text(name, inner, carried))
