"""Every validation rule, each on a tiny real project written to tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli, said_by_amentor, work_image, write

from amentor_build.records.school import DEFAULT_ATTITUDE


def errors_of(amentor, project: Path) -> list[str]:
    run = amentor("check", "-p", str(project))
    assert run.code == 1, run.err
    return [line for line in run.lines if re.match(r"^[^:]+:\d+:\d+: (?!warning: )", line)]


def replace(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_valid_project_checks_clean(amentor, project):
    run = amentor("check", "-p", str(project))
    assert run.code == 0, run.err
    assert "no errors" in run.err


def test_unknown_key_is_an_error_at_its_line(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "      punctuality: green", "      punctualty: green")
    errors = errors_of(amentor, project)
    assert errors == [
        "pupils/ada/2025-26.yml:12:7: terms.autumn.attitude.punctualty: unknown key 'punctualty' (did you "
        "mean 'punctuality'?); expected one of: attendance, behaviour, effort, punctuality, reading_homework, uniform"
    ]


def test_a_typo_gets_its_fix_and_a_far_miss_only_the_list(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "      punctuality: green", "      punctuality: Green")
    replace(project, "pupils/ada/2025-26.yml", "working_at: 1w,", "working_at: 1W,")
    replace(project, "pupils/ada/2025-26.yml", "      behaviour: green", "      behaviour: mauve")
    errors = "\n".join(errors_of(amentor, project))
    assert "punctuality: 'Green' is not a colour (did you mean 'green'?); expected one of: red," in errors
    assert "working_at: '1W' is not a step of the school's scale (did you mean '1w'?), which runs from" in errors
    assert "behaviour: 'mauve' is not a colour; expected one of: red," in errors  # nothing close: no guess


def test_every_error_is_reported_not_just_the_first(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "working_at: 1w,", "working_at: 9z,")
    replace(project, "pupils/ada/2025-26.yml", "effort: yellow", "effort: orange")
    replace(project, "pupils/ben/pupil.yml", "first_name: Benedikt", "first_nam: Benedikt")
    errors = errors_of(amentor, project)
    assert len(errors) == 4, errors  # unknown key, and the missing first_name it leaves
    assert any("working_at: '9z' is not a step of the school's scale" in e for e in errors)
    assert any(
        e.startswith("pupils/ada/2025-26.yml:14:15: terms.autumn.attitude.effort: 'orange' is not a colour")
        for e in errors
    )
    assert any(e.startswith("pupils/ben/pupil.yml:2:1: first_nam: unknown key") for e in errors)


def test_a_misspelt_term_hides_none_of_the_errors_inside_it(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "  autumn:", "  Autumn:")
    replace(project, "pupils/ada/2025-26.yml", "effort: yellow", "effort: orange")
    errors = errors_of(amentor, project)
    assert (
        errors[0].startswith("pupils/ada/2025-26.yml:") and "unknown key 'Autumn' (did you mean 'autumn'?)" in errors[0]
    )
    assert errors[1].startswith("pupils/ada/2025-26.yml:14:15: terms.Autumn.attitude.effort: 'orange' is not a colour")
    assert len(errors) == 2, errors


def test_a_test_twice_in_a_term_is_said(amentor, project):
    # A retest kept beside the first score: the sheet has one cell for it, so a score typed there
    # would change only the first, without a word.
    replace(
        project,
        "pupils/ada/2025-26.yml",
        "      - {test: pira, score: 104}",
        "      - {test: pira, score: 104}\n      - {test: pira, score: 99}",
    )
    run = amentor("check", "-p", str(project))
    assert (
        run.code == 0
        and (
            "pupils/ada/2025-26.yml:24:16: warning: terms.autumn.assessments[1].test: 'pira' is in this term twice "
            "(the first: 104); the termly sheet shows only the first"
        )
        in run.err
    ), run.err


def test_check_writes_nothing(amentor, project):
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    assert amentor("check", "-p", str(project)).code == 0
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("attendance: 97.4", "attendance: 104", "terms.autumn.attitude.attendance: 104 is outside 0..100"),
        (  # a spreadsheet's fraction, pasted: shown as persistent absence, in red
            "attendance: 97.4",
            "attendance: 0.972",
            "terms.autumn.attitude.attendance: 0.972 reads as 0.972%; for 97.2%, write 97.2",
        ),
        (
            "review: achieved",
            "review: done",
            "review: 'done' is not a review; expected one of: achieved, partly, not_yet",
        ),
        ("score: 104", "score: 170", "terms.autumn.assessments[0].score: 170 is outside 40..160"),
        ("score: 35", "score: 41", "terms.summer.assessments[0].score: 41 is outside 0..40"),
        ("{test: pira,", "{test: sats,", "test: 'sats' is not an assessment of the school"),
        ("date: 2025-11-18", "date: 2024-11-18", "2024-11-18 is outside the academic year (2025-09-01 to 2026-08-31)"),
        (
            "date: 2025-11-18",
            "date: 18/11/2025",
            "expected a date written YYYY-MM-DD, got '18/11/2025': write 2025-11-18",
        ),
        ("date: 2025-11-18", "date: 2026-02-30", "'2026-02-30' is written YYYY-MM-DD but is not a day of the calendar"),
        ("date: 2025-11-18", 'date: "2024-11-18"', "2024-11-18 is outside the academic year"),  # quoted: a date too
        ("  summer:", "  winter:", "terms.winter: unknown key 'winter'"),
        ("year_group: 1", "year_group: 7", "year_group: 7 is outside 1..6"),
        ("class: Robins\n", "", "'class' is required"),
        (
            "reading: {working_at: 1w, target: 1b+}",
            "reading: {working_at: 1w, target: 1b+, status: great}",
            "status: 'great' is not a status",
        ),
        (
            "      reading:\n        - {text: Read",
            "      art:\n        - {text: Read",
            "targets.art: unknown key 'art'",
        ),
        ("{kind: theme,", "{kind: poster,", "kind: 'poster' is not a kind of work of the school"),
    ],
)
def test_year_record_rules(amentor, project, old, new, expected):
    replace(project, "pupils/ada/2025-26.yml", old, new)
    errors = errors_of(amentor, project)
    assert any(e.startswith("pupils/ada/2025-26.yml:") and expected in e for e in errors), errors


def test_a_quoted_date_is_a_date(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "date: 2025-11-18", 'date: "2025-11-18"')
    assert amentor("check", "-p", str(project)).code == 0


def test_missing_work_file_is_reported_at_the_file(amentor, project):
    (project / "pupils/ada/work/2025-26/castle.pdf").unlink()
    errors = errors_of(amentor, project)
    assert errors == [
        "pupils/ada/work/2025-26/castle.pdf:1:1: missing: work file referenced by "
        "pupils/ada/2025-26.yml:37:41 (work[1].file)"
    ]
    write(project, "pupils/ada/work/2025-26/Castle.PDF", "%PDF-1.4\n")  # the name as a scanner wrote it
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and errors[0].endswith("(work[1].file) (did you mean 'Castle.PDF'?)"), errors


def test_work_file_outside_the_pupils_folder_is_refused(amentor, project):
    write(project, "pupils/ben/secret.jpg", "x")
    replace(project, "pupils/ada/2025-26.yml", "file: work/2025-26/castle.pdf", "file: ../ben/secret.jpg")
    assert any("'../ben/secret.jpg' lies outside the pupil's folder" in e for e in errors_of(amentor, project))


def test_work_file_type_is_checked(amentor, project):
    write(project, "pupils/ada/work/2025-26/castle.docx", "x")
    replace(project, "pupils/ada/2025-26.yml", "castle.pdf", "castle.docx")
    assert any(
        "is not a JPEG, PNG, WebP or PDF file (a document: save it as PDF)" in e for e in errors_of(amentor, project)
    )
    write(project, "pupils/ada/work/2025-26/castle.HEIC", "x")
    replace(project, "pupils/ada/2025-26.yml", "castle.docx", "castle.HEIC")
    assert any("(a phone's HEIC photo: export it as JPEG)" in e for e in errors_of(amentor, project))


def two_pieces_of_theme_work(project: Path) -> None:
    """Ada's Year 1 with one more piece of theme work than the school asks for (a warning)."""
    replace(
        project,
        "pupils/ada/2025-26.yml",
        "  - {kind: theme, title: Castles, file: work/2025-26/castle.pdf}",
        "  - {kind: theme, title: Castles, file: work/2025-26/castle.pdf}\n"
        "  - {kind: theme, title: Again, file: work/2025-26/castle.pdf}",
    )


