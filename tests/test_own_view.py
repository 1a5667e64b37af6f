"""SPEC section 8: the scale's meaning, and the child's own view, in the records, the folder and the sheet."""

from __future__ import annotations

import csv

from conftest import page, write

from amentor_build.records import parse_school
from amentor_build.render import guide

SCALE = """\
scale:
  - {step: 1b, means: "Year 1, beginning"}
  - 1b+
  - {step: 1w, means: "Year 1, working within"}
  - 1w+
  - 1s
  - 1s+
  - {step: 2b, means: "Year 2, beginning"}
  - 2b+
  - 2w
  - 2w+
  - 2s
  - 2s+
scale_guide: |
  **b** beginning, **w** working within, **s** secure.
"""


def with_meanings(project):
    text = (project / "school.yml").read_text()
    line = next(x for x in text.splitlines() if x.startswith("scale: ["))
    (project / "school.yml").write_text(text.replace(line + "\n", SCALE))


def test_steps_show_what_they_mean_in_the_folder_and_the_guide(amentor, project):
    with_meanings(project)
    assert amentor("build", "-p", str(project)).code == 0
    year = page(project, "T001", "year-1")
    assert '1w <span class="step-means">Year 1, working within</span>' in year
    assert "(Year 1, beginning)" in page(project, "T001", "progress")  # charts too
    guide = (project / "site/guide.html").read_text()
    assert "<strong>b</strong> beginning" in guide and "Year 2, beginning" in guide


def test_the_childs_own_colours_beside_the_teachers(amentor, project):
    text = (project / "pupils/ben/2026-27.yml").read_text()
    text = text.replace("maths: {working_at: 1s, target: 2b}", "maths: {working_at: 1s, target: 2b, self: green}")
    text += "    attitude:\n      behaviour: green\n    attitude_self:\n      behaviour: yellow\n"
    write(project, "pupils/ben/2026-27.yml", text)
    assert amentor("build", "-p", str(project)).code == 0
    overview = page(project, "T002", "overview")
    assert "Benedikt's own view" in overview
    assert (
        '<span class="chip chip-yellow"><span class="chip-icon" aria-hidden="true">▲</span> Needs to improve</span>'
        in overview
    )
    # Their own view of maths in the words of attainment (green is on target here), not of attitude
    own = overview[overview.index('<th scope="row">Maths</th>') :].split("</tr>")[0]
    assert own.endswith(
        '<span class="chip chip-green"><span class="chip-icon" aria-hidden="true">●</span> On target</span></td>'
    ), own
    write(project, "pupils/ben/2026-27.yml", text.replace("self: green", "self: grene"))
    run = amentor("check", "-p", str(project))
    assert run.code == 1 and "attainment.maths.self: 'grene' is not a colour" in run.err


def test_the_childs_own_colour_shared_by_two_statuses_says_both(amentor, project):
    """With SPEC's default colours (on target and exceeding both green), a child's own green for
    maths is "On target or exceeding", words the folder's key explains, not attitude's "Good"; a
    colour no status has is warned of where the record gives it."""
    school = (project / "school.yml").read_text()
    write(project, "school.yml", school.replace("exceeding: blue}", "exceeding: green}"))
    text = (project / "pupils/ben/2026-27.yml").read_text()
    mine = text.replace("maths: {working_at: 1s, target: 2b}", "maths: {working_at: 1s, target: 2b, self: green}")
    write(project, "pupils/ben/2026-27.yml", mine)
    assert amentor("build", "-p", str(project)).code == 0
    own = row_of(page(project, "T002", "overview"), "Maths")
    assert own.endswith(
        '<span class="chip chip-green"><span class="chip-icon" aria-hidden="true">●</span> On target or exceeding</span></td>'
    ), own
    write(project, "pupils/ben/2026-27.yml", mine.replace("self: green", "self: purple"))
    # A finished year's (frozen once rolled over: it cannot be given another) is not warned of.
    ada = (project / "pupils/ada/2025-26.yml").read_text()
    write(
        project,
        "pupils/ada/2025-26.yml",
        ada.replace("maths: {working_at: 1b+, target: 1w+}", "maths: {working_at: 1b+, target: 1w+, self: purple}"),
    )
    run = amentor("check", "-p", str(project))
    assert run.code == 0, run.err
    assert (
        "2026-27.yml:" in run.err
        and "attainment.maths.self: purple is the colour of no status in school.yml (colours: red, yellow, green)"
        in run.err
    ), run.err
    assert run.err.count("is the colour of no status") == 1, run.err


