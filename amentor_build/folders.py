"""Stages 2 to 4 for one child at a time: judge, render, seal, write. Runs in worker processes.

Each folder is written straight into the staging site as soon as it is sealed, so memory
stays flat however large the school; unchanged files are hard-linked from the published site
so they keep their bytes and modification times.
"""

from __future__ import annotations

import functools
import hashlib
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from . import protect
from .cache import FolderCache, FolderManifest, code_fingerprint, tree_fingerprint
from .errors import Problem, ProjectErrors, problems_or_raise
from .judge import judge_pupil
from .keystore import FolderKeys
from .model import Project, Pupil, School
from .publish import place, reuse
from .render import make_environment, render_one


@dataclass(frozen=True)
class FolderJob:
    pupil: Pupil
    keys: FolderKeys
    cache_key: str


@dataclass(frozen=True)
class FolderResult:
    pupil_id: str
    manifest: FolderManifest | None
    rewritten: int
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Workshop:
    """What every job needs and that does not change during a build (sent once to each worker)."""

    root: Path
    school: School
    staging: Path
    published: Path | None  # the site as it is now, to reuse unchanged files from
    media_cache: Path


_environments: dict[Path, Environment] = {}  # per process: templates are compiled once, not per folder


def build_folder(job: FolderJob, workshop: Workshop) -> FolderResult:
    """Judge, render, seal and write one child's folder; media and template errors are returned."""
    w = workshop
    env = _environments.get(w.root) or _environments.setdefault(w.root, make_environment(w.root / "theme"))
    problems: list[Problem] = []
    try:
        rendered = render_one(env, w.root, judge_pupil(w.school, job.pupil), w.media_cache,
                              protect.site_for_keys(job.keys), problems)
    except ProjectErrors as exc:
        return FolderResult(job.pupil.id, None, 0, tuple(exc.problems))
    if rendered is None:
        return FolderResult(job.pupil.id, None, 0, tuple(problems))
    files = protect.seal_folder(rendered, job.keys, protect.shell_html(env, w.school))
    rewritten = sum(place(rel, data, w.staging, w.published) for rel, data in files.items())
    return FolderResult(job.pupil.id, FolderManifest({rel: len(data) for rel, data in files.items()}), rewritten,
                        tuple(problems))


def folder_cache_key(project: Project, keys: FolderKeys, pupil: Pupil, theme_digest: bytes) -> str:
    """Everything a folder's bytes depend on: code, theme, school settings, record, work files, keys."""
    digest = hashlib.sha256(code_fingerprint() + theme_digest + (project.root / "school.yml").read_bytes())
    digest.update(repr(pupil).encode())
    for year in pupil.years:
        for item in year.work:
            stat = item.file.stat()
            digest.update(f"{item.file}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(keys.dir.encode() + keys.content_key + keys.staff_key + keys.name_key)
    return digest.hexdigest()


def build_folders(project: Project, folder_keys: dict[str, FolderKeys], workshop: Workshop, cache: FolderCache,
                  pool: Executor | None) -> list[str]:
    """Write every folder into staging, reusing unchanged ones; return the ids of those rebuilt."""
    theme_digest = tree_fingerprint(project.root / "theme")
    jobs: list[FolderJob] = []
    for pupil in project.pupils:
        keys = folder_keys[pupil.id]
        key = folder_cache_key(project, keys, pupil, theme_digest)
        manifest = cache.get(pupil.id, key)
        if manifest is None or not all(reuse(rel, size, workshop.staging, workshop.published)
                                       for rel, size in manifest.files.items()):
            jobs.append(FolderJob(pupil, keys, key))
    run = functools.partial(build_folder, workshop=workshop)
    if pool is not None and len(jobs) > 4:  # a process costs more than a few folders
        results = list(pool.map(run, jobs, chunksize=max(1, min(16, len(jobs) // 16))))
    else:
        results = [run(job) for job in jobs]
    problems_or_raise(list(dict.fromkeys(p for r in results for p in r.problems)))  # a theme error comes once
    for job, result in zip(jobs, results):
        if result.manifest is not None:
            cache.put(job.pupil.id, job.cache_key, result.manifest)
    return [job.pupil.id for job in jobs]
