"""The domain: a school, its pupils, and each pupil's year and term records."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from .errors import Problem, ProjectErrors, closest

COLOURS = ("red", "yellow", "green", "blue", "purple")
STATUSES = ("not_on_track", "nearly_there", "on_target", "exceeding")
REVIEWS = ("achieved", "partly", "not_yet")
ASSESSMENT_KINDS = ("standardised", "scaled", "mark")
WORK_FILE_TYPES = (".jpg", ".jpeg", ".png", ".webp", ".pdf")


@dataclass(frozen=True)
class AttitudeArea:
    key: str
    label: str
    percent_bands: tuple[tuple[str, float], ...] = ()  # (colour, lower bound), the best colour first


@dataclass(frozen=True)
class AssessmentKind:
    key: str
    label: str
    kind: str
    subject: str | None = None
    max: int | None = None
    pass_mark: int | None = None


@dataclass(frozen=True)
class WorkKind:
    key: str
    label: str
    per_year: int


@dataclass(frozen=True)
class StaffRole:
    key: str
    label: str
    scope_class: str | None  # None means scope: all

    def covers(self, class_name: str | None, left: bool) -> bool:
        """Does this role's scope take in a child of this class in the current year (None: no
        year file for it)? scope: all takes in every child; a class's, its children on roll (SPEC:
        a leaver's folder, "class-scoped staff no longer see it")."""
        return self.scope_class is None or (not left and class_name == self.scope_class)


@dataclass(frozen=True)
class School:
    name: str
    current_year: str
    terms: tuple[str, ...]
    subjects: tuple[str, ...]
    scale: tuple[str, ...]
    exceeding_from: int
    nearly_there_from: int
    colours: dict[str, str]
    attitude: tuple[AttitudeArea, ...]
    assessments: tuple[AssessmentKind, ...]
    work: tuple[WorkKind, ...]
    staff: tuple[StaffRole, ...]
    scale_means: dict[str, str] = field(default_factory=dict)  # step -> what it means, for families
    scale_guide: str = ""  # Markdown: the scale explained, for the guide

    def assessment(self, key: str) -> AssessmentKind | None:
        """Return the assessment the school records under key."""
        return next((a for a in self.assessments if a.key == key), None)


@dataclass(frozen=True)
class Guardian:
    key: str
    label: str


YEAR_6_LEAVER = "Year 6 leaver"  # the reason rollover records for every Year 6 child: no secret


@dataclass(frozen=True)
class Leaving:
    date: dt.date
    reason: str


# The many small leaves of a term (Attainment, Target, AssessmentResult, Conversation, WorkItem:
# about 180 a child, 180,000 for a school of 1,000) are NamedTuples, immutable as the frozen
# dataclasses around them: a rebuild unpickles every child's record from the cache, and a
# NamedTuple unpickles in half a dataclass's time (no __dict__ to fill): a one-child rebuild at
# 1,000 children went from 1.02 to 0.96 s (bench/compare_versions.py). Compare them by field,
# never as tuples.


class Attainment(NamedTuple):
    subject: str
    working_at: str
    target: str
    status_override: str | None = None
    self_colour: str | None = None  # the child's own judgement


class Target(NamedTuple):
    subject: str
    text: str
    review: str | None = None


class AssessmentResult(NamedTuple):
    test: str
    score: float


class Conversation(NamedTuple):
    date: dt.date | None = None
    went_well: str = ""
    pupil_voice: str = ""
    barriers: str = ""
    next_steps: str = ""
    at_home: str = ""


CONVERSATION_KEYS = ("date", "went_well", "pupil_voice", "barriers", "next_steps", "at_home")  # a record's, a sheet's


@dataclass(frozen=True)
class TermRecord:
    term: str
    attainment: tuple[Attainment, ...] = ()
    attitude: dict[str, str | float] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    assessments: tuple[AssessmentResult, ...] = ()
    conversation: Conversation | None = None
    staff_notes: str = ""
    attitude_self: dict[str, str] = field(default_factory=dict)  # area -> the child's own colour


class WorkItem(NamedTuple):
    kind: str
    title: str
    rel: str  # the file, relative to the pupil's directory, as written in the record
    pupil_caption: str = ""
    date: dt.date | None = None
    at: tuple[str, int, int, str] = ("", 1, 1, "")  # where the record names the file: path, line, column, key


