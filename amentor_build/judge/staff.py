"""The staff area's view of a judged folder (SPEC 7): each child's row of the class overview,
why they need attention, and the term the whole-school summary counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import model as m
from . import Folder, JudgedTerm, Signal, latest


def _next_term(school: m.School, before: JudgedTerm, after: JudgedTerm) -> bool:
    """Is `after` the term after `before` (two terms running)? With three terms a year, the very
    next one; with six half-terms, within a term's length (attainment is often recorded every
    other half-term)."""

    def place(t: JudgedTerm) -> int:
        return int(t.year[:4]) * len(school.terms) + school.terms.index(t.term)

    return 1 <= place(after) - place(before) <= max(1, len(school.terms) // 3)


def _this_year(terms: Sequence[JudgedTerm], newest: JudgedTerm | None) -> Sequence[JudgedTerm]:
    """The terms from the start of the school year of `newest` on (all, without one): what is
    said of a child now is never from an earlier year than their latest statuses."""
    return [t for t in terms if t.year >= newest.year] if newest is not None else terms


def _attended(t: JudgedTerm) -> bool:
    """Does the term have an attendance figure (judged: with its colour)?"""
    return any(x.key == "attendance" and x.signal is not None for x in t.attitude)


def _now(terms: Sequence[JudgedTerm]) -> JudgedTerm | None:
    """The term a child's statuses are of: the latest with attainment, else the latest of all."""
    return latest(terms, lambda t: bool(t.attainment)) or latest(terms)


def staff_overview(folder: Folder) -> dict[str, object]:
    """A child as the staff overview shows them (SPEC 7): each subject's status in the latest term
    with attainment, the latest attendance figure of that term's school year (colour, words,
    shape), and why they need attention, in words; a child who has left needs none."""
    attained = latest(folder.terms, lambda t: bool(t.attainment))
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
    newest = _now(terms)
    recent = _this_year(terms, newest)

    def when(t: JudgedTerm) -> str:
        return f" (as of {t.title})" if newest is not None and terms.index(t) < terms.index(newest) else ""

    for subject in school.subjects:
        marks = [(t, a) for t in terms for a in t.attainment if a.subject == subject]
        if not marks or (newest is not None and marks[-1][0].year < newest.year):
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
    attended = latest(recent, _attended)
    if attended is not None and attended.attendance is not None and attended.attendance < 90:
        reasons.append(f"Attendance {attended.attendance:g}%: under the persistent absence line of 90%{when(attended)}")
    for subject in school.subjects:
        reviewed = [t for t in terms if any(x.review for x in t.record.targets if x.subject == subject)][-2:]
        if (
            len(reviewed) == 2
            and (newest is None or reviewed[-1].year >= newest.year)
            and all(any(x.review == "not_yet" for x in t.record.targets if x.subject == subject) for t in reviewed)
        ):
            reasons.append(f"Targets not yet achieved in {subject} two reviews running")
    return reasons
