"""Worker processes build the same site as one process does, byte for byte.

A school large enough for the process pool (more than 16 children to parse) has each child's
folder built by the job that parsed them (folders.RenderAfterParse); build_folders takes
those results only if they were built for this build's keys and inputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from amentor_build import folders, pipeline
from amentor_build.errors import ProjectErrors
from amentor_build.pipeline import build
from amentor_build.scaffold import starter_dir, write_project_files

PUPILS = 18  # more than the 16 a build parses in its own process


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


def test_workers_build_the_same_site_as_one_process(school, monkeypatch):
    loaded = []
    load_project = pipeline.load_project
    monkeypatch.setattr(pipeline, "load_project", lambda *args: loaded.append(load_project(*args)) or loaded[-1])
    parse_again(school)
    report = build(school, school / "two", workers=2)
    assert len(loaded[0].made) == PUPILS  # every folder was built by the job that parsed the child
    assert len(report.rebuilt) == PUPILS
    assert report.timings["cpu render"] > 0
    assert tree(school / "two") == tree(school / "one")


def test_folders_built_for_other_keys_or_inputs_are_built_again(school, monkeypatch):
    """Here every worker's cache key differs from the build's (it includes the process id):
    each folder is built again and nothing the workers staged is left in the site."""
    cache_key = folders.folder_cache_key
    monkeypatch.setattr(folders, "folder_cache_key", lambda *args: cache_key(*args) + str(os.getpid()))
    calls = []
    unstage = folders._unstage
    monkeypatch.setattr(folders, "_unstage", lambda site, result: calls.append(result.pupil_id) or unstage(site, result))
    parse_again(school)
    report = build(school, school / "three", workers=2)
    assert len(report.rebuilt) == PUPILS and len(calls) == PUPILS
    assert tree(school / "three") == tree(school / "one")


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


def test_children_without_keys_yet_are_built_after_load(tmp_path, monkeypatch):
    """A first build has no keystore: workers parse, and the folders are built once every
    child has keys."""
    root = tmp_path / "school"
    write_project_files(root, starter_dir(), "New Primary", PUPILS, full_history=True, complete_years=True)
    loaded = []
    load_project = pipeline.load_project
    monkeypatch.setattr(pipeline, "load_project", lambda *args: loaded.append(load_project(*args)) or loaded[-1])
    report = build(root, root / "site", workers=2)
    assert loaded[0].made == {} and len(report.rebuilt) == PUPILS
    assert len([p for p in (root / "site/f").iterdir() if (p / "overview.bin").is_file()]) == PUPILS


def test_after_a_colour_change_workers_rebuild_what_one_process_builds(school):
    """school.yml changes every child's fingerprint: workers parse and build every folder again
    over the published site (sealed pictures kept), byte for byte as one process builds it anew."""
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
