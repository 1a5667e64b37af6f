"""Stages 2 to 4 for each child, in a worker: judge, render, protect, then stage the files.

A child's sealed folder is built again only when `folder_digest` changed (amentor's code, the
theme, school.yml, which of the school's pages it links to, the child's record files, the
work files they name, and the folder's keys), or when its published files are not as the
build wrote them. `current` answers "is this folder current?" in one place; `FolderBuilder`
only builds.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from .. import judge, render
from ..disk import file_stamp
from ..errors import Problem, ProjectErrors, problems_or_raise
from ..judge.staff import staff_overview
from ..model import Project, Pupil, School
from ..output import Found, SiteTransaction, as_written, file_id, stage_file
from ..protection import (
    FolderKeys,
    Keystore,
    attachment_names,
    folder_links,
    guide_links,
    looks_sealed,
    seal_folder,
    shell_html,
)
from ..protection.seal import Padding, off_size, repad, school_padding
from ..render import theme_digest
from ..workers import Workers
from .caches import Caches, FolderStore
from .derived import DerivedImages


@dataclass(frozen=True)
class FolderJob:
    index: int  # of the pupil in FolderBuilder.pupils (the workers have them already: see workers.py)
    keys: FolderKeys  # the folder's own keys (protection)
    digest: str  # folder_digest: of what the folder's bytes depend on (its cache key)


@dataclass(frozen=True)
class FolderResult:
    pupil_id: str
    files: dict[str, int]  # every output path of the folder, with its size
    changed: frozenset[str]  # those staged because their bytes differ from the published ones
    sealed: frozenset[str]  # the changed .bin files, checked to be ciphertext as they were staged
    needs: Padding  # the padded size each of its pages needs
    overview: dict[str, Any] = field(default_factory=dict)  # the child's row of the staff overview
    problems: tuple[Problem, ...] = ()
    written: Found | None = None  # how the files are to be found once published (output.as_written)


def folder_digest(shared: bytes, record_key: str, pupil_dir: Path, pupil: Pupil, keys: FolderKeys) -> str:
    """A digest of everything a child's sealed folder depends on.

    shared: the SHA-256 of code, theme, school.yml and the school's pages a folder links to;
    record_key: the child's record files.
    Work files are known by their stamps (disk.file_stamp), taken here, before any is read to
    render the folder (which is long after): a change in the same tick as a stamp is in what is
    rendered. The sealed bytes never depend on this key.
    """
    digest = hashlib.sha256(shared)
    stamps = [record_key]
    base = str(pupil_dir)
    for item in pupil.work:
        try:
            stamp = file_stamp(os.stat(f"{base}/{item.rel}"))
        except OSError:
            stamp = "missing"
        stamps.append(f"{item.rel}\0{stamp}")
    digest.update("\0".join(stamps).encode() + b"\0")
    digest.update(keys.dir.encode() + keys.content_key + keys.staff_key + keys.name_key)
    return digest.hexdigest()


def current(site: SiteTransaction, folders: FolderStore, pupil_id: str, key: str) -> bool:
    """Is the child's published folder what this build would write? Its key must match, and the
    files it wrote then must still be there (see SiteTransaction.keep_published)."""
    entry = folders.get(pupil_id, key)
    found = site.keep_published(entry.files, entry.found) if entry is not None else None
    if found is not None:
        folders.found(pupil_id, found)
    return found is not None


@dataclass(frozen=True)
class Workshop:
    """What each worker process makes once: the compiled theme."""

    env: Environment


@dataclass(frozen=True)
class FolderBuilder:
    """Builds sealed folders into the staging directory (a workers.Task: setup once per process)."""

    root: Path
    school: School
    pupils: tuple[Pupil, ...]
    derived: DerivedImages  # render.media.prepare through the cache of derived images
    templates: Path  # compiled templates, kept between builds
    target: str  # where changed files are staged
    published: str | None  # the site as it is now, to compare with
    padding: Padding  # the school's page sizes as published (a folder that needs more seals to its own)
    shell: bytes  # the folder shell, the same for every child (see parts)
    nav: dict[str, Markup]  # the folder menu of each page, the same in every folder
    public: dict[str, str]  # the school's pages a folder links to (protection.guide_links)

    def setup(self) -> Workshop:
        return Workshop(render.make_environment(self.root / "theme", self.templates))

    def run(self, state: Workshop, job: FolderJob) -> FolderResult:
        pupil = self.pupils[job.index]
        folder = judge.judge_pupil(self.school, pupil)  # 2. judge
        names, links = attachment_names(job.keys), folder_links(self.public)
        try:
            rendered = render.render(
                state.env,
                folder,
                self.root / "pupils" / pupil.slug,  # 3. render
                names,
                links,
                self.nav,
                self.derived,
            )
        except ProjectErrors as exc:
            return FolderResult(pupil.id, {}, frozenset(), frozenset(), {}, {}, tuple(exc.problems))
        sealed_folder = seal_folder(rendered, job.keys, self.shell, self.padding)  # 4. protect
        files = sealed_folder.files
        made: set[str] = set()
        changed = frozenset(
            rel for rel, data in files.items() if stage_file(rel, data, self.target, self.published, made)
        )
        sealed = frozenset(rel for rel in changed if rel.endswith(".bin") and looks_sealed(files[rel]))
        sizes = {rel: len(data) for rel, data in files.items()}
        written = as_written(self.target, files)
        return FolderResult(pupil.id, sizes, changed, sealed, sealed_folder.needs, staff_overview(folder), (), written)


@dataclass(frozen=True)
class Repadder:
    """Seals a folder's pages again at the school's new sizes (a workers.Task; rare: when the
    largest page of a kind grows past a step, or on a build without the folder cache)."""

    target: str
    published: str | None
    kept: frozenset[str]  # files kept as published (read there: the staging directory may hold an older copy)

    def setup(self) -> None:
        return None

    def run(self, state: None, job: tuple[FolderKeys, Padding]) -> list[tuple[str, bool, int, str]]:
        """Seal the folder's pages named in the job at their new sizes; return each file written
        again, whether its bytes were checked to be ciphertext, its size and the file staged (file_id)."""
        keys, sizes = job
        written: list[tuple[str, bool, int, str]] = []
        made: set[str] = set()
        for name, size in sorted(sizes.items()):
            rel = f"{keys.url}{name}.bin"
            kept_in = self.published if rel in self.kept else None
            source = os.path.join(kept_in or self.target, rel)
            with open(source, "rb") as f:  # kept as published, or staged by this build
                data = repad(f.read(), keys, name, size)
            if stage_file(rel, data, self.target, self.published, made):
                written.append((rel, looks_sealed(data), len(data), file_id(os.stat(os.path.join(self.target, rel)))))
        return written


Progress = Callable[[str, int, int], None]  # (what, done, total), for long builds


def parts(project: Project, caches: Caches, public: dict[str, str]) -> tuple[bytes, dict[str, Markup]]:
    """The folder shell and the folder menu, the same for every child: made here, before any
    worker starts, so that a mistake of the school's theme in them is said as any other."""
    env = render.make_environment(project.root / "theme", caches.templates)
    return shell_html(env, project.school), render.folder_nav(env, folder_links(public))


