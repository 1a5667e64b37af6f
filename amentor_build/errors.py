"""One exception family for the whole pipeline. Each error knows its exit code and how it reads
(`path:line:column: message`); only the command line prints it (cli.commands.main)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One finding about the project, located as `path:line:column`; problems sort in reading
    order (a spreadsheet's column AA after Z)."""

    path: str
    line: int
    column: int | str  # a number in a text file; a letter (A, B, ..., AA) in a spreadsheet
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}:{self.column}: {kind}{self.message}"

    def __lt__(self, other: Problem) -> bool:
        return self._place() < other._place()

    def _place(self) -> tuple[str, int, int, str, bool]:
        column = self.column
        if isinstance(column, str):  # A = 1, Z = 26, AA = 27
            column = (
                sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column.upper()))) if column.isalpha() else 0
            )
        return (self.path, self.line, column, self.message, self.warning)


ALIASES = {"amber": "yellow"}  # a British traffic light's middle colour, as teachers say it


def closest(text: str, options: Iterable[object]) -> str:
    """The hint " (did you mean 'green'?)" when one of the options is close to a mistyped text
    (case aside: 'Green' is 'green'), else "": a teacher's typo gets its fix, not only a list."""
    by_lower = {str(o).lower(): str(o) for o in options}
    alias = ALIASES.get(text.strip().lower(), "")
    found = [alias] if alias in by_lower else difflib.get_close_matches(text.lower(), list(by_lower), n=1, cutoff=0.75)
    return f" (did you mean '{by_lower[found[0]]}'?)" if found and by_lower[found[0]] != text else ""


class AmentorError(Exception):
    """Base of every error amentor raises on purpose: exit code 1 (the project or its state is wrong)."""

    exit_code = 1

    def lines(self) -> list[str]:
        """What the user reads, one line each."""
        return [f"amentor: {self}"]


class ProjectErrors(AmentorError):
    """The project has errors (bad input): exit code 1. Carries every problem found."""

    def __init__(self, problems: list[Problem], then: str = "nothing was written"):
        self.problems = sorted(problems)
        self.then = then  # what the command left as it was, said after the count
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ProjectErrors], tuple[Any, ...]]:  # pickled whole (from a worker)
        return (ProjectErrors, (self.problems, self.then))

    def __str__(self) -> str:  # as the problems are now: a failed build adds its warnings to them
        return "\n".join(str(p) for p in self.problems)

    def lines(self) -> list[str]:
        count = sum(not p.warning for p in self.problems)  # (a failed build's warnings are said too)
        return [str(p) for p in self.problems] + [f"amentor: {count} error{'s' if count != 1 else ''}; {self.then}"]


class LocatedError(AmentorError):
    """An error about one file or place (the keystore, the site, a place amentor will not write
    to): `path:line:column: message`."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))

    def __reduce__(self) -> tuple[type[LocatedError], tuple[Problem]]:
        return (type(self), (self.problem,))

    def lines(self) -> list[str]:
        return [str(self.problem)]


class UsageError(AmentorError):
    """The command was called wrongly: exit code 2."""

    exit_code = 2


def problems_or_raise(problems: list[Problem]) -> tuple[Problem, ...]:
    """Raise ProjectErrors if any problem is an error (carrying the warnings too: whoever fixes
    the errors sees everything at once, as `check` would show it); return the warnings otherwise."""
    if any(not p.warning for p in problems):
        raise ProjectErrors(problems)
    return tuple(problems)
