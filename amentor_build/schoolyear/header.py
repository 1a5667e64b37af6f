"""A filled sheet's header row: where it is, its first four columns, and which other columns
are read (see sheet_import)."""

from __future__ import annotations

from .. import model as m
from ..errors import Problem, closest
from .cells import blank
from .excel import letter
from .sheet import FIXED, Cell, columns, kind_of


def first_row_problems(rows: list[list[Cell]], shown: str) -> list[Problem]:
    """The first row must be the header, beginning with FIXED: what is wrong with it (a title
    typed above the header is said once, where it is)."""
    header = names(rows[0]) + [""] * len(FIXED)  # (a row shorter than FIXED: its missing columns said too)
    below = next((r for r in rows[1:20] if names(r)[: len(FIXED)] == list(FIXED)), [])
    if header[: len(FIXED)] != list(FIXED) and below:
        above = below[0].row - 1
        said = f"the header ({', '.join(FIXED)}, ...) is row {below[0].row}: it must be the first; delete the "
        return [Problem(shown, 1, "A", said + ("row" if above == 1 else f"{above} rows") + " above it")]
    return [
        Problem(shown, 1, letter(c), f"column {letter(c)} must be '{FIXED[c]}' (the first four: {', '.join(FIXED)})")
        for c, name in enumerate(header[: len(FIXED)])
        if name != FIXED[c]
    ]


def read_columns(school: m.School, rows: list[list[Cell]], shown: str) -> tuple[list[str], list[Problem]]:
    """Each column's name, '' for one whose cells are not read (no name, an unknown name, or a
    copy of another column: every other cell is still read), and a problem for each unknown or
    copied one."""
    header = names(rows[0])
    problems = []
    first: dict[str, Cell] = {}  # each column's name: its header cell
    for cell, name in zip(rows[0][len(FIXED) :], header[len(FIXED) :]):
        if not name:
            continue  # a column with no name (a spacer): only a value in it is said (see Sheet.unnamed)
        if not kind_of(school, name):
            said = f"unknown column '{name}'{closest(name, columns(school, {}))}"
        elif name in first:  # a column copied: which of the two is meant cannot be known
            said = f"the column '{name}' is also column {letter(first[name].column)}: keep one"
        else:
            first[name] = cell
            continue
        problems.append(Problem(shown, cell.row, letter(cell.column), said))
        header[cell.column] = ""
    return header, problems


def names(row: list[Cell]) -> list[str]:
    return [str(c.value or "").strip() for c in row]


def unnamed_columns(rows: list[list[Cell]], shown: str) -> list[Problem]:
    """A value in a column with no name in the first row is an error (at the first one of each
    such column): it would not be imported, and nothing else would say so."""
    titles = [str(c.value or "").strip() for c in rows[0]]  # as typed (header: a column named twice blanked)
    found: dict[int, Problem] = {}
    for row in rows[1:]:
        for cell in row:
            unnamed = cell.column >= len(titles) or not titles[cell.column]
            if unnamed and cell.column not in found and not blank(cell.value):
                said = f"a value in column {letter(cell.column)}, which has no name in row 1: name it, or clear it"
                found[cell.column] = Problem(shown, cell.row, letter(cell.column), said)
    return list(found.values())
