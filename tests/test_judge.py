"""Judging: statuses from scale distance, colours, attendance bands and explained results."""

from __future__ import annotations

import pytest

from amentor_build import judge
from amentor_build.model import AssessmentKind, Attainment, AttitudeArea, School
from amentor_build.records.school import DEFAULT_ATTITUDE

SCALE = ("1b", "1b+", "1w", "1w+", "1s", "1s+")


def school(exceeding: int = 1, nearly: int = -1) -> School:
    return School(
        "S",
        "2026-27",
        ("autumn",),
        ("reading",),
        SCALE,
        exceeding,
        nearly,
        {"not_on_track": "red", "nearly_there": "yellow", "on_target": "green", "exceeding": "blue"},
        DEFAULT_ATTITUDE,
        (),
        (),
        (),
    )


@pytest.mark.parametrize(
    "working, target, status",
    [
        ("1w+", "1w", "exceeding"),
        ("1s+", "1w", "exceeding"),
        ("1w", "1w", "on_target"),
        ("1b+", "1w", "nearly_there"),
        ("1b", "1w", "not_on_track"),
    ],
)
def test_status_from_distance(working, target, status):
    assert judge.attainment_status(school(), working, target) == status


def test_wider_thresholds_from_school_settings():
    assert judge.attainment_status(school(exceeding=2), "1w+", "1w") == "on_target"
    assert judge.attainment_status(school(nearly=-2), "1b", "1w") == "nearly_there"


def test_override_and_colour_with_words_and_icon():
    judged = judge.judge_attainment(school(), Attainment("reading", "1b", "1w", status_override="nearly_there"))
    assert (judged.status, judged.signal) == ("nearly_there", judge.Signal("yellow", "Nearly there", "▲"))
    assert judge.judge_attainment(school(), Attainment("reading", "1s", "1w")).signal.colour == "blue"


@pytest.mark.parametrize(
    "percent, colour", [(100, "green"), (96, "green"), (95.9, "yellow"), (90, "yellow"), (89.9, "red"), (0, "red")]
)
def test_attendance_bands_are_inclusive_lower_bounds(percent, colour):
    area = AttitudeArea("attendance", "Attendance", (("green", 96.0), ("yellow", 90.0)))
    assert judge.attendance_colour(area, percent) == colour


def test_persistent_absence_is_named():
    area = AttitudeArea("attendance", "Attendance", (("green", 96.0), ("yellow", 90.0)))
    judged = judge.judge_attitude(area, 88.5)
    assert judged.shown == "88.5%" and judged.signal.words == "Persistent absence (under 90%)"


def test_results_are_explained():
    std = judge.explain_result(AssessmentKind("pira", "PiRA", "standardised"), 115)
    assert "in the average range" in std.meaning and "About 84 in 100" in std.meaning
    ks2 = judge.explain_result(AssessmentKind("ks2", "KS2", "scaled"), 112)
    assert "Met the expected standard" in ks2.meaning and "high score" in ks2.meaning
    assert "Not yet at the expected standard" in judge.explain_result(AssessmentKind("k", "K", "scaled"), 96).meaning
    phonics = AssessmentKind("phonics", "Phonics", "mark", max=40, pass_mark=32)
    assert judge.explain_result(phonics, 35).shown == "35 out of 40"
    assert judge.explain_result(phonics, 32).meaning == "Met the pass mark of 32."
    assert judge.explain_result(phonics, 31).meaning.startswith("Below the pass mark of 32")
    assert judge.explain_result(AssessmentKind("mtc", "MTC", "mark", max=25), 25).meaning == "Full marks."
