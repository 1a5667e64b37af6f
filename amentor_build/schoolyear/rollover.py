"""`amentor rollover --to YYYY-YY`: the school year turns (and `amentor unfreeze`, its way back
for one year, and `amentor freeze`, to close it again).

Refused, changing nothing, when `amentor check` finds an error or the year was already rolled.
Then, all together: every on-roll child in Years 1 to 5 gets a year file for the new year
(year_group one higher, class from --classes, the last term's targets that were not achieved
carried into the new year's first term as open targets); Year 6 children leave on 31 August;
`current_year` moves on; and the finished year is frozen (frozen/<YYYY-YY>.sha256).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from .. import records
from ..errors import Problem, ProjectErrors, UsageError
from ..model import (
    YEAR_6_LEAVER,
    Project,
    Pupil,
    School,
    class_near,
    next_year_label,
    previous_year_label,
    valid_year_label,
)
from ..records.pupil import leave_command
from ..records.source import parse_source
from . import edits, frozen, year_end
from .sheet import read_csv


@dataclass(frozen=True)
class Classes:
    """Where each class goes, and single children: from the rows of one or more --classes files.

    A row's first cell is a class of the finished year (a `from_class,to_class` file) or a
    child's id (an `id,class` file); either kind of file may hold the other kind of row (a
    child's own row wins over their class's). A row for a class no child is in, an id no child
    has, or a class with no destination (a Year 6 class: its children leave) is no error: a
    school's own mapping lists every class. A child left without a class is one, and it names
    a row that may be a typo of theirs. An id of an `id,class` file that is no child's is
    warned of (mistyped_ids)."""

    table: dict[str, str]  # a class or a child's id -> the class in the new year
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # each class or id -> its file and row
    blank: dict[str, tuple[str, int]] = field(default_factory=dict)  # each class or id given no destination -> where
    ids: frozenset[str] = frozenset()  # the first cells of the rows of `id,class` files

    def of(self, pupil: Pupil, old_class: str) -> str | None:
        """The child's class in the new year: their own row's (an id in any capitals: a spreadsheet
        may lower them), else their class's."""
        own = next((to for key, to in self.table.items() if key.casefold() == pupil.id.casefold()), None)
        return own or self.table.get(old_class)

    def unfilled(self, pupil: Pupil) -> Problem | None:
        """An error at a child's own row that gives them no class (its cell left empty): they
        would go with their class, which the row is there to change."""
        where = next((at for key, at in self.blank.items() if key.casefold() == pupil.id.casefold()), None)
        if where is None:
            return None
        said = f"no class for {pupil.id}: fill it in, or take the row out for them to go with their class"
        return Problem(where[0], where[1], "B", said)

    def near(self, old_class: str, known: set[str]) -> str:
        """Why a class may have no destination: a row that gives it none, or a row for a class or
        id that is no child's (known: the classes children are in, and their ids) close enough
        to be its typo."""
        if old_class in self.blank:
            return f"; {_row(self.blank[old_class])} gives it none"
        unused = [name for name in self.table if name not in known]
        found = difflib.get_close_matches(old_class, unused, n=1, cutoff=0.75)
        return f"; {_row(self.rows[found[0]])} says '{found[0]}': a typo?" if found else ""

    def mistyped_ids(self, classes: set[str], ids: set[str]) -> list[Problem]:
        """A warning for each row that names no class of the finished year and no child, but is
        close to a child's id (its child goes with their class, which the row meant to change),
        or is a row of an `id,class` file (a typo, or the id of a child whose records are gone)."""
        found = []
        folded = {i.casefold() for i in ids}
        for key, (shown, number) in self.rows.items():
            if key in classes or key.casefold() in folded:
                continue
            near = difflib.get_close_matches(key, ids, n=1, cutoff=0.75)
            said = f"'{key}' is no class of this year and no child's id, so the row moves no one"
            if near:
                found.append(Problem(shown, number, "A", f"{said}: is it {near[0]}?", warning=True))
            elif key in self.ids:
                found.append(Problem(shown, number, "A", f"no child has the id '{key}', so the row moves no one", True))
        return found

    def odd_rows(self, project: Project, finished: str) -> list[Problem]:
        """A warning for each row that moves no one as it means to: one for a child who has left
        or leaves now (Year 6), and a destination written unlike a class of the school but for its
        capitals or a slip ('wrens' for Wrens: a new class of one's own, in no teacher's list)."""
        gone = {
            p.id.casefold(): p.id
            for p in project.pupils
            if p.left is not None or ((y := p.year(finished)) is not None and y.year_group >= 6)
        }
        known = project.classes(finished) | {r.scope_class for r in project.school.staff if r.scope_class}
        found = []
        for key, (shown, number) in self.rows.items():
            if key.casefold() in gone:
                said = f"{gone[key.casefold()]} has left, or leaves now (Year 6): the row moves no one"
                found.append(Problem(shown, number, "A", said, warning=True))
            near = class_near(self.table[key], known)
            if near is not None:
                said = f"'{self.table[key]}' is no class of the school, and close to '{near}': a typo? (a new class is fine)"
                found.append(Problem(shown, number, "B", said, warning=True))
        return found


