"""What each cell of an .xlsx class sheet held when it was exported, kept in it, so that an
import writes only what the teacher changed.

Without it, a cell left as exported would write its old value over whatever the records
gained since the export: a job-share partner's sheet imported second would undo the first
one's changes, and a correction made in the YAML would go back when an older sheet came in.
With it, such a cell leaves the records as they are (and says so); a cell the teacher changed
where the records changed too is written, with the value it replaced said; a target whose
place in the list moved since (one above it removed) is refused, as the cells would now speak
of another target.

The sheet keeps no value a second time, only a keyed digest of each (HMAC-SHA256, with a key
of the project's own in .amentor/: a sheet passed on without a column holds nothing of it),
in a sheet Excel shows to no one. A CSV carries no second sheet: it is imported as before,
every value that differs from the records written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

from ..output import write_atomically
from ..output.files import read_plain

SHEET = "as exported"
KEY = "sheets.key"  # under .amentor/

Row = tuple[str, str, str]  # (id, year, term), as the sheet's first columns say them


def key(state: Path, create: bool) -> bytes | None:
    """The project's key for digests of exported cells (made with the first export); None if
    there is none (an import cannot then tell what the teacher changed: it writes what differs)."""
    try:
        found = read_plain(state / KEY)
        if len(found) == 32:
            return found
    except OSError:
        pass
    if not create:
        return None
    made = secrets.token_bytes(32)
    write_atomically(state / KEY, made, private=True)
    return made


def digest(secret: bytes, column: str, value: Any) -> str:
    """A keyed digest of a column's value as the records hold it (see same_meaning)."""
    return hmac.new(secret, f"{column}\0{_canonical(value)!r}".encode(), hashlib.sha256).hexdigest()[:32]


def keep(book: Any, header: list[str], rows: list[list[Any]], secret: bytes, fixed: int) -> None:
    """Add to an openpyxl workbook, in a sheet Excel shows to no one (`veryHidden`: not even in
    its list of hidden sheets), each row's first `fixed` cells and a digest of every other one."""
    sheet = book.create_sheet(SHEET)
    sheet.sheet_state = "veryHidden"
    sheet.append(header)
    for row in rows:
        sheet.append(row[:fixed] + [digest(secret, name, value) for name, value in zip(header[fixed:], row[fixed:])])


def read(book: Any) -> dict[Row, dict[str, str]]:
    """The digest of each cell of each row as exported, by column; {} for a sheet exported by an
    older amentor (or written another way)."""
    if SHEET not in book.sheetnames:
        return {}
    rows = [list(row) for row in book[SHEET].iter_rows(values_only=True)]
    if not rows or list(rows[0][:3]) != ["year", "term", "id"]:
        return {}
    header = [str(name or "") for name in rows[0]]
    return {
        (str(r[2]), str(r[0]), str(r[1])): {k: str(v) for k, v in zip(header, r) if v is not None}
        for r in rows[1:]
        if r and r[2] is not None
    }


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
