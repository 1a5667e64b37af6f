"""The termly spreadsheet: its columns, reading one (`read_rows`: CSV or .xlsx, as cells), and
`amentor sheet export` (one row per child of a class, prefilled with the records);
`sheet_import` merges a filled one back.

Columns: `year`, `term`, `id`, `name` (for the teacher's eye, never imported), then key paths
inside that term of the year file (see `columns`). In a cell, nothing leaves the record as it
is and `-` removes the value. `.csv` (written as plain UTF-8, read with or without a byte-order
mark) or `.xlsx` by the file's suffix; Excel's own cell types are read as such (a date cell, a
number cell, a percentage cell for attendance, text).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import model as m
from .. import records
from ..disk import write_atomically
from ..errors import Problem, ProjectErrors, UsageError, closest
from ..places import refuse_nowhere, refuse_published, refuse_records, state_dir  # a sheet holds every child's records
from . import excel, exported
from .excel import letter

FIXED = ("year", "term", "id", "name")
REMOVE = "-"
TARGET_SLOTS = 3  # SPEC 6: target.<subject>.<n> for n = 1, 2, 3, one blank slot more than the class uses


def columns(school: m.School, slots: dict[str, int]) -> list[str]:
    """Every column of a sheet; slots: how many target slots each subject gets."""
    out = list(FIXED)
    for subject in school.subjects:
        out += [f"{subject}.working_at", f"{subject}.target", f"{subject}.status", f"{subject}.self"]
    out += [f"attitude.{area.key}" for area in school.attitude]
    out += [f"attitude_self.{area.key}" for area in school.attitude]
    out += [f"assessment.{test.key}" for test in school.assessments]
    for subject in school.subjects:
        for n in range(1, slots.get(subject, 1) + 1):
            out += [f"target.{subject}.{n}", f"target.{subject}.{n}.review"]
    out += [f"conversation.{key}" for key in m.CONVERSATION_KEYS] + ["staff_notes"]
    return out


def read_input(path: Path, shown: str, column: int | str) -> bytes:
    """The bytes of a file the user gave; one that cannot be read is an error at `shown:1:column`."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ProjectErrors([Problem(shown, 1, column, f"cannot read the file: {exc.strerror or exc}")]) from None


def read_csv(path: Path, shown: str, column: int | str) -> list[list[str]]:
    """Every row of a UTF-8 CSV file (with or without a byte-order mark). A file that cannot be
    read (missing, a folder, another encoding) is an error at `shown:1:column`; a row the csv
    module refuses, at that row. A cell may be as long as the file (the csv module's own limit,
    128 KiB, would hide every other problem of the sheet behind it). Text is NFC-normalised, as
    the records are (an `é` typed as `e` and an accent is the one character)."""
    data = read_input(path, shown, column)
    try:
        text = unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:  # said at its row and (counting the commas before it) its cell
        line = data[: exc.start].count(b"\n") + 1
        before = data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].count(b",")
        cell = letter(before)  # a cell, named as every other cell of a CSV is (a whole file: 1:column)
        message = f"cannot read the file: not UTF-8 text ({exc.reason} at byte {exc.start}, line {line})"
        raise ProjectErrors([Problem(shown, line, cell, f"{message}; save it as CSV UTF-8")]) from None
    rows: list[list[str]] = []
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # no cell is longer than the file
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
    except csv.Error as exc:  # a NUL byte, say
        raise ProjectErrors([Problem(shown, len(rows) + 1, column, f"cannot read the file as CSV: {exc}")]) from None
    finally:
        csv.field_size_limit(limit)
    # Every column in A: as Excel saves "CSV" where ',' is the decimal point.
    if rows and len(rows[0]) == 1 and ";" in rows[0][0]:
        said = "the columns are separated by ';', not ','; save it as CSV UTF-8 (comma delimited)"
        raise ProjectErrors([Problem(shown, 1, column, said)])
    return rows


@dataclass(frozen=True)
class Cell:
    row: int  # as the spreadsheet numbers it (header = 1)
    column: int  # 0-based
    value: Any  # str from a CSV; a typed value from an .xlsx
    percent: bool = False  # an .xlsx cell formatted as a percentage
    quoted: bool = False  # a CSV cell written with ' in front (excel.quoted): text, never `-` (remove)


