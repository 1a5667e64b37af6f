"""`amentor init`: a new school project with two invented pupils, ready to build."""

from __future__ import annotations

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
    """Create a project in target, which must be missing or empty; refuse otherwise."""
    if target.exists():
        why = "it is a file, not a directory" if not target.is_dir() else "it is not an empty directory"
        if not target.is_dir() or any(target.iterdir()):
            raise LocatedError(Problem(str(target), 1, 1, f"refusing to initialise here: {why} (nothing was changed)"))
    starter = starter_dir()
    target.mkdir(parents=True, exist_ok=True)
    write_project_files(target, starter, "Brindlewick Primary School", pupils)


def write_project_files(
    target: Path, starter: Path, name: str, pupils: int, complete_years: bool = False, full_history: bool = False
) -> None:
    """Write school, pupils, theme, content, mkdocs.yml and .gitignore into target."""
    write_school(target, pupils=pupils, name=name, complete_years=complete_years, full_history=full_history)
    shutil.copytree(starter / "theme", target / "theme", dirs_exist_ok=True)
    shutil.copytree(starter / "content", target / "content", dirs_exist_ok=True)
    (target / "mkdocs.yml").write_text(MKDOCS_YML.format(name=name, site_url=SITE_URL), encoding="utf-8")
    (target / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
