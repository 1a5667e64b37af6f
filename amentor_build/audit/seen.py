"""What a reader sees, and whose words they are: the text of an HTML page a reader meets (not
its markup), and the public files that are the school's own rather than amentor's as shipped;
and the new site as the audit reads it (`Staged`)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ..starter import theme_dir


class Staged(Protocol):
    """The new site, staged but not yet published, as the audit reads it (the publish stage's
    `SiteTransaction`, which runs after the audit, is one)."""

    files: set[str]  # every file of the new site
    changed: set[str]  # those written by this build (the rest were kept as published, and checked then)
    sealed: set[str]  # those whose bytes were checked to be ciphertext as they were written
    public: set[str]  # the school's public pages (written by mkdocs)
    fresh: bool  # nothing was published before

    def staged(self, rel: str, limit: int = -1) -> bytes: ...  # the bytes the new site will have at rel


def schools_own(site: Staged) -> set[str]:
    """The public files the school made (its pages, its pictures, what it changed of the theme):
    all of mkdocs' output but amentor's own theme files as shipped, byte for byte. Their words
    are amentor's (a child called Main or Li is not `<main>` or `li` in its style sheet)."""
    shipped = theme_dir()
    return {rel for rel in site.public if not _same_file(shipped / rel, site, rel)}


def _same_file(path: Path, site: Staged, rel: str) -> bool:
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
