"""Writing one file of the output safely: staged beside the published one (a hard link when its
bytes are unchanged, never written through a link the site shares), flushed, exchanged.

`staging.SiteTransaction` uses these for the whole site; the files amentor keeps for itself
are written by `disk.py`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from pathlib import Path

from ..disk import failed_path
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


def stage_file(rel: str, data: bytes, target: str, published: str | None, known_dirs: set[str]) -> bool:
    """Put data at target/rel: a hard link to published/rel if that has the same bytes (False),
    else the bytes written anew (True). With target == published (in place), same bytes: nothing.
    known_dirs: directories made under target, or found to be the site's own under published,
    by earlier calls (each is looked at once)."""
    check_output_path(rel)
    path = os.path.join(target, rel)
    parent = os.path.dirname(path)
    if parent not in known_dirs:
        os.makedirs(parent, exist_ok=True)
        known_dirs.add(parent)
    if published is not None and real_directory(published, rel.rpartition("/")[0], known_dirs):
        old = os.path.join(published, rel)
        try:  # the published file itself: a symbolic link put in its place is not followed (nor linked)
            with open(os.open(old, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as f:
                found = os.fstat(f.fileno())
                same = stat.S_ISREG(found.st_mode) and found.st_size == len(data) and f.read() == data
        except OSError:
            same = False
        if same:
            if old != path:
                link(old, path)
            return False
    write_file(path, data)
    return True


def real_directory(site: str, directory: str, known_dirs: set[str]) -> bool:
    """Is site/directory a directory of the site itself, not reached through a symbolic link (which
    would make a file outside the site look like the published one, and have it linked into the
    new site)? known_dirs: directories found to be real before (each is looked at once)."""
    at = site
    for part in directory.split("/") if directory else ():
        at = f"{at}/{part}"
        if at not in known_dirs:
            try:
                if not stat.S_ISDIR(os.lstat(at).st_mode):
                    return False
            except OSError:
                return False
            known_dirs.add(at)
    return True


def write_file(path: str, data: bytes) -> None:
    """Write data at path: over a file only the staging directory has (staged before by this
    build, or kept in the spare tree), else as a new file; never through a link to the site."""
    try:  # never through a symbolic link, never waiting on a pipe (O_NONBLOCK does nothing to a plain file)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)  # mode as open() gives
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENXIO):
            raise
        fd = -1  # a symbolic link, or a pipe no one reads: replaced
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
    """The published file, unchanged, in the staging directory (a copy where links are refused:
    a USB stick's FAT or exFAT, a network share)."""
    try:
        _link_or_copy(published, staged)
    except FileExistsError:  # staged before, for a folder then built again (or the spare's copy)
        os.unlink(staged)
        _link_or_copy(published, staged)


def _link_or_copy(published: str, staged: str) -> None:
    try:
        os.link(published, staged)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(published, staged)


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


NOT_PUBLISHED = "nothing was published, the site is as it was"
SCRATCH = ".public-"  # the directory of the staging tree where mkdocs writes the public pages (public.py)


def write_error(exc: OSError, root: Path, site: Path, then: str = NOT_PUBLISHED) -> WriteError:
    """An OSError of a build as the user reads it: the path (in the project where it is there),
    what the system said, and then what it means for the site. A file of the site's staging or
    spare tree (gone by now) is named as the site's; an error without a path (a full disk, met
    while writing) names the site; a copy that could not be written names the copy, not the file
    copied (shutil gives both)."""
    named = failed_path(exc)
    path = Path(named) if named is not None else site
    site = site.resolve()
    beside = path.relative_to(site.parent).parts if path.is_absolute() and path.is_relative_to(site.parent) else ()
    if beside and beside[0].startswith(f".{site.name}."):  # .site.new-*/..., .site.spare/...
        inner = beside[1:]
        if inner and inner[0].startswith(SCRATCH):  # a public page as mkdocs wrote it, before it was staged
            inner = inner[1:]
        path = site.joinpath(*inner)
    shown = path.relative_to(root).as_posix() if path.is_absolute() and path.is_relative_to(root) else str(path)
    return WriteError(Problem(shown, 1, 1, f"{exc.strerror or exc}; {then}"))
