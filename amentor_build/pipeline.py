"""The whole build, top to bottom: load, judge, render, protect, audit, publish.

This module (and everything it calls) never imports mkdocs: the public pages are passed
in as a callable, so the pipeline could run under a fork of mkdocs or without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import protect
from .errors import Problem
from .judge import judge_school
from .load import load_project
from .publish import PublicPages, publish, write_files
from .render import make_environment, render_folders


@dataclass(frozen=True)
class BuildReport:
    pupils: int
    pages: int
    attachments: int
    files_written: int
    warnings: tuple[Problem, ...]
    protected: bool


def state_dir(root: Path) -> Path:
    """The project's private folder: keystore and caches, never published."""
    return root / ".amentor"


def build(root: Path, site_dir: Path, public_pages: PublicPages | None = None, in_place: bool = False) -> BuildReport:
    """Build the site; raise ProjectErrors on bad input. Atomic unless in_place (the mkdocs route)."""
    project = load_project(root)                                              # 1. load
    folders = judge_school(project)                                           # 2. judge
    rendered = render_folders(project, folders, state_dir(root) / "cache" / "media",
                              protect.clear_site_for)                         # 3. render
    files = protect.clear_files(rendered, make_environment(root / "theme"))   # 4. protect
    if in_place:                                                              # 6. publish
        written = write_files(files, site_dir)
    else:
        publish(files, site_dir, public_pages)
        written = len(files)
    return BuildReport(len(rendered), sum(len(r.pages) for r in rendered),
                       sum(len(r.attachments) for r in rendered), written, project.warnings, protected=False)


def check(root: Path) -> tuple[Problem, ...]:
    """Validate the project without writing anything; return warnings or raise ProjectErrors."""
    return load_project(root).warnings