@dataclass(frozen=True)
class YearRecord:
    year: str  # academic year label, e.g. 2025-26
    year_group: int
    class_name: str
    teacher: str
    terms: tuple[TermRecord, ...]
    work: tuple[WorkItem, ...]
    source: str  # relative path of the file

    def pieces(self, kind: str) -> int:
        """How many pieces of work of a kind were chosen this year."""
        return sum(1 for item in self.work if item.kind == kind)

    def open_targets(self) -> tuple[Target, ...]:
        """The targets a rollover carries into the next year: those of the year's last term
        with any, not achieved (SPEC 6)."""
        with_targets = [t for t in self.terms if t.targets]
        return tuple(t for t in with_targets[-1].targets if t.review != "achieved") if with_targets else ()


@dataclass(frozen=True)
class Pupil:
    slug: str  # the name of the pupil's directory, pupils/<slug>/
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    guardians: tuple[Guardian, ...]
    left: Leaving | None
    years: tuple[YearRecord, ...]  # oldest first

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.last_name}"

    @property
    def given_name(self) -> str:
        return self.preferred_name or self.first_name

    @property
    def work(self) -> tuple[WorkItem, ...]:
        return tuple(item for year in self.years for item in year.work)

    def year(self, label: str) -> YearRecord | None:
        return next((y for y in self.years if y.year == label), None)


@dataclass(frozen=True)
class Project:
    """The school and its pupils, as loaded and checked."""

    root: Path
    school: School
    pupils: tuple[Pupil, ...]
    warnings: tuple[Problem, ...] = ()

    def pupil_dir(self, pupil: Pupil) -> Path:
        """The directory a pupil's records and work files are read from."""
        return self.root / "pupils" / pupil.slug

    def pupil(self, pupil_id: str) -> Pupil:
        """The pupil with this id (as a command names one); else an error at `pupils:1:1`."""
        found = next((p for p in self.pupils if p.id == pupil_id), None)
        if found is None:  # a folder's name (as a rollover's list of the files it changed shows it): its id
            parts = PurePosixPath(pupil_id).parts  # pupils/ben, ./pupils/ben/, pupils/ben/2027-28.yml, ben
            slug = parts[parts.index("pupils") + 1] if "pupils" in parts[:-1] else parts[0] if parts else ""
            folder = next((p for p in self.pupils if p.slug == slug), None)
            near = f" (pupils/{slug}/ is {folder.id}'s folder: give the id)" if folder else ""
            near = near or closest(pupil_id, (p.id for p in self.pupils))
            raise ProjectErrors([Problem("pupils", 1, 1, f"no pupil has id '{pupil_id}'{near}")])
        return found

    def staff_of(self, pupil: Pupil) -> frozenset[str]:
        """The staff roles (their keys) whose scope takes in the child now."""
        current = pupil.year(self.school.current_year)
        class_name = current.class_name if current else None
        return frozenset(r.key for r in self.school.staff if r.covers(class_name, pupil.left is not None))

    def classes(self, year: str) -> set[str]:
        """The classes the children's year files for `year` name."""
        return {y.class_name for p in self.pupils if (y := p.year(year)) is not None}


SCORE_RANGES = {"standardised": (40, 160), "scaled": (80, 120)}


def heading(name: str) -> str:
    """One of the school's names (a subject, a term, a label) as it begins a heading or a
    sentence: its first letter upper-case, the rest as the school wrote it (reading: Reading;
    RE, PSHE & RSE and Michaelmas II as they are, never Re, Pshe & rse or Michaelmas ii; a first
    word with a capital inside, eSafety, kept as it is)."""
    first = name.split(maxsplit=1)[0] if name.strip() else ""
    return name if first != first.lower() else name[:1].upper() + name[1:]  # (eSafety, iPad skills: as written)


def term_anchor(year: str, term: str) -> str:
    """A term's name in a page's addresses and ids (2026-27-autumn): one word, as an id must be
    (2026-27-Michaelmas-II for the term Michaelmas II)."""
    return f"{year}-{'-'.join(term.split())}"


def class_title(name: str) -> str:
    """A class as a folder's heading names it: Oak class; a name that says so itself (Class 3,
    Year 2 class) as it is, never Class 3 class."""
    return name if "class" in re.split(r"[\s-]+", name.casefold()) else f"{name} class"  # (Class-3 too)


