"""Stage 1, load: school.yml into a School, every setting checked and every problem collected."""

from __future__ import annotations

from typing import Any

from .. import model as m
from ..errors import Problem
from .reader import Reader, read_source
from .source import KeyPath

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


def _keys(r: Reader, path: KeyPath, value: Any, what: str, in_columns: bool = False) -> tuple[str, ...]:
    """Read a list of distinct names (terms, subjects, scale steps); in_columns: names the class
    sheet's columns are made of (see _dotless)."""
    items = r.listing(path, value)
    if items is None:
        return ()  # (not a list: said)
    out: list[str] = []
    for i, item in enumerate(items):
        text = r.text(path + (i,), item, required=True)
        if text is None or (in_columns and not _dotless(r, path + (i,), text)):
            continue
        if text in out:
            r.error(path + (i,), f"'{text}' is listed twice in {what}")
        out.append(text)
    if not out:
        r.error(path, f"{what} must list at least one entry")
    return tuple(out)


# ---------------------------------------------------------------- school.yml

SCHOOL_KEYS = (
    "name",
    "current_year",
    "terms",
    "subjects",
    "scale",
    "status",
    "colours",
    "attitude",
    "assessments",
    "work",
    "staff",
    "scale_guide",
)


def parse_school(data: bytes | None, problems: list[Problem]) -> m.School | None:
    """Read school.yml's bytes (None: there is none); None if it is too broken to check pupils against."""
    if data is None:
        problems.append(Problem("school.yml", 1, 1, "school.yml is missing: every project needs one"))
        return None
    src = read_source("school.yml", data, problems)
    if src is None:
        return None
    r = Reader(src, problems)
    before = len(problems)  # (a key missing is one of this file's problems too)
    doc = r.mapping((), src.data, SCHOOL_KEYS, required=("name", "current_year", "scale"))
    if doc is None:
        return None
    name = r.text(("name",), doc.get("name"), required=True) or ""
    current = r.text(("current_year",), doc.get("current_year"), required=True) or ""
    if current and not m.valid_year_label(current):
        r.error(("current_year",), f"'{current}' is not an academic year label like 2026-27")
    terms = _keys(r, ("terms",), doc["terms"], "terms") if "terms" in doc else DEFAULT_TERMS
    _apart(r, terms)
    subjects = _keys(r, ("subjects",), doc["subjects"], "subjects", True) if "subjects" in doc else DEFAULT_SUBJECTS
    scale, means = _scale(r, doc["scale"]) if doc.get("scale") is not None else ((), {})  # (said as required)
    guide = r.text(("scale_guide",), doc.get("scale_guide")) or ""
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
    if len(problems) > before and not (scale and terms and subjects and m.valid_year_label(current)):
        return None  # (no terms: every term of every year file would be said unknown, one error each)
    return m.School(
        name,
        current,
        terms,
        subjects,
        scale,
        exceeding,
        nearly,
        colours,
        attitude,
        assessments,
        work,
        staff,
        means,
        guide,
    )


def _apart(r: Reader, terms: tuple[str, ...]) -> None:
    """Two terms whose names differ only in spaces or hyphens (Autumn 1, Autumn-1) would be one
    in a page's addresses (model.term_anchor), one's form and notes lost: an error."""
    seen: dict[str, str] = {}
    for i, term in enumerate(terms):
        anchor = m.term_anchor("", term)
        if anchor in seen:
            r.error(("terms", i), f"'{term}' and '{seen[anchor]}' differ only in spaces or hyphens: name them apart")
        seen.setdefault(anchor, term)


def _scale(r: Reader, value: Any) -> tuple[tuple[str, ...], dict[str, str]]:
    """The scale's steps, lowest first; each a plain step or {step: 2b, means: "Year 2, beginning"}."""
    steps: list[Any] = []
    means: dict[str, str] = {}
    for i, item in enumerate(r.listing(("scale",), value) or []):
        if isinstance(item, dict):
            item = r.mapping(("scale", i), item, ("step", "means"), required=("step",))
            if item is None:
                continue
            step = r.text(("scale", i, "step"), item.get("step"), required=True)
            meaning = r.text(("scale", i, "means"), item.get("means")) or ""
            if step is not None and meaning:
                means[step] = meaning
            steps.append(step if step is not None else "")
        else:
            steps.append(item)
    return _keys(r, ("scale",), steps, "the scale"), means


