"""The school year through the real command line: spreadsheets in and out (real CSV and .xlsx
files), pupils in and out, rollover with frozen years."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import edit_sheet, run_cli, said_by_amentor, tree_bytes, work_image, write
from openpyxl import load_workbook

from amentor_build.schoolyear.excel import letter

COMMENTED = """\
# Ben's year, kept by Mr Hughes
year_group: 2
class: Wrens
terms:
  autumn:
    attainment:
      maths: {working_at: 1s, target: 2b}   # a hard term
    attitude:
      attendance: 95.5
      behaviour: green
    targets:
      maths:
        - {text: Know number bonds to 10, review: partly}
        - {text: "Count in fives to 50"}
"""


@pytest.fixture
def school(project):
    write(project, "pupils/ben/2026-27.yml", COMMENTED)
    return project


def project_files(root: Path) -> dict[str, bytes]:
    """Every file of the project but amentor's own state (its lock), to prove nothing was written."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".amentor" not in p.relative_to(root).parts
    }


def cells(path: Path) -> tuple[list[str], list[list[object]]]:
    book = load_workbook(path)
    rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    return [str(h) for h in rows[0]], rows[1:]


def bens_xlsx(amentor, school: Path, tmp_path: Path) -> tuple[Path, list[str], Any, Any, int]:
    """Wrens exported as .xlsx: the file, its header, the workbook, its sheet and Ben's row."""
    sheet = tmp_path / "wrens.xlsx"
    amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    header, _ = cells(sheet)
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T002")
    return sheet, header, book, ws, row


def test_a_sheets_target_slots_stop_at_three_unless_a_record_holds_more(amentor, school, tmp_path):
    """SPEC 6: target.<subject>.<n> for n = 1, 2, 3, one blank slot more than the class uses: a
    class using three has no fourth; a record with four keeps its fourth in view (not hidden)."""
    ben = school / "pupils/ben/2026-27.yml"
    third = '        - {text: "Count in fives to 50"}\n        - {text: Halve numbers to 20}\n'
    ben.write_text(ben.read_text().replace('        - {text: "Count in fives to 50"}\n', third))
    for more, last in (("", 3), ("        - {text: Double numbers to 10}\n", 4)):
        ben.write_text(ben.read_text() + more)
        sheet = tmp_path / f"wrens-{last}.csv"
        assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
        header = sheet.read_text().splitlines()[0].split(",")
        assert [h for h in header if h.startswith("target.maths.") and not h.endswith(".review")] == [
            f"target.maths.{n}" for n in range(1, last + 1)
        ]


def test_xlsx_round_trip_changes_exactly_the_edited_cell(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.xlsx"
    run = amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    # Its term said, and how it was chosen: in July the default is last term's until summer has a record.
    said = f"wrote 2 rows for class Wrens, autumn 2026-27 (the latest term with any record, else the first; give --term for another), into {sheet}"
    assert said in run.err, run.err
    header, rows = cells(sheet)
    assert header[:4] == ["year", "term", "id", "name"]
    assert {"maths.working_at", "attitude.attendance", "target.maths.3", "conversation.date", "staff_notes"} <= set(
        header
    )
    assert "target.maths.4" not in header  # one blank slot more than the class uses
    by_id = {row[2]: dict(zip(header, row)) for row in rows}
    assert set(by_id) == {"T001", "T002"} and by_id["T002"]["maths.working_at"] == "1s"
    assert by_id["T002"]["term"] == "autumn"  # the latest term with any record
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    assert ws.freeze_panes == "E2" and ws.data_validations.dataValidation  # frozen panes, drop-downs
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T002")
    ws.cell(row, header.index("maths.working_at") + 1).value = "2b"
    book.save(sheet)
    before = (school / "pupils/ben/2026-27.yml").read_text()
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    after = (school / "pupils/ben/2026-27.yml").read_text()
    assert after == before.replace("{working_at: 1s, target: 2b}", "{working_at: 2b, target: 2b}")
    assert "# a hard term" in after and after.startswith("# Ben's year")
    assert amentor("check", "-p", str(school)).code == 0


def test_a_sheet_left_as_exported_never_undoes_what_the_records_gained_since(amentor, school, tmp_path):
    # A job share: two copies of one export, each teacher changes one subject; then a correction
    # in the YAML, and an older sheet imported after it. Each change stays.
    first, second, old = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "old.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(first), "-p", str(school)).code == 0
    shutil.copy(first, second)
    shutil.copy(first, old)
    header, rows = cells(first)
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")

    def typed(sheet: Path, column: str, value: str) -> None:
        book = load_workbook(sheet)
        book.worksheets[0].cell(row, header.index(column) + 1).value = value
        book.save(sheet)

    typed(first, "maths.working_at", "2b")
    typed(second, "maths.target", "2w")
    for sheet in (first, second):
        run = amentor("sheet", "import", str(sheet), "-p", str(school))
        assert run.code == 0, run.err
    year_file = school / "pupils/ben/2026-27.yml"
    assert "{working_at: 2b, target: 2w}" in year_file.read_text()  # the second kept the first's change
    said = (
        f"{second}:{row}:{letter(header.index('maths.working_at'))}: warning: kept '2b' of the records, changed since"
    )
    assert said in run.err, run.err
    year_file.write_text(year_file.read_text().replace("target: 2w}", "target: 2s}"))  # a correction in the YAML
    typed(old, "maths.target", "2s+")  # changed in the sheet too: the sheet's is written, and what it replaced said
    run = amentor("sheet", "import", str(old), "-p", str(school))
    assert run.code == 0 and "{working_at: 2b, target: 2s+}" in year_file.read_text()
    column = letter(header.index("maths.target"))
    assert (
        f"{old}:{row}:{column}: warning: replaced '2s', written in the records since this sheet was exported" in run.err
    )


def test_a_class_sheet_lists_the_children_by_surname_as_a_register_does(amentor, school, tmp_path):
    write(school, "pupils/yusuf/pupil.yml", "id: T009\nfirst_name: Yusuf\nlast_name: Abbas\n")
    write(school, "pupils/yusuf/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        names = [row[3] for row in list(csv.reader(f))[1:]]
    assert names == ["Yusuf Abbas", "Ada Quennell", "Benedikt Zoller"]  # the overview's order too


def test_lines_commented_out_at_the_end_of_a_year_file_stay_at_its_end(amentor, school, tmp_path):
    # A teacher comments out the work list at the end of the file (column 0) and imports a sheet
    # that adds a term: the term went in after those lines, and uncommenting them later made the
    # new term part of the work list (an error at a line the teacher never wrote).
    year_file = school / "pupils/ben/2026-27.yml"
    tail = "# work:\n#   - {kind: writing, title: Draft, file: work/2026-27/draft.jpg}\n"
    year_file.write_text(year_file.read_text() + tail)
    edit_sheet(amentor, school, tmp_path / "wrens.csv", {"assessment.pira": "101"}, "T002", "--term", "spring")
    assert amentor("sheet", "import", str(tmp_path / "wrens.csv"), "-p", str(school)).code == 0
    text = year_file.read_text()
    assert "  spring:\n    assessments:\n      - {test: pira, score: 101}\n" in text and text.endswith(tail), text
    work_image(school / "pupils/ben/work/2026-27/draft.jpg")
    year_file.write_text(text.replace("# work:\n#   -", "work:\n  -"))  # uncommented: a valid record
    assert amentor("check", "-p", str(school)).code == 0


def test_an_older_sheet_imported_again_by_mistake_changes_nothing_it_wrote_before(amentor, school, tmp_path):
    # September's sheet imported, then the end of term's; then September's again, by mistake. Its
    # cells still hold what it wrote in September: that is no change of the teacher's since, and
    # the end of term's values stay (they went back to September's, and exit 0, before).
    start, end = tmp_path / "start.xlsx", tmp_path / "end.xlsx"
    year_file = school / "pupils/ben/2026-27.yml"

    def filled(sheet: Path, value: str) -> None:
        assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
        header, rows = cells(sheet)
        book = load_workbook(sheet)
        row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
        book.worksheets[0].cell(row, header.index("maths.working_at") + 1).value = value
        book.save(sheet)
        assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0

    filled(start, "2b")
    filled(end, "2w")
    assert "{working_at: 2w," in year_file.read_text()
    before = project_files(school)
    run = amentor("sheet", "import", str(start), "-p", str(school))
    assert run.code == 0 and "nothing changed" in run.err, run.err
    assert (
        "warning: kept '2w' of the records, changed since this sheet was exported ('2b' was imported from it before: export it again to write it again)"
        in run.err
    )
    assert project_files(school) == before
    # A cell corrected in the same sheet is written, as ever.
    book = load_workbook(start)
    header, rows = cells(start)
    book.worksheets[0].cell(2 + [r[2] for r in rows].index("T002"), header.index("maths.working_at") + 1).value = "2s"
    book.save(start)
    assert amentor("sheet", "import", str(start), "-p", str(school)).code == 0
    assert "{working_at: 2s," in year_file.read_text()
    # What the imports kept are keyed digests: no id, no name, no value.
    kept = b"".join(p.read_bytes() for p in (school / ".amentor/sheets").iterdir())
    assert kept and not any(word in kept for word in (b"T002", b"Ben", b"Wrens", b"Know number", b"2w", b"2s"))
    assert oct((school / ".amentor/sheets").stat().st_mode & 0o777) == "0o700"


def test_an_import_undone_and_the_same_sheet_imported_again_writes_its_cells(amentor, school, tmp_path):
    # Imported, undone (git checkout of the records), a slip in another cell put right, imported
    # again: the records are as exported, and every cell the teacher changed is written again.
    sheet = tmp_path / "wrens.xlsx"
    year_file = school / "pupils/ben/2026-27.yml"
    exported = year_file.read_text()
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    header, rows = cells(sheet)
    row = 2 + [r[2] for r in rows].index("T002")
    book = load_workbook(sheet)
    book.worksheets[0].cell(row, header.index("maths.working_at") + 1).value = "2b"
    book.worksheets[0].cell(row, header.index("conversation.at_home") + 1).value = "Read every night."
    book.save(sheet)
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    year_file.write_text(exported)  # undone
    book = load_workbook(sheet)
    book.worksheets[0].cell(row, header.index("conversation.at_home") + 1).value = None  # the slip, cleared
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "1 file changed" in run.err, run.err
    assert "{working_at: 2b," in year_file.read_text() and "Read every night" not in year_file.read_text()


def test_an_older_sheets_dash_never_removes_what_was_written_since(amentor, school, tmp_path):
    # September's sheet removed a value ('-'); December's wrote a new one; September's imported
    # again by mistake keeps December's.
    year_file = school / "pupils/ben/2026-27.yml"

    def filled(sheet: Path, value: str) -> None:
        assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
        header, rows = cells(sheet)
        book = load_workbook(sheet)
        book.worksheets[0].cell(2 + [r[2] for r in rows].index("T002"), header.index("staff_notes") + 1).value = value
        book.save(sheet)
        assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0

    year_file.write_text(
        year_file.read_text().replace("    attainment:", "    staff_notes: Old note.\n    attainment:", 1)
    )
    filled(tmp_path / "sept.xlsx", "-")
    assert "Old note" not in year_file.read_text()
    filled(tmp_path / "dec.xlsx", "Speech and language referral.")
    run = amentor("sheet", "import", str(tmp_path / "sept.xlsx"), "-p", str(school))
    assert run.code == 0 and "Speech and language referral." in year_file.read_text(), run.err
    assert (
        "kept 'Speech and language referral.' of the records, changed since this sheet was exported (its -" in run.err
    )


def test_a_sheet_whose_cells_cannot_be_kept_is_imported_and_said(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    header, rows = cells(sheet)
    book = load_workbook(sheet)
    book.worksheets[0].cell(2 + [r[2] for r in rows].index("T002"), header.index("maths.working_at") + 1).value = "2w"
    book.save(sheet)
    (school / ".amentor/sheets").write_text("in the way")  # where what it held is kept cannot be a folder
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "{working_at: 2w," in (school / "pupils/ben/2026-27.yml").read_text()
    assert f"{sheet}:1:A: warning: imported, but what it held could not be kept in .amentor/sheets/ (" in run.err


def test_a_sheet_compares_meanings_refuses_a_moved_target_and_keeps_no_value_twice(amentor, school, tmp_path):
    import zipfile

    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    with zipfile.ZipFile(sheet) as book:  # the hidden copy holds digests, not the notes or targets again
        assert sum(b"Count in fives to 50" in book.read(n) for n in book.namelist()) == 1
    header, rows = cells(sheet)
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
    year_file = school / "pupils/ben/2026-27.yml"
    text = year_file.read_text()
    # Since the export: the first maths target taken out (the second moves up), behaviour changed.
    year_file.write_text(
        text.replace("        - {text: Know number bonds to 10, review: partly}\n", "").replace(
            "behaviour: green", "behaviour: yellow"
        )
    )
    book = load_workbook(sheet)
    typed = {"attitude.behaviour": "Green", "target.maths.2.review": "achieved", "attitude.attendance": None}
    for column, value in typed.items():
        book.worksheets[0].cell(row, header.index(column) + 1).value = value
    book.save(sheet)
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    at = {column: f"{sheet}:{row}:{letter(header.index(column))}: " for column in typed}
    # 'Green' is what was exported ('green'): the records' newer yellow stays. The review was for
    # the second target, now the first: refused. The attendance cleared: said, not removed.
    assert run.code == 1 and at["target.maths.2.review"] + "target.maths.2.review: target 2 of maths is not" in run.err
    assert project_files(school) == before
    book = load_workbook(sheet)
    book.worksheets[0].cell(row, header.index("target.maths.2.review") + 1).value = None
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    assert at["attitude.behaviour"] + "warning: kept 'yellow' of the records, changed since" in run.err
    assert at["attitude.attendance"] + "warning: cleared; an empty cell leaves the records as they are" in run.err
    assert "behaviour: yellow" in year_file.read_text() and "attendance: 95.5" in year_file.read_text()


def test_a_sheet_imported_twice_or_without_its_record_of_the_export_says_so(amentor, school, tmp_path):
    from openpyxl import Workbook

    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    hidden = [list(r) for r in load_workbook(sheet)["as exported"].iter_rows(values_only=True)]
    assert all(r[3] is None and not r[2].startswith("T0") for r in hidden[1:])  # no name, no id kept unseen
    assert len({r[5] for r in hidden[1:]}) == len(hidden) - 1  # nor one value as the same digest for two
    header, rows = cells(sheet)
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
    book = load_workbook(sheet)
    book.worksheets[0].cell(row, header.index("maths.working_at") + 1).value = "2b"
    book.worksheets[0].cell(row, header.index("target.maths.1") + 1).value = "-"  # the first of two removed
    book.save(sheet)
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    again = amentor("sheet", "import", str(sheet), "-p", str(school))  # the same file again: nothing to say
    assert again.code == 0 and "warning" not in again.err and "nothing changed" in again.err, again.err
    # A row the sheet was not exported with (its term typed over): said at its id.
    book = load_workbook(sheet)
    book.worksheets[0].cell(row, header.index("term") + 1).value = "spring"
    for column in (c for c in header if c.startswith("target.")):  # (spring has no targets to review)
        book.worksheets[0].cell(row, header.index(column) + 1).value = None
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school), "--dry-run")
    column = letter(header.index("id"))
    assert (
        f"{sheet}:{row}:{column}: warning: T002 in spring 2026-27 was not in this sheet when it was exported" in run.err
    )
    # Its cells copied into a new workbook, or the project's key lost: said once, at the top.
    copied = Workbook()
    for values in load_workbook(sheet).worksheets[0].iter_rows(values_only=True):
        copied.active.append(list(values))
    copied.save(tmp_path / "copied.xlsx")
    run = amentor("sheet", "import", str(tmp_path / "copied.xlsx"), "-p", str(school))
    assert run.code == 0 and run.err.count("warning") == 1 and "copied.xlsx:1:A: warning: it holds no record" in run.err
    (school / ".amentor/sheets.key").write_bytes(bytes(32))
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and run.err.count("warning") == 1, run.err
    assert "wrens.xlsx:1:A: warning: it was exported with another key than this project's" in run.err


def test_text_starting_with_an_equals_sign_goes_out_as_text_and_an_excel_error_never_comes_in(
    amentor, school, tmp_path
):
    year_file = school / "pupils/ben/2026-27.yml"
    year_file.write_text(year_file.read_text().replace('"Count in fives to 50"', '"=, < and > to compare numbers"'))
    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    header, rows = cells(sheet)
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
    column = header.index("target.maths.2")
    book = load_workbook(sheet)
    assert book.worksheets[0].cell(row, column + 1).data_type == "s"  # text, not a formula Excel would evaluate
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "nothing changed" in run.err and project_files(school) == before, run.err
    # What Excel saves when it took such text for a formula: an error, never imported as text.
    book.worksheets[0].cell(row, column + 1).value = "#NAME?"
    book.worksheets[0].cell(row, column + 1).data_type = "e"
    book.save(sheet)
    csv_sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(csv_sheet), "-p", str(school)).code == 0
    csv_sheet.write_text(csv_sheet.read_text().replace('"\'=, < and > to compare numbers"', "#REF!"))
    for filled in (sheet, csv_sheet):
        run = amentor("sheet", "import", str(filled), "-p", str(school))
        assert run.code == 1 and f"{filled}:{row}:{letter(column)}: Excel shows an error here (#" in run.err, run.err
        assert project_files(school) == before