def test_more_work_than_per_year_is_a_warning(amentor, project):
    two_pieces_of_theme_work(project)
    run = amentor("check", "-p", str(project))
    assert run.code == 0
    assert (
        "pupils/ada/2025-26.yml:34:1: warning: work: 2 pieces of theme work chosen; the school asks for 1 a year"
        in run.lines
    )


def test_a_kind_of_work_written_wrong_in_school_yml_is_said_there_only(amentor, project):
    """Its per_year out of range, or its label missing, is said in school.yml; the records that
    choose work of that kind are not each told it is no kind of the school's."""
    school = project / "school.yml"
    work = "work:\n  - {key: writing, label: Writing, per_year: -1}\n  - {key: theme}\n"
    school.write_text(school.read_text() + work)
    errors = errors_of(amentor, project)
    assert len(errors) == 2 and all(e.startswith("school.yml:") for e in errors), errors
    assert "work[0].per_year: -1 is outside 0..50" in errors[0] and "work[1]" in errors[1], errors


def test_warnings_are_said_beside_the_errors_of_a_project_that_fails(amentor, project):
    """Whoever fixes the errors sees the warnings too, by check and by build alike."""
    two_pieces_of_theme_work(project)
    replace(project, "pupils/ben/pupil.yml", "id: T002", "id: T001")
    warning = "pupils/ada/2025-26.yml:34:1: warning: work: 2 pieces of theme work chosen; the school asks for 1 a year"
    error = "pupils/ben/pupil.yml:1:5: id: id 'T001' is already used by pupils/ada/pupil.yml"
    for command, then in (("check", "nothing was written"), ("build", "nothing was published")):
        run = amentor(command, "-p", str(project))
        assert run.code == 1
        assert warning in run.lines and error in run.lines
        assert run.lines[-1] == f"amentor: 1 error; {then}"  # the warnings are not counted
    # A build whose records pass but whose folders fail (a theme's mistake): the warnings too.
    replace(project, "pupils/ben/pupil.yml", "id: T001", "id: T002")
    replace(project, "theme/folder/macros.html", "conversation_block", "conversation_box")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and warning in run.lines, run.err
    assert any(": template error: " in line for line in run.lines) and run.lines[-1].startswith("amentor: 1 error;")


def test_duplicate_id_is_reported_at_the_later_files_id_line(amentor, project):
    replace(project, "pupils/ben/pupil.yml", "id: T002", "id: T001")
    assert errors_of(amentor, project) == [
        "pupils/ben/pupil.yml:1:5: id: id 'T001' is already used by pupils/ada/pupil.yml"
    ]


def test_empty_file_and_badly_named_file(amentor, project):
    write(project, "pupils/ben/pupil.yml", "")
    write(project, "pupils/ada/year1.yml", "year_group: 1\n")
    errors = errors_of(amentor, project)
    assert "pupils/ben/pupil.yml:1:1: the file is empty" in errors
    assert any(e.startswith("pupils/ada/year1.yml:1:1: badly named file") for e in errors)


def test_a_year_file_named_in_capitals_is_said_not_passed_over(amentor, project):
    """2026-27.YML (a Windows tool's name) was not read at all: its year dropped without a word."""
    ben = project / "pupils/ben"
    (ben / "2026-27.yml").rename(ben / "2026-27.YML")
    (ben / "pupil.yml").rename(ben / "pupil.yaml")
    errors = errors_of(amentor, project)
    assert (
        "pupils/ben/2026-27.YML:1:1: badly named file: a file's name is read in lower case only (rename it 2026-27.yml)"
        in errors
    )
    assert (
        "pupils/ben/pupil.yaml:1:1: badly named file: the child's details are read from pupil.yml only (rename it pupil.yml)"
        in errors
    )
    # Beside the file of the right name, or with no year in it: no name that is taken, or bad, is offered.
    (ben / "pupil.yml").write_text((ben / "pupil.yaml").read_text())
    (ben / "2026-28.YML").write_text("year_group: 2\n")
    errors = errors_of(amentor, project)
    assert "pupils/ben/pupil.yaml:1:1: badly named file: pupil.yml is there too: keep one" in errors
    assert (
        "pupils/ben/2026-28.YML:1:1: badly named file: a year file is named after its academic year, like 2025-26.yml"
        in errors
    )


