"""Stage 6, publish: assemble the new site beside the old one and swap it in only when complete.

Files whose bytes did not change are hard-linked from the published site, so they keep
their modification times and a deploy (rsync, S3 sync) uploads only what changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable

from .errors import AmentorError

PublicPages = Callable[[Path], None]  # writes the school's public pages into the given folder
RESERVED = ("f", "k", "s", "staff")  # top-level folders of the protected site, never public pages


class PublishError(AmentorError):
    """The output could not be written safely (a path escapes, two items collide)."""


def check_output_path(rel: str) -> PurePosixPath:
    """Refuse output paths that are absolute or escape the site folder."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise PublishError(f"refusing to write outside the site folder: {rel!r}")
    return path


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def place(rel: str, data: bytes, staging: Path, published: Path | None) -> bool:
    """Put one output file into staging; return False if the published copy was reused as it is."""
    target = staging / check_output_path(rel)
    old = published / rel if published is not None else None
    if old is not None and _same_bytes(old, data):
        if old != target:
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(old, target)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.write_bytes(data)
    partial.replace(target)
    return True


def reuse(rel: str, size: int, staging: Path, published: Path | None) -> bool:
    """Take an unchanged file from the published site; False if it is not there as expected."""
    if published is None:
        return False
    old = published / check_output_path(rel)
    try:
        if old.stat().st_size != size:
            return False
    except OSError:
        return False
    target = staging / rel
    if old != target:
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(old, target)
    return True


class Staging:
    """The new site being assembled. Atomic: a sibling folder swapped in by commit().

    In place (the mkdocs route, where mkdocs owns the folder) files are written directly.
    Leaving the `with` block without commit() removes everything staged.
    """

    def __init__(self, site_dir: Path, in_place: bool = False):
        self.site_dir = site_dir.resolve()
        self.in_place = in_place
        self.published = self.site_dir if self.site_dir.is_dir() else None
        if in_place:
            self.site_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.site_dir
        else:
            self.site_dir.parent.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.site_dir.name}.new-", dir=self.site_dir.parent))
        self.committed = False

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.committed and not self.in_place:
            shutil.rmtree(self.path, ignore_errors=True)

    def write(self, rel: str, data: bytes) -> bool:
        return place(rel, data, self.path, self.published)

    def adopt_public_pages(self, public_pages: PublicPages) -> None:
        """Let mkdocs write the public pages, then keep the old copy of each unchanged one."""
        public_pages(self.path)
        for top in RESERVED:
            if (self.path / top).exists() and not self.in_place:
                raise PublishError(f"the public pages may not use the folder name '{top}/': it holds the folders")
        if self.published is None or self.in_place:
            return
        for path in [p for p in self.path.rglob("*") if p.is_file()]:
            old = self.published / path.relative_to(self.path)
            if old.is_file() and old.stat().st_size == path.stat().st_size and old.read_bytes() == path.read_bytes():
                path.unlink()
                _link_or_copy(old, path)

    def commit(self) -> None:
        """Put the staged site where the site is; the old one is removed only after the swap."""
        self.committed = True
        if self.in_place:
            return
        os.chmod(self.path, 0o755)
        if not self.site_dir.exists():
            self.path.rename(self.site_dir)
            return
        old = self.site_dir.with_name(f".{self.site_dir.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        self.site_dir.rename(old)
        try:
            self.path.rename(self.site_dir)
        except BaseException:
            old.rename(self.site_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
