"""One cell of a filled termly sheet, read as the records hold its value (see sheet_import)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from typing import Any

from .. import model as m
from ..errors import closest
from ..records.year import not_a_step
from .sheet import REMOVE, Cell, kind_of, meant, record_value


def read_cell(school: m.School, kind: str, cell: Cell, name: str, year: str) -> tuple[Any, str | None]:
    """The cell's value as the records hold it (kind: what its column holds, see sheet.kind_of;
    name: the column's), or None and what is wrong with it."""
    raw = cell.value
    text = cell_text(cell) or ""
    if kind == "step":
        step = meant(text, school.scale)
        return (step, None) if step is not None else (None, f"{name}: {not_a_step(text, school.scale)}")
    if kind in ("status", "colour", "review"):
        options = {"status": m.STATUSES, "colour": m.COLOURS, "review": m.REVIEWS}[kind]
        key = meant(text, options, words=True)
        if key is None:
            return (
                None,
                f"{name}: '{text}' is not a {kind}{closest(text, options)}; expected one of: {', '.join(options)}",
            )
        return key, None
    if kind in ("percent", "score"):
        return _numeric(school, kind, cell, name, text)
    if kind == "date":
        date = _date(raw)
        start, end = m.academic_year_bounds(year)
        if date is None:
            if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}", text.strip()):
                return None, f"{name}: '{text}': there is no such day"
            return None, f"{name}: '{text}' is not a date: write it as {start.year}-11-18 or 18/11/{start.year}"
        if not start <= date <= end:
            return None, f"{name}: {date} is outside the academic year {year} ({start} to {end})"
        return date, None
    if isinstance(raw, (dt.date, dt.time)):  # (a datetime is a date)
        return None, f"{name}: Excel took what was typed here for a date or a time ({_when(raw)}): {RETYPE}"
    if cell.percent and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return f"{raw * 100:g}%", None  # as the cell shows it (50%), never the fraction it holds
    return text, None  # free text, as typed


RETYPE = "type the text again with ' in front ('3/4 of a number), which Excel keeps as text"


def _when(value: dt.date | dt.time) -> str:
    """A date or time cell's value as the records would write it: 2027-04-03, 10:30."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "minutes")
    return value.isoformat() if isinstance(value, dt.date) else value.isoformat("minutes")


def _numeric(school: m.School, kind: str, cell: Cell, name: str, text: str) -> tuple[Any, str | None]:
    """A percentage (attendance) or an assessment's score."""
    raw = cell.value
    shown_as_percent = cell.percent and isinstance(raw, (int, float)) and not isinstance(raw, bool)
    number = _number(raw, shown_as_percent)
    if shown_as_percent:
        text = f"{number:g}%"  # as the cell shows it: 150% (1.5), never the fraction
    low, high = 0, 100
    if kind == "score":
        assessment = school.assessment(name.split(".")[1])
        assert assessment is not None
        low, high = m.score_range(assessment)
    if number is None and re.fullmatch(r"\d+,\d+%?", text):  # 97,4: a decimal comma
        return None, f"{name}: '{text}' has a decimal comma; write {text.replace(',', '.')}"
    if number is None or not low <= number <= high:
        return None, f"{name}: '{text}' is not a number from {low} to {high}"
    if kind == "percent" and 0 < number < 1 and not cell.percent:  # 0.974: a fraction, in a cell not formatted as %
        meant_as = f"{number * 100:g}"
        return None, f"{name}: {text} reads as {number}%; for {meant_as}%, write {meant_as} (or {meant_as}%)"
    return (int(number) if float(number).is_integer() else round(number, 2)), None


def cell_text(cell: Cell | None) -> str | None:
    """The cell as text (a whole number without its '.0'), or None if it is blank."""
    if cell is None or blank(cell.value):
        return None
    value = cell.value
    if isinstance(value, bool):  # a TRUE typed into Excel: a boolean cell, which shows TRUE, not Python's True
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def named_cells(row: list[Cell], header: list[str]) -> dict[str, Cell]:
    """A row's cells by their column's name (header: '' for a column not read)."""
    return {header[c.column]: c for c in row if c.column < len(header) and header[c.column]}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def names(name: str, pupil: m.Pupil) -> bool:
    """Does the sheet's name column name this child (as exported, or by first and last name), in
    any capitals, with or without accents (`Zoe` for Zoë, as a keyboard without them types it)?"""

    def folded(text: str) -> str:
        bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        return " ".join(bare.casefold().split())

    return folded(name) in {folded(pupil.display_name), folded(f"{pupil.first_name} {pupil.last_name}")}


