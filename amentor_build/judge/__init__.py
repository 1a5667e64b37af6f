"""Stage 2, judge: turn raw records into statuses, colours and explained results.

What the staff area says of each child (its overview row, why they need attention) is in
`judge.staff`, worked out from the judged folder."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import TypeVar

from .. import model as m

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
    judged: bool = False  # the teacher's own `status:`, other than the steps give (said in staff views)
    since: str = ""  # in a current form, a mark of an earlier term ("Autumn 2026-27"): see Folder.form


@dataclass(frozen=True)
class JudgedAttitude:
    key: str
    label: str
    shown: str  # "97.4%" or the colour's words ("" where the teacher gave none)
    signal: Signal | None  # None: only the child gave a colour for the area this term
    self_signal: Signal | None = None  # the child's own colour, with its words
    measured: bool = False  # a percentage (attendance): the school's measure, never the child's own view
    since: str = ""  # in a current form, a colour of an earlier term: see Folder.form


Row = TypeVar("Row", JudgedAttainment, JudgedAttitude)  # a row of a term's form


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

    @property
    def own_attainment(self) -> bool:
        """Did the child give their own colour for a subject this term (the form shows a column of them)?"""
        return any(a.self_signal for a in self.attainment)

    @property
    def own_attitude(self) -> bool:
        """Did the child give their own colour for an area of attitude this term?"""
        return any(a.self_signal for a in self.attitude)


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
        figure, does not blank the form, nor take its results and conversation away: the newer
        targets are its current targets (`targets_for`, named with their term), the newer
        colours stand in it with their term (`form`), and newer results follow it
        (`results_after`). A form whose term has no targets or colours yet shows the latest of
        its school year."""
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

    def form(self, term: JudgedTerm) -> JudgedTerm:
        """The current form of `term`: its own marks and colours, with, each marked with its term
        (`since`): for each subject and area of attitude it has none of yet (a term half
        entered: a sheet back with only maths so far), the latest of earlier in its school year;
        and for each area a newer term has the teacher's colour for (attendance entered before
        the next term's attainment, or a new year's first figure), that newer colour: a family
        never reads an older "Persistent absence" than the school holds. A term with no attitude
        and none newer shows an earlier term's whole (colours_before) instead."""
        terms = self.terms
        at = terms.index(term)
        earlier = [t for t in terms[:at] if t.year == term.year]
        attainment = self.marks(term)  # (the term's own tuple where nothing is carried)
        newer = _carried(terms[at + 1 :], lambda t: [a for a in t.attitude if a.signal], attrgetter("key"))
        own = {a.key: a for a in term.attitude}
        given = {key for key, a in own.items() if a.signal}  # the teacher's, this term
        held = _carried(
            earlier, lambda t: [a for a in t.attitude if a.signal and a.key not in given], attrgetter("key")
        )
        if not newer and (not term.attitude or not held):  # (no attitude: colours_before, another term's whole)
            return term if attainment is term.attainment else replace(term, attainment=attainment)
        rows = {key: a for key, a in own.items() if key in given}
        # another term's colour of the teacher's, beside the child's own of this term, if any (the
        # child's own of another term is on its year's page, not in this form)
        for a in (*held, *newer):  # (a newer one last: it stands)
            rows[a.key] = replace(a, self_signal=own[a.key].self_signal if a.key in own else None)
        rows |= {key: a for key, a in own.items() if key not in rows}  # the child's alone, nothing else
        order = {a.key: i for i, a in enumerate(self.school.attitude)}
        attitude = tuple(sorted(rows.values(), key=lambda a: order.get(a.key, len(order))))
        return replace(term, attainment=attainment, attitude=attitude)

    def marks(self, term: JudgedTerm) -> tuple[JudgedAttainment, ...]:
        """Each subject's latest mark in the school year of `term`, up to it: its own, and for a
        subject it has none of yet (a term half entered), the latest of earlier in the year,
        marked with that term (`since`); the term's own tuple where nothing is carried. The
        current form's (`form`), and the staff overview's statuses (staff.staff_overview)."""
        earlier = [t for t in self.terms[: self.terms.index(term)] if t.year == term.year]
        subjects = {a.subject for a in term.attainment}
        carried = _carried(
            earlier, lambda t: [a for a in t.attainment if a.subject not in subjects], attrgetter("subject")
        )
        if not carried:
            return term.attainment
        order = {s: i for i, s in enumerate(self.school.subjects)}
        return tuple(sorted((*term.attainment, *carried), key=lambda a: order.get(a.subject, len(order))))

    def colours_before(self, term: JudgedTerm) -> JudgedTerm | None:
        """The colours a form of `term` shows where the term has no attitude yet (none of the
        teacher's, none of the child's): the latest term earlier in its school year with the
        teacher's colours; None if the term has its own, or the year has none."""
        if term.attitude:
            return None
        earlier = self.terms[: self.terms.index(term)]
        return latest(earlier, lambda t: t.year == term.year and any(a.signal for a in t.attitude))

    def results_after(self, term: JudgedTerm) -> tuple[JudgedTerm, ...]:
        """The newer terms with assessment results than `term` (the current form's): a summer term
        that holds only its results so far (a Year 6 child's KS2 results) is on the overview too."""
        terms = self.terms
        return tuple(t for t in terms[terms.index(term) + 1 :] if t.results)

    @property
    def latest_year(self) -> JudgedYear | None:
        return self.years[-1] if self.years else None

    def progress(self, subject: str) -> list[tuple[JudgedTerm, JudgedAttainment]]:
        """Each term with a mark in the subject, and that mark, oldest first (a progress chart's
        points, and the rows of the table under it)."""
        return [(t, a) for y in self.years for t in y.terms for a in t.attainment if a.subject == subject]


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
        f"{m.heading(term.term.replace('_', ' '))} {year.year}",
        m.term_anchor(year.year, term.term),
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
    computed = attainment_status(school, a.working_at, a.target)
    status = a.status_override or computed
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
        status != computed,
    )


