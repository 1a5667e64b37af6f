"""A filled .xlsx class sheet against what it held when exported (exported.py): the cells the
teacher changed, and what to say of the others."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import model as m
from . import exported
from .cells import blank, cell_text, named_cells, read_cell, removes
from .sheet import FIXED, Cell, kind_of, record_value


def as_exported(
    found: exported.Exported | None, secret: bytes | None, csv: bool, state: Path
) -> tuple[exported.Digests, exported.Imported, str]:
    """What each row of a sheet held when exported, and each time it was imported (state: the
    project's .amentor/), if it can tell (see exported.py); else nothing, and what to say once:
    every value that differs from the records is written, one the records gained since the
    export too."""
    if found is not None and secret is not None and found.check == exported.check(secret):
        return found.digests, exported.imported(state, found.id), ""
    why = (
        "a CSV keeps no record of what it held when exported"
        if found is None and csv
        else "it holds no record of what it held when exported (a sheet of an older amentor, or its cells "
        "copied into a new workbook)"
        if found is None
        else "it was exported with another key than this project's .amentor/sheets.key (another project's "
        "sheet, or the key lost since)"
    )
    return (
        {},
        {},
        (
            f"{why}: every value in it that differs from the records is written, over any the records "
            "gained since it was exported (check the diff with --dry-run first)"
        ),
    )


def sheet_class(
    kept: dict[exported.Row, dict[str, str]],
    secret: bytes | None,
    pupils: dict[str, m.Pupil],
    rows: Iterable[list[Cell]],
    header: list[str],
) -> str | None:
    """The class a sheet is for: that of the children it was exported with (an .xlsx keeps
    them), else that of most of its rows' children (the first row's on a tie); None if no row
    names a child's year. A child of another class is then the error, whichever row comes first."""
    if kept and secret is not None:
        by_key = {exported.row_key(secret, pupil.id): pupil for pupil in pupils.values()}
        found = [(by_key.get(key), year) for key, year, _ in kept]
    else:
        cells = (named_cells(row, header) for row in rows)
        found = [(pupils.get(cell_text(c.get("id")) or ""), cell_text(c.get("year")) or "") for c in cells]
    classes = Counter(record.class_name for pupil, year in found if pupil and (record := pupil.year(year)))
    return classes.most_common(1)[0][0] if classes else None


class TeachersChanges:
    """One row of a sheet, cell by cell, against its digests as exported and the records now."""

    def __init__(self, school: m.School, secret: bytes, pupil: m.Pupil, record: m.YearRecord, term: str):
        self.school, self.secret, self.pupil, self.record, self.term = school, secret, pupil, record, term
        self.said: list[tuple[Cell, str, bool]] = []  # (cell, message, a warning?)
        self.digests: dict[str, str] = {}  # a digest of what each cell means, kept once it is imported

    def now(self, name: str) -> Any:
        """What the records hold now for a column."""
        return record_value(self.school, self.record, self.term, name)

    def digest(self, name: str, value: Any) -> str:
        return exported.digest(self.secret, self.pupil.id, name, value)

    def of(self, cells: dict[str, Cell], was: dict[str, str], since: dict[str, list[str]]) -> dict[str, Cell]:
        """The row's cells, those the teacher left as exported (was: a digest of each as exported;
        since: of each value this export's cell held when it was imported before) made blank:
        they leave the records as they are now, and where the records changed since, that is
        said. A cell changed where the records changed too is written, and said; one of a
        target whose place in the list changed since is an error."""
        out = dict(cells)
        for name, cell in cells.items():
            if name in FIXED or name not in was:
                continue
            held = self.now(name)
            if blank(cell.value):
                if was[name] != self.digest(name, None) and held is not None:
                    self.warn(
                        cell, "cleared; an empty cell leaves the records as they are: write - to remove the value"
                    )
                continue
            typed = self.meaning(name, cell)  # a `-` the records hold as text, exported so, is that text
            typed = None if removes(cell) and (typed is None or self.digest(name, typed) != was[name]) else typed
            as_typed = self.digest(name, typed) if typed is not None else None
            said = as_typed if as_typed is not None else self.digest(name, None) if removes(cell) else None
            if said is not None:  # what the cell means (a `-`: no value), kept once it is imported
                self.digests[name] = said
            now = self.digest(name, held)
            target = name.startswith("target.")
            slot = ".".join(name.split(".")[:3]) if target else ""  # target.<subject>.<n>: its text says which
            moved = target and slot in was and self.digest(slot, self.now(slot)) != was[slot]
            # Imported before, and the records changed since (an older sheet imported again): no change
            # of the teacher's. Records back as exported (an import undone) take the cell, as ever.
            before = said is not None and said in since.get(name, ()) and now != was[name]
            if as_typed == was[name] or before:  # as exported, or as imported before
                out[name] = Cell(cell.row, cell.column, None)
                if now not in (was[name], said) and not moved:  # (a target moved up a slot, or removed: no change)
                    again = "" if as_typed == was[name] else f" ({_shown(typed) if typed is not None else 'its -'}"
                    again += " was imported from it before: export it again to write it again)" if again else ""
                    self.warn(cell, f"kept {_shown(held)} of the records, changed since this sheet was exported{again}")
            elif as_typed == now or (removes(cell) and held is None):
                out[name] = Cell(cell.row, cell.column, None)  # as the records have it already (imported before)
            elif removes(cell) and name == slot and slot in was and self.gone(slot, was[slot]):
                out[name] = Cell(cell.row, cell.column, None)  # the target it removes is gone already (imported before)
            elif moved:
                _, subject, n = slot.split(".")
                message = (
                    f"{name}: target {n} of {subject} is not the one it was when this sheet was exported (the "
                    f"records now have {_shown(self.now(slot))} there: one above it removed, or its words changed); "
                    "export the sheet again, or make this change in the year file"
                )
                self.said.append((cell, message, False))
                out[name] = Cell(cell.row, cell.column, None)
            elif now != was[name]:
                self.warn(cell, f"replaced {_shown(held)}, written in the records since this sheet was exported")
        return out

    def warn(self, cell: Cell, message: str) -> None:
        self.said.append((cell, message, True))

    def gone(self, slot: str, was: str) -> bool:
        """Is the target exported in this slot (was: its text's digest) in none of the subject's
        slots now (removed since, as a '-' in this slot asks)?"""
        _, subject, _ = slot.split(".")
        record = next((t for t in self.record.terms if t.term == self.term), None)
        texts = [t.text for t in record.targets if t.subject == subject] if record else []
        return all(self.digest(slot, text) != was for text in texts)

    def meaning(self, name: str, cell: Cell) -> Any:
        """The cell's value as the records would hold it (None if it is not one: the import says why)."""
        found, wrong = read_cell(self.school, kind_of(self.school, name), cell, name, self.record.year)
        return found if wrong is None else None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "nothing"
    return f"'{value:g}'" if isinstance(value, float) else f"'{value}'"  # 92, not 92.0, as the records write it
