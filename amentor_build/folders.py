"""Stages 2 to 4 for one child at a time: judge, render, seal, write. Runs in worker processes.

Each folder is staged as soon as it is sealed, so memory stays flat however large the
school; only files whose bytes changed are staged, the rest stay as published. A folder
whose inputs are unchanged (see cache.py) is not rendered at all.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from jinja2 import Environment

if TYPE_CHECKING:  # a rebuild that shares no work never imports concurrent.futures
    from concurrent.futures import Executor

from . import protect
from .audit import looks_sealed
from .cache import RACY_SECONDS, FolderCache, FolderManifest, PickleStore, code_fingerprint
from .errors import Problem, ProjectErrors, problems_or_raise
from .judge import judge_pupil
from .keystore import FILE_NAME as KEYSTORE_FILE, FolderKeys, Keystore, KeystoreError
from .media import RECIPE
from .model import Project, Pupil, School, WorkItem
from .records import load_pupil
from .publish import SiteTransaction, stage_file
from .render import make_environment, render_one


Progress = Callable[[str, int, int], None]  # (what, done, total), for long builds


@dataclass(frozen=True)
class FolderJob:
    """One folder to build: the pupil, or where the worker finds their parsed record (cheaper to send)."""

    pupil_id: str
    pupil: Pupil | None
    record: tuple[str, str] | None  # (folder name, record key) in the record cache
    keys: FolderKeys
    cache_key: str
    previous: FolderManifest = field(default_factory=lambda: FolderManifest({}))  # what it wrote last time


@dataclass(frozen=True)
class FolderResult:
    pupil_id: str
    manifest: FolderManifest | None
    changed: tuple[str, ...]  # the files that were staged because their bytes changed
    problems: tuple[Problem, ...]
    seconds: tuple[float, float, float] = (0.0, 0.0, 0.0)  # CPU time: judge and render, seal, write
    sealed: frozenset[str] = frozenset()  # the changed .bin files, checked to be ciphertext as they were staged
    cache_key: str = ""  # the folder_cache_key it was built for


@dataclass(frozen=True)
class Workshop:
    """What every job needs and that does not change during a build (sent once to each worker)."""

    root: Path
    school: School | None  # None until load has read it (see RenderAfterParse)
    target: str  # where changed files are staged
    published: str | None  # the site as it is now, to compare with
    media_cache: Path
    theme_digest: bytes = b""  # templates are compiled once per process and version of the theme
    records: Path | None = None  # the record cache, where workers read the pupils they build


_environments: dict[tuple[Path, bytes], Environment] = {}  # per process and theme version: compiled once


def build_folder(job: FolderJob, workshop: Workshop) -> FolderResult:
    """Judge, render, seal and write one child's folder; media and template errors are returned."""
    w = workshop
    assert w.school is not None, "the workshop's school is filled in once load has read it"
    pupil = job.pupil or _cached_pupil(w, job)
    env = _environments.get((w.root, w.theme_digest))
    if env is None:
        env = _environments[(w.root, w.theme_digest)] = make_environment(w.root / "theme", w.media_cache.parent / "jinja")
    problems: list[Problem] = []
    started = time.process_time()
    site = protect.site_for_keys(job.keys)
    pictures = PictureStamps(job, w, site[0])
    try:
        rendered = render_one(env, w.root, judge_pupil(w.school, pupil), w.media_cache, site, problems, pictures.keep)
    except ProjectErrors as exc:
        return FolderResult(job.pupil_id, None, (), tuple(exc.problems))
    if rendered is None:
        return FolderResult(job.pupil_id, None, (), tuple(problems))
    rendered_at = time.process_time()
    files = protect.seal_folder(rendered, job.keys, protect.shell_html(env, w.school))
    sealed_at = time.process_time()
    made: set[str] = set()
    changed = tuple(rel for rel, data in files.items() if stage_file(rel, data, w.target, w.published, made))
    sealed = frozenset(rel for rel in changed if rel.endswith(".bin") and looks_sealed(files[rel]))
    seconds = (rendered_at - started, sealed_at - rendered_at, time.process_time() - sealed_at)
    sizes = {rel: len(data) for rel, data in files.items()} | pictures.kept
    return FolderResult(job.pupil_id, FolderManifest(sizes, pictures.stamps), changed, tuple(problems), seconds,
                        sealed, job.cache_key)


