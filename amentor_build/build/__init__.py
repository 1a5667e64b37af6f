"""The whole build, top to bottom: load, judge, render, protect, audit, publish.

This package (and every stage it calls) never imports mkdocs: the public pages are passed in
as a callable, so the pipeline could run under a fork of mkdocs or without it.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import records
from ..errors import Problem, ProjectErrors, problems_or_raise
from ..model import Project
from ..output import PublicPages, SiteTransaction, write_error
from ..places import check_site_dir, remember_output, state_dir
from ..protection import open_keystore, secure_state, shared_files
from ..protection.keystore import Keystore, KeystoreError
from ..protection.logins import set_aside
from ..records.mentions import mentions
from ..render import make_environment
from ..render.theme import syntax_problems
from ..schoolyear import frozen
from ..workers import Workers
from . import cached
from .caches import Caches
from .folders import Progress, build_folders

__all__ = ["BuildReport", "Progress", "build", "check", "precheck"]


@dataclass(frozen=True)
class BuildReport:
    pupils: int
    rebuilt: tuple[str, ...]  # ids of the pupils whose folders were built again
    warnings: tuple[Problem, ...]
    new_keystore: bool
    logins: int = 0  # issued: with none, no one can open a folder yet
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def build(
    root: Path,
    site_dir: Path,
    public_pages: PublicPages | None = None,
    in_place: bool = False,
    new_keystore: bool = False,
    workers: int = 0,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the site; raise ProjectErrors on bad input. Atomic unless in_place (the mkdocs route)."""
    check_site_dir(root, site_dir, in_place)
    with cycle_collector_paused():
        try:
            report = _build(root, site_dir, public_pages, in_place, new_keystore, workers, progress)
        except OSError as exc:  # a full disk, a read-only directory, a size limit: said once, with the path
            raise write_error(exc, root.resolve(), site_dir) from exc
        except ProjectErrors as exc:  # keys and caches may have been saved by then: the site is what is kept
            if not in_place:
                exc.then = UNPUBLISHED
            raise
    return report


UNPUBLISHED = "nothing was published"  # (keys and caches may have been saved: the site is as it was)


def _build(
    root: Path,
    site_dir: Path,
    public_pages: PublicPages | None,
    in_place: bool,
    new_keystore: bool,
    workers: int,
    progress: Progress | None,
) -> BuildReport:
    opened = secure_state(state_dir(root))  # warned about once, before anything is read from it
    watch, pool, caches = Stopwatch(), Workers(workers), Caches(state_dir(root) / "cache", site_dir)
    project = load_checked(root, caches, pool)  # 1. load (the frozen years as they were frozen, their warnings)
    keystore = open_keystore(state_dir(root), site_dir, new_keystore)
    away = set_aside(project, keystore)  # logins whose holder is not in the records
    created = keystore.prepare(project)  # every key exists, and is saved, before anything is sealed
    watch.lap("load")
    said = [*opened, *project.warnings, *away]  # beside the errors, if the build then fails
    with said_if_failed(said), SiteTransaction(site_dir, caches.manifest, in_place) as site:
        public = cached.public_pages(root, site, public_pages, caches) if public_pages is not None else ()  # 3.
        said += public
        watch.lap("public pages")
        built = build_folders(project, keystore, site, caches, pool, progress)  # 2.-4. each child (links to 3.)
        site.flush_soon()  # the folders, to disk while the rest is built
        watch.lap("folders")
        shared = shared_files(project, keystore, make_environment(root / "theme", caches.templates), built.overviews)
        for rel, data in shared.items():  # 4. the staff lists, the key slots
            site.write(rel, data)
        watch.lap("protect")
        audited = cached.audit(site, project, caches)  # 5. audit
        watch.lap("audit")
        remember_output(state_dir(root), site_dir)  # 6. publish; from now on no command writes into it
        site.commit()
    unsaved = record_published(root, site_dir, site, caches, {p.id for p in project.pupils}, bool(opened))
    watch.lap("publish")
    warnings = opened + project.warnings + public + audited + away + unsaved
    return BuildReport(len(project.pupils), built.rebuilt, warnings, created, len(keystore.logins), watch.times)