def test_a_record_file_put_directly_in_pupils_is_said_not_passed_over(amentor, project):
    """A pupil.yml or year file dropped into pupils/ itself, not a child's folder, was never read."""
    write(project, "pupils/pupil.yml", "id: T009\nfirst_name: Cara\nlast_name: Lowe\n")
    write(project, "pupils/README.md", "Each child has a folder here.\n")  # not a record: passed over
    assert errors_of(amentor, project) == [
        "pupils/pupil.yml:1:1: a record file directly in pupils/ is not read: a child's files go in a folder of "
        "their own, pupils/<name>/ (pupil.yml and one file a year)"
    ]


def test_invalid_yaml_is_located(amentor, project):
    write(project, "pupils/ben/pupil.yml", "id: T002\nfirst_name: [Ben\n")
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and errors[0].startswith("pupils/ben/pupil.yml:") and "not valid YAML" in errors[0]


GUARDIANS = "id: T002\nfirst_name: Ben\nlast_name: Zoller\nguardians:\n"
YAML_MISTAKES = [  # (pupil.yml, what is said where): each cause as it is, never a false one
    ("id: T002\nfirst_name: Ben\n\tlast_name: Zoller\n", "3:1: not valid YAML: a tab character; indent with"),
    ('id: T002\nfirst_name: "Ben\nlast_name: Zoller\n', "2:13: not valid YAML: this quoted text is never closed"),
    ("id: T002\nfirst_name: Ben: Benedikt\nlast_name: Zoller\n", "2:16: not valid YAML: a ': ' where none can be"),
    ("id: T002\nfirst_name: Ben\n last_name: Zoller\n", "3:11: not valid YAML: a ': ' where none can be"),
    (  # pasted from Word: the text looks quoted
        "id: T002\nfirst_name: ‘Ben: the second’\n",
        "2:17: not valid YAML: a ': ' where none can be: ‘ ’ and “ ” (curly quotes, as Word types them) are not quotes",
    ),
    ("id: T002\nleft:\n  date: 2026-10-01\n reason: moved\n", "4:2: not valid YAML: this line is not indented like"),
    ("id: T002\nfirst_name: 'Ben's'\n", "2:18: not valid YAML: unexpected text after a value: text holding"),
    ('id: T002\nfirst_name: "Ben" Bo\n', "2:19: not valid YAML: unexpected text after a value: text holding"),
    (GUARDIANS + "  - {key: mum label: Mrs Zoller}\n", "5:20: not valid YAML: unexpected text in this mapping in { }"),
    (GUARDIANS + '  - {key: mum, label: "Mrs" Zoller}\n', "5:29: not valid YAML: unexpected text in this mapping"),
    (GUARDIANS + "  - {key: mum, label: Mrs Zoller\n", "5:5: not valid YAML: this mapping in { } is not closed"),
    (GUARDIANS + "  - {key: mum, label: Mrs Zoller\nleft: null\n", "5:5: not valid YAML: this mapping in { } is not"),
    (GUARDIANS + '  - {key: mum,\n     label: "Mrs "Z" Zoller"}\n', "6:19: not valid YAML: unexpected text in this"),
    ("id:T002\nfirst_name: Ben\n", "1:3: not valid YAML: a ':' with no space after it (write 'id: T002')"),
    ("id: T002\nfirst_name: Ben\nlast_name:Zoller\n", "3:10: not valid YAML: a ':' with no space after it (write"),
    ("id: T002\nfirst_name:Ben   # typo\n\nlast_name: Zoller\n", "2:11: not valid YAML: a ':' with no space after it"),
    # a `word:word` that is not the cause is not blamed (inside quotes, in | text):
    ('id: T002\nfirst_name: "Ben\n  mailto:ben@x.uk"\nlast_name: Zo: ller\n', "4:14: not valid YAML: a ': ' where"),
    ("id: T002\nfirst_name: |\n  See:log\nlast_name: Zo: ller\n", "4:14: not valid YAML: a ': ' where none can be"),
    # said by YAML on the line after the one at fault, in its own words ("could not find expected ':'"):
    (
        GUARDIANS + "  - {key: mum, label: Mrs Zoller}\n  {key: dad, label: Mr Zoller}\n",
        "6:3: not valid YAML: a list entry without its '- '",
    ),
    ("id: T002\nfirst_name:\u00a0Ben\nlast_name: Zoller\n", "2:12: not valid YAML: a non-breaking space after ':'"),
    (
        GUARDIANS + "  - key: mum\n    label: Mrs\n    Zoller\n",
        "7:5: not valid YAML: this line is neither 'key: value' nor",
    ),
    (
        GUARDIANS + "  - {key: mum, label: Mrs Zoller #2}\n",
        "5:34: not valid YAML: a ' #' starts a comment, which hides",
    ),
]


@pytest.mark.parametrize("text, said", YAML_MISTAKES)
def test_a_yaml_mistake_is_said_in_words_a_teacher_can_act_on(amentor, project, text, said):
    write(project, "pupils/ben/pupil.yml", text)
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and errors[0].startswith(f"pupils/ben/pupil.yml:{said}"), errors


def test_a_comma_inside_braces_that_split_a_text_says_so(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "{text: Count in twos to 20,", "{text: Count in twos, then fives,")
    errors = errors_of(amentor, project)
    assert any(
        "unknown key 'then fives' (text holding ', ' inside { } must be in quotes); expected one of: review, text" in e
        for e in errors
    ), errors


def test_a_glued_colon_inside_braces_is_said_with_its_fix(amentor, project):
    replace(
        project, "pupils/ada/2025-26.yml", "{text: Count in twos to 20, review: partly}", "{text: Count, review:partly}"
    )
    errors = errors_of(amentor, project)
    assert any(
        "unknown key 'review:partly' (a ':' with no space after it: write 'review: partly')" in e for e in errors
    )


def test_a_key_with_a_space_outside_braces_gets_no_hint_about_braces(amentor, project):
    replace(
        project, "pupils/ada/2025-26.yml", "      punctuality: green", "      punctuality: green\n      good manners:"
    )
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and "unknown key 'good manners'; expected one of" in errors[0], errors


