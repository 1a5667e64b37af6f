"""Worker processes build the same site as one process does, byte for byte.

A school large enough for the process pool (workers.MIN_SHARED children or more) has its
children parsed, and their folders built, in worker processes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amentor_build.build import build, check
from amentor_build.errors import ProjectErrors
from amentor_build.scaffold import starter_dir, write_project_files

PUPILS = 18  # more than workers.MIN_SHARED: the work is shared out


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workers") / "school"
    write_project_files(root, starter_dir(), "Worker Primary", PUPILS, full_history=True, complete_years=True)
    report = build(root, root / "one", workers=1)  # one process: the reference (and every key made)
    assert len(report.rebuilt) == PUPILS
    return root


def parse_again(root: Path) -> None:
    """Forget the parsed records, so the next build parses every child again (in workers)."""
    shutil.rmtree(root / ".amentor/cache/records")


def test_workers_build_the_same_site_as_one_process(school):
    parse_again(school)
    build(school, school / "two", workers=2)
    assert tree(school / "two") == tree(school / "one")


def test_a_bad_record_parsed_in_a_worker_publishes_nothing(school):
    """Folders are staged as their children are parsed; one bad record still stops the build
    before anything is published, and what was staged goes."""
    before = tree(school / "one")
    year = sorted((school / "pupils").iterdir())[-1] / "2026-27.yml"
    good = year.read_text(encoding="utf-8")
    year.write_text(good.replace("year_group: 6", "year_group: seven", 1), encoding="utf-8")
    try:
        parse_again(school)
        with pytest.raises(ProjectErrors) as caught:
            build(school, school / "one", workers=2)
        assert "year_group" in str(caught.value)
        assert tree(school / "one") == before
        assert not [p for p in school.iterdir() if p.name.startswith(".one.")]  # no staging left behind
    finally:
        year.write_text(good, encoding="utf-8")


def test_after_a_colour_change_workers_rebuild_what_one_process_builds(school):
    """school.yml changes every child's fingerprint: workers parse and build every folder again
    over the published site, byte for byte as one process builds it anew."""
    settings = school / "school.yml"
    before = settings.read_text(encoding="utf-8")
    try:
        settings.write_text(before.replace("exceeding: blue", "exceeding: purple", 1), encoding="utf-8")
        old = tree(school / "one")
        report = build(school, school / "one", workers=2)  # records are re-parsed: school.yml is in their key
        assert len(report.rebuilt) == PUPILS
        changed = {rel for rel, data in tree(school / "one").items() if old.get(rel) != data}
        assert changed and all(rel.endswith(".bin") for rel in changed)
        parse_again(school)
        build(school, school / "fresh", workers=1)
        assert tree(school / "one") == tree(school / "fresh")
    finally:
        settings.write_text(before, encoding="utf-8")


def test_check_reads_every_picture_in_workers_and_says_every_problem(school):
    """`amentor check` decodes every work picture (most of its time): in worker processes, with
    every problem said, a damaged picture's and a bad record's alike."""
    assert check(school) == ()
    pictures = sorted((school / "pupils").glob("*/work/*/*.jpg"))
    assert len(pictures) >= 8  # enough for the pool
    picture, year = pictures[len(pictures) // 2], sorted((school / "pupils").iterdir())[0] / "2026-27.yml"
    good_picture, good_year = picture.read_bytes(), year.read_text(encoding="utf-8")
    try:
        picture.write_bytes(good_picture[: len(good_picture) // 3])  # cut short, as by a failed copy
        year.write_text(good_year.replace("year_group: ", "year_group: x", 1), encoding="utf-8")
        with pytest.raises(ProjectErrors) as caught:
            check(school)
        said = [str(p) for p in caught.value.problems]
        shown = picture.relative_to(school).as_posix()
        assert any(line.startswith(f"{shown}:1:1: cannot read this image") for line in said), said
        assert any(
            line.startswith(f"{year.relative_to(school).as_posix()}:1:") and "year_group" in line for line in said
        )
    finally:
        picture.write_bytes(good_picture)
        year.write_text(good_year, encoding="utf-8")
