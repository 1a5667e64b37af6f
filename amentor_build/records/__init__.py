"""Stage 1, load: school.yml and every pupils/<slug>/ directory into a checked Project.

    project = records.load(root)            # or, in a build: load(root, cache, workers.map)

Every problem in every file is collected (with path, line, column and key) and raised
together as ProjectErrors. Parsing a pupil is a pure function of the school and the bytes
of the pupil's record files, so a cache can wrap it (`RecordCache`, keyed by their
SHA-256) and a pool of processes can run it; the work files those records name are
checked on disk on every load.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from .. import model as m
from ..errors import Problem, problems_or_raise
from .pupil import PupilFiles, PupilRecord, parse_pupil, pupil_dirs, read_files
from .school import parse_school
from .work import content_problem, file_problems, real_below, usable, work_file

__all__ = ["PupilRecord", "RecordCache", "check", "load", "parse_school", "work_file"]

T = TypeVar("T")
R = TypeVar("R")


class MapEach(Protocol):
    """map(), or a pool's map: fn on each item, results in order."""

    def __call__(self, fn: Callable[[T], R], items: Sequence[T], /) -> Iterable[R]: ...


class RecordCache(Protocol):
    """Parsed pupils by the digest of everything a parse depends on (see build.caches)."""

    def get(self, key: str) -> PupilRecord | None: ...

    def put(self, key: str, record: PupilRecord, pickled: bytes) -> None: ...  # pickled: the record, pickled


def load(root: Path, cache: RecordCache | None = None, map_each: MapEach = map) -> m.Project:
    """Return the whole project, or raise ProjectErrors listing every problem found."""
    project, problems = _read(root, cache, map_each)
    warnings = problems_or_raise(problems)
    if project is None:
        raise AssertionError("_read gives no project only with an error")
    return m.Project(project.root, project.school, project.pupils, warnings)


def check(root: Path, map_each: MapEach = map) -> tuple[m.Project | None, list[Problem]]:
    """Every problem of the records and of the contents of the work files they name (read as
    the build reads them), errors and warnings, without stopping at the first kind; and the
    project as far as it could be read (None if school.yml could not be). map_each: as load's
    (decoding every picture is most of the time a check takes)."""
    project, problems = _read(root, None, map_each)
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
    return project, problems


def _content_problem(file: tuple[str, str, str]) -> Problem | None:
    real, shown, rel = file
    return content_problem(Path(real).read_bytes(), shown, rel)


def _read(
    root: Path, cache: RecordCache | None = None, map_each: MapEach = map
) -> tuple[m.Project | None, list[Problem]]:
    """The project as far as it can be read (its usable pupils), and every problem found."""
    problems: list[Problem] = []
    school_bytes = _read_or_none(root / "school.yml")
    school = parse_school(school_bytes, problems)
    if school is None:
        return None, problems
    records = _parse_all(school, school_bytes or b"", pupil_dirs(root), cache, map_each)
    pupils = _checked(root, records, problems)
    return m.Project(root, school, tuple(pupils)), problems


def _parse_all(
    school: m.School,
    school_bytes: bytes,
    dirs: list[Path],
    cache: RecordCache | None,
    map_each: MapEach,
) -> list[PupilRecord]:
    """Parse every pupil, through the cache when there is one (look up, else parse, then store).

    With a cache, each directory's bytes are kept only until its key is known, and then only if
    it must be parsed: a rebuild holds one pupil's files at a time, not the whole school's."""
    if cache is None:
        return list(map_each(functools.partial(parse_pupil, school), [read_files(d) for d in dirs]))
    school_digest = hashlib.sha256(school_bytes).digest()
    found: list[PupilRecord | None] = []
    missing: list[tuple[int, str, PupilFiles]] = []  # (index, key, files) of each pupil to parse
    for index, directory in enumerate(dirs):
        files = read_files(directory)
        key = record_key(school_digest, files)
        record = cache.get(key)
        if record is None:
            missing.append((index, key, files))
        found.append(record)
    # Parsed records come back pickled (a worker pickles them for the way back anyway): the
    # cache stores those very bytes, and each is unpickled here once.
    parse = functools.partial(parse_pickled, school)
    for (index, key, _), pickled in zip(missing, map_each(parse, [files for _, _, files in missing]), strict=True):
        record = pickle.loads(pickled)
        cache.put(key, record, pickled)
        found[index] = record
    return [record for record in found if record is not None]


def parse_pickled(school: m.School, files: PupilFiles) -> bytes:
    """parse_pupil, its result pickled."""
    return pickle.dumps(parse_pupil(school, files), protocol=pickle.HIGHEST_PROTOCOL)


def record_key(school_digest: bytes, files: PupilFiles) -> str:
    """What a pupil's parse depends on: school.yml (school_digest: the SHA-256 of its bytes) and
    the pupil's record files (and their directory's name). The cache adds amentor's own code to
    it (build.caches.RecordStore)."""
    return hashlib.sha256(school_digest + files.digest.encode()).hexdigest()


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
