"""Pupils in and out: `amentor pupil add` (one, or many from a school MIS's CSV) and `pupil leave`.

A new child gets pupils/<slug>/pupil.yml and a year file for the school's current year. The
slug is the child's name in ASCII (any script: Zoë -> zoe, محمد -> mhmd), made unique.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from anyascii import anyascii

from .. import records
from ..errors import Problem, ProjectErrors, closest
from ..model import Project, class_near, class_spelt_as
from ..records.pupil import after_leaving, held_after, leaving_problems
from ..records.reader import Reader, read_source
from . import edits
from .excel import letter
from .sheet import read_csv

CSV_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "class",
    "year_group",
    "guardian1_key",
    "guardian1_label",
    "guardian2_key",
    "guardian2_label",
)
KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class NewPupil:
    id: str
    first_name: str
    last_name: str
    class_name: str
    year_group: int | str  # a str: as a CSV gave it, and not a year group (an error, said with the others)
    preferred_name: str = ""
    guardians: tuple[tuple[str, str], ...] = field(default=())  # (key, label)


def _known_classes(project: Project) -> set[str]:
    """The classes of this year's year files, and those staff logins are for."""
    school = project.school
    return project.classes(school.current_year) | {r.scope_class for r in school.staff if r.scope_class}


def _trimmed(new: NewPupil) -> NewPupil:
    """The new child with no space around any value (a space inside an id is an error: _problems)."""
    year_group = new.year_group.strip() if isinstance(new.year_group, str) else new.year_group
    return NewPupil(
        new.id.strip(),
        new.first_name.strip(),
        new.last_name.strip(),
        new.class_name.strip(),
        year_group,
        new.preferred_name.strip(),
        tuple((key.strip(), label.strip()) for key, label in new.guardians),
    )


SLUG_LENGTH = 60  # characters (a file system allows 255 bytes for a name)


def slug_for(first: str, last: str, taken: set[str]) -> str:
    """An ASCII directory name from the child's name, unique among taken."""
    base = re.sub(r"[^a-z0-9]+", "-", anyascii(f"{first} {last}").lower())
    base = base[:SLUG_LENGTH].strip("-") or "pupil"  # a directory's name, kept short: the name is in pupil.yml
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add(
    root: Path, pupils: list[NewPupil], where: list[tuple[str, int, list[str]]] | None = None
) -> tuple[list[Path], list[Problem]]:
    """Write each new child's pupil.yml and current year file, all or none; return the files,
    and a warning for each new child named as a child already on roll (the same child added
    again under a new id, or a namesake: the data lead knows which).

    where: for each pupil, the CSV file, row and header it came from (errors then name them)."""
    project = records.load(root)
    pupils = [_trimmed(p) for p in pupils]  # ' HF2008', 'Zoë ': a cell or an option as typed
    problems = _problems(project, pupils, where)
    if problems:
        raise ProjectErrors(problems)
    taken = {p.slug for p in project.pupils} | {d.name for d in (root / "pupils").glob("*")}
    change = edits.RecordEdits(root)
    named = {_name(p.first_name, p.last_name): (p.id, p.slug) for p in project.pupils}
    classes = _known_classes(project)
    warnings = []
    for i, new in enumerate(pupils):
        slug = slug_for(new.preferred_name or new.first_name, new.last_name, taken)
        taken.add(slug)
        same = named.setdefault(_name(new.first_name, new.last_name), (new.id, slug))
        if same != (new.id, slug):  # a child of the records, or of this file, has the name already
            path, row, header = where[i] if where else ("--first-name", 1, [])
            at = letter(header.index("first_name")) if "first_name" in header else 1
            warnings.append(
                Problem(
                    path,
                    row,
                    at,
                    f"{new.first_name} {new.last_name} ({new.id}) has the name of {same[0]} (pupils/{same[1]}); "
                    f"if it is the same child, remove pupils/{slug}",
                    warning=True,
                )
            )
        near = class_near(new.class_name, classes)
        if near is not None:  # 'Wrenz' beside Wrens ('wrens' is an error: see _problems)
            path, row, header = where[i] if where else ("--class", 1, [])
            at = letter(header.index("class")) if "class" in header else 1
            said = f"'{new.class_name}' is no class of {project.school.current_year} yet, and is close to '{near}': "
            warnings.append(
                Problem(path, row, at, said + f"a typo? (write '{near}'; a new class is fine)", warning=True)
            )
        record = edits.block({"id": new.id, "first_name": new.first_name, "last_name": new.last_name})
        if new.preferred_name:
            record["preferred_name"] = new.preferred_name
        record["guardians"] = edits.sequence([edits.flow({"key": k, "label": v}) for k, v in new.guardians])
        change.write(root / "pupils" / slug / "pupil.yml", edits.dump(record))
        year = edits.block({"year_group": new.year_group, "class": new.class_name})
        name, current = f"{new.preferred_name or new.first_name} {new.last_name}", project.school.current_year
        change.write(root / "pupils" / slug / f"{current}.yml", edits.headed(name, new.id, current, edits.dump(year)))
    return change.commit(), warnings


