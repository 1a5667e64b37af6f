"""Work files made ready for the web: thumbnails and web-sized copies, made once and cached.

Each derived image is re-encoded from pixels only, so EXIF (including GPS), XMP and ICC
text never reach the output. The cache is keyed by a SHA-256 of the source bytes and the
recipe, and lives under .amentor/ (never under the site): a replaced file is always
derived again, whatever its name, size or time.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem

if TYPE_CHECKING:
    from PIL import Image
from ..model import WorkItem
from ..records.work import content_problem

RECIPE = "v2"  # bump when sizes or encoding change, so stale cached copies are not served
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
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise MediaError(Problem(rel, 1, 1, f"cannot read the file: {exc.strerror}")) from exc
    if item.rel.lower().endswith(".pdf"):
        problem = content_problem(source, rel, item.rel)
        if problem is not None:
            raise MediaError(problem)
        return WorkMedia(item, None, source, "application/pdf")
    digest = hashlib.sha256(RECIPE.encode() + source).hexdigest()
    thumb_file, web_file = cache / f"{digest}-thumb.jpg", cache / f"{digest}-web.jpg"
    try:
        return WorkMedia(item, thumb_file.read_bytes(), web_file.read_bytes(), "image/jpeg")
    except OSError:
        pass  # not derived yet
    problem = content_problem(source, rel, item.rel)
    if problem is not None:
        raise MediaError(problem)
    thumb, web = derive(source)
    cache.mkdir(parents=True, exist_ok=True)
    for file, data in ((thumb_file, thumb), (web_file, web)):  # the thumbnail first: the web copy marks both done
        partial = file.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(file)
    return WorkMedia(item, thumb, web, "image/jpeg")


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
