"""A school's own words, as school.yml writes them, in every page: subjects, terms, labels and
classes that are not the sample's (half-terms, acronyms, a class named "Class 3"), and a term
half entered or not entered at all."""

from __future__ import annotations

from conftest import SCHOOL, page, write

WORDS = SCHOOL.replace(
    "current_year: 2026-27\n",
    "current_year: 2026-27\nterms: [Michaelmas I, Michaelmas II, Hilary]\nsubjects: [RE, PSHE & RSE, maths]\n"
    "attitude:\n  - {key: attendance, label: Attendance, percent_bands: {green: 96, yellow: 90}}\n"
    "  - {key: pe_kit, label: PE kit}\n  - {key: effort, label: Effort}\n",
).replace(" subject: reading,", "")

CLASS_3 = """\
year_group: 2
class: Class 3
terms:
  Michaelmas I:
    attainment:
      RE: {working_at: 2b, target: 2b}
      PSHE & RSE: {working_at: 1s, target: 2b}
      maths: {working_at: 2w, target: 2b}
    attitude: {attendance: 97.0, pe_kit: green, effort: yellow}
  Michaelmas II:
    attainment:
      maths: {working_at: 2w+, target: 2w}
    attitude: {attendance: 95.0}
  Hilary: {}
"""


def words_school(project):
    write(project, "school.yml", WORDS)
    write(project, "pupils/ada/2025-26.yml", "year_group: 1\nclass: Robins\n")  # (autumn: not this school's)
    write(project, "pupils/ada/2026-27.yml", CLASS_3)
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Class 3\n")


def test_names_are_shown_as_the_school_wrote_them(amentor, project):
    words_school(project)
    assert amentor("build", "-p", str(project)).code == 0
    overview, progress, year = (page(project, "T001", name) for name in ("overview", "progress", "year-2"))
    assert '<th scope="row">RE' in overview and '<th scope="row">PSHE &amp; RSE' in overview
    assert ">Re<" not in overview + progress and "Pshe" not in overview + progress + year
    assert "Current form: Michaelmas II 2026-27" in overview and "Michaelmas ii" not in overview + year
    assert "Attitude to learning (PE kit, effort)" in overview  # a label that is a name keeps its capitals
    assert "Class 3 ·" in overview + year and "Class 3 class" not in overview + year
    # each half-term its own label along the charts' bottom, never two "Mic 26"; and the year
    # it falls in (Michaelmas 2026, then 2027 from January)
    assert ">Mic I 26<" in progress and ">Mic II 26<" in progress, progress[:2000]
    assert "<caption>RE, term by term</caption>" in progress


def test_a_half_entered_term_keeps_the_years_other_marks_with_their_term(amentor, project):
    # Michaelmas II holds maths and attendance so far: the current form keeps Michaelmas I's RE,
    # PSHE & RSE, PE kit and effort, each said to be of Michaelmas I; its own maths and attendance
    # are its own.
    words_school(project)
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') : overview.index('class="colour-key"')]
    rows = [row.split("</tr>")[0] for row in form.split('<th scope="row">')[1:]]
    carried = ' <span class="row-term">(Michaelmas I 2026-27)</span>'
    assert [row.split("</th>")[0] for row in rows] == [
        "RE" + carried,
        "PSHE &amp; RSE" + carried,
        "Maths",
        "Attendance",
        "PE kit",
        "Effort",
    ], rows
    # an area's earlier colour says its term beside the colour, the teacher's
    assert [carried in row.split("</th>")[1] for row in rows[3:]] == [False, True, True], rows
    assert "2w+" in form and "95%" in form and "97%" not in form
    year = page(project, "T001", "year-2")  # the term's own form on the year's page: its own marks only
    own = year[year.index('id="2026-27-Michaelmas-II"') : year.index('id="2026-27-Hilary"')]
    assert "row-term" not in own and "PE kit" not in own


def test_a_term_with_nothing_in_it_says_so(amentor, project):
    words_school(project)
    assert amentor("build", "-p", str(project)).code == 0
    year = page(project, "T001", "year-2")
    hilary = year[year.index('id="2026-27-Hilary"') :]
    assert "Hilary 2026-27</h3>" in hilary and "Nothing has been recorded for this term yet." in hilary
    autumn = year[year.index('id="2026-27-Michaelmas-I"') : year.index('id="2026-27-Michaelmas-II"')]
    assert "Nothing has been recorded" not in autumn