# What openpyxl raises for a file that is not a workbook: not a zip, a zip without a workbook's
# parts, broken XML inside (ElementTree's and lxml's parse errors are SyntaxErrors), a broken stream.
NOT_A_WORKBOOK = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, SyntaxError, EOFError)


def read_rows(path: Path, shown: str) -> tuple[list[list[Cell]], exported.Exported | None, list[Problem]]:
    """Every row of the sheet as cells (the first one: the header), what each row held when it
    was exported (an .xlsx amentor wrote: see exported.py), and an error for each cell that has
    no value to read (Excel shows an error there, or a formula was never calculated): such a
    cell is read as empty, so that every other cell is still checked. A file that cannot be
    read is an error at `shown:1:A`."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"{path}: a sheet is a .csv or .xlsx file")
    if path.suffix.lower() == ".csv":
        rows = read_csv(path, shown, "A")
        errors = [(r, c, v) for r, row in enumerate(rows, 1) for c, v in enumerate(row) if v.strip() in excel.ERRORS]
        cells = [[_csv_cell(r, c, v) for c, v in enumerate(row)] for r, row in enumerate(rows, 1)]
        return cells, None, excel.refused(shown, errors)
    from openpyxl import load_workbook

    data = read_input(path, shown, "A")
    try:
        with warnings.catch_warnings():
            # What openpyxl warns of when reading a workbook Excel saved (its drop-down lists
            # kept as an extension, say) is what it would drop on saving it again: nothing of the
            # cells' values, which are all an import reads. Said, it would reach a teacher as a
            # Python warning with a library's path.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = load_workbook(io.BytesIO(data), data_only=True)  # each formula's saved result
            formulas = load_workbook(io.BytesIO(data))  # and the formulas themselves
    except NOT_A_WORKBOOK as exc:
        reason = str(exc).strip("'\"") or type(exc).__name__
        raise ProjectErrors([Problem(shown, 1, "A", f"cannot read the file as an Excel workbook: {reason}")]) from None
    # The class's sheet: the first one whose first cell is the header's (a teacher may put a sheet
    # of notes in front of it), else the first.
    sheet = next(
        (
            ws
            for ws in book.worksheets
            if str(ws.cell(1, 1).value or "").strip() == "year" and ws.title != exported.SHEET
        ),
        book.worksheets[0],
    )
    errors = [
        (r, c, cell.value)
        for r, row in enumerate(sheet.iter_rows(), 1)
        for c, cell in enumerate(row)
        if cell.data_type == "e"
    ]
    cells = [
        [
            Cell(r, c, None if cell.data_type == "e" else _nfc(cell.value), "%" in (cell.number_format or ""))
            for c, cell in enumerate(row)
        ]
        for r, row in enumerate(sheet.iter_rows(), 1)
    ]
    unread = excel.refused(shown, errors)
    written = formulas[sheet.title]
    shown_errors = {(r, c) for r, c, _ in errors}  # (a formula Excel saved with an error: said once, above)
    for row in cells:  # a formula with no result saved (a file a program wrote, not a spreadsheet): no value to read
        for cell in row:
            unsaved = cell.value is None and (cell.row, cell.column) not in shown_errors
            typed = written.cell(cell.row, cell.column + 1).value if unsaved else None
            if isinstance(typed, str) and typed.startswith("="):
                unread.append(
                    Problem(shown, cell.row, letter(cell.column), f"a formula ({typed}) with no saved result: {RESAVE}")
                )
    return cells, exported.read(book), unread


RESAVE = "open the file in Excel or LibreOffice, save it, and import it again"


def _csv_cell(row: int, column: int, written: str) -> Cell:
    """A CSV cell: an error Excel shows is read as empty (said apart), text as excel.quoted wrote it."""
    text = excel.unquoted(written)
    return (
        Cell(row, column, None) if written.strip() in excel.ERRORS else Cell(row, column, text, quoted=text != written)
    )


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


# ---------------------------------------------------------------- export


def export(root: Path, class_name: str, out: Path, term: str | None = None, year: str | None = None) -> tuple[int, str]:
    """Write the class's sheet; return its rows' number and term ('autumn 2026-27'): a row for each
    child whose year file names the class (SPEC §6), a child who has left too (their rows of the
    terms they were here are still the class teacher's to correct)."""
    project = records.load(root)
    school = project.school
    year = year or school.current_year
    if not m.valid_year_label(year):
        raise UsageError(f"--year {year}: an academic year label like 2026-27")
    if year > school.current_year:
        raise UsageError(f"--year {year}: after the school's current_year {school.current_year}; it has no records yet")
    if term is not None:
        given, term = term, meant(term, school.terms)  # "Spring" means spring
        if term is None:
            raise UsageError(f"--term {given}: one of {', '.join(school.terms)}")
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"-o {out}: the file must end in .csv or .xlsx")
    refuse_published(root, out, "a class sheet (it holds the children's records)")
    refuse_records(root, out, "a class sheet", "it holds the whole class's records")
    refuse_nowhere(root, out)
    pupils = [(p, y) for p in project.pupils if (y := p.year(year)) is not None and y.class_name == class_name]
    pupils.sort(key=lambda found: (found[0].last_name.casefold(), found[0].first_name.casefold()))  # as a register
    if not pupils:
        # like an unknown pupil id for `logins issue`: the records lack it (exit 1), not a misused command
        hint = _classes_hint(project, class_name, year)
        raise ProjectErrors(
            [Problem("pupils", 1, 1, f"no child's {year} year file names the class '{class_name}'{hint}")]
        )
    if term is None:  # the latest term with any record in that year, else the first
        recorded = {t.term for _, y in pupils for t in y.terms}
        term = next((t for t in reversed(school.terms) if t in recorded), school.terms[0])
    used = {s: max(_targets(y, term, s) for _, y in pupils) for s in school.subjects}
    slots = {s: max(min(TARGET_SLOTS, n + 1), n) for s, n in used.items()}  # (more kept: none is hidden)
    header = columns(school, slots)
    rows = [[record_value(school, y, term, name) for name in header] for _, y in pupils]
    for row, (pupil, _) in zip(rows, pupils):
        row[:4] = [year, term, pupil.id, pupil.display_name]
    if out.suffix.lower() == ".csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else excel.quoted(v) for v in row] for row in rows])
        # Plain UTF-8, no byte-order mark: with one, a program reading UTF-8 sees the first header
        # as '\ufeffyear'. Excel is best given the .xlsx, which leaves nothing to guess.
        write_atomically(out, text.getvalue().encode("utf-8"), private=True)
    else:
        secret = exported.key(state_dir(root), create=True)
        assert secret is not None
        write_atomically(out, _xlsx(school, header, rows, f"{class_name} {term} {year}", secret), private=True)
    return len(rows), f"{term} {year}"


