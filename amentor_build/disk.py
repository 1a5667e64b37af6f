"""Files amentor keeps, read and written safely, for every stage and command: written whole
or not at all (`write_atomically`, and the partial files a killed command left removed), kept
private, read only when plain; and how an input file is known again without reading it
(`file_stamp`, `settled`). The site's own files are staged by the publish stage (`output/`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import time
from pathlib import Path
from typing import NamedTuple


def sync_dir(directory: str | Path) -> None:
    """Flush a directory's entries (a rename, a new file) to disk; one that cannot be opened is skipped."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, durable: bool = True, private: bool = False) -> None:
    """Write to a temporary name, flush to disk (unless not durable: a cache entry that may be
    lost, never half written), then rename into place. private: readable by this user only
    (0600; a folder made for it 0700), for what amentor keeps under .amentor/ and a class sheet."""
    if private:
        make_private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
        with open(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        partial.replace(path)
    except OSError as exc:  # a full disk, say: nothing half written is left, and the file is named
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if exc.filename is None or os.fsdecode(exc.filename) == str(partial):  # the user's name for it
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def remove_abandoned(directory: Path, of: str | None = None) -> None:
    """Remove the partial files (`.<name>.<pid>.part`, as write_atomically names them) that a
    command killed while writing left in directory (of: only those of the file of that name),
    those of processes that have ended: a half-written copy of a child's folder must not stay on disk."""
    try:
        entries = [e.name for e in os.scandir(directory)]  # a cache has thousands: no glob
    except OSError:
        return
    for name in entries:
        stem, _, pid = name[1:].removesuffix(".part").rpartition(".")  # .<stem>.<pid>.part
        ours = name.startswith(".") and name.endswith(".part") and stem and (of is None or stem == of)
        if ours and process_ended(pid):
            with contextlib.suppress(OSError):
                os.unlink(directory / name)


class Tidied(NamedTuple):
    """What remove_ended found of ended processes: the directories it removed, and those it
    could not (another user's, say), which someone must remove."""

    removed: list[Path]
    left: list[Path]


def remove_ended(base: Path) -> Tidied:
    """Remove the directories base holds for a process each (`<pid>/`) whose process has ended
    (a command killed midway left it), then base itself once empty. A base that is not a
    directory of its own (a link to elsewhere) is left alone: nothing outside it is removed."""
    try:
        if not stat.S_ISDIR(os.lstat(base).st_mode):
            return Tidied([], [])
        found = [Path(e.path) for e in os.scandir(base) if process_ended(e.name) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return Tidied([], [])
    for directory in found:
        remove_tree(directory)
    with contextlib.suppress(OSError):  # (one another process is using is not empty)
        base.rmdir()
    left = [d for d in found if os.path.lexists(d)]
    return Tidied([d for d in found if d not in left], left)


def remove_tree(directory: Path) -> None:
    """Remove a directory and all in it, its read-only folders too (as copied from read-only
    records); what cannot be removed (another user's) is left, and the caller looks."""
    shutil.rmtree(directory, ignore_errors=True)
    if os.path.lexists(directory):
        for folder, _, _ in os.walk(directory):  # (links are not followed)
            with contextlib.suppress(OSError):
                os.chmod(folder, 0o700)
        shutil.rmtree(directory, ignore_errors=True)


def process_ended(pid: str) -> bool:
    """Is this a process id (as a file's name holds it) of a process that has ended?"""
    return pid.isascii() and pid.isdigit() and len(pid) < 10 and not running(int(pid))


def running(pid: int) -> bool:
    """Is the process still running? One that has ended but is not yet reaped (a zombie: a
    killed build's worker, until the system's first process collects it) is not."""
    if pid == os.getpid():
        return False  # this command's own, from an earlier attempt that failed: replaced now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:  # Linux: "pid (name) state ..."
            state = f.read().rpartition(b")")[2].split()[:1]
    except OSError:
        return True  # no /proc here: alive, as far as can be told
    return state not in ([b"Z"], [b"X"])


def read_plain(path: str | Path) -> bytes:
    """The bytes of a file amentor keeps (a cache's, the manifest); OSError if what is there is
    not a plain file: a pipe put in its place would have a build wait for ever."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", str(path))
        return f.read()


def own_directory(directory: Path, base: Path) -> None:
    """Make directory (below base) a directory of its own, readable by this user only: whatever
    is at it or between base and it that is not a directory (a symbolic link to elsewhere, a
    file, a pipe) is removed first, so that nothing is ever written, nor removed, through it."""
    make_private_dir(base)
    at = base
    for part in directory.relative_to(base).parts:
        at = at / part
        try:
            mode = os.lstat(at).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not stat.S_ISDIR(mode):
            os.unlink(at)
            mode = None
        if mode is None:
            with contextlib.suppress(FileExistsError):  # made meanwhile
                at.mkdir(mode=0o700)


def make_private_dir(directory: Path) -> None:
    """Make a directory, and any missing one above it, readable by this user only (0700)."""
    if not directory.is_dir():
        make_private_dir(directory.parent)
        with contextlib.suppress(FileExistsError):  # made meanwhile
            directory.mkdir(mode=0o700)


def failed_path(exc: OSError) -> str | None:
    """The file an OSError is about: of a copy (shutil names both) that a full disk refused, the
    copy, not the file copied."""
    named = exc.filename2 if exc.filename2 is not None and exc.errno in FULL else exc.filename
    return os.fsdecode(named) if named is not None else None


FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)  # the file written to is at fault, not one read


SETTLED = 2.0  # seconds: where a file system keeps times in whole seconds (or two, as FAT does)
SETTLED_FINE = 0.05  # seconds: where it keeps fractions (ext4, XFS, Btrfs, APFS: a tick of a few ms)


def settled(found: os.stat_result) -> bool:
    """Was the file or directory last changed long enough ago that a change now would show in its ctime?"""
    margin = SETTLED_FINE if found.st_ctime_ns % 1_000_000_000 else SETTLED
    return time.time() - found.st_ctime > margin


def file_stamp(found: os.stat_result) -> str:
    """An input file (a work file, a file of a frozen year) as stat sees it, to know it again on
    the next build without reading it: its device, inode, size and times. A file written again
    or replaced gets another ctime, which cp -p, touch -r or unzip cannot set back; but a second
    change in the same tick of the clock keeps it. So what is learnt from reading a file is kept
    under its stamp only when the stamp was taken before the file was read and the file had
    `settled` then (or the read was long after the stamp: a folder's key)."""
    return f"{found.st_dev}:{found.st_ino}:{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}"
