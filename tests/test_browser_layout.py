"""SPEC section 5, "works on a phone screen and in print": a realistically full folder in real
headless Chromium never scrolls sideways at 320, 360 or 390 px, and a Year page prints one
term's form per A4 page, the child's name on the first with the first form; printed, the
Conversations page sets each term's heading clear of the term before."""

from __future__ import annotations

import io
import re

import pytest
from conftest import SCHOOL, issue, log_in, write
from pypdf import PdfReader

pytestmark = pytest.mark.browser

# The starter school's scale: long step names whose meanings are shown under each step.
SCALE = "scale:\n" + "".join(
    f'  - {{step: Y{year}-{level}, means: "Year {year}, {words}"}}\n'
    for year in (1, 2, 3)
    for level, words in (
        ("WTS", "working towards the expected standard"),
        ("EXS", "working at the expected standard"),
        ("GDS", "working at greater depth"),
    )
)
ASSESSMENTS = """\
assessments:
  - {key: pira, label: PiRA reading, subject: reading, kind: standardised}
  - {key: puma, label: PUMA maths, subject: maths, kind: standardised}
  - {key: phonics, label: Phonics screening check, kind: mark, max: 40, pass: 32}
  - {key: mtc, label: Multiplication tables check, kind: mark, max: 25}
"""

TARGETS = {
    "reading": [
        "Retell a story in my own words, in the right order, with the main events",
        "Find the meaning of a new word from the sentences around it",
        "Read aloud with expression, pausing at full stops and commas",
    ],
    "writing": [
        "Use 'because', 'so' and 'although' to join two ideas in one sentence",
        "Check every sentence starts with a capital letter and ends with a full stop",
        "Use inverted commas to show what a character says",
    ],
    "maths": [
        "Know number bonds to 20 and use them to add and subtract quickly",
        "Count forwards and backwards in twos, fives and tens from any number",
        "Tell the time to the nearest five minutes on an analogue clock",
    ],
}
CONVERSATION = {
    "went_well": "Much neater handwriting this term, and a **kind, patient partner** in group reading.",
    "pupil_voice": "I like reading chapter books at bedtime but I find fractions tricky and I rush my writing.",
    "barriers": "Tiredness on Monday mornings; finds it hard to settle after lunch when the class is noisy.",
    "next_steps": "Slow down and reread each sentence; practise number bonds every day for five minutes.",
    # a web address is one long word: a phone's page must wrap it, not scroll sideways
    "at_home": "Read together each day; play https://www.bbc.co.uk/bitesize/topics/zwv39j6/articles/z3wnrj6-bonds",
}


def full_term(working: tuple[str, str, str], target: str, attendance: float, date: str) -> str:
    """One term as a teacher fills it in completely: every part, the child's own colours too."""
    subjects = ("reading", "writing", "maths")
    lines = ["    attainment:"]
    for subject, step, own in zip(subjects, working, ("green", "yellow", "blue"), strict=True):
        lines.append(f"      {subject}: {{working_at: {step}, target: {target}, self: {own}}}")
    lines.append("    attitude:")
    lines.append(f"      attendance: {attendance}")
    for area, colour in zip(
        ("punctuality", "behaviour", "effort", "reading_homework", "uniform"),
        ("green", "yellow", "blue", "red", "green"),
        strict=True,
    ):
        lines.append(f"      {area}: {colour}")
    lines.append("    attitude_self:")
    for area in ("behaviour", "effort", "reading_homework"):
        lines.append(f"      {area}: yellow")
    lines.append("    targets:")
    for subject in subjects:
        lines.append(f"      {subject}:")
        for text, review in zip(TARGETS[subject], ("achieved", "partly", "not_yet"), strict=True):
            lines.append(f'        - {{text: "{text}", review: {review}}}')
    lines.append("    assessments:")
    lines += ["      - {test: pira, score: 96}", "      - {test: puma, score: 108}", "      - {test: mtc, score: 21}"]
    lines.append("    conversation:")
    lines.append(f"      date: {date}")
    lines += [f'      {key}: "{text}"' for key, text in CONVERSATION.items()]
    lines.append("    staff_notes: Phonics group B; check the hearing test result with the office.")
    return "\n".join(lines) + "\n"


