"""Judging: statuses from scale distance, colours, attendance bands and explained results."""

from __future__ import annotations

import dataclasses

import pytest

from amentor_build import judge
from amentor_build.judge.staff import staff_overview
from amentor_build.model import AssessmentKind, Attainment, AttitudeArea, School
from amentor_build.records.school import DEFAULT_ATTITUDE, parse_school

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


def test_a_childs_own_colour_is_said_in_the_words_of_every_status_of_that_colour():
    three = dataclasses.replace(
        school(), colours={"not_on_track": "red", "nearly_there": "green", "on_target": "green", "exceeding": "green"}
    )
    assert judge.own_signal(three, "green") == judge.Signal("green", "Nearly there, on target or exceeding", "▲")
    assert judge.own_signal(school(), "blue") == judge.Signal("blue", "Exceeding", "★")
    assert judge.own_signal(school(), "purple") == judge.Signal("purple", "Outstanding", "◆")  # no status's: warned of


@pytest.mark.parametrize(
    "percent, colour", [(100, "green"), (96, "green"), (95.9, "yellow"), (90, "yellow"), (89.9, "red"), (0, "red")]
)
def test_attendance_bands_are_inclusive_lower_bounds(percent, colour):
    area = AttitudeArea("attendance", "Attendance", (("green", 96.0), ("yellow", 90.0)))
    assert judge.attendance_colour(area, percent) == colour


@pytest.mark.parametrize("percent, colour", [(97, "green"), (90, "green"), (89.9, "red")])
def test_attendance_bands_are_applied_green_first_however_they_are_written(percent, colour):
    # SPEC: `>= green` is green, `>= yellow` yellow. With the bounds swapped (warned of by check),
    # yellow is never given; it was given from 96 when the bands were applied highest bound first.
    school = parse_school(SCHOOL_WITH_BANDS.encode(), [])
    assert school is not None
    assert judge.attendance_colour(school.attitude[0], percent) == colour


SCHOOL_WITH_BANDS = """\
name: S
current_year: 2026-27
scale: [1b, 1w, 1s]
attitude:
  - {key: attendance, label: Attendance, percent_bands: {yellow: 96, green: 90}}
"""


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
    assert judge.explain_result(phonics, 31).meaning == (
        "Below the pass mark of 32: the school will support your child and check again."
    )
    assert judge.explain_result(AssessmentKind("mtc", "MTC", "mark", max=25), 25).meaning == "Full marks."


NEW_TERM = """\
  spring:
    targets:
      reading:
        - {text: Read a chapter book on your own}
"""


def test_a_term_with_only_its_targets_keeps_the_current_form(amentor, project):
    # A term's targets are set at its start (and a rollover writes nothing else into a new year):
    # the current form keeps the latest colours, with the newer term's targets as the current ones.
    from conftest import write
    from test_cache import page

    from amentor_build import records

    year = project / "pupils/ada/2026-27.yml"
    write(project, "pupils/ada/2026-27.yml", year.read_text() + NEW_TERM)  # terms: is the file's last key
    loaded = records.load(project)
    ada = judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T001"))
    assert ada.current_term is not None and ada.current_term.title == "Autumn 2026-27"
    assert ada.targets_term is not None and ada.targets_term.title == "Spring 2026-27"
    row = staff_overview(ada)
    assert row["term"] == "Autumn 2026-27" and row["subjects"]["reading"]["status"] == "on_target"
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') :]
    assert "Current form: Autumn 2026-27" in form and "Targets for Spring 2026-27" in form
    assert "Read a chapter book on your own" in form and 'class="attainment"' in form


def test_a_newer_term_with_only_its_results_is_on_the_overview(amentor, project):
    # A summer term that holds only the results so far (a Year 6 child's KS2 tests come back in
    # July, before the term's colours): the family sees them on the overview, named with their term.
    from conftest import write
    from test_cache import page

    year = project / "pupils/ada/2026-27.yml"
    summer = "  summer:\n    assessments:\n      - {test: ks2-reading, score: 108}\n"
    write(project, "pupils/ada/2026-27.yml", year.read_text() + summer)
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') : overview.index('class="colour-key"')]
    assert "Current form: Autumn 2026-27" in form and 'class="attainment"' in form
    assert "<h4>Assessments in Summer 2026-27</h4>" in form
    assert "KS2 reading test: <strong>108</strong>" in form
    year_page = page(project, "T001", "year-2")
    assert "<h4>Assessments in" not in year_page and year_page.count("KS2 reading test: <strong>108</strong>") == 1