def _problems(
    project: Project, pupils: list[NewPupil], where: list[tuple[str, int, list[str]]] | None
) -> list[Problem]:
    owners = {p.id: f"pupils/{p.slug}/pupil.yml" for p in project.pupils}  # id -> who has it
    school = project.school
    classes = _known_classes(project)
    problems = []
    for i, new in enumerate(pupils):
        path, row, header = where[i] if where else ("", 1, [])
        found: list[tuple[str, str]] = []  # (column, message)
        if not new.id:
            found.append(("id", "a value is required"))
        elif new.id in owners:
            back = next((p for p in project.pupils if p.id == new.id and p.left is not None), None)
            again = (
                f" (who left on {back.left.date}: for a child coming back, take left: out of that file and "
                f"add their year file for {school.current_year}, pupils/{back.slug}/{school.current_year}.yml)"
                if back is not None and back.left is not None
                else ""
            )
            found.append(("id", f"id '{new.id}' is already used by {owners[new.id]}{again}"))
        elif any(c.isspace() or not c.isprintable() for c in new.id):
            found.append(("id", f"'{new.id}' has a space in it: an id is the school's reference as one word"))
        owners.setdefault(new.id, f"row {row} of this file")
        for column, value in (("first_name", new.first_name), ("last_name", new.last_name), ("class", new.class_name)):
            if not value.strip():
                found.append((column, "a value is required"))
        spelt = class_spelt_as(new.class_name, classes)
        if spelt is not None:  # 'robins' for Robins: the Robins teacher's login would not list the child
            found.append(("class", f"'{new.class_name}' is written unlike the class '{spelt}': write '{spelt}'"))
        if isinstance(new.year_group, str):
            found.append(("year_group", f"'{new.year_group}' is not a year group (a number, as 5, Y5 or Year 5)"))
        elif not 1 <= new.year_group <= 6:
            found.append(("year_group", f"{new.year_group} is not a year group from 1 to 6"))
        keys: set[str] = set()
        for n, (key, label) in enumerate(new.guardians, 1):
            if not KEY.fullmatch(key):
                said = (
                    "a guardian's label needs a key beside it (mum, dad, carer)"
                    if not key
                    else (f"'{key}': use letters, digits, '-' or '_' only")
                )
                found.append((f"guardian{n}_key", said))
            elif key in keys:
                found.append((f"guardian{n}_key", f"guardian '{key}' is given twice"))
            keys.add(key)
            if not label.strip():
                found.append((f"guardian{n}_label", f"guardian '{key}' needs a label (how letters address them)"))
        for column, message in found:
            if not where:  # given on the command line: the option is the place
                problems.append(Problem(_option(column), 1, 1, message))
                continue
            at = letter(header.index(column)) if column in header else 1
            problems.append(Problem(path, row, at, f"{column}: {message}"))
    return problems


def _name(first: str, last: str) -> tuple[str, str]:
    """A child's name as two names are compared: any case, any accents (a Mac writes ë as two characters)."""

    def plain(name: str) -> str:  # and without accents: Zoe Haldane beside Zoë Haldane is likely the same child
        decomposed = unicodedata.normalize("NFD", name).strip().casefold()
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return plain(first), plain(last)


def _option(column: str) -> str:
    """The `pupil add` option that gives a column's value (guardian1_key: --guardian)."""
    return "--guardian" if column.startswith("guardian") else "--" + column.replace("_", "-")


YEAR_GROUP = re.compile(r"(?:y|yr|year)?\s*(\d+)", re.IGNORECASE)


