"""The cache of derived images: a picture's thumbnail and web copy (`render.media.prepare`),
made once and kept under `.amentor/cache/media/` (never under the site).

A photo's two derived copies are one file, `<digest>.jpg2` (the two lengths, then the
thumbnail, then the web copy), named by the SHA-256 of the source bytes and the recipe.
An index maps a source file's identity (device, inode, size, modification and change times)
to that digest, so an unchanged photo is not read again on every build: a replaced or edited
file has a new inode or a new change time (which `touch`, `cp -p` or unzip cannot set back),
and a file changed in the last seconds is never indexed (two edits within the clock's tick
would look alike). Where a file system keeps no change time of its own (FAT, some network
shares), a photo edited in place with its size and modification time put back would be
missed: replace such a file instead (a new file is a new inode). A PDF is used as it is, and
is not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from ..disk import file_stamp, read_plain, settled
from ..model import WorkItem
from ..render.media import RECIPE, MediaError, WorkMedia, made, prepare, unreadable

PARTS = ".parts"  # the directory beside the cache's files where they are written, then renamed into place
HEX = frozenset("0123456789abcdef")
LAYOUT = "jpg2"  # the derived files' layout (and their suffix): a change of it is a new name, never misread


@dataclass(frozen=True)
class DerivedImages:
    """`render.media.prepare`, through the cache in directory: look up, else derive, then store."""

    directory: Path

    def __call__(self, item: WorkItem, path: Path, rel: str) -> WorkMedia:
        if item.rel.lower().endswith(".pdf"):
            return prepare(item, path, rel)
        pair = self._indexed(path)
        if pair is not None:
            return WorkMedia(item, *pair, "image/jpeg")
        try:
            found_then = os.stat(path)  # before reading: a change after it only makes the index miss
            steady = settled(found_then)  # (asked now: a change in the stat's tick after the read would hide)
            source = path.read_bytes()
        except OSError as exc:
            raise MediaError(unreadable(rel, exc)) from exc
        digest = hashlib.sha256(RECIPE.encode() + source).hexdigest()
        derived = self.directory / f"{digest}.{LAYOUT}"
        pair = _pair(derived)
        if pair is None:  # not derived yet
            media = made(item, source, rel)
            if media.thumb is None:
                raise AssertionError("a picture is made with a thumbnail")
            pair = (media.thumb, media.full)
            _write(derived, struct.pack(">QQ", len(pair[0]), len(pair[1])) + pair[0] + pair[1])
        if steady:  # as it was when stat'ed, before it was read
            _write(self._index_file(found_then), digest.encode())
        return WorkMedia(item, *pair, "image/jpeg")

    def _index_file(self, found: os.stat_result) -> Path:
        """Where the digest of a work file with this stat is kept."""
        return self.directory / "index" / hashlib.sha256(f"{RECIPE}:{file_stamp(found)}".encode()).hexdigest()

    def _indexed(self, path: Path) -> tuple[bytes, bytes] | None:
        """The derived copies of a file indexed as it is now, without reading it; None if not indexed."""
        try:
            digest = read_plain(self._index_file(os.stat(path))).decode("ascii")
        except (OSError, ValueError):
            return None
        if len(digest) != 64 or not set(digest) <= HEX:  # not an entry this module wrote
            return None
        return _pair(self.directory / f"{digest}.{LAYOUT}")


def _pair(derived: Path) -> tuple[bytes, bytes] | None:
    """(thumbnail, web copy) from a derived file; None if there is none, or not a whole one."""
    try:
        data = read_plain(derived)
    except OSError:
        return None
    thumb_size, web_size = struct.unpack(">QQ", data[:16]) if len(data) >= 16 else (0, 0)
    if not thumb_size or not web_size or len(data) != 16 + thumb_size + web_size:  # cut short, say
        return None
    return data[16 : 16 + thumb_size], data[16 + thumb_size :]


def _write(file: Path, data: bytes) -> None:
    """Write a cache file whole or not at all (workers may write the same one at once), readable
    by this user only, as everything under .amentor/ (a backup copy keeps the modes)."""
    partial = file.parent / PARTS / f".{file.name}.{os.getpid()}.part"  # apart: the next build looks there
    try:
        partial.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(data)
        partial.replace(file)
    except OSError:  # a full disk, say: the picture is made again next time; what needs it stops on its own write
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