def test_a_csv_garbled_by_excel_is_refused_and_text_it_takes_for_a_formula_goes_out_quoted(amentor, school, tmp_path):
    """A UTF-8 CSV opened by double-click in Excel on Windows is read as Windows-1252, and saved
    so: Zoë’s comes back as ZoÃ«â€™s. That is refused, every garbled cell said. And text that
    Excel would take for a formula (`=, < and >`: CSV injection) is written with ' in front."""
    year_file = school / "pupils/ben/2026-27.yml"
    year_file.write_text(year_file.read_text().replace('"Count in fives to 50"', '"=, < and > in Zoë’s café"'))
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    text = sheet.read_text(encoding="utf-8")
    assert '"\'=, < and > in Zoë’s café"' in text
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
    column = letter(header.index("target.maths.2"))
    before = project_files(school)
    # As exported, and as Excel saves it once it has shown the text (its ' taken as the mark of text).
    for typed in (text, text.replace("'=, <", "=, <")):
        sheet.write_text(typed, encoding="utf-8")
        run = amentor("sheet", "import", str(sheet), "-p", str(school))
        assert run.code == 0 and "nothing changed" in run.err and project_files(school) == before, run.err
    # Opened as Windows-1252, saved as "CSV UTF-8" (a byte-order mark, CRLF), a comment added.
    excel = tmp_path / "wrens-excel.csv"
    garbled_rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("cp1252"), newline="")))
    garbled_rows[row - 1][header.index("conversation.went_well")] = "Tried hard at the café’s maths game"  # as typed
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(garbled_rows)
    excel.write_text(out.getvalue(), encoding="utf-8-sig")
    run = amentor("sheet", "import", str(excel), "-p", str(school))
    assert run.code == 1, run.err
    assert f"{excel}:1:A: the text of this sheet is garbled (Zoë reads ZoÃ«)" in run.err
    assert (
        f"{excel}:{row}:{column}: target.maths.2: '=, < and > in ZoÃ«â€™s cafÃ©' is '=, < and > in Zoë’s café' "
        "garbled (see 1:A)" in run.err
    ), run.err
    assert "went_well" not in run.err and project_files(school) == before
    # The garbled cell edited too (words added to it): still the records' text, garbled.
    garbled_rows[row - 1][header.index("target.maths.2")] += " Keep it up."
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(garbled_rows)
    excel.write_text(out.getvalue(), encoding="utf-8-sig")
    run = amentor("sheet", "import", str(excel), "-p", str(school))
    assert run.code == 1 and f"{excel}:1:A: the text of this sheet is garbled" in run.err, run.err
    # Typed in a sheet nothing garbled: CAFÉ’S could read as garbled, and is not said so.
    edit_sheet(amentor, school, sheet, {"staff_notes": "Lunch at the CAFÉ’S table"})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "staff_notes: Lunch at the CAFÉ’S table" in year_file.read_text(), run.err


def test_a_date_excel_made_of_text_is_an_error_and_a_percentage_comes_in_as_shown(amentor, school, tmp_path):
    """Excel turns `3/4 of a number` typed in a cell into a date, keeping only the date: an error,
    not '2027-04-03 00:00:00' written as the target. A text cell formatted as a percentage comes
    in as it shows (50%), not as the fraction it holds."""
    sheet, header, book, ws, row = bens_xlsx(amentor, school, tmp_path)
    date = ws.cell(row, header.index("target.maths.3") + 1)
    date.value, date.number_format = dt.datetime(2027, 4, 3), "d-mmm"
    time = ws.cell(row, header.index("staff_notes") + 1)
    time.value, time.number_format = dt.time(10, 30), "h:mm"
    percent = ws.cell(row, header.index("conversation.pupil_voice") + 1)
    percent.value, percent.number_format = 0.5, "0%"
    book.save(sheet)
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and project_files(school) == before
    said = ": Excel took what was typed here for a date or a time ({}): type the text again with ' in front"
    assert f"{sheet}:{row}:{letter(date.column - 1)}: target.maths.3" + said.format("2027-04-03") in run.err
    assert f"{sheet}:{row}:{letter(time.column - 1)}: staff_notes" + said.format("10:30") in run.err
    date.value = time.value = None
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "pupil_voice: 50%" in (school / "pupils/ben/2026-27.yml").read_text(), run.err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_imported_text_is_nfc_normalised_as_the_records_are(amentor, school, tmp_path, suffix):
    """A cell typed with a decomposed accent (e and a combining acute, as some Macs write it) is
    written to the records as the one character, as every record's text is read."""
    sheet = tmp_path / f"wrens{suffix}"
    decomposed = unicodedata.normalize("NFD", "Café, Zoë")
    if suffix == ".csv":
        edit_sheet(amentor, school, sheet, {"conversation.pupil_voice": decomposed})
    else:
        amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
        header, _ = cells(sheet)
        book = load_workbook(sheet)
        ws = book.worksheets[0]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T002")
        ws.cell(row, header.index("conversation.pupil_voice") + 1).value = decomposed
        book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    text = (school / "pupils/ben/2026-27.yml").read_text(encoding="utf-8")
    assert "Café, Zoë" in text and decomposed not in text


def test_excel_cell_types_come_in_right(amentor, school, tmp_path):
    sheet, header, book, ws, row = bens_xlsx(amentor, school, tmp_path)

    def put(column: str, value: object, number_format: str | None = None) -> None:
        cell = ws.cell(row, header.index(column) + 1)
        cell.value = value
        if number_format:
            cell.number_format = number_format

    put("attitude.attendance", 0.974, "0.0%")  # typed as a percentage
    put("assessment.pira", 104)  # a number cell
    put("conversation.date", dt.datetime(2026, 11, 18))  # a date cell
    put("target.maths.3", "Count in tens")
    put("target.maths.1.review", "achieved")
    book.save(sheet)
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    text = (school / "pupils/ben/2026-27.yml").read_text()
    assert "attendance: 97.4" in text and "{test: pira, score: 104}" in text and "date: 2026-11-18" in text
    assert "{text: Know number bonds to 10, review: achieved}" in text and "Count in tens" in text


def test_a_true_or_false_cell_is_read_as_excel_shows_it(amentor, school, tmp_path):
    sheet, header, book, ws, row = bens_xlsx(amentor, school, tmp_path)
    ws.cell(row, header.index("staff_notes") + 1).value = True  # TRUE typed: Excel makes it a boolean
    ws.cell(row, header.index("attitude.effort") + 1).value = False
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and "attitude.effort: 'FALSE' is not a colour" in run.err, run.err
    ws.cell(row, header.index("attitude.effort") + 1).value = None
    book.save(sheet)
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    assert "staff_notes: 'TRUE'" in (school / "pupils/ben/2026-27.yml").read_text()


def test_a_percentage_cell_is_read_as_it_shows(amentor, school, tmp_path):
    """A cell formatted as a percentage holds the fraction it shows: 150% (1.5) is out of range,
    not an attendance of 1.5, and is said as 150%; so is 9700% (97 typed before the cell was
    formatted), where the teacher sees it too."""
    sheet = tmp_path / "wrens.xlsx"
    amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    header, _ = cells(sheet)
    column = header.index("attitude.attendance") + 1
    before = {p: p.read_text() for p in (school / "pupils").rglob("*.yml")}
    for value, shown in ((1.5, "150%"), (97, "9700%")):
        book = load_workbook(sheet)
        ws = book.worksheets[0]
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T002")
        ws.cell(row, column).value = value
        ws.cell(row, column).number_format = "0%"
        book.save(sheet)
        run = amentor("sheet", "import", str(sheet), "-p", str(school))
        where = f"{sheet}:{row}:{letter(column - 1)}: "
        assert run.code == 1 and f"{where}attitude.attendance: '{shown}' is not a number from 0 to 100" in run.err, (
            run.err
        )
        assert {p: p.read_text() for p in (school / "pupils").rglob("*.yml")} == before


def test_a_dash_in_an_xlsx_removes_a_colour_a_note_or_an_attainment(amentor, school, tmp_path):
    """'-' removes a value in the .xlsx the README recommends, as in a CSV (it was a traceback
    in every column but a target's: the .xlsx keeps what it was exported with)."""
    sheet = tmp_path / "wrens.xlsx"
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(year.read_text() + "    staff_notes: Sits near the front.\n")
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    header, rows = cells(sheet)
    row = 2 + next(i for i, r in enumerate(rows) if r[2] == "T002")
    book = load_workbook(sheet)
    for column in ("attitude.behaviour", "staff_notes", "maths.working_at", "maths.target"):
        book.worksheets[0].cell(row, header.index(column) + 1).value = "-"
    book.save(sheet)
    before = year.read_text()
    assert "behaviour: green" in before and "Sits near the front." in before and "maths: {working_at: 1s" in before
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "Traceback" not in run.err, run.err
    after = year.read_text()
    assert "behaviour: green" not in after and "Sits near the front." not in after and "maths: {" not in after
    again = amentor("sheet", "import", str(sheet), "-p", str(school))  # the same sheet again: nothing to do
    assert again.code == 0 and year.read_text() == after and "nothing changed" in again.err, again.err