def test_years_must_be_consecutive_and_not_in_the_future(amentor, project):
    (project / "pupils/ada/2026-27.yml").rename(project / "pupils/ada/2027-28.yml")
    errors = errors_of(amentor, project)
    assert "pupils/ada/2027-28.yml:1:1: 2027-28 is later than the school's current_year 2026-27" in errors


def test_a_gap_between_years_is_an_error(amentor, project):
    write(project, "pupils/ada/2023-24.yml", "year_group: 1\nclass: Robins\n")
    replace(project, "pupils/ada/2025-26.yml", "year_group: 1", "year_group: 3")
    replace(project, "pupils/ada/2026-27.yml", "year_group: 2", "year_group: 4")
    errors = errors_of(amentor, project)
    assert errors == [
        "pupils/ada/2025-26.yml:1:1: years must be consecutive: 2023-24 is followed by 2025-26 (missing 2024-25.yml)"
    ]


@pytest.mark.parametrize(
    ("written", "said"),
    [("year_group: three\nclass: Robins\n", "1:13: year_group:"), ("year_group: [\n", "2:1: not valid YAML")],
)
def test_a_year_file_that_cannot_be_read_is_said_once_not_as_missing(amentor, project, written, said):
    # The file is there: a data lead told it is "missing" might make it again.
    write(project, "pupils/ada/2024-25.yml", "year_group: 1\nclass: Robins\n")
    replace(project, "pupils/ada/2025-26.yml", "year_group: 1", "year_group: 2")
    replace(project, "pupils/ada/2026-27.yml", "year_group: 2", "year_group: 3")
    assert amentor("check", "-p", str(project)).code == 0
    (project / "pupils/ada/2025-26.yml").write_text(written, encoding="utf-8")
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and errors[0].startswith(f"pupils/ada/2025-26.yml:{said}"), errors


def test_year_group_must_rise_by_exactly_one(amentor, project):
    replace(project, "pupils/ada/2026-27.yml", "year_group: 2", "year_group: 1")
    assert errors_of(amentor, project) == [
        "pupils/ada/2026-27.yml:1:13: year_group: Year 1 follows Year 1 in 2025-26: year_group must go up by exactly one"
    ]


def test_school_rules(amentor, project):
    replace(project, "school.yml", "current_year: 2026-27", "current_year: 2026-28")
    replace(project, "school.yml", "kind: mark, max: 40, pass: 32", "kind: mark")
    replace(project, "school.yml", "exceeding: blue", "exceeding: pink")
    replace(project, "school.yml", "scope: {class: Wrens}", "scope: everyone")
    errors = errors_of(amentor, project)
    assert "school.yml:2:15: current_year: '2026-28' is not an academic year label like 2026-27" in errors
    assert "school.yml:7:5: assessments[1]: 'max' is required for kind: mark" in errors
    assert (
        "school.yml:4:81: colours.exceeding: 'pink' is not a colour; expected one of: red, yellow, green, blue, purple"
        in errors
    )
    assert "school.yml:11:53: staff[1].scope: expected 'all' or {class: NAME}" in errors


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("scale: [1b, 1b+, 1w, 1w+, 1s, 1s+, 2b, 2b+, 2w, 2w+, 2s, 2s+]\n", "", "school.yml:1:1: 'scale' is required"),
        (
            "scale: [1b, 1b+, 1w, 1w+, 1s, 1s+, 2b, 2b+, 2w, 2w+, 2s, 2s+]",
            "scale:",
            "school.yml:3:7: scale: 'scale' is",
        ),
        ("current_year: 2026-27\n", "", "school.yml:1:1: 'current_year' is required"),
    ],
)
def test_a_school_yml_without_its_scale_or_year_is_said_once(amentor, project, old, new, said):
    """A missing scale stopped check and build with a traceback (every record's step was looked
    up in an empty scale); a missing current_year said each year file was later than ''."""
    replace(project, "school.yml", old, new)
    for command in ("check", "build"):
        run = amentor(command, "-p", str(project))
        assert run.code == 1 and "Traceback" not in run.err, run.err
        located = [line for line in run.lines if re.match(r"^[^:]+:\d+:\d+: ", line)]
        assert len(located) == 1 and located[0].startswith(said), run.err
    assert not (project / "site").exists()


def test_names_of_the_class_sheets_columns_hold_no_dot(amentor, project):
    # `R.E.` as a subject passed check and build, then stopped `sheet export` with a traceback;
    # an assessment key `y4.mtc` exported a column its import then refused.
    replace(
        project,
        "school.yml",
        "current_year: 2026-27",
        "current_year: 2026-27\nsubjects: [reading, writing, maths, R.E.]",
    )
    replace(project, "school.yml", "{key: pira,", "{key: pira.2,")
    errors = errors_of(amentor, project)
    assert (
        "school.yml:3:37: subjects[3]: 'R.E.' may not hold a '.': the class sheet's columns are named by it (write 'RE')"
        in errors
    ), errors
    assert any(e.startswith("school.yml:7:11: assessments[0].key: 'pira.2' may not hold a '.'") for e in errors), errors


