"""`amentor init`: a new school project with two invented pupils, ready to build."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from .errors import LocatedError, Problem
from .sample import MKDOCS_YML, write_school
from .starter import starter_dir

GITIGNORE = (
    "# amentor: the built site, the keystore and login letters never go into version control\n"
    "site/\n.amentor/\nletters/\n"
    "# beside the site: the tree the last build replaced (hard links), and a build's staging\n"
    ".*.spare/\n.*.new-*/\n"
)
SITE_URL = "https://folders.example.sch.uk/"


def init_project(target: Path, pupils: int = 2) -> None:
    """Create a project in target, which must be missing or empty; refuse otherwise.

    The project is written beside target (`.<name>.init-*`) and renamed into place when it is
    whole: an init killed, or stopped by a full disk, leaves target as it was, and can be run
    again (it removes what an earlier one left beside target)."""
    if target.exists():
        why = "it is a file, not a directory" if not target.is_dir() else "it is not an empty directory"
        if not target.is_dir() or any(target.iterdir()):
            raise LocatedError(Problem(str(target), 1, 1, f"refusing to initialise here: {why} (nothing was changed)"))
    target.parent.mkdir(parents=True, exist_ok=True)
    for left in target.parent.glob(f".{target.name}.init-*"):  # by an init killed there
        shutil.rmtree(left, ignore_errors=True)
    staging = target.parent / f".{target.name}.init-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        write_project_files(staging, starter_dir(), "Brindlewick Primary School", pupils)
        os.rename(staging, target)  # (over target if it is an empty directory)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        failed = Path(exc.filename or staging)
        shown = target / failed.relative_to(staging) if failed.is_relative_to(staging) else failed
        raise LocatedError(Problem(str(shown), 1, 1, f"{exc.strerror or exc}; nothing was created")) from None
    except BaseException:  # Ctrl+C
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_project_files(
    target: Path, starter: Path, name: str, pupils: int, complete_years: bool = False, full_history: bool = False
) -> None:
    """Write school, pupils, theme, content, mkdocs.yml and .gitignore into target."""
    write_school(target, pupils=pupils, name=name, complete_years=complete_years, full_history=full_history)
    copy_tree(starter / "theme", target / "theme")
    copy_tree(starter / "content", target / "content")
    (target / "mkdocs.yml").write_text(MKDOCS_YML.format(name=name, site_url=SITE_URL), encoding="utf-8")
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