def own_signal(school: m.School, colour: str | None) -> Signal | None:
    """The child's own colour for a subject, in the words of the statuses the school gives that
    colour ("On target" for green, not the attitude words "Good"; "On target or exceeding" where
    both are green, as SPEC's default colours have them, with the lower one's shape); a colour
    no status has (warned of where the record gives it) in the colour's own words."""
    statuses = [status for status in m.STATUSES if school.colours.get(status) == colour]
    if not statuses:
        return colour_signal(colour)
    words = [STATUS_WORDS[status] for status in statuses]
    said = " or ".join(filter(None, (", ".join(words[:-1]), words[-1])))  # "Nearly there, on target or exceeding"
    return Signal(school.colours[statuses[0]], said.capitalize(), STATUS_ICONS[statuses[0]])


def status_signal(school: m.School, status: str) -> Signal:
    """A status in the school's colour, with the words and shape that say the same."""
    return Signal(school.colours[status], STATUS_WORDS[status], STATUS_ICONS[status])


def colour_signal(colour: str | None) -> Signal | None:
    """A colour (the child's own judgement) with the words and shape that say the same."""
    return None if colour is None else Signal(colour, COLOUR_WORDS[colour], COLOUR_ICONS[colour])


def attendance_colour(area: m.AttitudeArea, percent: float) -> str:
    """Bands are inclusive lower bounds, the best colour first; anything below every band is red."""
    for colour, low in area.percent_bands:
        if percent >= low:
            return colour
    return "red"


PERSISTENT_ABSENCE = 90  # attendance under this percentage is persistent absence (the DfE's line)


def judge_attitude(area: m.AttitudeArea, value: str | float | None, own: str | None = None) -> JudgedAttitude:
    """The teacher's colour (or percentage) for an area, if given, and the child's own colour if given."""
    if value is None:
        return JudgedAttitude(area.key, area.label, "", None, colour_signal(own), bool(area.percent_bands))
    if isinstance(value, float):
        colour = attendance_colour(area, value)
        words = COLOUR_WORDS[colour]
        if area.key == "attendance" and value < PERSISTENT_ABSENCE:
            words = f"Persistent absence (under {PERSISTENT_ABSENCE}%)"
        signal = Signal(colour, words, COLOUR_ICONS[colour])
        return JudgedAttitude(area.key, area.label, f"{value:g}%", signal, colour_signal(own), True)
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
        lower = f"About {max(1, min(99, below))} in 100 children of the same age score lower."
        verdict = f"{band.capitalize()}. {lower}"
        meaning = f"{about}: {band}. {lower}"
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
                else f"Below the pass mark of {kind.pass_mark}: the school will support your child and check again."
            )
        else:
            meaning = "Full marks." if score == kind.max else f"{round(100 * score / (kind.max or 1))}% of the marks."
        verdict = meaning
    return JudgedResult(kind.label, kind.subject, score, shown, meaning, kind.kind, about, verdict)


def _carried(
    terms: Sequence[JudgedTerm], rows: Callable[[JudgedTerm], list[Row]], key: Callable[[Row], str]
) -> list[Row]:
    """The latest of each row (by its `key`: subject or area) in the terms, each marked with its term."""
    found: dict[str, Row] = {}
    for t in reversed(terms):
        for row in rows(t):
            found.setdefault(key(row), replace(row, since=t.title))
    return list(found.values())


def _current(terms: Sequence[JudgedTerm]) -> JudgedTerm | None:
    """The latest term with attainment, else with attitude, else any (see Folder.current_term)."""
    return latest(terms, lambda t: bool(t.attainment)) or latest(terms, lambda t: bool(t.attitude)) or latest(terms)


def latest(terms: Sequence[JudgedTerm], has: Callable[[JudgedTerm], bool] = bool) -> JudgedTerm | None:
    """The latest of the terms that has what `has` asks for."""
    return next((t for t in reversed(terms) if has(t)), None)
