"""What Excel does with a sheet's cells that an import and an export must know: column
letters, text it would take for a formula, and the error it then shows (and saves)."""

from __future__ import annotations

from typing import Any

from ..errors import Problem

# What Excel shows, and saves, in a cell whose formula failed (as text, in a CSV).
ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!"))


def letter(index: int) -> str:
    """A column's letter as spreadsheets name it: 0 -> A, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def refused(shown: str, errors: list[tuple[int, int, Any]]) -> list[Problem]:
    """Each cell where Excel shows an error (its row, 0-based column and value) is an error: it is
    never read as text. Most often it is text typed with '=' at its start (`=, < and >`) that
    Excel took for a formula."""
    return [
        Problem(
            shown,
            row,
            letter(column),
            f"Excel shows an error here ({value}), not a value: text that starts with '=' is taken for a "
            "formula; type it with ' in front ('=, < and >...), or clear the cell",
        )
        for row, column, value in errors
    ]


def as_text(sheet: Any) -> None:
    """Text that starts with '=' (a target `=, < and > to compare`) written as text: openpyxl
    would write it as a formula, which Excel would show, and save, as #NAME?."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


# What starts a formula when Excel opens a CSV (and what OWASP's "CSV injection" lists): text
# starting so is written with ' in front, which Excel shows as text and saves as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def quoted(value: Any) -> Any:
    """A CSV cell as written: text that Excel would take for a formula (`=, < and >`, `-2 + 3`)
    with ' in front (`'=, < and >`), and so text already written so (`'-' means...`), and a
    lone `-` that is the records' text (a `-` the sheet gives means: remove the value); every
    other value as it is. `unquoted` gives the text back."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unquoted(text: str) -> str:
    """A CSV cell's text as `quoted` was given it (`'=, < and >` is `=, < and >`); text that
    `quoted` does not write so (`'Tis`) is as it is."""
    return text[1:] if text.startswith("'") and text[1:].lstrip("'").startswith(FORMULA_STARTS) else text