def test_a_child_who_has_left_needs_no_attention(project):
    from conftest import write

    from amentor_build import records
    from amentor_build.protection import Keystore
    from amentor_build.protection.seal import staff_rows

    def attention(left: str) -> list[str]:
        write(project, "pupils/ben/pupil.yml", f"id: T002\nfirst_name: Benedikt\nlast_name: Zoller\nleft: {left}\n")
        loaded = records.load(project)
        keystore = Keystore.load(project / ".amentor")
        keystore.prepare(loaded)
        overviews = {p.id: staff_overview(judge.judge_pupil(loaded.school, p)) for p in loaded.pupils}
        row = next(r for _, _, r in staff_rows(loaded, keystore, overviews) if r["name"].endswith("Zoller"))
        return row["attention"]

    assert attention("null")  # maths 1s against 2b: not on track
    assert attention("{date: 2026-10-01, reason: moved school}") == []


@pytest.mark.parametrize(
    "terms, short",
    [
        (["autumn", "spring", "summer"], ["Aut", "Spr", "Sum"]),
        (["autumn_1", "autumn_2", "spring2"], ["Aut 1", "Aut 2", "Spr 2"]),
        (["Michaelmas I", "Michaelmas II", "Hilary"], ["Mic I", "Mic II", "Hil"]),
        (["Summer 1st half", "Summer 2nd half"], ["Sum 1st", "Sum 2nd"]),
        (["Autumn first half", "Autumn second half", "spring"], ["Autumn first half", "Autumn second half", "Spr"]),
    ],
)
def test_half_terms_are_told_apart_on_a_charts_axis(terms, short):
    # Six half-terms (autumn_1, autumn_2, ...) must not all read "Aut 26" along a chart; two
    # that would read the same short keep their whole names.
    from amentor_build.render.charts import short_terms

    assert list(short_terms(terms).values()) == short


@pytest.mark.parametrize(
    "terms, later",
    [
        (["autumn", "spring", "summer"], ["spring", "summer"]),
        (["summer"], ["summer"]),  # one term a year: its name says when it is
        (["autumn_1", "autumn_2", "spring", "summer"], ["spring", "summer"]),
        (["Michaelmas I", "Michaelmas II", "Hilary"], ["Hilary"]),
        (["Hydref", "Gwanwyn", "Haf"], ["Gwanwyn", "Haf"]),
        (["Term 1", "Term 2", "Term 3", "Term 4", "Term 5", "Term 6"], ["Term 3", "Term 4", "Term 5", "Term 6"]),
    ],
)
def test_a_charts_terms_after_new_year_are_of_the_second_calendar_year(terms, later):
    # Summer 2025-26 is the summer of 2026: named by the term's name, else by its place
    from amentor_build.render.charts import after_new_year

    assert sorted(after_new_year(terms)) == sorted(later)


def test_this_term_is_the_latest_the_school_has_colours_for(project):
    # The whole-school summary counts "this term": the latest term of the current year any child
    # on roll has attainment for; a child whose form is older is left out (and said to be).
    from conftest import write

    from amentor_build import records
    from amentor_build.judge.staff import this_term

    def rows() -> list[dict]:
        loaded = records.load(project)
        return [{**staff_overview(judge.judge_pupil(loaded.school, p)), "left": None} for p in loaded.pupils]

    assert this_term(records.load(project).school, rows()) == {"anchor": "2026-27-autumn", "title": "Autumn 2026-27"}
    year = project / "pupils/ada/2026-27.yml"
    write(project, "pupils/ada/2026-27.yml", year.read_text() + NEW_TERM)  # spring: targets only, no colours
    assert this_term(records.load(project).school, rows())["anchor"] == "2026-27-autumn"
    write(
        project,
        "pupils/ada/2026-27.yml",
        year.read_text() + "    attainment:\n      reading: {working_at: 2b, target: 2b+}\n",
    )
    assert this_term(records.load(project).school, rows()) == {"anchor": "2026-27-spring", "title": "Spring 2026-27"}
    school = (project / "school.yml").read_text()
    (project / "school.yml").write_text(school.replace("current_year: 2026-27", "current_year: 2027-28"))
    assert this_term(records.load(project).school, rows()) is None  # a new year: no colours yet