def in_sentence(label: str) -> str:
    """A school's label inside a sentence: Punctuality reads punctuality there, but a first word
    that is a name (PE kit, PiRA reading, Y6 punctuality, I can statements) is kept as written."""
    first = label.split(maxsplit=1)[0] if label.strip() else ""
    named = first[1:] != first[1:].lower() or any(c.isdigit() for c in first) or first.isupper()
    return label if named else label[:1].lower() + label[1:]


def score_range(kind: AssessmentKind) -> tuple[int, int]:
    """The scores a test of this kind can have: a mark from 0 to its max, else the kind's scale."""
    return (0, kind.max or 0) if kind.kind == "mark" else SCORE_RANGES[kind.kind]


def score_range_known(kind: AssessmentKind) -> bool:
    """Does school.yml say what scores a test of this kind can have (a kind it names, a mark's max)?"""
    return kind.kind in SCORE_RANGES or (kind.kind == "mark" and kind.max is not None)


def academic_year_bounds(label: str) -> tuple[dt.date, dt.date]:
    """Return 1 September and 31 August of the academic year `YYYY-YY`."""
    start = int(label[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def next_year_label(label: str) -> str:
    start = int(label[:4]) + 1
    return f"{start}-{(start + 1) % 100:02d}"


def previous_year_label(label: str) -> str:
    """The academic year before (2026-27: 2025-26)."""
    start = int(label[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


def class_spelt_as(name: str, classes: Iterable[str]) -> str | None:
    """The class of classes that name is written like, but for its capitals or spaces ('robins'
    for Robins): a staff login's list or a sheet would not find the child under name."""
    return next((c for c in sorted(classes) if c != name and c.casefold().split() == name.casefold().split()), None)


def class_near(name: str, classes: Iterable[str]) -> str | None:
    """The class of classes that name is likely a slip for: written unlike it only in capitals
    or spaces ('robins' for Robins), or a letter or two away ('Wrenz' for Wrens), and not one of
    them itself. Parallel classes are two classes (see _parallel)."""
    classes = sorted(set(classes))
    spelt = class_spelt_as(name, classes)
    if spelt is not None or name in classes:
        return spelt
    folded = {c.casefold(): c for c in classes}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.75)
    if not close:  # two letters swapped in a short name score under the cutoff ('Oka' for Oak: 0.67); one
        close = [c for c in folded if _swapped(name.casefold(), c)][:1]  # changed is another name (Elm, Elf)
    near = folded[close[0]] if close else None
    return near if near is not None and not _parallel(name, near) else None


def _parallel(one: str, other: str) -> bool:
    """Two names of parallel classes rather than one misspelt: apart in one word that is short
    or a number (Class 3A, Class 3B; Year 5, Year 6), a different word (Year 5 Red, Year 5 Blue),
    or one more short word (Wrens 2 beside Wrens)."""
    a, b = one.casefold().split(), other.casefold().split()
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if len(longer) == len(shorter) + 1 and longer[: len(shorter)] == shorter:  # Wrens 2 beside Wrens
        return len(longer[-1]) <= 2 or longer[-1].isdigit()
    apart = [(x, y) for x, y in zip(a, b) if x != y]
    if len(a) != len(b) or len(apart) != 1:
        return False
    x, y = apart[0]
    short = len(x) <= 2 or len(y) <= 2 or any(c.isdigit() for c in x + y)
    slip = _one_edit(x, y) or _swapped(x, y)
    return short or (not slip and difflib.SequenceMatcher(None, x, y).ratio() < 0.75)


def _one_edit(x: str, y: str) -> bool:
    """Are two words one letter apart (one changed, added or left out: Oal for Oak)?"""
    if abs(len(x) - len(y)) > 1:
        return False
    i = next((i for i, (a, b) in enumerate(zip(x, y)) if a != b), min(len(x), len(y)))
    return x[i + (len(x) >= len(y)) :] == y[i + (len(y) >= len(x)) :]


def _swapped(x: str, y: str) -> bool:
    """Are two names the same but for two letters side by side swapped (Oka for Oak)?"""
    i = next((i for i, (a, b) in enumerate(zip(x, y)) if a != b), len(x))
    return len(x) == len(y) and i < len(x) - 1 and x[i : i + 2] == y[i : i + 2][::-1] and x[i + 2 :] == y[i + 2 :]


def valid_year_label(label: str) -> bool:
    """True for an academic year label like 2025-26."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", label)
    return match is not None and (int(match[1]) + 1) % 100 == int(match[2])
