"""What the audit looks for of each child (its secrets): the values that identify them (names,
id, folder, guardians, work files) and the free text of their records, as words (see the
audit's docstring: letters and digits, folded, whatever their case, accents and markup)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import YEAR_6_LEAVER, Pupil

WORD = re.compile(r"[^\W_]+")  # letters and digits: `Zoë_Haldane` reads as two words
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "lady"})  # folded
MIN_TEXT_WORDS = 3  # shorter free text ("Good.") is too common to attribute to a child


@dataclass(frozen=True)
class Secret:
    """A value of a record that must not be readable, as folded words."""

    words: tuple[str, ...]
    field: str  # what it is, for the message: "full name", "id", "target", ...
    pupil: str  # the pupil's directory, for the message
    single: bool = False  # a single name: a warning in public pages (see the module's docstring)
    shown: str = ""  # the value as the records have it (for a warning)


def fold(text: str) -> str:
    """Text as the audit compares it: accents removed, case folded, soft hyphens taken out
    (`Hal&shy;dane` shows as Haldane)."""
    if text.isascii():  # nothing to remove: the usual case, a hundred times faster
        return text.lower()
    if "\n" in text:  # a page: line by line (the same result), most lines then ASCII
        return "\n".join(map(fold, text.split("\n")))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != "\xad").casefold()


class Words(dict[str, tuple[str, ...]]):
    """Splits text into folded words, each distinct text once per audit (records repeat many)."""

    def __call__(self, text: str) -> tuple[str, ...]:
        found = self.get(text)
        if found is None:
            found = self[text] = tuple(WORD.findall(fold(text)))
        return found


# Bytes that are not part of a word (WORD) in ASCII text: each becomes a space.
NOT_WORD = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))


def words_in(text: str) -> set[str]:
    """Every folded word of a text, as set(WORD.findall(fold(text))) gives them; ASCII text (a
    site's paths) is split by bytes, three times faster."""
    folded = fold(text)
    if folded.isascii():
        return set(folded.encode("ascii").translate(NOT_WORD).decode("ascii").split())
    return set(WORD.findall(folded))


def identifying_secrets(pupil: Pupil, words: Words) -> Iterable[Secret]:
    """Names, id, folder name, guardians and work file names: what could end up in a path."""
    where = f"pupils/{pupil.slug}"
    given = {pupil.first_name, pupil.given_name}
    names: set[tuple[str, ...]] = set()  # each said once: a folder named zoe-haldane is her full name again
    for first in given:
        for full in (words(f"{first} {pupil.last_name}"), words(f"{pupil.last_name} {first}")):
            if full not in names:
                names.add(full)
                yield Secret(full, "full name", where)
    named = [
        ("first name", pupil.first_name),
        ("last name", pupil.last_name),
        ("preferred name", pupil.preferred_name),
        ("folder name", pupil.slug),
    ]
    named += [("guardian", g.label) for g in pupil.guardians]
    for field, name in named:
        found = words(name or "")
        if found and found not in names:  # a folder named after the child is the same word again
            names.add(found)
            single = len([w for w in found if w not in TITLES]) == 1  # "Mr Haldane": a last name, as a caretaker's
            yield Secret(found, field, where, single=single, shown=name or "")
    yield Secret(words(pupil.id), "id", where)
    for rel in (item.rel for item in pupil.work):
        yield Secret(words(rel.rsplit("/", 1)[-1]), "work file name", where)


def content_secrets(pupil: Pupil, words: Words, seen: set[str] | None = None) -> Iterable[Secret]:
    """The free text of one child's records (targets, comments, notes, work, why they left) that must never be
    readable (only those whose every word is in `seen`, the words of the texts searched, if given)."""
    where = f"pupils/{pupil.slug}"
    left = pupil.left.reason if pupil.left and pupil.left.reason != YEAR_6_LEAVER else ""  # (amentor's own words)
    texts: list[tuple[str, str]] = [(left, "leaving reason")]
    for year in pupil.years:
        for term in year.terms:
            texts += [(t.text, "target") for t in term.targets] + [(term.staff_notes, "staff_notes")]
            if term.conversation:
                c = term.conversation
                texts += [
                    (text, "conversation") for text in (c.went_well, c.pupil_voice, c.barriers, c.next_steps, c.at_home)
                ]
        for item in year.work:
            texts += [(item.title, "work title"), (item.pupil_caption, "work caption")]
    for text, field in texts:
        found = words(text)
        if len(found) >= MIN_TEXT_WORDS and (seen is None or seen.issuperset(found)):
            yield Secret(found, field, where)