def removes(cell: Cell) -> bool:
    """Whether the cell holds only `-` (remove the value), not written as text (`'-`: see excel.quoted)."""
    return isinstance(cell.value, str) and cell.value.strip() == REMOVE and not cell.quoted


def _number(raw: Any, percent: bool) -> float | None:
    """The cell's number; percent: a number cell formatted as a percentage, which holds the
    fraction it shows (97.4% is 0.974, 150% is 1.5: out of range, not 1.5%)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return raw * 100 if percent else float(raw)
    try:
        return float(str(raw).strip().rstrip("%").strip())
    except ValueError:
        return None


def _date(raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):  # ISO, or as an English spreadsheet writes it
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def garbled(text: str) -> str | None:
    """The text as it was written, if it reads as UTF-8 taken for Windows-1252 (`ZoÃ«` for Zoë,
    `teacherâ€™s` for teacher’s: what Excel makes of a UTF-8 CSV it opens by double-click on
    Windows, and then saves); else None. Text a teacher types is never so (Excel keeps it as
    typed), but a name such as `CAFÉ’S` can read so by chance: the import asks for more before
    it says a sheet is garbled (see garbled_cells)."""
    if text.isascii():
        return None
    raw = bytearray()
    for char in text:
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:  # (Windows reads the five bytes cp1252 leaves out as U+0081, ...)
                return None
            raw.append(ord(char))
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


def garbled_cells(
    school: m.School, rows: list[list[Cell]], header: list[str], pupils: dict[str, m.Pupil]
) -> list[tuple[Cell, str, str]]:
    """Each cell of a sheet whose text was garbled: (cell, column, the text as written). Excel
    garbles a UTF-8 CSV it opens by double-click on Windows (it reads it as Windows-1252) and
    saves it so. Text typed in Excel is never garbled, and a word such as `CAFÉ’S` can read as
    garbled by chance, so none is given without evidence: a child's name, or a text the records
    hold, in the sheet garbled."""
    found: list[tuple[Cell, str, str]] = []
    evidence = False
    for row in rows[1:]:
        cells = named_cells(row, header)
        year, term, pupil_id = (cell_text(cells.get(k)) for k in ("year", "term", "id"))
        pupil = pupils.get(pupil_id or "")
        record = pupil.year(year or "") if pupil else None
        for name, cell in cells.items():
            text = cell_text(cell) if isinstance(cell.value, str) else None
            written = garbled(text) if text else None
            if written is None or name in ("year", "term", "id"):
                continue
            found.append((cell, name, written))
            if pupil is not None and name == "name":
                evidence = evidence or names(written, pupil)
            elif record is not None and kind_of(school, name) == "text":
                held = record_value(school, record, meant(term or "", school.terms) or "", name)
                evidence = evidence or _edited_from(written, held)
    return found if evidence else []


GARBLED = (
    "the text of this sheet is garbled (Zoë reads ZoÃ«), as Excel leaves a CSV it opened by "
    "double-click and saved: export the sheet again, and open it with Data > From Text/CSV, "
    "File origin 65001: Unicode (UTF-8); or use an .xlsx sheet, which Excel opens as it is"
)


def _edited_from(text: str, held: Any) -> bool:
    """Is text the records' own text (held), or that text edited (words added, a few changed)?"""
    if not isinstance(held, str) or held.isascii():
        return bool(text == held)
    return held in text or text in held or difflib.SequenceMatcher(None, held, text).ratio() >= 0.8


def family_text(column: str) -> bool:
    """Is a column's value text the child's family reads (not a date, review or staff note)?"""
    return column.startswith(("conversation.", "target.")) and not column.endswith((".date", ".review"))
