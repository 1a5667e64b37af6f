"""Progress charts as inline SVG: they print, need no script, and sit inside the encrypted page.

Colour is never the only signal: each point's status is its shape too (the same shapes as
the chips: ✕ ▲ ● ★), its words are its title (read on hover, and on a tap or a key press by
amentor.js), and every chart sits beside a table of the same numbers (theme/folder/progress.html)."""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from ..judge import COLOUR_WORDS, PERSISTENT_ABSENCE, Folder, JudgedTerm
from ..model import heading

W, H, TOP, BOTTOM = 640, 300, 20, 56  # user units
LABEL = 20  # the axes' labels' size in user units (amentor.css): 12 px on a 390 px wide phone
ROW = 28  # the least distance between two labels of the y axis


@functools.lru_cache(maxsize=4096)  # points sit on a grid: a school's charts repeat the same few hundred
def marker(status: str, x: float, y: float) -> str:
    """The point's shape, as on the chips: ✕ not on track, ▲ nearly there, ● on target, ★ exceeding."""
    if status == "not_on_track":
        return f"M{x - 7:.1f},{y - 7:.1f}L{x + 7:.1f},{y + 7:.1f}M{x + 7:.1f},{y - 7:.1f}L{x - 7:.1f},{y + 7:.1f}"
    if status == "nearly_there":
        return f"M{x:.1f},{y - 9:.1f}L{x + 8:.1f},{y + 6:.1f}L{x - 8:.1f},{y + 6:.1f}Z"
    if status == "exceeding":
        points = []
        for i in range(10):
            r = 10 if i % 2 == 0 else 4.5
            a = math.pi / 2 + i * math.pi / 5
            points.append(f"{x + r * math.cos(a):.1f},{y - r * math.sin(a):.1f}")
        return "M" + "L".join(points) + "Z"
    return f"M{x - 7:.1f},{y:.1f}a7,7 0 1,0 14,0a7,7 0 1,0 -14,0"


def _terms(folder: Folder) -> list[JudgedTerm]:
    return [t for y in folder.years for t in y.terms]


@functools.cache  # a school's charts have few distinct labels (steps, terms)
def text_width(text: str, size: float) -> float:
    """About how wide a label is drawn in a sans-serif font, rather more than less: the margins
    are made from it, and a label must never be cut off at the chart's edge."""
    return size * sum(_em(c) for c in text)


def _em(c: str) -> float:
    if c in "iljI.,:;|!' ":
        return 0.32
    if c in "-()[]/":
        return 0.4
    if c in "MWmw%@" or ord(c) >= 0x2E80:  # and CJK, which is square
        return 0.95
    return 0.72 if c.isupper() else 0.62


@dataclass(frozen=True)
class Plot:
    """Where the marks go, between margins wide enough for the labels beside and below them."""

    left: float
    right: float  # the plot's right edge (both in user units)

    def x(self, i: int, n: int) -> float:
        return self.left + (self.right - self.left) * (i / max(1, n - 1) if n > 1 else 0.5)


def plot(y_labels: list[str], names: list[str]) -> Plot:
    """Room on the left for the longest label of the y axis (set 14 units clear of the first
    point's mark: see `fit`), and for half of the first term's label (centred under its point);
    on the right for half of the last term's."""
    first = text_width(names[0], LABEL) / 2 + 4
    last = text_width(names[-1], LABEL) / 2 + 4
    left = max([64.0, first] + [text_width(label, LABEL) + 22 for label in y_labels])
    return Plot(left, W - max(24.0, last))


