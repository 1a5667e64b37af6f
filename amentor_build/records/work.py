"""Stage 1, load (continued): the work files a pupil's records name, checked on disk.

A work file must lie inside the pupil's own directory (symbolic links are followed and
judged by where they lead), be a regular file, and be a JPEG, PNG, WebP or PDF. `check`
also reads each file's header (`content_problem`), as the render stage does when it reads
the file, so `amentor check` finds what `amentor build` finds.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import warnings
from pathlib import Path

from .. import model as m
from ..errors import Problem, closest

SIGNATURES = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".pdf": (b"%PDF",),
    ".webp": (b"RIFF",),
}
# What to do with the files schools most often have instead (an iPhone's photos are HEIC).
SAVE_AS = {
    **dict.fromkeys((".heic", ".heif"), " (a phone's HEIC photo: export it as JPEG)"),
    **dict.fromkeys((".doc", ".docx", ".odt", ".pages"), " (a document: save it as PDF)"),
    **dict.fromkeys((".tif", ".tiff", ".bmp", ".gif"), " (save the picture as PNG or JPEG)"),
}
MAX_PIXELS = 40_000_000  # a 40-megapixel scan is plenty; larger images are refused, not decoded


def work_file(pupil_dir: Path, item: m.WorkItem) -> Path:
    """The path of a work item's file (its real location is checked by `file_problems`)."""
    return pupil_dir / (item.rel if item.rel.isascii() else on_disk(str(pupil_dir), item.rel))


def on_disk(folder: str, rel: str) -> str:
    """rel as the disk spells it. The records' text is NFC-normalised (SPEC), but a file whose
    name has an accent may be saved decomposed (NFD: `E` and a combining accent), as macOS and
    many zip tools write names; the two look the same, and the records mean the file."""
    if rel.isascii() or os.path.lexists(f"{folder}/{rel}"):
        return rel
    decomposed = unicodedata.normalize("NFD", rel)
    return decomposed if os.path.lexists(f"{folder}/{decomposed}") else rel


def file_problems(project_root: Path, real_dir: str, pupil: m.Pupil) -> list[Problem]:
    """Each work file named that is outside the pupil's directory (real_dir: its real path), of
    another type, or missing."""
    problems = []
    links: dict[str, bool] = {}  # each directory below real_dir: is it, or one above it, a symbolic link?
    inside = real_dir + os.sep
    for item in pupil.work:
        real, regular = real_below(real_dir, item.rel, links)
        if usable(real_dir, real, regular):
            continue  # (the common case, first)
        known = os.path.splitext(real)[1].lower() in m.WORK_FILE_TYPES
        path, line, col, key = item.at
        if not real.startswith(inside):
            problems.append(Problem(path, line, col, f"{key}: '{item.rel}' lies outside the pupil's folder"))
        elif not known:
            hint = SAVE_AS.get(os.path.splitext(real)[1].lower(), "")
            problems.append(Problem(path, line, col, f"{key}: '{item.rel}' is not a JPEG, PNG, WebP or PDF file{hint}"))
        elif not regular:
            shown = os.path.relpath(real, os.path.realpath(project_root)).replace(os.sep, "/")
            near = closest(os.path.basename(real), _names(os.path.dirname(real)))  # Writing-1.JPG for writing-1.jpg
            problems.append(Problem(shown, 1, 1, f"missing: work file referenced by {path}:{line}:{col} ({key}){near}"))
    return problems


