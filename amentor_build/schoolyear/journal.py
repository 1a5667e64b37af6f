"""The journal of record edits (see edits.py): how an edit interrupted after it committed is
finished by the next command that takes the project lock. Kept apart from the YAML round trip,
so that every command can look for a journal without loading ruamel.yaml.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

JOURNAL = "journal.json"


def finish_interrupted(root: Path) -> list[str]:
    """Finish edits an interrupted command had committed to (its journal is there); return the
    files finished. Run by every command that takes the project lock.

    The journal names files relative to the project (a project moved or renamed between the
    interruption and the next command is finished all the same). While an edit is under way
    and not yet committed, the journal is `{"made": [directories]}` (or empty): the new files
    and the directories the edit made for them are removed, and the records stay as they were.
    """
    journal = root / ".amentor" / JOURNAL
    if not journal.exists():  # no edit was under way: nothing to look for
        return []
    journal.with_name(f"{JOURNAL}.new").unlink(missing_ok=True)  # a complete journal not yet put in place
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = {}  # empty or cut short: nothing was renamed yet
    if not isinstance(entry, list):
        _abandon(root, entry.get("made", []) if isinstance(entry, dict) else [])
        journal.unlink(missing_ok=True)
        return []
    done = []
    for partial, final in entry:
        final = str(root / final)  # an older journal's absolute path stays as it is
        if not partial:  # a removal
            if os.path.exists(final):
                os.unlink(final)
                done.append(final)
        elif os.path.exists(root / partial):
            os.replace(root / partial, final)
            done.append(final)
    for directory in {os.path.dirname(final) for final in done}:
        sync_dir(directory)
    journal.unlink()
    return done


def _abandon(root: Path, made: list[str]) -> None:
    """Remove what an edit interrupted before its commit wrote: its new files, and the
    directories it made for them (a new pupil's), if nothing else is in them."""
    for pattern in (".*.amentor-new", "pupils/*/.*.amentor-new", "frozen/.*.amentor-new"):
        for leftover in root.glob(pattern):
            leftover.unlink(missing_ok=True)
    for directory in sorted(made, key=len, reverse=True):  # the deepest first
        with contextlib.suppress(OSError):  # not empty (something else was put there), or gone
            os.rmdir(root / directory)


def write_synced(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk (no rename: the journal does that)."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def sync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