def fit(label: str, room: float = W / 3 - 22) -> str:
    """A label of the y axis as it fits a third of the chart's width (a step name that does not
    is cut short with "…": the whole step is in each point's words and in the table below)."""
    if text_width(label, LABEL) <= room:
        return label
    while label and text_width(label + "…", LABEL) > room:
        label = label[:-1]
    word = label.rfind(" ")  # at a word's end, where that keeps most of it
    return (label[:word] if word > len(label) // 2 else label).rstrip(" ,;:-") + "…"


def labelled_steps(low: int, high: int) -> range:
    """The steps labelled up the side: evenly, as many as fit ROW units apart, from the highest
    (where a child's latest steps usually are) down."""
    room = (H - TOP - BOTTOM) // ROW
    return range(high, low - 1, -max(1, math.ceil(max(1, high - low) / room)))


ROMAN = re.compile(r"[IVX]+|[ivx]+")


def short_term(term: str) -> str:
    """A term's name as a chart's axis has room for: its first word's first three letters, and
    what numbers it among half-terms (autumn: Aut; autumn_2 or autumn2: Aut 2; Michaelmas II:
    Mic II; Summer 1st half: Sum 1st)."""
    first, *rest = re.split(r"[_\s-]+", term.strip("_- "))
    match = re.fullmatch(r"(\D+?)([0-9]+)", first)
    if match:  # autumn2
        first, rest = match[1], [match[2], *rest]
    numbers = [w for w in rest if any(c.isdigit() for c in w) or ROMAN.fullmatch(w) or len(w) == 1]
    return " ".join([heading(first[:3]), *numbers])


def short_terms(terms: Sequence[str]) -> dict[str, str]:
    """Each of a school's terms as a chart names it (short_term), so that no two read the same:
    where two would (Autumn first half, Autumn second half: Aut), each keeps its whole name."""
    short = {term: short_term(term) for term in terms}
    taken = Counter(short.values())
    return {term: name if taken[name] == 1 else heading(" ".join(term.split("_"))) for term, name in short.items()}


Axis = dict[str, tuple[str, int]]  # each of a school's terms: its short name, and 1 if after New Year


def axis(terms: Sequence[str]) -> Axis:
    """How a folder's charts name the school's terms along their bottom (worked out once a
    folder, for all its charts: short_terms, after_new_year)."""
    short, later = short_terms(terms), after_new_year(terms)
    return {term: (short[term], int(term in later)) for term in terms}


def term_names(names: Axis, terms: list[JudgedTerm]) -> list[str]:
    """The terms as the bottom of a chart names them, each with the calendar year it falls in:
    Aut 25, Spr 26, Sum 26 for 2025-26 (a parent reads "Sum 25" as the summer of 2025)."""

    def name(t: JudgedTerm) -> str:
        short, later = names.get(t.term) or (short_term(t.term), 0)
        return f"{short} {(int(t.year[:4]) + later) % 100:02d}"

    return [name(t) for t in terms]


AUTUMN = ("autumn", "michaelmas", "fall", "advent", "christmas", "hydref")  # (hydref: Welsh)
AFTER_NEW_YEAR = ("spring", "lent", "hilary", "easter", "summer", "trinity", "gwanwyn", "haf")


def after_new_year(terms: Sequence[str]) -> set[str]:
    """The school's terms that fall after New Year, in the second calendar year of their school
    year: by the name's first word where it says (spring, summer, Lent, Hilary, Trinity, ...;
    autumn, Michaelmas, ...), else by place, the first third of the terms being autumn's."""
    found = set()
    for i, term in enumerate(terms):
        word = re.split(r"[_\s\d-]+", term.strip().casefold())[0]
        if word.startswith(AFTER_NEW_YEAR) or (not word.startswith(AUTUMN) and i >= max(1, len(terms) // 3)):
            found.add(term)
    return found


def term_labels(names: list[str], at: Plot) -> dict[int, str]:
    """The terms labelled along the bottom (names: term_names), by index: evenly, as many as fit
    side by side, the first and the latest always (the latest rather than a term just before it)."""
    n = len(names)
    widest = max(text_width(name, LABEL) for name in names) + 12
    gap = (at.right - at.left) / max(1, n - 1)  # between two terms' points
    shown = list(range(0, n, max(1, math.ceil(widest / gap))))
    if shown[-1] != n - 1:
        if len(shown) > 1 and (n - 1 - shown[-1]) * gap < widest:
            shown[-1] = n - 1
        else:
            shown.append(n - 1)
    return {i: names[i] for i in shown}


def _frame(title: str, desc: str, body: list[str], names: list[str], at: Plot) -> Markup:
    """Wrap chart marks in an accessible SVG with term labels along the bottom."""
    labels = [
        f'<text class="chart-xlabel" x="{at.x(i, len(names)):.1f}" y="{H - 18}" text-anchor="middle">{escape(short)}</text>'
        for i, short in term_labels(names, at).items()
    ]
    return Markup(
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<line class="chart-axis" x1="{at.left:.1f}" y1="{H - BOTTOM}" x2="{at.right:.1f}" y2="{H - BOTTOM}"/>'
        + "".join(body)
        + "".join(labels)
        + "</svg>"
    )


def attainment_chart(folder: Folder, subject: str, names: Axis) -> Markup | None:
    """Working-at and target steps for one subject over every term so far."""
    pairs = folder.progress(subject)
    if not pairs:
        return None
    terms = [t for t, _ in pairs]
    points = [p for _, p in pairs]
    low = min(min(p.working_index, p.target_index) for p in points)
    high = max(max(p.working_index, p.target_index) for p in points)
    low, high = max(0, low - 1), min(len(folder.school.scale) - 1, high + 1)
    span = max(1, high - low)

    def y(index: int) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (index - low) / span)

    labels = {index: fit(folder.school.scale[index]) for index in labelled_steps(low, high)}
    bottom = term_names(names, terms)
    at = plot(list(labels.values()), bottom)
    body = []
    for index, label in labels.items():
        body.append(
            f'<line class="chart-grid" x1="{at.left:.1f}" x2="{at.right:.1f}" y1="{y(index):.1f}" y2="{y(index):.1f}"/>'
            f'<text class="chart-ylabel" x="{at.left - 14:.1f}" y="{y(index) + 4:.1f}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
    n = len(points)
    xs = [f"{at.x(i, n):.1f}" for i in range(n)]
    working_y = [f"{y(p.working_index):.1f}" for p in points]
    target = " ".join(f"{x},{y(p.target_index):.1f}" for x, p in zip(xs, points))
    working = " ".join(f"{x},{wy}" for x, wy in zip(xs, working_y))
    body.append(f'<polyline class="chart-target" points="{target}"/>')
    body.append(f'<polyline class="chart-line" points="{working}"/>')
    for i, (x, wy, t, p) in enumerate(zip(xs, working_y, terms, points)):
        said = (
            f"{t.title}: working at {_step(p.working_at, p.working_means)}, target "
            f"{_step(p.target, p.target_means)}: {p.signal.words}"
        )
        said = escape(said)
        body.append(
            f'<path class="chart-dot dot-{p.signal.colour} shape-{p.status}" d="{marker(p.status, float(x), float(wy))}" '
            f'tabindex="{_stop(i)}" data-say="{said}"><title>{said}</title></path>'
        )
    desc = "; ".join(
        f"{t.title}: {_step(p.working_at, p.working_means)} (target {_step(p.target, p.target_means)})"
        for t, p in pairs
    )
    return _frame(f"{heading(subject)}: working at and target", desc, body, bottom, at)


def _stop(index: int) -> str:
    """A point's tabindex: a chart is one stop of the Tab key (its first point), and the arrow
    keys move between its points (amentor.js, wireCharts), as in any list of choices."""
    return "0" if index == 0 else "-1"


def _step(step: str, means: str) -> str:
    """A step with what it means, where the school says."""
    return f"{step} ({means})" if means else step


def attendance_chart(folder: Folder, names: Axis) -> Markup | None:
    """Attendance percentage per term, with the school's bands drawn behind it."""
    terms = [t for t in _terms(folder) if t.attendance is not None]
    if not terms:
        return None
    area = next((a for a in folder.school.attitude if a.key == "attendance"), None)
    low = min(80.0, min(t.attendance or 0 for t in terms))

    def y(value: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (value - low) / (100 - low))

    values = (low, (low + 100) / 2, 100)
    bottom = term_names(names, terms)
    at = plot([f"{value:.0f}%" for value in values], bottom)
    body, bands = [], []
    for colour, bound in area.percent_bands if area else ():
        if bound >= low:
            label = f"{bound:g}%: " + (
                "persistent absence line" if bound == PERSISTENT_ABSENCE else COLOUR_WORDS[colour].lower()
            )
            body.append(
                f'<line class="chart-band band-{colour}" x1="{at.left:.1f}" x2="{at.right:.1f}" '
                f'y1="{y(bound):.1f}" y2="{y(bound):.1f}"/>'
            )
            bands.append((colour, label))
    for value in values:
        body.append(
            f'<text class="chart-ylabel" x="{at.left - 14:.1f}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.0f}%</text>'
        )
    n = len(terms)
    body.append(
        '<polyline class="chart-line" points="'
        + " ".join(f"{at.x(i, n):.1f},{y(t.attendance or 0):.1f}" for i, t in enumerate(terms))
        + '"/>'
    )
    for i, t in enumerate(terms):
        found = next((a for a in t.attitude if a.key == "attendance"), None)
        said = escape(f"{t.title}: {t.attendance:g}%" + (f": {found.signal.words}" if found and found.signal else ""))
        body.append(
            f'<circle class="chart-dot" cx="{at.x(i, n):.1f}" cy="{y(t.attendance or 0):.1f}" r="6" tabindex="{_stop(i)}" '
            f'data-say="{said}"><title>{said}</title></circle>'
        )
    desc = "; ".join(f"{t.title}: {t.attendance:g}%" for t in terms)
    return _frame("Attendance by term", desc, body, bottom, at) + key(bands)


def key(bands: list[tuple[str, str]]) -> Markup:
    """The bands' key, under the chart in the page's own text (drawn inside the chart, it shrank
    with it: 7 px on a 320 px phone), each band's line in its colour, then its words."""
    if not bands:
        return Markup("")
    marks = "".join(
        f'<li><svg class="chart-key-mark" viewBox="0 0 26 6" width="28" height="8" aria-hidden="true">'
        f'<line class="chart-band band-{colour}" x1="0" x2="26" y1="3" y2="3"/></svg>{escape(label)}</li>'
        for colour, label in bands
    )
    return Markup(f'<ul class="chart-key">{marks}</ul>')
