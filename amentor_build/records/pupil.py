"""Stage 1, load (continued): one pupil's records (pupil.yml and year files) into a Pupil.

Parsing is a pure function of the school and the files' bytes (`PupilFiles`), so its result
can be cached by their digest and computed in any process; what depends on the disk beyond
those bytes (the work files the records name) is checked by `records.work`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import model as m
from ..errors import Problem
from .reader import Reader, read_source
from .year import YearReader

YEAR_FILE = re.compile(r"^(\d{4}-\d{2})\.ya?ml$")
PUPIL_KEYS = ("id", "first_name", "last_name", "preferred_name", "guardians", "left")


@dataclass(frozen=True)
class PupilFiles:
    """The record files of one pupil directory, as bytes, by file name."""

    slug: str
    files: tuple[tuple[str, bytes], ...]  # (name, bytes), sorted by name

    @property
    def digest(self) -> str:
        """A SHA-256 over every record file's name and bytes."""
        h = hashlib.sha256(f"{self.slug}\0".encode())  # the directory's name is part of the record (its slug)
        for name, data in self.files:
            h.update(f"{name}\0{len(data)}\0".encode())
            h.update(data)
        return h.hexdigest()


@dataclass(frozen=True)
class PupilRecord:
    """One pupil directory, read: the pupil (None if unusable), every problem, where `id:` stands."""

    pupil: m.Pupil | None
    problems: tuple[Problem, ...]
    id_at: tuple[str, int, int] | None  # (path, line, column) of the id value


