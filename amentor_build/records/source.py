"""YAML files read with the position of every key and value, for `path:line:column` errors.

PyYAML's C parser composes the document; this module turns the nodes into Python values
by the rules records need, stricter than YAML 1.1 (see `scalar`):

- a key written twice in one mapping is an error at its second line (a pasted term must
  not silently replace the real one); the first is read, so that the rest of the file is
  still checked and every other problem said too;
- anchors, aliases and tags are refused (records never need them, and an alias bomb of a
  few hundred bytes would expand to gigabytes); only `!!str` (text) is allowed, on a value;
- a plain scalar is a number only when written as one in decimal (`104`, `97.4`), a date
  only as `YYYY-MM-DD`; `012345`, `1:30`, `0x1F`, `NO` and `yes` stay text, exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml

from .mistakes import PARSER, explained

PLAIN = "tag:amentor.invalid,2026:plain"  # an untagged plain scalar, typed by _Walk.scalar
TEXT = "tag:yaml.org,2002:str"


class _Loader(PARSER):  # type: ignore[misc, valid-type]
    """PyYAML's parser with no typing of its own: an untagged plain scalar is marked PLAIN and
    typed by `_Walk.scalar`, so YAML 1.1's octal, sexagesimal and yes/no rules never apply;
    quoted scalars are text. Records use no path resolvers: descending and ascending the tree
    records nothing."""

    TAGS: ClassVar[dict[type, str]] = {
        yaml.SequenceNode: "tag:yaml.org,2002:seq",
        yaml.MappingNode: "tag:yaml.org,2002:map",
    }

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else TEXT
        return self.TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


KeyPath = tuple[Any, ...]
Position = tuple[int, int]

INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)?\.[0-9]+")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
NULLS = frozenset(("", "~", "null", "Null", "NULL"))
NUMBER_START = frozenset("0123456789+-.")
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass
class Source:
    """A parsed YAML document, and its parser's nodes to say where any value stood in the file.

    Positions are looked up only when asked for (a message, a work file's `at`): most files
    never need one, and recording every node's position as it is read cost a third of the parse.
    """

    path: str  # relative to the project, for messages
    data: Any = None
    root: yaml.Node | None = None
    warnings: tuple[tuple[int, int, str], ...] = ()  # (line, column, message): text YAML dropped
    errors: tuple[tuple[int, int, str], ...] = ()  # (line, column, message): a key written twice

    def position(self, keypath: KeyPath, at_key: bool = False) -> Position:
        """Return (line, column) of a value (or of its key), or of its nearest located parent."""
        node, key = self._find(keypath)
        if node is None or node is self.root:  # nothing of the path is there: the file's start
            return (1, 1)
        mark = key.start_mark if at_key and key is not None else node.start_mark
        return mark.line + 1, mark.column + 1

    def in_braces(self, keypath: KeyPath) -> bool:
        """Is the value at keypath a mapping written in { } (on one line, most often)?"""
        node, _ = self._find(keypath, whole=True)
        return type(node) is yaml.MappingNode and bool(node.flow_style)

    def typed(self, keypath: KeyPath, value: Any) -> str:
        """A value read as a number, exactly as it was typed (`012345`, `1.50`)."""
        node, _ = self._find(keypath, whole=True)
        return node.value if type(node) is yaml.ScalarNode else str(value)

    def _find(self, keypath: KeyPath, whole: bool = False) -> tuple[Any, Any]:
        """The node at keypath (and the key node naming it), or the nearest parent's (None, None
        with whole=True, if the path is not all there)."""
        node, key = self.root, None
        for part in keypath:
            found: tuple[Any, Any] | None = None
            if type(node) is yaml.MappingNode:
                found = next(((k, v) for k, v in node.value if type(k) is yaml.ScalarNode and _key(k) == part), None)
            elif type(node) is yaml.SequenceNode and type(part) is int and 0 <= part < len(node.value):
                found = (None, node.value[part])
            if found is None:
                return (None, None) if whole else (node, key)
            key, node = found
        return node, key


class SourceError(Exception):
    """A file that cannot be read as records at all (not UTF-8, not YAML, empty)."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(message)
        self.path, self.line, self.column, self.message = path, line, column, message