def _dotless(r: Reader, path: KeyPath, name: str) -> bool:
    """A subject's name, or an attitude area's or assessment's key, names columns of the class
    sheet with a '.' between its parts (`reading.working_at`, `attitude.effort`): it holds none."""
    if "." not in name:
        return True
    r.error(
        path,
        f"'{name}' may not hold a '.': the class sheet's columns are named by it (write '{name.replace('.', '')}')",
    )
    return False


def _unique_key(
    r: Reader, path: KeyPath, item: dict[str, Any], seen: set[str], what: str, in_columns: bool = False
) -> str | None:
    key = r.text(path + ("key",), item.get("key"), required=True)
    if key is not None and in_columns and not _dotless(r, path + ("key",), key):
        return None
    if key is not None and key in seen:
        r.error(path + ("key",), f"{what} '{key}' is defined twice")
        return None
    if key is not None:
        seen.add(key)
    return key


def _attitude(r: Reader, value: Any) -> tuple[m.AttitudeArea, ...]:
    areas: list[m.AttitudeArea] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing(("attitude",), value) or []):
        path = ("attitude", i)
        item = r.mapping(path, item, ("key", "label", "percent_bands"), required=("key", "label"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "attitude area", in_columns=True)
        label = r.text(path + ("label",), item.get("label"), required=True)
        bands = _bands(r, path + ("percent_bands",), item["percent_bands"]) if "percent_bands" in item else []
        if key and label:
            areas.append(m.AttitudeArea(key, label, tuple(bands)))
    return tuple(areas)


def _bands(r: Reader, path: KeyPath, value: Any) -> list[tuple[str, float]]:
    """A percentage's bands, the best colour first, as they are applied (SPEC: `>= green` is
    green, `>= yellow` yellow, anything lower red). A colour whose bound is not below every
    better colour's is never given: warned of (`{green: 90, yellow: 96}`, the bounds swapped)."""
    raw = r.mapping(path, value, m.COLOURS)
    if raw is not None and not raw:
        r.error(path, "give at least one band, such as {green: 96, yellow: 90}")
    bands = []
    for colour, bound in (raw or {}).items():
        low = r.number(path + (colour,), bound, 0, 100) if colour in m.COLOURS else None
        if low is not None:
            bands.append((colour, float(low)))
    bands.sort(key=lambda band: -m.COLOURS.index(band[0]))
    for i, (colour, low) in enumerate(bands[1:], 1):
        better, high = min(bands[:i], key=lambda band: band[1])
        if low >= high and colour != "red":  # (a band of red changes nothing: anything lower is red)
            r.warn(
                path + (colour,),
                f"{colour} is never given: every percentage from {high:g} is {better} already; "
                f"give the better colour the higher bound",
            )
    # None usable (said above): one band of red from 0 means what no band means (everything
    # red), and keeps the area a percentage, so that no record's number is called "not a colour".
    return bands or [("red", 0.0)]


def _assessments(r: Reader, value: Any, subjects: tuple[str, ...]) -> tuple[m.AssessmentKind, ...]:
    out: list[m.AssessmentKind] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing(("assessments",), value) or []):
        path = ("assessments", i)
        item = r.mapping(
            path, item, ("key", "label", "subject", "kind", "max", "pass"), required=("key", "label", "kind")
        )
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "assessment", in_columns=True)
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
        if key:  # kept though its label or kind is wrong (said): no record's `test:` naming it is then said too
            out.append(m.AssessmentKind(key, label or key, kind or "", subject, top, pass_mark))
    return tuple(out)


def _work_kinds(r: Reader, value: Any) -> tuple[m.WorkKind, ...]:
    out: list[m.WorkKind] = []
    seen: set[str] = set()
    for i, item in enumerate(r.listing(("work",), value) or []):
        path = ("work", i)
        item = r.mapping(path, item, ("key", "label", "per_year"), required=("key", "label"))
        if item is None:
            continue
        key = _unique_key(r, path, item, seen, "work kind")
        label = r.text(path + ("label",), item.get("label"), required=True)
        per_year = r.integer(path + ("per_year",), item.get("per_year", 1), 0, 50)
        if key:  # kept though its label or per_year is wrong (said): no record's `kind: theme` is then said too
            out.append(m.WorkKind(key, label or key, 1 if per_year is None else per_year))
    return tuple(out)


def _staff(r: Reader, value: Any) -> tuple[m.StaffRole, ...]:
    out: list[m.StaffRole] = []
    seen: set[str] = set()
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
