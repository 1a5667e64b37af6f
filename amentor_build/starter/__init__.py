"""The starter project shipped with the package: the theme and public pages `amentor init` copies.

The repository's own sample school links its theme/ and content/ here, so there is one copy.

A school's theme/ starts as a copy of amentor's whole theme, and the school changes what it
wants. On an upgrade, a file it never changed (byte for byte a version amentor once shipped,
listed in theme-history.sha256) is not the school's own: the build uses the installed
version's file in its place, as a package's untouched configuration files are upgraded
(Debian's conffiles). A file the school changed stays the school's. Without this, a school
would keep the first version's pages and script for ever: no staff overview, no fixes.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

HISTORY = "theme-history.sha256"  # beside theme/: every version of each file (tools/theme_history.py)


def starter_dir() -> Path:
    """The folder holding the starter theme/ and content/."""
    return Path(__file__).resolve().parent


def theme_dir() -> Path:
    """amentor's own theme: any template a school's theme lacks comes from here."""
    return starter_dir() / "theme"


def content_digest(data: bytes) -> str:
    """SHA-256 of a theme file, its line endings as LF (a copy checked out on Windows has CRLF)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def stock_copies(theme: Path) -> frozenset[str]:
    """The files of a school's theme (paths relative to it) that are a version of amentor's own,
    unchanged: the build passes over them to amentor's installed theme."""
    if not theme.is_dir() or theme.resolve() == theme_dir().resolve():
        return frozenset()
    found = set()
    for path in theme.rglob("*"):
        rel = path.relative_to(theme).as_posix()
        try:
            if path.is_file() and (content_digest(path.read_bytes()), rel) in shipped():
                found.add(rel)
        except OSError:
            pass  # unreadable: the school's, and said where it is read
    return frozenset(found)


@functools.cache
def shipped() -> frozenset[tuple[str, str]]:
    """(digest, path) of every version of each file of amentor's theme, this one's included."""
    listed = (starter_dir() / HISTORY).read_text(encoding="utf-8").splitlines()
    own = theme_dir()
    current = {(content_digest(p.read_bytes()), p.relative_to(own).as_posix()) for p in own.rglob("*") if p.is_file()}
    return frozenset((digest, rel) for digest, _, rel in (line.partition("  ") for line in listed)) | current