def test_a_newer_term_with_only_attendance_keeps_the_statuses(project):
    # Attendance entered early (from the school's MIS) must not blank the subjects' statuses, nor
    # take the child out of "needs attention" or the whole-school summary; nor may an older
    # attendance figure stay in the family's current form (an old "Persistent absence").
    from conftest import write

    from amentor_build import records

    year = project / "pupils/ben/2026-27.yml"
    write(project, "pupils/ben/2026-27.yml", year.read_text() + "  spring:\n    attitude:\n      attendance: 85.0\n")
    loaded = records.load(project)
    ben = judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T002"))
    row = staff_overview(ben)
    assert row["term"] == "Autumn 2026-27" and row["subjects"]["maths"]["status"] == "not_on_track"
    assert row["attendance"] is not None and row["attendance"]["value"] == 85.0
    assert row["attendance"]["term"] == "Spring 2026-27"  # not the term of the row's colours: said
    assert any(r.startswith("Not on track in maths") for r in row["attention"])
    assert any(r.startswith("Attendance 85%") for r in row["attention"])
    # the family's current form is autumn's, its statuses its own, spring's newer attendance in it
    current = ben.current_term
    assert current is not None and current.title == "Autumn 2026-27"
    form = ben.form(current)
    assert [(a.subject, a.status, a.since) for a in form.attainment if a.subject == "maths"] == [
        ("maths", "not_on_track", "")
    ]
    assert [(a.key, a.shown, a.since) for a in form.attitude] == [("attendance", "85%", "Spring 2026-27")]


def test_a_newer_form_without_targets_yet_shows_the_targets_still_worked_on(amentor, project):
    # Spring's colours are entered before its targets are set: autumn's targets are still the
    # child's current ones, and the current form says whose they are.
    from conftest import write
    from test_cache import page

    year = project / "pupils/ada/2026-27.yml"
    write(
        project,
        "pupils/ada/2026-27.yml",
        year.read_text() + "  spring:\n    attainment:\n      reading: {working_at: 2b+, target: 2b+}\n",
    )
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') :]
    assert "Current form: Spring 2026-27" in form and "Targets for Autumn 2026-27" in form
    assert "Use &#39;because&#39; to join ideas" in form or "Use 'because' to join ideas" in form


@pytest.mark.parametrize(
    "spring, caption, shown, hidden",
    [
        # colours not entered yet in the form's term: the year's latest stand in, named
        (
            "  spring:\n    attainment:\n      reading: {working_at: 2b+, target: 2b+}\n",
            "Attitude in Autumn 2026-27",
            ["Causing concern", "96%"],
            [],
        ),
        # a newer term with only an early attendance figure: the form stays autumn's, its own
        # colours but attendance, which is the newer figure, with its term
        (
            "  spring:\n    attitude:\n      attendance: 85.0\n",
            "Attitude",
            ["<td>85%", "Causing concern", "(Spring 2026-27)"],
            ["<td>96%", "(Autumn 2026-27)"],
        ),
    ],
)
def test_the_current_form_shows_its_own_or_the_years_latest_attitude(amentor, project, spring, caption, shown, hidden):
    from conftest import write
    from test_cache import page

    year = project / "pupils/ada/2026-27.yml"
    colours = "    attitude:\n      attendance: 96.0\n      behaviour: red\n    targets:\n"
    write(project, "pupils/ada/2026-27.yml", year.read_text().replace("    targets:\n", colours, 1) + spring)
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') :]
    assert f"<caption>{caption}</caption>" in form, form[:3000]
    assert all(text in form for text in shown) and not any(text in form for text in hidden)


