"""What a reader sees, and whose words they are: the text of an HTML page a reader meets (not
its markup), and the public files that are the school's own rather than amentor's as shipped."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from ..output import SiteTransaction
from ..starter import theme_dir


def schools_own(site: SiteTransaction) -> set[str]:
    """The public files the school made (its pages, its pictures, what it changed of the theme):
    all of mkdocs' output but amentor's own theme files as shipped, byte for byte. Their words
    are amentor's (a child called Main or Li is not `<main>` or `li` in its style sheet)."""
    shipped = theme_dir()
    return {rel for rel in site.public if not _same_file(shipped / rel, site, rel)}


def _same_file(path: Path, site: SiteTransaction, rel: str) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data := site.staged(rel)) and path.read_bytes() == data
    except OSError:
        return False


def seen_in(rel: str, text: str, school: str, split: Callable[[str], tuple[str, ...]], public: bool = False) -> str:
    """The folded words a reader sees of an HTML page (see the audit's docstring), between
    spaces: its text, its comments and the words its markup gives a reader (alt, title,
    aria-label, ...), without its tags and the school's name; nothing of a file of code or
    settings (a script, a style sheet, headers, a key slot). Of the school's own public pages
    (public), every attribute's value but a class, id or style: what a link preview or a search
    result shows (`<meta name="description" content=...>`), a link's address, a picture's name."""
    if not rel.endswith((".html", ".htm")):
        return ""
    values = VALUE if public else SAID
    said = [m["double"] or m["single"] or m["bare"] or "" for m in values.finditer(text)] + COMMENT.findall(text)
    shown = re.sub(r"<!--.*?-->|<[^>]*>", " ", text, flags=re.S)
    words = " " + " ".join(split(html.unescape(" ".join([shown, *said])))) + " "
    name = " ".join(split(school))
    return re.sub(f"(?<= ){re.escape(name)}(?= )", "", words) if name else words  # (twice in a row too)


# SAID: what the markup of a page amentor makes says to a reader (a tooltip, a screen reader, a
# picture's place): not `class`, `id`, `content` (a meta tag's `no-referrer`) or the tags' own
# names. VALUE: of the school's own pages, every attribute's value but a class, id or style.
QUOTED = r"""\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'=<>`]+))"""
SAID = re.compile(
    r"\b(?:alt|title|aria-label|aria-description|aria-placeholder|placeholder|label|value)" + QUOTED, re.IGNORECASE
)
VALUE = re.compile(r"(?<![\w-])(?!(?:class|id|style)\b)[\w:-]+" + QUOTED, re.IGNORECASE)  # any attribute's
COMMENT = re.compile(r"<!--(.*?)-->", re.S)