def test_csv_round_trip_dry_run_and_removal(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    ben = next(r for r in rows if r[2] == "T002")
    ben[header.index("attitude.behaviour")] = "-"  # removes the value
    ben[header.index("staff_notes")] = "Moved to group C."
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = (school / "pupils/ben/2026-27.yml").read_text()
    dry = amentor("sheet", "import", str(sheet), "--dry-run", "-p", str(school))
    assert dry.code == 0 and "-      behaviour: green" in dry.out and "+    staff_notes: Moved to group C." in dry.out
    assert "dry run: 1 file would change; nothing was written" in dry.err
    assert (school / "pupils/ben/2026-27.yml").read_text() == before  # a dry run writes nothing
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and f"imported {sheet}; 1 file changed:" in run.err
    assert "amentor: next, amentor build" in run.err
    after = (school / "pupils/ben/2026-27.yml").read_text()
    assert "behaviour" not in after and "staff_notes: Moved to group C." in after


BAD_CELLS = [
    ("id", "T999", "C", "unknown id 'T999'"),
    ("maths.working_at", "9z", None, "'9z' is not a step of the school's scale"),
    ("attitude.behaviour", "gren", None, "'gren' is not a colour (did you mean 'green'?); expected one of"),
    ("attitude.behaviour", "amber", None, "'amber' is not a colour (did you mean 'yellow'?); expected one of"),
    ("target.maths.1.review", "done", None, "'done' is not a review"),
    ("assessment.pira", "300", None, "'300' is not a number from 40 to 160"),
    ("conversation.date", "2030-01-01", None, "is outside the academic year 2026-27"),
    ("conversation.date", "18.11.2026", None, "'18.11.2026' is not a date: write it as 2026-11-18 or 18/11/2026"),
    ("conversation.date", "30/02/2027", None, "'30/02/2027': there is no such day"),
    ("maths.status", "great", None, "'great' is not a status"),
    ("year", "", "A", "the school year is missing (as 2026-27)"),  # not "no year file for None"
    ("term", "", "B", "the term is missing (autumn, spring, summer)"),
]


@pytest.mark.parametrize("column, value, letter, message", BAD_CELLS)
def test_every_bad_cell_is_an_error_at_its_row_and_column_and_nothing_is_written(
    amentor, school, tmp_path, column, value, letter, message
):
    sheet = tmp_path / "wrens.csv"
    amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    number = next(i for i, r in enumerate(rows) if r[2] == "T002")
    rows[number][rows[0].index(column)] = value
    rows[number][rows[0].index("staff_notes")] = "A change that must not be written."
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = {p: p.read_text() for p in (school / "pupils").rglob("*.yml")}
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    from amentor_build.schoolyear.excel import letter as column_letter

    expected = letter or column_letter(rows[0].index(column))
    assert run.code == 1 and f"{sheet}:{number + 1}:{expected}: " in run.err and message in run.err, run.err
    assert {p: p.read_text() for p in (school / "pupils").rglob("*.yml")} == before


def test_a_cell_in_other_capitals_or_with_spaces_means_the_schools_own_word(amentor, school, tmp_path):
    # Excel's drop-down lists accept "Red" for red, and a phone capitalises a cell's first letter.
    cells = {
        "attitude.behaviour": "Red",
        "maths.working_at": "1W",
        "maths.status": "On target",
        "target.maths.1": "Count in fives",
        "target.maths.1.review": "Not yet",
        "term": "Autumn",
    }
    header, row = edit_sheet(amentor, school, tmp_path / "wrens.csv", cells)
    run = amentor("sheet", "import", str(tmp_path / "wrens.csv"), "-p", str(school))
    assert run.code == 0, run.err
    after = (school / "pupils/ben/2026-27.yml").read_text()
    assert "behaviour: red" in after and "working_at: 1w" in after and "status: on_target" in after, after
    assert "review: not_yet" in after and "Red" not in after and "1W" not in after and "Autumn" not in after
    assert amentor("check", "-p", str(school)).code == 0
    # --term as a teacher types it; a year not begun is said as such.
    run = amentor(
        "sheet", "export", "--class", "Wrens", "--term", "Spring", "-o", str(tmp_path / "s.csv"), "-p", str(school)
    )
    assert run.code == 0 and ",spring," in (tmp_path / "s.csv").read_text(encoding="utf-8-sig"), run.err
    run = amentor(
        "sheet", "export", "--class", "Wrens", "--year", "2031-32", "-o", str(tmp_path / "f.csv"), "-p", str(school)
    )
    assert run.code == 2 and "--year 2031-32: after the school's current_year 2026-27" in run.err


def test_an_unknown_column_and_a_child_of_another_class(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.csv"
    amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[0] += ["shoe.size", "maths.working_a"]
    write(school, "pupils/cleo/pupil.yml", "id: T003\nfirst_name: Cleo\nlast_name: Farrant\n")
    write(school, "pupils/cleo/2026-27.yml", "year_group: 1\nclass: Robins\n")
    rows.append(["2026-27", "autumn", "T003", "Cleo Farrant"] + [""] * (len(rows[0]) - 4))
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1
    assert f"{sheet}:1:" in run.err and "unknown column 'shoe.size'\n" in run.err
    assert "unknown column 'maths.working_a' (did you mean 'maths.working_at'?)" in run.err
    assert "T003 is not in class Wrens" in run.err


def test_a_child_of_another_class_is_the_error_even_in_the_first_row(amentor, school, tmp_path):
    """The class of a sheet is the one it was exported for (an .xlsx keeps its children), else
    that of most of its rows: a child of another class typed into the first row is the error,
    not every child after it, nor is the sheet taken for that child's class."""
    write(school, "pupils/cleo/pupil.yml", "id: T003\nfirst_name: Cleo\nlast_name: Farrant\n")
    write(school, "pupils/cleo/2026-27.yml", "year_group: 1\nclass: Robins\n")
    sheet, header, book, ws, ben = bens_xlsx(amentor, school, tmp_path)
    first = 2 if ben != 2 else 3
    ws.cell(first, 3).value, ws.cell(first, 4).value = "T003", None
    ws.cell(first, header.index("staff_notes") + 1).value = "Tired."
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and f"{sheet}:{first}:C: T003 is not in class Wrens" in run.err, run.err
    assert "T002 is not in class" not in run.err, run.err
    ws.delete_rows(ben)  # Cleo's row alone: the sheet is still Wrens'
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and "T003 is not in class Wrens" in run.err, run.err
    assert "Tired." not in (school / "pupils/cleo/2026-27.yml").read_text()
    rows = [["year", "term", "id", "name", "staff_notes"], ["2026-27", "autumn", "T003", "", "Tired."]]
    rows += [["2026-27", "autumn", "T001", "", "Glasses."], ["2026-27", "autumn", "T002", "", "Moving."]]
    with open(tmp_path / "wrens.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    run = amentor("sheet", "import", str(tmp_path / "wrens.csv"), "-p", str(school))
    assert run.code == 1 and "wrens.csv:2:C: T003 is not in class Wrens" in run.err, run.err
    assert "T001 is not in class" not in run.err and "T002 is not in class" not in run.err, run.err


def test_nothing_a_teacher_typed_in_a_sheet_is_dropped_without_a_word(amentor, school, tmp_path):
    # A child's row twice (pasted, or edited in two places), a column twice, a value in a
    # column with no name: each would lose what was typed; each is an error where it is, in the
    # sheet's order (column AA after Z), and nothing is written.
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"attitude.effort": "green", "staff_notes": "Glasses."})
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    behaviour = header.index("attitude.behaviour")
    rows[0].append("attitude.behaviour")  # a copy of a column, far to the right
    rows[0].append("")  # a column with no name ...
    for r in rows[1:]:
        r += ["blue", "Needs a word with mum"]  # ... holding a value
    rows.append(list(rows[row - 1]))  # Ben's row again, below the others
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    copy, unnamed = letter(len(header)), letter(len(header) + 1)
    assert run.code == 1 and run.lines == [
        f"{sheet}:1:{copy}: the column 'attitude.behaviour' is also column {letter(behaviour)}: keep one",
        f"{sheet}:2:{unnamed}: a value in column {unnamed}, which has no name in row 1: name it, or clear it",
        f"{sheet}:{len(rows)}:C: T002 is also in row {row} for autumn 2026-27: keep one row a child",
        "amentor: 3 errors; nothing was written",
    ], run.err
    assert project_files(school) == before


def test_empty_spacer_columns_are_passed_over(amentor, school, tmp_path):
    # Two blank columns put between the others to make the sheet easier to read: nothing in
    # them, nothing to say (one was already passed over; two were called a copy of each other).
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"attitude.effort": "green"})
    with open(sheet, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    for r in rows:
        r[5:5] = ["", ""]
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "1 file changed" in run.err, run.err
    assert "effort: green" in (school / "pupils/ben/2026-27.yml").read_text()


def test_a_leaving_date_that_does_not_fit_the_records_is_warned_and_a_reason_is_needed(amentor, school):
    before = project_files(school)
    run = amentor("pupil", "leave", "T001", "--date", "2026-10-01", "--reason", " ", "-p", str(school))
    assert run.code == 2 and "--reason: say why the child left" in run.err
    assert project_files(school) == before
    # A child who did not come back after the summer: the year file made for them began after.
    run = amentor("pupil", "leave", "T001", "--date", "2026-07-21", "--reason", "did not return", "-p", str(school))
    said = "pupils/ada/2026-27.yml:1:1: warning: the year 2026-27 began after the child left (2026-07-21)"
    assert run.code == 0 and said in run.lines
    assert "left: {date: 2026-07-21, reason: did not return}" in (school / "pupils/ada/pupil.yml").read_text()
    run = amentor("check", "-p", str(school))
    assert run.code == 0 and said in run.lines  # check says the same; the folder still builds
    run = amentor("pupil", "leave", "T001", "--date", "2030-01-01", "--reason", "moved school", "-p", str(school))
    assert run.code == 0 and "pupils/ada/pupil.yml:1:1: warning: left.date: 2030-01-01 is after the end" in run.err


def test_a_conversation_dated_after_the_child_left_is_warned_at_its_date(amentor, school):
    pupil = (school / "pupils/ada/pupil.yml").read_text()
    (school / "pupils/ada/pupil.yml").write_text(pupil + "left: {date: 2025-11-01, reason: moved school}\n")
    (school / "pupils/ada/2026-27.yml").unlink()  # she left in Year 1
    run = amentor("check", "-p", str(school))
    assert run.code == 0, run.err
    said = (
        "pupils/ada/2025-26.yml:25:13: warning: terms.autumn.conversation.date: 2025-11-18 is after the child "
        "left (2025-11-01, pupil.yml's left.date): is one of the two mistyped?"
    )
    assert said in run.lines, run.err
    (school / "pupils/ada/pupil.yml").write_text(pupil + "left: {date: 2025-11-18, reason: moved school}\n")
    run = amentor("check", "-p", str(school))  # a conversation on the last day: nothing to say
    assert run.code == 0 and "conversation.date" not in run.err, run.err
    # Said as the date is typed, too.
    run = amentor("pupil", "leave", "T001", "--date", "2025-11-01", "--reason", "moved school", "-p", str(school))
    assert run.code == 0 and said in run.lines, run.err


# A drop-down list taken from another sheet, as Excel keeps it when it saves the workbook: an
# extension of the worksheet that openpyxl does not read, and warns of.
EXCEL_LIST = (
    b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b'<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>lists!$B$1:$B$5</xm:f>'
    b"</x14:formula1><xm:sqref>R2:R3</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def test_a_workbook_saved_by_excel_imports_with_no_python_warning(amentor, school, tmp_path):
    # openpyxl warns that it drops the extension (in a Python warning with its path): nothing of
    # the values an import reads, so the teacher sees amentor's own lines only.
    sheet, saved = tmp_path / "wrens.xlsx", tmp_path / "wrens-saved.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    with zipfile.ZipFile(sheet) as given, zipfile.ZipFile(saved, "w", zipfile.ZIP_DEFLATED) as made:
        for item in given.infolist():
            data = given.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # the class's sheet, the first
                assert b"</worksheet>" in data
                data = data.replace(b"</worksheet>", EXCEL_LIST + b"</worksheet>")
            made.writestr(item, data)
    run = run_cli("sheet", "import", str(saved), "--dry-run", "-p", str(school))
    assert run.code == 0 and "0 files would change" in run.err
    assert all(said_by_amentor(line) for line in run.lines), run.err


def test_a_class_no_child_is_in_cannot_be_exported(amentor, school, tmp_path):
    # Like an unknown pupil id for `logins issue`: the records lack it (exit 1), no file is made.
    run = amentor("sheet", "export", "--class", "Owls", "-o", str(tmp_path / "owls.csv"), "-p", str(school))
    assert (
        run.code == 1
        and "pupils:1:1: no child's 2026-27 year file names the class 'Owls'; the classes of 2026-27: Wrens\n"
        in run.err
    )
    assert not (tmp_path / "owls.csv").exists()
    run = amentor("sheet", "export", "--class", "wrens", "-o", str(tmp_path / "owls.csv"), "-p", str(school))
    assert run.code == 1 and "names the class 'wrens' (did you mean 'Wrens'?)" in run.err
    # Last year's class (asked for after a rollover, say): the year it is a class of is named.
    run = amentor("sheet", "export", "--class", "Robins", "-o", str(tmp_path / "owls.csv"), "-p", str(school))
    assert run.code == 1 and "names the class 'Robins'; it is a class of 2025-26: add --year 2025-26\n" in run.err
    assert (
        amentor(
            "sheet",
            "export",
            "--class",
            "Robins",
            "--year",
            "2025-26",
            "-o",
            str(tmp_path / "r.csv"),
            "-p",
            str(school),
        ).code
        == 0
    )


def test_pupils_added_from_a_mis_csv_and_one_leaves(amentor, school, tmp_path):
    mis = tmp_path / "mis.csv"
    mis.write_text(
        "id,first_name,last_name,preferred_name,class,year_group,guardian1_key,guardian1_label,guardian2_key,guardian2_label\n"
        "T010,Zoë,Ødegård,,Robins,1,mum,Ms Ødegård,,\n"
        "T011,محمد,Rahimi,Mo,Robins,1,dad,Mr Rahimi,mum,Mrs Rahimi\n",
        encoding="utf-8",
    )
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 0, run.err
    assert "next, logins for their families (amentor logins issue --letters letters/" in run.err
    assert (school / "pupils/zoe-odegard/pupil.yml").is_file() and (school / "pupils/zoe-odegard/2026-27.yml").is_file()
    assert (school / "pupils/mo-rahimi/pupil.yml").read_text().startswith("id: T011\nfirst_name: محمد\n")
    assert amentor("check", "-p", str(school)).code == 0
    again = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert again.code == 1 and "mis.csv:2:A: id: id 'T010' is already used by pupils/zoe-odegard/pupil.yml" in again.err
    # The same child under a new id (or a namesake): added, and said.
    mis.write_text(mis.read_text(encoding="utf-8").replace("T010", "T020").replace("T011", "T021"), encoding="utf-8")
    twice = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert twice.code == 0, twice.err
    assert (
        "mis.csv:2:B: warning: Zoë Ødegård (T020) has the name of T010 (pupils/zoe-odegard); "
        "if it is the same child, remove pupils/zoe-odegard-2" in twice.err
    ), twice.err
    for slug in ("zoe-odegard-2", "mo-rahimi-2"):
        shutil.rmtree(school / "pupils" / slug)
    # Twice in one file, the name written with a combining accent (as a Mac may save it): said too.
    head = mis.read_text(encoding="utf-8").splitlines()[0]
    mis.write_text(f"{head}\nT040,L\u00e9a,Brun,,Robins,1,,,,\nT041,Le\u0301a,BRUN,,Robins,1,,,,\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 0 and "mis.csv:3:B: warning: Léa BRUN (T041) has the name of T040 (pupils/lea-brun)" in run.err
    for slug in ("lea-brun", "lea-brun-2"):
        shutil.rmtree(school / "pupils" / slug)
    run = amentor("pupil", "leave", "T010", "--date", "2026-10-01", "--reason", "moved school", "-p", str(school))
    assert run.code == 0 and "from the next build no class teacher's list shows the folder" in run.err
    assert "the school's copy: amentor export T010 -o FILE.html --archive FILE.zip" in run.err
    assert "left: {date: 2026-10-01, reason: moved school}" in (school / "pupils/zoe-odegard/pupil.yml").read_text()
    # She comes back: added again under her id, she is told how.
    head = mis.read_text(encoding="utf-8").splitlines()[0]
    mis.write_text(f"{head}\nT010,Zoë,Ødegård,,Robins,1,,,,\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert (
        run.code == 1
        and (
            "id 'T010' is already used by pupils/zoe-odegard/pupil.yml (who left on 2026-10-01: for a child coming "
            "back, take left: out of that file and add their year file"
        )
        in run.err
    ), run.err


def test_a_mis_export_s_own_columns_are_passed_over_and_a_mistyped_one_is_an_error(amentor, school, tmp_path):
    """SIMS and Arbor exports carry columns of their own (Adno, UPN): the data lead need not
    delete them. A column close to amentor's own is a typo whose values would be lost: an error."""
    mis = tmp_path / "mis.csv"
    mis.write_text(
        "Adno,id,first_name,last_name,preferred_name,class,year_group,UPN,guardian1_key,guardian1_label\r\n"
        "0042,T010,Zoë,Ødegård,,Robins,1,A123456789012,mum,Ms Ødegård\r\n",
        encoding="utf-8-sig",
    )
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 0, run.err
    assert f"{mis}:1:A: warning: the column 'Adno' is not read" in run.err
    assert f"{mis}:1:H: warning: the column 'UPN' is not read" in run.err
    assert "guardians:\n  - {key: mum, label: Ms Ødegård}" in (school / "pupils/zoe-odegard/pupil.yml").read_text()
    before = tree_bytes(school)
    mis.write_text(
        "id,first_name,last_name,preferred_nmae,class,year_group,UPN\nT011,Mohammed,Rahimi,Mo,Robins,1,X\n",
        encoding="utf-8",
    )
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 1
    assert f"{mis}:1:A: unknown columns: 'preferred_nmae' (did you mean 'preferred_name'?) (expected: id," in run.err
    assert "UPN" not in run.err
    assert tree_bytes(school) == before
    mis.write_text("id,first_name,last_name,,class,year_group\nT011,Ann,Bee,Annie,Robins,1\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 1 and f"{mis}:2:D: a value in a column with no name in row 1" in run.err, run.err
    assert tree_bytes(school) == before


def test_a_mis_csv_may_write_a_year_group_as_its_system_does(amentor, school, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the file named as the data lead types it: said so in each error
    mis = Path("mis.csv")
    mis.write_text(
        MIS_HEADER + "\nT030,Kari,Nordmann,,Robins,Year 1,,,,\nT031,Per,Nordmann,,Robins,Y1,,,,\n"
        "T032,Ola,Nordmann,,Robins,yr 1,,,,\nT033,Liv,Nordmann,,Robins,Reception,,,,\nT034,,Nordmann,,Robins,9,,,,\n",
        encoding="utf-8",
    )
    before = project_files(school)
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 1 and run.lines[:3] == [  # every problem of every row, not only the unreadable one
        "mis.csv:5:F: year_group: 'Reception' is not a year group (a number, as 5, Y5 or Year 5)",
        "mis.csv:6:B: first_name: a value is required",
        "mis.csv:6:F: year_group: 9 is not a year group from 1 to 6",
    ], run.err
    assert project_files(school) == before  # one bad row: nothing is written
    mis.write_text(mis.read_text(encoding="utf-8").rsplit("T033", 1)[0], encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 0, run.err
    for slug in ("kari-nordmann", "per-nordmann", "ola-nordmann"):
        assert "year_group: 1\n" in (school / f"pupils/{slug}/2026-27.yml").read_text()
    assert amentor("check", "-p", str(school)).code == 0


def test_rollover_without_classes_keeps_each_class_and_says_so(amentor, school):
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 0, run.err
    assert "class: Wrens" in (school / "pupils/ben/2027-28.yml").read_text()
    assert "without --classes every child kept their class's name" in run.err


def test_a_rollover_dry_run_shows_the_new_year_and_its_warnings_and_writes_nothing(amentor, school):
    # Only autumn is recorded (summer's targets, set already, are no record of it).
    ben = school / "pupils/ben/2026-27.yml"
    ben.write_text(ben.read_text() + "  summer:\n    targets:\n      maths:\n        - {text: Count in threes}\n")
    before = project_files(school)
    run = amentor("rollover", "--to", "2027-28", "--dry-run", "-p", str(school))
    assert run.code == 0, run.err
    assert project_files(school) == before and not (school / "frozen").exists()
    assert (
        "+++ b/pupils/ben/2027-28.yml\n" in run.out
        and "+# Benedikt Zoller (T002), 2027-28\n+year_group: 3\n+class: Wrens\n" in run.out
    )
    assert "-current_year: 2026-27\n+current_year: 2027-28\n" in run.out
    assert "# frozen/2026-27.sha256: 2 lines, not shown" in run.out  # one line a year file: no work yet
    # A rollover now would freeze the year as it is; and no work was chosen.
    assert "school.yml:1:1: warning: no child has a record for summer 2026-27 yet" in run.err
    assert "pupils/ben/2026-27.yml:1:1: warning: work: 0 pieces of writing chosen for 2026-27" in run.err
    assert "amentor: dry run: 4 files would change:" in run.err and "nothing was written" in run.err
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 0 and "no child has a record for summer 2026-27 yet" in run.err
    assert "set class: in the new year files (pupils/*/2027-28.yml)" in run.err


def test_at_a_terminal_a_rollover_before_the_last_term_is_recorded_asks_first(school):
    # The rollover run again the next day (the data lead's shell history): the year it would
    # freeze has no record of its last term. At a terminal it asks; no (or Enter) writes nothing.
    import os
    import pty

    def rollover_answering(answer: bytes) -> tuple[int, str]:
        leader, follower = pty.openpty()
        command = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())"]
        with subprocess.Popen(
            [*command, "rollover", "--to", "2027-28", "-p", str(school)],
            stdin=follower,
            stderr=follower,
            stdout=subprocess.DEVNULL,
        ) as process:
            os.close(follower)
            said = b""
            while b"[y/N]" not in said:
                said += os.read(leader, 4096)
            os.write(leader, answer)
            code = process.wait(timeout=60)
        with contextlib.suppress(OSError):  # what it said after the answer (the pty is gone once it ends)
            while chunk := os.read(leader, 4096):
                said += chunk
        os.close(leader)
        return code, said.decode()

    before = project_files(school)
    code, said = rollover_answering(b"\n")
    assert code == 1 and "no child has a record for summer 2026-27 yet" in said, said
    assert "the year was not turned: nothing was written (current_year is still 2026-27)" in said
    assert project_files(school) == before
    code, said = rollover_answering(b"y\n")
    assert code == 0 and "rolled over to 2027-28" in said and said.count("no child has a record for summer") == 1
    assert "current_year: 2027-28" in (school / "school.yml").read_text()


def test_a_rollover_says_its_many_short_work_warnings_briefly_and_its_own_last(amentor, tmp_path):
    from amentor_build.scaffold import write_project_files
    from amentor_build.starter import starter_dir

    root = tmp_path / "sample"
    write_project_files(root, starter_dir(), "Sample Primary", 14)  # 26 pieces of work short, in 2026-27
    run = amentor("rollover", "--to", "2027-28", "--dry-run", "-p", str(root))
    assert run.code == 0, run.err
    lines = run.err.splitlines()
    assert sum(": warning: work: " in line for line in lines) == 5
    short = lines.index(
        "amentor: and 21 more warnings of chosen work short of what school.yml asks ('amentor check' lists every one)"
    )
    after = lines[short + 1 :]  # check's others (the example's address left), then the rollover's own
    assert "site_url is still the example's" in after[0], after
    assert "no child has a record for summer 2026-27 yet" in after[1], after


def test_a_build_says_its_many_short_work_warnings_briefly_and_check_every_one(amentor, tmp_path):
    # A school bringing in its history: two such warnings a child a finished year, at every build.
    from amentor_build.scaffold import write_project_files
    from amentor_build.starter import starter_dir

    root = tmp_path / "sample"
    write_project_files(root, starter_dir(), "Sample Primary", 14)
    rolled = amentor("rollover", "--to", "2027-28", "-p", str(root))  # 2026-27 finished: 26 pieces short
    assert rolled.code == 0, rolled.err
    run = amentor("build", "-p", str(root))
    assert run.code == 0, run.err
    assert sum(": warning: work: " in line for line in run.lines) == 5
    assert "amentor: and 21 more warnings of chosen work short of what school.yml asks" in run.err
    assert sum(": warning: work: " in line for line in amentor("check", "-p", str(root)).lines) == 26


def test_rollover_takes_classes_and_single_children_in_one_file_or_two(amentor, school, tmp_path):
    # A class map that also moves Ben alone (his row wins over his class's); then the same as two files.
    mixed = tmp_path / "classes.csv"
    mixed.write_text(
        "from_class,to_class\nWrens,Kestrels\nt002,Owls\n", encoding="utf-8"
    )  # the id as a sheet lowered it
    base = tmp_path / "base"
    shutil.copytree(school, base)
    run = amentor("rollover", "--to", "2027-28", "--classes", str(mixed), "-p", str(school))
    assert run.code == 0, run.err
    assert "class: Kestrels" in (school / "pupils/ada/2027-28.yml").read_text()
    assert "class: Owls" in (school / "pupils/ben/2027-28.yml").read_text()
    (tmp_path / "map.csv").write_text("from_class,to_class\nWrens,Kestrels\n", encoding="utf-8")
    (tmp_path / "ids.csv").write_text("id,class\nT002,Owls\n", encoding="utf-8")
    school_yml = base / "school.yml"
    staff = "  - {key: wrens, label: Wrens class teacher, scope: {class: Wrens}}\n"
    room = "  - {key: 7, label: Room 7, scope: {class: Wrens}}\n"
    school_yml.write_text(school_yml.read_text().replace(staff, staff + room))
    files = ["--classes", str(tmp_path / "map.csv"), "--classes", str(tmp_path / "ids.csv")]
    run = amentor("rollover", "--to", "2027-28", *files, "-p", str(base))
    assert run.code == 0, run.err
    assert "the login of Room 7 (7) will open an empty list" in run.err
    school_yml.write_text(school_yml.read_text().replace(room, ""))
    assert project_files(base) == project_files(school)
    # Wrens has no child in 2027-28: the Wrens teacher's staff logins would open an empty list
    # (one with a key YAML reads as a number, too).
    line = (
        (base / "school.yml")
        .read_text()
        .split("\n")
        .index("  - {key: wrens, label: Wrens class teacher, scope: {class: Wrens}}")
    )
    assert (
        f"school.yml:{line + 1}:" in run.err
        and "warning: no child will be in class 'Wrens' in 2027-28: the login of Wrens class teacher (wrens) "
        "will open an empty list; if the class has a new name, write it here (the classes of 2027-28: Kestrels, Owls)"
        in run.err
    ), run.err


def test_a_childs_own_row_with_its_class_left_empty_is_an_error_at_the_cell(amentor, school, tmp_path):
    """Ben's row with no class would have sent him with Wrens' map, which his row was there to
    change: said at its cell, nothing written (a class's empty row stays fine: a Year 6 class)."""
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nWrens,Kestrels\nT002,\n", encoding="utf-8")
    before = project_files(school)
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "-p", str(school))
    assert run.code == 1, run.err
    assert f"{classes}:3:B: no class for T002: fill it in, or take the row out" in run.err, run.err
    assert project_files(school) == before


def test_a_mistyped_id_in_a_classes_file_is_said(amentor, school, tmp_path):
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nWrens,Kestrels\nT0O2,Owls\n", encoding="utf-8")
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "--dry-run", "-p", str(school))
    assert run.code == 0
    assert (
        "classes.csv:3:A: warning: 'T0O2' is no class of this year and no child's id, so the row moves no one: "
        "is it T002?" in run.err
    ), run.err


def test_an_id_no_child_has_in_an_id_class_file_is_said(amentor, school, tmp_path):
    """An `id,class` file's row for no child moves no one: a typo far from any id (HF9999 for
    T002), or a child whose records are gone. A class no child is in stays unsaid (a school's
    whole mapping, every year)."""
    write(tmp_path, "map.csv", "from_class,to_class\nWrens,Kestrels\nOwls,Hawks\n")
    write(tmp_path, "moves.csv", "id,class\nHF9999,Owls\nT001,Owls\n")
    maps = [arg for name in ("map.csv", "moves.csv") for arg in ("--classes", str(tmp_path / name))]
    run = amentor("rollover", "--to", "2027-28", *maps, "--dry-run", "-p", str(school))
    assert run.code == 0, run.err
    assert f"{tmp_path / 'moves.csv'}:2:A: warning: no child has the id 'HF9999', so the row moves no one" in run.lines
    assert "Owls" not in " ".join(line for line in run.lines if "map.csv" in line)


def test_a_new_years_class_that_no_staff_role_is_for_is_said(amentor, school, tmp_path):
    """Wrens become Kestrels, a class no role's scope names, in a school that gives classes roles
    of their own (wrens): only the head's list will show them. Said once, at school.yml's staff,
    with the empty Wrens list beside it."""
    write(tmp_path, "map.csv", "from_class,to_class\nWrens,Kestrels\nRobins,Owls\n")
    run = amentor("rollover", "--to", "2027-28", "--classes", str(tmp_path / "map.csv"), "--dry-run", "-p", str(school))
    assert run.code == 0, run.err
    said = [line for line in run.lines if "no staff role is for class" in line]
    assert len(said) == 1 and said[0].startswith("school.yml:") and "'Kestrels'" in said[0], run.err
    assert "in 2027-28: only the lists of scope: all will show their children" in said[0]


def test_two_classes_files_that_disagree_are_an_error_naming_both(amentor, school, tmp_path, monkeypatch):
    write(tmp_path, "classes/map.csv", "from_class,to_class\nWrens,Kestrels\n")
    write(tmp_path, "classes/more.csv", "from_class,to_class\nWrens,Owls\n")
    before = project_files(school)
    monkeypatch.chdir(tmp_path)  # each file said as it was named, folder and all
    run = amentor(
        "rollover",
        "--to",
        "2027-28",
        "--classes",
        "classes/map.csv",
        "--classes",
        "classes/more.csv",
        "-p",
        str(school),
    )
    assert run.code == 1
    said = "classes/more.csv:2:B: 'Wrens' goes to 'Owls' here, but to 'Kestrels' in classes/map.csv row 2"
    assert run.lines[0] == said, run.err
    assert project_files(school) == before


def test_rollover_of_year_6_leavers_alone_says_nothing_of_classes(amentor, school):
    for slug in ("ada", "ben"):
        shutil.rmtree(school / "pupils" / slug)
    write(school, "pupils/sam/pupil.yml", "id: T020\nfirst_name: Sam\nlast_name: Quill\n")
    write(school, "pupils/sam/2026-27.yml", "year_group: 6\nclass: Ash\n")
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 0 and "Year 6 leaver" in (school / "pupils/sam/pupil.yml").read_text(), run.err
    assert "--classes" not in run.err


def test_the_class_sheet_has_a_row_for_every_child_whose_year_file_names_the_class(amentor, school, tmp_path):
    """SPEC §6: one row per child whose year file names that class; a child who has left too."""
    leave = amentor("pupil", "leave", "T002", "--date", "2026-10-01", "--reason", "moved", "-p", str(school))
    assert leave.code == 0, leave.err
    sheet = tmp_path / "wrens.csv"
    run = amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school))
    assert run.code == 0 and "wrote 2 rows for class Wrens" in run.err, run.err
    assert [r[2] for r in csv.reader(sheet.read_text().splitlines()[1:])] == ["T001", "T002"]


def test_rollover_says_a_child_whose_leaving_date_is_after_the_year_is_not_moved_on(amentor, school):
    """A leaving typed a year ahead: the child has left (no year file for the new year), and the
    rollover says so at their pupil.yml, or they would vanish from every class unseen."""
    leave = amentor("pupil", "leave", "T002", "--date", "2027-10-01", "--reason", "moving", "-p", str(school))
    assert leave.code == 0, leave.err
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 0, run.err
    assert (
        "pupils/ben/pupil.yml:1:1: warning: T002 has left: (on 2027-10-01, after 2026-27 ends) and gets no year "
        "file for 2027-28" in run.err
    )
    assert not (school / "pupils/ben/2027-28.yml").exists() and (school / "pupils/ada/2027-28.yml").exists()


def test_rollover_carries_targets_makes_leavers_and_freezes_the_year(amentor, school, tmp_path):
    write(school, "pupils/sam/pupil.yml", "id: T020\nfirst_name: Sam\nlast_name: Quill\n")
    write(school, "pupils/sam/2026-27.yml", "year_group: 6\nclass: Ash\n")
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nWrens,Kestrels\n", encoding="utf-8")
    assert amentor("rollover", "--to", "2028-29", "-p", str(school)).code == 2  # not the next year
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "-p", str(school))
    assert run.code == 0, run.err
    assert "pupils/ada/2025-26.yml:34:1: warning: work: 1 piece of writing" in run.err  # what check warns, said
    assert "for the leaver, the school's copy: amentor export T020 -o FILE.html" in run.err  # named
    ben = (school / "pupils/ben/2027-28.yml").read_text()
    assert "year_group: 3" in ben and "class: Kestrels" in ben
    assert "Know number bonds to 10" in ben and "Count in fives to 50" in ben and "review" not in ben
    assert "left: {date: 2027-08-31, reason: Year 6 leaver}" in (school / "pupils/sam/pupil.yml").read_text()
    assert "current_year: 2027-28" in (school / "school.yml").read_text()
    manifest = school / "frozen/2026-27.sha256"
    assert "pupils/ben/2026-27.yml" in manifest.read_text()
    assert subprocess.run(["sha256sum", "-c", str(manifest)], cwd=school, capture_output=True).returncode == 0
    assert amentor("check", "-p", str(school)).code == 0
    before = project_files(school)
    again = amentor("rollover", "--to", "2027-28", "-p", str(school))  # the same rollover, run again
    assert again.code == 1 and "school.yml:1:1: the year was already rolled over: current_year is 2027-28" in again.err
    assert project_files(school) == before
    old = school / "pupils/ben/2026-27.yml"
    old.write_text(old.read_text() + "# a late fix\n")
    run = amentor("check", "-p", str(school))
    assert run.code == 1 and "pupils/ben/2026-27.yml:1:1: changed: the year 2026-27 is frozen" in run.err
    assert amentor("build", "-p", str(school)).code == 1
    new = school / "pupils/ben/2027-28.yml"
    new.write_text(new.read_text().replace("class: Kestrels", "class: Kestrels\ncolour: red"))
    run = amentor("build", "-p", str(school))  # a record error does not hide the frozen year's change
    assert run.code == 1 and "2027-28.yml:" in run.err and "unknown key 'colour'" in run.err
    assert "pupils/ben/2026-27.yml:1:1: changed: the year 2026-27 is frozen" in run.err
    new.write_text(new.read_text().replace("\ncolour: red", ""))
    blank = amentor("unfreeze", "2026-27", "--reason", " ", "-p", str(school))  # as pupil leave: a usage error
    assert blank.code == 2 and "--reason: say why" in blank.err and manifest.exists()
    label = amentor("unfreeze", "2026", "--reason", "a late fix", "-p", str(school))  # as rollover --to 2027
    assert label.code == 2 and "2026: an academic year label like 2025-26" in label.err and manifest.exists()
    never = amentor("unfreeze", "2025-26", "--reason", "a late fix", "-p", str(school))
    assert never.code == 1 and "frozen:1:1: the year 2025-26 is not frozen: the frozen years are 2026-27" in never.err
    run = amentor("unfreeze", "2026-27", "--reason", "a late fix", "-p", str(school))
    assert run.code == 0 and not manifest.exists()
    assert "a late fix" in (school / "frozen/2026-27.unfrozen.txt").read_text()
    again = amentor("rollover", "--to", "2027-28", "-p", str(school))  # unfrozen, but rolled all the same
    assert again.code == 1 and "already rolled over" in again.err
    open_year = "frozen/2026-27.unfrozen.txt:1:1: warning: the year 2026-27 is unfrozen"
    checked = amentor("check", "-p", str(school))
    assert checked.code == 0 and open_year in checked.err and "amentor freeze 2026-27" in checked.err
    assert open_year in amentor("build", "-p", str(school)).err
    new.write_text(new.read_text() + "colour: red\n")  # a build that fails says it too, as check does
    failed = amentor("build", "-p", str(school))
    assert failed.code == 1 and "unknown key 'colour'" in failed.err and open_year in failed.err
    new.write_text(new.read_text().replace("colour: red\n", ""))
    # Corrected, the year is frozen again, as it is now; the log keeps both events.
    run = amentor("freeze", "2026-27", "-p", str(school))
    assert run.code == 0 and "2026-27 is frozen again" in run.err, run.err
    assert (
        "# a late fix" in old.read_text()
        and subprocess.run(["sha256sum", "-c", str(manifest)], cwd=school).returncode == 0
    )
    assert "# frozen again on" in (school / "frozen/2026-27.unfrozen.txt").read_text()
    checked = amentor("check", "-p", str(school))
    assert checked.code == 0 and "unfrozen" not in checked.err
    old.write_text(old.read_text() + "# another\n")
    assert "changed: the year 2026-27 is frozen" in amentor("check", "-p", str(school)).err
    assert "frozen already" in amentor("freeze", "2026-27", "-p", str(school)).err
    assert "not finished: current_year is 2027-28" in amentor("freeze", "2027-28", "-p", str(school)).err
    assert "no child has a year file for 2019-20" in amentor("freeze", "2019-20", "-p", str(school)).err


