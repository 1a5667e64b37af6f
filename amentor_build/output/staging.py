"""Stage 6, publish: apply a build to the site as one transaction.

Every output of the build is staged first: only files whose bytes differ from the published
ones are written, into a private folder beside the site. Nothing under site/ changes until
the whole build (validation, render, protect, audit) has succeeded; then the changed files
are moved in and files that are no longer part of the site are removed, with every replaced
file kept aside until the end so that a failure while moving rolls the site back. Unchanged
files keep their bytes and modification times, so a deploy uploads only what changed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import AmentorError


class PublishError(AmentorError):
    """The output could not be written safely (a path escapes, two items collide)."""


def check_output_path(rel: str) -> str:
    """Refuse output paths that are absolute or escape the site folder."""
    # As PurePosixPath would judge it (not absolute, no "..", already normal), without making one
    # per file: a site has tens of thousands.
    if not rel or rel[0] == "/" or any(part in ("", ".", "..") for part in rel.split("/")):
        raise PublishError(f"refusing to write outside the site folder: {rel!r}")
    return rel


def stage_file(rel: str, data: bytes, target: str, published: str | None, made_dirs: set[str]) -> bool:
    """Write data to target/rel unless published/rel has the same bytes; True if it was written."""
    check_output_path(rel)
    if published is not None:
        try:
            with open(os.path.join(published, rel), "rb") as f:
                if os.fstat(f.fileno()).st_size == len(data) and f.read() == data:
                    return False
        except OSError:
            pass
    path = os.path.join(target, rel)
    parent = os.path.dirname(path)
    if parent not in made_dirs:
        os.makedirs(parent, exist_ok=True)
        made_dirs.add(parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)  # as open() does
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return True


class SiteTransaction:
    """The new site, as changes against the published one; applied by commit().

    in_place (the mkdocs route): mkdocs owns the folder and has just filled it, so files are
    written straight into it and nothing is removed.
    """

    def __init__(self, site_dir: Path, manifest: Path, in_place: bool = False):
        self.site = site_dir.resolve()
        self.manifest = manifest  # what the last build published (kept outside the site)
        self.in_place = in_place
        self.site.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.new-", dir=self.site.parent))
        self.fresh = not self.site.is_dir()  # first build: the staging folder simply becomes the site
        self.changed: set[str] = set()
        self.files: set[str] = set()  # every file of the new site
        self.sealed: set[str] = set()  # staged files whose bytes were checked to be ciphertext as they were written
        self._dirs: set[str] = set()
        self._manifest_text: str | None = None  # as read by previous(): an unchanged manifest is not rewritten
        self._previous: set[str] | None = None
        if in_place:  # what mkdocs has written is part of the new site, and is audited with it
            for directory, _, names in os.walk(self.site):
                for name in names:
                    self.register(os.path.relpath(os.path.join(directory, name), self.site).replace(os.sep, "/"), True)

    def __enter__(self) -> SiteTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def published(self, rel: str) -> str:
        return os.path.join(self.site, rel)

    @property
    def target(self) -> str:
        """Where changed files are staged (in place: the site itself)."""
        return str(self.site if self.in_place else self.staging)

    @property
    def compare_with(self) -> str | None:
        """The published site to compare against (None on a first build)."""
        return None if self.fresh else str(self.site)

    def write(self, rel: str, data: bytes) -> bool:
        """Stage one file of the new site; return False if the published copy already has these bytes."""
        changed = stage_file(rel, data, self.target, self.compare_with, self._dirs)
        self.register(rel, changed)
        return changed

    def register(self, rel: str, changed: bool, sealed: bool = False) -> None:
        """Record a file staged elsewhere (by a worker process) as part of the new site;
        sealed: its bytes were checked to be ciphertext as they were staged (see audit.looks_sealed)."""
        if rel in self.files:
            raise PublishError(f"two outputs would be written to {rel}")
        self.files.add(rel)
        if changed:
            self.changed.add(rel)
            if sealed:
                self.sealed.add(rel)

    def keep_folder(self, files: dict[str, int]) -> bool:
        """Keep files as published if every one of them is there (a published site is complete:
        it was switched in whole)."""
        if self.fresh or not files:
            return False
        listings: dict[str, set[str]] = {}
        for rel in files:
            folder, _, name = rel.rpartition("/")
            if folder not in listings:
                try:
                    listings[folder] = set(os.listdir(os.path.join(self.site, folder)))
                except OSError:
                    return False
            if name not in listings[folder]:
                return False
        self.files.update(files)
        return True

    def staged(self, rel: str, limit: int = -1) -> bytes:
        """The bytes the new site will have at rel (the first `limit` of them, if given)."""
        staged_here = not self.in_place and (self.fresh or rel in self.changed)
        source = self.staging if staged_here else self.site
        with open(os.path.join(source, rel), "rb") as f:
            return f.read(limit)

    def previous(self) -> set[str] | None:
        """The files the last build published, if it recorded them and the site is still there."""
        if self._manifest_text is None:
            try:
                self._manifest_text = self.manifest.read_text(encoding="utf-8")
                files = json.loads(self._manifest_text)
            except (OSError, ValueError):
                self._manifest_text = ""
                return None
            if isinstance(files, dict) and files.get("site") == str(self.site) and not self.fresh:
                self._previous = set(files.get("files", []))
        return self._previous

    def commit(self) -> None:
        """Apply the changes; files the last build published that are not in this one are removed."""
        if self.in_place:
            return
        if self.fresh:
            os.chmod(self.staging, 0o755)
            self.staging.rename(self.site)
            self._save_manifest()
            return
        previous = self.previous()
        if previous is None:
            previous = {
                os.path.relpath(os.path.join(d, n), self.site).replace(os.sep, "/")
                for d, _, names in os.walk(self.site)
                for n in names
            }
        removed = sorted(previous - self.files)
        backup = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.old-", dir=self.site.parent))
        moved: list[tuple[str, str]] = []  # (from, to) renames done, to undo on failure

        def move(source: str, target: str) -> None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.rename(source, target)
            moved.append((source, target))

        try:
            for rel in sorted(self.changed) + removed:  # the published copy goes aside first
                if os.path.exists(self.published(rel)):
                    move(self.published(rel), os.path.join(backup, rel))
                if rel in self.changed:
                    move(os.path.join(self.staging, rel), self.published(rel))
        except BaseException:
            for source, target in reversed(moved):
                os.rename(target, source)
            raise
        finally:
            shutil.rmtree(backup, ignore_errors=True)
        for rel in removed:  # tidy folders left empty (a pupil who is no longer in the records)
            parent = os.path.dirname(self.published(rel))
            while parent != str(self.site) and os.path.isdir(parent) and not os.listdir(parent):
                os.rmdir(parent)
                parent = os.path.dirname(parent)
        self._save_manifest()

    def _save_manifest(self) -> None:
        if self._previous is not None and self.files == self._previous:
            return  # the same files as recorded
        text = json.dumps({"site": str(self.site), "files": sorted(self.files)})
        if text != self._manifest_text:
            self.manifest.parent.mkdir(parents=True, exist_ok=True)
            self.manifest.write_text(text, encoding="utf-8")