def year_group(text: str) -> int | None:
    """A year group as a school's management system writes it: 5, Y5, Yr 5 or Year 5."""
    found = YEAR_GROUP.fullmatch(text.strip())
    return int(found[1]) if found else None


def from_csv(path: Path) -> tuple[list[NewPupil], list[tuple[str, int, list[str]]], list[Problem]]:
    """The children of a CSV exported by the school's management system (columns: CSV_COLUMNS),
    and a warning naming the other columns, which are not read.

    A management system's export carries columns of its own (SIMS and Arbor: Adno, UPN, ...):
    they are passed over, said once, so that the data lead need not delete them first. A column
    whose name is close to one of CSV_COLUMNS (`preferred_nmae`, `First_Name`) is an error: read
    as another column, its values would be lost without a word."""
    shown = str(path)  # as given on the command line, as sheet import says it
    rows = read_csv(path, shown, 1)
    if not rows:
        raise ProjectErrors([Problem(shown, 1, 1, "the file is empty")])
    header = [h.strip() for h in rows[0]]
    missing = [c for c in ("id", "first_name", "last_name", "class", "year_group") if c not in header]
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    hints = [(h, closest(h, CSV_COLUMNS)) for h in unknown]
    mistyped = [f"'{h}'{hint}" for h, hint in hints if hint]
    if missing or mistyped:
        message = "; ".join(
            ([f"missing columns: {', '.join(missing)}"] if missing else [])
            + ([f"unknown columns: {', '.join(mistyped)}"] if mistyped else [])
        )
        raise ProjectErrors([Problem(shown, 1, "A", message + f" (expected: {', '.join(CSV_COLUMNS)})")])
    unnamed = [  # a value in a column with no name: which column was meant cannot be known
        Problem(shown, number, letter(c), "a value in a column with no name in row 1: name the column, or clear it")
        for number, row in enumerate(rows[1:], 2)
        for c, cell in enumerate(row)
        if cell.strip() and (c >= len(header) or not header[c])
    ]
    if unnamed:
        raise ProjectErrors(unnamed)
    passed = [h for h, hint in hints if not hint]
    said = [Problem(shown, 1, letter(header.index(h)), f"the column '{h}' is not read", warning=True) for h in passed]
    out, where = [], []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row)))
        group = year_group(cells.get("year_group", ""))
        guardians = tuple(
            (cells.get(f"guardian{n}_key", ""), cells.get(f"guardian{n}_label", ""))
            for n in (1, 2)
            if cells.get(f"guardian{n}_key") or cells.get(f"guardian{n}_label")
        )
        out.append(
            NewPupil(
                cells.get("id", ""),
                cells.get("first_name", ""),
                cells.get("last_name", ""),
                cells.get("class", ""),
                cells.get("year_group", "") if group is None else group,
                cells.get("preferred_name", ""),
                guardians,
            )
        )
        where.append((shown, number, header))
    return out, where, said


def leave(root: Path, pupil_id: str, date: dt.date, reason: str) -> tuple[list[Path], list[Problem]]:
    """Record that a child has left (pupil.yml's `left:`); the folder stays, logins keep working.
    Return the files changed, and warnings where the date does not fit the records (as `check`
    says them: the data lead's to resolve, such as a year file made for a child who did not
    come back)."""
    project = records.load(root)
    pupil = project.pupil(pupil_id)
    path = project.pupil_dir(pupil) / "pupil.yml"
    change = edits.RecordEdits(root)
    data = edits.load(path)
    data["left"] = edits.flow({"date": date, "reason": reason})
    change.save(path, data)
    shown = path.relative_to(root).as_posix()
    found = leaving_problems(date, pupil.years, project.school.current_year)
    warnings = [
        Problem(source or shown, 1, 1, said if source else f"left.date: {said}", warning=True) for source, said in found
    ]
    for year in pupil.years:  # a conversation after the date, at its line: as check says it
        if held_after(year, date):  # (only then is its file read again, for the lines)
            source = read_source(year.source, (root / year.source).read_bytes(), [])
            if source is not None:
                after_leaving(Reader(source, warnings), year, date)
    if pupil.left is not None and (pupil.left.date, pupil.left.reason) != (date, reason):  # said, not lost unsaid
        earlier = f"{pupil.left.date}, {pupil.left.reason}"
        warnings.append(Problem(shown, 1, 1, f"left: replaces what was recorded before ({earlier})", warning=True))
    return change.commit(), warnings