def test_freezing_a_corrected_year_says_the_targets_its_rollover_carried_before_the_correction(amentor, school):
    # A late summer sheet: the finished year is corrected after the rollover carried its open
    # targets. The family would see an achieved target as still being worked on, and a target
    # open at the year's end missing; freeze says both, in the new year's file: the first at its
    # line, the second at its subject's targets.
    assert amentor("rollover", "--to", "2027-28", "-p", str(school)).code == 0
    assert amentor("unfreeze", "2026-27", "--reason", "the late summer sheet", "-p", str(school)).code == 0
    assert amentor("freeze", "2026-27", "-p", str(school)).err.count("warning") == 0  # nothing changed since
    assert amentor("unfreeze", "2026-27", "--reason", "the late summer sheet", "-p", str(school)).code == 0
    old = school / "pupils/ben/2026-27.yml"
    old.write_text(
        old.read_text()
        .replace("{text: Know number bonds to 10, review: partly}", "{text: Know number bonds to 10, review: achieved}")
        .replace(
            '        - {text: "Count in fives to 50"}\n',
            '        - {text: "Count in fives to 50"}\n        - {text: Halve numbers to 20}\n',
        )
    )
    run = amentor("freeze", "2026-27", "-p", str(school))
    assert run.code == 0 and "2026-27 is frozen again" in run.err, run.err
    assert [line for line in run.lines if "warning" in line] == [
        "pupils/ben/2027-28.yml:8:11: warning: autumn maths target 'Know number bonds to 10' is achieved in 2026-27, "
        "but open here (carried before the correction): take it out",
        "pupils/ben/2027-28.yml:7:7: warning: autumn maths target 'Halve numbers to 20' is open at the end of "
        "2026-27 (after its correction), but not carried here: add it if it stands",
    ]


