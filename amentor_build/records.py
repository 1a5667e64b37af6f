"""Stage 1, load (continued): each pupils/<slug>/ folder into a Pupil with its year records."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import model as m
from .audit import stored_secrets
from .errors import Problem
from .reader import Reader, dotted, read_source

YEAR_FILE = re.compile(r"^(\d{4}-\d{2})\.ya?ml$")
PUPIL_KEYS = ("id", "first_name", "last_name", "preferred_name", "guardians", "left")
YEAR_KEYS = ("year_group", "class", "teacher", "terms", "work")
TERM_KEYS = ("attainment", "attitude", "targets", "assessments", "conversation", "staff_notes")
CONVERSATION_KEYS = ("date", "went_well", "pupil_voice", "barriers", "next_steps", "at_home")
# The allowed keys as sets, for the checks made thousands of times.
TERM_KEY_SET, CONVERSATION_KEY_SET = frozenset(TERM_KEYS), frozenset(CONVERSATION_KEYS)
ATTAINMENT_KEYS = frozenset(("working_at", "target", "status"))
TARGET_KEYS, RESULT_KEYS = frozenset(("text", "review")), frozenset(("test", "score"))


@dataclass(frozen=True)
class PupilRecord:
    """One pupil folder, read: the pupil (None if unusable), every problem, where `id:` stands."""

    pupil: m.Pupil | m.PupilSummary | None
    problems: tuple[Problem, ...]
    id_at: tuple[str, int, int] | None  # (path, line, column) of the id value
    secrets: tuple = ()  # what the privacy audit looks for (audit.stored_secrets), once per version of the record
    inputs: tuple[str, ...] = ()  # the other files the records name (work files), relative to the folder


def pupil_folders(root: Path) -> list[Path]:
    """Every pupils/<slug>/ folder, by name (hidden folders are not pupils)."""
    base = root / "pupils"
    try:
        with os.scandir(base) as entries:
            names = sorted(e.name for e in entries if e.is_dir() and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [base / name for name in names]


def load_pupils(folders: list[Path], root: Path, school: m.School, problems: list[Problem],
                read: Callable[[Path], PupilRecord] | None = None) -> list:
    """Read the pupil folders (through a cache if `read` is given); check ids are unique."""
    read = read or (lambda folder: load_pupil(root, folder, school))
    pupils: list[m.Pupil] = []
    ids: dict[str, str] = {}
    for folder in folders:
        record = read(folder)
        problems.extend(record.problems)
        if record.pupil is None:
            continue
        if record.id_at is not None:
            path, line, col = record.id_at
            if record.pupil.id in ids:
                problems.append(Problem(path, line, col, f"id: id '{record.pupil.id}' is already used by "
                                                         f"{ids[record.pupil.id]}"))
            else:
                ids[record.pupil.id] = path
        pupils.append(record.pupil)
    return pupils


def load_pupil(root: Path, folder: Path, school: m.School) -> PupilRecord:
    """Read one pupil's pupil.yml and year files, collecting every problem."""
    problems: list[Problem] = []
    referenced: list[str] = []
    pupil, id_at = _read_pupil(root, folder, school, problems, referenced)
    return PupilRecord(pupil, tuple(problems), id_at, stored_secrets(pupil) if pupil else (),
                       tuple(sorted(set(referenced))))