def read_classes(paths: list[Path]) -> Classes:
    """The --classes CSV files: each a header `from_class,to_class` or `id,class`, then one row
    each; a class or id given two destinations is an error at the second (in any of the files)."""
    table: dict[str, str] = {}
    rows: dict[str, tuple[str, int]] = {}
    blank: dict[str, tuple[str, int]] = {}
    ids: set[str] = set()
    problems = []
    for path in paths:
        shown = str(path)  # as given on the command line, as sheet import says it
        lines = read_csv(path, shown, 1)
        if not any(any(c.strip() for c in r) for r in lines):
            problems.append(Problem(shown, 1, 1, "the file is empty"))
            continue
        header = [h.strip() for h in lines[0]]
        while header and not header[-1]:  # the empty columns a spreadsheet adds
            header.pop()
        if header not in (["from_class", "to_class"], ["id", "class"]):
            problems.append(Problem(shown, 1, "A", "the header must be 'from_class,to_class' or 'id,class'"))
            continue
        for number, row in enumerate(lines[1:], 2):
            key, value = (cell.strip() for cell in (row + ["", ""])[:2])
            if not key:
                continue  # a blank row
            if header[0] == "id":
                ids.add(key)
            if not value:
                blank.setdefault(key, (shown, number))  # a class with no destination: a Year 6 class, say
            elif table.get(key, value) != value:
                problems.append(
                    Problem(
                        shown,
                        number,
                        "B",
                        f"'{key}' goes to '{value}' here, but to '{table[key]}' in "
                        + _row(rows[key]).removeprefix(f"{shown} "),  # "row 2" in this file, else the file's name too
                    )
                )
            else:
                table[key] = value
                rows.setdefault(key, (shown, number))
    if problems:
        raise ProjectErrors(problems)
    return Classes(table, rows, blank, frozenset(ids))


def _row(where: tuple[str, int]) -> str:
    """A row of a --classes file, as messages name it: "classes.csv row 2"."""
    return f"{where[0]} row {where[1]}"


def _school(root: Path) -> School | None:
    """school.yml as records read it, or None if it cannot be (the check then says why)."""
    try:
        return records.parse_school((root / "school.yml").read_bytes(), [])
    except OSError:
        return None


def _frozen_once(root: Path, year: str) -> bool:
    """Was the year frozen by a rollover (and maybe unfrozen since)?"""
    return any((root / "frozen" / f"{year}.{suffix}").exists() for suffix in ("sha256", "unfrozen.txt"))


@dataclass(frozen=True)
class Rolled:
    """What a rollover did, or on a dry run would do, and what it warns of."""

    changed: list[Path]  # the files written (on a dry run: that would be)
    diff: str  # on a dry run, the records' changes (the frozen year's manifest only named: a line a file)
    warnings: list[Problem]  # the finishing year's last term empty, chosen work short; empty staff lists; mistyped ids
    leavers: list[str] = field(default_factory=list)  # the ids of the Year 6 children who leave