def bens_overview_with(amentor, project, attitude: str) -> str:
    """Ben's overview, built with these attitude lines of the teacher's and his own blue for effort."""
    text = (project / "pupils/ben/2026-27.yml").read_text()
    text += f"    attitude:\n      {attitude}\n    attitude_self:\n      effort: blue\n"
    write(project, "pupils/ben/2026-27.yml", text)
    assert amentor("build", "-p", str(project)).code == 0
    return page(project, "T002", "overview")


def row_of(html: str, label: str) -> str:
    """The row of a form's table headed by label."""
    return html[html.index(f'<th scope="row">{label}</th>') :].split("</tr>")[0]


def test_attendance_has_no_own_view_to_be_missing(amentor, project):
    # Attendance is the school's measure, never the child's view: its cell in the own-view column
    # is empty, where an area the child could have judged says "Not given".
    overview = bens_overview_with(amentor, project, "behaviour: green\n      attendance: 97.2")
    row = row_of(overview, "Attendance")
    assert "97.2%" in row and row.endswith("<td></td>"), row
    behaviour = row_of(overview, "Behaviour")
    assert behaviour.endswith('<td><span class="muted">Not given</span></td>'), behaviour


def test_the_childs_own_colour_for_an_area_the_teacher_left_blank_is_shown(amentor, project):
    overview = bens_overview_with(amentor, project, "behaviour: green")
    row = row_of(overview, "Effort")
    assert '<span class="muted">Not given</span>' in row and "chip-blue" in row


def test_the_childs_view_in_the_sheet(amentor, project, tmp_path):
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(project)).code == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert "maths.self" in header and "attitude_self.behaviour" in header
    ben = next(r for r in rows if r[2] == "T002")
    ben[header.index("maths.self")] = "blue"
    ben[header.index("attitude_self.effort")] = "green"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert amentor("sheet", "import", str(sheet), "-p", str(project)).code == 0
    text = (project / "pupils/ben/2026-27.yml").read_text()
    assert "self: blue" in text and "attitude_self:\n      effort: green" in text
    assert amentor("check", "-p", str(project)).code == 0


def test_the_colour_key_says_what_the_schools_own_settings_make_the_folders_show(amentor, project):
    text = (project / "school.yml").read_text()
    text = text.replace("exceeding: blue}", "exceeding: green}\nstatus: {exceeding: 2, nearly_there: -2}")
    text += "attitude:\n  - {key: attendance, label: Attendance, percent_bands: {green: 95, yellow: 92}}\n"
    for area in ("punctuality", "behaviour", "effort", "reading_homework", "uniform"):
        text += f"  - {{key: {area}, label: {area.replace('_', ' ').capitalize()}}}\n"
    write(project, "school.yml", text)
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    key = " ".join((project / "site/colour-key.html").read_text().split())
    assert "amentor:colours" not in key  # the starter's colour key holds the marker
    chip = '<span class="chip chip-{}"><span class="chip-icon" aria-hidden="true">{}</span> {}</span>'
    rows = [
        (chip.format("green", "★", "Exceeding"), "Working two steps or more above the target"),
        (chip.format("green", "●", "On target"), "Working at the target, or up to one step above it"),
        (chip.format("yellow", "▲", "Nearly there"), "Up to two steps below the target"),
        (chip.format("red", "✕", "Not on track"), "More than two steps below the target"),
    ]
    for colour, meaning in rows:
        assert f"<td>{colour}</td> <td>{meaning}</td>" in key, (colour, key)
    assert "Each area (punctuality, behaviour, effort, reading homework, uniform) gets one of these colours" in key
    for percent, colour in [
        ("95% or more", chip.format("green", "●", "Good")),
        ("92% to under 95%", chip.format("yellow", "▲", "Needs to improve")),
        ("90% to under 92%", chip.format("red", "✕", "Causing concern")),
        ("Under 90%", chip.format("red", "✕", "Persistent absence (under 90%)")),
    ]:
        assert f"<td>{percent}</td> <td>{colour}</td>" in key, (percent, key)


