"""Stage 6, publish: the new site is staged whole beside the published one, then switched in.

The staging directory (`.<site>.new-*`, beside the site) receives every file of the new site:
a file whose bytes are unchanged is a hard link to the published one (its bytes and
modification time kept, so a deploy uploads only what changed); the rest are written anew.
Nothing the build did not produce is ever in it. Once the whole build has succeeded, the
staging directory is flushed to disk and exchanged with the site in one atomic step
(Linux's renameat2 with RENAME_EXCHANGE). A crash, a power cut or a full disk at any moment
leaves the site exactly as it was or exactly as it should be; the next run removes whatever
an interrupted one left beside it (`recover`).

The old tree is not thrown away: less the files this build replaced, it is kept beside the
site as `.<site>.spare`, where every file is a hard link to the same file of the site. The
next build stages into it, so that only what changed since is linked, written or removed
(at 1,000 children: a handful of files instead of 38,000 links and 38,000 removals). Its
contents are never trusted: every file of the new site is written by the build or checked to
be the very file (inode) the site has, and anything else in it is removed before the switch.

Where the system cannot exchange two directories, the site is renamed aside and the new one
renamed into its place; a crash between those two renames leaves no site for a moment, and
`recover` puts the old one back.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import secrets
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import AmentorError, LocatedError, Problem


class PublishError(AmentorError):
    """The output could not be written safely (a path escapes, two items collide)."""


class WriteError(LocatedError):
    """The output could not be written (a full disk, a read-only directory, a size limit)."""


def check_output_path(rel: str) -> str:
    """Refuse output paths that are absolute or escape the site directory."""
    # As PurePosixPath would judge it (not absolute, no "..", already normal), without making one
    # per file: a site has tens of thousands.
    if not rel or rel[0] == "/" or any(part in ("", ".", "..") for part in rel.split("/")):
        raise PublishError(f"refusing to write outside the site directory: {rel!r}")
    return rel


def stage_file(rel: str, data: bytes, target: str, published: str | None, made_dirs: set[str]) -> bool:
    """Put data at target/rel: a hard link to published/rel if that has the same bytes (False),
    else the bytes written anew (True). With target == published (in place), same bytes: nothing."""
    check_output_path(rel)
    path = os.path.join(target, rel)
    parent = os.path.dirname(path)
    if parent not in made_dirs:
        os.makedirs(parent, exist_ok=True)
        made_dirs.add(parent)
    if published is not None:
        old = os.path.join(published, rel)
        try:
            with open(old, "rb") as f:
                same = os.fstat(f.fileno()).st_size == len(data) and f.read() == data
        except OSError:
            same = False
        if same:
            if old != path:
                link(old, path)
            return False
    write_file(path, data)
    return True


def write_file(path: str, data: bytes) -> None:
    """Write data at path: over a file only the staging directory has (staged before by this
    build, or kept in the spare tree), else as a new file; never through a link to the site."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o666)  # mode as open() gives
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        fd = -1  # a symbolic link: replaced, never followed
    if fd >= 0:
        found = os.fstat(fd)
        if found.st_nlink > 1 or not stat.S_ISREG(found.st_mode):  # the site's file too: a new one
            os.close(fd)
            fd = -1
        elif found.st_size:
            os.ftruncate(fd, 0)
    if fd < 0:
        os.unlink(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def link(published: str, staged: str) -> None:
    """The published file, unchanged, in the staging directory (a copy where links are refused)."""
    try:
        os.link(published, staged)
    except FileExistsError:  # staged before, for a folder then built again
        os.unlink(staged)
        os.link(published, staged)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(published, staged)


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
        self.fresh = not self.site.is_dir()
        self.changed: set[str] = set()
        self.files: set[str] = set()  # every file of the new site
        self.sealed: set[str] = set()  # staged files whose bytes were checked to be ciphertext as they were written
        self.public: set[str] = set()  # the school's public pages (written by mkdocs)
        self._dirs: set[str] = set()
        self._previous: set[str] | None = None
        self.kept: set[str] = set()  # files kept as published, not yet linked into the staging directory
        self.inodes: dict[str, int] = {}  # kept file -> the published file's inode
        self.adopted = False  # staging into the spare tree the last build left
        self.committed = False
        self._flushing: threading.Thread | None = None
        if in_place:  # what mkdocs has written is part of the new site, and is audited with it
            self.staging = self.site
            for directory, _, names in os.walk(self.site):
                for name in names:
                    rel = os.path.relpath(os.path.join(directory, name), self.site).replace(os.sep, "/")
                    self.register(rel, True)
                    self.public.add(rel)
        else:
            recover(self.site)
            self.staging = self._adopt_spare() or Path(
                tempfile.mkdtemp(prefix=f".{self.site.name}.new-", dir=self.site.parent)
            )

    @property
    def spare(self) -> Path:
        """The tree the last build replaced, kept for the next one to stage into."""
        return self.site.parent / f".{self.site.name}.spare"

    def _adopt_spare(self) -> Path | None:
        """The spare tree, renamed as this build's staging directory (so that a build killed
        while staging into it leaves only a leftover for `recover` to remove). Without a site
        (deleted by hand: start again) the spare goes too."""
        if not self.spare.is_dir() or self.spare.is_symlink():
            return None
        if self.fresh:
            shutil.rmtree(self.spare, ignore_errors=True)
            return None
        staging = self.site.parent / f".{self.site.name}.new-{secrets.token_hex(6)}"
        os.rename(self.spare, staging)
        self.adopted = True
        return staging

    def __enter__(self) -> SiteTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._flushed()
        if not self.in_place and not self.committed:
            shutil.rmtree(self.staging, ignore_errors=True)

    def flush_soon(self) -> None:
        """Start flushing what is staged so far to disk, in the background: the folders are most
        of the bytes, and reach the disk while the rest of the build runs (commit waits for it)."""
        if not self.in_place and self._flushing is None:
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

    def keep_folder(self, files: dict[str, int]) -> bool:
        """Keep files as published (linked into the new site); False if any of them is not there
        with the size it was written with."""
        if self.fresh or not files:
            return False
        site = str(self.site)
        found: dict[str, dict[str, tuple[int, int]]] = {}  # directory of the site -> its files' sizes, inodes
        inodes: dict[str, int] = {}
        for rel, size in files.items():  # paths this build recorded itself (checked when first written)
            folder, _, name = rel.rpartition("/")
            if folder not in found:
                try:
                    with os.scandir(f"{site}/{folder}" if folder else site) as entries:
                        found[folder] = {e.name: (e.stat().st_size, e.inode()) for e in entries if e.is_file()}
                except OSError:
                    return False
            size_inode = found[folder].get(name)
            if size_inode is None or size_inode[0] != size:
                return False
            inodes[rel] = size_inode[1]
        self.files.update(files)
        if not self.in_place:  # linked into the new site at commit, if there is a new site to make
            self.kept.update(files)
            self.inodes.update(inodes)
        return True

    def staged(self, rel: str, limit: int = -1) -> bytes:
        """The bytes the new site will have at rel (the first `limit` of them, if given)."""
        with open(os.path.join(str(self.site) if rel in self.kept else self.target, rel), "rb") as f:
            return f.read(limit)

    def previous(self) -> set[str] | None:
        """The files the last build published here, if it recorded them and the site is still there."""
        if self._previous is None and not self.fresh:
            try:
                entry = json.loads(self.manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            if isinstance(entry, dict) and entry.get("site") == str(self.site):
                self._previous = set(entry.get("files", []))
        return self._previous

    def commit(self) -> None:
        """Switch the new site in, all at once; the old one is removed."""
        if self.in_place:
            return
        if not self.changed and self._published_as_is():
            self.committed = True  # the site already is exactly the new one: nothing to switch
            self._keep_spare(self.staging, set())
            return
        self._complete()
        self._flushed()
        sync(self.staging)  # what is left: little, if flush_soon was called
        os.chmod(self.staging, 0o755)
        if self.fresh:
            os.rename(self.staging, self.site)
        elif exchange(self.staging, self.site):
            self._keep_spare(self.staging, self.changed)  # now the old site
        else:
            aside = Path(tempfile.mkdtemp(prefix=f".{self.site.name}.old-", dir=self.site.parent))
            os.rename(self.site, aside / "site")
            os.rename(self.staging, self.site)
            self._keep_spare(aside / "site", self.changed)
            shutil.rmtree(aside, ignore_errors=True)
        self.committed = True
        self._save_manifest()

    def _published_as_is(self) -> bool:
        """Does the published site hold exactly the files of the new one (and nothing else)?
        (Every kept file was checked by size; every other one was found to have the same bytes.)"""
        if self.fresh:
            return False
        found: set[str] = set()
        for directory, _, names in os.walk(self.site):
            base = os.path.relpath(directory, self.site).replace(os.sep, "/")
            found.update(name if base == "." else f"{base}/{name}" for name in names)
        return found == self.files

    def _complete(self) -> None:
        """Make the staging directory hold exactly the new site: each kept file hard-linked from
        the published site, unless the very same file is there already (the spare tree's)."""
        found = self._tidy(str(self.staging), self.files.__contains__) if self.adopted else {}
        self._dirs.clear()  # the tidy may have removed some
        site, target = str(self.site), str(self.staging)
        for rel in sorted(self.kept):
            if found.get(rel) == self.inodes[rel]:
                continue
            staged = f"{target}/{rel}"
            parent = staged.rpartition("/")[0]
            if parent not in self._dirs:
                os.makedirs(parent, exist_ok=True)
                self._dirs.add(parent)
            link(f"{site}/{rel}", staged)
        self.kept.clear()

    def _tidy(self, directory: str, keep: Callable[[str], bool], base: str = "") -> dict[str, int]:
        """Remove from a tree every file whose path (relative to it) is not to be kept, and
        anything else that is not a plain file; return the inode of each file left. Directories
        left empty are removed."""
        found: dict[str, int] = {}
        with os.scandir(directory) as entries:
            for entry in entries:
                rel = base + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found.update(self._tidy(entry.path, keep, rel + "/"))
                    with contextlib.suppress(OSError):  # not empty: kept
                        os.rmdir(entry.path)
                elif entry.is_file(follow_symlinks=False) and keep(rel):
                    found[rel] = entry.inode()
                else:
                    os.unlink(entry.path)
        return found

    def _keep_spare(self, old: Path, replaced: set[str]) -> None:
        """Keep the tree the site no longer uses as the next build's spare, with only the files
        it shares with the new site (the very same files, linked): the replaced and the removed
        ones go (a child taken out of the records is gone from it too), so it holds nothing the
        site does not and takes no space of its own."""
        previous = self.previous()  # what that tree held, as the last build recorded it
        if previous is None:
            self._tidy(str(old), lambda rel: rel in self.files and rel not in replaced)
        removed = (previous or set()) - self.files
        for rel in replaced | removed:
            with contextlib.suppress(OSError):
                os.unlink(f"{old}/{rel}")
        for folder in sorted({rel.rpartition("/")[0] for rel in removed} - {""}, reverse=True):  # deepest first
            with contextlib.suppress(OSError):  # not empty: still shared with the site
                os.rmdir(f"{old}/{folder}")
        try:
            os.rename(old, self.spare)
        except OSError:
            shutil.rmtree(old, ignore_errors=True)

    def _save_manifest(self) -> None:
        if self._previous is not None and self.files == self._previous:
            return
        text = json.dumps({"site": str(self.site), "files": sorted(self.files)})
        write_atomically(self.manifest, text.encode())


def recover(site: Path) -> None:
    """Tidy what an interrupted build left beside the site: a staging directory is removed; an
    old site set aside comes back if there is no site (a crash between the two renames)."""
    for leftover in sorted(site.parent.glob(f".{site.name}.old-*")):
        if not site.exists() and (leftover / "site").is_dir():
            os.rename(leftover / "site", site)
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in site.parent.glob(f".{site.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2); False where it cannot be done."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the kernel or the file system cannot: rename instead
    raise OSError(code, os.strerror(code), str(b))


def sync(directory: Path) -> None:
    """Flush the file system holding directory to disk (syncfs where there is one, else sync)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        try:
            syncfs = ctypes.CDLL(None, use_errno=True).syncfs
        except (AttributeError, OSError):
            os.sync()
            return
        if syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name, flush to disk, then rename into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    with open(partial, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(path)


def write_error(exc: OSError, root: Path) -> WriteError:
    """An OSError as the user reads it: the path (in the project where it is there) and what the system said."""
    path = Path(os.fsdecode(exc.filename)) if exc.filename is not None else root
    shown = path.relative_to(root).as_posix() if path.is_absolute() and path.is_relative_to(root) else str(path)
    return WriteError(Problem(shown, 1, 1, f"{exc.strerror or exc}; nothing was published, the site is as it was"))
