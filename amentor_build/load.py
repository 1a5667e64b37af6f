"""Stage 1, load: read school.yml and every pupils/<slug>/ folder into the domain model.

Every problem is collected (with file, line, column and key) before anything is raised.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # a rebuild that shares no work never imports concurrent.futures
    from concurrent.futures import Executor

from . import model as m
from .cache import PickleStore, fingerprint_base, inputs_part, listing_part, pupil_fingerprint, real_paths
from .errors import Problem, problems_or_raise
from .reader import Reader, read_source as _source
from .records import PupilRecord, load_pupil, load_pupils, pupil_folders


# What a worker may do with a pupil it has just parsed and found sound, given the school, the
# record and its fingerprint (in pipeline.build: render the folder, so the full record need not
# travel to another job); its result comes back with the summary.
AfterParse = Callable[[m.School, PupilRecord, str], Any]


def parse_and_store(root: Path, school: m.School, cache_dir: Path, base: bytes, after: AfterParse | None,
                    work: tuple[Path, str, str]) -> tuple[str, PupilRecord, Any]:
    """Parse one pupil folder, store the full record in the cache; return its key, summary and
    what `after` made of it (runs in a worker).

    The folder's listing was taken before parsing (a record file changed meanwhile shows up
    as changed next time); the files the records name are looked at once they are known.
    """
    folder, real_path, listing = work
    record = load_pupil(root, folder, school)
    key = pupil_fingerprint(base, real_path, listing, inputs_part(str(folder), record.inputs))
    PickleStore(cache_dir).put(folder.name, key, record)
    sound = record.pupil is not None and all(p.warning for p in record.problems)
    made = after(school, record, key) if after is not None and sound else None
    return key, PupilRecord(record.pupil.summary() if record.pupil else None, record.problems, record.id_at,
                            record.secrets, record.inputs), made


class RecordCache:
    """Parsed pupils, by folder, reused while their input files are unchanged (see cache.py).

    Full records live one file per pupil; summaries of all pupils live in one file, so an
    unchanged school loads quickly and full records are read only for folders that are rendered.
    """

    def __init__(self, root: Path, school: m.School, cache_dir: Path):
        self.root, self.school = root, school
        self.store = PickleStore(cache_dir)
        self.summaries: dict[str, tuple[str, PupilRecord]] = self.store.get("summaries", "v2") or {}
        self.fresh: dict[str, PupilRecord] = {}  # full records read in this build, by pupil id
        self.parsed_secrets: dict[str, tuple] = {}  # audit values of the pupils parsed in this build, by folder
        self._slugs: dict[str, str] = {}  # pupil id -> folder name
        self.keys: dict[str, str] = {}  # folder name -> input fingerprint
        self.made: dict[str, Any] = {}  # pupil id -> what `after` made of a pupil parsed in a worker
        self.changed = False

    def read_all(self, folders: list[Path], pool: Executor | None,
                 after: AfterParse | None = None) -> Callable[[Path], PupilRecord]:
        """Parse the changed pupils (in parallel given a pool, and then `after` runs in the worker
        on each sound one); return a reader of every pupil."""
        base = fingerprint_base((self.root / "school.yml").read_bytes())
        reals = real_paths(folders)
        listings = {f.name: listing_part(str(f)) for f in folders}
        missing = []
        for folder in folders:
            key, record = self.summaries.get(folder.name, ("", None))
            if record is not None and key == pupil_fingerprint(base, reals[folder.name], listings[folder.name],
                                                               inputs_part(str(folder), record.inputs)):
                self.keys[folder.name] = key
            else:
                missing.append(folder)
        work = [(f, reals[f.name], listings[f.name]) for f in missing]
        shared = pool is not None and len(missing) > 16  # a few pupils are parsed here, and then
        # nothing is gained by doing more in the same job: `after` runs only in workers
        parse = functools.partial(parse_and_store, self.root, self.school, self.store.directory, base,
                                  after if shared else None)
        parsed = pool.map(parse, work, chunksize=8) if shared else map(parse, work)
        for folder, (key, summary, made) in zip(missing, parsed):
            if made is not None and summary.pupil is not None:
                self.made[summary.pupil.id] = made
            self.keys[folder.name] = key
            self.parsed_secrets[folder.name] = summary.secrets  # kept for the audit, not in the summaries file
            self.summaries[folder.name] = (key, dataclasses.replace(summary, secrets=()))
            self.changed = True
        live = {f.name for f in folders}
        if set(self.summaries) - live:
            self.summaries = {k: v for k, v in self.summaries.items() if k in live}
            self.changed = True
        if self.changed:
            self.store.put("summaries", "v2", self.summaries)
        return lambda folder: self.summaries[folder.name][1]

    def slug(self, pupil_id: str) -> str:
        if not self._slugs:
            self._slugs = {r.pupil.id: name for name, (_, r) in self.summaries.items() if r.pupil}
        return self._slugs[pupil_id]

    def full(self, pupil_id: str) -> tuple[m.Pupil, tuple]:
        """The full record and audit values of a pupil, from the cache (parsed again if it is gone)."""
        if pupil_id not in self.fresh:
            slug = self.slug(pupil_id)
            record = self.store.get(slug, self.keys[slug])
            if record is None:  # the entry went missing under us: parse again
                record = load_pupil(self.root, self.root / "pupils" / slug, self.school)
            self.fresh[pupil_id] = record
        record = self.fresh[pupil_id]
        return record.pupil, record.secrets

    def secrets(self, pupil_id: str) -> tuple:
        """What the privacy audit looks for in a pupil's output (without reading the record again
        if it was parsed in this build)."""
        found = self.parsed_secrets.get(self.slug(pupil_id))
        return found if found is not None else self.full(pupil_id)[1]


DEFAULT_TERMS = ("autumn", "spring", "summer")
DEFAULT_SUBJECTS = ("reading", "writing", "maths")
DEFAULT_ATTITUDE = (
    m.AttitudeArea("attendance", "Attendance", (("green", 96.0), ("yellow", 90.0))),
    m.AttitudeArea("punctuality", "Punctuality"),
    m.AttitudeArea("behaviour", "Behaviour"),
    m.AttitudeArea("effort", "Effort"),
    m.AttitudeArea("reading_homework", "Reading homework"),
    m.AttitudeArea("uniform", "Uniform"),
)
DEFAULT_COLOURS = {"not_on_track": "red", "nearly_there": "yellow", "on_target": "green", "exceeding": "green"}
DEFAULT_WORK = (m.WorkKind("writing", "Writing", 2), m.WorkKind("theme", "Theme work", 1))
SCORE_RANGES = {"standardised": (40, 160), "scaled": (80, 120)}


def load_project(root: Path, cache_dir: Path | None = None, pool: Executor | None = None,
                 after: AfterParse | None = None) -> m.Project:
    """Return the whole project, or raise ProjectErrors listing every problem found.

    With cache_dir, a pupil whose files are unchanged is not parsed again; with pool, the
    pupils that must be parsed are parsed in parallel, and `after` runs on each sound one in
    the same job (its results are the project's `made`).
    """
    problems: list[Problem] = []
    school = load_school(root, problems)
    pupils: list = []
    cache = RecordCache(root, school, cache_dir) if school is not None and cache_dir is not None else None
    if school is not None:
        folders = pupil_folders(root)
        pupils = load_pupils(folders, root, school, problems, cache.read_all(folders, pool, after) if cache else None)
    warnings = problems_or_raise(problems)
    assert school is not None
    if cache is None:
        return m.Project(root, school, tuple(pupils), tuple(warnings))
    fingerprints = {p.id: cache.keys[p.slug] for p in pupils}
    return m.Project(root, school, tuple(pupils), tuple(warnings), fingerprints, cache.full, cache.secrets,
                     cache.made)


def _keys(r: Reader, path: tuple, value: Any, what: str) -> tuple[str, ...]:
    """Read a list of distinct names (terms, subjects, scale steps)."""
    items = r.listing(path, value) or []
    out: list[str] = []
    for i, item in enumerate(items):
        text = r.text(path + (i,), item, required=True)
        if text is None:
            continue
        if text in out:
            r.error(path + (i,), f"'{text}' is listed twice in {what}")
        out.append(text)
    if not out and items is not None:
        r.error(path, f"{what} must list at least one entry")
    return tuple(out)


# ---------------------------------------------------------------- school.yml

SCHOOL_KEYS = ("name", "current_year", "terms", "subjects", "scale", "status", "colours",
               "attitude", "assessments", "work", "staff")


def load_school(root: Path, problems: list[Problem]) -> m.School | None:
    """Read school.yml; return None if it is too broken to check pupils against."""
    file = root / "school.yml"
    if not file.is_file():
        problems.append(Problem("school.yml", 1, 1, "school.yml is missing: every project needs one"))
        return None
    src = _source(file, root, problems)
    if src is None:
        return None
    r = Reader(src, problems)
    doc = r.mapping((), src.data, SCHOOL_KEYS, required=("name", "current_year", "scale"))
    if doc is None:
        return None
    before = len(problems)
    name = r.text(("name",), doc.get("name"), required=True) or ""
    current = r.text(("current_year",), doc.get("current_year"), required=True) or ""
    if current and not m.valid_year_label(current):
        r.error(("current_year",), f"'{current}' is not an academic year label like 2026-27")
    terms = _keys(r, ("terms",), doc["terms"], "terms") if "terms" in doc else DEFAULT_TERMS
    subjects = _keys(r, ("subjects",), doc["subjects"], "subjects") if "subjects" in doc else DEFAULT_SUBJECTS
    scale = _keys(r, ("scale",), doc.get("scale"), "the scale") if doc.get("scale") is not None else ()
    exceeding, nearly = 1, -1
    if "status" in doc:
        status = r.mapping(("status",), doc["status"], ("exceeding", "nearly_there")) or {}
        if "exceeding" in status:
            exceeding = r.integer(("status", "exceeding"), status["exceeding"], 1, 99) or 1
        if "nearly_there" in status:
            nearly = r.integer(("status", "nearly_there"), status["nearly_there"], -99, -1) or -1
    colours = dict(DEFAULT_COLOURS)
    if "colours" in doc:
        for key, value in (r.mapping(("colours",), doc["colours"], m.STATUSES) or {}).items():
            if key in m.STATUSES:
                colours[key] = r.choice(("colours", key), value, m.COLOURS, "a colour") or colours[key]
    attitude = _attitude(r, doc["attitude"]) if "attitude" in doc else DEFAULT_ATTITUDE
    assessments = _assessments(r, doc.get("assessments") or [], subjects)
    work = _work_kinds(r, doc["work"]) if "work" in doc else DEFAULT_WORK
    staff = _staff(r, doc.get("staff") or [])
    if len(problems) > before and (not scale or not current or not m.valid_year_label(current)):
        return None
    return m.School(name, current, terms, subjects, scale, exceeding, nearly, colours,
                    attitude, assessments, work, staff)


def _unique_key(r: Reader, path: tuple, item: dict, seen: set[str], what: str) -> str | None:
    key = r.text(path + ("key",), item.get("key"), required=True)
    if key is not None and key in seen:
        r.error(path + ("key",), f"{what} '{key}' is defined twice")
        return None
    if key is not None:
        seen.add(key)
    return key


def _attitude(r: Reader, value: Any) -> tuple[m.AttitudeArea, ...]:
    areas, seen = [], set()
    for i, item in enumerate(r.listing(("attitude",), value) or []):
        path = ("attitude", i)
        item = r.mapping(path, item, ("key", "label", "percent_bands"), required=("key", "label"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "attitude area")
        label = r.text(path + ("label",), item.get("label"), required=True)
        bands: list[tuple[str, float]] = []
        if "percent_bands" in item:
            raw = r.mapping(path + ("percent_bands",), item["percent_bands"], m.COLOURS) or {}
            for colour, bound in raw.items():
                if colour in m.COLOURS:
                    low = r.number(path + ("percent_bands", colour), bound, 0, 100)
                    if low is not None:
                        bands.append((colour, float(low)))
            bands.sort(key=lambda band: -band[1])
        if key and label:
            areas.append(m.AttitudeArea(key, label, tuple(bands)))
    return tuple(areas)


def _assessments(r: Reader, value: Any, subjects: tuple[str, ...]) -> tuple[m.AssessmentKind, ...]:
    out, seen = [], set()
    for i, item in enumerate(r.listing(("assessments",), value) or []):
        path = ("assessments", i)
        item = r.mapping(path, item, ("key", "label", "subject", "kind", "max", "pass"),
                         required=("key", "label", "kind"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "assessment")
        label = r.text(path + ("label",), item.get("label"), required=True)
        kind = r.choice(path + ("kind",), item.get("kind"), m.ASSESSMENT_KINDS, "an assessment kind")
        subject = None
        if item.get("subject") is not None:
            subject = r.choice(path + ("subject",), item["subject"], subjects, "one of the school's subjects")
        top = pass_mark = None
        if kind == "mark":
            if item.get("max") is None:
                r.error(path, "'max' is required for kind: mark")
            else:
                top = r.integer(path + ("max",), item["max"], 1, 1000)
            if item.get("pass") is not None and top is not None:
                pass_mark = r.integer(path + ("pass",), item["pass"], 0, top)
        elif kind is not None:
            for extra in ("max", "pass"):
                if item.get(extra) is not None:
                    r.error(path + (extra,), f"'{extra}' only applies to kind: mark", at_key=True)
        if key and label and kind:
            out.append(m.AssessmentKind(key, label, kind, subject, top, pass_mark))
    return tuple(out)


def _work_kinds(r: Reader, value: Any) -> tuple[m.WorkKind, ...]:
    out, seen = [], set()
    for i, item in enumerate(r.listing(("work",), value) or []):
        path = ("work", i)
        item = r.mapping(path, item, ("key", "label", "per_year"), required=("key", "label"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "work kind")
        label = r.text(path + ("label",), item.get("label"), required=True)
        per_year = r.integer(path + ("per_year",), item.get("per_year", 1), 0, 50)
        if key and label and per_year is not None:
            out.append(m.WorkKind(key, label, per_year))
    return tuple(out)


def _staff(r: Reader, value: Any) -> tuple[m.StaffRole, ...]:
    out, seen = [], set()
    for i, item in enumerate(r.listing(("staff",), value) or []):
        path = ("staff", i)
        item = r.mapping(path, item, ("key", "label", "scope"), required=("key", "label", "scope"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "staff member")
        label = r.text(path + ("label",), item.get("label"), required=True)
        scope = item.get("scope")
        scope_class: str | None = None
        if isinstance(scope, dict):
            scope = r.mapping(path + ("scope",), scope, ("class",), required=("class",)) or {}
            scope_class = r.text(path + ("scope", "class"), scope.get("class"), required=True)
            if scope_class is None:
                continue
        elif scope != "all":
            r.error(path + ("scope",), "expected 'all' or {class: NAME}")
            continue
        if key and label:
            out.append(m.StaffRole(key, label, scope_class))
    return tuple(out)
