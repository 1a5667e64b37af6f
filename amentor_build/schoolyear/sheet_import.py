"""`amentor sheet import`: a filled termly sheet merged into the records.

Every cell is checked first and every problem reported as `FILE:ROW:COLUMN: message` (the
column as a letter); nothing is written if one is wrong. Then only the values that differ
from the records are written, the files' layout kept (`edits`). An empty cell leaves the
record as it is; `-` removes the value (in both `<subject>.working_at` and `<subject>.target`:
that subject's whole attainment for the term, which needs both). Excel's own cell types are
read as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import model as m
from .. import records
from ..errors import Problem, ProjectErrors, closest
from ..places import state_dir
from ..records import mentions
from ..records.year import YEAR_KEYS
from . import changes, edits, exported
from .cells import GARBLED, blank, cell_text, family_text, garbled_cells, named_cells, names, read_cell, removes
from .excel import letter
from .frozen import frozen_paths
from .header import first_row_problems, read_columns, unnamed_columns
from .sheet import FIXED, Cell, kind_of, meant, read_rows


class Sheet:
    """One import: cells checked against the school and the records, then edits made."""

    def __init__(self, root: Path, path: Path, shown: str):
        self.root, self.path, self.shown = root, path, shown
        self.project = records.load(root)
        self.school = self.project.school
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.doomed: list[tuple[Any, str, Any]] = []  # (term, subject, target) removed by a '-'
        self.emptying: list[tuple[Any, str]] = []  # (terms, term) of each row that removes a value
        self.rows: dict[Path, list[Cell]] = {}  # the id cell of each row that edits a file
        self.terms: dict[Path, list[str]] = {}  # and the term it edits
        self.secret = exported.key(state_dir(root), create=False)  # for what an .xlsx held as exported
        self.export: str | None = None  # the .xlsx export's id, and what its rows held, once imported
        self.held: exported.Digests = {}
        self.names = mentions.Names(self.project.pupils)

    def error(self, cell: Cell, message: str) -> None:
        self.problems.append(Problem(self.shown, cell.row, letter(cell.column), message))

    def misnamed(self, at: Cell, pupil: m.Pupil, named: str) -> bool:
        """A row whose name column does not name its id's child: an error if it names another
        child (a wrong id, or a row pasted from theirs: True, the row is not read), else a
        warning (a name shortened or misspelt: the name is never imported)."""
        other = next((p for p in self.project.pupils if names(named, p)), None)
        said = (
            f"{pupil.id} is {pupil.display_name}, but this row is for '{named}'"
            + (f" ({other.id})" if other else "")
            + ": check the id (the name is never imported: a new name goes in pupil.yml)"
        )
        problem = Problem(self.shown, at.row, letter(at.column), said, warning=other is None)
        (self.warnings if problem.warning else self.problems).append(problem)
        return other is not None

    def run(self) -> edits.RecordEdits:
        rows, as_exported, unread = read_rows(self.path, self.shown)
        self.problems += [p for p in unread if p.line == 1]  # a header cell: what makes it wrong
        csv, self.export = self.path.suffix.lower() == ".csv", as_exported.id if as_exported else None
        kept, since, cannot_tell = changes.as_exported(as_exported, self.secret, csv, state_dir(self.root))
        if cannot_tell:
            self.warnings.append(Problem(self.shown, 1, "A", cannot_tell, warning=True))
        if not rows:
            raise ProjectErrors([Problem(self.shown, 1, "A", "the sheet is empty")])
        self.problems += first_row_problems(rows, self.shown)
        if self.problems:  # without year, term and id nothing else can be read
            raise ProjectErrors(self.problems)
        self.problems += [p for p in unread if p.line != 1]  # (read as empty: every other cell is still checked)
        unreadable = {(p.line, p.column) for p in unread}  # a row whose year, term or id is one: said, not read
        header, wrong = read_columns(self.school, rows, self.shown)
        self.problems += wrong
        self.problems += unnamed_columns(rows, self.shown)
        change = edits.RecordEdits(self.root)
        documents: dict[Path, Any] = {}
        pupils = {p.id: p for p in self.project.pupils}
        sheet_class = changes.sheet_class(kept, self.secret, pupils, rows[1:], header)
        garbled_cells = self.garbled(rows, header, pupils)
        seen: dict[tuple[str, str, str], Cell] = {}  # (id, year, term): the id cell of its row
        for row in rows[1:]:
            cells = named_cells(row, header)
            if all(blank(c.value) for c in row) or any((c.row, letter(c.column)) in unreadable for c in row[:3]):
                continue
            year, term, pupil_id = (cell_text(cells.get(k)) for k in ("year", "term", "id"))
            if term:  # "Autumn", as a spreadsheet or a phone capitalises it
                term = meant(term, self.school.terms) or term
            pupil = pupils.get(pupil_id or "")
            record = pupil.year(year or "") if pupil else None
            named = cell_text(cells.get("name"))
            if (
                pupil is not None
                and named
                and not names(named, pupil)
                and cells["name"] not in garbled_cells  # (said so)
                and self.misnamed(cells["id"], pupil, named)
            ):
                continue  # another child's row, by its name: never written over this child's records
            again = seen.setdefault((pupil_id or "", year or "", term or ""), cells["id"]) if pupil_id else None
            if again is not None and again is not cells["id"]:  # a row pasted twice, or edited in two places
                self.error(
                    cells["id"], f"{pupil_id} is also in row {again.row} for {term} {year}: keep one row a child"
                )
                continue
            if pupil is None:
                self.error(cells["id"], f"unknown id '{pupil_id}'{closest(pupil_id or '', pupils)}")
            elif term not in self.school.terms:
                said = f"'{term}' is not a term of the school" if term else "the term is missing"
                self.error(cells["term"], f"{said} ({', '.join(self.school.terms)})")
            elif year is None:
                self.error(cells["year"], f"the school year is missing (as {self.school.current_year})")
            elif record is None:
                self.error(cells["year"], f"{pupil_id} has no year file for {year}")
            elif sheet_class is not None and record.class_name != sheet_class:
                self.error(
                    cells["id"],
                    f"{pupil_id} is not in class {sheet_class} (the class of this sheet)"
                    f" in {year}, but in {record.class_name}",
                )
            if pupil is None or record is None or term not in self.school.terms:
                continue
            path = self.project.pupil_dir(pupil) / Path(record.source).name
            document = documents.setdefault(path, edits.load(path))
            self.rows.setdefault(path, []).append(cells["id"])
            self.terms.setdefault(path, []).append(term)
            key = (exported.row_key(self.secret, pupil.id), record.year, term) if self.secret else None
            was = kept.get(key) if key else None
            if kept and was is None:  # a row the sheet was not exported with (another term typed in, say)
                self.said(
                    cells["id"],
                    f"{pupil_id} in {term} {year} was not in this sheet when it was exported: "
                    "every value in the row that differs from the records is written",
                )
            if (
                pupil.left
                and term not in {t.term for t in record.terms}
                and not all(blank(c.value) for n, c in cells.items() if n not in FIXED)
            ):
                said = f"{pupil_id} left on {pupil.left.date}: the row gives them a record of {term} {year}, a term they had none of"
                self.said(cells["id"], said + " (is the row theirs?)")
            if was is not None and key is not None and self.secret is not None:  # only what the teacher changed
                found = changes.TeachersChanges(self.school, self.secret, pupil, record, term)  # (see changes.py)
                cells = found.of(cells, was, since.get(key, {}))
                self.held[key] = found.digests
                for cell, message, warning in found.said:
                    (self.said if warning else self.error)(cell, message)
            for name, cell in cells.items():  # another child named in what the family reads (records/mentions.py)
                if family_text(name) and isinstance(cell.value, str):
                    for other in self.names.others(cell.value, pupil):
                        self.said(cell, mentions.said(name, pupil, other))
            self.apply_row(document, term, cells, record.year)
        for record, subject, item in self.doomed:
            targets = record["targets"]
            items = targets[subject]
            del items[next(i for i, x in enumerate(items) if x is item)]
            if not items:  # the subject's last target: no `reading: []` left behind, nor `targets: {}`
                del targets[subject]
                if not targets:
                    del record["targets"]
        for terms, term in self.emptying:  # a term the sheet emptied (not one the file had empty) goes
            if term in terms and not terms[term]:
                del terms[term]
        for path, document in documents.items():  # (kept in memory, written by commit)
            change.save(path, document)
        frozen_now = frozen_paths(self.root)
        for path in change.changed():  # said at each row that would change it, beside every other problem
            rel = path.relative_to(self.root).as_posix()
            year = frozen_now.get(rel)
            was = edits.load(path) if year is not None else {}
            for cell, term in zip(self.rows[path], self.terms[path]) if year is not None else []:
                if edits.term_text(was, term) == edits.term_text(documents[path], term):
                    continue  # this row changes nothing of it
                self.error(
                    cell, f"{rel} belongs to {year}, which is frozen: run amentor unfreeze {year} --reason '...' first"
                )
        if self.problems:
            raise ProjectErrors(self.problems)
        self.recheck(change)
        return change

    def garbled(self, rows: list[list[Cell]], header: list[str], pupils: dict[str, m.Pupil]) -> list[Cell]:
        """The cells of a sheet whose text was garbled (see cells.garbled_cells), each an error,
        so that no `ZoÃ«` for Zoë is written into the records; returned."""
        found = garbled_cells(self.school, rows, header, pupils)
        if found:
            self.problems.append(Problem(self.shown, 1, "A", GARBLED))
        for cell, name, written in found:
            self.error(cell, f"{name}: '{cell_text(cell)}' is '{written}' garbled (see 1:A)")
        return [cell for cell, _, _ in found]

    def said(self, cell: Cell, message: str) -> None:
        self.warnings.append(Problem(self.shown, cell.row, letter(cell.column), message, warning=True))

    def apply_row(self, document: Any, term: str, cells: dict[str, Cell], year: str) -> None:
        """Check one row's cells and put them into the year file's term. A subject's attainment
        needs both working_at and target: `-` in both removes the whole entry (its status and
        self with it); `-` in one of them only is an error at that cell."""
        removed = self.removed_subjects(cells)
        had_term = bool((document.get("terms") or {}).get(term))  # (a term the file has empty is left so)
        for name, cell in cells.items():
            if name in FIXED or blank(cell.value):
                continue
            target = name.removesuffix(".review")
            if name != target and target in cells and removes(cells[target]) and not removes(cell):
                # The review goes with the target. The one exported beside it, as it was: expected;
                # a new one: which is meant? (As for an attainment the row removes, below.)
                if read_cell(self.school, "review", cell, name, year)[0] != edits.review_of(document, term, target):
                    self.error(cell, f"{name}: a new review of a target this row removes ('-' in {target}): clear one")
                continue
            subject = name.split(".")[0]
            if subject not in removed:
                self.apply(document, term, name, cell, year)
            elif not removes(cell):
                value = self.value(kind_of(self.school, name), cell, name, year)  # checked like every cell
                held = (((document.get("terms") or {}).get(term) or {}).get("attainment") or {}).get(subject)
                if value is not None and held and value != held.get(name.split(".")[1]):
                    # a new value for what the row removes (the one exported goes with it, and once
                    # removed, an import of the same sheet again has nothing to remove): which is meant?
                    self.error(
                        cell,
                        f"{name}: this row removes the {subject} attainment ('-' in {subject}.working_at and "
                        f"{subject}.target); leave this cell as it was, or give both steps",
                    )
        terms = document.get("terms") or {}
        record = terms.get(term) or {}
        if had_term and term in terms and any(removes(c) for c in cells.values()):
            self.emptying.append((terms, term))
        attainment = record.get("attainment")
        if not attainment:
            return
        for subject in removed:
            attainment.pop(subject, None)
        if not attainment:  # the last subject went: no empty `attainment: {}` (nor term) is left
            del record["attainment"]
            if not record:
                del terms[term]
            return
        self.complete_attainment(attainment, cells, removed)

    def removed_subjects(self, cells: dict[str, Cell]) -> set[str]:
        """The subjects whose attainment the row removes: `-` in both working_at and target."""
        removed = set()
        for subject in self.school.subjects:
            pair = [(key, cells.get(f"{subject}.{key}")) for key in ("working_at", "target")]
            dashes = [(key, cell) for key, cell in pair if cell is not None and removes(cell)]
            if len(dashes) == 2:
                removed.add(subject)
            elif dashes:
                key, cell = dashes[0]
                self.error(cell, f"{subject}.{key}: {_NEEDS_BOTH.format(subject=subject)}")
        return removed

    def complete_attainment(self, attainment: Any, cells: dict[str, Cell], removed: set[str]) -> None:
        """An entry the row made or changed must hold both working_at and target: a missing one is
        an error at its (empty) cell, else at the cell that made the entry."""
        for subject in self.school.subjects:
            given = [
                cells[name]
                for key in ("working_at", "target", "status", "self")
                if (name := f"{subject}.{key}") in cells and not blank(cells[name].value)
            ]
            entry = attainment.get(subject)
            if not given or subject in removed or not isinstance(entry, dict):
                continue
            for key in ("working_at", "target"):
                cell = cells.get(f"{subject}.{key}")
                if entry.get(key) is None and (cell is None or blank(cell.value)):  # a wrong value: said already
                    message = f"a value is required: {_NEEDS_BOTH.format(subject=subject)}"
                    self.error(cell or given[0], f"{subject}.{key}: {message}")

    def apply(self, document: Any, term: str, name: str, cell: Cell, year: str) -> None:
        """Check one cell and put its value into the year file's term (only if it differs)."""
        kind = kind_of(self.school, name)
        removing = removes(cell)
        value = None if removing else self.value(kind, cell, name, year)
        if value is None and not removing:
            return  # an error was recorded
        create = not removing  # removing a value that is not there changes nothing, adds nothing
        section = {"assessment": "assessments"}.get(name.split(".")[0], name.split(".")[0])
        terms = edits.child(document, "terms", edits.block, create, YEAR_KEYS)
        record = edits.child(terms, term, edits.block, create, self.school.terms) if terms is not None else None
        if record is None:
            return
        had = bool(record.get(section))  # (a section the file has empty is left so)
        parts = name.split(".")
        if parts[0] in self.school.subjects:
            attainment = edits.child(record, "attainment", edits.block, create, edits.SECTIONS)
            if attainment is not None:
                self.put(attainment, parts[0], parts[1], value)
        elif parts[0] in ("attitude", "attitude_self"):
            part = edits.child(record, parts[0], edits.block, create, edits.SECTIONS)
            if part is not None:
                self.set(part, parts[1], value, [a.key for a in self.school.attitude])
        elif parts[0] == "assessment":
            results = edits.child(record, "assessments", lambda: edits.sequence([]), create, edits.SECTIONS)
            if results is None:
                return
            found = next((r for r in results if r.get("test") == parts[1]), None)
            if removing and found is not None:
                results.remove(found)
            elif found is None and value is not None:
                results.append(edits.flow({"test": parts[1], "score": value}))
            elif found is not None and found.get("score") != value:
                found["score"] = value
        elif parts[0] == "target":
            self.target(record, parts, value, cell)
        elif parts[0] == "conversation":
            conversation = edits.child(record, "conversation", edits.block, create, edits.SECTIONS)
            if conversation is not None:
                self.set(conversation, parts[1], value, m.CONVERSATION_KEYS)
        else:
            self.set(record, "staff_notes", value, edits.SECTIONS)
        emptied = section in ("attitude", "attitude_self", "assessments", "conversation") and section in record
        if removing and had and emptied and not record[section]:
            del record[section]  # what the row emptied goes: no `attitude: {}` left behind

    def put(self, attainment: Any, subject: str, field: str, value: Any) -> None:
        """One field of a subject's attainment, `{working_at: ..., target: ...}` on one line."""
        item = edits.child(attainment, subject, lambda: edits.flow({}), value is not None, self.school.subjects)
        if item is not None:
            self.set(item, field, value, edits.ATTAINMENT_KEYS)

    def set(self, parent: Any, key: str, value: Any, order: Sequence[str]) -> None:
        old = parent.get(key)
        if value is None:
            parent.pop(key, None)
        elif isinstance(old, str) and isinstance(value, str) and old.strip() == value.strip():
            return  # the same text (a block scalar keeps its line breaks and its style)
        elif old != value:
            edits.placed(parent, key, value, order)

    def target(self, record: Any, parts: list[str], value: Any, cell: Cell) -> None:
        targets = edits.child(record, "targets", edits.block, value is not None, edits.SECTIONS)
        items = None
        if targets is not None:
            items = edits.child(targets, parts[1], lambda: edits.sequence([]), value is not None, self.school.subjects)
        if items is None:
            return
        n = int(parts[2])
        if n > len(items) + 1:
            self.error(cell, f"target {n} of {parts[1]} comes after target {n - 1}, which is empty")
            return
        if n == len(items) + 1:
            if value is not None and len(parts) == 3:
                items.append(edits.flow({"text": value}))
            elif value is not None:
                self.error(cell, f"a review for target {n} of {parts[1]}, which has no text")
            return
        if len(parts) == 4:
            self.set(items[n - 1], "review", value, edits.TARGET_KEYS)
        elif value is None:  # removed once every cell is read: the row's later cells keep their numbers
            self.doomed.append((record, parts[1], items[n - 1]))
        else:
            self.set(items[n - 1], "text", value, edits.TARGET_KEYS)

    def value(self, kind: str, cell: Cell, name: str, year: str) -> Any:
        """The cell's value as the records hold it, or None (with an error) if it is wrong."""
        found, wrong = read_cell(self.school, kind, cell, name, year)
        return self.error(cell, wrong) if wrong is not None else found

    def recheck(self, change: edits.RecordEdits) -> None:
        """The edited records must read as valid records (the sheet cannot make a record the build refuses).

        A problem is put at the id cell of the row that edited the file (at 1:A if several did)."""
        problems = []
        for path in change.changed():
            rows = self.rows.get(path, [])
            row, column = (rows[0].row, letter(rows[0].column)) if len(rows) == 1 else (1, "A")
            for problem in change.problems(self.school, path):
                problems.append(Problem(self.shown, row, column, f"the records would not be valid: {problem}"))
        if problems:
            raise ProjectErrors(problems)


_NEEDS_BOTH = (
    "a subject's attainment needs both working_at and target; "
    "put - in both {subject}.working_at and {subject}.target to remove the {subject} attainment for this term"
)


def import_sheet(root: Path, path: Path, shown: str, dry_run: bool) -> tuple[str, list[Path], list[Problem]]:
    """Check every cell, then write (unless dry_run) only what differs; return the diff, the
    files and the warnings."""
    sheet = Sheet(root, path, shown)
    change = sheet.run()
    diff, written = change.diff(), [] if dry_run else change.commit()
    if sheet.export and sheet.held and not dry_run and (unkept := exported.remember(root, sheet.export, sheet.held)):
        sheet.warnings.append(Problem(shown, 1, "A", f"imported, but {unkept}", warning=True))
    return diff, written, sheet.warnings
