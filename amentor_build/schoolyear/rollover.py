"""`amentor rollover --to YYYY-YY`: the school year turns (and `amentor unfreeze`, its way back for one year).

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
from ..model import Project, Pupil, School, next_year_label, valid_year_label
from . import edits, frozen
from .sheet import read_csv


@dataclass(frozen=True)
class Classes:
    """Where each class goes (from_class,to_class rows) and single children (id,class rows).

    A row for a class no child is in, an id no child has, or a class with no destination (a
    Year 6 class: its children leave) is no error: a school's own mapping lists every class.
    A child left without a class is one, and it names a row that may be a typo of theirs."""

    by_class: dict[str, str]
    by_pupil: dict[str, str]
    shown: str = ""  # the file's name, for messages
    rows: dict[str, int] = field(default_factory=dict)  # each class or id -> its row (the header is 1)
    blank: dict[str, int] = field(default_factory=dict)  # each class or id given no destination -> its row

    def of(self, pupil: Pupil, old_class: str) -> str | None:
        return self.by_pupil.get(pupil.id) or self.by_class.get(old_class)

    def near(self, old_class: str, in_use: set[str]) -> str:
        """Why a class may have no destination: a row that gives it none, or a row for a class no
        child is in (in_use: those some child is in) close enough to be its typo."""
        if old_class in self.blank:
            return f"; {self.shown} row {self.blank[old_class]} gives it none"
        unused = [name for name in self.by_class if name not in in_use]
        found = difflib.get_close_matches(old_class, unused, n=1, cutoff=0.75)
        return f"; {self.shown} row {self.rows[found[0]]} says '{found[0]}': a typo?" if found else ""


def read_classes(path: Path) -> Classes:
    """The --classes CSV: a header `from_class,to_class` or `id,class`, then one row each; a
    class or id given twice with two destinations is an error at the second."""
    shown = path.name
    rows = read_csv(path, shown, 1)
    if not any(any(c.strip() for c in r) for r in rows):
        raise ProjectErrors([Problem(shown, 1, 1, "the file is empty")])
    header = [h.strip() for h in rows[0]]
    while header and not header[-1]:  # the empty columns a spreadsheet adds
        header.pop()
    if header not in (["from_class", "to_class"], ["id", "class"]):
        raise ProjectErrors([Problem(shown, 1, "A", "the header must be 'from_class,to_class' or 'id,class'")])
    table: dict[str, str] = {}
    at: dict[str, int] = {}
    blank: dict[str, int] = {}
    problems = []
    for number, row in enumerate(rows[1:], 2):
        key, value = (cell.strip() for cell in (row + ["", ""])[:2])
        if not key:
            continue  # a blank row
        if not value:
            blank.setdefault(key, number)  # a class with no destination: a Year 6 class, say
        elif table.get(key, value) != value:
            problems.append(
                Problem(shown, number, "B", f"'{key}' goes to '{value}' here, but to '{table[key]}' in row {at[key]}")
            )
        else:
            table[key] = value
            at.setdefault(key, number)
    if problems:
        raise ProjectErrors(problems)
    if header[0] == "from_class":
        return Classes(table, {}, shown, at, blank)
    return Classes({}, table, shown, at, blank)


def _school(root: Path) -> School | None:
    """school.yml as records read it, or None if it cannot be (the check then says why)."""
    try:
        return records.parse_school((root / "school.yml").read_bytes(), [])
    except OSError:
        return None


def _frozen_once(root: Path, year: str) -> bool:
    """Was the year frozen by a rollover (and maybe unfrozen since)?"""
    return any((root / "frozen" / f"{year}.{suffix}").exists() for suffix in ("sha256", "unfrozen.txt"))


def rollover(root: Path, to: str, classes: Classes | None, check: Callable[[Path], tuple[Problem, ...]]) -> list[Path]:
    """Turn the year (see module docstring); return the files changed. check: `amentor check`'s
    own check of the whole project (it raises ProjectErrors with every problem at once)."""
    school = _school(root)
    if school is not None:  # a wrong --to first (else check says what is wrong with school.yml)
        finished = school.current_year
        before = f"{int(to[:4]) - 1}-{int(to[:4]) % 100:02d}" if valid_year_label(to) else ""
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
    in_use = project.classes(finished)
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
                    f"left: amentor pupil leave {pupil.id} --date YYYY-MM-DD --reason TEXT",
                )
            )
            continue
        if year.year_group >= 6:
            data = edits.load(project.pupil_dir(pupil) / "pupil.yml")
            data["left"] = edits.flow({"date": frozen.freeze_bounds(finished), "reason": "Year 6 leaver"})
            change.save(project.pupil_dir(pupil) / "pupil.yml", data)
            continue
        new_class = classes.of(pupil, year.class_name) if classes is not None else year.class_name
        if new_class is None:
            missing.append(
                Problem(
                    year.source,
                    1,
                    1,
                    f"class: no class in --classes for '{year.class_name}' "
                    f"(or for {pupil.id}): where does {pupil.id} go?{classes.near(year.class_name, in_use) if classes else ''}",
                )
            )
            continue
        change.write(project.pupil_dir(pupil) / f"{to}.yml", edits.dump(new_year(project, pupil, to, new_class)))
    if missing:
        raise ProjectErrors(missing)
    school = edits.load(root / "school.yml")
    school["current_year"] = to
    change.save(root / "school.yml", school)
    change.write(root / "frozen" / f"{finished}.sha256", frozen.manifest(root, finished))
    return change.commit()


def new_year(project: Project, pupil: Pupil, to: str, class_name: str) -> CommentedMap:
    """Next year's file: one year group up, the new class, and the open targets carried over."""
    last = pupil.year(project.school.current_year)
    assert last is not None
    data = edits.block({"year_group": last.year_group + 1, "class": class_name})
    with_targets = [t for t in last.terms if t.targets]
    carried = [t for t in with_targets[-1].targets if t.review != "achieved"] if with_targets else []
    if carried:
        targets = edits.block()
        for subject in project.school.subjects:
            texts = [t.text for t in carried if t.subject == subject]
            if texts:
                targets[subject] = edits.sequence([edits.flow({"text": text}) for text in texts])
        data["terms"] = edits.block({project.school.terms[0]: edits.block({"targets": targets})})
    return data


def unfreeze(root: Path, year: str, reason: str) -> list[Path]:
    """Allow edits to a frozen year again, keeping its manifest and the reason beside it."""
    path = root / "frozen" / f"{year}.sha256"
    if not path.is_file():
        raise ProjectErrors([Problem(f"frozen/{year}.sha256", 1, 1, f"the year {year} is not frozen")])
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