@dataclass(frozen=True)
class BuiltFolders:
    rebuilt: tuple[str, ...]  # the ids of the children whose folders were built again
    overviews: dict[str, dict[str, Any]]  # each child's row of the staff overview, as their folder was judged


def build_folders(
    project: Project,
    keystore: Keystore,
    site: SiteTransaction,
    caches: Caches,
    pool: Workers,
    progress: Progress | None = None,
) -> BuiltFolders:
    """Stage every child's sealed folder, keeping current ones as published; return the ids built
    again, and every child's row of the staff overview (of a folder kept, as it was judged then).
    The school's public pages are staged by then: a folder links to its guide for parents."""
    school_yml = (project.root / "school.yml").read_bytes()
    public = guide_links(site.public)
    linked = "\0".join(f"{name}\0{rel}" for name, rel in public.items()).encode()
    shared = hashlib.sha256(caches.code + theme_digest(project.root / "theme") + school_yml + b"\0" + linked).digest()
    jobs = []
    for index, pupil in enumerate(project.pupils):
        keys = keystore.folder(pupil.id)
        digest = folder_digest(shared, caches.records.key_of(pupil.slug), project.pupil_dir(pupil), pupil, keys)
        if not current(site, caches.folders, pupil.id, digest):
            jobs.append(FolderJob(index, keys, digest))
    previous = caches.folders.padding  # the sizes the published site (or the last one) was sealed with
    shell, nav = parts(project, caches, public) if jobs else (b"", {})
    builder = FolderBuilder(
        project.root,
        project.school,
        project.pupils,
        DerivedImages(caches.media),
        caches.templates,
        site.target,
        site.compare_with,
        previous,
        shell,
        nav,
        public,
    )
    results = []
    for result in pool.run(builder, jobs):
        results.append(result)
        if progress is not None:
            progress("folders built", len(results), len(jobs))
    problems_or_raise(list(dict.fromkeys(p for r in results for p in r.problems)))  # a theme error comes once
    for job, result in zip(jobs, results):
        for rel in result.files:
            site.register(rel, rel in result.changed, rel in result.sealed)
        caches.folders.put(result.pupil_id, job.digest, result.files, result.needs, result.overview, result.written)
    padding = school_padding([caches.folders.needs(p.id) for p in project.pupils], previous)
    if padding != previous:  # a page grew past the school's size for its kind: every folder follows
        task = Repadder(site.target, site.compare_with, frozenset(site.kept))
        off = {p.id: off_size(caches.folders.needs(p.id), previous, padding) for p in project.pupils}
        ids = [pupil_id for pupil_id, sizes in off.items() if sizes]
        for pupil_id, written in zip(ids, pool.run(task, [(keystore.folder(i), off[i]) for i in ids]), strict=True):
            site.mark_rewritten([(rel, sealed) for rel, sealed, _, _ in written])
            caches.folders.resized(
                pupil_id, {rel: size for rel, _, size, _ in written}, {r: i for r, _, _, i in written}
            )
    caches.folders.put_padding(padding)
    overviews = {p.id: caches.folders.overview(p.id) for p in project.pupils}
    return BuiltFolders(tuple(result.pupil_id for result in results), overviews)