def test_the_current_form_never_shows_last_years_targets_as_current(amentor, project):
    # Ben's only targets are of last summer (achieved); this year's autumn has colours, no targets yet.
    from conftest import write
    from test_cache import page

    write(
        project,
        "pupils/ben/2025-26.yml",
        "year_group: 1\nclass: Robins\nterms:\n  summer:\n    targets:\n      maths:\n"
        "        - {text: Count in fives to fifty, review: achieved}\n",
    )
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T002", "overview")
    form = overview[overview.index('class="current-form"') :]
    assert "Current form: Autumn 2026-27" in form and "Targets for" not in form


@pytest.mark.parametrize(
    "spring, running",
    [
        ("  spring:\n    attainment:\n      maths: {working_at: 1s+, target: 2b+}\n", True),  # the next term
        ("  spring:\n    targets:\n      maths:\n        - {text: Count in threes}\n", False),  # no assessment between
    ],
)
def test_below_target_two_terms_running_means_the_next_term(project, spring, running):
    from conftest import write

    from amentor_build import records

    year = project / "pupils/ben/2026-27.yml"
    summer = "  summer:\n    attainment:\n      maths: {working_at: 1s+, target: 2b+}\n"
    write(project, "pupils/ben/2026-27.yml", year.read_text() + (spring if running else spring + summer))
    loaded = records.load(project)
    ben = judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T002"))
    reasons = staff_overview(ben)["attention"]
    assert any("below target two terms running" in r.lower() for r in reasons) == running, reasons


def test_attendance_is_never_older_than_the_statuses_beside_it(project):
    # Ada's attendance of 2025-26 stands beside no status of 2026-27, whose term gives none.
    from conftest import write

    from amentor_build import records

    old = project / "pupils/ada/2025-26.yml"
    write(project, "pupils/ada/2025-26.yml", old.read_text().replace("attendance: 97.4", "attendance: 85.0"))
    loaded = records.load(project)
    ada = judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T001"))
    row = staff_overview(ada)
    assert row["term"] == "Autumn 2026-27" and row["attendance"] is None
    assert not any(r.startswith("Attendance") for r in row["attention"]), row["attention"]


@pytest.mark.parametrize(
    "terms, records, running",
    [
        # summer then the next year's autumn: running across the year's end
        ("[autumn, spring, summer]", {"2025-26": ["summer"], "2026-27": ["autumn"]}, True),
        # six half-terms, attainment every other one: running
        ("[autumn1, autumn2, spring1, spring2, summer1, summer2]", {"2026-27": ["autumn2", "spring2"]}, True),
        # six half-terms, a whole term between: not running
        ("[autumn1, autumn2, spring1, spring2, summer1, summer2]", {"2026-27": ["autumn1", "spring2"]}, False),
    ],
)
def test_two_terms_running_across_a_year_and_in_half_terms(project, terms, records, running):
    from conftest import write

    from amentor_build import records as reading

    school = (project / "school.yml").read_text()
    assert "terms:" not in school  # the default three terms
    (project / "school.yml").write_text(
        school.replace("current_year: 2026-27\n", f"current_year: 2026-27\nterms: {terms}\n")
    )
    for path in project.glob("pupils/*/20*.yml"):
        path.unlink()
    for year, assessed in records.items():
        group = 1 if year == "2025-26" else 2
        body = "".join(f"  {t}:\n    attainment:\n      maths: {{working_at: 1b, target: 1s}}\n" for t in assessed)
        write(project, f"pupils/ben/{year}.yml", f"year_group: {group}\nclass: Wrens\nterms:\n{body}")
    loaded = reading.load(project)
    ben = judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T002"))
    reasons = staff_overview(ben)["attention"]
    assert any("below target two terms running" in r for r in reasons) == running, reasons
    across = "below target two terms running (Summer 2025-26 and Autumn 2026-27)"  # which two, named
    assert any(across in r for r in reasons) == (len(records) == 2), reasons


def ben_row(project, body: str) -> dict:
    """Ben's row of the staff overview with his 2026-27 terms written as `body`."""
    from conftest import write

    from amentor_build import records

    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\nterms:\n" + body)
    loaded = records.load(project)
    return staff_overview(judge.judge_pupil(loaded.school, next(p for p in loaded.pupils if p.id == "T002")))