def test_freezing_a_year_for_the_first_time_says_nothing_of_a_correction(amentor, tmp_path):
    # A school that kept 2025-26 before amentor turned its years freezes it by hand: its next
    # year's targets were never carried from it, and there was no correction to speak of.
    assert amentor("init", str(tmp_path / "school")).code == 0
    run = amentor("freeze", "2025-26", "-p", str(tmp_path / "school"))
    assert run.code == 0 and "2025-26 is frozen, as its files are now" in run.err, run.err
    assert "warning" not in run.err and "correction" not in run.err, run.err


def test_a_child_added_in_july_for_september_is_said_before_and_after_the_rollover(amentor, school):
    # Intake lists come in July: a Year 1 child added then is moved up to Year 2 (SPEC), one too
    # many, and nothing said so. The dry run says how to avoid it; the rollover how to put it right.
    add = ["pupil", "add", "--id", "T050", "--first-name", "Ava", "--last-name", "Moss", "--class", "Robins"]
    assert amentor(*add, "--year-group", "1", "-p", str(school)).code == 0
    said = "pupils/ava-moss/2026-27.yml:1:1: warning: T050 has nothing recorded in 2026-27, their only year, and "
    said += "moves up to Year 2 in 2027-28; if they join in September, in Year 1: "
    dry = amentor("rollover", "--to", "2027-28", "--dry-run", "-p", str(school))
    assert said + "take pupils/ava-moss/ out, turn the year, then add them (amentor pupil add)" in dry.lines, dry.err
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    way = "amentor unfreeze 2026-27, delete pupils/ava-moss/2026-27.yml, write year_group: 1 in "
    assert said + way + "pupils/ava-moss/2027-28.yml, then amentor freeze 2026-27" in run.lines, run.err
    assert sum("has nothing recorded" in line for line in run.lines) == 1  # Ada and Ben have their records
    # The way it says, followed: Ava is in Year 1, and the project is as it should be.
    assert amentor("unfreeze", "2026-27", "--reason", "Ava joins in September", "-p", str(school)).code == 0
    (school / "pupils/ava-moss/2026-27.yml").unlink()
    new = school / "pupils/ava-moss/2027-28.yml"
    new.write_text(new.read_text().replace("year_group: 2", "year_group: 1"))
    assert amentor("freeze", "2026-27", "-p", str(school)).code == 0
    checked = amentor("check", "-p", str(school))
    assert checked.code == 0 and "ava-moss" not in checked.err, checked.err


def test_a_row_that_gives_a_child_who_left_a_term_they_had_none_of_is_said(amentor, school, tmp_path):
    # A child who left in February keeps a row on the class's summer sheet (SPEC: every child
    # whose year file names the class); filled in, it gave them a summer record without a word.
    assert amentor("pupil", "leave", "T002", "--date", "2027-02-12", "--reason", "moved", "-p", str(school)).code == 0
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {}, "T002", "--term", "summer")
    assert "left on" not in amentor("sheet", "import", str(sheet), "-p", str(school)).err  # as exported: empty
    _, row = edit_sheet(amentor, school, sheet, {"attitude.behaviour": "green"}, "T002", "--term", "summer")
    number = row - 1
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert (
        run.code == 0
        and (
            f"{sheet}:{number + 1}:C: warning: T002 left on 2027-02-12: the row gives them a record of summer 2026-27, "
            "a term they had none of (is the row theirs?)"
        )
        in run.lines
    ), run.err


def test_a_class_map_row_that_moves_no_one_as_meant_is_said(amentor, school, tmp_path):
    # A row for a child who has left was passed by without a word; a destination typed in other
    # capitals made a new class of its own, in no teacher's list.
    assert amentor("pupil", "leave", "T001", "--date", "2026-10-01", "--reason", "moved", "-p", str(school)).code == 0
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nWrens,wrens\nT001,Owls\n", encoding="utf-8")
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "--dry-run", "-p", str(school))
    assert run.code == 0, run.err
    assert (
        f"{classes}:2:B: warning: 'wrens' is no class of the school, and close to 'Wrens': a typo? (a new class is fine)"
        in run.lines
    )
    assert f"{classes}:3:A: warning: T001 has left, or leaves now (Year 6): the row moves no one" in run.lines