YEAR_1 = (
    "year_group: 1\nclass: Robins\nteacher: Mrs Patel-Hargreaves\nterms:\n"
    + "  autumn:\n"
    + full_term(("Y1-WTS", "Y1-EXS", "Y1-GDS"), "Y1-EXS", 89.5, "2025-11-18")
    + "  spring:\n"
    + full_term(("Y1-EXS", "Y1-WTS", "Y1-GDS"), "Y1-EXS", 94.2, "2026-03-17")
    + "  summer:\n"
    + full_term(("Y1-GDS", "Y1-EXS", "Y1-WTS"), "Y1-EXS", 97.4, "2026-07-07")
    + "work:\n  - {kind: writing, title: My holiday recount, file: work/2025-26/recount.jpg}\n"
)
YEAR_2 = "year_group: 2\nclass: Wrens\nteacher: Mr Hughes\nterms:\n  autumn:\n" + full_term(
    ("Y2-WTS", "Y2-EXS", "Y2-GDS"), "Y2-EXS", 92.0, "2026-11-20"
)
BEN_YEAR_2 = (
    "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    attainment:\n"
    "      maths: {working_at: Y2-WTS, target: Y2-EXS}\n"
)


@pytest.fixture
def full_folder(amentor, project, serve_site):
    """The tiny school with Ada's folder as full as a real one: two years, four complete terms."""
    school = SCHOOL.replace(next(x for x in SCHOOL.splitlines(True) if x.startswith("scale:")), SCALE)
    school = school.replace(school[school.index("assessments:") : school.index("staff:")], ASSESSMENTS)
    write(project, "school.yml", school)
    write(project, "pupils/ada/2025-26.yml", YEAR_1)
    write(project, "pupils/ada/2026-27.yml", YEAR_2)
    write(project, "pupils/ben/2026-27.yml", BEN_YEAR_2)
    ben = project / "pupils/ben/pupil.yml"  # a name longer than a small phone is wide, in one word
    ben.write_text(ben.read_text().replace("last_name: Zoller", "last_name: Zollervenkatasubramaniam"))
    logins = {(x["pupil"], x["guardian"], x["staff"]): x for x in issue(amentor, project)}
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    return logins, serve_site(project / "site")