def test_terms_that_are_no_list_are_one_error_not_one_for_every_term(amentor, project):
    write(
        project, "school.yml", SCHOOL.replace("current_year: 2026-27\n", "current_year: 2026-27\nterms: Gaeaf, Haf\n")
    )
    run = amentor("check", "-p", str(project))
    assert run.code == 1
    assert [line for line in run.lines if not line.startswith("amentor:")] == [
        "school.yml:3:8: terms: expected a list, got 'Gaeaf, Haf'"
    ], run.err


def test_an_assessment_of_a_kind_misspelt_is_one_error_not_one_for_every_result(amentor, project):
    """`standardized` for standardised: said at school.yml; each record's PiRA result still names an
    assessment of the school, and its score is checked once the kind is put right."""
    write(project, "school.yml", SCHOOL.replace("kind: standardised}", "kind: standardized}"))
    run = amentor("check", "-p", str(project))
    said = [line for line in run.lines if not line.startswith("amentor:") and ": warning: " not in line]
    assert run.code == 1 and len(said) == 1, run.err
    assert said[0].startswith("school.yml:6:") and "'standardized' is not an assessment kind" in said[0], run.err


def test_revoking_for_an_id_no_login_is_held_for_says_so(amentor, project):
    from conftest import issue

    issue(amentor, project)
    run = amentor("logins", "revoke", "-p", str(project), "--pupil", "T0O1", "--guardian", "mum")  # O for 0
    assert run.code == 1
    assert "no login is held for pupil T0O1 (did you mean 'T001'?): nothing to revoke" in run.err, run.err


def test_each_piece_of_work_says_what_kind_of_work_it_is(amentor, project):
    # school.yml's work labels were said only in check's warnings; a family sees them now
    write(
        project,
        "school.yml",
        SCHOOL + "work:\n  - {key: writing, label: Writing}\n  - {key: theme, label: Topic & RE}\n",
    )
    assert amentor("build", "-p", str(project)).code == 0
    work = page(project, "T001", "work")
    assert '<p class="work-kind">Writing</p>' in work and '<p class="work-kind">Topic &amp; RE</p>' in work
    assert work.index("Topic &amp; RE") < work.index('<p class="work-title">Castles (PDF)')


def test_terms_that_differ_only_in_spaces_or_hyphens_are_an_error(amentor, project):
    # Autumn 1 and Autumn-1 would be one term in a page's addresses: one's form and notes lost
    school = SCHOOL.replace("current_year: 2026-27\n", "current_year: 2026-27\nterms: [Autumn 1, Autumn-1, Spring]\n")
    write(project, "school.yml", school)
    run = amentor("check", "-p", str(project))
    assert run.code == 1
    assert "school.yml:3:19: terms[1]: 'Autumn-1' and 'Autumn 1' differ only in spaces or hyphens" in run.err, run.err


def test_a_term_mistyped_in_another_case_is_named_as_the_school_writes_it(amentor, project):
    # haf: for the school's Haf (a short name: lower-cased on one side only, it was too far to name)
    welsh = SCHOOL.replace("current_year: 2026-27\n", "current_year: 2026-27\nterms: [Hydref, Gwanwyn, Haf]\n")
    write(project, "school.yml", welsh)
    write(project, "pupils/ada/2025-26.yml", "year_group: 1\nclass: Robins\n")
    write(
        project,
        "pupils/ada/2026-27.yml",
        "year_group: 2\nclass: Wrens\nterms:\n  haf:\n    attainment:\n      maths: {working_at: 2z, target: 2b}\n",
    )
    run = amentor("check", "-p", str(project))
    assert run.code == 1 and "(did you mean 'Haf'?)" in run.err, run.err
    assert "'2z' is not a step of the school's scale" in run.err, run.err  # what it holds is checked too


def test_a_labels_first_word_that_is_a_name_keeps_its_capitals_in_a_sentence(amentor, project):
    areas = "  - {key: y6, label: Y6 punctuality}\n  - {key: can, label: I can statements}\n  - {key: effort, label: Effort}\n"
    write(
        project,
        "school.yml",
        WORDS.replace("  - {key: pe_kit, label: PE kit}\n  - {key: effort, label: Effort}\n", areas),
    )
    write(project, "pupils/ada/2025-26.yml", "year_group: 1\nclass: Robins\n")
    write(
        project,
        "pupils/ada/2026-27.yml",
        "year_group: 2\nclass: Oak\nterms:\n  Hilary:\n    attainment:\n      maths: {working_at: 2b, target: 2b}\n",
    )
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Oak\n")
    assert amentor("build", "-p", str(project)).code == 0
    assert "Attitude to learning (Y6 punctuality, I can statements, effort)" in page(project, "T001", "overview")


