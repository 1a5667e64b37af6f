"""What an .xlsx class sheet held when it was exported, kept in it (a hidden sheet, "as
exported"), so that an import writes only what the teacher changed.

Without it, a cell left as exported would write its old value over whatever the records
gained since the export: a job-share partner's sheet imported second would undo the first
one's changes, and a correction made in the YAML would go back when an older sheet came in.
With it, such a cell leaves the records as they are, and a cell the teacher changed where the
records changed too is written and said (the records' value it replaced). A CSV carries no
second sheet: it is imported as before, every value that differs from the records written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

SHEET = "as exported"

Row = tuple[str, str, str]  # (id, year, term), as the sheet's first columns say them


def keep(book: Any, header: list[str], rows: list[list[Any]]) -> None:
    """Add the values as exported to an openpyxl workbook, in a sheet Excel shows to no one
    (`veryHidden`: not even in its list of hidden sheets)."""
    sheet = book.create_sheet(SHEET)
    sheet.sheet_state = "veryHidden"
    sheet.append(header)
    for row in rows:
        sheet.append(row)


def read(book: Any) -> dict[Row, dict[str, Any]]:
    """The values each row of the class's sheet had when exported, by column, from an openpyxl
    workbook (its values); {} for a sheet exported by an older amentor (or written another way)."""
    if SHEET not in book.sheetnames:
        return {}
    rows = [list(row) for row in book[SHEET].iter_rows(values_only=True)]
    if not rows or list(rows[0][:3]) != ["year", "term", "id"]:
        return {}
    header = [str(name or "") for name in rows[0]]
    return {(str(r[2]), str(r[0]), str(r[1])): dict(zip(header, r)) for r in rows[1:] if r and r[2] is not None}


def same(a: Any, b: Any) -> bool:
    """Do two cell values say the same (as a spreadsheet may give them back: 104.0 for 104, a
    date cell as a datetime, text with a space at its end)?"""
    return bool(_plain(a) == _plain(b))


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