SIDEWAYS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const cut = [...document.querySelectorAll('.chip')]
    .filter((chip) => chip.getBoundingClientRect().right > width || chip.scrollWidth > chip.clientWidth)
    .map((chip) => chip.textContent.trim());
  // A table may scroll inside its own box where it truly cannot fit; a full folder's all fit.
  const boxes = [...document.querySelectorAll('.form-grid, .chart-figure')]
    .filter((box) => box.scrollWidth > box.clientWidth).map((box) => box.className);
  // A status in a four-column term form: on one line from 360 px ("✕ Not on track"), not a word a line.
  const statuses = [...document.querySelectorAll('.attainment:not(:has(thead th:nth-child(5))) .chip')];
  const broken = statuses.filter((chip) => chip.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(chip).lineHeight))
    .map((chip) => chip.textContent.trim());
  return {scroll: root.scrollWidth, client: width, cut, boxes, statuses: statuses.length, broken};
}"""


STAFF_CARDS = """() => ({
  scrolls: [...document.querySelectorAll('#folder section')].filter((s) => s.scrollWidth > s.clientWidth)
    .map((s) => s.className),
  roles: [...document.querySelectorAll('table.overview tbody tr:first-child > *')].map((c) => c.getAttribute('role')),
  labels: [...document.querySelectorAll('table.overview tbody tr:first-child td')]
    .map((td) => getComputedStyle(td, '::before').content.split(' / ')[0].replace(/"/g, '')),
})"""


def folder_pages(page) -> list[str]:
    """The names of every page in the open folder, from its own menu."""
    return page.eval_on_selector_all("nav.folder-nav a", "links => links.map(a => a.hash.slice(1))")


def assert_no_page_scrolls_sideways(page, base: str, url: str, where: str, one_line: bool = False) -> None:
    """Every page of the open folder fits the window's width, and no chip runs off its edge;
    one_line: each status of a four-column term form stays on one line."""
    names = folder_pages(page)
    assert "progress" in names and "year-1" in names and "year-2" in names
    statuses = 0
    for name in names:
        page.goto(f"{base}{url}#{name}")
        page.wait_for_selector(f"#folder[data-page={name}]")
        found = page.evaluate(SIDEWAYS)
        assert found["scroll"] <= found["client"], f"{where} {name}: {found}"
        assert found["cut"] == [], f"{where} {name}: chips cut off {found['cut']}"
        assert found["boxes"] == [], f"{where} {name}: a table scrolls in {found['boxes']}"
        if one_line:
            assert found["broken"] == [], f"{where} {name}: a status wraps: {found['broken']}"
            statuses += found["statuses"]
    assert statuses > 0 or not one_line, f"{where}: no four-column term form was seen"


@pytest.mark.parametrize("width", [260, 320, 360, 390])  # 260: 390 px showing text at 150 %
def test_no_page_of_a_full_folder_scrolls_sideways_on_a_phone(browser, full_folder, width):
    logins, base = full_folder
    mum = logins[("T001", "mum", None)]
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    assert_no_page_scrolls_sideways(page, base, mum["url"], f"family at {width} px")
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    carer = logins[("T002", "carer", None)]
    log_in(page, base, carer["code"], carer["password"])
    page.wait_for_selector("h1.child-name")
    # Ben's form has no own view: four columns, where a status stays on one line from 360 px
    assert_no_page_scrolls_sideways(page, base, carer["url"], f"a long name at {width} px", one_line=width >= 360)
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    head = logins[(None, None, "head")]
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector(".staff-list")
    found = page.evaluate(SIDEWAYS)
    assert found["scroll"] <= found["client"], f"staff overview at {width} px: {found}"
    # Each child a card, every value beside its column's name; and no table scrolls inside its box.
    # Its table roles said outright: a screen reader that drops a table laid out as cards keeps them.
    assert page.evaluate(STAFF_CARDS) == {
        "scrolls": [],
        "roles": ["rowheader"] + ["cell"] * 5,
        "labels": ["Class", "Reading", "Writing", "Maths", "Attendance"],
    }
    page.click(".staff-list a >> text=Ada Quennell")
    page.wait_for_selector(".staff-notes")  # the staff view: its notes are in the forms too
    assert_no_page_scrolls_sideways(page, base, mum["url"], f"staff at {width} px")
    context.close()


CHART_LABELS = """() => [...document.querySelectorAll('svg.chart')].map((svg) => {
  const view = svg.viewBox.baseVal;
  const boxes = [...svg.querySelectorAll('text')].map((t) => ({text: t.textContent, box: t.getBBox()}));
  const outside = boxes.filter(({box}) => box.x < 0 || box.y < 0
    || box.x + box.width > view.width || box.y + box.height > view.height).map(({text}) => text);
  const overlap = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.box.x < b.box.x + b.box.width && b.box.x < a.box.x + a.box.width
        && a.box.y < b.box.y + b.box.height && b.box.y < a.box.y + a.box.height) overlap.push([a.text, b.text]);
  }));
  return {labels: boxes.length, outside, overlap};
})"""


def test_every_label_of_a_chart_is_whole_and_clear_of_the_others(browser, full_folder):
    # The starter school's step names (Y1-GDS) are wider than a fixed margin held; the
    # attendance bands' words ("90%: persistent absence line") ran off the right edge.
    page = family_page(browser, full_folder, "progress")
    charts = page.evaluate(CHART_LABELS)
    assert len(charts) == 4  # reading, writing, maths, attendance
    for chart in charts:
        assert chart["labels"] >= 4 and chart["outside"] == [] and chart["overlap"] == [], chart
    # The bands' key is the page's text under the chart, not drawn in it to shrink with it (7 px on a
    # 320 px phone): as large as the page's text, and whole.
    key = page.locator(".chart-key li")
    assert "90%: persistent absence line" in key.all_inner_texts()
    assert float(key.last.evaluate("(item) => parseFloat(getComputedStyle(item).fontSize)")) >= 14
    page.close()


HALF_TERMS = ("autumn_1", "autumn_2", "spring_1", "spring_2", "summer_1", "summer_2")


def test_a_long_history_in_half_terms_keeps_every_chart_label_whole_and_clear(amentor, project, serve_site, browser):
    # Eighteen half-terms, a child who climbed twelve steps, and a school's long last step name:
    # the labels along the bottom and up the side thin out instead of piling up.
    steps = [f"Y{y}-{level}" for y in range(1, 4) for level in ("WTS", "EXS", "GDS")]
    steps += ["Y4-WTS", "Y4-EXS", "Y4 greater depth, and reading widely for pleasure"]
    school = SCHOOL.replace(next(x for x in SCHOOL.splitlines(True) if x.startswith("scale:")), f"scale: {steps}\n")
    write(project, "school.yml", school.replace("current_year:", f"terms: {list(HALF_TERMS)}\ncurrent_year:"))
    for old in ("pupils/ada/2025-26.yml", "pupils/ada/2026-27.yml", "pupils/ben/2026-27.yml"):
        (project / old).unlink(missing_ok=True)
    for group, year in enumerate(("2024-25", "2025-26", "2026-27"), start=1):
        lines = [f"year_group: {group}", "class: Wrens", "terms:"]
        for i, term in enumerate(HALF_TERMS):
            step = steps[min(len(steps) - 1, (group - 1) * 4 + i * 2 // 3)]
            lines += [f"  {term}:", "    attainment:", f"      reading: {{working_at: '{step}', target: '{step}'}}"]
            lines += ["    attitude:", f"      attendance: {91 + i}"]
        write(project, f"pupils/ada/{year}.yml", "\n".join(lines) + "\n")
    write(project, "pupils/ben/2026-27.yml", BEN_YEAR_2.replace("autumn:", "autumn_1:"))
    logins = {(x["pupil"], x["guardian"], x["staff"]): x for x in issue(amentor, project)}
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    page = family_page(browser, (logins, serve_site(project / "site")), "progress")
    charts = page.evaluate(CHART_LABELS)
    assert len(charts) == 2  # reading, attendance
    for chart in charts:
        assert chart["labels"] >= 6 and chart["outside"] == [] and chart["overlap"] == [], chart
    reading = page.locator("svg.chart").first.inner_html()
    assert "Aut 1 24" in reading and "Sum 2 27" in reading  # the first term and the latest (summer 2027)
    assert ">Y4 greater…<" in reading  # cut short; whole in the points' words and the table
    page.close()


A4_MM = (210, 297)
PAGE_MARGINS = """() => {
  // The print stylesheet's @page margins, in CSS pixels (a probe element converts any unit).
  const margins = {top: '0px', right: '0px', bottom: '0px', left: '0px'};
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule instanceof CSSPageRule) {
        for (const side of Object.keys(margins)) {
          margins[side] = rule.style.getPropertyValue('margin-' + side) || margins[side];
        }
      } else if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  const probe = document.createElement('div');
  document.body.append(probe);
  const px = {};
  for (const [side, value] of Object.entries(margins)) {
    probe.style.width = value;
    px[side] = probe.getBoundingClientRect().width;
  }
  probe.remove();
  return px;
}"""


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF: its page objects, checked against the page tree's own /Count."""
    objects = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert counts and max(counts) == objects, (objects, counts)
    return objects