def rollover(
    root: Path,
    to: str,
    classes: Classes | None,
    check: Callable[[Path], tuple[Problem, ...]],
    dry_run: bool = False,
) -> Rolled:
    """Turn the year (see module docstring), or on a dry run say what would change and write
    nothing. check: `amentor check`'s own check of the whole project (it raises ProjectErrors
    with every problem at once)."""
    school = _school(root)
    if school is not None:  # a wrong --to first (else check says what is wrong with school.yml)
        finished = school.current_year
        before = previous_year_label(to) if valid_year_label(to) else ""
        if to == finished and _frozen_once(root, before):  # the same rollover run again
            raise ProjectErrors(
                [Problem("school.yml", 1, 1, f"the year was already rolled over: current_year is {to}")]
            )
        if to != next_year_label(finished):
            raise UsageError(f"--to must be the year after current_year {finished}: {next_year_label(finished)}")
    check(root)  # the records, every work file's contents, the frozen years, mkdocs.yml; nothing changes
    project = records.load(root)
    finished = project.school.current_year
    if to != next_year_label(finished):  # school.yml could not be read above, or has changed since
        raise UsageError(f"--to must be the year after current_year {finished}: {next_year_label(finished)}")
    rolled = [p for p in project.pupils if (project.pupil_dir(p) / f"{to}.yml").exists()]
    if (root / "frozen" / f"{finished}.sha256").exists() or rolled:
        raise ProjectErrors([Problem("school.yml", 1, 1, f"the year {finished} was already rolled over to {to}")])
    change = edits.RecordEdits(root)
    missing: list[Problem] = []
    leavers: list[str] = []
    moved: set[str] = set()  # the classes of the new year
    in_use, ids = project.classes(finished), {p.id for p in project.pupils}
    known = in_use | ids  # what a row's first cell may name
    for pupil in project.pupils:
        year = pupil.year(finished)
        if pupil.left is not None:
            continue
        if year is None:  # on roll, but in no class of the finished year: where would they go?
            missing.append(
                Problem(
                    f"pupils/{pupil.slug}/pupil.yml",
                    1,
                    1,
                    f"{pupil.id} is on roll but has no year file for {finished}, so the rollover cannot "
                    f"tell their year group and class in {to}: add {finished}.yml, or record that they "
                    f"left: {leave_command(pupil.id)}",
                )
            )
            continue
        if year.year_group >= 6:
            data = edits.load(project.pupil_dir(pupil) / "pupil.yml")
            data["left"] = edits.flow({"date": frozen.freeze_bounds(finished), "reason": YEAR_6_LEAVER})
            change.save(project.pupil_dir(pupil) / "pupil.yml", data)
            leavers.append(pupil.id)
            continue
        new_class = classes.of(pupil, year.class_name) if classes is not None else year.class_name
        empty = classes.unfilled(pupil) if classes is not None else None
        if empty is not None or new_class is None:
            missing.append(
                empty
                or Problem(
                    year.source,
                    *parse_source((root / year.source).read_bytes(), year.source).position(("class",)),
                    f"class: no class in --classes for '{year.class_name}' "
                    f"(or for {pupil.id}): where does {pupil.id} go?{classes.near(year.class_name, known) if classes else ''}",
                )
            )
            continue
        text = edits.dump(new_year(project, pupil, new_class))
        change.write(project.pupil_dir(pupil) / f"{to}.yml", edits.headed(pupil.display_name, pupil.id, to, text))
        moved.add(new_class)
    if missing:
        raise ProjectErrors(missing)
    school = edits.load(root / "school.yml")
    school["current_year"] = to
    change.save(root / "school.yml", school)
    manifest = root / "frozen" / f"{finished}.sha256"
    change.write(manifest, frozen.manifest(root, finished))
    warnings = year_end.unrecorded(project, finished) + frozen.short_work(project, finished)
    warnings += year_end.empty_lists(project, moved, to) + year_end.unlisted_classes(project, moved, to)
    warnings += year_end.left_ahead(project, finished, to)
    warnings += year_end.new_in_september(project, finished, to, dry_run)
    if classes is not None:
        warnings += classes.mistyped_ids(in_use, ids) + classes.odd_rows(project, finished)
    if dry_run:
        return Rolled(change.changed(), change.diff(leave_out=manifest), warnings, leavers)
    return Rolled(change.commit(), "", warnings, leavers)


