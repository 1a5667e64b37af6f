"""The journal of record edits (see edits.py): how an edit interrupted after it committed is
finished by the next command that takes the project lock. Kept apart from the YAML round trip,
so that every command can look for a journal without loading ruamel.yaml.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..disk import sync_dir
from ..errors import LocatedError, Problem

JOURNAL = "journal.json"


@dataclass(frozen=True)
class Recovery:
    """What the next command did about an interrupted edit: finished one that had committed
    (the files it put in place), or undid one that had not (the records stay as they were)."""

    finished: tuple[str, ...] = ()
    undone: bool = False


def finish_interrupted(root: Path) -> Recovery:
    """Finish edits an interrupted command had committed to (its journal is there), undo those
    it had not; say which. Run by every command that takes the project lock.

    The journal names files relative to the project (a project moved or renamed between the
    interruption and the next command is finished all the same; an older journal's absolute
    paths are followed only inside this project). While an edit is under way and not yet
    committed, the journal is `{"made": [directories]}`: the new files and the directories the
    edit made for them are removed, and the records stay as they were (an empty journal, as
    an older version wrote first: its new files, and pupil folders they leave empty).
    """
    journal = root / ".amentor" / JOURNAL
    if not journal.exists():  # no edit was under way: nothing to look for
        return Recovery()
    journal.with_name(f"{JOURNAL}.new").unlink(missing_ok=True)  # a complete journal not yet put in place
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = None  # empty or cut short: nothing was renamed yet
    if not isinstance(entry, list):
        made = entry.get("made") if isinstance(entry, dict) else None
        _abandon(root, made if isinstance(made, list) else None)
        journal.unlink(missing_ok=True)
        return Recovery(undone=True)
    if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e) for e in entry):
        raise LocatedError(Problem(f".amentor/{JOURNAL}", 1, 1, UNREADABLE))
    done = []
    finals = [(partial, str(root / final)) for partial, final in entry if _inside(root, root / final)]
    for partial, final in finals:
        if not partial:  # a removal
            if os.path.exists(final):
                os.unlink(final)
                done.append(final)
        elif _inside(root, root / partial) and os.path.exists(root / partial):
            os.replace(root / partial, final)
            done.append(final)
    for directory in {os.path.dirname(final) for _, final in finals}:
        sync_dir(directory)  # every rename on disk before the journal goes
    _abandon(root, [])  # what an older journal named outside this project (a moved one) left here
    journal.unlink()
    sync_dir(str(journal.parent))
    return Recovery(finished=tuple(done))


UNREADABLE = (
    "an interrupted edit of the records left a journal that cannot be read; compare the records "
    "with your backup, then delete this file"
)


def _inside(root: Path, path: Path) -> bool:
    return os.path.commonpath([os.path.abspath(root), os.path.abspath(path)]) == os.path.abspath(root)


def _abandon(root: Path, made: list[str] | None) -> None:
    """Remove what an edit interrupted before its commit wrote: its new files, and the
    directories it made for them (a new pupil's), if nothing else is in them. made None: not
    known (an older version's journal): every pupil folder its new files leave empty."""
    emptied = set()
    for pattern in (".*.amentor-new", "pupils/*/.*.amentor-new", "frozen/.*.amentor-new"):
        for leftover in root.glob(pattern):
            leftover.unlink(missing_ok=True)
            emptied.add(leftover.parent)
    if made is None:
        made = [d.relative_to(root).as_posix() for d in emptied if d.parent == root / "pupils"]
    for directory in sorted(made, key=len, reverse=True):  # the deepest first
        with contextlib.suppress(OSError):  # not empty (something else was put there), or gone
            os.rmdir(root / directory)


def write_synced(path: Path, data: bytes) -> None:
    """Write a file and flush it to disk (no rename: the journal does that)."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
