"""Work files made ready for the web: thumbnails and web-sized copies, made once and cached.

Each derived image is re-encoded from pixels only, so EXIF (including GPS), XMP and ICC
text never reach the output. The cache lives under .amentor/ (never under the site). A
photo's two derived copies are one file, `<digest>.jpg2` (the two lengths, then the thumbnail,
then the web copy), named by the SHA-256 of the source bytes and the recipe.
An index maps a source file's identity (device, inode, size, modification and change times)
to that digest, so an unchanged photo is not read again on every build: a replaced or edited
file has a new inode or a new change time (which `touch`, `cp -p` or unzip cannot set back),
and a file changed in the last seconds is never indexed (two edits within the clock's tick
would look alike). Where a file system keeps no change time of its own (FAT, some network
shares), a photo edited in place with its size and modification time put back would be
missed: replace such a file instead (a new file is a new inode).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from ..output.files import read_plain
from ..output.found import file_stamp, settled

if TYPE_CHECKING:
    from PIL import Image
from ..model import WorkItem
from ..records.work import content_problem

PARTS = ".parts"  # the directory beside the cache's files where they are written, then renamed into place

RECIPE = "v3"  # bump when sizes, encoding or the cache's layout change, so stale copies are not served
HEX = frozenset("0123456789abcdef")
THUMB_BOX = (360, 360)
WEB_BOX = (1600, 1600)


@dataclass(frozen=True)
class WorkMedia:
    """A work item's bytes for the folder: a thumbnail (None for a PDF) and the full view."""

    item: WorkItem
    thumb: bytes | None
    full: bytes
    full_type: str  # image/jpeg or application/pdf


class MediaError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def prepare(item: WorkItem, path: Path, rel: str, cache: Path) -> WorkMedia:
    """Return the item's web-ready media (rel: the file's path in the project, for messages)."""
    pdf = item.rel.lower().endswith(".pdf")
    try:
        found = None if pdf else _indexed(path, cache)
        if found is not None:
            return WorkMedia(item, *found, "image/jpeg")
        found_then = os.stat(path)  # before reading: a change after it only makes the index miss
        steady = settled(found_then)  # (asked now: a change in the stat's tick after the read would hide)
        source = path.read_bytes()
    except OSError as exc:
        raise MediaError(Problem(rel, 1, 1, f"cannot read the file: {exc.strerror}")) from exc
    if pdf:
        problem = content_problem(source, rel, item.rel)
        if problem is not None:
            raise MediaError(problem)
        return WorkMedia(item, None, source, "application/pdf")
    digest = hashlib.sha256(RECIPE.encode() + source).hexdigest()
    derived = cache / f"{digest}.jpg2"
    pair = _pair(derived)
    if pair is None:  # not derived yet
        problem = content_problem(source, rel, item.rel)
        if problem is not None:
            raise MediaError(problem)
        pair = derive(source)
        _write(derived, struct.pack(">QQ", len(pair[0]), len(pair[1])) + pair[0] + pair[1])
    if steady:  # as it was when stat'ed, before it was read
        _write(_index_file(found_then, cache), digest.encode())
    return WorkMedia(item, *pair, "image/jpeg")


def _index_file(found: os.stat_result, cache: Path) -> Path:
    """Where the digest of a work file with this stat is kept."""
    return cache / "index" / hashlib.sha256(f"{RECIPE}:{file_stamp(found)}".encode()).hexdigest()


def _indexed(path: Path, cache: Path) -> tuple[bytes, bytes] | None:
    """The derived copies of a file indexed as it is now, without reading it; None if not indexed."""
    try:
        digest = read_plain(_index_file(os.stat(path), cache)).decode("ascii")
    except (OSError, ValueError):
        return None
    if len(digest) != 64 or not set(digest) <= HEX:  # not an entry this module wrote
        return None
    return _pair(cache / f"{digest}.jpg2")


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


def derive(source: bytes) -> tuple[bytes, bytes]:
    """Decode an image (already checked by content_problem) into (thumbnail, web copy) as metadata-free JPEG."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(source)) as opened:
        if opened.format == "JPEG":
            opened.draft("RGB", WEB_BOX)  # decode a phone photo at a reduced scale: much faster, same result
        image = ImageOps.exif_transpose(opened)
        image.load()
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    image.thumbnail(WEB_BOX)
    web = _jpeg(image, 84)
    image.thumbnail(THUMB_BOX)  # from the web-sized copy: resizing a smaller image is cheaper
    return _jpeg(image, 78), web


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)  # no exif=, no icc_profile=: pixels only
    return out.getvalue()