def _read_pupil(root: Path, folder: Path, school: m.School, problems: list[Problem],
                referenced: list[str]) -> tuple[m.Pupil | None, tuple[str, int, int] | None]:
    """Read one pupil's pupil.yml and year files; (None, None) if pupil.yml is unusable."""
    rel_folder = folder.relative_to(root).as_posix()
    year_files: dict[str, Path] = {}
    for file in sorted(folder.iterdir()):
        if not file.is_file() or file.suffix not in (".yml", ".yaml") or file.name == "pupil.yml":
            continue
        match = YEAR_FILE.match(file.name)
        if not match or not m.valid_year_label(match[1]):
            problems.append(Problem(f"{rel_folder}/{file.name}", 1, 1,
                                    "badly named file: a year file is named after its academic year, like 2025-26.yml"))
            continue
        year_files[match[1]] = file
    pupil_file = folder / "pupil.yml"
    if not pupil_file.is_file():
        problems.append(Problem(f"{rel_folder}/pupil.yml", 1, 1, "missing: every pupil folder needs a pupil.yml"))
        return None, None
    src = read_source(pupil_file, root, problems)
    if src is None:
        return None, None
    r = Reader(src, problems)
    doc = r.mapping((), src.data, PUPIL_KEYS, required=("id", "first_name", "last_name"))
    if doc is None:
        return None, None
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
    years = _years(root, folder, year_files, school, problems, referenced)
    if not (pupil_id and first and last):
        return None, None
    return m.Pupil(folder.name, pupil_id, first, last, preferred, guardians, left, tuple(years), str(folder)), id_at


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


def _years(root: Path, folder: Path, files: dict[str, Path], school: m.School,
           problems: list[Problem], referenced: list[str]) -> list[m.YearRecord]:
    """Read year files oldest first; check they are consecutive and year groups rise by one."""
    years: list[m.YearRecord] = []
    previous: m.YearRecord | None = None
    real_folder = os.path.realpath(folder)
    for label in sorted(files):
        rel = files[label].relative_to(root).as_posix()
        if label > school.current_year:
            problems.append(Problem(rel, 1, 1, f"{label} is later than the school's current_year {school.current_year}"))
            continue
        if previous is not None and m.next_year_label(previous.year) != label:
            problems.append(Problem(rel, 1, 1, f"years must be consecutive: {previous.year} is followed by {label}"
                                    f" (missing {m.next_year_label(previous.year)}.yml)"))
        src = read_source(files[label], root, problems)
        if src is None:
            continue
        record = YearReader(Reader(src, problems), school, folder, label, referenced, real_folder).read()
        if record is None:
            continue
        if previous is not None and m.next_year_label(previous.year) == label \
                and record.year_group != previous.year_group + 1:
            Reader(src, problems).error(("year_group",), f"Year {record.year_group} follows Year "
                                        f"{previous.year_group} in {previous.year}: year_group must go up by exactly one")
        years.append(record)
        previous = record
    return years


