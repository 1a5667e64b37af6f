"""A YAML mistake said in words a teacher can act on, at the line and column where it is
(PyYAML says where it noticed, in its own words: often the next line)."""

from __future__ import annotations

import re

import yaml

PARSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # the C parser where PyYAML has it


def explained(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """Where a YAML error is, and what it is in words a teacher can act on; where the cause is
    not certain, the candidates (the parser's own words where there is nothing to add)."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n")
    here = lines[line - 1] if mark and line <= len(lines) else ""
    found = here[col - 1 : col]
    if found == "\t":
        return line, col, "a tab character; indent with spaces only"
    glued = _glued(lines, line)
    if glued is not None:
        return glued
    started = _starts_badly(here, col)
    if started is not None:
        return line, *started
    unkeyed = _unkeyed(exc, lines)
    if unkeyed is not None:
        return unkeyed
    if exc.problem == "did not find expected '-' indicator":
        return line, col, MISSING_DASH
    if exc.context == "while scanning a quoted scalar" and exc.context_mark:  # the file ended inside it
        start = exc.context_mark
        return start.line + 1, start.column + 1, "this quoted text is never closed (a missing \" or ')"
    if exc.problem in ("mapping values are not allowed in this context", "mapping values are not allowed here"):
        if any(curly in here for curly in "‘’“”"):  # pasted from Word: the text looks quoted, and is not
            return (
                line,
                col,
                "a ': ' where none can be: ‘ ’ and “ ” (curly quotes, as Word types them) are not quotes in YAML: use ' or \"",
            )
        return line, col, "a ': ' where none can be (put text holding ': ' in quotes; or is a line indented too far?)"
    flow = FLOWS.get(str(exc.context))
    if flow and exc.context_mark and mark:
        start, (what, close) = exc.context_mark, flow
        ran_on = mark.line != start.line and _indent(here) <= _indent(lines[start.line])  # into the next key
        comment = _comment(lines[start.line], start.column)  # `{text: Read book #3}`: a comment to YAML
        if comment >= 0 and close in lines[start.line][comment:]:
            return (
                start.line + 1,
                comment + 2,
                f"a ' #' starts a comment, which hides the closing '{close}': {QUOTE_IT}",
            )
        if not found or found in ("]", "}") or ran_on:
            return start.line + 1, start.column + 1, f"this {what} is not closed (a missing '{close}')"
        return line, col, f"unexpected text in this {what}: a ', ' missing between two entries, or {IN_TEXT}"
    if exc.problem == "did not find expected key":
        if here[: col - 1].strip():
            return line, col, f"unexpected text after a value: {IN_TEXT}"
        return line, col, "this line is not indented like the keys above it"
    return line, col, str(exc.problem or exc.context)


QUOTE_IT = "put the text in quotes"
MISSING_DASH = "a list entry without its '- ' (each entry of a list starts with '- ', indented like the others)"
CURLY = "“”‘’"  # a word processor's quotes: text to YAML, not quotes


def _comment(line: str, start: int) -> int:
    """Where a ' #' outside quotes starts a comment in line, from start on (-1: none)."""
    quote = ""
    for at in range(start, len(line)):
        c = line[at]
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "#" and line[at - 1 : at] in (" ", "\t"):
            return at - 1
    return -1


def _unkeyed(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str] | None:
    """A line that is neither `key: value` nor a list entry, as the error's cause (YAML says so
    on the line after it, in its own words): a non-breaking space after a ':' (pasted from a
    word processor), or text run on from the line above at its key's indent."""
    start = exc.context_mark
    if exc.context != "while scanning a simple key" or start is None or start.line >= len(lines):
        return None
    here = lines[start.line]
    glued = re.search(r":[\u00a0\u2007\u202f]", here)
    if glued:
        return (
            start.line + 1,
            glued.start() + 2,
            "a non-breaking space after ':' (pasted text?); type an ordinary space",
        )
    if here.lstrip().startswith(("{", "[")):
        return start.line + 1, start.column + 1, MISSING_DASH
    return (
        start.line + 1,
        start.column + 1,
        "this line is neither 'key: value' nor a list entry ('- ...'): if it goes on from the "
        "line above, indent it further than that line's key, or put the whole text in quotes",
    )


IN_TEXT = (
    "text holding ': ' or ', ' that needs quotes, or a quote inside quoted text that ends it early "
    "(write '' for ' inside '...', or use the other kind of quotes; a quote left open on the line "
    "above ends here)"
)
GLUED = re.compile(r"\s*(?:- )?(?P<key>[A-Za-z_][\w-]*):(?P<value>[^\s:/][^#]*?)\s*(?:#.*)?")


def _glued(lines: list[str], line: int) -> tuple[int, int, str] | None:
    """A `punctuality:green` (no space after the ':', so text to YAML, running on into the next
    lines) on the error's line or the three above, as the error's cause: only if writing the
    space there makes the error go, or move past the error's line."""
    for number in range(min(line, len(lines)), max(0, line - 4), -1):
        found = GLUED.fullmatch(lines[number - 1])
        if found is None:
            continue
        at = found.end("key")
        fixed = lines[: number - 1] + [lines[number - 1][: at + 1] + " " + lines[number - 1][at + 1 :]] + lines[number:]
        try:
            yaml.compose("\n".join(fixed), Loader=PARSER)
        except yaml.MarkedYAMLError as exc:
            moved = exc.problem_mark or exc.context_mark
            if moved is None or moved.line + 1 <= line:
                continue
        return number, at + 1, f"a ':' with no space after it (write '{found['key']}: {found['value']}')"
    return None


VALUE = re.compile(r"(?P<lead>\s*(?:- )?(?P<key>[A-Za-z_][\w-]*):[ \t]+)(?P<value>\S.*?)\s*")
# What YAML reads as something else at the start of a value: an alias (*), a tag (!), a block
# scalar (| >), a list entry (-), a complex key (?), characters it keeps for itself (@ ` %),
# a list or mapping ([ { ) when text follows it.
INDICATORS = "*!|>-?@`%,"


def _starts_badly(here: str, col: int) -> tuple[int, str] | None:
    """Unquoted text (`went_well: **Much** neater`, `- reading`, `@home`) whose first character
    YAML reads as something else, as the error's cause: the column of the value, and the fix."""
    found = VALUE.fullmatch(here)
    if found is None or col <= found.end("lead"):
        return None
    value = found["value"]
    closed = re.match(r"(\[[^\]]*\]|\{[^}]*\})\s*[^\s#,]", value)  # [Much] neater: a list, then text
    if value[0] not in INDICATORS and closed is None:
        return None
    if re.match(r"-\s+[{\[]", value):  # reading: - {text: ...}: a list written on its key's line
        return found.end("lead") + 1, "a list's entries ('- ...') go on the lines below its key, each indented"
    quoted = f'"{value}"' if '"' not in value else "'" + value.replace("'", "''") + "'"
    return found.end("lead") + 1, f"text starting with '{value[0]}' must be in quotes: write {found['key']}: {quoted}"


FLOWS = {"while parsing a flow mapping": ("mapping in { }", "}"), "while parsing a flow sequence": ("list in [ ]", "]")}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
