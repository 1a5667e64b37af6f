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
import os
from pathlib import Path

HISTORY = "history.sha256"  # every version of each file of theme/ and content/ (tools/starter_history.py)
PARTS = ("theme", "content")  # what `amentor init` copies, and an upgrade may pass over
EXAMPLE_NAME = "Brindlewick Primary School"  # the example school `amentor init` writes, and the sample's
EXAMPLE_SITE_URL = "https://folders.example.sch.uk/"  # (RFC 2606: never a real school's)


def starter_dir() -> Path:
    """The folder holding the starter theme/ and content/."""
    return Path(__file__).resolve().parent


def theme_dir() -> Path:
    """amentor's own theme: any template a school's theme lacks comes from here."""
    return starter_dir() / "theme"


def content_digest(data: bytes) -> str:
    """SHA-256 of a starter file, its line endings as LF (a copy checked out on Windows has CRLF)."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def stock_copies(folder: Path, part: str = "theme") -> frozenset[str]:
    """The files of a school's theme/ (or content/: part) that are a version of amentor's own,
    unchanged, and that the installed version still has (paths relative to folder): the build
    uses the installed files in their place."""
    own = starter_dir() / part
    if not folder.is_dir() or folder.resolve() == own.resolve():
        return frozenset()
    found = set()
    for path in files_under(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            if (own / rel).is_file() and (content_digest(path.read_bytes()), f"{part}/{rel}") in shipped():
                found.add(rel)
        except OSError:
            pass  # unreadable: the school's, and said where it is read
    return frozenset(found)


def files_under(folder: Path) -> list[Path]:
    """Every file under folder, sorted, through linked folders as Jinja2 and mkdocs find them
    (a theme whose folder/ links to a shared copy, say)."""
    found = []
    for directory, _, names in os.walk(folder, followlinks=True):
        found += [Path(directory, name) for name in names if Path(directory, name).is_file()]
    return sorted(found)


@functools.cache
def shipped() -> frozenset[tuple[str, str]]:
    """(digest, path in the starter) of every version of each file of amentor's theme and
    public pages, this one's included."""
    listed = (starter_dir() / HISTORY).read_text(encoding="utf-8").splitlines()
    base = starter_dir()
    current = {
        (content_digest(p.read_bytes()), p.relative_to(base).as_posix())
        for part in PARTS
        for p in files_under(base / part)
    }
    return frozenset((digest, rel) for digest, _, rel in (line.partition("  ") for line in listed)) | current