class PictureStamps:
    """Decides which of a folder's sealed pictures stand as published: those whose key, name and
    source file (path, size, modification time) are what they were sealed from last time."""

    def __init__(self, job: FolderJob, workshop: Workshop, names: Callable[[str, str], str]):
        self.job, self.workshop, self.names = job, workshop, names
        self.stamps: dict[str, str] = {}  # output path -> stamp, for the next build
        self.kept: dict[str, int] = {}  # output path -> size, of the pictures kept

    def outputs(self, item: WorkItem) -> list[tuple[str, str]]:
        """(output path, label) of each sealed file made from the item."""
        pdf = item.file.lower().endswith(".pdf")
        variants = [("full", "application/pdf" if pdf else "image/jpeg")] + ([] if pdf else [("thumb", "image/jpeg")])
        return [(self.job.keys.url + self.names(f"{item.rel}#{v}", kind), f"{item.rel}#{v}") for v, kind in variants]

    def keep(self, item: WorkItem) -> bool:
        try:
            stat = os.stat(item.file)
        except OSError:
            return False
        racy = stat.st_mtime >= time.time() - RACY_SECONDS
        keys, previous, published = self.job.keys, self.job.previous, self.workshop.published
        keepable = not racy and published is not None
        found: dict[str, int] = {}
        for rel, label in self.outputs(item):
            stamp = hashlib.sha256(keys.content_key + keys.name_key + f"{label}\0{item.file}:{stat.st_size}:"
                                   f"{stat.st_mtime_ns}:{RECIPE}".encode()).hexdigest()[:32]
            self.stamps[rel] = stamp
            if keepable and previous.stamps.get(rel) == stamp and rel in previous.files:
                try:
                    if os.stat(os.path.join(published, rel)).st_size == previous.files[rel]:
                        found[rel] = previous.files[rel]
                        continue
                except OSError:
                    pass
            keepable = False
        if keepable:
            self.kept.update(found)
        return keepable


def _cached_pupil(w: Workshop, job: FolderJob) -> Pupil:
    """The full record of the job's pupil, from the record cache (parsed again if it is gone)."""
    assert job.record is not None and w.records is not None
    name, key = job.record
    record = PickleStore(w.records).get(name, key)
    if record is None:
        record = load_pupil(w.root, w.root / "pupils" / name, w.school)
    return record.pupil


@dataclass(frozen=True)
class RenderAfterParse:
    """Builds the folder of a child in the worker job that has just parsed them (load's `after`),
    so their full record is not read back from the record cache by another job, and rendering
    starts without waiting for every child to be parsed.

    Each worker reads the keystore and the folder cache as saved (once per process). A child
    without keys yet is left to build_folders, which also checks each result against the keys
    and inputs of the build (cache_key) and builds the folder again if they differ.
    """

    workshop: Workshop  # its school is filled in by the job (the school is read by load)
    keystore: Path  # the project's state folder
    folders: Path  # the folder cache
    shared: bytes  # shared_fingerprint(workshop), worked out once by the build

    def __call__(self, school: School, record, inputs: str) -> FolderResult | None:
        pupil = record.pupil
        try:
            keys = _saved(Keystore.load, self.keystore, KEYSTORE_FILE).folders.get(pupil.id)
        except KeystoreError:  # the build itself says so, once
            return None
        if keys is None:
            return None
        w = dataclasses.replace(self.workshop, school=school)
        key = folder_cache_key(self.shared, keys, inputs)
        previous = _saved(FolderCache, self.folders).previous(pupil.id)
        return build_folder(FolderJob(pupil.id, pupil, None, keys, key, previous), w)


_loaded: dict[tuple, tuple] = {}  # per worker process: the keystore and folder cache, as saved