def _names(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def usable(real_dir: str, real: str, regular: bool) -> bool:
    """Is a work file (its real path, and whether it is a regular file: see real_below) one the
    build reads: a JPEG, PNG, WebP or PDF inside the pupil's directory (real_dir)?"""
    return regular and os.path.splitext(real)[1].lower() in m.WORK_FILE_TYPES and real.startswith(real_dir + os.sep)


def real_below(real_dir: str, rel: str, links: dict[str, bool]) -> tuple[str, bool]:
    """The real path of rel inside real_dir (itself a real path), and whether it is a regular file.

    Only the parts below real_dir can be symbolic links, so only those are looked at (one
    lstat each, remembered in links for the directories); anything unusual (a link, "..",
    an absolute path) goes to os.path.realpath.
    """
    rel = on_disk(real_dir, rel)
    parts = rel.split("/")
    if rel.startswith("/") or "" in parts or "." in parts or ".." in parts:
        return _real_path(real_dir, rel)
    folder = rel.rpartition("/")[0]
    if folder and folder not in links:
        at = real_dir
        for i, part in enumerate(parts[:-1]):
            at = f"{at}/{part}"
            above = "/".join(parts[: i + 1])
            if above not in links:
                try:
                    links[above] = stat.S_ISLNK(os.lstat(at).st_mode) or links.get(above.rpartition("/")[0], False)
                except OSError:
                    return os.path.normpath(os.path.join(real_dir, rel)), False
    if folder and links[folder]:
        return _real_path(real_dir, rel)
    at = f"{real_dir}/{rel}"
    try:
        mode = os.lstat(at).st_mode
    except OSError:
        return at, False
    if stat.S_ISLNK(mode):
        return _real_path(real_dir, rel)
    return at, stat.S_ISREG(mode)


def _real_path(real_dir: str, rel: str) -> tuple[str, bool]:
    real = os.path.realpath(os.path.join(real_dir, rel))
    return real, os.path.isfile(real)


def content_problem(data: bytes, rel: str, name: str) -> Problem | None:
    """A work file whose bytes are not what its name says, or an image too large or damaged to show."""
    suffix = os.path.splitext(name)[1].lower()
    if not data.startswith(SIGNATURES.get(suffix, (b"",))) or (suffix == ".webp" and data[8:12] != b"WEBP"):
        kind = {".pdf": "a PDF", ".png": "a PNG image", ".webp": "a WebP image"}.get(suffix, "a JPEG image")
        return Problem(rel, 1, 1, f"not {kind} (the file's contents do not match its name)")
    if suffix == ".pdf":
        return None
    return image_problem(data, rel)


def image_problem(data: bytes, rel: str) -> Problem | None:
    """Decode an image fully; a damaged or oversized one is a problem (never a traceback)."""
    import io

    from PIL import Image, UnidentifiedImageError

    most = f"the most amentor shows is {MAX_PIXELS // 1_000_000} megapixels: save a smaller copy"
    try:
        with warnings.catch_warnings():
            # Pillow warns of an image over its own limit as it opens it, in words about attacks
            # and with its path; amentor's limit is lower, and said as the file's problem.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (1600, 1600))  # decode at a reduced scale: a damaged file still fails
                if image.width * image.height > MAX_PIXELS:
                    return Problem(rel, 1, 1, f"the image is {image.width} × {image.height} pixels; {most}")
                image.load()
    except Image.DecompressionBombError:  # over twice Pillow's limit: it refuses to open it at all
        over = 2 * (Image.MAX_IMAGE_PIXELS or 0) // 1_000_000
        return Problem(rel, 1, 1, f"the image is over {over} megapixels; {most}")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        reason = "it is damaged or not an image" if "BytesIO" in str(exc) else str(exc) or type(exc).__name__
        return Problem(rel, 1, 1, f"cannot read this image: {reason}")
    return None


NOT_WORK = {"thumbs.db", "desktop.ini"}  # what Windows leaves in a folder of pictures (and hidden files)


def unnamed_work(project: m.Project) -> list[Problem]:
    """A warning (said by `check`) for each file in a child's folder of this year's work that no
    record names: a photo copied in, and the record not written (or saved half-written), is one
    the family never sees. Children who have left, and finished years, are not looked at."""
    year = project.school.current_year
    found = []
    for pupil in project.pupils:
        if pupil.left is not None or pupil.year(year) is None:
            continue
        base = project.pupil_dir(pupil)
        named = {_identity(work_file(base, item)) for record in pupil.years for item in record.work}
        for folder, dirs, files in os.walk(base / "work" / year):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                rel = (Path(folder) / name).relative_to(base).as_posix()
                if name.startswith(".") or name.lower() in NOT_WORK or _identity(Path(folder) / name) in named:
                    continue  # (a file is known by its identity on disk: `./work/...`, `Story.JPG` on a Mac)
                shown = f"pupils/{pupil.slug}/{rel}"
                said = f"in no record: add it to the work of {year}.yml to show it in the folder, or delete it"
                found.append(Problem(shown, 1, 1, said, warning=True))
    return found


def _identity(path: Path) -> tuple[int, int] | None:
    """A file as the disk knows it (device and inode), whatever the path that names it."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino
