"""Edits of the records that keep what they do not change (comments, key order, quoting, line
breaks: ruamel.yaml's round trip), written all together or not at all.

A set of edits is committed as a small transaction: a journal saying which folders it makes is
written, every new file is written beside its target and flushed, the complete journal listing
them replaces the first one (the commit), the files are renamed into place, and the journal is
removed. The next command that takes the project lock (`finish_interrupted`) finishes a command
interrupted after the commit, and removes what one interrupted before it had written, so the
records are always the old ones or the new ones, never some of each.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import merge3
import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .. import model as m
from ..disk import sync_dir
from ..errors import LocatedError, Problem
from ..records.pupil import PupilFiles, parse_pupil, read_files
from .journal import JOURNAL, finish_interrupted, write_synced

BOM = b"\xef\xbb\xbf"


def round_trip() -> YAML:
    """The YAML reader and writer for edits: the records' own layout (2-space mappings, list
    items indented under their key, null written `null`), nothing reflowed; text that a YAML 1.1
    reader would take for something else (`no`, `on`, `1:30`) is quoted, so that every reader
    of the records (PyYAML's `safe_load`, a spreadsheet tool) reads the text that was typed."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    yaml.representer.add_representer(str, _text)
    return yaml


# PyYAML's resolver: YAML 1.1's rules for what a plain scalar is (its stubs leave it untyped)
_resolve = cast(Callable[[type, str, tuple[bool, bool]], str], pyyaml.resolver.Resolver().resolve)
TEXT = "tag:yaml.org,2002:str"


def _text(representer: Any, value: str) -> Any:
    if _resolve(pyyaml.ScalarNode, value, (True, False)) != TEXT:
        return representer.represent_scalar(TEXT, value, style="'")
    return representer.represent_str(value)


def load(path: Path) -> Any:
    """A record file as ruamel's round-trip structure (None for an empty file)."""
    return round_trip().load(path.read_text(encoding="utf-8-sig"))


def dump(data: Any) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()


def flow(mapping: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line, `{key: value, ...}`, as records write small ones."""
    out = CommentedMap(mapping)
    out.fa.set_flow_style()
    return out


def headed(name: str, pupil_id: str, year: str, text: str) -> str:
    """A new year file's text under a comment saying whose year it is: every child's file is
    `2026-27.yml`, and an editor's tabs show no more than that."""
    return f"# {name} ({pupil_id}), {year}\n{text}"


def block(mapping: dict[str, Any] | None = None) -> CommentedMap:
    return CommentedMap(mapping or {})


def sequence(items: list[Any]) -> CommentedSeq:
    return CommentedSeq(items)


def keep_layout(original: str, edited: str) -> str:
    """The edited document with the original's layout wherever the edit did not reach.

    ruamel keeps comments, order and quoting, but writes every flow mapping on one line; a
    three-way merge of (ruamel's text of the unedited document, the original, ruamel's text of
    the edited one) keeps the original's line breaks except in the lines an edit touched.
    """
    base = dump(round_trip().load(original)).splitlines(keepends=True)
    ours, theirs = original.splitlines(keepends=True), edited.splitlines(keepends=True)
    out: list[str] = []
    regions: list[tuple[Any, ...]] = list(merge3.Merge3(base, ours, theirs).merge_regions())
    for region in regions:
        kind = region[0]
        if kind == "unchanged":
            out += base[region[1] : region[2]]
        elif kind in ("a", "same"):
            out += ours[region[1] : region[2]]
        elif kind == "b":
            out += theirs[region[1] : region[2]]
        else:  # both changed here: the edit wins, in ruamel's layout, for these lines only
            out += theirs[region[5] : region[6]]
    merged = "".join(_tail_last(ours, out))
    safe = YAML(typ="safe", pure=True)
    return merged if safe.load(merged) == safe.load(edited) else edited


def _tail_last(original: list[str], edited: list[str]) -> list[str]:
    """The edited lines with the original's closing comments (`# work:` and what follows, lines
    commented out at the end of the file) still at the end. ruamel keeps them after the last
    value, and puts a section added at the end (a new term) after them: uncommented, the lines
    would then take that section in."""
    n = len(original)
    while n and (not original[n - 1].strip() or original[n - 1].startswith("#")):
        n -= 1
    tail = original[n:]
    if not any(line.startswith("#") for line in tail) or edited[-len(tail) :] == tail:
        return edited
    at = next((i for i in range(len(edited) - len(tail), -1, -1) if edited[i : i + len(tail)] == tail), None)
    if at is None:
        return edited
    rest = edited[:at] + edited[at + len(tail) :]
    if rest and not rest[-1].endswith("\n"):
        rest[-1] += "\n"
    return rest + tail


class RecordEdits:
    """New texts for record files of one project, committed together (or not at all)."""

    def __init__(self, root: Path):
        self.root = root
        self.texts: dict[Path, str] = {}  # path -> new text
        self.removed: set[Path] = set()

    def write(self, path: Path, text: str) -> None:
        self.texts[path] = text

    def remove(self, path: Path) -> None:
        """Delete a file with the others (a journal entry with nothing to put in its place)."""
        self.removed.add(path)

    def save(self, path: Path, data: Any) -> None:
        """The edited structure of a record file (loaded with `load`), its layout kept."""
        edited = dump(data)
        self.texts[path] = keep_layout(path.read_text(encoding="utf-8-sig"), edited) if path.is_file() else edited

    def changed(self) -> list[Path]:
        """The files whose text would change."""
        return [p for p, text in self.texts.items() if not p.is_file() or p.read_text(encoding="utf-8-sig") != text]

    def diff(self, leave_out: Path | None = None) -> str:
        """What would change, as a unified diff of each file (paths relative to the project);
        leave_out: a file only named (a long generated one, such as a frozen year's manifest)."""
        out: list[str] = []
        for path in self.changed():
            if path == leave_out:
                lines = self.texts[path].count("\n")
                out.append(f"# {path.relative_to(self.root).as_posix()}: {lines} lines, not shown\n")
                continue
            old = path.read_text(encoding="utf-8-sig").splitlines(keepends=True) if path.is_file() else []
            rel = path.relative_to(self.root).as_posix()
            out += difflib.unified_diff(
                old, self.texts[path].splitlines(keepends=True), f"a/{rel}" if old else "/dev/null", f"b/{rel}"
            )
        return "".join(out)

    def problems(self, school: m.School, path: Path) -> list[Problem]:
        """The errors the records of the pupil whose file `path` is would have with this change
        (none: they still read as valid records, and no edit can make one the build refuses)."""
        files = read_files(path.parent)
        replaced = tuple((name, self._encoded(path) if name == path.name else data) for name, data in files.files)
        return [p for p in parse_pupil(school, PupilFiles(files.slug, replaced)).problems if not p.warning]

    def _encoded(self, path: Path) -> bytes:
        """The new text as the file's own bytes: a byte-order mark and CRLF line breaks kept
        where the file has them (the text is edited with LF, as it was read)."""
        text = self.texts[path]
        try:
            raw = path.read_bytes()
        except FileNotFoundError:  # a new file: UTF-8, LF
            return text.encode("utf-8")
        if raw.partition(b"\n")[0].endswith(b"\r"):  # line breaks as the file's first one
            text = text.replace("\n", "\r\n")
        return (BOM if raw.startswith(BOM) else b"") + text.encode("utf-8")

    def commit(self) -> list[Path]:
        """Write every changed file, all or none; return them."""
        changed = self.changed()
        if not changed and not self.removed:
            return []
        journal = self.root / ".amentor" / JOURNAL
        made = sorted({d for p in changed for d in [p.parent, *p.parent.parents] if not d.exists()}, key=depth)
        renames: list[list[str]] = []
        writing = journal
        try:
            journal.parent.mkdir(mode=0o700, exist_ok=True)
            # under way: if it stops before the journal below is complete, what it made is removed
            write_synced(journal, json.dumps({"made": [self._rel(d) for d in made]}).encode())
            for directory in made:
                directory.mkdir(exist_ok=True)
            for writing in changed:
                partial = writing.with_name(f".{writing.name}.amentor-new")
                renames.append([self._rel(partial), self._rel(writing)])
                write_synced(partial, self._encoded(writing))
            renames += [["", self._rel(path)] for path in sorted(self.removed)]
            for folder in {str(p.parent) for p in changed} | {str(d.parent) for d in made}:
                sync_dir(folder)  # the new files and folders on disk before the journal says they are
            writing = journal.with_name(f"{JOURNAL}.new")
            write_synced(writing, json.dumps(renames).encode())
            os.replace(writing, journal)  # committed: the journal is either the one above or this
        except OSError as exc:  # a full disk, say: the records as they were
            self._undo(renames, made, journal)
            shown = exc.filename if exc.filename and not str(exc.filename).endswith(".amentor-new") else writing
            raise LocatedError(Problem(str(shown), 1, 1, f"{exc.strerror or exc}; nothing was changed")) from exc
        sync_dir(str(journal.parent))
        finish_interrupted(self.root)
        return changed + sorted(self.removed)

    def _undo(self, renames: list[list[str]], made: list[Path], journal: Path) -> None:
        """Remove what a commit that failed before its journal was complete had written (the
        journal last: stopped on the way, the next command finishes the removal)."""
        for partial, _ in renames:
            if partial:
                with contextlib.suppress(OSError):
                    (self.root / partial).unlink(missing_ok=True)
        for directory in reversed(made):
            with contextlib.suppress(OSError):  # not empty, or never made
                directory.rmdir()
        for path in (journal, journal.with_name(f"{JOURNAL}.new")):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def _rel(self, path: Path) -> str:
        """A path as the journal names it: relative to the project (which may be moved)."""
        return path.relative_to(self.root).as_posix()


def depth(path: Path) -> int:
    """How deep a path is (a directory is made after the one holding it)."""
    return len(path.parts)


def child(parent: Any, key: str, make: Any, create: bool, order: Sequence[str]) -> Any:
    """parent[key]; made (by make()) if it is not there and create (put in order: see placed),
    else None."""
    found = parent.get(key)
    if found is None and create:
        found = placed(parent, key, make(), order)
    return found


def placed(parent: Any, key: str, value: Any, order: Sequence[str]) -> Any:
    """parent[key] = value; a new key where `order` puts it among the keys there (a term's
    sections in the order SPEC writes them, terms in the school's, subjects in its subjects'),
    else after them; returned."""
    if key in parent or key not in order:
        parent[key] = value
        return value
    rank = order.index(key)
    later = [i for i, k in enumerate(parent) if k in order and order.index(k) > rank]
    if not later:
        parent[key] = value
        return value
    following = list(parent)[later[0]]
    above = _comment_above(parent, following)
    parent.insert(later[0], key, value)
    if above is not None:  # kept above the key it was written above, not the one put before it
        text, column = above
        parent.yaml_set_comment_before_after_key(following, before=text, indent=column)
    return value


def _comment_above(parent: CommentedMap, key: str) -> tuple[str, int] | None:
    """The comment lines written above a key of a loaded mapping, taken from where ruamel keeps
    them: after the value of the key before it, at its last leaf; above the mapping's first key,
    in the mapping's own comment (a list its parent shares). None if there are none (or ruamel
    keeps them where this does not look)."""
    keys = list(parent)
    at = keys.index(key)
    if parent.lc.data is None or key not in parent.lc.data:  # made by this command: nothing is written above it
        return None
    if at == 0:
        before = parent.ca.comment[1] if parent.ca.comment and len(parent.ca.comment) > 1 else None
        lines = [line for token in before or [] for line in str(token.value).splitlines()]
        if not _comments(lines):
            return None
        if before:
            before.clear()  # (in place: the parent's entry for this mapping is the same list)
    else:
        lines = _take_trailing(parent, keys[at - 1])
    if not _comments(lines):
        return None
    text = "\n".join(line.strip()[1:].removeprefix(" ") if line.strip() else "" for line in lines)
    return text, parent.lc.key(key)[1]


def _take_trailing(node: Any, key: Any) -> list[str]:
    """Take the whole-line comments (and blank lines) ruamel keeps after node[key], at its last
    leaf: their lines. A comment at the end of the value's own line stays."""
    value = node[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value:
        inner = _take_trailing(value, list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1)
        if inner:
            return inner
        taken = [line for token in value.ca.end or [] for line in str(token.value).splitlines()]
        if _comments(taken):  # after a block sequence of flow mappings, say
            value.ca.end = []
            return taken
    entry = node.ca.items.get(key)
    slot = 0 if isinstance(node, CommentedSeq) else 2
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None:
        return []
    head, newline, rest = str(token.value).partition("\n")
    lines = rest.splitlines()
    if not _comments(lines):
        return []
    token.value = head + newline
    return lines


def _comments(lines: list[str]) -> bool:
    return any(line.strip().startswith("#") for line in lines)


# A term's sections, and a subject's attainment and a target's fields, in the order SPEC writes them.
SECTIONS = ("attainment", "attitude", "attitude_self", "targets", "assessments", "conversation", "staff_notes")
ATTAINMENT_KEYS = ("working_at", "target", "status", "self")
TARGET_KEYS = ("text", "review")


def term_text(document: Any, term: str) -> str:
    """A term of a year file, as comparable text (what a row of a frozen year would change)."""
    return json.dumps(((document.get("terms") or {}).get(term)), sort_keys=True, default=str)


def review_of(document: Any, term: str, target: str) -> Any:
    """The review the records hold for a target column (`target.reading.1`), or None."""
    _, subject, n = target.split(".")
    items = (((document.get("terms") or {}).get(term) or {}).get("targets") or {}).get(subject) or []
    return items[int(n) - 1].get("review") if n.isdigit() and 0 < int(n) <= len(items) else None