def test_rollover_refuses_on_an_error_or_a_missing_class_and_changes_nothing(amentor, school, tmp_path):
    before = {p: p.read_bytes() for p in school.rglob("*.yml")}
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nRobins,Wrens\n", encoding="utf-8")
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "-p", str(school))
    assert run.code == 1 and "no class in --classes for 'Wrens'" in run.err
    write(school, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\ncolour: red\n")
    before = {p: p.read_bytes() for p in school.rglob("*.yml")}
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 1 and "unknown key 'colour'" in run.err
    assert {p: p.read_bytes() for p in school.rglob("*.yml")} == before
    assert not (school / "frozen").exists()


def test_a_child_on_roll_without_a_current_year_file_is_warned_and_stops_a_rollover(amentor, school):
    # Ben's year file removed (he did not come back), but no `pupil leave`: he is in no class.
    (school / "pupils/ben/2026-27.yml").unlink()
    said = amentor("check", "-p", str(school))
    assert said.code == 0
    assert (
        "pupils/ben/pupil.yml:1:1: warning: on roll (no left:) but no year file for the current year 2026-27"
        in said.err
    ), said.err
    assert "amentor pupil leave T002 --date YYYY-MM-DD --reason TEXT" in said.err
    before = project_files(school)
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 1
    assert "pupils/ben/pupil.yml:1:1: T002 is on roll but has no year file for 2026-27, so the rollover" in run.err
    assert project_files(school) == before
    assert (
        amentor("pupil", "leave", "T002", "--date", "2026-07-20", "--reason", "moved away", "-p", str(school)).code == 0
    )
    assert "on roll" not in amentor("check", "-p", str(school)).err
    assert amentor("rollover", "--to", "2027-28", "-p", str(school)).code == 0


@pytest.mark.parametrize(
    "rows, said",
    [
        (
            "from_class,to_class\nWrenz,Kestrels\n",
            "pupils/ada/2026-27.yml:2:8: class: no class in --classes for 'Wrens' (or for T001): where does T001 go?; "
            "classes.csv row 2 says 'Wrenz': a typo?",
        ),
        (
            "from_class,to_class\nWrens,Kestrels\nWrens,Owls\n",
            "classes.csv:3:B: 'Wrens' goes to 'Owls' here, but to 'Kestrels' in row 2",
        ),
        ("from_class,to_class\nWrens,\n", "where does T001 go?; classes.csv row 2 gives it none"),
    ],
)
def test_a_classes_file_that_leaves_a_child_without_a_class_is_an_error(
    amentor, school, tmp_path, rows, said, monkeypatch
):
    """Said at the class's line of each child's year file (Ben's, with a comment above, at line 3)."""
    before = project_files(school)
    (tmp_path / "classes.csv").write_text(rows, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = amentor("rollover", "--to", "2027-28", "--classes", "classes.csv", "-p", str(school))
    assert run.code == 1 and said in run.err, run.err
    assert ("where does" not in said) or "pupils/ben/2026-27.yml:3:8: class: no class in --classes" in run.err
    assert project_files(school) == before


def test_a_class_some_child_is_in_is_never_called_a_typo(amentor, school, tmp_path):
    write(school, "pupils/cleo/pupil.yml", "id: T003\nfirst_name: Cleo\nlast_name: Farrant\n")
    write(school, "pupils/cleo/2026-27.yml", "year_group: 2\nclass: Wrens B\n")
    classes = tmp_path / "classes.csv"
    classes.write_text("from_class,to_class\nWrens B,Kestrels B\n", encoding="utf-8")
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "-p", str(school))
    assert run.code == 1 and "where does T001 go?\n" in run.err and "a typo" not in run.err


def test_a_schools_whole_class_mapping_is_fine_with_classes_no_child_is_in(amentor, school, tmp_path):
    # Every class of the school, one with no child this year, a Year 6 class with no destination,
    # a row given twice alike, and an id,class file's unknown id: none of it stops the rollover.
    classes = tmp_path / "classes.csv"
    classes.write_text(
        "from_class,to_class,,\nRobins,Wrens,,\nWrens,Kestrels\nKestrels,Hawks\nHawks,\nOwls,Eagles\nWrens,Kestrels\n",
        encoding="utf-8",
    )
    run = amentor("rollover", "--to", "2027-28", "--classes", str(classes), "-p", str(school))
    assert run.code == 0, run.err
    assert "class: Kestrels" in (school / "pupils/ben/2027-28.yml").read_text()


@pytest.mark.parametrize("fault", ["a damaged work file", "no mkdocs.yml"])
def test_rollover_refuses_whatever_check_finds(amentor, school, fault):
    # Not only the records: what `amentor check` finds in the work files' contents and mkdocs.yml too.
    if fault == "no mkdocs.yml":
        (school / "mkdocs.yml").unlink()
    else:
        (school / "pupils/ada/work/2025-26/castle.pdf").write_bytes(b"random bytes, not a PDF")
    assert amentor("check", "-p", str(school)).code == 1
    before = project_files(school)
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 1 and ("castle.pdf:1:1: not a PDF" in run.err or "mkdocs.yml:1:1:" in run.err), run.err
    assert project_files(school) == before


def test_rollover_to_the_current_year_of_a_project_never_rolled_is_a_usage_error(amentor, school):
    run = amentor("rollover", "--to", "2026-27", "-p", str(school))
    assert run.code == 2 and "--to must be the year after current_year 2026-27: 2027-28" in run.err


def test_a_wrong_rollover_year_is_a_usage_error_before_the_projects_errors(amentor, school):
    # The command is wrong whatever the records hold: said first, without reading every work file.
    write(school, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\ncolour: red\n")
    run = amentor("rollover", "--to", "2030-31", "-p", str(school))
    assert run.code == 2 and "--to must be the year after" in run.err and "colour" not in run.err


def test_rollover_says_every_error_check_finds_at_once(amentor, school):
    # A bad record does not hide a damaged work file (rollover refuses whatever check finds).
    write(school, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\ncolour: red\n")
    (school / "pupils/ada/work/2025-26/castle.pdf").write_bytes(b"random bytes, not a PDF")
    run = amentor("rollover", "--to", "2027-28", "-p", str(school))
    assert run.code == 1 and "unknown key 'colour'" in run.err and "castle.pdf:1:1: not a PDF" in run.err


def test_rollover_says_which_classes_file_it_cannot_read(amentor, school, tmp_path):
    before = project_files(school)
    run = amentor("rollover", "--to", "2027-28", "--classes", str(tmp_path / "nope.csv"), "-p", str(school))
    assert run.code == 1 and "nope.csv:1:1: cannot read the file: No such file or directory" in run.err
    latin = tmp_path / "latin.csv"
    latin.write_bytes("from_class,to_class\nWrens,Kestrels\nRobins,Frênes\n".encode("latin-1"))
    run = amentor("rollover", "--to", "2027-28", "--classes", str(latin), "-p", str(school))
    assert run.code == 1 and "latin.csv:3:B: cannot read the file: not UTF-8 text" in run.err  # Frênes
    assert "Traceback" not in run.err
    assert project_files(school) == before


def test_check_warns_where_a_finished_years_chosen_work_is_short(amentor, school):
    run = amentor("check", "-p", str(school))
    assert run.code == 0
    assert (
        "pupils/ada/2025-26.yml:34:1: warning: work: 1 piece of writing chosen for 2025-26; the school asks for 2"
        in run.err
    )
    assert "2026-27.yml:1:1: warning: work" not in run.err  # the current year is not finished


def test_no_short_work_warning_for_the_year_a_child_left_in_before_its_end(amentor, school):
    pupil = (school / "pupils/ada/pupil.yml").read_text()
    (school / "pupils/ada/pupil.yml").write_text(pupil + "left: {date: 2026-03-01, reason: moved school}\n")
    (school / "pupils/ada/2026-27.yml").unlink()
    run = amentor("check", "-p", str(school))
    assert run.code == 0, run.err
    assert "pupils/ada/2025-26.yml:1:1: warning: work" not in run.err
    (school / "pupils/ada/pupil.yml").write_text(pupil + "left: {date: 2026-08-31, reason: Year 6 leaver}\n")
    run = amentor("check", "-p", str(school))  # left on the year's last day: the year was finished
    assert "pupils/ada/2025-26.yml:34:1: warning: work: 1 piece of writing chosen for 2025-26" in run.err


UNREADABLE = [
    ("missing.csv", None, "1:1", "cannot read the file: No such file or directory"),
    ("latin1.csv", "{header}\nT010,Zoë,Ødegård,,Robins,1,,,,\n".encode("latin-1"), "2:B", "not UTF-8 text"),
    ("folder.csv", "a folder", "1:1", "cannot read the file: Is a directory"),
]
MIS_HEADER = "id,first_name,last_name,preferred_name,class,year_group,guardian1_key,guardian1_label,guardian2_key,guardian2_label"


@pytest.mark.parametrize("name, content, place, message", UNREADABLE)
def test_an_unreadable_mis_csv_is_an_error_at_its_place_and_nothing_is_written(
    amentor, school, tmp_path, name, content, place, message
):
    mis = tmp_path / name
    if content == "a folder":
        mis.mkdir()
    elif content is not None:
        mis.write_bytes(content.replace(b"{header}", MIS_HEADER.encode()))
    before = project_files(school)
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 1 and run.lines[0].startswith(f"{mis}:{place}: cannot read the file") and message in run.err, (
        run.err
    )
    assert "Traceback" not in run.err and run.lines[-1] == "amentor: 1 error; nothing was written"
    assert project_files(school) == before


@pytest.mark.parametrize(
    "text, error", [("", "imports/mis.csv:1:1: the file is empty"), ("id,first_name\n", "imports/mis.csv:1:A: ")]
)
def test_an_empty_mis_csv_or_one_without_its_columns_is_an_error(amentor, school, text, error, monkeypatch):
    monkeypatch.chdir(school)
    write(school, "imports/mis.csv", text)  # its folder is said too, as the file was named
    before = project_files(school)
    run = amentor("pupil", "add", "--from", "imports/mis.csv")
    assert run.code == 1 and run.lines[0].startswith(error), run.err
    assert project_files(school) == before


def test_an_unreadable_sheet_is_an_error_at_its_place_and_nothing_is_written(amentor, school, tmp_path):
    notreally = tmp_path / "notreally.xlsx"
    notreally.write_text("year,term,id,name\n", encoding="utf-8")  # text named .xlsx
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("year,term,id,name,staff_notes\n2026-27,autumn,T002,Ben,Très bien\n".encode("latin-1"))
    broken = tmp_path / "broken.xlsx"
    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    broken.write_bytes(sheet.read_bytes()[:500])  # a workbook cut short
    before = project_files(school)
    cases = [
        (notreally, "1:A", "cannot read the file as an Excel workbook: File is not a zip file"),
        (broken, "1:A", "cannot read the file as an Excel workbook"),
        (latin1, "2:E", "cannot read the file: not UTF-8 text (invalid continuation byte at byte 56, line 2)"),
        (tmp_path / "missing.xlsx", "1:A", "cannot read the file: No such file or directory"),
        (tmp_path / "missing.csv", "1:A", "cannot read the file: No such file or directory"),
    ]
    for path, place, message in cases:  # (a CSV file in another encoding: at the cell of the first such byte)
        for dry_run in ((), ("--dry-run",)):
            run = amentor("sheet", "import", str(path), *dry_run, "-p", str(school))
            assert run.code == 1 and run.lines[0].startswith(f"{path}:{place}: {message}"), run.err
            assert "Traceback" not in run.err and len(run.lines) == 2
    assert project_files(school) == before


@pytest.mark.parametrize(
    "guardians",
    [
        ["--guardian", "mum=Mrs Okafor", "dad=Mr Okafor"],  # as SPEC writes it: KEY=LABEL ...
        ["--guardian", "mum=Mrs Okafor", "--guardian", "dad=Mr Okafor"],
    ],
)
def test_pupil_add_takes_several_guardians_after_one_or_each_guardian_option(amentor, school, guardians):
    run = amentor(
        "pupil", "add", "--id", "T030", "--first-name", "Amara", "--last-name", "Okafor", *guardians,
        "--class", "Robins", "--year-group", "1", "-p", str(school),
    )  # fmt: skip
    assert run.code == 0, run.err
    assert (school / "pupils/amara-okafor/pupil.yml").read_text() == (
        "id: T030\nfirst_name: Amara\nlast_name: Okafor\nguardians:\n"
        "  - {key: mum, label: Mrs Okafor}\n  - {key: dad, label: Mr Okafor}\n"
    )
    # Whose year it is, above it: every child's year file has the same name in an editor's tab.
    year = (school / "pupils/amara-okafor/2026-27.yml").read_text()
    assert year == "# Amara Okafor (T030), 2026-27\nyear_group: 1\nclass: Robins\n"
    assert amentor("check", "-p", str(school)).code == 0


def test_pupil_add_without_a_guardian_says_no_family_login_can_be_issued(amentor, school):
    run = amentor(
        "pupil", "add", "--id", "T031", "--first-name", "Kit", "--last-name", "Lowe",
        "--class", "Robins", "--year-group", "1", "-p", str(school),
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "no guardian given for T031: no family login can be issued" in run.err
    assert "next, logins for their families" not in run.err


def test_a_guardian_label_without_its_key_in_a_mis_csv_is_said_so(amentor, school, tmp_path):
    mis = tmp_path / "mis.csv"
    mis.write_text(MIS_HEADER + "\nT050,Nia,Ross,,Robins,1,,Ms Ross,,\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert (
        run.code == 1
        and "mis.csv:2:G: guardian1_key: a guardian's label needs a key beside it (mum, dad, carer)" in run.err
    )


def test_pupil_add_errors_name_the_option_that_gave_the_value(amentor, school):
    """A value the records refuse (an id already used) is the project's error (exit 1), said at
    the option; one that is no year group or no guardian in itself is a usage error (exit 2), as
    argparse says of any option's value."""
    before = project_files(school)
    add = ("pupil", "add", "--first-name", "Amara", "--last-name", "Okafor", "--class", "Robins", "-p", str(school))
    run = amentor(*add, "--id", "T001", "--year-group", "1")
    assert run.code == 1 and "--id:1:1: id 'T001' is already used by pupils/ada/pupil.yml" in run.lines, run.err
    for wrong, said in [
        (("--year-group", "7"), "--year-group 7: a year group from 1 to 6 (5, Y5 or Year 5)"),
        (("--year-group", "abc"), "--year-group abc: a year group from 1 to 6"),
        (("--year-group", "1", "--guardian", "mum dad=Mrs Okafor"), "--guardian mum dad=Mrs Okafor: write KEY=LABEL"),
        (("--year-group", "1", "--guardian", "=Mrs B"), "--guardian =Mrs B: write KEY=LABEL"),
        (("--year-group", "1", "--guardian", "mum="), "--guardian mum=: write KEY=LABEL"),
        (("--year-group", "1", "--guardian", "dad=Mr O", "dad=Mr P"), "--guardian dad=Mr P: guardian 'dad' is given"),
    ]:
        run = amentor(*add, "--id", "T031", *wrong)
        assert run.code == 2 and said in run.err, (wrong, run.err)
    assert project_files(school) == before
    # A year group as the school's management system writes it, as its CSV may: Y5, Year 5.
    run = amentor(
        "pupil", "add", "--id", "T032", "--first-name", "Ola", "--last-name", "Nowak", "--class", "Robins",
        "--year-group", "Y1", "-p", str(school),
    )  # fmt: skip
    assert run.code == 0 and "year_group: 1\n" in (school / "pupils/ola-nowak/2026-27.yml").read_text(), run.err


def test_a_guardian_without_a_label_is_a_usage_error_and_nothing_is_written(amentor, school):
    before = project_files(school)
    run = amentor(
        "pupil", "add", "--id", "T030", "--first-name", "Amara", "--last-name", "Okafor",
        "--guardian", "mum=Mrs", "Okafor", "--class", "Robins", "--year-group", "1", "-p", str(school),
    )  # fmt: skip
    assert run.code == 2 and "--guardian Okafor: write KEY=LABEL" in run.err
    assert project_files(school) == before


def test_the_csv_sheet_is_plain_utf8_and_is_read_back_with_or_without_a_bom(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    data = sheet.read_bytes()
    assert data.startswith(b"year,term,id,name,")  # no byte-order mark
    with open(sheet, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "year"
    ben = next(r for r in rows if r[2] == "T002")
    for note, bom in (("Plain UTF-8.", b""), ("With a BOM.", b"\xef\xbb\xbf")):
        ben[rows[0].index("staff_notes")] = note
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        sheet.write_bytes(bom + text.getvalue().encode("utf-8"))
        run = amentor("sheet", "import", str(sheet), "-p", str(school))
        assert run.code == 0, run.err
        assert f"staff_notes: {note}" in (school / "pupils/ben/2026-27.yml").read_text()


@pytest.mark.parametrize("column", ["maths.working_at", "maths.target"])
def test_a_dash_in_only_one_of_working_at_and_target_is_an_error_at_its_cell(amentor, school, tmp_path, column):
    from amentor_build.schoolyear.excel import letter

    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {column: "-", "staff_notes": "Not to be written."})
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1, run.err
    assert run.lines == [
        f"{sheet}:{row}:{letter(header.index(column))}: {column}: a subject's attainment needs both working_at and"
        " target; put - in both maths.working_at and maths.target to remove the maths attainment for this term",
        "amentor: 1 error; nothing was written",
    ]
    assert project_files(school) == before


def test_a_dash_in_both_working_at_and_target_removes_the_subjects_attainment(amentor, school, tmp_path):
    # Its status and self go with it: as exported (the records' own values), they need no clearing.
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(year.read_text().replace("target: 2b}", "target: 2b, status: on_target, self: green}"))
    before = year.read_text()
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"maths.working_at": "-", "maths.target": "-"})
    with open(sheet, encoding="utf-8", newline="") as f:
        exported = list(csv.reader(f))[row - 1]
    assert (exported[header.index("maths.status")], exported[header.index("maths.self")]) == ("on_target", "green")
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    removed = (
        "    attainment:\n      maths: {working_at: 1s, target: 2b, status: on_target, self: green}   # a hard term\n"
    )
    assert removed in before and year.read_text() == before.replace(removed, "")
    assert amentor("check", "-p", str(school)).code == 0
    again = amentor("sheet", "import", str(sheet), "-p", str(school))  # the same sheet again: nothing to do
    assert again.code == 0 and year.read_text() == before.replace(removed, ""), again.err
    assert "nothing changed (the records already hold every value)" in again.err


@pytest.mark.parametrize("status", ["grate", "on_target"])
def test_a_status_beside_a_removed_attainment_is_an_error_at_its_cell(amentor, school, tmp_path, status):
    # The row removes the maths attainment and gives it a new status: which did the teacher mean?
    # (A value the records hold already, as exported, goes with the attainment: see above.)
    from amentor_build.schoolyear.excel import letter

    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(
        amentor, school, sheet, {"maths.working_at": "-", "maths.target": "-", "maths.status": status}
    )
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and run.lines[0].startswith(f"{sheet}:{row}:{letter(header.index('maths.status'))}: "), run.err
    assert "this row removes the maths attainment" in run.lines[0] or status == "grate", run.err
    assert project_files(school) == before


def test_a_new_attainment_without_working_at_or_target_is_an_error_at_the_empty_cell(amentor, school, tmp_path):
    from amentor_build.schoolyear.excel import letter

    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"writing.working_at": "2b", "reading.status": "on_target"})
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1, run.err
    at = {
        column: f"{sheet}:{row}:{letter(header.index(column))}: {column}: a value is required: "
        for column in ("writing.target", "reading.working_at", "reading.target")
    }
    assert len(run.lines) == 4 and all(any(line.startswith(a) for line in run.lines) for a in at.values()), run.err
    assert project_files(school) == before


def test_a_row_that_names_another_child_than_its_ids_is_an_error_at_the_id(amentor, school, tmp_path):
    # An id typed wrong (or a row pasted from another child) would write one child's record
    # over another's: the name column, never imported, shows it.
    from amentor_build.schoolyear.excel import letter

    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"id": "T001", "attitude.behaviour": "red"})
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1, run.err
    assert (
        f"{sheet}:{row}:{letter(header.index('id'))}: T001 is Ada Quennell, but this row is for "
        "'Benedikt Zoller' (T002): check the id"
    ) in run.err
    assert project_files(school) == before