def test_missing_school_yml(amentor, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p/mkdocs.yml").write_text("site_name: x\n")
    run = amentor("logins", "list", "-p", str(tmp_path / "p"))  # a plain mkdocs site is no school project
    said = "is missing: no school project here (name one with -p DIR, or make one with 'amentor init DIR')"
    assert run.code == 1 and run.lines[0] == f"school.yml:1:1: school.yml {said}"
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["mkdocs.yml"]  # nothing made there


@pytest.mark.parametrize("command", [["check"], ["build"], ["serve"], ["logins", "list"], ["sheet", "import", "x.csv"]])
def test_a_folder_that_is_no_school_project_is_said_so_and_nothing_is_made_in_it(amentor, tmp_path, command):
    folder = tmp_path / "downloads"
    folder.mkdir()
    run = amentor(*command, "-p", str(folder))
    said = "is missing: no school project here (name one with -p DIR, or make one with 'amentor init DIR')"
    assert run.code == 1 and run.lines[:2] == [
        f"mkdocs.yml:1:1: mkdocs.yml {said}",
        f"school.yml:1:1: school.yml {said}",
    ]
    assert list(folder.iterdir()) == []  # no .amentor/, no lock, no site


@pytest.mark.parametrize("command", [["check"], ["build"], ["logins", "list"]])
def test_a_folder_inside_a_school_project_names_the_project(amentor, project, monkeypatch, command):
    # Run from pupils/ada after editing a record there: the command works on the folder it is
    # run in (as mkdocs' do), and says where the project is.
    monkeypatch.chdir(project / "pupils" / "ada")
    run = amentor(*command)
    assert run.code == 1 and run.lines[0] == (
        f"school.yml:1:1: school.yml is missing: no school project here (this directory is inside the school "
        f"project {project.resolve()}: run the command there, or name it with -p {project.resolve()})"
    ), run.err
    assert run.lines[1:] == ["amentor: 1 error; nothing was written"]
    assert not (project / "pupils" / "ada" / ".amentor").exists() and not (project / "site").exists()


def test_check_reads_mkdocs_yml_as_mkdocs_does(amentor, project):
    # What mkdocs would stop a build for is an error of check too (a check that passes, a build
    # passes: a school's CI gate); what mkdocs only warns of, a warning.
    mkdocs_yml = project / "mkdocs.yml"
    good = mkdocs_yml.read_text()
    assert "plugins: [amentor]" in good
    mkdocs_yml.write_text(good.replace("plugins: [amentor]", "plugins: [search]"))
    run = amentor("check", "-p", str(project))
    assert run.code == 1 and "mkdocs.yml:1:1: a build stops here: plugins: must include 'amentor'" in run.err
    assert amentor("build", "-p", str(project)).code == 1  # as said
    mkdocs_yml.write_text(good + "nav:\n  - Home: index.md\n - Guide: guide.md\n")  # one space short
    said = [line for line in amentor("check", "-p", str(project)).lines if line.startswith("mkdocs.yml:")]
    assert len(said) == 1 and ": a build stops here: MkDocs encountered an error" in said[0], said
    assert not said[0].startswith("mkdocs.yml:1:1:")  # at the line YAML names
    mkdocs_yml.write_text(good + "site_auther: Ms Patel\n")
    run = amentor("check", "-p", str(project))
    at = len(good.splitlines()) + 1  # the line of the misspelt key
    assert run.code == 0 and f"mkdocs.yml:{at}:1: warning: Config value 'site_auther': Unrecognised" in run.err
    mkdocs_yml.write_text(good + "use_directory_urls: maybe\n")  # a key written twice: YAML keeps the last
    run = amentor("check", "-p", str(project))
    at = len(good.splitlines()) + 1
    assert run.code == 1, run.err
    assert f"mkdocs.yml:{at}:1: a build stops here: Config value 'use_directory_urls'" in run.err, run.err


def test_check_warns_that_the_folders_do_not_follow_a_custom_dir_other_than_theme(amentor, project):
    mkdocs_yml = project / "mkdocs.yml"
    good = mkdocs_yml.read_text()
    assert "custom_dir" not in amentor("check", "-p", str(project)).err  # theme/, as SPEC has it
    (project / "theme").rename(project / "mytheme")
    mkdocs_yml.write_text(good.replace("custom_dir: theme", "custom_dir: mytheme"))
    run = amentor("check", "-p", str(project))
    at = next(
        f"{n}:{line.index('custom_dir') + 1}" for n, line in enumerate(good.splitlines(), 1) if "custom_dir" in line
    )
    assert (
        run.code == 0
        and (
            f"mkdocs.yml:{at}: warning: theme: custom_dir is mytheme/, but the folders, the staff area and the "
            "letters are made from theme/"
        )
        in run.err
    ), run.err


def test_check_warns_that_amentor_build_does_not_publish_to_another_site_dir(amentor, project):
    """mkdocs.yml's site_dir is where `mkdocs build` writes; `amentor build` publishes to site/
    (SPEC) unless given -d: a host serving site_dir would keep an old site, unsaid."""
    mkdocs_yml = project / "mkdocs.yml"
    assert "site_dir" not in amentor("check", "-p", str(project)).err
    mkdocs_yml.write_text(mkdocs_yml.read_text() + "site_dir: public\n")
    run = amentor("check", "-p", str(project))
    at = len(mkdocs_yml.read_text().splitlines())
    said = (
        f"mkdocs.yml:{at}:1: warning: site_dir is public/, where `mkdocs build` writes, but `amentor build` publishes"
    )
    assert run.code == 0 and said in run.err and f"run `amentor build -d {project / 'public'}`" in run.err, run.err


def test_check_lists_every_kind_of_error_at_once(amentor, project):
    # A bad record does not hide a damaged work file, nor a missing mkdocs.yml.
    replace(project, "pupils/ada/2025-26.yml", "effort: yellow", "effort: orange")
    (project / "pupils/ada/work/2025-26/castle.pdf").write_bytes(b"random bytes, not a PDF")
    (project / "mkdocs.yml").unlink()
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    errors = errors_of(amentor, project)
    assert [e.split(": ")[0] for e in errors] == [
        "mkdocs.yml:1:1",
        "pupils/ada/2025-26.yml:14:15",
        "pupils/ada/work/2025-26/castle.pdf:1:1",
    ], errors
    assert "'orange'" in errors[1] and "not a PDF" in errors[2]
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before  # check writes nothing


def test_bom_crlf_and_nfc_are_accepted(amentor, project):
    text = (project / "pupils/ben/pupil.yml").read_text(encoding="utf-8")
    text = text.replace("Zoller", "Zo\u0308ller")  # decomposed ö
    (project / "pupils/ben/pupil.yml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert amentor("check", "-p", str(project)).code == 0
    from amentor_build.records import load as load_project

    ben = next(p for p in load_project(project).pupils if p.slug == "ben")
    assert ben.last_name == "Z\u00f6ller"


def test_non_utf8_file_is_an_error(amentor, project):
    (project / "pupils/ben/pupil.yml").write_bytes("id: T002\nfirst_name: Zo\u00eb\n".encode("latin-1"))
    # At the character, with the fix: an editor's "ANSI" (Windows-1252) is the usual cause.
    said = "pupils/ben/pupil.yml:2:15: not UTF-8 text (invalid continuation byte); save the file as UTF-8"
    assert said in errors_of(amentor, project)


def test_missing_project_dir_is_a_usage_error(amentor, tmp_path):
    run = amentor("check", "-p", str(tmp_path / "nope"))
    assert run.code == 2 and "no such project directory" in run.err


def test_the_project_may_be_named_before_the_command_too(amentor, project, tmp_path):
    # `amentor -p DIR check`, as git's -C: it was "invalid choice: 'DIR'", the command unknown.
    assert amentor("-p", str(project), "check").code == 0
    assert amentor("--project", str(project), "logins", "list").code == 0
    run = amentor("-p", str(project), "check", "-p", str(tmp_path / "nope"))
    assert run.code == 2 and "name the project once" in run.err
    assert amentor("-p", str(project), "check", "-p", str(project)).code == 0
    run = amentor("check", "-p", str(project), "-p", str(tmp_path))  # twice after it: it ran on the second
    assert run.code == 2 and "name the project once" in run.err
    run = amentor("-p", str(project), "init", str(tmp_path / "new"))
    assert run.code == 2 and "init makes a new project" in run.err and not (tmp_path / "new").exists()


def test_unknown_option_is_a_usage_error(amentor, project):
    assert amentor("build", "--frobnicate").code == 2


def test_an_unknown_option_is_said_with_the_usage_of_its_command(amentor, project):
    # It was the top level's usage (`amentor [-h] [--version] COMMAND ...`), which names no option.
    run = amentor("logins", "issue", "--pupl", "T001", "-p", str(project))
    assert run.code == 2 and run.err.startswith("usage: amentor logins issue [-h] [--pupil ID]"), run.err
    assert run.err.splitlines()[-1] == "amentor logins issue: error: unrecognized arguments: --pupl T001"
    run = amentor("check", "--frobnicate", "-p", str(project))
    assert run.code == 2 and run.err.startswith("usage: amentor check [-h] [-p DIR]"), run.err


@pytest.mark.parametrize(
    ("command", "begins"),
    [
        (("logins", "revoke"), "usage: amentor logins revoke (--pupil ID --guardian KEY | --staff KEY) [-p DIR]"),
        (("pupil", "add"), "usage: amentor pupil add (--id ID --first-name F --last-name L --class CLASS"),
        (("rollover",), "usage: amentor rollover [-h] --to YYYY-YY"),
        (("sheet", "export"), "usage: amentor sheet export [-h] --class CLASS"),
        (("freeze",), "usage: amentor freeze [-h]"),
    ],
)
def test_every_commands_help_says_what_it_does_in_spec_grammar(capsys, command, begins):
    """Each command's and action's own --help begins with its usage, as SPEC writes its grammar
    where argparse cannot (one of two sets of options), then says what it does."""
    from amentor_build.cli import main

    with pytest.raises(SystemExit) as exit:
        main([*command, "--help"])
    said = capsys.readouterr().out
    assert exit.value.code == 0 and said.startswith(begins), said
    assert said.split("\n\n")[1].strip(), said  # its description, under the usage


def test_sheet_export_takes_output_as_export_does(amentor, project, tmp_path):
    run = amentor("sheet", "export", "--class", "Wrens", "--output", str(tmp_path / "w.csv"), "-p", str(project))
    assert run.code == 0 and (tmp_path / "w.csv").is_file(), run.err


def test_a_key_written_twice_is_an_error_at_its_second_line(amentor, project):
    """spring pasted over as a second autumn must not silently replace the real autumn."""
    write(
        project,
        "pupils/ben/2026-27.yml",
        "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    staff_notes: real\n  autumn:\n    staff_notes: pasted\n",
    )
    assert errors_of(amentor, project) == [
        "pupils/ben/2026-27.yml:6:3: 'autumn' is written twice in this mapping (first at line 4); "
        "a key may appear only once"
    ]
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\nclass: Robins\n")
    assert errors_of(amentor, project)[0].startswith("pupils/ben/2026-27.yml:3:1: 'class' is written twice")


def test_a_file_that_cannot_be_used_whole_hides_no_other_problem(amentor, project):
    """SPEC 3: every problem, not just the first. A key written twice is said and the rest of the
    file still checked (the first is read); a pupil.yml that cannot be read at all leaves the
    child's year files still checked; a mark test whose max is wrong in school.yml is said there
    once, not again as every score of it 'outside 0..0'."""
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nyear_group: 2\nclass: Wrens\nteacher: [1, 2]\n")
    (project / "pupils/ada/pupil.yml").write_bytes("id: T001\nfirst_name: Adaëze\n".encode("latin-1"))
    replace(project, "pupils/ada/2026-27.yml", "reading: {working_at: 2b,", "reading: {working_at: 9z,")
    replace(project, "school.yml", "kind: mark, max: 40, pass: 32", "kind: mark, pass: 32")
    errors = errors_of(amentor, project)
    assert [e.split(": ")[0] for e in errors] == [
        "pupils/ada/2026-27.yml:7:29",  # her year file still checked ...
        "pupils/ada/pupil.yml:2:16",  # ... beside her pupil.yml, not UTF-8
        "pupils/ben/2026-27.yml:2:1",  # year_group twice ...
        "pupils/ben/2026-27.yml:4:10",  # ... and the rest of the file still checked
        "school.yml:7:5",  # the mark test without its max; nothing of Ada's phonics score (2025-26.yml)
    ], errors
    assert "'9z' is not a step" in errors[0] and "not UTF-8" in errors[1]
    assert "'year_group' is written twice in this mapping (first at line 1)" in errors[2]
    assert "teacher: expected text, got a list" in errors[3] and "'max' is required" in errors[4]


def test_text_stays_exactly_as_typed(amentor, project):
    """An admission number with a leading zero, a class called NO, a time: text, not numbers."""
    from amentor_build import records

    write(project, "pupils/ben/pupil.yml", "id: 012345\nfirst_name: NO\nlast_name: '1:30'\npreferred_name: 1:30\n")
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: NO\n")
    assert amentor("check", "-p", str(project)).code == 0
    ben = next(p for p in records.load(project).pupils if p.slug == "ben")
    assert (ben.id, ben.first_name, ben.preferred_name, ben.years[0].class_name) == ("012345", "NO", "1:30", "NO")
    write(project, "pupils/ben/2026-27.yml", "year_group: 0o2\nclass: Wrens\n")
    assert "year_group: expected a whole number from 1 to 6, got '0o2'" in errors_of(amentor, project)[0]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("castle.pdf", b"random bytes, not a PDF", "not a PDF"),
        ("recount.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "cannot read this image"),  # a truncated JPEG
        ("recount.jpg", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "not a JPEG image"),  # a HEIC named .jpg
    ],
)
def test_check_finds_what_build_finds(amentor, project, name, data, message):
    (project / "pupils/ada/work/2025-26" / name).write_bytes(data)
    check = amentor("check", "-p", str(project))
    build = amentor("build", "-p", str(project))
    for run in (check, build):
        assert run.code == 1 and f"pupils/ada/work/2025-26/{name}:1:1: " in run.err and message in run.err, run.err
        assert "BytesIO" not in run.err


def test_a_gif_renamed_png_is_refused(amentor, project):
    from PIL import Image

    Image.new("RGB", (20, 20)).save(project / "pupils/ada/work/2025-26/anim.png", "GIF")
    replace(project, "pupils/ada/2025-26.yml", "file: work/2025-26/recount.jpg", "file: work/2025-26/anim.png")
    run = amentor("check", "-p", str(project))
    assert run.code == 1 and "anim.png:1:1: not a PNG image" in run.err


def test_check_reads_the_other_work_files_of_a_child_with_one_missing(amentor, project):
    (project / "pupils/ada/work/2025-26/recount.jpg").unlink()
    (project / "pupils/ada/work/2025-26/castle.pdf").write_bytes(b"random bytes, not a PDF")
    errors = errors_of(amentor, project)
    assert any(e.startswith("pupils/ada/work/2025-26/recount.jpg:1:1: missing") for e in errors), errors
    assert any(e.startswith("pupils/ada/work/2025-26/castle.pdf:1:1: not a PDF") for e in errors), errors


def test_two_files_for_one_year_are_an_error(amentor, project):
    copy = project / "pupils/ada/2025-26.yaml"
    copy.write_text((project / "pupils/ada/2025-26.yml").read_text().replace("year_group: 1", "year_group: 9"))
    assert errors_of(amentor, project) == [
        "pupils/ada/2025-26.yaml:1:1: a second file for 2025-26, beside 2025-26.yml: keep one"
    ]


@pytest.mark.parametrize(
    ("width", "height", "said"), [(10_000, 9_500, "is 10000 × 9500 pixels"), (15_000, 12_500, "is over 178 megapixels")]
)
def test_a_picture_over_pillows_limit_is_said_in_amentors_words_only(project, width, height, said):
    # Pillow warns of an image over 89 megapixels as it opens it, and refuses one over twice that,
    # in words about attacks: a scan at too high a resolution is one line of amentor's, no more.
    from PIL import Image

    Image.new("1", (width, height)).save(project / "pupils/ada/work/2025-26/recount.png")  # a few KiB
    year = project / "pupils/ada/2025-26.yml"
    year.write_text(year.read_text(encoding="utf-8").replace("recount.jpg", "recount.png"), encoding="utf-8")
    for command in ("check", "build"):
        run = run_cli(command, "-p", str(project))
        assert run.code == 1, run.err
        errors = [line for line in run.lines if ": warning: " not in line]  # (the fixture's short work)
        assert errors[0].startswith(
            f"pupils/ada/work/2025-26/recount.png:1:1: the image {said}; the most amentor shows"
        ), run.err
        assert all(said_by_amentor(line) for line in run.lines), run.err


def test_problems_are_said_in_reading_order_column_aa_after_z():
    from amentor_build.errors import Problem

    found = [Problem("s.csv", 1, "AF", "a"), Problem("s.csv", 1, "X", "b"), Problem("s.csv", 1, "AJ", "c")]
    assert [p.column for p in sorted(found)] == ["X", "AF", "AJ"]
    assert [p.column for p in sorted([Problem("a.yml", 3, 12, "x"), Problem("a.yml", 3, 9, "y")])] == [9, 12]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (
            "**Much** more reading",
            "text starting with '*' must be in quotes: write went_well: \"**Much** more reading\"",
        ),
        ("@home every night", "text starting with '@' must be in quotes: write went_well: \"@home every night\""),
        ("- more reading", "text starting with '-' must be in quotes: write went_well: \"- more reading\""),
        ("> more reading", "text starting with '>' must be in quotes"),
        ("[Much] more reading", "text starting with '[' must be in quotes"),
    ],
)
def test_unquoted_text_that_yaml_reads_as_something_else_is_said_with_its_fix(amentor, project, value, said):
    # Markdown and everyday writing start a sentence with characters YAML keeps for itself: the
    # error is at the value, in words, with the line to write (not PyYAML's own wording).
    year = project / "pupils/ada/2025-26.yml"
    text = year.read_text(encoding="utf-8")
    line = text[: text.index("went_well:")].count("\n") + 1
    year.write_text(text.replace("went_well: Lots of **reading** at home.", f"went_well: {value}"), encoding="utf-8")
    errors = errors_of(amentor, project)
    assert len(errors) == 1 and errors[0].startswith(f"pupils/ada/2025-26.yml:{line}:18: not valid YAML: {said}"), (
        errors
    )


