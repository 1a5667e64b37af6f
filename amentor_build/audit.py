"""Stage 5, audit: no plaintext about a child may leave a build except inside ciphertext.

Every output file and every output path is scanned for every value of every record
(names, ids, folder names, targets, comments, notes, work titles and file names). Sealed
files (`.bin`) must be well-formed ciphertext; everything else is scanned as text, after
undoing HTML entities and JSON escapes. Matching is by whole words, so a pupil called
"Tom" does not trip over "tomato"; names are matched with their capitals.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from typing import Callable, Iterable, Mapping, NamedTuple

from .cache import JsonFile
from .crypto import MAGIC, NONCE_BYTES
from .errors import Problem, ProjectErrors
from .model import Project, Pupil, PupilSummary
from .publish import SiteTransaction

WORD = re.compile(r"\w+")
MIN_TEXT_WORDS = 3  # shorter free text ("Good.") is too common to attribute to a child


class Secret(NamedTuple):
    """A value of a record that must not be readable, as words (a tuple: cached by the thousand)."""

    words: tuple[str, ...]
    field: str
    pupil: str  # the pupil's folder, for the message
    exact_case: bool


@functools.lru_cache(maxsize=65536)
def words(text: str, exact_case: bool = False) -> tuple[str, ...]:
    return tuple(WORD.findall(text if exact_case else text.casefold()))


def identifying_secrets(pupil: Pupil | PupilSummary) -> Iterable[Secret]:
    """Names, id, folder name, guardians and work file names: what could end up in a path."""
    where = f"pupils/{pupil.slug}"
    names = {"id": pupil.id, "first_name": pupil.first_name, "last_name": pupil.last_name,
             "preferred_name": pupil.preferred_name or "", "folder name": pupil.slug}
    for field, value in names.items():
        if value:
            yield Secret(words(value, True), field, where, True)
    for guardian in pupil.guardians:
        yield Secret(words(guardian.label, True), "guardian", where, True)
    files = pupil.work_files if isinstance(pupil, PupilSummary) else [i.rel for y in pupil.years for i in y.work]
    for rel in files:
        yield Secret(words(rel.rsplit("/", 1)[-1]), "work file name", where, False)


def pupil_secrets(pupil: Pupil) -> Iterable[Secret]:
    """Every plaintext value of one child's records that must never be readable."""
    yield from identifying_secrets(pupil)
    where = f"pupils/{pupil.slug}"
    for year in pupil.years:
        texts: list[tuple[str, str]] = []
        for term in year.terms:
            texts += [(t.text, "target") for t in term.targets] + [(term.staff_notes, "staff_notes")]
            if term.conversation:
                c = term.conversation
                texts += [(c.went_well, "conversation"), (c.pupil_voice, "conversation"), (c.barriers, "conversation"),
                          (c.next_steps, "conversation"), (c.at_home, "conversation")]
        for item in year.work:
            texts += [(item.title, "work title"), (item.pupil_caption, "work caption")]
        for text, field in texts:
            found = words(text)
            if len(found) >= MIN_TEXT_WORDS:
                yield Secret(found, field, where, False)


SEALED_HEADER = len(MAGIC) + NONCE_BYTES + 16  # the magic, the nonce and at least a GCM tag


def looks_sealed(data: bytes) -> bool:
    """A sealed file's bytes begin as ciphertext does (checked by the audit, or by the worker
    process that stages the file, on the very bytes it writes)."""
    return data.startswith(MAGIC) and len(data) >= SEALED_HEADER


def stored_secrets(pupil: Pupil) -> tuple[tuple, ...]:
    """pupil_secrets as plain tuples, as records keep them: a build sends and caches thousands,
    and plain tuples pickle about twice as fast as named ones (_find takes either)."""
    return tuple(map(tuple, pupil_secrets(pupil)))


def readable_text(rel: str, data: bytes) -> str:
    """The text a reader of this file could see: entities and JSON escapes undone."""
    text = data.decode("utf-8", errors="replace")
    if rel.endswith(".json"):
        try:
            text += "\n" + " ".join(_json_strings(json.loads(text)))
        except ValueError:
            pass
    return text + "\n" + html.unescape(text)


def _json_strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


