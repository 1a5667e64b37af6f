"""One exception family for the whole pipeline; only the CLI turns it into text and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the project, located as `path:line:column`."""

    path: str
    line: int
    column: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}:{self.column}: {kind}{self.message}"


class AmentorError(Exception):
    """Base of every error amentor raises on purpose."""


class ProjectErrors(AmentorError):
    """The project has errors (bad input): exit code 1. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(AmentorError):
    """The command was called wrongly: exit code 2."""


def problems_or_raise(problems: list[Problem]) -> list[Problem]:
    """Raise ProjectErrors if any problem is an error; return the warnings otherwise."""
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ProjectErrors(errors)
    return [p for p in problems if p.warning]
