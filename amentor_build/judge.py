"""Stage 2, judge: turn raw records into statuses, colours and explained results."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import model as m

STATUS_WORDS = {
    "not_on_track": "Not on track",
    "nearly_there": "Nearly there",
    "on_target": "On target",
    "exceeding": "Exceeding",
}
# A shape per status, fixed whatever colours the school picks: colour is never the only signal.
STATUS_ICONS = {"not_on_track": "✕", "nearly_there": "▲", "on_target": "●", "exceeding": "★"}
COLOUR_WORDS = {
    "red": "Causing concern",
    "yellow": "Needs to improve",
    "green": "Good",
    "blue": "Excellent",
    "purple": "Outstanding",
}
COLOUR_ICONS = {"red": "✕", "yellow": "▲", "green": "●", "blue": "★", "purple": "◆"}
REVIEW_WORDS = {"achieved": "Achieved", "partly": "Partly achieved", "not_yet": "Not yet", None: "Working on it"}
REVIEW_ICONS = {"achieved": "✓", "partly": "◐", "not_yet": "○", None: "…"}


@dataclass(frozen=True)
class Signal:
    """A traffic-light colour with the words and shape that say the same thing."""

    colour: str
    words: str
    icon: str


@dataclass(frozen=True)
class JudgedAttainment:
    subject: str
    working_at: str
    target: str
    status: str
    signal: Signal
    working_index: int
    target_index: int
    working_means: str = ""  # what the steps mean, where the school says (school.yml's scale)
    target_means: str = ""
    self_signal: Signal | None = None  # the child's own colour, with its words


@dataclass(frozen=True)
class JudgedAttitude:
    key: str
    label: str
    shown: str  # "97.4%" or the colour's words ("" where the teacher gave none)
    signal: Signal | None  # None: only the child gave a colour for the area this term
    self_signal: Signal | None = None  # the child's own colour, with its words


@dataclass(frozen=True)
class JudgedResult:
    label: str
    subject: str | None
    score: float
    shown: str
    meaning: str  # the whole sentence: what this kind of score is, and what this one means
    kind: str = ""  # standardised, scaled, mark
    about: str = ""  # what this kind of score is (said once on the assessments page)
    verdict: str = ""  # what this score means


@dataclass(frozen=True)
class JudgedTerm:
    year: str
    term: str
    title: str  # "Autumn 2025-26"
    anchor: str  # "2025-26-autumn"
    record: m.TermRecord
    attainment: tuple[JudgedAttainment, ...]
    attitude: tuple[JudgedAttitude, ...]
    results: tuple[JudgedResult, ...]

    @property
    def attendance(self) -> float | None:
        value = self.record.attitude.get("attendance")
        return value if isinstance(value, float) else None


@dataclass(frozen=True)
class JudgedYear:
    record: m.YearRecord
    terms: tuple[JudgedTerm, ...]


@dataclass(frozen=True)
class Folder:
    """Everything the render stage needs about one child."""

    pupil: m.Pupil
    school: m.School
    years: tuple[JudgedYear, ...]

    @property
    def terms(self) -> tuple[JudgedTerm, ...]:
        """Every term of the folder, oldest first."""
        return tuple(t for y in self.years for t in y.terms)

    @property
    def current_term(self) -> JudgedTerm | None:
        """The child's current form: the latest term with attainment; before any, the latest with
        attitude colours, else with any record. A newer term that holds only its targets so far
        (a term's start, and every new year a rollover makes), or only an early attendance
        figure, does not blank the form: the newer targets are its current targets
        (`targets_for`, named with their term), and the newer colours are on the year's page.
        A form whose term has no targets or colours yet shows the latest of its school year."""
        return _current(self.terms)

    @property
    def targets_term(self) -> JudgedTerm | None:
        """The latest term with targets: the child's current targets."""
        return next((t for t in reversed(self.terms) if t.record.targets), None)

    def targets_for(self, term: JudgedTerm) -> JudgedTerm | None:
        """The term whose targets a form of `term` shows instead of its own: a newer term's (set
        since the form's colours), or, where the term has none yet, the latest set earlier in
        its school year (still worked on; a rollover carries the open ones into the new year's
        first term); None: its own."""
        newest = self.targets_term
        if newest is None or newest is term:
            return None
        newer = self.terms.index(newest) > self.terms.index(term)
        return newest if newer or (not term.record.targets and newest.year == term.year) else None

    def colours_before(self, term: JudgedTerm) -> JudgedTerm | None:
        """The colours a form of `term` shows where the term has no attitude yet (none of the
        teacher's, none of the child's): the latest term earlier in its school year with the
        teacher's colours; None if the term has its own, or the year has none."""
        if term.attitude:
            return None
        earlier = self.terms[: self.terms.index(term)]
        return _latest(earlier, lambda t: t.year == term.year and any(a.signal for a in t.attitude))

    @property
    def latest_year(self) -> JudgedYear | None:
        return self.years[-1] if self.years else None


def judge_pupil(school: m.School, pupil: m.Pupil) -> Folder:
    years = tuple(JudgedYear(y, tuple(judge_term(school, y, t) for t in y.terms)) for y in pupil.years)
    return Folder(pupil, school, years)


def judge_term(school: m.School, year: m.YearRecord, term: m.TermRecord) -> JudgedTerm:
    attainment = tuple(judge_attainment(school, a) for a in term.attainment)
    attitude = tuple(  # an area the teacher or the child gave a colour for (the child's alone is shown too)
        judge_attitude(area, term.attitude.get(area.key), term.attitude_self.get(area.key))
        for area in school.attitude
        if area.key in term.attitude or area.key in term.attitude_self
    )
    kinds = [(school.assessment(r.test), r.score) for r in term.assessments]
    results = tuple(explain_result(kind, score) for kind, score in kinds if kind is not None)
    return JudgedTerm(
        year.year,
        term.term,
        f"{term.term.replace('_', ' ').capitalize()} {year.year}",
        f"{year.year}-{term.term}",
        term,
        attainment,
        attitude,
        results,
    )


def attainment_status(school: m.School, working_at: str, target: str) -> str:
    """Return the status from the distance, in scale steps, between working_at and target."""
    distance = school.scale.index(working_at) - school.scale.index(target)
    if distance >= school.exceeding_from:
        return "exceeding"
    if distance >= 0:
        return "on_target"
    if distance >= school.nearly_there_from:
        return "nearly_there"
    return "not_on_track"


def judge_attainment(school: m.School, a: m.Attainment) -> JudgedAttainment:
    status = a.status_override or attainment_status(school, a.working_at, a.target)
    signal = status_signal(school, status)
    return JudgedAttainment(
        a.subject,
        a.working_at,
        a.target,
        status,
        signal,
        school.scale.index(a.working_at),
        school.scale.index(a.target),
        school.scale_means.get(a.working_at, ""),
        school.scale_means.get(a.target, ""),
        own_signal(school, a.self_colour),
    )


def own_signal(school: m.School, colour: str | None) -> Signal | None:
    """The child's own colour for a subject, in the words of the status the school gives that
    colour ("On target" for green, not the attitude words "Good"); where no single status has
    that colour, the colour's own words."""
    statuses = [status for status, given in school.colours.items() if given == colour]
    return status_signal(school, statuses[0]) if len(statuses) == 1 else colour_signal(colour)


def status_signal(school: m.School, status: str) -> Signal:
    """A status in the school's colour, with the words and shape that say the same."""
    return Signal(school.colours[status], STATUS_WORDS[status], STATUS_ICONS[status])


def colour_signal(colour: str | None) -> Signal | None:
    """A colour (the child's own judgement) with the words and shape that say the same."""
    return None if colour is None else Signal(colour, COLOUR_WORDS[colour], COLOUR_ICONS[colour])


def attendance_colour(area: m.AttitudeArea, percent: float) -> str:
    """Bands are inclusive lower bounds, highest first; anything below every band is red."""
    for colour, low in area.percent_bands:
        if percent >= low:
            return colour
    return "red"


def judge_attitude(area: m.AttitudeArea, value: str | float | None, own: str | None = None) -> JudgedAttitude:
    """The teacher's colour (or percentage) for an area, if given, and the child's own colour if given."""
    if value is None:
        return JudgedAttitude(area.key, area.label, "", None, colour_signal(own))
    if isinstance(value, float):
        colour = attendance_colour(area, value)
        words = COLOUR_WORDS[colour]
        if area.key == "attendance" and value < 90:
            words = "Persistent absence (under 90%)"
        signal = Signal(colour, words, COLOUR_ICONS[colour])
        return JudgedAttitude(area.key, area.label, f"{value:g}%", signal, colour_signal(own))
    signal = Signal(value, COLOUR_WORDS[value], COLOUR_ICONS[value])
    return JudgedAttitude(area.key, area.label, COLOUR_WORDS[value], signal, colour_signal(own))


def explain_result(kind: m.AssessmentKind, score: float) -> JudgedResult:
    """Return the result with a sentence a parent can read: what the number means."""
    shown = f"{score:g}"
    if kind.kind == "standardised":
        below = round(100 * 0.5 * (1 + math.erf((score - 100) / (15 * math.sqrt(2)))))
        band = (
            "well below average"
            if score < 70
            else "below average"
            if score < 85
            else "in the average range"
            if score <= 115
            else "above average"
            if score <= 130
            else "well above average"
        )
        about = "Standardised score (100 is the national average; most children score 85 to 115)"
        verdict = f"{band.capitalize()}. About {max(1, min(99, below))} in 100 children of the same age score lower."
        meaning = f"{about}: {band}. About {max(1, min(99, below))} in 100 children of the same age score lower."
    elif kind.kind == "scaled":
        about = "Scaled score from 80 to 120 (the end of Key Stage 2 tests; 100 is the expected standard)"
        verdict = (
            "Met the expected standard (100 or more)" if score >= 100 else "Not yet at the expected standard of 100"
        ) + ("; a high score (110 or more)." if score >= 110 else ".")
        meaning = "Scaled score from 80 to 120. " + verdict
    else:
        shown = f"{score:g} out of {kind.max}"
        about = "A mark out of the test's total"
        if kind.pass_mark is not None:
            meaning = (
                f"Met the pass mark of {kind.pass_mark}."
                if score >= kind.pass_mark
                else f"Below the pass mark of {kind.pass_mark}; school will support and check again."
            )
        else:
            meaning = "Full marks." if score == kind.max else f"{round(100 * score / (kind.max or 1))}% of the marks."
        verdict = meaning
    return JudgedResult(kind.label, kind.subject, score, shown, meaning, kind.kind, about, verdict)


def _current(terms: Sequence[JudgedTerm]) -> JudgedTerm | None:
    """The latest term with attainment, else with attitude, else any (see Folder.current_term)."""
    return _latest(terms, lambda t: bool(t.attainment)) or _latest(terms, lambda t: bool(t.attitude)) or _latest(terms)


def _latest(terms: Sequence[JudgedTerm], has: Callable[[JudgedTerm], bool] = bool) -> JudgedTerm | None:
    """The latest of the terms that has what `has` asks for."""
    return next((t for t in reversed(terms) if has(t)), None)


def _next_term(school: m.School, before: JudgedTerm, after: JudgedTerm) -> bool:
    """Is `after` the term after `before` (two terms running)? With three terms a year, the very
    next one; with six half-terms, within a term's length (attainment is often recorded every
    other half-term)."""

    def place(t: JudgedTerm) -> int:
        return int(t.year[:4]) * len(school.terms) + school.terms.index(t.term)

    return 1 <= place(after) - place(before) <= max(1, len(school.terms) // 3)


def _this_year(terms: Sequence[JudgedTerm], latest: JudgedTerm | None) -> Sequence[JudgedTerm]:
    """The terms from the start of the school year of `latest` on (all, without one): what is
    said of a child now is never from an earlier year than their latest statuses."""
    return [t for t in terms if t.year >= latest.year] if latest is not None else terms


def _attended(t: JudgedTerm) -> bool:
    """Does the term have an attendance figure (judged: with its colour)?"""
    return any(x.key == "attendance" and x.signal is not None for x in t.attitude)


def _now(terms: Sequence[JudgedTerm]) -> JudgedTerm | None:
    """The term a child's statuses are of: the latest with attainment, else the latest of all."""
    return _latest(terms, lambda t: bool(t.attainment)) or _latest(terms)


def staff_overview(folder: Folder) -> dict[str, object]:
    """A child as the staff overview shows them (SPEC 7): each subject's status in the latest term
    with attainment, the latest attendance figure of that term's school year (colour, words,
    shape), and why they need attention, in words; a child who has left needs none."""
    attained = _latest(folder.terms, lambda t: bool(t.attainment))
    subjects = {a.subject: {"status": a.status, **_signal(a.signal)} for a in attained.attainment} if attained else {}
    attendance = next(
        (
            {"shown": x.shown, "value": t.attendance, **_signal(x.signal)}
            for t in reversed(_this_year(folder.terms, _now(folder.terms)))
            for x in t.attitude
            if x.key == "attendance" and x.signal is not None
        ),
        None,
    )
    return {
        "term": attained.title if attained else "",
        "term_anchor": attained.anchor if attained else "",  # for the whole-school summary's "this term"
        "subjects": subjects,
        "attendance": attendance,
        "attention": attention(folder.school, list(folder.terms)) if folder.pupil.left is None else [],
    }


def this_term(school: m.School, rows: list[dict[str, Any]]) -> dict[str, str] | None:
    """The school's term now, as the whole-school summary counts it: the latest term of the
    current year for which any child on roll has attainment (rows: the staff overview's, each
    with `left`); None before any. The summary counts the children whose row is of that term."""
    order = {f"{school.current_year}-{term}": i for i, term in enumerate(school.terms)}
    found = {r["term_anchor"]: r["term"] for r in rows if r["left"] is None and r.get("term_anchor") in order}
    if not found:
        return None
    anchor = max(found, key=order.__getitem__)
    return {"anchor": anchor, "title": found[anchor]}


def _signal(signal: Signal) -> dict[str, str]:
    return {"colour": signal.colour, "words": signal.words, "icon": signal.icon}


BELOW_TARGET = ("nearly_there", "not_on_track")  # a status as given, the teacher's `status:` too


def attention(school: m.School, terms: list[JudgedTerm]) -> list[str]:
    """Why a child needs attention now, each reason in words (none: no reason).

    Each subject's status is its latest in the school year of the latest term with attainment
    (`_now`): a subject not yet entered in that term keeps the status it had earlier in the
    year, and the reason names that term. Attendance is the latest figure of that year (a newer
    term with only targets, or only attendance, takes nothing away). Targets count per subject,
    their latest review in that year too. Nothing said is from an earlier year, but for the
    first of two terms or reviews running (last summer's, before this autumn's)."""
    reasons = []
    latest = _now(terms)
    recent = _this_year(terms, latest)

    def when(t: JudgedTerm) -> str:
        return f" (as of {t.title})" if latest is not None and terms.index(t) < terms.index(latest) else ""

    for subject in school.subjects:
        marks = [(t, a) for t in terms for a in t.attainment if a.subject == subject]
        if not marks or (latest is not None and marks[-1][0].year < latest.year):
            continue  # none, or none this school year
        now, a = marks[-1]
        running = (
            len(marks) >= 2
            and _next_term(school, marks[-2][0], now)
            and marks[-2][1].status in BELOW_TARGET
            and a.status in BELOW_TARGET
        )
        if a.status == "not_on_track":
            reasons.append(f"Not on track in {subject}{when(now)}" + (", and below target two terms running" * running))
        elif running:
            reasons.append(f"Below target in {subject} two terms running{when(now)}")
    attended = _latest(recent, _attended)
    if attended is not None and attended.attendance is not None and attended.attendance < 90:
        reasons.append(f"Attendance {attended.attendance:g}%: under the persistent absence line of 90%{when(attended)}")
    for subject in school.subjects:
        reviewed = [t for t in terms if any(x.review for x in t.record.targets if x.subject == subject)][-2:]
        if (
            len(reviewed) == 2
            and (latest is None or reviewed[-1].year >= latest.year)
            and all(any(x.review == "not_yet" for x in t.record.targets if x.subject == subject) for t in reviewed)
        ):
            reasons.append(f"Targets not yet achieved in {subject} two reviews running")
    return reasons
