"""Stage 6, publish: the new site is staged whole beside the published one, then switched in.

The staging directory (`.<site>.new-*`, beside the site) receives every file of the new site:
a file whose bytes are unchanged is a hard link to the published one (its bytes and
modification time kept, so a deploy uploads only what changed); the rest are written anew.
Nothing the build did not produce is ever in it. Once the whole build has succeeded, the
staging directory is flushed to disk and exchanged with the site in one atomic step
(Linux's renameat2 with RENAME_EXCHANGE). A crash, a power cut or a full disk at any moment
leaves the site exactly as it was or exactly as it should be; the next run removes whatever
an interrupted one left beside it (`recover`).

The old tree is not thrown away: it is kept beside the site as its spare, and the next build
stages into it, so that only what changed since is linked, written or removed (`spare.py`).

Where the system cannot exchange two directories, the site is renamed aside and the new one
renamed into its place; a crash between those two renames leaves no site for a moment, and
`recover` puts the old one back.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from ..disk import read_plain, write_atomically
from . import spare
from .files import PublishError, exchange, link, real_directory, stage_file, sync
from .found import Found, inode_of, sized, unchanged_since


class SiteTransaction:
    """The new site, staged whole; switched in by commit().

    in_place (the mkdocs route): mkdocs owns the directory and has just filled it, so files are
    written straight into it and nothing is switched.
    """

    def __init__(self, site_dir: Path, manifest: Path, in_place: bool = False):
        self.site = site_dir.resolve()
        self.manifest = manifest  # the paths the last build published (kept outside the site)
        self.in_place = in_place
        self.site.parent.mkdir(parents=True, exist_ok=True)
        if not in_place:
            recover(self.site)  # first: a site it puts back is the published one
        self.fresh = not self.site.is_dir()
        self.changed: set[str] = set()
        self.files: set[str] = set()  # every file of the new site
        self.sealed: set[str] = set()  # staged files whose bytes were checked to be ciphertext as they were written
        self.public: set[str] = set()  # the school's public pages (written by mkdocs)
        self._dirs: set[str] = set()  # made in the staging directory, or found real in the site (see stage_file)
        self._previous: set[str] | None = None
        self.kept: set[str] = set()  # files kept as published, not yet linked into the staging directory
        self.ids: dict[str, str] = {}  # kept file -> the published file (file_id)
        self.found: dict[str, int] = {}  # what the spare tree held when this build took it: path -> inode
        self.committed = False
        self._switched = False  # committed by switching a new tree in (not: the site already was the new one)
        self._flushing: threading.Thread | None = None
        if in_place:  # what mkdocs has written is part of the new site, and is audited with it
            self.staging = self.site
            for directory, folders, names in os.walk(self.site):
                if directory == str(self.site):  # see `outside_mkdocs`
                    folders[:] = [f for f in folders if not outside_mkdocs(f)]
                    names = [n for n in names if not outside_mkdocs(n)]
                # mkdocs writes plain files only, and cannot empty a link to a directory: a link
                # (or a pipe) is not its, and the build would write through it. It goes.
                for name in [f for f in folders if os.path.islink(os.path.join(directory, f))]:
                    os.unlink(os.path.join(directory, name))
                    folders.remove(name)
                for name in names:
                    path = os.path.join(directory, name)
                    if not stat.S_ISREG(os.lstat(path).st_mode):
                        os.unlink(path)
                        continue
                    rel = os.path.relpath(path, self.site).replace(os.sep, "/")
                    self.register(rel, True)
                    self.public.add(rel)
        else:
            adopted = spare.adopt(self.site, self.fresh)  # the tree the last build replaced (see spare.py)
            if adopted is not None:
                self.staging, self.found = adopted
            else:
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.new-", dir=self.site.parent))

    def __enter__(self) -> SiteTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._flushed()
        if not self.in_place and not self.committed:
            shutil.rmtree(self.staging, ignore_errors=True)

    def flush_soon(self) -> None:
        """Start flushing what is staged so far to disk, in the background: the folders are most
        of the bytes, and reach the disk while the rest of the build runs (commit waits for it).
        Nothing staged anew, nothing to flush. (No worker process may be started after it.)"""
        if not self.in_place and self._flushing is None and self.changed:
            self._flushing = threading.Thread(target=sync, args=(self.staging,), daemon=True)
            self._flushing.start()

    def _flushed(self) -> None:
        if self._flushing is not None:
            self._flushing.join()
            self._flushing = None

    @property
    def target(self) -> str:
        """Where the new site's files are staged (in place: the site itself)."""
        return str(self.staging)

    @property
    def compare_with(self) -> str | None:
        """The published site to compare with (None on a first build)."""
        return None if self.fresh else str(self.site)

    def write(self, rel: str, data: bytes) -> bool:
        """Stage one file of the new site; return False if the published copy already has these bytes."""
        changed = stage_file(rel, data, self.target, self.compare_with, self._dirs)
        self.register(rel, changed)
        return changed

    def register(self, rel: str, changed: bool, sealed: bool = False) -> None:
        """Record a file staged elsewhere (by a worker process) as part of the new site;
        sealed: its bytes were checked to be ciphertext as they were staged (see protection.looks_sealed)."""
        if rel in self.files:
            raise PublishError(f"two outputs would be written to {rel}")
        self.files.add(rel)
        if changed:
            self.changed.add(rel)
            if sealed:
                self.sealed.add(rel)

    def mark_rewritten(self, written: list[tuple[str, bool]]) -> None:
        """Files of the new site staged again elsewhere (a worker sealing pages at a new size),
        each with whether its bytes were checked to be ciphertext as they were staged."""
        for rel, sealed in written:
            if rel not in self.files:
                raise PublishError(f"{rel} is not part of the new site")
            self.changed.add(rel)
            self.kept.discard(rel)  # staged anew: not to be linked from the old site
            if sealed:
                self.sealed.add(rel)
            else:
                self.sealed.discard(rel)  # the audit checks it again

    def keep_published(self, files: dict[str, int], before: Found | None = None) -> Found | None:
        """Keep files as published (linked into the new site) if each is there as it was written;
        return how they were found (None: not kept).

        files: each path with the size it was written with. before: how a build found these
        files published once (see `Found`); where each of their directories is as it was
        then, that is enough, and no file is looked at. Else each file must be a plain file
        of the site with its size, and the very file found then (file_id), if it was found.
        """
        if self.fresh or not files:
            return None
        site = str(self.site)
        if not all(real_directory(site, d, self._dirs) for d in {rel.rpartition("/")[0] for rel in files}):
            return None  # a directory of the site made a link, to a copy outside, say: never kept, nor linked in
        found = before if before is not None and unchanged_since(site, files, before) else sized(site, files, before)
        if found is None:
            return None
        self.files.update(files)
        if not self.in_place:  # linked into the new site at commit, if there is a new site to make
            self.kept.update(files)
            self.ids.update(found.ids)
        return found

    def staged(self, rel: str, limit: int = -1) -> bytes:
        """The bytes the new site will have at rel (the first `limit` of them, if given)."""
        with open(os.path.join(str(self.site) if rel in self.kept else self.target, rel), "rb") as f:
            return f.read(limit)

    def previous(self) -> set[str] | None:
        """The files the last build published here, if it recorded them and the site is still there."""
        if self._previous is None and not self.fresh:
            try:
                entry = json.loads(read_plain(self.manifest).decode("utf-8"))
            except (OSError, ValueError):
                return None
            if isinstance(entry, dict) and entry.get("site") == str(self.site):
                self._previous = set(entry.get("files", []))
        return self._previous

    def commit(self) -> None:
        """Switch the new site in, all at once; the old one is kept as the spare (see spare.py)."""
        if self.in_place:
            return
        if not self.changed and self._published_as_is():
            self.committed = True  # the site already is exactly the new one: nothing to switch
            spare.remove(self.staging, self.found.keys() - self.files)  # what the site no longer has
            spare.put_back(self.staging, self.site)
            return
        self._complete()
        self._flushed()
        sync(self.staging)  # what is left: little, if flush_soon was called
        os.chmod(self.staging, 0o755)
        if self.fresh:
            os.rename(self.staging, self.site)
        elif exchange(self.staging, self.site):
            spare.keep(self.staging, self.site, self._unchanged, self._gone())  # staging is now the old site
        else:
            aside = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.old-", dir=self.site.parent))
            os.rename(self.site, aside / "site")
            os.rename(self.staging, self.site)
            spare.keep(aside / "site", self.site, self._unchanged, self._gone())
            shutil.rmtree(aside, ignore_errors=True)
        self.committed = True
        self._switched = True

    def record(self) -> None:
        """Save which files the site just switched in has (the manifest), once it is published."""
        if self._switched:
            self._save_manifest()

    def _published_as_is(self) -> bool:
        """Does the published site hold exactly the files of the new one, and nothing else: no
        other file, no link, no empty directory? (Every kept file was found as it was written,
        see keep_published; every other one was found to have the same bytes.)"""
        if self.fresh:
            return False
        found: set[str] = set()
        return _plain_files(str(self.site), "", found) and found == self.files

    def _complete(self) -> None:
        """Make the staging directory hold exactly the new site: what the spare tree had that the
        new site has not is removed, and each kept file is hard-linked from the published site,
        unless the very same file is there already (the spare tree's)."""
        spare.remove(self.staging, self.found.keys() - self.files)
        site, target = str(self.site), str(self.staging)
        made: set[str] = set()
        there, ids = self.found, self.ids
        for rel in sorted(rel for rel in self.kept if there.get(rel) != inode_of(ids[rel])):  # (few, after a rebuild)
            staged = f"{target}/{rel}"
            parent = staged.rpartition("/")[0]
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            link(f"{site}/{rel}", staged)
        self.kept.clear()

    def _unchanged(self, rel: str) -> bool:
        """Is this file of the old site also, unchanged, a file of the new one?"""
        return rel in self.files and rel not in self.changed

    def _gone(self) -> set[str] | None:
        """The files of the old site that are not, unchanged, in the new one (None if the last
        build's list of them is not at hand)."""
        previous = self.previous()
        return None if previous is None else self.changed | (previous - self.files)

    def _save_manifest(self) -> None:
        if self._previous is not None and self.files == self._previous:
            return
        text = json.dumps({"site": str(self.site), "files": sorted(self.files)})
        write_atomically(self.manifest, text.encode(), private=True)