def pupil_dirs(root: Path, problems: list[Problem]) -> list[Path]:
    """Every pupils/<slug>/ directory, by name (hidden directories are not pupils). A YAML file
    directly in pupils/ is an error: a child's record put one folder too high is never read."""
    base = root / "pupils"
    names, strays = [], []
    try:
        with os.scandir(base) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    names.append(entry.name)
                elif entry.name.lower().endswith((".yml", ".yaml")):
                    strays.append(entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in sorted(strays):
        said = "a record file directly in pupils/ is not read: a child's files go in a folder of their own"
        problems.append(Problem(f"pupils/{name}", 1, 1, f"{said}, pupils/<name>/ (pupil.yml and one file a year)"))
    return [base / name for name in sorted(names)]


def read_files(pupil_dir: Path) -> PupilFiles:
    """The bytes of every YAML file directly in a pupil directory."""
    files = []
    with os.scandir(pupil_dir) as entries:
        for entry in entries:
            if entry.name.lower().endswith((".yml", ".yaml")) and entry.is_file():  # 2026-27.YML: said, not passed over
                files.append((entry.name, _read(entry.path)))
    return PupilFiles(pupil_dir.name, tuple(sorted(files)))


def _read(path: str) -> bytes:
    """A file's bytes (as Path.read_bytes, without a file object: a build reads thousands)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _one_each(year_files: dict[str, list[tuple[str, bytes]]], problems: list[Problem]) -> dict[str, tuple[str, bytes]]:
    """The file of each year; a second one (2025-26.yaml beside 2025-26.yml) is an error, not
    silently ignored: the .yml is read, the other named."""
    out = {}
    for year, found in year_files.items():
        found.sort(key=lambda f: not f[0].endswith(".yml"))
        out[year] = found[0]
        for path, _ in found[1:]:
            kept = found[0][0].rpartition("/")[2]
            problems.append(Problem(path, 1, 1, f"a second file for {year}, beside {kept}: keep one"))
    return out


def _named(name: str, names: set[str]) -> str:
    """How a YAML file in a pupil's directory should be named, said for one that is not (names:
    the directory's YAML files: a name to give that is taken already is said so)."""
    lower = name.lower()
    right = "pupil.yml" if lower in ("pupil.yml", "pupil.yaml") else lower
    if right != name and right in names:
        return f"{right} is there too: keep one"
    if right == "pupil.yml":
        return "the child's details are read from pupil.yml only (rename it pupil.yml)"
    if (match := YEAR_FILE.match(lower)) and m.valid_year_label(match[1]):
        return f"a file's name is read in lower case only (rename it {lower})"
    return "a year file is named after its academic year, like 2025-26.yml"


def parse_pupil(school: m.School, files: PupilFiles) -> PupilRecord:
    """Read one pupil's pupil.yml and year files, collecting every problem."""
    problems: list[Problem] = []
    base = f"pupils/{files.slug}"
    year_files: dict[str, list[tuple[str, bytes]]] = {}
    pupil_bytes = None
    for name, data in files.files:
        if name == "pupil.yml":
            pupil_bytes = data
            continue
        match = YEAR_FILE.match(name)
        if not match or not m.valid_year_label(match[1]):
            problems.append(
                Problem(f"{base}/{name}", 1, 1, f"badly named file: {_named(name, {n for n, _ in files.files})}")
            )
            continue
        year_files.setdefault(match[1], []).append((f"{base}/{name}", data))
    if pupil_bytes is None:
        problems.append(Problem(f"{base}/pupil.yml", 1, 1, "missing: every pupil directory needs a pupil.yml"))
    src = read_source(f"{base}/pupil.yml", pupil_bytes, problems) if pupil_bytes is not None else None
    r = Reader(src, problems) if src is not None else None
    doc = r.mapping((), r.source.data, PUPIL_KEYS, required=("id", "first_name", "last_name")) if r else None
    if src is None or r is None or doc is None:  # no pupil: the year files' own problems are said all the same
        _years(_one_each(year_files, problems), school, problems, None)
        return PupilRecord(None, tuple(problems), None)
    pupil_id = r.text(("id",), doc.get("id"), required=True)
    id_at = (src.path, *src.position(("id",)))
    first = r.text(("first_name",), doc.get("first_name"), required=True)
    last = r.text(("last_name",), doc.get("last_name"), required=True)
    preferred = r.text(("preferred_name",), doc.get("preferred_name")) or None
    guardians = _guardians(r, doc.get("guardians") or [])
    left = None
    if doc.get("left") is not None:
        raw = r.mapping(("left",), doc["left"], ("date", "reason"), required=("date",))
        if raw is not None:
            date = r.date(("left", "date"), raw.get("date"))
            reason = r.text(("left", "reason"), raw.get("reason")) or ""
            left = m.Leaving(date, reason) if date else None
    years = _years(_one_each(year_files, problems), school, problems, left.date if left else None)
    if left is not None:
        for source, said in leaving_problems(left.date, years, school.current_year):  # warnings: see there
            if source is None:
                r.warn(("left", "date"), said)
            else:
                problems.append(Problem(source, 1, 1, said, warning=True))
    if not (pupil_id and first and last):
        return PupilRecord(None, tuple(problems), None)
    if left is None and max(year_files, default="") < school.current_year:
        problems.append(
            Problem(f"{base}/pupil.yml", 1, 1, _no_current_year(school.current_year, pupil_id), warning=True)
        )
    pupil = m.Pupil(files.slug, pupil_id, first, last, preferred, guardians, left, tuple(years))
    return PupilRecord(pupil, tuple(problems), id_at)


def leave_command(pupil_id: str) -> str:
    """The command that records a child's leaving, as messages suggest it."""
    return f"amentor pupil leave {pupil_id} --date YYYY-MM-DD --reason TEXT"


def _no_current_year(current: str, pupil_id: str) -> str:
    """A child on roll with no year file for the current year is in no class: no class teacher
    sees the folder, and a rollover cannot move the child on (it refuses)."""
    return (
        f"on roll (no left:) but no year file for the current year {current}: no class teacher's list "
        f"shows this child, and a rollover cannot move them on; add {current}.yml with their class, "
        f"or record that they left: {leave_command(pupil_id)}"
    )


def leaving_problems(date: dt.date, years: Iterable[m.YearRecord], current: str) -> list[tuple[str | None, str]]:
    """What does not fit a leaving date: a date after the end of the school's current year, or
    a year of the child's that began after it; each with the year file it concerns (None: the
    date itself). These are warnings, in the records and from `amentor pupil leave` alike (the
    data lead's to resolve: the folder is built as it is). A year that began after the date is
    not refused even when it is the child's first: a child added for September who never came
    leaves before their only year began."""
    out: list[tuple[str | None, str]] = []
    last_day = m.academic_year_bounds(current)[1]
    if date > last_day:
        out.append((None, f"{date} is after the end of the current year {current} ({last_day})"))
    for year in years:
        if m.academic_year_bounds(year.year)[0] > date:
            out.append((year.source, f"the year {year.year} began after the child left ({date})"))
    return out


def _guardians(r: Reader, value: Any) -> tuple[m.Guardian, ...]:
    out, seen = [], set()
    for i, item in enumerate(r.listing(("guardians",), value) or []):
        item = r.mapping(("guardians", i), item, ("key", "label"), required=("key", "label"))
        if item is None:
            continue
        key = r.text(("guardians", i, "key"), item.get("key"), required=True)
        label = r.text(("guardians", i, "label"), item.get("label"), required=True)
        if key and not re.fullmatch(r"[A-Za-z0-9_-]+", key):
            r.error(("guardians", i, "key"), "use letters, digits, '-' or '_' only")
        elif key in seen:
            r.error(("guardians", i, "key"), f"guardian '{key}' is listed twice")
        elif key and label:
            seen.add(key)
            out.append(m.Guardian(key, label))
    return tuple(out)


def _years(
    files: dict[str, tuple[str, bytes]], school: m.School, problems: list[Problem], left: dt.date | None
) -> list[m.YearRecord]:
    """Read year files oldest first; check they are consecutive and year groups rise by one (a
    file that cannot be read is said once, as itself: it is there, not missing); warn of a
    conversation dated after the child left (left: the date)."""
    years: list[m.YearRecord] = []
    previous: m.YearRecord | None = None  # the last year read
    last = None  # the label of the last year file there
    for label in sorted(files):
        rel, data = files[label]
        if label > school.current_year:
            problems.append(
                Problem(rel, 1, 1, f"{label} is later than the school's current_year {school.current_year}")
            )
            continue
        if last is not None and m.next_year_label(last) != label:
            problems.append(
                Problem(
                    rel,
                    1,
                    1,
                    f"years must be consecutive: {last} is followed by {label} (missing {m.next_year_label(last)}.yml)",
                )
            )
        last = label
        src = read_source(rel, data, problems)
        if src is None:
            continue
        record = YearReader(Reader(src, problems), school, label).read()
        if record is None:
            continue
        if (
            previous is not None
            and m.next_year_label(previous.year) == label
            and record.year_group != previous.year_group + 1
        ):
            Reader(src, problems).error(
                ("year_group",),
                f"Year {record.year_group} follows Year "
                f"{previous.year_group} in {previous.year}: year_group must go up by exactly one",
            )
        if left is not None:
            after_leaving(Reader(src, problems), record, left)
        years.append(record)
        previous = record
    return years


def held_after(record: m.YearRecord, left: dt.date) -> list[tuple[str, dt.date]]:
    """Each term of the year (and its date) whose mentoring conversation is dated after left."""
    dates = [(t.term, t.conversation.date if t.conversation is not None else None) for t in record.terms]
    return [(term, held) for term, held in dates if held is not None and held > left]


def after_leaving(r: Reader, record: m.YearRecord, left: dt.date) -> None:
    """Warn (r: a Reader of the year file record was read from) of each mentoring conversation
    dated after the child left: the day mistyped, or the leaving date (the folder is built as it is)."""
    for term, held in held_after(record, left):
        r.warn(
            ("terms", term, "conversation", "date"),
            f"{held} is after the child left ({left}, pupil.yml's left.date): is one of the two mistyped?",
        )