def record_published(
    root: Path, site_dir: Path, site: SiteTransaction, caches: Caches, pupils: set[str], everything: bool
) -> tuple[Problem, ...]:
    """Save what amentor keeps of the site just published (its files, the caches: pupils are
    those whose folders are in it), and make its private directory private again. The site is
    published by then: a failure (a full disk) is a warning, and the caches that would describe
    an older site are forgotten, so that the next build reads the site again rather than trust them."""
    said: list[Problem] = []
    try:
        site.record()
        caches.save(keep=pupils)
    except OSError as exc:
        caches.forget()
        then = "the site was published, but what amentor keeps of it was not saved: the next build reads it all again"
        said.append(replace(write_error(exc, root.resolve(), site_dir, then).problem, warning=True))
    try:
        secure_state(state_dir(root), everything=everything)  # what this build wrote there, too
    except OSError as exc:
        then = "the site was published, but .amentor/ could not be made readable by you alone: see to it"
        said.append(replace(write_error(exc, root.resolve(), site_dir, then).problem, warning=True))
    return tuple(said)


def precheck(root: Path, site_dir: Path) -> None:
    """Raise ProjectErrors if the records or a frozen year would stop a build, before anything is
    written (the mkdocs route: mkdocs empties the site directory right after its pre-build hooks)."""
    check_site_dir(root, site_dir, in_place=True)
    load_checked(root, Caches(state_dir(root) / "cache", site_dir), Workers())


def load_checked(root: Path, caches: Caches, pool: Workers) -> Project:
    """The project, its finished years as they were frozen, with the warnings of both (a year
    unfrozen, one short of work); else ProjectErrors with every problem of both (one does not
    hide the other)."""
    changed = frozen.problems(root, caches.frozen)  # a finished year stays as it was frozen
    unfrozen = frozen.unfrozen(root)  # said by a build that fails, too, as `check` says it
    try:
        project = records.load(root, caches.records.parse_every(pool.map))
    except ProjectErrors as exc:
        raise ProjectErrors(exc.problems + changed + unfrozen) from None
    warnings = (*project.warnings, *frozen.short_work(project), *unfrozen)
    problems_or_raise(changed + list(warnings))  # (the records' warnings beside a changed year)
    return replace(project, warnings=warnings)


def check(root: Path, also: Sequence[Problem] = ()) -> tuple[Problem, ...]:
    """Validate the project, reading every work file and every file of a frozen year, without
    writing anything; return the warnings, or raise ProjectErrors with every problem found
    (`also`: those the caller found, such as a missing mkdocs.yml)."""
    project, problems = records.check(root, Workers().map)
    problems += frozen.problems(root) + frozen.unfrozen(root)
    if project is not None:
        problems += frozen.short_work(project) + mentions(project)
        if all(p.warning for p in problems):  # else a build stops before it sets a login aside: one whose
            problems += away_logins(root, project)  # child's record is broken is not "not in the records"
    problems += also
    problems += syntax_problems(root / "theme")
    return problems_or_raise(problems)


def away_logins(root: Path, project: Project) -> list[Problem]:
    """What the next build does with logins (see logins.set_aside), said by `check`: each it sets
    aside, and each it takes back; or the keystore's own problem if it cannot be read. Nothing
    is written."""
    try:
        keystore = Keystore.load(state_dir(root))
    except KeystoreError as exc:
        return [exc.problem]
    return list(set_aside(project, keystore, planned=True))


@contextlib.contextmanager
def said_if_failed(warnings: list[Problem]) -> Iterator[None]:
    """Say these warnings (as the list holds them when it fails) beside the errors of a build
    that fails after them: the logins it set aside are set aside, and their keys changed,
    whether or not the site is then published; what mkdocs warned of (a link to no page) is
    as true of a build whose folders then failed."""
    try:
        yield
    except ProjectErrors as exc:
        exc.problems = sorted(exc.problems + list(warnings))
        raise


@contextlib.contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """A build makes hundreds of thousands of small objects (records) that live until it ends;
    Python's cycle collector would scan them again and again, for nothing (a third of a
    rebuild's time). Worker processes, forked from here, inherit the pause."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Stopwatch:
    """Seconds spent in each stage, for `amentor build --verbose` and the bench."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.times[stage] = self.times.get(stage, 0.0) + now - self.last
        self.last = now