def test_the_childs_own_colour_alone_keeps_the_teachers_earlier_one_beside_it(amentor, project):
    # Michaelmas II holds only the child's own effort: the form shows the teacher's of
    # Michaelmas I (said so), with the child's own of now beside it; never "Not given".
    words_school(project)
    path = project / "pupils/ada/2026-27.yml"
    path.write_text(
        path.read_text().replace(
            "    attitude: {attendance: 95.0}\n",
            "    attitude: {attendance: 95.0}\n    attitude_self: {effort: green}\n",
        )
    )
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') : overview.index('class="colour-key"')]
    effort = form[form.index('<th scope="row">Effort') :].split("</tr>")[0]
    assert "Needs to improve" in effort and "(Michaelmas I 2026-27)" in effort and "Not given" not in effort, effort
    assert effort.index("(Michaelmas I 2026-27)") < effort.index("</td><td>"), effort  # beside the teacher's
    pe_kit = form[form.index('<th scope="row">PE kit') :].split("</tr>")[0]
    assert "Good" in pe_kit and "(Michaelmas I 2026-27)" in pe_kit, pe_kit


def test_revoking_for_a_child_who_holds_no_login_names_no_other_child(amentor, project):
    from conftest import issue

    issue(amentor, project, "--pupil", "T001")  # Ben (T002) is built, his family not issued yet
    assert amentor("build", "-p", str(project)).code == 0
    run = amentor("logins", "revoke", "-p", str(project), "--pupil", "T002", "--guardian", "carer")
    assert run.code == 1 and "no login is held for pupil T002: nothing to revoke" in run.err, run.err


def test_a_schools_own_term_form_without_the_earlier_terms_marks_is_warned_of(amentor, project):
    # A term.html changed before the current form carried earlier marks would show them as the
    # term's own: check says so (amentor's own, or one that shows `since`, is not warned of).
    assert "term.html" not in amentor("check", "-p", str(project)).err
    form = project / "theme/folder/term.html"
    form.write_text(form.read_text().replace("a.since", "a.target"))
    run = amentor("check", "-p", str(project))
    assert run.code == 0 and "theme/folder/term.html:1:1: warning: this term form, the school's own" in run.err, run.err


def test_a_charts_terms_name_the_calendar_year_they_fall_in(amentor, project):
    # 2025-26's summer is the summer of 2026: "Sum 25" read as a year earlier than it was
    year = project / "pupils/ada/2025-26.yml"
    summer = "  summer:\n    attainment:\n      reading: {working_at: 1w+, target: 1w+}\n"
    year.write_text(year.read_text().replace("  summer:\n", summer, 1))
    assert amentor("build", "-p", str(project)).code == 0
    progress = page(project, "T001", "progress")
    assert ">Aut 25<" in progress and ">Sum 26<" in progress and ">Sum 25<" not in progress, progress[:3000]


def test_a_newer_attendance_figure_stands_in_the_form_that_keeps_its_results_and_conversation(amentor, project):
    # Spring holds only attendance so far: the family's form is still autumn's, with autumn's
    # test results and mentoring conversation, and spring's figure in place of autumn's (said so).
    year = project / "pupils/ada/2026-27.yml"
    autumn = (
        "    attitude: {attendance: 89.0, effort: green}\n    assessments:\n      - {test: pira, score: 104}\n"
        "    conversation:\n      went_well: Reading every night.\n"
    )
    text = year.read_text().replace("    targets:\n", autumn + "    targets:\n", 1)
    year.write_text(text + "  spring:\n    attitude: {attendance: 93.5}\n")
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T001", "overview")
    form = overview[overview.index('class="current-form"') : overview.index('class="colour-key"')]
    assert "Current form: Autumn 2026-27" in form and "PiRA reading" in form and "Reading every night." in form
    assert "<td>93.5%" in form and "(Spring 2026-27)" in form and "<td>89%" not in form, form
    assert 'data-term="2026-27-autumn"' in form  # its staff notes' place, autumn's