def family_page(browser, full_folder, name: str):
    """A new browser page, logged in as Ada's mum, showing the folder page called name."""
    logins, base = full_folder
    mum = logins[("T001", "mum", None)]
    page = browser.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    page.goto(f"{base}{mum['url']}#{name}")
    page.wait_for_selector(f"#folder[data-page={name}]")
    return page


@pytest.mark.parametrize(("year", "terms"), [("year-1", 3), ("year-2", 1)])
def test_a_year_page_prints_one_full_term_form_per_a4_page(browser, full_folder, year, terms):
    page = family_page(browser, full_folder, year)
    assert page.locator(".term-form").count() == terms
    headings = page.locator(".term-form h3")
    assert not [h for h in headings.all_inner_texts() if "Ada" in h]  # on screen, under her name
    page.emulate_media(media="print")
    assert pdf_page_count(page.pdf(format="A4")) == terms
    # Printed, each form is a sheet of its own: its heading names the child.
    assert all(h.startswith("Ada Quennell · ") for h in headings.all_inner_texts()), headings.all_inner_texts()

    # The child's name and the first form share the first page: laid out at the printed width,
    # the first form ends within the first page's printable height.
    margins = page.evaluate(PAGE_MARGINS)
    mm = 96 / 25.4
    width = A4_MM[0] * mm - margins["left"] - margins["right"]
    height = A4_MM[1] * mm - margins["top"] - margins["bottom"]
    page.set_viewport_size({"width": round(width), "height": round(height)})
    # Nothing is wider than the paper (Chromium would shrink the whole page to fit, type included).
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    top = page.evaluate("() => document.querySelector('h1.child-name').getBoundingClientRect().top + scrollY")
    bottom = page.evaluate("() => document.querySelector('.term-form').getBoundingClientRect().bottom + scrollY")
    assert page.locator("h1.child-name").inner_text() == "Ada Quennell"
    assert top >= 0 and bottom <= height, (top, bottom, height)
    # ...and at a readable size: body text no smaller than 9pt (12 px).
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.term-form td')).fontSize)")
    assert size >= 12, size
    page.close()


