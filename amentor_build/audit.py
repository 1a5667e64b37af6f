"""Stage 5, audit: no plaintext about a child may leave a build except inside ciphertext.

Every output file and every output path is scanned for every value of every record
(names, ids, folder names, targets, comments, notes, work titles and file names). Sealed
files (`.bin`) must be well-formed ciphertext; everything else is scanned as text, after
undoing HTML entities and JSON escapes. Matching is by whole words, so a pupil called
"Tom" does not trip over "tomato"; names are matched with their capitals.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .errors import Problem, ProjectErrors
from .model import Project, Pupil
from .output import SiteTransaction
from .protection import SEALED_HEADER, looks_sealed

WORD = re.compile(r"\w+")
MIN_TEXT_WORDS = 3  # shorter free text ("Good.") is too common to attribute to a child


class Secret(NamedTuple):
    """A value of a record that must not be readable, as words (a tuple: cached by the thousand)."""

    words: tuple[str, ...]
    field: str
    pupil: str  # the pupil's folder, for the message
    exact_case: bool


class Words(dict[tuple[str, bool], tuple[str, ...]]):
    """Splits text into words, each distinct text once per audit (records repeat many)."""

    def __call__(self, text: str, exact_case: bool = False) -> tuple[str, ...]:
        key = (text, exact_case)
        found = self.get(key)
        if found is None:
            found = self[key] = tuple(WORD.findall(text if exact_case else text.casefold()))
        return found


def identifying_secrets(pupil: Pupil, words: Words) -> Iterable[Secret]:
    """Names, id, folder name, guardians and work file names: what could end up in a path."""
    where = f"pupils/{pupil.slug}"
    names = {
        "id": pupil.id,
        "first_name": pupil.first_name,
        "last_name": pupil.last_name,
        "preferred_name": pupil.preferred_name or "",
        "folder name": pupil.slug,
    }
    for field, value in names.items():
        if value:
            yield Secret(words(value, True), field, where, True)
    for guardian in pupil.guardians:
        yield Secret(words(guardian.label, True), "guardian", where, True)
    for rel in (item.rel for item in pupil.work):
        yield Secret(words(rel.rsplit("/", 1)[-1]), "work file name", where, False)


def content_secrets(pupil: Pupil, words: Words) -> Iterable[Secret]:
    """The free text of one child's records (targets, comments, notes, work) that must never be readable."""
    where = f"pupils/{pupil.slug}"
    for year in pupil.years:
        texts: list[tuple[str, str]] = []
        for term in year.terms:
            texts += [(t.text, "target") for t in term.targets] + [(term.staff_notes, "staff_notes")]
            if term.conversation:
                c = term.conversation
                texts += [
                    (c.went_well, "conversation"),
                    (c.pupil_voice, "conversation"),
                    (c.barriers, "conversation"),
                    (c.next_steps, "conversation"),
                    (c.at_home, "conversation"),
                ]
        for item in year.work:
            texts += [(item.title, "work title"), (item.pupil_caption, "work caption")]
        for text, field in texts:
            found = words(text)
            if len(found) >= MIN_TEXT_WORDS:
                yield Secret(found, field, where, False)


def readable_text(rel: str, data: bytes) -> str:
    """The text a reader of this file could see: entities and JSON escapes undone."""
    text = data.decode("utf-8", errors="replace")
    if rel.endswith(".json"):
        with contextlib.suppress(ValueError):  # not JSON after all: read as text
            text += "\n" + " ".join(_json_strings(json.loads(text)))
    return text + "\n" + html.unescape(text)


def _json_strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def audit(site: SiteTransaction, project: Project) -> None:
    """Raise ProjectErrors naming each file of the new site where a child's plaintext is readable.

    Every path is checked for every name; every file that is not sealed is read in full and
    searched for every value of every record; every sealed file this build wrote is checked
    to be ciphertext (those a worker checked as it staged them are not read again).
    """
    problems = unsealed_files(site)
    problems += in_paths(site.files, project.pupils)
    problems += in_texts(plaintext_files(site), project.pupils)
    if problems:
        raise ProjectErrors(problems)