def _classes_hint(project: m.Project, class_name: str, year: str) -> str:
    """What to say after "no child's year file names the class": the class it was likely meant
    to be, else the year it is a class of (last year's, asked for after a rollover), else the
    classes there are."""
    classes = project.classes(year)
    near = closest(class_name, classes)
    if near:
        return near
    years = sorted({y.year for p in project.pupils for y in p.years if y.class_name == class_name})
    if years:
        return f"; it is a class of {years[-1]}: add --year {years[-1]}"
    return f"; the classes of {year}: {', '.join(sorted(classes))}" if classes else ""


def _targets(year: m.YearRecord, term: str, subject: str) -> int:
    """How many targets a child has in a subject this term (the sheet gives one slot more)."""
    record = _term(year, term)
    return 0 if record is None else sum(1 for t in record.targets if t.subject == subject)


def _term(year: m.YearRecord, term: str) -> m.TermRecord | None:
    return next((t for t in year.terms if t.term == term), None)


def record_value(school: m.School, year: m.YearRecord, term: str, column: str) -> Any:
    """What the records hold for a column, as the sheet shows it (None: nothing)."""
    record = _term(year, term)
    if record is None or column in FIXED:
        return None
    parts = column.split(".")
    if parts[0] in school.subjects:
        found = next((a for a in record.attainment if a.subject == parts[0]), None)
        if found is None:
            return None
        return {
            "working_at": found.working_at,
            "target": found.target,
            "status": found.status_override,
            "self": found.self_colour,
        }[parts[1]]
    if parts[0] == "attitude":
        return record.attitude.get(parts[1])
    if parts[0] == "attitude_self":
        return record.attitude_self.get(parts[1])
    if parts[0] == "assessment":
        return next((r.score for r in record.assessments if r.test == parts[1]), None)
    if parts[0] == "target":
        targets = [t for t in record.targets if t.subject == parts[1]]
        n = int(parts[2])
        if n > len(targets):
            return None
        return targets[n - 1].review if len(parts) == 4 else targets[n - 1].text
    if parts[0] == "conversation":
        c = record.conversation
        return None if c is None else (getattr(c, parts[1]) or None)
    return record.staff_notes or None


