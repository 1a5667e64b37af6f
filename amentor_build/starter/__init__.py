"""The starter project shipped with the package: the theme and public pages `amentor init` copies.

The repository's own sample school links its theme/ and content/ here, so there is one copy.

A school's theme/ and content/ start as copies of amentor's, and the school changes what it
wants. On an upgrade, a file it never changed (byte for byte a version amentor once shipped,
listed in history.sha256) is not the school's own: the build uses the installed version's
file in its place, as a package's untouched configuration files are upgraded (Debian's
conffiles). A file the school changed stays the school's. Without this, a school would keep
the first version's pages, script and guide for ever: no staff overview, no fixes, a guide
for parents that never explains the scale.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

HISTORY = "history.sha256"  # every version of each file of theme/ and content/ (tools/starter_history.py)
PARTS = ("theme", "content")  # what `amentor init` copies, and an upgrade may pass over


def starter_dir() -> Path:
    """The folder holding the starter theme/ and content/."""
    return Path(__file__).resolve().parent


def theme_dir() -> Path:
    """amentor's own theme: any template a school's theme lacks comes from here."""
    return starter_dir() / "theme"


def content_digest(data: bytes) -> str:
    """SHA-256 of a theme file, its line endings as LF (a copy checked out on Windows has CRLF)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def stock_copies(folder: Path, part: str = "theme") -> frozenset[str]:
    """The files of a school's theme/ (or content/: part) that are a version of amentor's own,
    unchanged (paths relative to folder): the build passes over them to the installed files."""
    if not folder.is_dir() or folder.resolve() == (starter_dir() / part).resolve():
        return frozenset()
    found = set()
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        try:
            if path.is_file() and (content_digest(path.read_bytes()), f"{part}/{rel}") in shipped():
                found.add(rel)
        except OSError:
            pass  # unreadable: the school's, and said where it is read
    return frozenset(found)


@functools.cache
def shipped() -> frozenset[tuple[str, str]]:
    """(digest, path in the starter) of every version of each file of amentor's theme and
    public pages, this one's included."""
    listed = (starter_dir() / HISTORY).read_text(encoding="utf-8").splitlines()
    base = starter_dir()
    current = {
        (content_digest(p.read_bytes()), p.relative_to(base).as_posix())
        for part in PARTS
        for p in (base / part).rglob("*")
        if p.is_file()
    }
    return frozenset((digest, rel) for digest, _, rel in (line.partition("  ") for line in listed)) | current
