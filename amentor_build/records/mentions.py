"""Another child named in full in what a family reads of a child (a target, the mentoring
conversation, a piece of work's title or caption): "sits with Connor D'Arcy now" in Freya's
folder is read by Freya's family. The privacy audit cannot see it (it is inside the folder's
ciphertext, where it belongs to Freya); `amentor check` and `sheet import` warn of it.

A name is the child's first or preferred name and last name, in any capitals, with or without
its accents or hyphens, an `'s` after it too. A first name alone is not said (too many are
words, and "played with Sam" is how a teacher writes), nor a brother or sister (the same last
name and a guardian of the same name, or none recorded), nor staff notes (staff only).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import model as m
from ..errors import Problem
from .source import KeyPath, parse_source

WORD = re.compile(r"[^\W\d_](?:[\w']*\w)?")


def words(text: str) -> list[str]:
    """The words of a text as names are compared: casefolded, without accents (Zoe for Zoë), ’ as
    ', a hyphen between two words (Mary-Jane, Mary Jane), without an 's after them."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.replace("’", "'")) if not unicodedata.combining(c))
    return [w.removesuffix("'s") for w in WORD.findall(plain.casefold())]


class Names:
    """Every child's full names (first and last, preferred and last), to find them in a text."""

    def __init__(self, pupils: Iterable[m.Pupil]):
        self.full: dict[tuple[str, ...], m.Pupil] = {}
        for pupil in pupils:
            for first in {pupil.first_name, pupil.given_name}:
                name = tuple(words(f"{first} {pupil.last_name}"))
                if len(name) >= 2 and words(pupil.last_name):  # (a name of digits or signs: not a name to find)
                    self.full[name] = pupil
        self.starts = {name[0] for name in self.full}
        self.longest = max((len(name) for name in self.full), default=0)

    def others(self, text: str, pupil: m.Pupil) -> list[m.Pupil]:
        """The other children the text names in full (not the child, nor a brother or sister)."""
        found: list[m.Pupil] = []
        said = words(text)
        for i, word in enumerate(said):
            if word not in self.starts:
                continue
            for n in range(2, self.longest + 1):
                other = self.full.get(tuple(said[i : i + n]))
                if other is not None and other not in found and not family(pupil, other):
                    found.append(other)
        return found


def family(pupil: m.Pupil, other: m.Pupil) -> bool:
    """Is the other child the child themself, or most likely a brother or sister: the same last
    name, and a guardian of the same name (`Mrs Khan` in both records), or no guardian recorded
    to tell? Aisha Khan's text naming Imran Khan, whose family is another, is said."""
    if other.id == pupil.id:
        return True
    if words(other.last_name) != words(pupil.last_name):
        return False
    labels = [{tuple(words(g.label)) for g in p.guardians} for p in (pupil, other)]
    return not labels[0] or not labels[1] or bool(labels[0] & labels[1])


def family_texts(year: m.YearRecord) -> Iterator[tuple[KeyPath, str]]:
    """Each text of a year file that the child's family reads, with its key path."""
    for term in year.terms:
        place: dict[str, int] = {}
        for target in term.targets:
            index = place[target.subject] = place.get(target.subject, -1) + 1
            yield ("terms", term.term, "targets", target.subject, index, "text"), target.text
        if term.conversation is not None:
            for key in m.CONVERSATION_KEYS[1:]:
                yield ("terms", term.term, "conversation", key), getattr(term.conversation, key)
    for index, item in enumerate(year.work):
        yield ("work", index, "title"), item.title
        yield ("work", index, "pupil_caption"), item.pupil_caption


def mentions(project: m.Project) -> list[Problem]:
    """A warning for each text of a child's that names another child in full, at the text."""
    names = Names(project.pupils)
    found = []
    for pupil in project.pupils:
        for year in pupil.years:
            texts = list(family_texts(year))
            if names.starts.isdisjoint(words(" ".join(text for _, text in texts))):
                continue  # (most years: no word that starts a child's name)
            named = [(path, other) for path, text in texts for other in names.others(text, pupil)]
            if not named:
                continue
            source = parse_source(Path(project.root, year.source).read_bytes(), year.source)  # for the lines
            for path, other in named:
                line, column = source.position(path)
                found.append(Problem(year.source, line, column, said(path[-1], pupil, other), warning=True))
    return found


def said(key: str | int, pupil: m.Pupil, other: m.Pupil) -> str:
    return (
        f"{key}: names {other.display_name}, another child, in what {pupil.display_name}'s family reads; "
        "write it without their name"
    )
