"""Stage 5, audit: no plaintext about a child may leave a build except inside ciphertext.

Every output path and every output file that is not sealed is searched for every value of
every record; every sealed file (`.bin`) must be well-formed ciphertext. Text is compared as
words (letters and digits), after undoing HTML entities and JSON escapes and taking out
markup and invisible characters, whatever its case and accents (`ZOË HALDANE`, `Zoë
<strong>Haldane</strong>` and `Zoë_Hal&shy;dane` are all Zoe Haldane), so a pupil called
"Tom" does not trip over "tomato". A picture's metadata is read in each encoding it may use.

What is an error, and where:

- a child's full name (either order, with the preferred name too), id, folder name, a
  guardian's label, a work file's name, or free text of the records (targets, comments,
  notes, work titles and captions: three words or more): an error anywhere;
- a first, preferred or last name alone (or a guardian's title and last name): only a warning
  in the school's own public pages (mkdocs' output: a guide that says "Summer term starts in
  April" while a child is called Summer; a script that names its author, Oliver), naming the
  file and line to look at, and of an HTML page only in what a reader sees of it or its
  attributes' values (a child called Li or Main is not mkdocs' `<li>` or `<main>`); an error
  in what a reader meets of a page amentor makes (a folder's shell, the staff list's: its
  text, comments, and words such as a picture's `alt`). Only that is searched there, without
  the school's name: a child called Page, Main or No is not `class="folder-page"`, `<main>` or
  `no-referrer`, nor Peter `St Peter's School`; a file of code or settings (key slots,
  headers) holds no name a reader sees. amentor's own theme files as shipped (its script and
  style sheet, byte for byte) are amentor's too, though mkdocs copies them (`schools_own`);
- inside a spreadsheet, a document (zip archives), a PDF, a gzip, xz or bzip2 file (a tar
  archive in it) too, each file or stream unpacked; in a file a page holds in a `data:`
  address; in UTF-16 text with no byte order mark (an old Office document's words).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import Problem, ProjectErrors
from ..model import Project, Pupil
from ..protection import SEALED_HEADER, looks_sealed
from .archives import Unreadable
from .readings import VARIANT, Carried, read_carried, readable_text
from .secrets import Secret, Words, content_secrets, fold, identifying_secrets, words_in
from .seen import Staged, schools_own, seen_in

__all__ = [
    "AuditErrors",
    "audit",
    "plaintext_files",
    "read_carried",
    "readable_text",
    "schools_own",
]  # and the search's parts


class Plaintext(NamedTuple):
    """What a reader can read of the new site (see plaintext_files), and its digest."""

    texts: dict[str, str]
    unread: list[Finding]
    digest: str  # of every text: the same plaintext, the same digest (the audit cache's key)


def read(site: Staged, carried: Carried | None = None, root: Path | None = None) -> Plaintext:
    """The plaintext of the new site, as the audit searches it."""
    texts, unread = plaintext_files(site, carried, root)
    digest = hashlib.sha256("\0".join(f"{rel}\0{text}" for rel, text in sorted(texts.items())).encode()).hexdigest()
    return Plaintext(texts, unread, digest)


def audit(
    site: Staged,
    project: Project,
    plaintext: Plaintext | None = None,
    changed: Iterable[Pupil] | None = None,
    new_paths: set[str] | None = None,
) -> tuple[Finding, ...]:
    """Raise AuditErrors naming each place where a child's plaintext is readable in the new site;
    return the findings that are warnings (a single name in the school's own public pages), each
    with the pupil it is about. Every pupil is looked for in every file, unless the caller knows better: changed,
    the pupils to look for in the plaintext; new_paths, the paths to look at for every pupil (the
    others for the changed ones). A build passes what the last published audit did not already
    pass (build.cached.audit)."""
    plaintext = plaintext or read(site, root=project.root)
    changed = project.pupils if changed is None else changed
    new_paths = site.files if new_paths is None else new_paths
    found = findings(site, project, plaintext.texts, plaintext.unread, changed, new_paths)
    raise_errors(found)
    return tuple(found)


def findings(
    site: Staged,
    project: Project,
    texts: Mapping[str, str],
    unread: list[Finding],
    changed: Iterable[Pupil],
    new_paths: set[str],
) -> list[Finding]:
    """Every place where a child's plaintext is readable in the new site: texts (its plaintext
    files' text, and unread: those that could not be read, see plaintext_files) searched for the
    changed pupils' values; the paths new_paths for every pupil's, the others for the changed ones'."""
    public = schools_own(site)
    changed = list(changed)
    found = unread + unsealed_files(site)
    found += in_paths(new_paths, project.pupils, public, project.root)
    found += in_paths(site.files - new_paths, changed, public, project.root) if changed else []
    found += in_texts(texts, changed, public, project.root, project.school.name) if changed else []
    return found


class AuditErrors(ProjectErrors):
    """Where a child's plaintext is readable in the new site: each problem (at the page under
    content/ it came from, where there is one), and the files of the site (relative to it)."""

    def __init__(self, problems: list[Problem], files: tuple[str, ...] = ()):
        super().__init__(problems)
        self.files = files

    def __reduce__(self) -> tuple[type[AuditErrors], tuple[Any, ...]]:
        return (AuditErrors, (self.problems, self.files))


class Finding(NamedTuple):
    problem: Problem
    file: str  # the file of the new site it was found in
    pupil: str = ""  # the pupil whose value it is (pupils/<slug>), if any


def raise_errors(found: list[Finding]) -> tuple[Problem, ...]:
    """Raise AuditErrors if any finding is an error; return the warnings."""
    errors = [f for f in found if not f.problem.warning]
    if errors:
        problems = list(dict.fromkeys(f.problem for f in errors))  # a template's line, on every page: once
        raise AuditErrors(problems, tuple(sorted({f.file for f in errors})))
    return tuple(dict.fromkeys(f.problem for f in found))


def unsealed_files(site: Staged) -> list[Finding]:
    """Each sealed file this build wrote that is not ciphertext."""
    found = []
    written = site.files if site.fresh else site.files & site.changed  # those kept were checked when written
    for rel in sorted(written):
        checked = not rel.endswith(".bin") or rel in site.sealed or rel in site.public  # (a public one is read)
        if not checked and not looks_sealed(site.staged(rel, SEALED_HEADER)):  # the header is enough
            found.append(Finding(Problem(rel, 1, 1, "privacy audit: a folder file is not ciphertext"), rel))
    return found


def plaintext_files(
    site: Staged, carried: Carried | None = None, root: Path | None = None
) -> tuple[dict[str, str], list[Finding]]:
    """The readable text of every file of the new site that is not sealed (identical files once;
    carried: see readable_text), and a finding for each that cannot be read whole (what the audit
    does not read, it cannot vouch for). A public page named `.bin` (the school's) is read too:
    that it begins as ciphertext does would say nothing of the rest of it."""
    texts: dict[str, str] = {}
    unread = []
    seen: set[bytes] = set()
    for rel in sorted(rel for rel in site.files if not rel.endswith(".bin") or rel in site.public):
        data = site.staged(rel)
        if data not in seen:  # identical shells are scanned once
            seen.add(data)
            try:
                texts[rel] = readable_text(rel, data, carried)
            except Unreadable as exc:
                said = f"privacy audit: this file cannot be read whole ({exc.why}), so no one can say it names no child"
                where = source(rel, root) if root is not None else rel
                unread.append(Finding(Problem(where, 1, 1, f"{said}: {exc.remedy}; nothing was published"), rel))
    return texts, unread


def in_paths(paths: set[str], pupils: Iterable[Pupil], public: set[str], root: Path) -> list[Finding]:
    """Each path that names a pupil (name, id, directory, guardian, work file name)."""
    if not paths:  # the usual rebuild: no path the last build did not publish
        return []
    split = Words()
    secrets = [s for pupil in pupils for s in identifying_secrets(pupil, split)]
    if not secrets:  # no pupil to look for (none changed): the paths need not be read
        return []
    vocabulary = words_in("\n".join(paths))  # one pass: tens of thousands of paths
    candidates = [s for s in secrets if s.words and vocabulary.issuperset(s.words)]
    if not candidates:
        return []
    wanted = {w for s in candidates for w in s.words}
    texts = {rel: rel for rel in paths if wanted.intersection(split(rel))}
    return _find(candidates, texts, "file name", split, public, root)


def in_texts(
    texts: Mapping[str, str], pupils: Iterable[Pupil], public: set[str], root: Path, school: str = ""
) -> list[Finding]:
    """Each text where a value of a pupil's records is readable (school: the school's name)."""
    split = Words()
    index = _index(texts, split)
    secrets = [s for pupil in pupils for s in identifying_secrets(pupil, split)]
    secrets += [s for pupil in pupils for s in content_secrets(pupil, split, index[1])]
    shown = {rel: seen_in(rel, text, school, split, rel in public) for rel, text in texts.items()}
    return _find(secrets, texts, "content", split, public, root, index, shown)


def _index(texts: Mapping[str, str], split: Words) -> tuple[dict[str, str], set[str]]:
    """Each text as its folded words between spaces, and every word of them all."""
    folded = {rel: " " + " ".join(split(t)) + " " for rel, t in texts.items()}
    return folded, {w for t in folded.values() for w in t.split()}


def _find(
    secrets: list[Secret],
    texts: Mapping[str, str],
    what: str,
    split: Words,
    public: set[str],
    root: Path,
    index: tuple[dict[str, str], set[str]] | None = None,
    shown: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Whole-word search of every secret in every text; a word index (`_index`) keeps it fast.
    A single name is searched in what amentor makes only in what a reader sees (`shown`: see
    seen_in), and never in the name of a file amentor makes."""
    folded, vocabulary = index or _index(texts, split)
    found: list[Finding] = []
    reported = set()
    holding: dict[tuple[str, ...], list[str]] = {}  # words -> the texts that hold them (many children share a phrase)
    for secret in secrets:
        if not secret.words or not vocabulary.issuperset(secret.words):
            continue
        rels = holding.get(secret.words)
        if rels is None:
            phrase = " " + " ".join(secret.words) + " "
            rels = holding[secret.words] = [rel for rel, text in folded.items() if phrase in text]
        for rel in rels:
            if (rel, secret.field, secret.pupil) in reported:
                continue
            if secret.single and not _seen(rel, secret, public, shown):
                continue
            reported.add((rel, secret.field, secret.pupil))
            text = texts[rel] if what == "content" else ""  # a file name: the output file is the place
            where, line = _place(rel, text, secret, root) if rel in public or secret.single else (rel, 1)
            if secret.single and rel in public:
                name = secret.shown or " ".join(secret.words)
                message = (
                    f"privacy audit: '{name}' is also the {secret.field} of {secret.pupil}; this "
                    "public page was published, but check that it does not mean the child"
                )
                found.append(Finding(Problem(where, line, 1, message, warning=True), rel, secret.pupil))
            else:
                message = (
                    f"privacy audit: the {secret.field} of {secret.pupil} is "
                    f"readable in this {what} (outside ciphertext); nothing was published"
                )
                found.append(Finding(Problem(where, line, 1, message), rel, secret.pupil))
    return found


def _seen(rel: str, secret: Secret, public: set[str], shown: Mapping[str, str] | None) -> bool:
    """Is a single name where it counts: in what a reader sees of an HTML page (a child called Li
    is not `<li>`, in the school's pages or amentor's), or anywhere in another file the school
    published (a PDF, its own script); never in the name of a file amentor makes (shown: None)."""
    if shown is None:  # a path
        return rel in public
    if rel in public and not rel.endswith((".html", ".htm")):
        return True
    return f" {' '.join(secret.words)} " in shown.get(rel, "")


def _place(rel: str, text: str, secret: Secret, root: Path) -> tuple[str, int]:
    """Where to look for a secret found in a public page: the page under content/ it came from
    and the line it starts on, if the page holds it; else the file of the school's theme/ or
    mkdocs.yml that does (a name in a template or in site_name is on every page but in none of
    them); else the output file."""
    between = r"(?:[\W_]|<[^>]*>)+"  # spaces, punctuation, markup: `Ada **Quennell**`, `<td>Ada</td><td>Quennell`
    pattern = re.compile(r"(?<![^\W_])" + between.join(map(re.escape, secret.words)) + r"(?![^\W_])")
    stem = rel.removesuffix(".html")
    pages = [f"content/{stem}.md", f"content/{stem.removesuffix('/index')}.md"]  # guide.html, guide/index.html
    page = next((p for p in pages if (root / p).is_file()), None) if text and rel.endswith(".html") else None
    if page is not None:
        line = _line(pattern, html.unescape((root / page).read_text(encoding="utf-8", errors="replace")))
        if line is not None:
            return page, line
    if "\0" in text or not rel.endswith(TEXTS):
        return source(rel, root), 1  # a picture's metadata, a PDF's or a spreadsheet's text: no lines to count
    made = _made_from(pattern, root) if not secret.single else None  # ("Li" is in many a style sheet)
    if made is not None:
        return made
    lines = (_line(pattern, reading) for reading in text.split(VARIANT))  # its line in the reading that shows it
    return rel, next((line for line in lines if line is not None), 1)


TEXTS = (".html", ".htm", ".css", ".js", ".json", ".txt", ".xml", ".svg")  # files whose lines a school can look at


def _made_from(pattern: re.Pattern[str], root: Path) -> tuple[str, int] | None:
    """The first file of theme/ (a template, a script, a style sheet) or mkdocs.yml that holds a
    match, and its line: what the school changes to take a name off every page."""
    theme = sorted(
        p
        for p in (root / "theme").rglob("*")
        if p.suffix in TEXTS and p.is_file() and p.relative_to(root / "theme").parts[0] not in ("folder", "letters")
    )  # (the folders' and letters' templates make no public page)
    for path in [*theme, root / "mkdocs.yml"]:
        try:
            line = _line(pattern, html.unescape(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
        if line is not None:
            return path.relative_to(root).as_posix(), line
    return None


def source(rel: str, root: Path) -> str:
    """A file of the site as the school knows it: content/<rel> if it was copied from there (a
    PDF, a spreadsheet, a picture of the public pages), else its path in the site."""
    return f"content/{rel}" if (root / "content" / rel).is_file() else rel


def _line(pattern: re.Pattern[str], text: str) -> int | None:
    """The line a match of the pattern starts on in the folded text (None: no match); a name
    may run over a line's end."""
    folded = fold(text)
    found = pattern.search(folded)
    return None if found is None else folded.count("\n", 0, found.start()) + 1
