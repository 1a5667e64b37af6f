"""Stage 1, load: school.yml and every pupils/<slug>/ directory into a checked Project.

    project = records.load(root)            # or, in a build: load(root, the cache's parse)

Every problem in every file is collected (with path, line, column and key) and raised
together as ProjectErrors. Parsing a pupil is a pure function of the school and the bytes
of the pupil's record files (`parse_pupil`), so a pool of processes can run it and a cache
can wrap it from outside (`build/parsed.py`, keyed by their SHA-256): `load` takes how every
pupil is parsed (`Parse`); the work files those records name are checked on disk on every load.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from .. import model as m
from ..errors import Problem, problems_or_raise
from .pupil import PupilFiles, PupilRecord, parse_pupil, pupil_dirs, read_files
from .school import parse_school
from .work import content_problem, file_problems, real_below, unnamed_work, usable, work_file

__all__ = ["MapEach", "Parse", "PupilFiles", "PupilRecord", "check", "load", "parse_every", "parse_school", "work_file"]

T = TypeVar("T")
R = TypeVar("R")


class MapEach(Protocol):
    """map(), or a pool's map: fn on each item, results in order."""

    def __call__(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterable[R]: ...


Parse = Callable[[m.School, bytes, list[Path]], list[PupilRecord]]
"""Every pupil parsed: (the school, the bytes of school.yml, the pupils' directories) -> their
records, in that order (`parse_every`, or a cache wrapping it)."""


def parse_every(map_each: MapEach = map) -> Parse:
    """Parse every pupil's record files (map_each: map, or a pool's map)."""

    def parse(school: m.School, school_bytes: bytes, dirs: list[Path]) -> list[PupilRecord]:
        return list(map_each(functools.partial(parse_pupil, school), [read_files(d) for d in dirs]))

    return parse


def load(root: Path, parse: Parse | None = None) -> m.Project:
    """Return the whole project, or raise ProjectErrors listing every problem found."""
    project, problems = _read(root, parse or parse_every())
    warnings = problems_or_raise(problems)
    if project is None:
        raise AssertionError("_read gives no project only with an error")
    return m.Project(project.root, project.school, project.pupils, warnings)


def check(root: Path, map_each: MapEach = map) -> tuple[m.Project | None, list[Problem]]:
    """Every problem of the records and of the contents of the work files they name (read as
    the build reads them), errors and warnings, without stopping at the first kind; and the
    project as far as it could be read (None if school.yml could not be). map_each: as load's
    (decoding every picture is most of the time a check takes)."""
    project, problems = _read(root, parse_every(map_each))
    if project is None:
        return None, problems
    files: list[tuple[str, str, str]] = []  # (the file's real path, its path as said, its name in the records)
    for pupil in project.pupils:
        real_dir = _real_dir(root, pupil)
        links: dict[str, bool] = {}  # see real_below
        for item in pupil.work:
            real, regular = real_below(real_dir, item.rel, links)
            if not usable(real_dir, real, regular):
                continue  # missing, of another type or outside the pupil's folder: said already, and not read
            files.append((real, work_file(project.pupil_dir(pupil), item).relative_to(root).as_posix(), item.rel))
    problems += [found for found in map_each(_content_problem, files) if found is not None]
    problems += unnamed_work(project)
    return project, problems


def _content_problem(file: tuple[str, str, str]) -> Problem | None:
    real, shown, rel = file
    return content_problem(Path(real).read_bytes(), shown, rel)


def _read(root: Path, parse: Parse) -> tuple[m.Project | None, list[Problem]]:
    """The project as far as it can be read (its usable pupils), and every problem found."""
    problems: list[Problem] = []
    school_bytes = _read_or_none(root / "school.yml")
    school = parse_school(school_bytes, problems)
    if school is None:
        return None, problems
    records = parse(school, school_bytes or b"", pupil_dirs(root, problems))
    pupils = _checked(root, records, problems)
    return m.Project(root, school, tuple(pupils)), problems


def _checked(root: Path, records: list[PupilRecord], problems: list[Problem]) -> list[m.Pupil]:
    """The usable pupils; ids must be unique, and the work files they name must be there."""
    pupils: list[m.Pupil] = []
    ids: dict[str, str] = {}
    real_pupils = os.path.realpath(root / "pupils")
    for record in records:
        problems.extend(record.problems)
        if record.pupil is None:
            continue
        pupil = record.pupil
        if record.id_at is not None:
            path, line, col = record.id_at
            if pupil.id in ids:
                problems.append(Problem(path, line, col, f"id: id '{pupil.id}' is already used by {ids[pupil.id]}"))
            else:
                ids[pupil.id] = path
        problems.extend(file_problems(root, _real_dir(root, pupil, real_pupils), pupil))
        pupils.append(pupil)
    return pupils


def _real_dir(root: Path, pupil: m.Pupil, real_pupils: str | None = None) -> str:
    """The real path of the pupil's directory (real_pupils: that of pupils/, if known)."""
    real_dir = f"{real_pupils or os.path.realpath(root / 'pupils')}/{pupil.slug}"
    return os.path.realpath(real_dir) if os.path.islink(real_dir) else real_dir


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
