"""The whole build, top to bottom: load, judge, render, protect, audit, publish.

This module (and everything it calls) never imports mkdocs: the public pages are passed
in as a callable, so the pipeline could run under a fork of mkdocs or without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from . import protect
from .audit import AuditCache, audit
from .cache import FolderCache
from .errors import Problem
from .folders import Progress, RenderAfterParse, Workshop, build_folders, shared_fingerprint
from .keystore import Keystore, KeystoreError
from .load import load_project
from .publish import SiteTransaction
from .public import PublicCache, PublicPages, stage_public_pages
from .render import make_environment, theme_fingerprint


@dataclass(frozen=True)
class BuildReport:
    pupils: int
    rebuilt: tuple[str, ...]  # ids of the pupils whose folders were rendered again
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


class WorkerPool:
    """Processes for the per-child work (an Executor's map), started only when a stage has
    enough work to share: a rebuild after one small change never pays for them, nor for
    importing concurrent.futures and multiprocessing."""

    def __init__(self, count: int):
        self.count = count
        self._pool = None

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.count)
        return self._pool.map(fn, *iterables, timeout=timeout, chunksize=chunksize)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


@contextlib.contextmanager
def worker_pool(workers: int | None) -> Iterator[WorkerPool | None]:
    """Processes for the per-child work; none with one worker (or one core)."""
    count = workers or os.cpu_count() or 1
    if count <= 1:
        yield None
        return
    with WorkerPool(count) as pool:
        yield pool


def open_keystore(root: Path, site_dir: Path, new_keystore: bool) -> Keystore:
    """The keystore; a missing one beside a published site with logins is refused unless new_keystore."""
    keystore = Keystore.load(state_dir(root))
    if keystore.created and not new_keystore and any((site_dir / "k").glob("*.json")):
        raise KeystoreError(f"{state_dir(root).name}/keystore.json:1:1: the keystore is missing, but {site_dir.name}/ "
                            "has logins that it opens. Restore the keystore from a backup; or, to start again with "
                            "new keys (every login must then be re-issued), build with --new-keystore")
    return keystore


def build(root: Path, site_dir: Path, public_pages: PublicPages | None = None, in_place: bool = False,
          new_keystore: bool = False, workers: int | None = None, progress: Progress | None = None) -> BuildReport:
    """Build the site; raise ProjectErrors on bad input. Atomic unless in_place (the mkdocs route)."""
    watch, cache = Stopwatch(), state_dir(root) / "cache"
    manifest = cache / f"site-{hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:12]}.json"
    with worker_pool(workers) as pool, SiteTransaction(site_dir, manifest, in_place) as site:  # 6. publish (staged)
        workshop = Workshop(root, None, site.target, site.compare_with, cache / "media",
                            theme_fingerprint(root / "theme"), cache / "records")
        render_early = RenderAfterParse(workshop, state_dir(root), cache / "folders.pickle",  # 2.-4., see folders.py
                                        shared_fingerprint(workshop))
        project = load_project(root, cache / "records", pool, render_early)          # 1. load
        keystore = open_keystore(root, site_dir, new_keystore)
        folder_keys = {pupil.id: keystore.folder(pupil.id) for pupil in project.pupils}
        for role in project.school.staff:  # every key exists, and is saved, before anything is sealed
            keystore.staff_keys(role.key)
        created = keystore.created
        keystore.save()
        watch.lap("load+render" if project.made else "load")  # folders built by the jobs that parsed the children
        remember_public = (stage_public_pages(site, public_pages, PublicCache(cache / "public.json"), root)
                           if public_pages is not None else (lambda: None))
        watch.lap("public pages")
        folders = FolderCache(cache / "folders.pickle")
        workshop = dataclasses.replace(workshop, school=project.school)
        cpu: dict[str, float] = {}
        rebuilt = build_folders(project, folder_keys, site, workshop, folders, pool, cpu, progress)  # 2.-4.
        watch.lap("folders")
        shared = protect.shared_files(project, keystore, make_environment(root / "theme"))
        for rel, data in shared.files.items():                                     # 4. staff lists, key slots
            site.write(rel, data)
        watch.lap("protect")
        remember_audit = audit(site, project, AuditCache(cache / "audit.json"))      # 5. audit
        watch.lap("audit")
        site.commit()                                                              # 6. publish
        for pupil_id in rebuilt:  # as published now: the next build need not list these folders
            folders.stamp(pupil_id, site.folder_mtime(folders.folder_of(pupil_id) or "-"))
        folders.save(keep={pupil.id for pupil in project.pupils})
        remember_public()
        remember_audit()
        watch.lap("publish")
    return BuildReport(len(project.pupils), tuple(rebuilt), project.warnings + shared.warnings, created,
                       watch.times | cpu)


def check(root: Path) -> tuple[Problem, ...]:
    """Validate the project without writing anything; return warnings or raise ProjectErrors."""
    return load_project(root).warnings