def test_a_subject_not_yet_entered_this_term_keeps_its_status_of_earlier_in_the_year(project):
    # Spring's reading is entered, its maths not yet: autumn's "not on track" in maths still
    # counts, said with its term; so does autumn's attendance under the line.
    row = ben_row(
        project,
        "  autumn:\n    attainment:\n      maths: {working_at: 1s, target: 2b}\n"
        "      reading: {working_at: 2b, target: 2b}\n    attitude:\n      attendance: 85.0\n"
        "  spring:\n    attainment:\n      reading: {working_at: 2b+, target: 2b+}\n",
    )
    assert row["term"] == "Spring 2026-27" and set(row["subjects"]) == {"reading", "maths"}
    assert "term" not in row["subjects"]["reading"]  # the overview shows maths as of autumn, and says so
    assert row["subjects"]["maths"]["status"] == "not_on_track" and row["subjects"]["maths"]["term"] == "Autumn 2026-27"
    assert row["attention"] == [
        "Not on track in maths (as of Autumn 2026-27)",
        "Attendance 85%: under the persistent absence line of 90% (as of Autumn 2026-27)",
    ]
    assert row["attendance"] is not None and row["attendance"]["value"] == 85.0


@pytest.mark.parametrize(
    "given, flagged",
    [
        ("{working_at: 1s+, target: 2b, status: on_target}", False),  # the teacher's own status counts
        ("{working_at: 2b, target: 2b, status: nearly_there}", True),
        ("{working_at: 1s+, target: 2b}", True),  # one step below: nearly there
    ],
)
def test_below_target_two_terms_running_is_the_status_the_overview_shows(project, given, flagged):
    row = ben_row(
        project,
        f"  autumn:\n    attainment:\n      maths: {given}\n  spring:\n    attainment:\n      maths: {given}\n",
    )
    said = "Below target in maths two terms running (Autumn and Spring 2026-27)"  # which two, named
    assert (row["attention"] == [said]) == flagged, row["attention"]
    assert not flagged or row["subjects"]["maths"]["status"] == "nearly_there"


@pytest.mark.parametrize(
    "spring, flagged",
    [("reading", True), ("maths", False)],  # the same subject's targets, or another's
)
def test_targets_not_yet_two_reviews_running_count_per_subject(project, spring, flagged):
    row = ben_row(
        project,
        "  autumn:\n    targets:\n      reading:\n        - {text: Read with expression, review: not_yet}\n"
        f"  spring:\n    targets:\n      {spring}:\n        - {{text: Practise this one, review: not_yet}}\n",
    )
    reasons = [r for r in row["attention"] if r.startswith("Targets")]
    said = "Targets not yet achieved in reading two reviews running (Autumn and Spring 2026-27)"
    assert reasons == ([said] if flagged else []), reasons


def test_targets_not_yet_in_an_earlier_year_no_longer_count(project):
    from conftest import write

    write(
        project,
        "pupils/ben/2025-26.yml",
        "year_group: 1\nclass: Robins\nterms:\n"
        "  autumn:\n    targets:\n      reading:\n        - {text: Read with expression, review: not_yet}\n"
        "  spring:\n    targets:\n      reading:\n        - {text: Read with expression, review: not_yet}\n",
    )
    row = ben_row(project, "  autumn:\n    attainment:\n      maths: {working_at: 2b, target: 2b}\n")
    assert row["attention"] == [], row["attention"]


def test_last_years_statuses_are_not_this_years_after_a_rollover(project):
    # Summer 2025-26: not on track, attendance 85. The new year holds only its carried targets
    # (as a rollover writes it): nothing of last year is said as a reason now. The row shows
    # summer's colours and attendance, as the family's current form does (a head must not see a
    # persistent absence a family sees hidden as "–").
    from conftest import write

    write(
        project,
        "pupils/ben/2025-26.yml",
        "year_group: 1\nclass: Robins\nterms:\n"
        "  spring:\n    attainment:\n      maths: {working_at: 1s, target: 2b}\n    attitude:\n      attendance: 86.0\n"
        "  summer:\n    attainment:\n      maths: {working_at: 1b, target: 2b}\n    attitude:\n      attendance: 85.0\n",
    )
    row = ben_row(project, "  autumn:\n    targets:\n      maths:\n        - {text: Count in threes}\n")
    assert row["attention"] == [] and row["attendance"]["value"] == 85.0, row
    assert "term" not in row["attendance"]  # the row's own term: Summer 2025-26
    assert row["term"] == "Summer 2025-26"  # the overview's statuses say whose term they are