def test_text_yaml_would_drop_is_refused_or_warned(amentor, project):
    # '&Co' is an anchor's name to YAML, and dropped: refused. After ' #', text is a comment and
    # dropped: warned (a comment written as one, '# like this', is not).
    year = project / "pupils/ada/2025-26.yml"
    text = year.read_text(encoding="utf-8")
    line = text[: text.index("went_well:")].count("\n") + 1
    year.write_text(
        text.replace("went_well: Lots of **reading** at home.", "went_well: &Co read well"), encoding="utf-8"
    )
    assert (
        f"pupils/ada/2025-26.yml:{line}:18: text starting with '&' must be in quotes: YAML reads '&Co' as a name, and drops it"
        in errors_of(amentor, project)
    )
    year.write_text(
        text.replace("went_well: Lots of **reading** at home.", "went_well: Read book #3 of the series").replace(
            "next_steps: Practise the 'ai' sound.", "next_steps: Practise the 'ai' sound.  # from the phonics check"
        ),
        encoding="utf-8",
    )
    run = amentor("check", "-p", str(project))
    assert run.code == 0, run.err
    dropped = [line for line in run.lines if "YAML comment" in line]
    assert dropped == [
        f"pupils/ada/2025-26.yml:{line}:28: warning: '#3 of the series' is read as a YAML comment and not kept "
        "(the value is 'Read book'): put the whole text in quotes to keep it"
    ], run.err