def test_a_first_term_too_long_for_the_space_under_the_heading_starts_under_it(browser, full_folder, amentor, project):
    """A long first term (its conversation written out at length) is not pushed off the first
    sheet, which would hold the child's name and the page's heading alone: it starts under them,
    breaking between its parts, and each later term still starts a sheet of its own."""
    long = "She reads every evening with her grandmother and talks about each chapter the next day. " * 6
    year = YEAR_1
    for key in ("went_well", "pupil_voice", "barriers", "next_steps"):
        year = year.replace(CONVERSATION[key], long, 1)  # the autumn's, written first
    write(project, "pupils/ada/2025-26.yml", year)
    assert amentor("build", "-p", str(project)).code == 0
    page = family_page(browser, full_folder, "year-1")
    page.emulate_media(media="print")
    sheets = [p.extract_text() for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]
    assert "Ada Quennell" in sheets[0] and "Autumn 2025-26" in sheets[0], sheets[0]
    assert "Attainment" in sheets[0] and "Assessments" in sheets[0]  # the form's tables, and more
    starts = [next(i for i, text in enumerate(sheets) if f"· {term} 2025-26" in text) for term in ("Spring", "Summer")]
    assert starts[0] >= 1 and starts[1] == starts[0] + 1, (starts, len(sheets))
    assert all(f"· {term}" not in sheets[starts[0] - 1] for term in ("Spring", "Summer"))
    page.close()


