"""The whole build, top to bottom: load, judge, render, protect, audit, publish.

This module (and everything it calls) never imports mkdocs: the public pages are passed
in as a callable, so the pipeline could run under a fork of mkdocs or without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import protect
from .audit import audit
from .errors import Problem
from .judge import judge_school
from .keystore import Keystore
from .load import load_project
from .publish import PublicPages, publish, write_files
from .render import make_environment, render_folders


@dataclass(frozen=True)
class BuildReport:
    pupils: int
    pages: int
    attachments: int
    files: int
    warnings: tuple[Problem, ...]
    new_keystore: bool


def state_dir(root: Path) -> Path:
    """The project's private folder: keystore and caches, never published."""
    return root / ".amentor"


def build(root: Path, site_dir: Path, public_pages: PublicPages | None = None, in_place: bool = False) -> BuildReport:
    """Build the site; raise ProjectErrors on bad input. Atomic unless in_place (the mkdocs route)."""
    project = load_project(root)                                                    # 1. load
    folders = judge_school(project)                                                 # 2. judge
    keystore = Keystore.load(state_dir(root))
    env = make_environment(root / "theme")
    rendered = render_folders(env, project, folders, state_dir(root) / "cache" / "media",
                              protect.site_for(keystore))                           # 3. render
    site = protect.protect(project, rendered, keystore, env)                        # 4. protect
    new_keystore = keystore.created
    keystore.save()
    if in_place:                                                                    # 5. audit, 6. publish
        audit(site.files, project, public_dir=site_dir)
        write_files(site.files, site_dir)
    else:
        publish(site.files, site_dir, public_pages, check=lambda staging: audit(site.files, project, staging))
    return BuildReport(len(rendered), sum(len(r.pages) for r in rendered),
                       sum(len(r.attachments) for r in rendered), len(site.files),
                       project.warnings + site.warnings, new_keystore)


def check(root: Path) -> tuple[Problem, ...]:
    """Validate the project without writing anything; return warnings or raise ProjectErrors."""
    return load_project(root).warnings
