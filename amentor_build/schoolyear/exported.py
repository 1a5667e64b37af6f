"""What each cell of an .xlsx class sheet held when it was exported, kept in it, so that an
import writes only what the teacher changed.

Without it, a cell left as exported would write its old value over whatever the records
gained since the export: a job-share partner's sheet imported second would undo the first
one's changes, and a correction made in the YAML would go back when an older sheet came in.
With it, such a cell leaves the records as they are (and says so); a cell the teacher changed
where the records changed too is written, with the value it replaced said; a target whose
place in the list moved since (one above it removed) is refused, as the cells would now speak
of another target.

Each export is told apart from every other (a random id in the hidden sheet). An import keeps
the meaning of each cell it read, under that id in .amentor/sheets/ (digests again): a cell
holding what this export held when exported, or when any copy of it was imported before, is
one the teacher has not changed since. So an older sheet imported again by mistake
(September's, after the end of term's) changes nothing it wrote the first time; and a copy
of a job share's sheet, imported again, never undoes the other copy's change.

The sheet keeps no value a second time, only a keyed digest of each (HMAC-SHA256, with a key
of the project's own in .amentor/, and the child's id: a sheet passed on without a column
holds nothing of it), and no name, in a sheet Excel shows to no one. A sheet that cannot tell
(a CSV, cells pasted into a new workbook, another key) is imported as before, every value that
differs from the records written, and the import says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..disk import read_plain, remove_abandoned, write_atomically
from ..errors import LocatedError, Problem
from ..places import state_dir

SHEET = "as exported"
KEY = "sheets.key"  # under .amentor/
IMPORTED = "sheets"  # under .amentor/: what each export held when it was last imported, by its id
EXPORT = "export "  # the hidden sheet's last header cell: EXPORT and the export's id
EXPORT_ID = re.compile(r"[0-9a-f]{32}")  # (a sheet is the teacher's file: its id is checked before use as a name)

Row = tuple[str, str, str]  # (row_key of the id, year, term)
KEY_BYTES = 32


def key(state: Path, create: bool) -> bytes | None:
    """The project's key for digests of exported cells (made with the first export, never made
    again over one); None if there is none (an import cannot then tell what the teacher changed:
    it writes what differs). One that cannot be read is an error, not replaced."""
    path = state / KEY
    try:
        found = read_plain(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise LocatedError(Problem(f".amentor/{KEY}", 1, 1, f"cannot be read ({exc.strerror or exc})")) from exc
    if found is None and create:
        made = state / f".{KEY}.{os.getpid()}.part"
        try:
            write_atomically(made, secrets.token_bytes(KEY_BYTES), private=True)
        except OSError as exc:  # a full disk: said of the key, not of its temporary name
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        try:
            os.link(made, path)  # never over a key another export made meanwhile: the first one stays
        except FileExistsError:
            pass
        finally:
            made.unlink()
        found = read_plain(path)
    if found is not None and len(found) != KEY_BYTES:
        raise LocatedError(
            Problem(
                f".amentor/{KEY}",
                1,
                1,
                "is damaged: delete it (the sheets exported before are then imported as a CSV is, every value "
                "that differs written)",
            )
        )
    return found


def row_key(secret: bytes, pupil_id: str) -> str:
    """How the hidden sheet names a child's row: never by their id itself."""
    return hmac.new(secret, f"row\0{pupil_id}".encode(), hashlib.sha256).hexdigest()[:32]


def digest(secret: bytes, row: str, column: str, value: Any) -> str:
    """A keyed digest of one child's (row: their id) value in a column, as the records hold it:
    the same value of two children gives two digests."""
    said = f"{row}\0{column}\0{_canonical(value)!r}".encode()
    return hmac.new(secret, said, hashlib.sha256).hexdigest()[:32]


def check(secret: bytes) -> str:
    """What tells an import whether a sheet was exported with its project's key."""
    return hmac.new(secret, b"amentor sheet key", hashlib.sha256).hexdigest()[:32]


def keep(book: Any, header: list[str], rows: list[list[Any]], secret: bytes, fixed: int) -> None:
    """Add to an openpyxl workbook, in a sheet Excel shows to no one (`veryHidden`: not even in
    its list of hidden sheets), each row's year, term and a keyed digest of its id (no id, no
    name), and a digest of every other cell; the key's check where the header names the name column."""
    sheet = book.create_sheet(SHEET)
    sheet.sheet_state = "veryHidden"
    sheet.append(header[:3] + [check(secret)] + header[fixed:] + [EXPORT + secrets.token_hex(16)])
    for row in rows:
        digests = [digest(secret, str(row[2]), name, value) for name, value in zip(header[fixed:], row[fixed:])]
        sheet.append([row[0], row[1], row_key(secret, str(row[2]))] + [None] * (fixed - 3) + digests)


Digests = dict[Row, dict[str, str]]  # each row's digests by column


@dataclass(frozen=True)
class Exported:
    check: str  # the key's check
    digests: Digests
    id: str | None  # the export's (None for a sheet of an older amentor)


def read(book: Any) -> Exported | None:
    """What an .xlsx held as exported; None for a sheet exported by an older amentor, or pasted
    into another workbook (it holds no such sheet)."""
    if SHEET not in book.sheetnames:
        return None
    rows = [list(row) for row in book[SHEET].iter_rows(values_only=True)]
    if not rows or list(rows[0][:3]) != ["year", "term", "id"] or len(rows[0]) < 4:
        return None
    header = [str(name or "") for name in rows[0]]
    named = header[-1].removeprefix(EXPORT) if header[-1].startswith(EXPORT) else None
    kept = {
        (str(r[2]), str(r[0]), str(r[1])): {k: str(v) for k, v in zip(header[4:], r[4:]) if v is not None}
        for r in rows[1:]
        if r and r[2] is not None
    }
    return Exported(header[3], kept, named if named is not None and EXPORT_ID.fullmatch(named) else None)


Imported = dict[Row, dict[str, list[str]]]  # each row's digests by column, of every import of an export


def imported(state: Path, export: str | None) -> Imported:
    """What the export's cells held each time it (or a copy) was imported (nothing if it never
    was, or that cannot be read: the sheet is then compared with what it held as exported)."""
    try:
        found = json.loads(read_plain(state / IMPORTED / f"{export}.json")) if export else {}
        return {tuple(row.split("\t")): {k: list(v) for k, v in cells.items()} for row, cells in found.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def remember(root: Path, export: str, held: Digests) -> str:
    """Add what an export's cells held as it was imported to what earlier imports kept (in the
    project's .amentor/); what stopped it, if anything (a full disk: the import is done, and
    its next import compares the sheet with what it held as exported)."""
    state = state_dir(root)
    known = imported(state, export)
    for row, cells in held.items():
        for column, held_digest in cells.items():
            seen = known.setdefault(row, {}).setdefault(column, [])
            if held_digest not in seen:
                seen.append(held_digest)
    data = json.dumps({"\t".join(row): cells for row, cells in sorted(known.items())}, sort_keys=True)
    try:
        write_atomically(state / IMPORTED / f"{export}.json", data.encode(), private=True)
        remove_abandoned(state / IMPORTED, f"{export}.json")  # a copy an import killed while writing it left
    except OSError as exc:
        return f"what it held could not be kept in .amentor/{IMPORTED}/ ({exc.strerror or exc})"
    return ""


def _canonical(value: Any) -> Any:
    """A value as the records hold it, whatever the spreadsheet made of it (104.0 for 104, a date
    cell as a datetime, text with a space at its end; nothing for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