def test_the_conversations_page_prints_each_term_clear_of_the_one_before(browser, full_folder):
    page = family_page(browser, full_folder, "conversations")
    page.emulate_media(media="print")
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('.conversation-term')].slice(1).map((term) =>
             term.querySelector('h3').getBoundingClientRect().top
             - term.previousElementSibling.getBoundingClientRect().bottom)"""
    )
    assert len(gaps) >= 2, gaps
    mm = 96 / 25.4
    assert min(gaps) >= 2.5 * mm, gaps  # a term's heading is not set against the last line above it
    page.close()


def test_a_year_6_folder_prints_its_charts_and_conversations_without_a_lonely_heading(
    browser, amentor, tmp_path, serve_site
):
    """A Year 6 child's progress page: each chart's table has a row a term (eighteen), too long
    to go with its chart on one sheet; the first chart still starts on the first sheet, under the
    page's heading, and a table goes on over the page between rows. Each mentoring conversation
    stays on one sheet, its last part ("How you can help at home") with its date."""
    from amentor_build.scaffold import write_project_files
    from amentor_build.starter import starter_dir

    school = tmp_path / "school"
    write_project_files(school, starter_dir(), "Print Primary", 1, complete_years=True, full_history=True)
    settings = (school / "school.yml").read_text(encoding="utf-8")  # each step's meaning, as the sample school's
    steps = re.search(r"^scale: \[(.*)\]$", settings, re.M)
    assert steps is not None
    meant = "".join(
        f"\n  - {{step: '{x}', means: 'Year {x[0]}, working within the year'}}" for x in steps[1].split(", ")
    )
    (school / "school.yml").write_text(settings.replace(steps[0], "scale:" + meant), encoding="utf-8")
    (family,) = [x for x in issue(amentor, school) if x["guardian"]][:1]
    assert amentor("build", "-p", str(school)).code == 0
    base = serve_site(school / "site")
    page = browser.new_page()
    log_in(page, base, family["code"], family["password"])
    page.wait_for_selector("h1.child-name")
    printed = {}
    for name in ("progress", "conversations"):
        page.goto(f"{base}{family['url']}#{name}")
        page.wait_for_selector(f"#folder[data-page={name}]")
        page.emulate_media(media="print")
        printed[name] = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(page.pdf(format="A4"))).pages]
        page.emulate_media(media="screen")
    charts = printed["progress"]
    assert page.locator("h1.child-name").inner_text() in charts[0] and "Progress charts" in charts[0]
    assert "Reading, term by term" in charts[0], charts[0]  # the first chart under the heading, not a sheet on
    sheets = printed["conversations"]
    held = [len(re.findall(r"Mentoring conversation \d{1,2} [A-Z][a-z]+ \d{4}", text)) for text in sheets]
    assert sum(held) == 18, held  # one a term, six years
    assert [text.count("How you can help at home") for text in sheets] == held, sheets
    page.close()


BEN_BEHIND = (
    "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    attainment:\n"
    "      reading: {working_at: 1w, target: 2b, status: on_target}\n"  # the teacher's own judgement
    "      writing: {working_at: 1w, target: 2b}\n      maths: {working_at: 1w, target: 2b}\n"
    "    attitude:\n      attendance: 85.0\n"
)


@pytest.mark.parametrize("width", [768, 1366])
def test_the_heads_overview_for_a_meeting_fits_says_its_term_and_prints_whole(
    amentor, project, serve_site, browser, width
):
    """A pupil-progress meeting: on a tablet or a desktop no column is cut off (attendance, last,
    is a reason for attention); the overview says which term its colours are; who needs attention
    says each child's class; a teacher's own status is said to be one; printed, the list of who
    needs attention is open, under a line saying whose list and when; and back from a child
    opened from it, the list is open or folded as it was left."""
    write(project, "pupils/ben/2026-27.yml", BEN_BEHIND)
    logins = {(x["pupil"], x["guardian"], x["staff"]): x for x in issue(amentor, project)}
    assert amentor("build", "-p", str(project)).code == 0
    base = serve_site(project / "site")
    context = browser.new_context(viewport={"width": width, "height": 1024})
    page = context.new_page()
    head = logins[(None, None, "head")]
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector(".staff-list")
    assert page.evaluate(STAFF_CARDS)["scrolls"] == []
    assert page.locator(".class-overview h2").inner_text() == "Class overview: Autumn 2026-27"
    item = page.locator(".needs-attention li", has_text="Benedikt Zoller").first.inner_text()
    assert item.startswith("Benedikt Zoller (Wrens, Year 2)"), item
    reading = page.locator("table.overview tr", has_text="Benedikt Zoller").locator("td[data-label=Reading]")
    assert "teacher's judgement" in reading.inner_text()
    assert not page.locator(".printed-on").is_visible()
    page.click(".needs-attention summary")  # folded by the head
    assert not page.locator(".needs-attention li").first.is_visible()
    page.click("table.overview a:text-is('Benedikt Zoller')")
    page.wait_for_selector("h1.child-name")
    page.go_back()
    page.wait_for_selector(".staff-list")
    assert not page.locator(".needs-attention li").first.is_visible()  # as she left it
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.locator(".needs-attention li").first.is_visible() and page.locator(".printed-on").is_visible()
    assert "printed" in page.locator(".printed-on").inner_text()
    kept = "r => getComputedStyle(r).breakInside"  # a child's row is never split between two sheets
    assert page.eval_on_selector("table.overview tbody tr", kept) == "avoid"
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    assert not page.locator(".needs-attention li").first.is_visible()  # folded again, as it was
    context.close()