def _saved(load: Callable, path: Path, name: str = ""):
    """load(path), once per process and version of the file (path / name, when given)."""
    try:
        stat = os.stat(path / name if name else path)
        version = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        version = None
    found = _loaded.get((load, path))
    if found is None or found[0] != version:
        found = _loaded[(load, path)] = (version, load(path))
    return found[1]


def shared_fingerprint(w: Workshop) -> bytes:
    """What every folder's cache key shares: the code, the theme and school.yml."""
    return code_fingerprint() + w.theme_digest + (w.root / "school.yml").read_bytes()


def folder_cache_key(shared: bytes, keys: FolderKeys, inputs: str) -> str:
    """Everything a folder's bytes depend on: code, theme and school.yml (shared), the pupil's
    input files (their fingerprint covers the records and the work files) and the folder's keys."""
    digest = hashlib.sha256(shared + inputs.encode())
    digest.update(keys.dir.encode() + keys.content_key + keys.staff_key + keys.name_key)
    return digest.hexdigest()


def build_folders(project: Project, folder_keys: dict[str, FolderKeys], site: SiteTransaction, workshop: Workshop,
                  cache: FolderCache, pool: Executor | None, cpu: dict[str, float],
                  progress: Progress | None = None) -> list[str]:
    """Stage every folder, keeping unchanged ones as published; return the ids of those rebuilt.

    Adds the CPU seconds spent (in every process) rendering, sealing and writing to cpu.
    """
    shared = shared_fingerprint(workshop)
    jobs: list[FolderJob] = []
    made: list[tuple[FolderJob, FolderResult]] = []  # built by the job that parsed the child
    for pupil in project.pupils:
        keys = folder_keys[pupil.id]
        inputs = project.fingerprints.get(pupil.id)
        key = folder_cache_key(shared, keys, inputs) if inputs else ""
        manifest = cache.get(pupil.id, key) if key else None
        kept = site.keep_folder(manifest.files, manifest.dir_mtime) if manifest is not None else None
        early = project.made.get(pupil.id)
        if kept is not None:
            cache.stamp(pupil.id, kept)
            if early is not None:
                _unstage(site, early)  # built in vain: the published folder stands
        elif early is not None and key and early.cache_key == key:
            made.append((FolderJob(pupil.id, None, None, keys, key), early))
        else:
            if early is not None:
                _unstage(site, early)  # built with other keys or inputs than this build's
            previous = cache.previous(pupil.id)
            if isinstance(pupil, Pupil):
                jobs.append(FolderJob(pupil.id, pupil, None, keys, key, previous))
            else:
                jobs.append(FolderJob(pupil.id, None, (pupil.slug, inputs or ""), keys, key, previous))
    run = functools.partial(build_folder, workshop=workshop)
    if pool is not None and len(jobs) > 4:  # a process costs more than a few folders
        done = pool.map(run, jobs, chunksize=max(1, min(16, len(jobs) // 16)))
    else:
        done = map(run, jobs)
    results = []
    for result in done:
        results.append(result)
        if progress is not None:
            progress("folders rendered", len(results), len(jobs))
    jobs, results = jobs + [job for job, _ in made], results + [result for _, result in made]
    problems_or_raise(list(dict.fromkeys(p for r in results for p in r.problems)))  # a theme error comes once
    for name, seconds in zip(("cpu render", "cpu seal", "cpu write"), zip(*(r.seconds for r in results))):
        cpu[name] = sum(seconds)
    for job, result in zip(jobs, results):
        assert result.manifest is not None
        changed = set(result.changed)
        for rel in result.manifest.files:
            site.register(rel, rel in changed, rel in result.sealed)
        if job.cache_key:
            cache.put(job.pupil_id, job.cache_key, result.manifest)
    return [job.pupil_id for job in jobs]


def _unstage(site: SiteTransaction, result: FolderResult) -> None:
    """Remove what a folder build staged, when its result is not used."""
    for rel in result.changed:
        try:
            os.remove(os.path.join(site.target, rel))
        except OSError:
            pass