class AuditCache(JsonFile):
    """Which pupils passed the content audit, against which published plaintext.

    A pupil is checked again when their record changed or any plaintext output changed;
    names, ids and file names are checked against every path on every build.
    """

    def passed(self, plaintext: str) -> dict[str, str]:
        return self.entry.get("passed", {}) if self.entry.get("plaintext") == plaintext else {}

    def paths_passed(self) -> dict[str, str]:
        """Pupils whose names were checked against every path the last build published."""
        return self.entry.get("paths", {})

    def names_passed(self) -> dict[str, str]:
        """A digest of the names each pupil's paths were checked for."""
        return self.entry.get("names", {})

    def save(self, plaintext: str, passed: dict[str, str], names: dict[str, str]) -> None:
        entry = {"plaintext": plaintext, "passed": passed, "paths": passed, "names": names}
        if entry != self.entry:
            self.write(entry)


def audit(site: SiteTransaction, project: Project, cache: AuditCache | None = None) -> Callable[[], None]:
    """Raise ProjectErrors naming each file of the new site where a child's plaintext is readable.

    Every path is checked, every file that is not sealed is read in full, and every sealed
    file this build wrote is checked to be ciphertext (unchanged ones were checked when written;
    those a worker checked with looks_sealed as it staged them are not read again).
    Returns what records the result in the cache, to be called once the site is committed.
    """
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    seen: set[bytes] = set()
    digest = hashlib.sha256()
    for rel in sorted(site.files):
        if rel.endswith(".bin"):
            if (rel in site.changed or site.fresh) and rel not in site.sealed:
                if not looks_sealed(site.staged(rel, SEALED_HEADER)):  # the header is enough
                    problems.append(Problem(rel, 1, 1, "privacy audit: a folder file is not ciphertext"))
            continue
        data = site.staged(rel)
        if data not in seen:  # identical shells are scanned once
            seen.add(data)
            texts[rel] = readable_text(rel, data)
            digest.update(hashlib.sha256(data).digest())
    plaintext = digest.hexdigest()
    passed = cache.passed(plaintext) if cache else {}
    previous = site.previous() if cache else None
    paths_passed = cache.paths_passed() if cache and previous is not None else {}
    names_passed = cache.names_passed() if cache and previous is not None else {}
    names_now: dict[str, str] = {}
    content: list[Secret] = []  # every value of the pupils not yet checked against this plaintext
    renamed: list[Secret] = []  # names of the pupils not yet checked against the paths already published
    for pupil in project.pupils:
        fingerprint = project.fingerprints.get(pupil.id)
        if fingerprint is None or passed.get(pupil.id) != fingerprint:
            content += project.secrets(pupil.id) if project.secrets else pupil_secrets(project.full(pupil))
        if fingerprint is None or paths_passed.get(pupil.id) != fingerprint:
            names = list(identifying_secrets(pupil))
            names_now[pupil.id] = hashlib.sha256(repr([s.words for s in names]).encode()).hexdigest()
            if names_passed.get(pupil.id) != names_now[pupil.id]:  # a record changed, but not always a name
                renamed += names
        elif pupil.id in names_passed:
            names_now[pupil.id] = names_passed[pupil.id]
    new_paths = site.files - previous if previous is not None else site.files
    if new_paths:  # every name against every new path
        problems += _find_in_paths([s for pupil in project.pupils for s in identifying_secrets(pupil)], new_paths)
    problems += _find_in_paths(renamed, site.files - new_paths)  # changed names against the other paths
    problems += _find(content, texts, "content")  # content includes the names (see pupil_secrets)
    if problems:
        raise ProjectErrors(problems)
    if cache is None:
        return lambda: None
    return lambda: cache.save(plaintext, dict(project.fingerprints), names_now)


def _find_in_paths(secrets: list[Secret], paths: set[str]) -> list[Problem]:
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
    return _find(candidates, {rel: rel for rel in paths}, "file name", ignore_case=True)


def _find(secrets: list, texts: Mapping[str, str], what: str, ignore_case: bool = False) -> list[Problem]:
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
    for found, field, pupil, exact_case in secrets:  # a Secret, or the plain tuple a record keeps
        if not found or not vocabulary.issuperset(found):
            continue
        phrase = " " + " ".join(found) + " "
        for rel, text in (exact if exact_case else folded).items():
            if phrase in text and (rel, field, pupil) not in reported:
                reported.add((rel, field, pupil))
                problems.append(Problem(rel, 1, 1, f"privacy audit: the {field} of {pupil} is readable "
                                                   f"in this {what} (outside ciphertext); nothing was published"))
    return problems