def _xlsx(school: m.School, header: list[str], rows: list[list[Any]], title: str, secret: bytes) -> bytes:
    """A workbook pleasant to fill: header and names frozen, drop-downs, widths that fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "E2"  # the header row, and the year, term, id and name columns
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    choices = {
        "step": list(school.scale),
        "colour": list(m.COLOURS),
        "status": list(m.STATUSES),
        "review": list(m.REVIEWS),
    }
    for i, (name, values) in enumerate(choices.items(), 1):
        for j, value in enumerate([*values, REMOVE], 1):
            lists.cell(row=j, column=i, value=value)
        ref = f"lists!${letter(i - 1)}$1:${letter(i - 1)}${len(values) + 1}"
        targets = [c for c, col in enumerate(header) if kind_of(school, col) == name]
        if targets:
            rule = DataValidation(
                type="list",
                formula1=ref,
                allow_blank=True,
                showErrorMessage=True,
                error=f"Choose a {name} from the list (or - to remove the value)",
            )
            for c in targets:
                rule.add(f"{letter(c)}2:{letter(c)}{len(rows) + 1}")
            sheet.add_data_validation(rule)
    for c, name in enumerate(header):
        if name == "id":
            for r in range(2, len(rows) + 2):
                sheet.cell(row=r, column=c + 1).number_format = "@"  # ids with a leading zero stay text
        if name == "conversation.date":
            for r in range(2, len(rows) + 2):
                sheet.cell(row=r, column=c + 1).number_format = "yyyy-mm-dd"
        width = max([len(name), *(len(str(row[c])) for row in rows if row[c] is not None)])
        sheet.column_dimensions[letter(c)].width = min(60, max(8, width + 2))
    exported.keep(book, header, rows, secret, len(FIXED))  # what an import compares each cell with
    for written in (sheet, book[exported.SHEET]):
        excel.as_text(written)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kind_of(school: m.School, column: str) -> str:
    """What a column holds: step, status, colour, percent, score, review, date, text (or '' if unknown)."""
    parts = column.split(".")
    if column in FIXED:
        return "fixed"
    if parts[0] in school.subjects and len(parts) == 2:
        return {"working_at": "step", "target": "step", "status": "status", "self": "colour"}.get(parts[1], "")
    if parts[0] == "attitude" and len(parts) == 2:
        area = next((a for a in school.attitude if a.key == parts[1]), None)
        return "" if area is None else "percent" if area.percent_bands else "colour"
    if parts[0] == "attitude_self" and len(parts) == 2:
        return "colour" if any(a.key == parts[1] for a in school.attitude) else ""
    if parts[0] == "assessment" and len(parts) == 2:
        return "score" if school.assessment(parts[1]) else ""
    if parts[0] == "target" and len(parts) in (3, 4) and parts[1] in school.subjects and parts[2].isdigit():
        return (
            ""
            if int(parts[2]) < 1
            else "review"
            if len(parts) == 4 and parts[3] == "review"
            else "text"
            if len(parts) == 3
            else ""
        )
    if parts[0] == "conversation" and len(parts) == 2 and parts[1] in m.CONVERSATION_KEYS:
        return "date" if parts[1] == "date" else "text"
    return "text" if column == "staff_notes" else ""


def meant(text: str, options: Sequence[str], words: bool = False) -> str | None:
    """The option a cell means, as the records write it: as typed, or in other capitals (Excel's
    drop-down lists take "Green" for green, and phones capitalise a cell's first letter), and
    for keys (words) with spaces or hyphens for underscores ("Not yet"); None if it means no
    option, or more than one (a scale with both "2b" and "2B")."""
    if text in options:
        return text

    def folded(option: str) -> str:
        option = option.strip().lower()
        return option.replace(" ", "_").replace("-", "_") if words else option

    found = [option for option in options if folded(option) == folded(text)]
    return found[0] if len(found) == 1 else None
