"""Work files made ready for the web: thumbnails and web-sized copies of pictures, PDFs as they are.

Each derived image is re-encoded from pixels only, so EXIF (including GPS), XMP and ICC
text never reach the output. Deriving is a pure function of the file's bytes (and RECIPE);
a build wraps `prepare` in its cache of derived images (`build/derived.py`).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem
from ..model import WorkItem
from ..records.work import content_problem

if TYPE_CHECKING:
    from PIL import Image

RECIPE = "v3"  # bump when sizes or encoding change, so that no cache serves copies made the old way
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


Media = Callable[[WorkItem, Path, str], WorkMedia]  # prepare, or a cache wrapping it (build.derived)


def prepare(item: WorkItem, path: Path, rel: str) -> WorkMedia:
    """Return the item's web-ready media (rel: the file's path in the project, for messages)."""
    try:
        source = path.read_bytes()
    except OSError as exc:
        raise MediaError(unreadable(rel, exc)) from exc
    return made(item, source, rel)


def made(item: WorkItem, source: bytes, rel: str) -> WorkMedia:
    """The item's web-ready media made from the file's bytes: a PDF as it is, a picture derived
    (thumbnail and web copy); MediaError if the bytes are not what the name says."""
    problem = content_problem(source, rel, item.rel)
    if problem is not None:
        raise MediaError(problem)
    if item.rel.lower().endswith(".pdf"):
        return WorkMedia(item, None, source, "application/pdf")
    return WorkMedia(item, *derive(source), "image/jpeg")


def unreadable(rel: str, exc: OSError) -> Problem:
    return Problem(rel, 1, 1, f"cannot read the file: {exc.strerror}")


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
