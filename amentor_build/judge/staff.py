"""The staff area's view of a judged folder (SPEC 7): each child's row of the class overview,
why they need attention, and the term the whole-school summary counts."""

from __future__ import annotations

from typing import Any

from .. import model as m
from . import PERSISTENT_ABSENCE, Folder, JudgedTerm, Signal, latest


def _next_term(school: m.School, before: JudgedTerm, after: JudgedTerm) -> bool:
    """Is `after` the term after `before` (two terms running)? With three terms a year, the very
    next one; with six half-terms, within a term's length (attainment is often recorded every
    other half-term)."""

    def place(t: JudgedTerm) -> int:
        return int(t.year[:4]) * len(school.terms) + school.terms.index(t.term)

    return 1 <= place(after) - place(before) <= max(1, len(school.terms) // 3)


def _attended(t: JudgedTerm) -> bool:
    """Does the term have an attendance figure (judged: with its colour)?"""
    return any(x.key == "attendance" and x.signal is not None for x in t.attitude)


def school_year(folder: Folder) -> str | None:
    """The child's school year now: that of their newest year file, whatever it holds yet (a
    rollover's new year with only its carried targets is this year): what staff are told of a
    child is never from an earlier one."""
    return folder.years[-1].record.year if folder.years else None


def staff_overview(folder: Folder) -> dict[str, object]:
    """A child as the staff overview shows them (SPEC 7): each subject's status, the latest of
    the school year of their latest term with attainment (a subject not yet entered in that term
    keeps its status of earlier in the year, with that term); the latest attendance figure of
    their school year now, else of the school year of the subjects' statuses (right after a
    rollover: last summer's, as the family's current form shows it) (colour, words, shape; with
    its term where that is not the subjects'); and why they need attention, in words, from their
    school year now only (the staff list says none of a child who has left:
    protection.seal.staff_rows)."""
    terms = list(folder.terms)
    attained = latest(terms, lambda t: bool(t.attainment))
    subjects = _statuses(folder, attained) if attained is not None else {}
    year = school_year(folder)
    attendance = next(
        (
            {"shown": x.shown, "value": t.attendance, **_signal(x.signal)}
            | ({"term": t.title} if t is not attained else {})
            for t in reversed(terms)
            if t.year == year or (attained is not None and t.year == attained.year)
            for x in t.attitude
            if x.key == "attendance" and x.signal is not None
        ),
        None,
    )  # (a figure of another term than the row's colours says which: "91.2% (Spring 2026-27)")
    return {
        "term": attained.title if attained else "",
        "term_anchor": attained.anchor if attained else "",  # for the whole-school summary's "this term"
        "subjects": subjects,
        "attendance": attendance,
        "attention": attention(folder.school, terms, year),  # none for a child who has left (seal.staff_rows)
    }


def _statuses(folder: Folder, attained: JudgedTerm) -> dict[str, dict[str, str]]:
    """Each subject's latest status in the school year of `attained` (the latest term with
    attainment), up to it (Folder.marks); one from an earlier term says which (`term`)."""
    return {
        a.subject: {"status": a.status, **_signal(a.signal)}
        | ({"term": a.since} if a.since else {})
        | ({"judged": "teacher"} if a.judged else {})  # the teacher's own status, not the steps'
        for a in folder.marks(attained)
    }


def this_term(school: m.School, rows: list[dict[str, Any]]) -> dict[str, str] | None:
    """The school's term now, as the whole-school summary counts it: the latest term of the
    current year for which any child on roll has attainment (rows: the staff overview's, each
    with `left`); None before any. The summary counts the children whose row is of that term."""
    order = {m.term_anchor(school.current_year, term): i for i, term in enumerate(school.terms)}
    found = {r["term_anchor"]: r["term"] for r in rows if r["left"] is None and r.get("term_anchor") in order}
    if not found:
        return None
    anchor = max(found, key=order.__getitem__)
    return {"anchor": anchor, "title": found[anchor]}


def _signal(signal: Signal) -> dict[str, str]:
    return {"colour": signal.colour, "words": signal.words, "icon": signal.icon}


BELOW_TARGET = ("nearly_there", "not_on_track")  # a status as given, the teacher's `status:` too


def attention(school: m.School, terms: list[JudgedTerm], year: str | None) -> list[str]:
    """Why a child needs attention now, each reason in words (none: no reason).

    year: the child's school year now (`school_year`); nothing said is from an earlier one, but
    for the first of two terms or reviews running (last summer's, before this autumn's). Each
    subject's status is its latest in that year: one not yet entered in the newest term keeps the
    status it had earlier, and a reason from any term but the child's newest names its term.
    Attendance is the latest figure of that year (a newer term with only targets, or only
    attendance, takes nothing away). Targets count per subject, their latest review in that year.
    """
    reasons = []
    newest = terms[-1] if terms else None

    def when(t: JudgedTerm) -> str:
        return f" (as of {t.title})" if t is not newest else ""

    for subject in school.subjects:
        marks = [(t, a) for t in terms for a in t.attainment if a.subject == subject]
        if not marks or marks[-1][0].year != year:
            continue  # none, or none this school year
        now, a = marks[-1]
        running = (
            len(marks) >= 2
            and _next_term(school, marks[-2][0], now)
            and marks[-2][1].status in BELOW_TARGET
            and a.status in BELOW_TARGET
        )
        both = _two(marks[-2][0], now) if running else ""
        if a.status == "not_on_track":
            reasons.append(
                f"Not on track in {subject}{when(now)}" + (f", and below target two terms running{both}" * running)
            )
        elif running:
            reasons.append(f"Below target in {subject} two terms running{both}")
    attended = latest([t for t in terms if t.year == year], _attended)
    if attended is not None and attended.attendance is not None and attended.attendance < PERSISTENT_ABSENCE:
        line = f"under the persistent absence line of {PERSISTENT_ABSENCE}%"
        reasons.append(f"Attendance {attended.attendance:g}%: {line}{when(attended)}")
    for subject in school.subjects:
        reviewed = [t for t in terms if any(x.review for x in t.record.targets if x.subject == subject)][-2:]
        if (
            len(reviewed) == 2
            and reviewed[-1].year == year
            and all(any(x.review == "not_yet" for x in t.record.targets if x.subject == subject) for t in reviewed)
        ):
            reasons.append(f"Targets not yet achieved in {subject} two reviews running{_two(*reviewed)}")
    return reasons


def _two(first: JudgedTerm, then: JudgedTerm) -> str:
    """Which two terms running, said: " (Autumn and Spring 2026-27)", or across a summer
    " (Summer 2025-26 and Autumn 2026-27)"."""
    said = first.title.removesuffix(f" {first.year}") if first.year == then.year else first.title
    return f" ({said} and {then.title})"
