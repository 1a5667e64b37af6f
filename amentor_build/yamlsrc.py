"""YAML files read with the position of every key and value, for `path:line:column` errors."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# The C loader is several times faster; parsing is the largest cost of a big school.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[Any, ...]
Position = tuple[int, int]


@dataclass
class Source:
    """A parsed YAML document and where each of its nodes stood in the file."""

    path: str  # relative to the project, for messages
    data: Any
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)

    def position(self, keypath: KeyPath, at_key: bool = False) -> Position:
        """Return (line, column) of a node, or of its nearest located parent."""
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
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SourceError(rel, 1, 1, "the file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(rel, line, col, f"not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise SourceError(rel, 1, 1, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
    source = Source(rel, data)
    _collect_positions(node, (), source)
    return source


def _collect_positions(node: yaml.Node, path: KeyPath, source: Source) -> None:
    """Record the position of every value (and mapping key) below node."""
    source.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag.endswith(":int"):
                key = int(key) if key.lstrip("-").isdigit() else key
            child = path + (key,)
            source.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _collect_positions(value_node, child, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_positions(item, path + (index,), source)
