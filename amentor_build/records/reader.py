"""Typed reading of one YAML Source, collecting every problem with its position and key."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..errors import Problem, closest
from .mistakes import CURLY
from .source import KeyPath, Source, SourceError, parse_source

AS_TEXT = 'for the text, write it in quotes, "'  # and the word, then '"'
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # a date as records write it, quoted or not


def dotted(keypath: KeyPath) -> str:
    """Return a key path as written by a teacher: terms.autumn.targets.maths[0].text."""
    out = ""
    for part in keypath:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class Reader:
    """Reads values out of one Source; each check that fails adds a Problem and returns None."""

    def __init__(self, source: Source, problems: list[Problem]):
        self.source = source
        self.problems = problems
        self.missing: set[KeyPath] = set()  # required keys already reported, so text() does not repeat them

    def error(self, keypath: KeyPath, message: str, at_key: bool = False, warning: bool = False) -> None:
        """Record a problem at keypath, prefixed with the key it concerns."""
        line, col = self.source.position(keypath, at_key)
        text = f"{dotted(keypath)}: {message}" if keypath else message
        self.problems.append(Problem(self.source.path, line, col, text, warning))

    def warn(self, keypath: KeyPath, message: str, at_key: bool = False) -> None:
        """Record a warning at keypath: said, and the record is read all the same."""
        self.error(keypath, message, at_key, warning=True)

    def mapping(
        self, keypath: KeyPath, value: Any, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[Any, Any] | None:
        """Check value is a mapping with only allowed keys and every required key."""
        if not isinstance(value, dict):
            self.error(keypath, f"expected a mapping of keys, got {_kind(value)}")
            return None
        allowed = allowed if isinstance(allowed, (set, frozenset)) else frozenset(allowed)
        if not allowed.issuperset(value):
            for key in value:
                if key not in allowed:
                    hint = f"; expected one of: {', '.join(sorted(map(str, allowed)))}" if allowed else ""
                    near = closest(str(key), allowed)
                    glued, _, rest = str(key).partition(":")
                    if value[key] is None and glued in allowed and rest:  # {review:achieved}: one word to YAML
                        near, hint = "", f" (a ':' with no space after it: write '{glued}: {rest}')"
                    elif value[key] is None and " " in str(key) and self.source.in_braces(keypath):  # {text: A, b}
                        curly = any(c in CURLY for c in str(key))  # “A, b”: a word processor's quotes
                        straight = ": straight ones, \" or ', not “ ”" if curly else ""
                        hint = f" (text holding ', ' inside {{ }} must be in quotes{straight})" + hint
                    self.error(keypath + (key,), f"unknown key '{key}'{near}{hint}", at_key=True)
        for key in required:
            if value.get(key) is None:
                self.missing.add(keypath + (key,))
                written = self.source.typed(keypath + (key,), "") if key in value else ""
                if written in ("Null", "null", "NULL"):  # `last_name: Null`: YAML's word for nothing, and a surname
                    self.error(
                        keypath + (key,), f"'{key}' is required; YAML reads {written} as nothing: {AS_TEXT}{written}\""
                    )
                else:
                    self.error(keypath + (key,) if key in value else keypath, f"'{key}' is required")
        return value

    def listing(self, keypath: KeyPath, value: Any) -> list[Any] | None:
        if not isinstance(value, list):
            self.error(keypath, f"expected a list, got {_kind(value)}")
            return None
        return value

    def text(self, keypath: KeyPath, value: Any, required: bool = False) -> str | None:
        """Return value as text; a number is taken exactly as it was typed (`012345`, `1.50`)."""
        if type(value) is str:  # the usual case, first
            text = value.strip()
            if text or not required:
                return text
            self.error(keypath, "must not be empty")
            return None
        if value is None:
            if required and tuple(keypath) not in self.missing:
                self.error(keypath, "a value is required")
            return None
        if isinstance(value, bool):  # `last_name: True`
            written = self.source.typed(tuple(keypath), value)
            self.error(
                keypath, f'expected text, got {_kind(value)}; YAML reads {written} as yes or no: {AS_TEXT}{written}"'
            )
            return None
        if not isinstance(value, (str, int, float)):
            self.error(keypath, f"expected text, got {_kind(value)}")
            return None
        text = self.source.typed(tuple(keypath), value).strip()
        if required and not text:
            self.error(keypath, "must not be empty")
            return None
        return text

    def choice(self, keypath: KeyPath, value: Any, options: Iterable[str], what: str) -> str | None:
        options = tuple(options)
        text = self.text(keypath, value, required=True)
        if text is None:
            return None
        if text not in options:
            hint = f"; expected one of: {', '.join(options)}" if options else "; school.yml names none"
            self.error(keypath, f"'{visible(text)}' is not {what}{closest(text, options)}{hint}")
            return None
        return text

    def number(self, keypath: KeyPath, value: Any, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(keypath, f"expected a number from {_n(low)} to {_n(high)}, got {_kind(value)}")
            return None
        if not low <= value <= high:
            self.error(keypath, f"{_n(value)} is outside {_n(low)}..{_n(high)}")
            return None
        return value

    def integer(self, keypath: KeyPath, value: Any, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(keypath, f"expected a whole number from {low} to {high}, got {_kind(value)}")
            return None
        return value if self.number(keypath, value, low, high) is not None else None

    def date(self, keypath: KeyPath, value: Any, within: tuple[dt.date, dt.date] | None = None) -> dt.date | None:
        """Return a date (YYYY-MM-DD), optionally checked to lie within [start, end]."""
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):  # quoted, or a day no calendar has
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                self.error(keypath, f"'{value}' is written YYYY-MM-DD but is not a day of the calendar")
                return None
        if not isinstance(value, dt.date):
            self.error(keypath, f"expected a date written YYYY-MM-DD, got {_kind(value)}{_as_iso(value)}")
            return None
        if within and not within[0] <= value <= within[1]:
            self.error(keypath, f"{value} is outside the academic year ({within[0]} to {within[1]})")
            return None
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"'{visible(str(value))}'"


def visible(text: str) -> str:
    """A value as a message quotes it, each character that cannot be told apart on screen named:
    `gr[ZERO WIDTH SPACE]een`, `105[NO-BREAK SPACE]`, `Y5[NON-BREAKING HYPHEN]GDS` (text
    pasted from a word processor or a web page)."""
    return "".join(f"[{unicodedata.name(c, f'U+{ord(c):04X}')}]" if _unseen(c) else c for c in text)


def _unseen(c: str) -> bool:
    kind = unicodedata.category(c)
    return (kind in ("Cf", "Zs", "Pd") and c not in " -") or c == "\u00ad"


def _n(value: float) -> str:
    return f"{value:g}"


def read_source(rel: str, data: bytes, problems: list[Problem]) -> Source | None:
    """Parse a file's bytes (rel: its path in the project); on failure record the problem where
    the parser stopped, and its YAML's own errors and warnings at their places."""
    try:
        source = parse_source(data, rel)
    except SourceError as exc:
        problems.append(Problem(exc.path, exc.line, exc.column, exc.message))
        return None
    problems.extend(Problem(rel, line, column, message) for line, column, message in source.errors)
    problems.extend(Problem(rel, line, column, message, warning=True) for line, column, message in source.warnings)
    return source


UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _as_iso(value: Any) -> str:
    """For a date written as the UK writes it (14/11/2026): how to write it (sheets read it so)."""
    found = UK_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    try:
        day = dt.date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:
        return ""
    return f": write {day.isoformat()}" if day else ""
