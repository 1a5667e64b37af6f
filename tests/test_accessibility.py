"""axe-core (WCAG 2.0 to 2.2, levels A and AA) on every kind of page a family or a teacher
meets, at phone and desktop sizes, and in the dark colours a phone asks for at night, in real
Chromium: zero violations (contrast included)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import add_cleo, issue, log_in

pytestmark = pytest.mark.browser

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
FOLDER_PAGES = ["overview", "year-1", "targets", "assessments", "conversations", "progress", "work"]


# axe does not judge an SVG's marks: each point and band line of a chart must stand out from the
# page by 3:1 at least (WCAG 1.4.11), by its fill or by an outline.
FAINT_MARKS = """() => {
  const lum = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = getComputedStyle(document.querySelector('.folder-main')).backgroundColor;
  const marks = [...document.querySelectorAll('svg.chart .chart-dot, svg.chart .chart-band')];
  const faint = marks.map((mark) => {
    const style = getComputedStyle(mark);
    const fill = style.fill.startsWith('rgb') ? ratio(style.fill, page) : 0;
    const stroke = style.stroke.startsWith('rgb') && parseFloat(style.strokeWidth) >= 1 ? ratio(style.stroke, page) : 0;
    return [mark.getAttribute('class'), Math.max(fill, stroke).toFixed(2)];
  }).filter(([, best]) => best < 3);
  return {marks: marks.length, faint};
}"""


def violations(page) -> list[tuple[str, list]]:
    found = Axe().run(page, options=RULES).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]


@pytest.fixture
def site(amentor, project, serve_site):
    add_cleo(project)
    logins = issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    return {(x["pupil"], x["guardian"], x["staff"]): x for x in logins}, serve_site(project / "site")


@pytest.mark.parametrize(
    ("size", "scheme"),
    [((390, 844), "light"), ((1280, 900), "light"), ((390, 844), "dark")],
    ids=["phone", "desktop", "phone-dark"],
)
def test_every_kind_of_page_has_no_accessibility_violation(browser, site, size, scheme):
    logins, base = site
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base + "index.html")
    assert violations(page) == [], "home page"
    page.goto(base + "colour-key.html")  # chips in the public pages too
    assert page.locator(".chip").count() >= 9
    assert violations(page) == [], "colour key"
    mum = logins[("T001", "mum", None)]
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    for name in FOLDER_PAGES:
        page.goto(base + mum["url"] + "#" + name)
        page.wait_for_selector(f"#folder[data-page={name}]")
        assert violations(page) == [], name
        if name == "progress":
            found = page.evaluate(FAINT_MARKS)
            assert found["marks"] >= 3 and found["faint"] == [], found
    assert page.evaluate("getComputedStyle(document.body).colorScheme") == ("dark" if scheme == "dark" else "normal")
    page.emulate_media(media="print")  # printed, a folder is black on white whatever the screen asks
    printed = page.evaluate("[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]")
    assert printed == ["rgb(29, 35, 48)", "rgb(255, 255, 255)"], printed
    context.close()
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    page = context.new_page()
    head = logins[(None, None, "head")]
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector("table.overview")
    assert violations(page) == [], "staff overview"
    page.locator(".summary button.count").first.click()  # a count naming its children
    page.locator(".summary-who li").first.wait_for()
    assert violations(page) == [], "whole-school count opened"
    page.goto(base + logins[("T001", "mum", None)]["url"] + "#year-1")  # a child's page with its staff notes
    page.wait_for_selector(".staff-notes .notes-print")
    assert violations(page) == [], "staff notes"
    context.close()