def test_a_name_shortened_in_the_sheet_is_a_warning_and_never_imported(amentor, school, tmp_path):
    """The name column is for the teacher's eye: one that names no child (shortened, misspelt)
    is said, and the row is imported all the same; the name itself never is."""
    from amentor_build.schoolyear.excel import letter

    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"name": "Ben Z.", "attitude.behaviour": "red"})
    pupil = (school / "pupils/ben/pupil.yml").read_bytes()
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    assert (
        f"{sheet}:{row}:{letter(header.index('id'))}: warning: T002 is Benedikt Zoller, but this row is for 'Ben Z.'"
    ) in run.err
    assert "behaviour: red" in (school / "pupils/ben/2026-27.yml").read_text(encoding="utf-8")
    assert (school / "pupils/ben/pupil.yml").read_bytes() == pupil


def test_a_very_long_name_gets_a_short_directory_and_a_huge_csv_cell_is_read(amentor, school, tmp_path):
    """A name far longer than a file system allows in one directory name (here in a cell over
    the csv module's own 128 KiB limit) is kept whole in pupil.yml; its directory's name is cut."""
    mis = tmp_path / "mis.csv"
    long_name = "Wolfeschlegelsteinhausenbergerdorff" * 5000
    mis.write_text(MIS_HEADER + f"\nT040,Hubert,{long_name},,Robins,1,,,,\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(school))
    assert run.code == 0, run.err[:500]
    (made,) = [p for p in (school / "pupils").iterdir() if p.name.startswith("hubert-")]
    assert len(made.name) <= 60 and long_name in (made / "pupil.yml").read_text(encoding="utf-8")
    assert amentor("check", "-p", str(school)).code == 0


@pytest.mark.parametrize(
    ("command", "text"),
    [
        (["sheet", "import"], "year;term;id;name;attitude.behaviour\n2026-27;autumn;T002;Benedikt Zoller;green\n"),
        (["pupil", "add", "--from"], "id;first_name;last_name;class;year_group\nT010;Cleo;Farrant;Robins;1\n"),
        (["rollover", "--to", "2027-28", "--classes"], "from_class;to_class\nWrens;Kestrels\n"),
    ],
)
def test_a_csv_separated_by_semicolons_is_said_so(amentor, school, tmp_path, command, text):
    # As Excel saves "CSV" where ',' is the decimal point: every column lands in A.
    sheet = tmp_path / "saved.csv"
    sheet.write_text(text, encoding="utf-8")
    before = project_files(school)
    run = amentor(*command, str(sheet), "-p", str(school))
    assert run.code == 1 and "saved.csv:1:" in run.lines[0], run.err
    assert run.lines[0].endswith(": the columns are separated by ';', not ','; save it as CSV UTF-8 (comma delimited)")
    assert project_files(school) == before


def test_a_sheet_of_notes_put_in_front_of_the_class_sheet_is_passed_over(amentor, school, tmp_path):
    # A teacher adds an "Instructions" sheet first: the class's sheet is the one its header starts.
    sheet = tmp_path / "wrens.xlsx"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    book = load_workbook(sheet)
    notes = book.create_sheet("Instructions", 0)
    notes["A1"] = "Fill in this term's colours; ask Mrs Patel if stuck."
    ws = book.worksheets[1]  # the class's, now second
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == "T002")
    ws.cell(row, header.index("attitude.behaviour") + 1).value = "red"
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    assert "behaviour: red" in (school / "pupils/ben/2026-27.yml").read_text(encoding="utf-8")


def test_attendance_typed_as_a_fraction_is_an_error_with_its_fix(amentor, school, tmp_path):
    # 0.974 from a formula (present / possible) in a cell not formatted as a percentage would
    # be 0.97%: persistent absence, in red, for a child at school nearly every day.
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"attitude.attendance": "0.974"})
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    column = letter(header.index("attitude.attendance"))
    assert run.code == 1 and run.lines[0] == (
        f"{sheet}:{row}:{column}: attitude.attendance: 0.974 reads as 0.974%; for 97.4%, write 97.4 (or 97.4%)"
    ), run.err
    assert project_files(school) == before
    header, row = edit_sheet(amentor, school, sheet, {"attitude.attendance": "97,4"})  # a decimal comma
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and run.lines[0] == (
        f"{sheet}:{row}:{column}: attitude.attendance: '97,4' has a decimal comma; write 97.4"
    ), run.err


def test_an_id_is_trimmed_refused_with_a_space_inside_and_a_near_miss_named(amentor, school, tmp_path):
    add = ("pupil", "add", "--first-name", "Cleo", "--last-name", "Farrant", "--class", "Wrens", "--year-group", "2")
    run = amentor(*add, "--id", "HF 5004", "-p", str(school))
    assert run.code == 1 and "--id:1:1: 'HF 5004' has a space in it" in run.err, run.err
    run = amentor(*add, "--id", " hf2008 ", "-p", str(school))
    assert run.code == 0, run.err
    assert (school / "pupils/cleo-farrant/pupil.yml").read_text().startswith("id: hf2008\n")
    run = amentor("pupil", "leave", "HF2008", "--date", "2026-10-01", "--reason", "moved", "-p", str(school))
    assert run.code == 1 and "no pupil has id 'HF2008' (did you mean 'hf2008'?)" in run.err, run.err
    # Excel drops an id's leading zero: the sheet's row is named with the id it was.
    school_pupil = school / "pupils/ben/pupil.yml"
    school_pupil.write_text(school_pupil.read_text().replace("id: T002", "id: '012345'"))
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    sheet.write_text(sheet.read_text().replace(",012345,", ",12345,"))
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and "unknown id '12345' (did you mean '012345'?)" in run.err, run.err


def add_pupil(amentor, school: Path, pupil_id: str, first: str, last: str, class_name: str):
    """`amentor pupil add` of a Year 2 child with no guardian."""
    return amentor(
        "pupil", "add", "--id", pupil_id, "--first-name", first, "--last-name", last,
        "--class", class_name, "--year-group", "2", "-p", str(school),
    )  # fmt: skip


def test_a_class_a_letter_away_from_one_and_a_name_without_its_accents_are_said(amentor, school):
    # 'Wrenz' for Wrens: the child would be in no teacher's list, and nothing said so. 'Ada
    # Quennell' beside 'Adaeze Quennell' is a namesake; 'Benedikt Zoller' beside Zöller likely not.
    run = add_pupil(amentor, school, "T050", "Benedikt", "Zöller", "Wrenz")
    assert run.code == 0, run.err
    assert "--class:1:1: warning: 'Wrenz' is no class of 2026-27 yet, and is close to 'Wrens': a typo?" in run.err
    assert "--first-name:1:1: warning: Benedikt Zöller (T050) has the name of T002 (pupils/ben)" in run.err
    run = amentor("check", "-p", str(school))
    assert (
        run.code == 0
        and (
            "pupils/benedikt-zoller/2026-27.yml:3:8: warning: class: 'Wrenz' is not 'Wrens', the class of a staff login"
        )
        in run.err
    ), run.err
    # Parallel classes are two classes: apart in a number or a letter, or in a whole word.
    for n, (first, class_name) in enumerate([("Cleo", "Wrens 2"), ("Dev", "Year 2 Blue"), ("Eli", "Year 2 Red")]):
        run = add_pupil(amentor, school, f"T06{n}", first, "Farrant", class_name)
        assert run.code == 0 and "warning" not in run.err, run.err


def test_a_class_written_unlike_a_staff_logins_class_only_in_capitals_is_said(amentor, school):
    # 'wrens' for Wrens: the Wrens teacher's list would not hold the child, and nothing said so.
    run = amentor(
        "pupil",
        "add",
        "--id",
        "T050",
        "--first-name",
        "Cleo",
        "--last-name",
        "Farrant",
        "--class",
        "wrens",
        "--year-group",
        "2",
        "-p",
        str(school),
    )
    assert run.code == 1 and run.lines[0] == "--class:1:1: 'wrens' is written unlike the class 'Wrens': write 'Wrens'"
    assert not (school / "pupils/cleo-farrant").exists()
    replace_in = school / "pupils/ben/2026-27.yml"
    text = replace_in.read_text(encoding="utf-8")
    replace_in.write_text(text.replace("class: Wrens", "class: wrens"), encoding="utf-8")
    run = amentor("check", "-p", str(school))
    line = text[: text.index("class: Wrens")].count("\n") + 1
    assert (
        run.code == 0
        and (
            f"pupils/ben/2026-27.yml:{line}:8: warning: class: 'wrens' is not 'Wrens', the class of a staff login "
            "(school.yml): this child is not in its list; write 'Wrens'"
        )
        in run.lines
    ), run.err