class YearReader:
    """Reads one <YYYY-YY>.yml file against the school's settings."""

    def __init__(self, r: Reader, school: m.School, folder: Path, label: str, referenced: list[str],
                 real_folder: str):
        self.r, self.school, self.folder, self.label = r, school, folder, label
        self.referenced = referenced  # every file named, found or not: the build cache watches them
        self.real_folder = real_folder
        self.bounds = m.academic_year_bounds(label)
        # The school's names as the checks use them, made once per file rather than per term.
        self.subjects = frozenset(school.subjects)
        self.areas = {a.key: a for a in school.attitude}
        self.area_keys = frozenset(self.areas)
        self.tests = tuple(a.key for a in school.assessments)

    def read(self) -> m.YearRecord | None:
        r = self.r
        doc = r.mapping((), r.source.data, YEAR_KEYS, required=("year_group", "class"))
        if doc is None:
            return None
        group = r.integer(("year_group",), doc.get("year_group"), 1, 6) if doc.get("year_group") is not None else None
        class_name = r.text(("class",), doc.get("class"), required=True)
        teacher = r.text(("teacher",), doc.get("teacher")) or ""
        terms: list[m.TermRecord] = []
        if doc.get("terms") is not None:
            raw = r.mapping(("terms",), doc["terms"], self.school.terms) or {}
            for term in self.school.terms:
                if raw.get(term) is not None:
                    record = self.term(term, raw[term])
                    if record is not None:
                        terms.append(record)
        work = self.work(doc.get("work") or [])
        if group is None or class_name is None:
            return None
        return m.YearRecord(self.label, group, class_name, teacher, tuple(terms), tuple(work), r.source.path)

    def step(self, path: tuple, value: Any) -> str | None:
        text = self.r.text(path, value, required=True)
        if text is not None and text not in self.school.scale:
            self.r.error(path, f"'{text}' is not a step of the school's scale "
                               f"({self.school.scale[0]} .. {self.school.scale[-1]})")
            return None
        return text

    def term(self, term: str, value: Any) -> m.TermRecord | None:
        r, base = self.r, ("terms", term)
        doc = r.mapping(base, value, TERM_KEY_SET)
        if doc is None:
            return None
        attainment = []
        for subject, item in (r.mapping(base + ("attainment",), doc.get("attainment") or {}, self.subjects) or {}).items():
            path = base + ("attainment", subject)
            item = r.mapping(path, item, ATTAINMENT_KEYS, required=("working_at", "target"))
            if item is None or subject not in self.school.subjects:
                continue
            working = self.step(path + ("working_at",), item.get("working_at"))
            target = self.step(path + ("target",), item.get("target"))
            status = None
            if item.get("status") is not None:
                status = r.choice(path + ("status",), item["status"], m.STATUSES, "a status")
            if working and target:
                attainment.append(m.Attainment(subject, working, target, status))
        attitude = self.attitude(base + ("attitude",), doc.get("attitude") or {})
        targets = self.targets(base + ("targets",), doc.get("targets") or {})
        results = self.assessments(base + ("assessments",), doc.get("assessments") or [])
        conversation = None
        if doc.get("conversation") is not None:
            conversation = self.conversation(base + ("conversation",), doc["conversation"])
        notes = r.text(base + ("staff_notes",), doc.get("staff_notes")) or ""
        return m.TermRecord(term, tuple(attainment), attitude, tuple(targets), tuple(results), conversation, notes)

    def attitude(self, path: tuple, value: Any) -> dict[str, str | float]:
        areas = self.areas
        out: dict[str, str | float] = {}
        for key, item in (self.r.mapping(path, value, self.area_keys) or {}).items():
            area = areas.get(key)
            if area is None:
                continue
            if area.percent_bands:
                number = self.r.number(path + (key,), item, 0, 100)
                if number is not None:
                    out[key] = float(number)
            else:
                colour = self.r.choice(path + (key,), item, m.COLOURS, "a colour")
                if colour:
                    out[key] = colour
        return out

    def targets(self, path: tuple, value: Any) -> list[m.Target]:
        out = []
        for subject, items in (self.r.mapping(path, value, self.subjects) or {}).items():
            if subject not in self.school.subjects:
                continue
            for i, item in enumerate(self.r.listing(path + (subject,), items) or []):
                item = self.r.mapping(path + (subject, i), item, TARGET_KEYS, required=("text",))
                if item is None:
                    continue
                text = self.r.text(path + (subject, i, "text"), item.get("text"), required=True)
                review = None
                if item.get("review") is not None:
                    review = self.r.choice(path + (subject, i, "review"), item["review"], m.REVIEWS, "a review")
                if text:
                    out.append(m.Target(subject, text, review))
        return out

    def assessments(self, path: tuple, value: Any) -> list[m.AssessmentResult]:
        out = []
        for i, item in enumerate(self.r.listing(path, value) or []):
            item = self.r.mapping(path + (i,), item, RESULT_KEYS, required=("test", "score"))
            if item is None:
                continue
            test = self.r.choice(path + (i, "test"), item.get("test"), self.tests, "an assessment of the school")
            kind = self.school.assessment(test) if test else None
            if kind is None or item.get("score") is None:
                continue
            low, high = (0, kind.max or 0) if kind.kind == "mark" else {"standardised": (40, 160), "scaled": (80, 120)}[kind.kind]
            score = self.r.number(path + (i, "score"), item["score"], low, high)
            if score is not None:
                out.append(m.AssessmentResult(test, score))
        return out

    def conversation(self, path: tuple, value: Any) -> m.Conversation | None:
        doc = self.r.mapping(path, value, CONVERSATION_KEY_SET)
        if doc is None:
            return None
        date = self.r.date(path + ("date",), doc["date"], self.bounds) if doc.get("date") is not None else None
        texts = {k: self.r.text(path + (k,), doc.get(k)) or "" for k in CONVERSATION_KEYS if k != "date"}
        return m.Conversation(date, **texts)

    def work(self, value: Any) -> list[m.WorkItem]:
        r, out = self.r, []
        kinds = {k.key: k for k in self.school.work}
        counts: dict[str, int] = {}
        root = Path(self.real_folder)
        for i, item in enumerate(r.listing(("work",), value) or []):
            path = ("work", i)
            item = r.mapping(path, item, ("kind", "title", "file", "pupil_caption", "date"),
                             required=("kind", "title", "file"))
            if item is None:
                continue
            kind = r.choice(path + ("kind",), item.get("kind"), kinds, "a kind of work of the school")
            title = r.text(path + ("title",), item.get("title"), required=True)
            rel = r.text(path + ("file",), item.get("file"), required=True)
            caption = r.text(path + ("pupil_caption",), item.get("pupil_caption")) or ""
            date = r.date(path + ("date",), item["date"], self.bounds) if item.get("date") is not None else None
            file = self.work_file(path + ("file",), rel, root) if rel else None
            if kind and title and file:
                counts[kind] = counts.get(kind, 0) + 1
                out.append(m.WorkItem(kind, title, str(file), rel or "", caption, date))
        for kind, count in counts.items():
            if count > kinds[kind].per_year:
                r.error(("work",), at_key=True, message=f"{count} pieces of {kinds[kind].label.lower()} chosen; "
                                   f"the school asks for {kinds[kind].per_year} a year", warning=True)
        return out

    def work_file(self, path: tuple, rel: str, root: Path) -> Path | None:
        """Return the resolved work file if it lies inside the pupil's folder and is a known type."""
        self.referenced.append(rel)
        real, regular = _real_below(str(root), rel)
        if regular and real.startswith(f"{root}/") and real.lower().endswith(m.WORK_FILE_TYPES):
            return Path(real)  # the usual case, without pathlib's slower resolve()
        file = Path(real)
        if not file.is_relative_to(root):
            self.r.error(path, f"'{rel}' lies outside the pupil's folder")
            return None
        if file.suffix.lower() not in m.WORK_FILE_TYPES:
            self.r.error(path, f"'{rel}' is not a JPEG, PNG, WebP or PDF file")
            return None
        if not file.is_file():
            shown = file.relative_to(root.parent.parent).as_posix() if file.is_relative_to(root.parent.parent) else rel
            line, col = self.r.source.position(path)
            self.r.problems.append(Problem(shown, 1, 1, f"missing: work file referenced by "
                                                         f"{self.r.source.path}:{line}:{col} ({dotted(path)})"))
            return None
        return file


def _real_below(root: str, rel: str) -> tuple[str, bool]:
    """The real path of rel inside root (a real path), and whether it is a regular file.

    Only the parts below root can be symbolic links, so only those are looked at (one lstat
    each, the last of which also tells a regular file); anything unusual goes to realpath.
    """
    parts = rel.split("/")
    if rel.startswith("/") or ".." in parts:
        real = os.path.realpath(os.path.join(root, rel))
        return real, os.path.isfile(real)
    at = root
    info = None
    for part in parts:
        if part in ("", "."):
            continue
        at = f"{at}/{part}"
        try:
            info = os.lstat(at)
        except OSError:
            return os.path.normpath(os.path.join(root, rel)), False
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(os.path.join(root, rel))
            return real, os.path.isfile(real)
    return at, info is not None and stat.S_ISREG(info.st_mode)
