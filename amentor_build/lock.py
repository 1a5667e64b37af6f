"""One writer at a time per project: an OS file lock under .amentor/.

Every command that writes (build, serve's rebuilds, logins issue and revoke, pupil, sheet
import, rollover, freeze, unfreeze, export, the mkdocs plugin's build) takes it; a second one
waits a few seconds, then says which command holds the project. The lock is the kernel's (a
POSIX record lock, held by the process, not by the workers it forks): a command that is killed,
or a computer that is switched off, holds nothing afterwards.

Taking the lock also finishes, or undoes, an edit of the records that a command cut short
left in its journal (schoolyear.journal), before the command reads a record, and says so: every
command, the mkdocs plugin's build included, then reads the records whole. It also removes the
copy of a child's records an export cut short left in .amentor/bags/ (a school that deletes a
leaver's records deletes that copy with the next command, not only with the next export).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .disk import remove_ended
from .errors import LocatedError, Problem
from .places import bags_dir
from .schoolyear.journal import finish_interrupted

WAIT_SECONDS = 5.0


class ProjectLocked(LocatedError):
    """Another amentor command is writing to the project (holder: who, as its lock's note says)."""

    def __init__(self, holder: str, waited: float):
        self.holder, self.waited = holder, waited
        message = f"the project is in use by {holder}; waited {waited:g} s. Try again when it has finished"
        super().__init__(Problem(".amentor/lock", 1, 1, message))

    def __reduce__(self) -> tuple[type[ProjectLocked], tuple[str, float]]:  # type: ignore[override]
        return (type(self), (self.holder, self.waited))


@contextlib.contextmanager
def project_lock(root: Path, command: str, tell: Callable[[str], None], wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the project's lock while the block runs (waiting up to `wait` seconds for it); tell:
    how to say what was found of an interrupted command (the command line prints it, the mkdocs
    plugin logs it)."""
    state = root / ".amentor"
    state.mkdir(mode=0o700, exist_ok=True)
    path = state / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:  # a POSIX record lock: not inherited by the worker processes a build forks
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (BlockingIOError, PermissionError):
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 1000, 0).decode("utf-8", errors="replace").strip() or "another command"
                    raise ProjectLocked(holder, wait) from None
                time.sleep(0.1)
        since = dt.datetime.now().strftime("%H:%M:%S")
        with contextlib.suppress(OSError):  # who holds it, for a second command to say (not on a full disk)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"'{command}' (process {os.getpid()}, since {since})\n".encode(), 0)
        recovered = finish_interrupted(root)  # an edit of the records an interrupted command began
        if recovered.finished:
            count = len(recovered.finished)
            tell(
                f"finished an edit of the records that an interrupted command had committed "
                f"({count} {'file' if count == 1 else 'files'})"
            )
        elif recovered.undone:
            tell(
                "undid an edit of the records that an interrupted command had begun but not "
                "committed; the records are as they were before it"
            )
        tidied = remove_ended(bags_dir(root))  # an export cut short: its copy of a child's records
        if tidied.removed:
            tell("removed the copy of a child's records that an interrupted export had left in .amentor/bags/")
        for left in tidied.left:
            tell(f"could not remove {left}, the copy of a child's records that an interrupted export left: remove it")
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
