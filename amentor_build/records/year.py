"""Stage 1, load (continued): one <YYYY-YY>.yml year file against the school's settings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from .. import model as m
from ..errors import closest
from .reader import Reader, dotted
from .source import KeyPath

YEAR_KEYS = ("year_group", "class", "teacher", "terms", "work")
TERM_KEYS = frozenset(
    ("attainment", "attitude", "targets", "assessments", "conversation", "staff_notes", "attitude_self")
)
ATTAINMENT_KEYS = frozenset(("working_at", "target", "status", "self"))
TARGET_KEYS, RESULT_KEYS = frozenset(("text", "review")), frozenset(("test", "score"))
WORK_KEYS = ("kind", "title", "file", "pupil_caption", "date")


class YearReader:
    """Reads one <YYYY-YY>.yml file against the school's settings."""

    def __init__(self, r: Reader, school: m.School, label: str):
        self.r, self.school, self.label = r, school, label
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
        if class_name is not None and self.label == self.school.current_year:
            self.scoped(class_name)
        teacher = r.text(("teacher",), doc.get("teacher")) or ""
        terms: list[m.TermRecord] = []
        if doc.get("terms") is not None:
            raw = r.mapping(("terms",), doc["terms"], self.school.terms) or {}
            for term in self.school.terms:
                if raw.get(term) is not None:
                    record = self.term(term, raw[term])
                    if record is not None:
                        terms.append(record)
            for key, value in raw.items():  # `Autumn:`: what it holds is checked too, not only its name
                near = _meant_term(key, self.school.terms)
                if key not in self.school.terms and near is not None and near not in raw and value is not None:
                    self.term(near, value, written=key)  # its problems said; not kept (its name is an error)
        work = self.work(doc.get("work") or [])
        if group is None or class_name is None:
            return None
        return m.YearRecord(self.label, group, class_name, teacher, tuple(terms), tuple(work), r.source.path)

    def scoped(self, class_name: str) -> None:
        """A class written unlike the class of a staff login only in its capitals or spaces
        ('robins' for Robins), or a letter or two away from it and no staff login's class itself
        ('Wrenz' for Wrens), is a warning: that login's list would not hold the child."""
        near = m.class_near(class_name, (role.scope_class for role in self.school.staff if role.scope_class))
        if near is not None:
            spelt = near.casefold().split() == class_name.casefold().split()  # only capitals or spaces
            new = "" if spelt else " (or, for a new class, give it a staff login in school.yml)"
            self.r.warn(
                ("class",),
                f"'{class_name}' is not '{near}', the class of a staff login (school.yml): this child is not "
                f"in its list; write '{near}'{new}",
            )

    def step(self, path: KeyPath, value: Any) -> str | None:
        text = self.r.text(path, value, required=True)
        if text is not None and text not in self.school.scale:
            self.r.error(path, not_a_step(text, self.school.scale))
            return None
        return text

    def unmeant(self, colour: str) -> str:
        """Why a child's own colour for a subject that no status has says nothing the folder can
        explain: it shows a subject's colour in the words of its status (SPEC 8)."""
        used = ", ".join(dict.fromkeys(self.school.colours.values()))
        return (
            f"{colour} is the colour of no status in school.yml (colours: {used}): the folder cannot say "
            "what the child meant by it for a subject; give one of those"
        )

    def term(self, term: str, value: Any, written: Any = None) -> m.TermRecord | None:
        """The term's record (written: the key it is under, if not its name)."""
        r, base = self.r, ("terms", term if written is None else written)
        doc = r.mapping(base, value, TERM_KEYS)
        if doc is None:
            return None
        attainment = []
        for subject, item in (
            r.mapping(base + ("attainment",), doc.get("attainment") or {}, self.subjects) or {}
        ).items():
            path = base + ("attainment", subject)
            item = r.mapping(path, item, ATTAINMENT_KEYS, required=("working_at", "target"))
            if item is None or subject not in self.school.subjects:
                continue
            working = self.step(path + ("working_at",), item.get("working_at"))
            target = self.step(path + ("target",), item.get("target"))
            status = None
            if item.get("status") is not None:
                status = r.choice(path + ("status",), item["status"], m.STATUSES, "a status")
            own = None
            if item.get("self") is not None:
                own = r.choice(path + ("self",), item["self"], m.COLOURS, "a colour")
                # (the current year's only: a finished year, frozen, cannot be given another)
                if (
                    own is not None
                    and own not in self.school.colours.values()
                    and self.label == self.school.current_year
                ):
                    r.warn(path + ("self",), self.unmeant(own))
            if working and target:
                attainment.append(m.Attainment(subject, working, target, status, own))
        attitude = self.attitude(base + ("attitude",), doc.get("attitude") or {})
        targets = self.targets(base + ("targets",), doc.get("targets") or {})
        results = self.assessments(base + ("assessments",), doc.get("assessments") or [])
        conversation = None
        if doc.get("conversation") is not None:
            conversation = self.conversation(base + ("conversation",), doc["conversation"])
        notes = r.text(base + ("staff_notes",), doc.get("staff_notes")) or ""
        own_view: dict[str, str] = {}
        for key, item in (
            r.mapping(base + ("attitude_self",), doc.get("attitude_self") or {}, self.area_keys) or {}
        ).items():
            colour = r.choice(base + ("attitude_self", key), item, m.COLOURS, "a colour")
            if colour and key in self.areas:
                own_view[key] = colour
        return m.TermRecord(
            term, tuple(attainment), attitude, tuple(targets), tuple(results), conversation, notes, own_view
        )

    def attitude(self, path: KeyPath, value: Any) -> dict[str, str | float]:
        areas = self.areas
        out: dict[str, str | float] = {}
        for key, item in (self.r.mapping(path, value, self.area_keys) or {}).items():
            area = areas.get(key)
            if area is None:
                continue
            if area.percent_bands:
                number = self.r.number(path + (key,), item, 0, 100)
                if number is not None and 0 < number < 1:  # 0.972: a spreadsheet's fraction, pasted
                    meant = f"{number * 100:.4g}"
                    self.r.error(path + (key,), f"{number:g} reads as {number:g}%; for {meant}%, write {meant}")
                elif number is not None:
                    out[key] = float(number)
            else:
                colour = self.r.choice(path + (key,), item, m.COLOURS, "a colour")
                if colour:
                    out[key] = colour
        return out

    def targets(self, path: KeyPath, value: Any) -> list[m.Target]:
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

    def assessments(self, path: KeyPath, value: Any) -> list[m.AssessmentResult]:
        out: list[m.AssessmentResult] = []
        for i, item in enumerate(self.r.listing(path, value) or []):
            item = self.r.mapping(path + (i,), item, RESULT_KEYS, required=("test", "score"))
            if item is None:
                continue
            test = self.r.choice(path + (i, "test"), item.get("test"), self.tests, "an assessment of the school")
            kind = self.school.assessment(test) if test else None
            if kind is None or item.get("score") is None or not m.score_range_known(kind):
                continue  # (a kind not known, a mark without a usable max: school.yml's error, said there)
            low, high = m.score_range(kind)
            score = self.r.number(path + (i, "score"), item["score"], low, high)
            first = next((r for r in out if r.test == test), None)
            if first is not None:  # a retest, say: the termly sheet has one cell for it, and shows the first
                self.r.warn(
                    path + (i, "test"),
                    f"'{test}' is in this term twice (the first: {first.score:g}); the termly sheet shows only "
                    "the first, and a score typed there changes only the first",
                )
            if score is not None and test is not None:
                out.append(m.AssessmentResult(test, score))
        return out

    def conversation(self, path: KeyPath, value: Any) -> m.Conversation | None:
        doc = self.r.mapping(path, value, frozenset(m.CONVERSATION_KEYS))
        if doc is None:
            return None
        date = self.r.date(path + ("date",), doc["date"], self.bounds) if doc.get("date") is not None else None
        texts = {k: self.r.text(path + (k,), doc.get(k)) or "" for k in m.CONVERSATION_KEYS if k != "date"}
        return m.Conversation(date, **texts)

    def work(self, value: Any) -> list[m.WorkItem]:
        r, out = self.r, []
        kinds = {k.key: k for k in self.school.work}
        counts: dict[str, int] = {}
        for i, item in enumerate(r.listing(("work",), value) or []):
            path = ("work", i)
            item = r.mapping(path, item, WORK_KEYS, required=("kind", "title", "file"))
            if item is None:
                continue
            kind = r.choice(path + ("kind",), item.get("kind"), kinds, "a kind of work of the school")
            title = r.text(path + ("title",), item.get("title"), required=True)
            rel = r.text(path + ("file",), item.get("file"), required=True)
            caption = r.text(path + ("pupil_caption",), item.get("pupil_caption")) or ""
            date = r.date(path + ("date",), item["date"], self.bounds) if item.get("date") is not None else None
            if kind and title and rel:
                counts[kind] = counts.get(kind, 0) + 1
                at = (r.source.path, *r.source.position(path + ("file",)), dotted(path + ("file",)))
                out.append(m.WorkItem(kind, title, rel, caption, date, at))
        for kind, count in counts.items():
            if count > kinds[kind].per_year:
                r.warn(
                    ("work",),
                    at_key=True,
                    message=f"{count} piece{'s' if count != 1 else ''} of {m.in_sentence(kinds[kind].label)} "
                    f"chosen; the school asks for {kinds[kind].per_year or 'none'} a year",
                )
        return out


def not_a_step(text: str, scale: tuple[str, ...]) -> str:
    """What is said of a value that is not a step of the school's scale (records and sheets)."""
    return (
        f"'{text}' is not a step of the school's scale{closest(text, scale)}, which runs from {scale[0]} to {scale[-1]}"
    )


def _meant_term(key: Any, terms: Sequence[str]) -> str | None:
    """The term a key not quite its name means (`Autumn`, `autum`, `spring 1`), if one is close."""

    def fold(name: object) -> str:
        return re.sub(r"[\s_-]+", "_", str(name).strip().casefold())

    by_folded = {fold(term): term for term in terms}  # (`michaelmas ii` for the school's Michaelmas II)
    found = difflib.get_close_matches(fold(key), list(by_folded), n=1, cutoff=0.8)
    return by_folded[found[0]] if found else None