def outside_mkdocs(name: str) -> bool:
    """An entry of the site directory mkdocs leaves alone: it empties the directory before a
    build but, on purpose, skips what is named with a dot (a deploy checkout's `.git`, a web
    root's `.well-known`, the `.htaccess` of the last build, which this build writes again).
    Such an entry is neither one of mkdocs' pages nor touched: it is the directory's owner's."""
    return name.startswith(".")


def _plain_files(directory: str, base: str, found: set[str]) -> bool:
    """Add the path (below base) of each file in a directory of the site, and those of its
    subdirectories, to found; False, at once, if it holds anything else: a symbolic link (to
    a file or a directory, never followed), a pipe, an empty directory."""
    empty = True
    with os.scandir(directory) as entries:
        for entry in entries:
            empty = False
            if entry.is_dir(follow_symlinks=False):
                if not _plain_files(entry.path, f"{base}{entry.name}/", found):
                    return False
            elif entry.is_file(follow_symlinks=False):
                found.add(base + entry.name)
            else:
                return False
    return not empty or not base


def recover(site: Path) -> None:
    """Tidy what an interrupted build left beside the site: a staging directory is removed; an
    old site set aside comes back if there is no site (a crash between the two renames). A
    link among them (to elsewhere) is removed, never followed."""
    for leftover in sorted(site.parent.glob(f".{site.name}.old-*")):
        aside = leftover / "site"
        if _real_dir(leftover) and not os.path.lexists(site) and _real_dir(aside):
            os.rename(aside, site)
        _remove(leftover)
    for leftover in site.parent.glob(f".{site.name}.new-*"):
        _remove(leftover)


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _remove(path: Path) -> None:
    """Remove a directory left beside the site, or the link (or file) in its place."""
    if _real_dir(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)