def new_year(project: Project, pupil: Pupil, class_name: str) -> CommentedMap:
    """Next year's file: one year group up, the new class, and the open targets carried over."""
    last = pupil.year(project.school.current_year)
    assert last is not None
    data = edits.block({"year_group": last.year_group + 1, "class": class_name})
    carried = last.open_targets()
    if carried:
        targets = edits.block()
        for subject in project.school.subjects:
            texts = [t.text for t in carried if t.subject == subject]
            if texts:
                targets[subject] = edits.sequence([edits.flow({"text": text}) for text in texts])
        data["terms"] = edits.block({project.school.terms[0]: edits.block({"targets": targets})})
    return data


def freeze(root: Path, year: str, check: Callable[[Path], tuple[Problem, ...]]) -> tuple[list[Path], list[Problem]]:
    """Freeze a finished year again, its files as they are now (after `unfreeze` and the
    correction it was for); refused, changing nothing, while `check` finds an error. Returns
    the files written, and a warning for each target the correction changed after the rollover
    carried it (frozen.carried_since; none when the year is frozen for the first time, by hand)."""
    path = root / "frozen" / f"{year}.sha256"
    school = _school(root)
    if path.is_file():
        raise ProjectErrors([Problem(f"frozen/{year}.sha256", 1, 1, f"the year {year} is frozen already")])
    if school is not None and year >= school.current_year:
        raise ProjectErrors(
            [Problem("school.yml", 1, 1, f"the year {year} is not finished: current_year is {school.current_year}")]
        )
    if not frozen.year_files(root, year):
        raise ProjectErrors(
            [Problem("pupils", 1, 1, f"no child has a year file for {year}: there is nothing to freeze")]
        )
    check(root)  # the records as they are now are what the year is frozen with
    change = edits.RecordEdits(root)
    log = root / "frozen" / f"{year}.unfrozen.txt"
    again = log.is_file()  # (a year frozen for the first time was never corrected after a rollover)
    if again:
        change.write(log, log.read_text(encoding="utf-8") + f"# frozen again on {dt.date.today().isoformat()}\n")
    change.write(path, frozen.manifest(root, year))
    return change.commit(), frozen.carried_since(records.load(root), year) if again else []


def unfreeze(root: Path, year: str, reason: str) -> list[Path]:
    """Allow edits to a frozen year again, keeping its manifest and the reason beside it."""
    path = root / "frozen" / f"{year}.sha256"
    if not path.is_file():  # said at the directory: the file it names does not exist
        years = frozen.frozen_years(root)
        which = f"the frozen years are {', '.join(years)}" if years else "no year is frozen"
        raise ProjectErrors([Problem("frozen", 1, 1, f"the year {year} is not frozen: {which}")])
    if not reason.strip():
        raise ProjectErrors([Problem(f"frozen/{year}.sha256", 1, 1, "say why the year must change: --reason")])
    change = edits.RecordEdits(root)
    log = root / "frozen" / f"{year}.unfrozen.txt"
    before = log.read_text(encoding="utf-8") if log.is_file() else ""
    change.write(
        log,
        before + f"# unfrozen on {dt.date.today().isoformat()}: {reason.strip()}\n"
        f"# the year as it was frozen:\n{path.read_text(encoding='utf-8')}",
    )
    change.remove(path)
    return change.commit()
