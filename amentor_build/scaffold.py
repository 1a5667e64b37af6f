"""`amentor init`: a new school project with two invented pupils, ready to build."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import LocatedError, Problem
from .sample import MKDOCS_YML, write_school
from .starter import EXAMPLE_NAME, EXAMPLE_SITE_URL, starter_dir

GITIGNORE = (
    "# amentor: the built site, the keystore and login letters never go into version control\n"
    "site/\n.amentor/\nletters/\n"
    "# beside the site: the tree the last build replaced (hard links), and a build's staging\n"
    ".*.spare/\n.*.new-*/\n"
    "# class sheets and MIS exports saved in the project: every child's values outside the records;\n"
    "# a leaver's retention copy (export --archive): all of a child's records and work, unencrypted\n"
    "/*.xlsx\n/*.csv\n/*.zip\n"
)


def init_project(target: Path, pupils: int = 2) -> None:
    """Create a project in target, which must be missing or empty; refuse otherwise.

    Killed, or stopped by a full disk, init leaves target as it was, and can be run again:
    - a missing target is written beside it (`.<name>.init-*`) and renamed into place whole (a
      leftover beside it is removed by the next init there), and the folders made above it for
      it are removed if it fails;
    - an empty directory is written in place (it stays the directory it was: its owner, mode
      and mount), with a mark in it (INTERRUPTED) until init is done: an init finding the mark
      clears what the interrupted one wrote, and one that fails clears what it wrote."""
    if target.exists() and not (target.is_dir() and _empty_or_interrupted(target)):
        why = "it is a file, not a directory" if not target.is_dir() else "it is not an empty directory"
        raise LocatedError(Problem(str(target), 1, 1, f"refusing to initialise here: {why} (nothing was changed)"))
    if target.is_dir():  # written in place, marked until done
        with _undone_if_failed(target, target, lambda: _clear(target)):
            _clear(target)  # what an interrupted init left
            (target / INTERRUPTED).write_text("amentor init is writing this project; if it was stopped, run it again\n")
            write_project_files(target, starter_dir(), EXAMPLE_NAME, pupils)
            (target / INTERRUPTED).unlink()
        return
    made = [d for d in reversed(target.parents) if not d.exists()]  # made for it: removed if it fails
    staging = target.parent / f".{target.name}.init-{secrets.token_hex(4)}"

    def undo() -> None:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()

    target.parent.mkdir(parents=True, exist_ok=True)
    for left in target.parent.glob(f".{target.name}.init-*"):  # by an init killed there
        shutil.rmtree(left, ignore_errors=True)
    with _undone_if_failed(target, staging, undo):
        staging.mkdir()
        write_project_files(staging, starter_dir(), EXAMPLE_NAME, pupils)
        os.rename(staging, target)  # whole, or not at all


INTERRUPTED = ".amentor-init"  # in a directory init is writing into, until it is done


@contextlib.contextmanager
def _undone_if_failed(target: Path, into: Path, undo: Callable[[], None]) -> Iterator[None]:
    """The block writes the project into `into`; if it fails, `undo`, and a disk's refusal is an
    error at the place it failed (named as in target)."""
    try:
        yield
    except OSError as exc:
        undo()
        failed = Path(exc.filename or into)
        shown = target / failed.relative_to(into) if failed.is_relative_to(into) else failed
        raise LocatedError(Problem(str(shown), 1, 1, f"{exc.strerror or exc}; nothing was created")) from None
    except BaseException:  # Ctrl+C
        undo()
        raise


def _empty_or_interrupted(folder: Path) -> bool:
    """Is the folder empty, or does it hold only what an interrupted init wrote (its mark, and
    nothing a project gains once in use, such as .amentor/ or site/: never cleared)?"""
    entries = {p.name for p in folder.iterdir()}
    return not entries or (INTERRUPTED in entries and entries <= WRITTEN)


WRITTEN = {INTERRUPTED, "school.yml", "pupils", "theme", "content", "mkdocs.yml", ".gitignore"}  # what init writes


def _clear(folder: Path) -> None:
    """Everything in an empty folder init wrote into (or one an interrupted init left its mark in)."""
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def write_project_files(
    target: Path, starter: Path, name: str, pupils: int, complete_years: bool = False, full_history: bool = False
) -> None:
    """Write school, pupils, theme, content, mkdocs.yml and .gitignore into target."""
    write_school(target, pupils=pupils, name=name, complete_years=complete_years, full_history=full_history)
    copy_tree(starter / "theme", target / "theme")
    copy_tree(starter / "content", target / "content")
    (target / "mkdocs.yml").write_text(MKDOCS_YML.format(name=name, site_url=EXAMPLE_SITE_URL), encoding="utf-8")
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")


def copy_tree(source: Path, target: Path) -> None:
    """source's folders and files into target (files there already replaced). A failure is the
    OSError of the file or folder it failed at, raised there (shutil.copytree goes on, and
    raises a list of every failure as text)."""
    target.mkdir(exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.is_dir():
            copy_tree(item, target / item.name)
        else:
            shutil.copyfile(item, target / item.name)
