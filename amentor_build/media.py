"""Work files made ready for the web: thumbnails and web-sized copies, made once and cached.

Each derived image is re-encoded from pixels only, so EXIF (including GPS), XMP and ICC
text never reach the output. The cache is keyed by a hash of the source bytes and lives
under .amentor/ (never under site/). An index, keyed by each work file's path, size and
modification time, remembers which cached copies a file made and their SHA-256 digests (the
sealing nonce is derived from them), so an unchanged work file is neither read nor hashed
again; a cached copy is trusted only while its own size and modification time are as indexed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .cache import RACY_SECONDS
from .errors import Problem
from .model import WorkItem

RECIPE = "v2"  # bump when sizes or encoding change, so stale cached copies are not served
THUMB_BOX = (360, 360)
WEB_BOX = (1600, 1600)


@dataclass(frozen=True)
class WorkMedia:
    """A work item's bytes for the folder: a thumbnail (None for a PDF) and the full view.

    kept: the item's sealed files are taken as published, so its bytes are not read (b"").
    """

    item: WorkItem
    thumb: bytes | None
    full: bytes
    full_type: str  # image/jpeg or application/pdf
    kept: bool = False
    thumb_digest: bytes | None = None  # SHA-256 of thumb and of full, when known (see the index)
    full_digest: bytes | None = None


def kept_media(item: WorkItem) -> WorkMedia:
    """A work item whose sealed files are unchanged: its names and types, without its bytes."""
    if item.file.lower().endswith(".pdf"):
        return WorkMedia(item, None, b"", "application/pdf", kept=True)
    return WorkMedia(item, b"", b"", "image/jpeg", kept=True)


class MediaError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def prepare(item: WorkItem, cache: Path, rel_path: str) -> WorkMedia:
    """Return the item's web-ready media, from the cache when the source is unchanged."""
    try:
        stat = os.stat(item.file)
    except OSError as exc:
        raise MediaError(Problem(rel_path, 1, 1, f"cannot read the file: {exc.strerror}")) from exc
    index = os.path.join(cache, "index", hashlib.sha256(f"{RECIPE}\0{item.file}\0{stat.st_size}\0{stat.st_mtime_ns}"
                                                        .encode()).hexdigest()[:40])
    racy = stat.st_mtime >= time.time() - RACY_SECONDS  # may change again within the clock's tick
    found = None if racy else _indexed(index, item)
    if found is not None:
        return found
    source = Path(item.file).read_bytes()
    if item.file.lower().endswith(".pdf"):
        if not source.startswith(b"%PDF"):
            raise MediaError(Problem(rel_path, 1, 1, "not a PDF file (it does not start with %PDF)"))
        media = WorkMedia(item, None, source, "application/pdf", full_digest=hashlib.sha256(source).digest())
        _remember(Path(index), [("", item.file, source)], media)
        return media
    digest = hashlib.sha256(RECIPE.encode() + source).hexdigest()
    thumb_file, web_file = cache / f"{digest}-thumb.jpg", cache / f"{digest}-web.jpg"
    if thumb_file.is_file() and web_file.is_file():
        thumb, web = thumb_file.read_bytes(), web_file.read_bytes()
    else:
        thumb, web = _derive(source, rel_path)
        cache.mkdir(parents=True, exist_ok=True)
        for file, data in ((thumb_file, thumb), (web_file, web)):
            partial = file.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(data)
            partial.replace(file)
    media = WorkMedia(item, thumb, web, "image/jpeg", thumb_digest=hashlib.sha256(thumb).digest(),
                      full_digest=hashlib.sha256(web).digest())
    _remember(Path(index), [("thumb", str(thumb_file), thumb), ("full", str(web_file), web)], media)
    return media


def _remember(index: Path, files: list[tuple[str, str, bytes]], media: WorkMedia) -> None:
    """Index what a work file made: each file read for it, with its size, time and digest."""
    entry = []
    for role, path, data in files:
        digest = media.thumb_digest if role == "thumb" else media.full_digest
        with open(path, "rb") as f:  # the file as it is now must hold exactly the bytes digested
            stat = os.fstat(f.fileno())
            if digest is None or f.read() != data:
                return  # changed meanwhile: index nothing
        entry.append([role, path, stat.st_size, stat.st_mtime_ns, digest.hex()])
    index.parent.mkdir(parents=True, exist_ok=True)
    partial = index.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps(entry), encoding="utf-8")
    partial.replace(index)


def _indexed(index: str, item: WorkItem) -> WorkMedia | None:
    """The media as indexed, if every file it names is still as it was (else None: start again)."""
    try:
        entry = json.loads(_read(index))
        data: dict[str, tuple[bytes, bytes]] = {}
        for role, path, size, mtime_ns, digest in entry:
            content = _read(path, (size, mtime_ns))
            if content is None:
                return None
            data[role] = (content, bytes.fromhex(digest))
    except (OSError, ValueError, TypeError):
        return None
    if "" in data:  # a PDF: the work file itself
        pdf, digest = data[""]
        return WorkMedia(item, None, pdf, "application/pdf", full_digest=digest) if pdf.startswith(b"%PDF") else None
    if "thumb" not in data or "full" not in data:
        return None
    (thumb, thumb_digest), (web, web_digest) = data["thumb"], data["full"]
    return WorkMedia(item, thumb, web, "image/jpeg", thumb_digest=thumb_digest, full_digest=web_digest)


def _read(path: str, expected: tuple[int, int] | None = None) -> bytes | None:
    """A whole file's bytes (os calls: a build reads thousands of small files); None if
    expected (size, modification time) is given and the file is not as expected."""
    fd = os.open(path, os.O_RDONLY)
    try:
        stat = os.fstat(fd)
        if expected is not None and (stat.st_size, stat.st_mtime_ns) != expected:
            return None
        data = os.read(fd, stat.st_size)
        while len(data) < stat.st_size:  # a short read (rare): read on, up to the size it had
            more = os.read(fd, stat.st_size - len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def _derive(source: bytes, rel_path: str) -> tuple[bytes, bytes]:
    """Decode an image and return (thumbnail, web copy) as metadata-free JPEG bytes."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(source)) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", WEB_BOX)  # decode a phone photo at a reduced scale: much faster, same result
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(Problem(rel_path, 1, 1, f"cannot read this image: {exc}")) from exc
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


def _jpeg(image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)  # no exif=, no icc_profile=: pixels only
    return out.getvalue()
