"""Work files made ready for the web: thumbnails and web-sized copies, made once and cached.

Each derived image is re-encoded from pixels only, so EXIF (including GPS), XMP and ICC
text never reach the output. The cache is keyed by a hash of the source bytes and lives
under .amentor/ (never under site/).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

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
    source = Path(item.file).read_bytes()
    if item.file.lower().endswith(".pdf"):
        if not source.startswith(b"%PDF"):
            raise MediaError(Problem(rel_path, 1, 1, "not a PDF file (it does not start with %PDF)"))
        return WorkMedia(item, None, source, "application/pdf")
    digest = hashlib.sha256(RECIPE.encode() + source).hexdigest()
    thumb_file, web_file = cache / f"{digest}-thumb.jpg", cache / f"{digest}-web.jpg"
    if thumb_file.is_file() and web_file.is_file():
        return WorkMedia(item, thumb_file.read_bytes(), web_file.read_bytes(), "image/jpeg")
    thumb, web = _derive(source, rel_path)
    cache.mkdir(parents=True, exist_ok=True)
    for file, data in ((thumb_file, thumb), (web_file, web)):
        partial = file.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(file)
    return WorkMedia(item, thumb, web, "image/jpeg")


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