def test_paths_are_said_as_they_are(amentor, tmp_path):
    # The next step after init pastes into a shell whatever the folder's name; a file named with
    # -p is said to be a file, not missing.
    import shlex

    target = tmp_path / "St Mary's school"
    run = amentor("init", str(target))
    assert run.code == 0, run.err
    cd = next(line for line in run.out.splitlines() if line.strip().startswith("cd "))
    assert shlex.split(cd.strip()) == ["cd", str(target)]
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    run = amentor("check", "-p", str(tmp_path / "notes.txt"))
    said = f"amentor: {tmp_path / 'notes.txt'} is a file, not a project directory"
    assert run.code == 2 and run.lines == ["usage: amentor check [-h] [-p DIR]", said]  # with its usage, as argparse's


@pytest.mark.parametrize(
    "last_name, said",
    [
        (
            "Null",
            "last_name: 'last_name' is required; YAML reads Null as nothing: for the text, write it in quotes, \"Null\"",
        ),
        (
            "True",
            "last_name: expected text, got 'true'; YAML reads True as yes or no: for the text, write it in quotes, \"True\"",
        ),
    ],
)
def test_a_surname_yaml_reads_as_something_else_is_said_with_its_fix(amentor, project, last_name, said):
    replace(project, "pupils/ben/pupil.yml", "last_name: Zoller", f"last_name: {last_name}")
    assert errors_of(amentor, project) == [f"pupils/ben/pupil.yml:3:12: {said}"]


