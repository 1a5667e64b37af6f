"""The journal of record edits (see edits.py): how an edit interrupted after it committed is
finished by the next command that takes the project lock. Kept apart from the YAML round trip,
so that every command can look for a journal without loading ruamel.yaml.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

JOURNAL = "journal.json"


def finish_interrupted(root: Path) -> list[str]:
    """Finish edits an interrupted command had committed to (its journal is there); return the
    files finished. Run by every command that takes the project lock."""
    journal = root / ".amentor" / JOURNAL
    if not journal.exists():  # no edit was under way: nothing to look for
        return []
    try:
        renames = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)  # empty or cut short: nothing was renamed yet
        for pattern in (".*.amentor-new", "pupils/*/.*.amentor-new", "frozen/.*.amentor-new"):
            for leftover in root.glob(pattern):  # new files of a command interrupted before its journal
                leftover.unlink(missing_ok=True)
        return []
    done = []
    for partial, final in renames:
        if not partial:  # a removal
            if os.path.exists(final):
                os.unlink(final)
                done.append(final)
        elif os.path.exists(partial):
            os.replace(partial, final)
            done.append(final)
    for directory in {os.path.dirname(final) for _, final in renames}:
        sync_dir(directory)
    journal.unlink()
    return done


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