def read_text(data: bytes, rel: str) -> str:
    """The file's text: UTF-8 with or without BOM, newlines folded, NFC-normalised."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # saved as Windows-1252 or Latin-1 (an editor's "ANSI"), say
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise SourceError(rel, line, column, f"not UTF-8 text ({exc.reason}); save the file as UTF-8") from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def parse_source(data: bytes, rel: str) -> Source:
    """Parse a YAML file's bytes into a Source; raise SourceError for unreadable ones."""
    text = read_text(data, rel)
    if not text.strip():
        raise SourceError(rel, 1, 1, "the file is empty")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError(rel, 1, 1, "the file is empty")
        walk = _Walk(rel, text)
        source = Source(rel, walk.value(node, node), node, tuple(walk.warnings), tuple(walk.errors))
    except yaml.MarkedYAMLError as exc:
        line, col, message = explained(exc, text)
        raise SourceError(rel, line, col, f"not valid YAML: {message}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(rel, 1, 1, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    return source


class _Walk:
    """Builds the value of each node by the records' rules."""

    def __init__(self, path: str, text: str):
        self.path = path
        # Every node once: an alias (*name) is the node of its anchor met again. A file without
        # a "*", or without a "&" (an alias names an anchor, `&name`, or the parser refuses it),
        # has no alias, and its nodes need not be remembered (Markdown's **bold** is common).
        self.seen: set[int] | None = set() if "*" in text and "&" in text else None
        # A file with a '#' or '&' may have text YAML drops (see dropped): it is looked at.
        self.text = text if "#" in text or "&" in text else None
        self.warnings: list[tuple[int, int, str]] = []
        self.errors: list[tuple[int, int, str]] = []

    def refuse(self, node: Any, message: str) -> SourceError:
        return SourceError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, message)

    def value(self, node: yaml.Node, where: yaml.Node) -> Any:
        """The node's value; where: the node to name if it is an alias (the key or list it stands in)."""
        if self.seen is not None:
            if id(node) in self.seen:
                raise self.refuse(where, ALIASES)
            self.seen.add(id(node))
        kind = type(node)
        if self.anchored(node) and (kind is not yaml.ScalarNode or node.tag != PLAIN):  # `&Co was great`: dropped
            raise self.refuse(node, ALIASES)  # an anchor (`&x {...}`), named by no alias yet
        if kind is yaml.ScalarNode:
            return self.scalar(node)
        if node.tag not in COLLECTIONS:
            raise self.refuse(node, f"YAML tags such as {node.tag} are not allowed in records")
        if kind is yaml.SequenceNode:
            return [self.value(item, node) for item in node.value]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise self.refuse(key_node, "a key must be plain text")
            key = self.scalar(key_node)
            value = self.value(value_node, key_node)
            if key in out:  # said, and the first kept: the rest of the file is still read
                first = next(k for k, _ in node.value if type(k) is yaml.ScalarNode and _key(k) == key)
                mark = key_node.start_mark
                self.errors.append(
                    (
                        mark.line + 1,
                        mark.column + 1,
                        f"'{key}' is written twice in this mapping (first at line "
                        f"{first.start_mark.line + 1}); a key may appear only once",
                    )
                )
                continue
            out[sys.intern(key) if type(key) is str else key] = value
        return out

    def anchored(self, node: yaml.Node) -> bool:
        """Does the node start with an anchor (`&name`)? (Only a file with a '&' can have one.)"""
        return self.text is not None and self.text[node.start_mark.index : node.start_mark.index + 1] == "&"

    def scalar(self, node: Any) -> Any:
        """The value of a scalar by the records' rules (module docstring)."""
        if node.tag != PLAIN and node.tag not in (TEXT, "!"):
            raise self.refuse(node, f"YAML tags such as {node.tag} are not allowed in records")
        if self.text is not None and node.tag == PLAIN:
            self.dropped(node, self.text)
        return _typed(node)

    def dropped(self, node: Any, text: str) -> None:
        """Unquoted text of which YAML keeps only a part: `&Co was great` (an anchor, '&Co',
        then 'was great') is refused; `Read book #3 of the series` ('Read book', then a comment)
        is warned of. A comment written as one ('# was amber', with a space) is not."""
        start, end = node.start_mark.index, node.end_mark.index
        if text[start : start + 1] == "&":
            name = text[start:end].split(maxsplit=1)[0]
            raise self.refuse(
                node, f"text starting with '&' must be in quotes: YAML reads '{name}' as a name, and drops it"
            )
        line_end = text.find("\n", end)
        after = text[end : line_end if line_end >= 0 else len(text)]
        comment = after.lstrip(" \t")
        if comment[:1] == "#" and comment[1:2] not in ("", " ", "\t", "#") and (comment != after or start == end):
            kept = f"the value is '{node.value}'" if node.value else "the value is empty"
            column = node.end_mark.column + 1 + len(after) - len(comment)
            self.warnings.append(
                (
                    node.end_mark.line + 1,
                    column,
                    f"'{comment}' is read as a YAML comment and not kept ({kept}): {QUOTED}",
                )
            )


COLLECTIONS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")
ALIASES = "YAML anchors and aliases (& and *) are not allowed in records; write the value out"
QUOTED = "put the whole text in quotes to keep it"


def _typed(node: Any) -> Any:
    """A scalar's value: text if quoted or in a block, else typed by the records' rules."""
    text = node.value
    if node.tag != PLAIN:  # quoted or block text: always text
        return text
    if text[-1:].isspace() or text[:1].isspace():  # a non-breaking space pasted around `105`: YAML keeps it
        text = text.strip()
    if not text or text[0] not in NUMBER_START:
        if text in NULLS:
            return None
        if text in BOOLS:
            return BOOLS[text]
        return sys.intern(text) if len(text) <= 16 else text  # colours, steps, subjects: one copy each
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    match = DATE.fullmatch(text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return text  # like 2025-02-30: shown to the teacher as not a date
    return sys.intern(text) if len(text) <= 16 else text


_key = _typed  # a mapping's key, as the records read it
