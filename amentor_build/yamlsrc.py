"""YAML files read with the position of every key and value, for `path:line:column` errors."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import quickyaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is several times faster


class Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with the tag of each scalar remembered: the C composer asks PyYAML's
    Python resolver for every key and value, and a school's files repeat the same few hundred
    (subject names, colours, steps). Used for files the fast reader (quickyaml) leaves to
    PyYAML, and to find positions for a message."""

    _tags: dict = {}

    def descend_resolver(self, current_node, current_index):  # no path resolvers are registered
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            if len(self._tags) > 200_000:
                self._tags.clear()
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag

KeyPath = tuple[Any, ...]
Position = tuple[int, int]


@dataclass
class Source:
    """A parsed YAML document and where each of its nodes stood in the file.

    A file read by the fast reader (quickyaml) has no positions until one is asked for (for
    a message); then it is parsed again with PyYAML, which records them.
    """

    path: str  # relative to the project, for messages
    data: Any
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    text: str | None = None  # kept while the positions are still to be found

    def position(self, keypath: KeyPath, at_key: bool = False) -> Position:
        """Return (line, column) of a node, or of its nearest located parent."""
        if self.text is not None and len(keypath) == 1 and isinstance(keypath[0], str):
            found = quickyaml.top_positions(self.text).get(keypath[0])  # a top-level key: no second parse
            if found is not None:
                return found[0] if at_key else found[1]
        if self.text is not None:
            try:
                located = _parse_with_positions(self.text, self.path)
                self.values, self.keys = located.values, located.keys
            except SourceError:  # cannot happen: the fast reader takes only what PyYAML reads
                pass
            self.text = None
        table = self.keys if at_key else self.values
        path = tuple(keypath)
        while path:
            if path in table:
                return table[path]
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return (1, 1)


class SourceError(Exception):
    """A file that cannot be read as YAML at all."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(message)
        self.path, self.line, self.column, self.message = path, line, column, message


def read_text(file: Path) -> str:
    """Return the file's text: UTF-8 with or without BOM, newlines folded, NFC-normalised."""
    raw = file.read_bytes()
    text = raw.decode("utf-8-sig")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def load_source(file: Path, rel: str) -> Source:
    """Parse one YAML file into a Source; raise SourceError for unreadable files."""
    try:
        text = read_text(file)
    except UnicodeDecodeError as exc:
        raise SourceError(rel, 1, 1, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if not text.strip():
        raise SourceError(rel, 1, 1, "the file is empty")
    data = quickyaml.parse(text)
    if data is not quickyaml.FALLBACK:
        return Source(rel, data, text=text)
    return _parse_with_positions(text, rel)


def _parse_with_positions(text: str, rel: str) -> Source:
    """Parse with PyYAML, recording the position of every key and value."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError(rel, 1, 1, "the file is empty")
        source = Source(rel, None)
        source.data = _value(node, (), source, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(rel, line, col, f"not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(rel, 1, 1, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    return source


TAG = quickyaml.TAG


def _value(node: yaml.Node, path: KeyPath, source: Source, loader) -> Any:
    """Build the Python value of node and record where it and its keys stand, in one walk.

    The C composer has already resolved every tag; common scalars are converted here and
    anything unusual (hex ints, timestamps with times, merge keys, custom tags) goes to
    PyYAML's own safe constructor, so the result equals yaml.safe_load's.
    """
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        if any(k.tag == TAG + "merge" for k, _ in node.value):
            return _fallback(node, path, source, loader)
        out = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader) if isinstance(key_node, yaml.ScalarNode) else loader.construct_object(key_node, deep=True)
            child = path + (key,)
            source.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _value(value_node, child, source, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(item, path + (i,), source, loader) for i, item in enumerate(node.value)]
    return _scalar(node, loader)


def _scalar(node: yaml.ScalarNode, loader) -> Any:
    value = quickyaml.typed(node.tag, node.value)
    return loader.construct_object(node, deep=True) if value is quickyaml.UNSUPPORTED else value


def _fallback(node: yaml.Node, path: KeyPath, source: Source, loader) -> Any:
    """PyYAML's constructor for the rare node this module does not build itself (positions kept)."""
    value = loader.construct_object(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag != TAG + "merge":
                source.keys[path + (key_node.value,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return value
