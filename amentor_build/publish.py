"""Stage 6, publish: write the site into a fresh folder and swap it into place only when complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable, Mapping

from .errors import AmentorError

PublicPages = Callable[[Path], None]  # writes the school's public pages into the given folder


class PublishError(AmentorError):
    """The output could not be written safely (a path escapes, two items collide)."""


def check_output_path(rel: str) -> PurePosixPath:
    """Refuse output paths that are absolute or escape the site folder."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise PublishError(f"refusing to write outside the site folder: {rel!r}")
    return path


def write_files(files: Mapping[str, bytes], target: Path, keep_unchanged: bool = False) -> int:
    """Write every output file under target; return how many files were (re)written."""
    written = 0
    for rel, data in files.items():
        path = target / check_output_path(rel)
        if keep_unchanged and path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            continue  # same bytes: keep the file and its modification time, so a deploy skips it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    return written


def publish(files: Mapping[str, bytes], site_dir: Path, public_pages: PublicPages | None,
            check: Callable[[Path], None] | None = None) -> None:
    """Build the whole site in a sibling temporary folder, then swap it in; on error nothing changes.

    check (the privacy audit) sees the staged public pages before anything is swapped in.
    """
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
    try:
        if public_pages is not None:
            public_pages(staging)
        clashes = [rel for rel in files if (staging / check_output_path(rel)).exists()]
        if clashes:
            raise PublishError(f"a folder file would overwrite a public page: {clashes[0]}")
        if check is not None:
            check(staging)
        write_files(files, staging)
        _swap(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, site_dir: Path) -> None:
    """Put staging where site_dir is; the old site is removed only after the new one is in place."""
    os.chmod(staging, 0o755)
    if not site_dir.exists():
        staging.rename(site_dir)
        return
    old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
    if old.exists():
        shutil.rmtree(old)
    site_dir.rename(old)
    try:
        staging.rename(site_dir)
    except BaseException:
        old.rename(site_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)