def test_a_subjects_last_target_removed_leaves_no_empty_list(amentor, school, tmp_path):
    """'-' in the only target of a subject takes the subject out of the term's targets (and the
    targets out of the term when none is left), rather than leave `writing: []` in the file."""
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {"target.writing.1": "-"}, child="T001")
    year = school / "pupils/ada/2026-27.yml"
    assert "Use 'because' to join ideas" in year.read_text()
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    after = year.read_text()
    assert "because" not in after and "writing" not in after and "targets" not in after, after
    assert "reading: {working_at: 2b, target: 2b}" in after and amentor("check", "-p", str(school)).code == 0


def test_what_a_sheet_or_a_second_leave_would_lose_unsaid_is_said(amentor, school, tmp_path):
    # A review beside the target its row removes: an error at the review (it would go with the
    # target). A second `pupil leave`: what it replaces is said.
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, school, sheet, {"target.maths.1": "-", "target.maths.1.review": "achieved"})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    column = letter(header.index("target.maths.1.review"))
    assert run.code == 1 and run.lines[0] == (
        f"{sheet}:{row}:{column}: target.maths.1.review: a new review of a target this row removes "
        "('-' in target.maths.1): clear one"
    ), run.err
    leave = ("pupil", "leave", "T002", "-p", str(school))
    assert amentor(*leave, "--date", "2026-10-01", "--reason", "moved school").code == 0
    run = amentor(*leave, "--date", "2026-11-02", "--reason", "moved abroad")
    assert (
        run.code == 0
        and ("pupils/ben/pupil.yml:1:1: warning: left: replaces what was recorded before (2026-10-01, moved school)")
        in run.lines
    ), run.err


def test_a_name_typed_without_its_accents_names_the_child(amentor, school, tmp_path):
    # A keyboard without accents types Zoller for Zöller: the same child, not a name to check.
    write(school, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Benedikt\nlast_name: Zöller\n")
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {"name": "benedikt zoller", "attitude.behaviour": "red"})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "but this row is for" not in run.err, run.err  # no word of the name


def test_a_formula_with_no_saved_result_is_an_error_not_an_empty_cell(amentor, school, tmp_path):
    # A workbook a program wrote (never opened and saved by a spreadsheet) holds formulas only.
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["year", "term", "id", "name", "attitude.attendance", "attitude.behaviour"])
    book.active.append(["2026-27", "autumn", "T002", "Benedikt Zoller", "=180/190*100", "amber"])
    sheet = tmp_path / "made.xlsx"
    book.save(sheet)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and run.lines[0] == (
        f"{sheet}:2:E: a formula (=180/190*100) with no saved result: open the file in Excel or LibreOffice, "
        "save it, and import it again"
    ), run.err
    # Every other cell is still checked: all the sheet's mistakes at once, as the README says.
    assert run.lines[1].startswith(f"{sheet}:2:F: attitude.behaviour: 'amber'") and len(run.lines) == 3, run.err


def test_an_excel_error_is_said_once_at_its_cell_and_its_row_is_not_read_further(amentor, school, tmp_path):
    """A formula Excel saved with its error (=1/0, #DIV/0!) is one error, not also a formula
    'with no saved result'; an error where the id or the term should be is said alone (never as
    an unknown id 'None'); the other rows' mistakes are said with them."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["year", "term", "id", "name", "attitude.attendance"])
    book.active.append(["2026-27", "autumn", "T002", "Benedikt Zoller", "=1/0"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    saved = tmp_path / "saved.xlsx"  # as Excel saves it: the formula, and its error as the cell's value
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(saved, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="E2"><f>1/0</f><v /></c>', b'<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
                assert b"#DIV/0!" in data
            out.writestr(item, data)
    run = amentor("sheet", "import", str(saved), "-p", str(school))
    assert run.code == 1 and run.lines[0].startswith(f"{saved}:2:E: Excel shows an error here (#DIV/0!)"), run.err
    assert "no saved result" not in run.err and len(run.lines) == 2, run.err
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {"id": "#N/A", "attitude.behaviour": "amber"})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and "Excel shows an error here (#N/A)" in run.err, run.err
    assert "None" not in run.err and "'amber'" not in run.err, run.err  # the row is not read: whose would it be?


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Wrenz", "Wrens"),
        ("Year 2 Oal", "Year 2 Oak"),  # one letter of a short word
        ("Year 2 Oaks", "Year 2 Oak"),
        ("Class 3B", None),  # parallel classes are two classes
        ("Year 5 Blue", None),
        ("Wrens 2", None),
        ("Year 2 Elm", None),
        ("Oka", "Oak"),  # two letters swapped, in a name too short for a close score
        ("Aok", "Oak"),
        ("Elm", None),  # one letter changed: another tree (Elm beside Elf, Fig beside Fir)
        ("Fig", None),
        ("Oaks", "Oak"),
        ("Owls", None),
        ("Wrnes", "Wrens"),
        ("Class 3a", "Class 3A"),
        ("Class 3C", None),
    ],
)
def test_a_class_a_slip_away_from_another_is_told_from_a_parallel_one(written, meant):
    from amentor_build.model import class_near

    classes = ["Wrens", "Year 2 Oak", "Class 3A", "Year 5 Red", "Oak", "Elf", "Fir"]
    assert class_near(written, classes) == meant


@pytest.mark.parametrize(
    "date, said", [("2027-02-30", "there is no such day"), ("30/02/2027", "write the date as YYYY-MM-DD")]
)
def test_a_leaving_date_that_is_no_day_is_said_so(amentor, school, date, said):
    before = project_files(school)
    run = amentor("pupil", "leave", "T002", "--date", date, "--reason", "moved school", "-p", str(school))
    assert run.code == 2 and f"--date {date}: {said}" in run.err, run.err
    assert project_files(school) == before


def test_a_row_of_dashes_leaves_no_empty_section_or_term_behind(amentor, school, tmp_path):
    """'-' in every cell of a section takes the section out (no `attitude: {}`, `conversation: {}`
    or `assessments: []` left in the year file); a row that empties its term takes the term out."""
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(
        year.read_text()
        + "    assessments:\n      - {test: pira, score: 104}\n    conversation:\n      went_well: Counting.\n"
    )
    sheet = tmp_path / "wrens.csv"
    dashes = {
        "attitude.attendance": "-",
        "attitude.behaviour": "-",
        "assessment.pira": "-",
        "conversation.went_well": "-",
        "attitude.effort": "-",  # nothing there to remove: nothing made
    }
    edit_sheet(amentor, school, sheet, dashes)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    text = year.read_text()
    assert "attitude" not in text and "assessments" not in text and "conversation" not in text, text
    assert "maths: {working_at: 1s, target: 2b}   # a hard term" in text
    edit_sheet(
        amentor,
        school,
        sheet,
        {"maths.working_at": "-", "maths.target": "-", "target.maths.1": "-", "target.maths.2": "-"},
    )
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    assert "autumn" not in year.read_text() and amentor("check", "-p", str(school)).code == 0, year.read_text()


def test_what_a_sheet_adds_goes_where_the_records_write_it(amentor, school, tmp_path):
    """A term the sheet adds goes in the school's order of terms (spring between autumn and
    summer, not after summer), a section in the order SPEC writes a term's, a subject in the
    school's order of subjects, an attitude area in its: as a teacher would write them."""
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(year.read_text() + "  summer:\n    staff_notes: Moving house.\n")
    sheet = tmp_path / "wrens.csv"
    filled = {
        "term": "autumn",
        "reading.working_at": "1w",
        "reading.target": "1w+",
        "attitude.punctuality": "green",
        "assessment.pira": "99",
        "staff_notes": "Glasses.",
    }
    edit_sheet(amentor, school, sheet, filled)
    assert amentor("sheet", "import", str(sheet), "-p", str(school)).code == 0
    edit_sheet(amentor, school, sheet, {"term": "spring", "conversation.went_well": "Counting.", "staff_notes": ""})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    text = year.read_text()
    autumn = text[text.index("  autumn:") : text.index("  spring:")]
    assert text.index("  autumn:") < text.index("  spring:") < text.index("  summer:"), text
    assert autumn.index("reading: {working_at: 1w, target: 1w+}") < autumn.index("maths: {working_at: 1s"), autumn
    assert autumn.index("attendance: 95.5") < autumn.index("punctuality: green") < autumn.index("behaviour"), autumn
    sections = ["attainment:", "attitude:", "targets:", "assessments:", "staff_notes: Glasses."]
    assert [autumn.index(s) for s in sections] == sorted(autumn.index(s) for s in sections), autumn
    assert "# a hard term" in autumn and amentor("check", "-p", str(school)).code == 0


def test_a_new_term_filled_with_a_score_and_a_target_in_one_row_is_written_in_order(amentor, school, tmp_path):
    """The first fill of a term the record does not have yet: its assessments section is made
    first, then its targets put before it (a section made in the same import, with no place in
    the file yet)."""
    year = school / "pupils/ben/2026-27.yml"
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {"term": "summer", "assessment.pira": "101", "target.maths.1": "Learn the 7s."})
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    summer = year.read_text().split("  summer:", 1)[1]
    assert summer.index("targets:") < summer.index("Learn the 7s.") < summer.index("assessments:"), summer
    assert "{test: pira, score: 101}" in summer and amentor("check", "-p", str(school)).code == 0


def test_a_title_typed_above_the_header_is_said_once(amentor, school, tmp_path):
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, school, sheet, {"staff_notes": "Glasses."})
    sheet.write_text("Wrens, autumn 2026\n" + sheet.read_text(encoding="utf-8"), encoding="utf-8")
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and project_files(school) == before
    assert run.lines[0] == (
        f"{sheet}:1:A: the header (year, term, id, name, ...) is row 2: it must be the first; delete the row above it"
    ), run.err
    assert run.lines[1:] == ["amentor: 1 error; nothing was written"], run.err


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_text_that_starts_as_a_quote_or_a_dash_comes_back_as_it_went_out(amentor, school, tmp_path, suffix):
    """A record's text that starts with ' and a formula's first character, or that is a lone
    `-`, survives an untouched round trip: the CSV's ' in front is taken off exactly once, and
    a `-` the records hold is not read as `-` (remove the value)."""
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(
        year.read_text()
        + "    staff_notes: \"'-' in the reading log means no reading that night\"\n"
        + '    conversation:\n      went_well: "-"\n      next_steps: "\'\'=x"\n'
    )
    sheet = tmp_path / f"wrens{suffix}"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(school)).code == 0
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "nothing changed" in run.err, run.err
    assert project_files(school) == before


def test_a_frozen_years_sheet_is_refused_only_at_the_row_that_changes_it(amentor, school, tmp_path):
    assert amentor("rollover", "--to", "2027-28", "-p", str(school)).code == 0
    sheet = tmp_path / "wrens.csv"
    export = ("sheet", "export", "--class", "Wrens", "--year", "2026-27", "-o", str(sheet), "-p", str(school))
    assert amentor(*export).code == 0
    header, *rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"), newline="")))
    ben = next(r for r in rows if r[2] == "T002")
    spring = [""] * len(header)
    for column, value in {"year": "2026-27", "term": "spring", "id": "T002", "staff_notes": "A late note."}.items():
        spring[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows([header, ben, spring])  # Ben's autumn as exported, and a change to his spring
    sheet.write_text(out.getvalue(), encoding="utf-8")
    before = project_files(school)
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 1 and project_files(school) == before
    frozen = "pupils/ben/2026-27.yml belongs to 2026-27, which is frozen"
    assert f"{sheet}:3:C: {frozen}" in run.err and f"{sheet}:2:C: {frozen}" not in run.err, run.err


def test_a_header_shorter_than_its_four_first_columns_is_said_not_a_traceback(amentor, school, tmp_path):
    sheet = tmp_path / "short.csv"
    cases = {
        "year,term\n2026-27,autumn\n": "1:D: column D must be 'name' (the first four: year, term, id, name)",
        "\n" * 11
        + "year,term,id,name\n": "1:A: the header (year, term, id, name, ...) is row 12: it must be the first",
    }
    for text, said in cases.items():
        sheet.write_text(text, encoding="utf-8")
        run = amentor("sheet", "import", str(sheet), "-p", str(school))
        assert run.code == 1 and "Traceback" not in run.err and f"{sheet}:{said}" in run.err, run.err


def test_a_dash_that_removes_nothing_leaves_a_term_the_file_has_empty(amentor, school, tmp_path):
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(year.read_text() + "  spring: {}  # to be filled in after half term\n")
    before = project_files(school)
    sheet = tmp_path / "spring.csv"
    sheet.write_text("year,term,id,name,attitude.effort\n2026-27,spring,T002,Benedikt Zoller,-\n", encoding="utf-8")
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "nothing changed" in run.err and project_files(school) == before, run.err
    year.write_text(year.read_text().replace("  spring: {}", "  spring:\n    attitude: {}\n    staff_notes: X."))
    before = project_files(school)  # a section the file has empty stays too
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0 and "nothing changed" in run.err and project_files(school) == before, run.err


def test_a_comment_above_a_term_stays_above_it_when_a_term_is_put_before_it(amentor, school, tmp_path):
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(year.read_text() + "  # summer first, entered early\n  summer:\n    staff_notes: Moving house.\n")
    sheet = tmp_path / "spring.csv"
    sheet.write_text("year,term,id,name,staff_notes\n2026-27,spring,T002,Benedikt Zoller,Glasses.\n", encoding="utf-8")
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    text = year.read_text()
    assert "  spring:\n    staff_notes: Glasses.\n  # summer first, entered early\n  summer:\n" in text, text
    assert "maths: {working_at: 1s, target: 2b}   # a hard term" in text and text.count("# summer first") == 1


def test_a_comment_above_the_first_term_stays_above_it_when_a_term_is_put_before_it(amentor, school, tmp_path):
    year = school / "pupils/ben/2026-27.yml"
    year.write_text(
        "year_group: 2\nclass: Wrens\nterms:\n  # spring first, entered early\n  spring:\n    staff_notes: X.\n"
    )
    sheet = tmp_path / "autumn.csv"
    sheet.write_text("year,term,id,name,staff_notes\n2026-27,autumn,T002,Benedikt Zoller,Glasses.\n", encoding="utf-8")
    run = amentor("sheet", "import", str(sheet), "-p", str(school))
    assert run.code == 0, run.err
    assert year.read_text() == (
        "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    staff_notes: Glasses.\n"
        "  # spring first, entered early\n  spring:\n    staff_notes: X.\n"
    ), year.read_text()