def test_pasted_characters_no_one_can_see_are_named_or_forgiven(amentor, project):
    # A zero-width space in a colour, copied from a web page: named, since the value and the
    # suggestion look the same on screen. A non-breaking space after a score: no one means it.
    replace(project, "pupils/ada/2025-26.yml", "punctuality: green", "punctuality: gr\u200been")
    replace(project, "pupils/ada/2025-26.yml", "score: 104", "score: 104\u00a0")
    (error,) = errors_of(amentor, project)
    assert "'gr[ZERO WIDTH SPACE]een' is not a colour (did you mean 'green'?)" in error, error


def test_text_in_a_word_processors_quotes_is_said_to_need_straight_ones(amentor, project):
    replace(project, "pupils/ada/2025-26.yml", "{text: Count in twos to 20,", "{text: “Count in twos, then fives”,")
    (error,) = errors_of(amentor, project)
    assert "must be in quotes: straight ones, \" or ', not “ ”)" in error, error


def test_a_work_file_named_with_a_decomposed_accent_is_found(amentor, project):
    """A Mac (or a zip made on one) writes `Écrit` as E and a combining accent; the records,
    NFC-normalised, name the same file: it is found, checked and shown."""
    import unicodedata

    name = unicodedata.normalize("NFD", "Écrit.jpg")
    (project / "pupils/ada/work/2025-26/recount.jpg").rename(project / "pupils/ada/work/2025-26" / name)
    replace(project, "pupils/ada/2025-26.yml", "work/2025-26/recount.jpg", "work/2025-26/Écrit.jpg")
    check = amentor("check", "-p", str(project))
    assert check.code == 0 and "missing" not in check.err, check.err
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err


@pytest.mark.parametrize(
    "target",
    ['{text: "Count in twos #2", review: partly', "{text: Count in twos, review: partly  # ask Mrs P"],
)
def test_a_hash_that_hides_nothing_is_not_blamed_for_a_missing_brace(amentor, project, target):
    replace(project, "pupils/ada/2025-26.yml", "{text: Count in twos to 20, review: partly}", target)
    (error,) = errors_of(amentor, project)
    assert "this mapping in { } is not closed (a missing '}')" in error, error


def test_percent_bands_are_applied_best_colour_first_and_swapped_bounds_are_warned_of(amentor, project):
    # SPEC: `>= green` is green, `>= yellow` yellow. Written the wrong way round, yellow could never be given.
    replace(project, "school.yml", "assessments:\n", attitude_with("{green: 90, yellow: 96}") + "assessments:\n")
    run = amentor("check", "-p", str(project))
    assert run.code == 0, run.err
    assert (
        "school.yml:6:77: warning: attitude[0].percent_bands.yellow: yellow is never given: every percentage "
        "from 90 is green already; give the better colour the higher bound" in run.lines
    ), run.err


def test_unusable_percent_bands_are_said_once_and_the_records_percentages_stay_percentages(amentor, project):
    # Every band refused once made attendance a colour area: each child's 97.4 was then "not a colour".
    replace(project, "school.yml", "assessments:\n", attitude_with("{green: 960, amber: 80}") + "assessments:\n")
    errors = errors_of(amentor, project)
    assert all(e.startswith("school.yml:6:") for e in errors), errors
    assert len(errors) == 2, errors  # 960 out of range; amber no colour
    replace(project, "school.yml", "{green: 960, amber: 80}", "{}")
    assert errors_of(amentor, project) == [
        "school.yml:6:57: attitude[0].percent_bands: give at least one band, such as {green: 96, yellow: 90}"
    ]


def attitude_with(bands: str) -> str:
    """school.yml's attitude areas (those the test records use), attendance's bands as given."""
    areas = "".join(f"  - {{key: {a.key}, label: {a.label}}}\n" for a in DEFAULT_ATTITUDE if a.key != "attendance")
    return f"attitude:\n  - {{key: attendance, label: Attendance, percent_bands: {bands}}}\n{areas}"


def test_check_warns_of_a_work_file_of_this_year_that_no_record_names(amentor, project):
    """A photo copied into the child's folder and the record not written (or saved half-written):
    the family never sees it. Hidden files and what Windows leaves are not work; neither is a
    finished year, nor the folder of a child who has left."""
    work_image(project / "pupils/ada/work/2026-27/IMG_1.JPG")
    write(project, "pupils/ada/work/2026-27/.DS_Store", "x")
    write(project, "pupils/ada/work/2026-27/Thumbs.db", "x")
    work_image(project / "pupils/ada/work/2025-26/spare.jpg")  # a finished year's: history
    work_image(project / "pupils/ada/work/2026-27/story.jpg")  # named, in a path of its own way
    year = project / "pupils/ada/2026-27.yml"
    year.write_text(year.read_text() + "work:\n  - {kind: writing, title: A story, file: ./work/2026-27/story.jpg}\n")
    run = amentor("check", "-p", str(project))
    assert run.code == 0
    assert [line for line in run.lines if "in no record" in line] == [
        "pupils/ada/work/2026-27/IMG_1.JPG:1:1: warning: in no record: add it to the work of 2026-27.yml to show "
        "it in the folder, or delete it"
    ], run.err