def unsealed_files(site: SiteTransaction) -> list[Problem]:
    """Each sealed file this build wrote that is not ciphertext."""
    problems = []
    for rel in sorted(site.files):
        checked = not rel.endswith(".bin") or (rel not in site.changed and not site.fresh) or rel in site.sealed
        if not checked and not looks_sealed(site.staged(rel, SEALED_HEADER)):  # the header is enough
            problems.append(Problem(rel, 1, 1, "privacy audit: a folder file is not ciphertext"))
    return problems


def plaintext_files(site: SiteTransaction) -> dict[str, str]:
    """The readable text of every file of the new site that is not sealed (identical files once)."""
    texts: dict[str, str] = {}
    seen: set[bytes] = set()
    for rel in sorted(site.files):
        if not rel.endswith(".bin"):
            data = site.staged(rel)
            if data not in seen:  # identical shells are scanned once
                seen.add(data)
                texts[rel] = readable_text(rel, data)
    return texts


def in_paths(paths: set[str], pupils: Iterable[Pupil]) -> list[Problem]:
    """Each path that names a pupil (name, id, directory, guardian, work file name)."""
    split = Words()
    return _find_in_paths([s for pupil in pupils for s in identifying_secrets(pupil, split)], paths, split)


def in_texts(texts: Mapping[str, str], pupils: Iterable[Pupil]) -> list[Problem]:
    """Each text where a value of a pupil's records is readable."""
    split = Words()
    secrets = [s for pupil in pupils for s in identifying_secrets(pupil, split)]
    secrets += [s for pupil in pupils for s in content_secrets(pupil, split)]
    return _find(secrets, texts, "content", split)


def _find_in_paths(secrets: list[Secret], paths: set[str], words: Words) -> list[Problem]:
    """Names in file names, in any case (URLs are often lower-cased).

    Each distinct path component is split into words once; only a secret whose words all
    occur somewhere is looked for path by path.
    """
    if not secrets or not paths:
        return []
    if len(secrets) * 64 < len(paths):  # a few names, many paths: one substring pass first
        joined = "\n".join(paths).casefold()
        secrets = [s for s in secrets if s.words and all(w.casefold() in joined for w in s.words)]
        if not secrets:
            return []
    components = {c for rel in paths for c in rel.split("/")}
    vocabulary = {w for c in components for w in words(c)}
    candidates = [s for s in secrets if s.words and all(w.casefold() in vocabulary for w in s.words)]
    if not candidates:
        return []
    return _find(candidates, {rel: rel for rel in paths}, "file name", words, ignore_case=True)


def _find(
    secrets: list[Secret], texts: Mapping[str, str], what: str, words: Words, ignore_case: bool = False
) -> list[Problem]:
    """Whole-word search of every secret in every text; a word index first keeps it fast.

    Names are matched with their capitals in content, but in any case in file names (URLs are
    often lower-cased).
    """
    if ignore_case:
        secrets = [Secret(tuple(w.casefold() for w in s.words), s.field, s.pupil, False) for s in secrets]
    folded = {rel: " " + " ".join(words(t)) + " " for rel, t in texts.items()}
    exact = {} if ignore_case else {rel: " " + " ".join(words(t, True)) + " " for rel, t in texts.items()}
    vocabulary = {w for t in folded.values() for w in t.split()} | {w for t in exact.values() for w in t.split()}
    problems, reported = [], set()
    for found, field, pupil, exact_case in secrets:
        if not found or not vocabulary.issuperset(found):
            continue
        phrase = " " + " ".join(found) + " "
        for rel, text in (exact if exact_case else folded).items():
            if phrase in text and (rel, field, pupil) not in reported:
                reported.add((rel, field, pupil))
                problems.append(
                    Problem(
                        rel,
                        1,
                        1,
                        f"privacy audit: the {field} of {pupil} is readable "
                        f"in this {what} (outside ciphertext); nothing was published",
                    )
                )
    return problems
