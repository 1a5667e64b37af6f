"""The whole build, top to bottom: load, judge, render, protect, audit, publish.

This module (and everything it calls) never imports mkdocs: the public pages are passed
in as a callable, so the pipeline could run under a fork of mkdocs or without it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import protect
from .audit import audit
from .errors import Problem
from .judge import judge_school
from .keystore import Keystore, KeystoreError
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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


class Stopwatch:
    """Seconds spent in each stage, for `amentor build --verbose` and the bench."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.times[stage] = self.times.get(stage, 0.0) + now - self.last
        self.last = now


def state_dir(root: Path) -> Path:
    """The project's private folder: keystore and caches, never published."""
    return root / ".amentor"


def build(root: Path, site_dir: Path, public_pages: PublicPages | None = None, in_place: bool = False,
          new_keystore: bool = False) -> BuildReport:
    """Build the site; raise ProjectErrors on bad input. Atomic unless in_place (the mkdocs route).

    A missing keystore next to a published site with logins is refused unless new_keystore:
    starting again silently would lock every family out.
    """
    watch = Stopwatch()
    project = load_project(root)                                                    # 1. load
    watch.lap("load")
    folders = judge_school(project)                                                 # 2. judge
    watch.lap("judge")
    keystore = Keystore.load(state_dir(root))
    if keystore.created and not new_keystore and any((site_dir / "k").glob("*.json")):
        raise KeystoreError(f"{state_dir(root).name}/keystore.json:1:1: the keystore is missing, but {site_dir.name}/ "
                            "has logins that it opens. Restore the keystore from a backup; or, to start again with "
                            "new keys (every login must then be re-issued), build with --new-keystore")
    env = make_environment(root / "theme")
    rendered = render_folders(env, project, folders, state_dir(root) / "cache" / "media",
                              protect.site_for(keystore))                           # 3. render
    watch.lap("render")
    site = protect.protect(project, rendered, keystore, env)                        # 4. protect
    new_keystore = keystore.created
    keystore.save()
    watch.lap("protect")

    def audited(staging: Path) -> None:                                             # 5. audit
        watch.lap("publish")
        audit(site.files, project, staging)
        watch.lap("audit")

    if in_place:                                                                    # 6. publish
        audited(site_dir)
        write_files(site.files, site_dir)
    else:
        publish(site.files, site_dir, public_pages, check=audited)
    watch.lap("publish")
    return BuildReport(len(rendered), sum(len(r.pages) for r in rendered),
                       sum(len(r.attachments) for r in rendered), len(site.files),
                       project.warnings + site.warnings, new_keystore, watch.times)


def check(root: Path) -> tuple[Problem, ...]:
    """Validate the project without writing anything; return warnings or raise ProjectErrors."""
    return load_project(root).warnings