def test_a_colour_key_with_every_area_a_percentage_and_a_band_at_100():
    school = parse_school(
        b"name: S\ncurrent_year: 2026-27\nscale: [a, b, c]\n"
        b"attitude:\n  - {key: attendance, label: Attendance, percent_bands: {purple: 100, green: 95}}\n"
        b"  - {key: homework, label: Homework handed in, percent_bands: {green: 80}}\n",
        [],
    )
    assert school is not None
    key = guide.colours_markdown(school)
    assert "Attitude to learning" not in key and "Each area" not in key  # no area takes a colour
    assert "| 100% | " in key and "| 95% to under 100% |" in key and "| 90% to under 95% |" in key
    assert "## Homework handed in" in key and "| 80% or more |" in key and "| Under 80% |" in key
    assert "persistent absence" not in key.split("## Homework handed in")[1].lower()  # attendance's line only


def test_a_folders_overview_says_what_its_colours_mean_and_links_to_the_schools_guide(amentor, project):
    """A family new to Assertive Mentoring meets "Not on track" on the overview: the folder says
    what each colour means (the school's own thresholds) and where the guide for parents is, for
    as long as the school publishes one."""
    text = (project / "school.yml").read_text()
    write(
        project,
        "school.yml",
        text.replace("exceeding: blue}", "exceeding: green}\nstatus: {exceeding: 2, nearly_there: -2}"),
    )
    assert amentor("build", "-p", str(project)).code == 0
    overview = " ".join(page(project, "T001", "overview").split())
    key = overview[overview.index('<section class="colour-key"') :]
    assert "<caption>Attainment (reading, writing, maths)</caption>" in key
    assert "Exceeding</span></th><td>Working two steps or more above the target</td>" in key
    assert "Not on track</span></th><td>More than two steps below the target</td>" in key
    assert "Attitude to learning (punctuality, behaviour, effort, reading homework, uniform)," in key
    attendance = key[key.index("<caption>Attendance</caption>") :]  # the bands, and the persistent-absence line
    assert '<th scope="row">96% or more</th><td><span class="chip chip-green">' in attendance
    assert '<th scope="row">Under 90%</th><td><span class="chip chip-red">' in attendance
    assert "Persistent absence (under 90%)" in attendance
    assert "talk to Ada's teacher" in key
    assert '<a href="../../guide.html">guide for parents</a>' in key
    assert '<a href="../../colour-key.html">colour key</a>' in key

    (project / "content/guide.md").unlink()  # a school that keeps no guide: no link to a missing page
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    overview = page(project, "T001", "overview")
    assert "guide.html" not in overview and "guide for parents" not in overview
    assert '<a href="../../colour-key.html">colour key</a> says more about every colour.' in overview

    mkdocs = (project / "mkdocs.yml").read_text()
    write(project, "mkdocs.yml", mkdocs.replace("use_directory_urls: false", "use_directory_urls: true"))
    assert amentor("build", "-p", str(project)).code == 0
    assert '<a href="../../colour-key/index.html">colour key</a>' in page(project, "T001", "overview")

    assert amentor("pupil", "leave", "T001", "--date", "2027-03-27", "--reason", "moved", "-p", str(project)).code == 0
    assert amentor("build", "-p", str(project)).code == 0  # a child who has left: no teacher to talk to
    overview = page(project, "T001", "overview")
    assert "What the colours mean" in overview and "talk to Ada's teacher" not in overview
