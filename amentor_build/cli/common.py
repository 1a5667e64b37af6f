"""What every command shares: exit codes, the project directory, the site directory."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from ..errors import Problem, ProjectErrors, UsageError
from ..lock import project_lock
from ..schoolyear.frozen import is_short_work

EXIT_OK, EXIT_PROJECT, EXIT_USAGE = 0, 1, 2
NEW_KEYSTORE = "amentor: started a new keystore in .amentor/ (keep a backup; never publish or commit it)"


class Commands(Protocol):
    """The commands of a parser, as `add_subparsers()` returns them (argparse's class for it is
    private): each command is added with add_parser."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


class Parser(argparse.ArgumentParser):
    """argparse's parser, which keeps in the namespace the innermost command's parser that
    parsed it (`logins issue`'s), so that an option unknown to a command is said with that
    command's usage, not the top level's (see commands.main)."""

    def parse_known_args(  # type: ignore[override]
        self, args: Any = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if getattr(parsed, "command_parser", None) is None:  # a command's own parser came first
            parsed.command_parser = self
        return parsed, extras


def help_of(command: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """The handler of a command given without its action (`amentor sheet`): its help, on stderr,
    and a usage error's exit code."""

    def handler(args: argparse.Namespace) -> int:
        command.print_help(sys.stderr)
        return EXIT_USAGE

    return handler


def count(n: int, noun: str) -> str:
    """A number and its noun, as a sentence says them: '1 folder', '2 folders', '0 warnings'."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def project_root(args: argparse.Namespace) -> Path:
    """Return the project directory named by -p, or the current one. A missing directory is a usage
    error; a directory without school.yml is no school project (exit 1: a plain mkdocs site is
    not one either), said before anything is made in it (not even the lock a command takes)."""
    named = [*(getattr(args, "project_before", None) or []), *(getattr(args, "project", None) or [])]
    if len({Path(p).resolve() for p in named}) > 1:  # before the command (amentor -p DIR check), after it, twice
        raise UsageError(f"{' and '.join(f'-p {p}' for p in named)}: name the project once")
    root = Path(named[0]) if named else Path.cwd()
    if not root.is_dir():
        raise UsageError(
            f"{root} is a file, not a project directory" if root.exists() else f"no such project directory: {root}"
        )
    if not (root / "school.yml").is_file():
        above = enclosing_project(root)
        if above is not None:
            hint = f"this directory is inside the school project {above}: run the command there, or name it with -p {above}"
            raise ProjectErrors(
                [Problem("school.yml", 1, 1, f"school.yml is missing: no school project here ({hint})")]
            )
        said = "is missing: no school project here (name one with -p DIR, or make one with 'amentor init DIR')"
        missing = [name for name in ("mkdocs.yml", "school.yml") if not (root / name).is_file()]
        raise ProjectErrors([Problem(name, 1, 1, f"{name} {said}") for name in missing])
    return root.resolve()


def enclosing_project(folder: Path) -> Path | None:
    """The nearest folder above this one holding a school project (school.yml and mkdocs.yml),
    if any: a teacher who edited pupils/ada/2026-27.yml may run `amentor build` from there. Only
    named, never taken: a command works on the folder it is run in, as mkdocs' commands do."""
    for parent in folder.resolve().parents:
        if (parent / "school.yml").is_file() and (parent / "mkdocs.yml").is_file():
            return parent
    return None


def site_dir(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.site_dir).resolve() if args.site_dir else root / "site"


def leaf(actions: Commands, name: str, help: str, usage: str | None = None) -> argparse.ArgumentParser:
    """A command or a command's action: its line in the list of them is also what its own
    --help begins with; usage, where SPEC's grammar says more than argparse can (one of two sets)."""
    return actions.add_parser(name, help=help, description=help, usage=usage)


def add_project(parser: argparse.ArgumentParser) -> None:
    """Every command's -p: the project it works on."""
    parser.add_argument(
        "-p", "--project", metavar="DIR", action="append", help="the school project's directory (default: this one)"
    )


SHORT_WORK_SHOWN = 5  # of the warnings of chosen work short: the rest are counted


def say_briefly(warnings: list[Problem]) -> None:
    """A build's or a rollover's warnings, those of chosen work short of what the school asks (two
    a child, every finished year: hundreds, for a school that brings in its history) shortened
    to a few and their number, the others after them; `amentor check` says every one. (Nothing is
    imported here: a Ctrl+C that lands in an import, as a build's summary is said, is printed by
    Python as 'Exception ignored', past commands.main's handler.)"""
    short = [w for w in warnings if is_short_work(w)]
    for warning in short[:SHORT_WORK_SHOWN]:
        print(warning, file=sys.stderr)
    if len(short) > SHORT_WORK_SHOWN:
        print(
            f"amentor: and {len(short) - SHORT_WORK_SHOWN} more warnings of chosen work short of what school.yml "
            "asks ('amentor check' lists every one)",
            file=sys.stderr,
        )
    for warning in warnings:
        if warning not in short:
            print(warning, file=sys.stderr)


def locked(root: Path, command: str) -> contextlib.AbstractContextManager[None]:
    """The project's lock for a command; what it finds of an interrupted command is said here."""
    return project_lock(root, command, lambda said: print(f"amentor: {said}", file=sys.stderr))
