"""A fast reader for the plain YAML that records are written in; anything else goes to PyYAML.

Parsing thousands of year files is the largest cost of a large school's full build, and
PyYAML spends most of it building node and mark objects. Records use a small part of YAML:
block mappings and sequences, one-line flow mappings and sequences, plain and quoted
one-line scalars, comments. This module reads exactly that part, line by line, and returns
FALLBACK for anything else (block scalars, anchors, tags, multi-line values, escapes, odd
indentation, unusual numbers, ...), so the caller parses the file with PyYAML instead.

What it returns equals yaml.safe_load's result: the tag of every plain scalar is decided by
PyYAML's own resolver, and only the common kinds of value are converted here (the tests
compare the two on every sample file and on a set of tricky ones). Positions are not
recorded: they are needed only for a message, and then the file is parsed again by PyYAML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml
from yaml.reader import Reader as _YamlReader

FALLBACK = object()  # "not in the subset": parse this file with PyYAML


class _Unsupported(Exception):
    pass


KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")
TAG = "tag:yaml.org,2002:"
DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")
PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
NON_PRINTABLE = _YamlReader.NON_PRINTABLE


_resolver = yaml.resolver.Resolver()  # PyYAML's implicit resolvers, asked once per distinct plain scalar


def parse(text: str) -> Any:
    """The document in text as yaml.safe_load would return it, or FALLBACK."""
    if any(c in text for c in "\t\r\x85\u2028\u2029") or NON_PRINTABLE.search(text):
        return FALLBACK  # tabs, and line breaks other than \n, are PyYAML's to read
    lines: list[list] = []  # [indent, content, line number, a flow collection left open after a comma]
    for number, raw in enumerate(text.split("\n")):
        content = raw.rstrip(" ")
        stripped = content.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        if "#" in stripped:
            content = _strip_comment(content)
            if content is None:
                return FALLBACK
            stripped = content.lstrip(" ")
        indent = len(content) - len(stripped)
        if lines and lines[-1][3]:  # "{kind: writing, title: ...,\n   file: ...}": one entry per line
            previous = lines[-1]
            if number != previous[2] + 1 or indent <= previous[0]:
                return FALLBACK
            previous[1] += " " + stripped
            previous[2], previous[3] = number, stripped.endswith(",")
            continue
        lines.append([indent, stripped, number, stripped.endswith(",") and ("{" in stripped or "[" in stripped)])
    if not lines or lines[0][0] != 0 or lines[0][1].startswith(("---", "...", "%", "- ")) or lines[0][1] == "-":
        return FALLBACK
    try:
        value, end = _mapping(lines, 0, 0)
    except (_Unsupported, IndexError):
        return FALLBACK
    return value if end == len(lines) else FALLBACK


def top_positions(text: str) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
    """(line, column) of each top-level `key: value` written on one line, and of its value, as
    PyYAML reports them (for a file parse() read: enough for the messages that name such a key)."""
    out = {}
    for number, line in enumerate(text.split("\n"), 1):
        match = KEY.match(line)
        if match is not None and match.end() < len(line.rstrip(" ")) and line[match.end()] != "#":
            out[match[1]] = ((number, 1), (number, match.end() + 1))  # the last one counts, as in PyYAML
    return out


def _strip_comment(content: str) -> str | None:
    """The line without its comment; None if quotes make that uncertain."""
    at = content.find(" #")
    if at < 0:
        return content  # a '#' that follows no space starts no comment
    if "'" in content or '"' in content:
        return None
    return content[:at].rstrip(" ")


def _block(lines: list[list], i: int, indent: int) -> tuple[Any, int]:
    content = lines[i][1]
    if content == "-" or content.startswith("- "):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


_entries: dict[str, tuple[Any, Any, bool]] = {}  # "key: value" lines already read: (key, value, a collection)


def _entry(content: str) -> tuple[Any, Any, bool]:
    """The key of a mapping line, and its value if written on the line (None if not), read once
    per distinct line: records repeat most of their lines (`effort: green`, `maths: {...}`)."""
    found = _entries.get(content)
    if found is None:
        match = KEY.match(content)
        if match is None:
            raise _Unsupported
        rest = content[match.end():]
        value = _inline(rest) if rest else None
        if len(_entries) > 100_000:
            _entries.clear()
        found = _entries[content] = (_key(match[1]), value if rest else _NO_VALUE, isinstance(value, (dict, list)))
    return found


_NO_VALUE = object()  # a line that is only "key:"


def _mapping(lines: list[list], i: int, indent: int) -> tuple[dict, int]:
    out: dict = {}
    n = len(lines)
    while i < n and lines[i][0] == indent:
        key, value, collection = _entry(lines[i][1])
        i += 1
        if value is not _NO_VALUE:
            out[key] = value.copy() if collection else value
            if i < n and lines[i][0] > indent:  # a value continued on the next lines
                raise _Unsupported
        elif i < n and lines[i][0] > indent:
            out[key], i = _block(lines, i, lines[i][0])
        elif i < n and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
            out[key], i = _sequence(lines, i, indent)  # a sequence written at its key's indentation
        else:
            out[key] = None
    if i < n and lines[i][0] > indent:
        raise _Unsupported
    return out, i


def _sequence(lines: list[list], i: int, indent: int) -> tuple[list, int]:
    out: list = []
    n = len(lines)
    while i < n and lines[i][0] == indent and (lines[i][1] == "-" or lines[i][1].startswith("- ")):
        content = lines[i][1]
        rest = content[1:].lstrip(" ")
        if not rest:
            i += 1
            if i < n and lines[i][0] > indent:
                value, i = _block(lines, i, lines[i][0])
            else:
                value = None
        elif rest == "-" or rest.startswith("- ") or KEY.match(rest):
            lines[i] = [indent + len(content) - len(rest), rest, lines[i][2], False]  # "- key: value": a block in the item
            value, i = _block(lines, i, lines[i][0])
        else:
            value = _inline(rest)
            i += 1
            if i < n and lines[i][0] > indent:
                raise _Unsupported
        out.append(value)
    return out, i


_flows: dict[str, Any] = {}  # flow collections already read: their entries are scalars, so a copy is a new value


def _inline(text: str) -> Any:
    first = text[0]
    if first == "{" or first == "[":
        # Records repeat the same one-line collections ({working_at: 2b, target: 2w}, a
        # target from the school's bank) from pupil to pupil: each is read once.
        value = _flows.get(text)
        if value is None:
            if len(_flows) > 100_000:
                _flows.clear()
            value = _flows[text] = _flow_mapping(text) if first == "{" else _flow_sequence(text)
        return value.copy()
    if first in "'\"":
        value, end = _quoted(text, 0)
        if end != len(text):
            raise _Unsupported
        return value
    return _plain(text, flow=False)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """A one-line quoted scalar starting at text[start]; returns it and where it ends."""
    quote = text[start]
    if quote == '"':
        end = text.find('"', start + 1)
        if end < 0 or "\\" in text[start + 1:end]:
            raise _Unsupported
        return text[start + 1:end], end + 1
    parts = []
    at = start + 1
    while True:
        end = text.find("'", at)
        if end < 0:
            raise _Unsupported
        parts.append(text[at:end])
        if text.startswith("''", end):
            parts.append("'")
            at = end + 2
            continue
        return "".join(parts), end + 1


_QUOTED = r"\"[^\"\\]*\"|'(?:[^']|'')*'"
_FLOW_PLAIN = r"[^\s,'\"{}\[\]:?#&*!|>%@`-][^,'\"{}\[\]:?]*?"  # no quotes, brackets, ':' or '?' inside
_FLOW_VALUE = rf"(?:{_QUOTED}|{_FLOW_PLAIN})"
_FLOW_ENTRY = rf"[A-Za-z_][A-Za-z0-9_-]*: +{_FLOW_VALUE}"
FLOW_MAPPING = re.compile(rf"\{{ *(?:{_FLOW_ENTRY} *(?:, *{_FLOW_ENTRY} *)*)?\}}")
FLOW_ENTRY = re.compile(rf"([A-Za-z_][A-Za-z0-9_-]*): +({_FLOW_VALUE}) *(?:,|$)")
FLOW_SEQUENCE = re.compile(rf"\[ *(?:{_FLOW_VALUE} *(?:, *{_FLOW_VALUE} *)*)?\]")
FLOW_ITEM = re.compile(rf"({_FLOW_VALUE}) *(?:,|$)")


def _flow_mapping(text: str) -> dict:
    """{key: value, ...} on one line, with plain or quoted scalar values."""
    if FLOW_MAPPING.fullmatch(text) is None:
        raise _Unsupported
    out = {}
    for key, value in FLOW_ENTRY.findall(text[1:-1].strip(" ")):
        out[_key(key)] = _flow_scalar(value)
    return out


def _flow_sequence(text: str) -> list:
    if FLOW_SEQUENCE.fullmatch(text) is None:
        raise _Unsupported
    return [_flow_scalar(item) for item in FLOW_ITEM.findall(text[1:-1].strip(" "))]


def _flow_scalar(text: str) -> Any:
    if text[0] == '"':
        return text[1:-1]
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    return _plain(text, flow=True)


UNSUPPORTED = object()  # a scalar typed() leaves to PyYAML
_plains: tuple[dict[str, Any], dict[str, Any]] = ({}, {})  # (block, flow): immutable values only
_keys: dict[str, Any] = {}


def _plain(text: str, flow: bool) -> Any:
    """A plain scalar, typed as PyYAML types it (forms this module does not convert raise _Unsupported).

    A school's files repeat the same few hundred scalars (subjects, colours, steps), so each
    distinct one is typed once.
    """
    seen = _plains[flow]
    value = seen.get(text, seen)
    if value is seen:
        if len(seen) > 100_000:
            seen.clear()
        value = seen[text] = _type_plain(text, flow)
    if value is UNSUPPORTED:
        raise _Unsupported
    return value


def _key(text: str) -> Any:
    """A mapping key (KEY's characters only), typed; merge keys and odd types are PyYAML's."""
    key = _keys.get(text, _keys)
    if key is _keys:
        if len(_keys) > 100_000:
            _keys.clear()
        key = _keys[text] = _type_plain(text, flow=True)
        if key is None or isinstance(key, dt.date) or key in ("<<", "="):
            key = _keys[text] = UNSUPPORTED
    if key is UNSUPPORTED:
        raise _Unsupported
    return key


def _type_plain(text: str, flow: bool) -> Any:
    first = text[0]
    if first in INDICATORS and not (first in "-?:" and len(text) > 1 and text[1] != " "):
        return UNSUPPORTED
    if ": " in text or " #" in text or text.endswith(":") or (flow and any(c in text for c in ",?[]{}")):
        return UNSUPPORTED
    return typed(_resolver.resolve(yaml.ScalarNode, text, (True, False)), text)


def typed(tag: str, text: str) -> Any:
    """The value of a scalar PyYAML tagged so, for the common kinds; UNSUPPORTED for the rest
    (hex and sexagesimal numbers, timestamps with a time, ...: PyYAML's constructor builds those)."""
    if tag == TAG + "str":
        return text
    if tag == TAG + "int" and DECIMAL.fullmatch(text):
        return int(text)
    if tag == TAG + "float" and PLAIN_FLOAT.fullmatch(text):
        return float(text)
    if tag == TAG + "null":
        return None
    if tag == TAG + "bool":
        return text.lower() in ("yes", "true", "on")
    if tag == TAG + "timestamp" and (match := ISO_DATE.fullmatch(text)):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return text  # like 2025-02-30: shown to the teacher as not a date (yaml.safe_load would crash)
    return UNSUPPORTED