def test_a_reason_from_before_the_childs_newest_term_names_its_term(project):
    # Spring holds only its targets so far: autumn's reasons are said as of autumn.
    row = ben_row(
        project,
        "  autumn:\n    attainment:\n      maths: {working_at: 1s, target: 2b}\n    attitude:\n      attendance: 85.0\n"
        "  spring:\n    targets:\n      maths:\n        - {text: Count in threes}\n",
    )
    assert row["attention"] == [
        "Not on track in maths (as of Autumn 2026-27)",
        "Attendance 85%: under the persistent absence line of 90% (as of Autumn 2026-27)",
    ], row["attention"]


def test_a_child_without_attainment_is_judged_on_their_latest_year_only(project):
    from conftest import write

    write(
        project,
        "pupils/ben/2025-26.yml",
        "year_group: 1\nclass: Robins\nterms:\n  summer:\n    attitude:\n      attendance: 80.0\n",
    )
    row = ben_row(project, "  autumn:\n    targets:\n      maths:\n        - {text: Count in threes}\n")
    assert row["attention"] == [] and row["attendance"] is None, row


@pytest.mark.parametrize(
    "files",
    [
        # after a rollover, before the new year's first attainment: last year's form, its year's
        # colours, but attendance the new year's figure, said with its term (as the staff list has it)
        {
            "2025-26": "  autumn:\n    attitude:\n      attendance: 96.0\n      behaviour: red\n"
            "  spring:\n    attainment:\n      maths: {working_at: 1s, target: 1s}\n",
            "2026-27": "  autumn:\n    attitude:\n      attendance: 85.0\n",
        },
        # a newer term with only the child's own colours is no stand-in for the teacher's
        {
            "2025-26": "  autumn:\n    attitude:\n      attendance: 96.0\n      behaviour: red\n"
            "  spring:\n    attainment:\n      maths: {working_at: 1s, target: 1s}\n"
            "  summer:\n    attitude_self:\n      behaviour: blue\n",
        },
    ],
)
def test_the_stand_in_colours_are_the_teachers_latest(amentor, project, files):
    from conftest import write
    from test_cache import page

    (project / "pupils/ben/2026-27.yml").unlink()
    group = {"2025-26": 1, "2026-27": 2}
    for year, terms in files.items():
        write(project, f"pupils/ben/{year}.yml", f"year_group: {group[year]}\nclass: Wrens\nterms:\n{terms}")
    assert amentor("build", "-p", str(project)).code == 0, "the records are good"
    overview = page(project, "T002", "overview")
    form = overview[overview.index('class="current-form"') : overview.index('class="colour-key"')]
    assert "Current form: Spring 2025-26" in form and "Causing concern" in form
    if "2026-27" in files:  # each colour with its term: the new year's attendance, last autumn's behaviour
        assert "<caption>Attitude</caption>" in form and "<td>96%" not in form
        rows = {r.split("</th>")[0]: r.split("</tr>")[0] for r in form.split('<th scope="row">')[1:]}
        assert "<td>85%" in rows["Attendance"] and "(Autumn 2026-27)</span></td>" in rows["Attendance"], rows
        assert "Causing concern" in rows["Behaviour"] and "(Autumn 2025-26)</span></td>" in rows["Behaviour"], rows
    else:
        assert "<caption>Attitude in Autumn 2025-26</caption>" in form and "<td>96%" in form


@pytest.mark.parametrize("status, judged", [("on_target", False), ("nearly_there", True)])
def test_a_teachers_own_status_is_said_only_where_it_is_not_the_steps(project, status, judged):
    # 2b against 2b is on target by the steps: a `status: on_target` says nothing new.
    row = ben_row(
        project, f"  autumn:\n    attainment:\n      maths: {{working_at: 2b, target: 2b, status: {status}}}\n"
    )
    assert ("judged" in row["subjects"]["maths"]) == judged, row["subjects"]
