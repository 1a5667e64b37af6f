"""A fictional sample school, written to disk: for `amentor init`, the repository's demo, tests and bench.

Every name here is invented. Output is deterministic for a given seed.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .model import next_year_label
from .starter import EXAMPLE_NAME

SCALE = [f"{y}{band}{plus}" for y in range(1, 7) for band in "bws" for plus in ("", "+")]
CLASSES = {
    1: ("Robins", "Mrs Patel"),
    2: ("Wrens", "Mr Hughes"),
    3: ("Kestrels", "Ms Kowalski"),
    4: ("Hawks", "Mr Adeyemi"),
    5: ("Oak", "Mrs Lindqvist"),
    6: ("Ash", "Mr Nakamura"),
}
FIRST = [
    "Amara",
    "Zoë",
    "Łukasz",
    "Mei",
    "Oliver",
    "Aisha",
    "Tomasz",
    "Freya",
    "Kwame",
    "Isla",
    "Yusuf",
    "Niamh",
    "Arjun",
    "Elif",
    "Noah",
    "Sofia",
    "Chidi",
    "Maja",
    "Rhys",
    "Leila",
]
LAST = [
    "Okafor",
    "Bramwell",
    "Nowicki",
    "Nguyễn",
    "Featherstone",
    "Rahman",
    "Quigley",
    "Haldane",
    "Mensah",
    "Ferreira",
    "Pemberton",
    "Achterberg",
    "Oyelaran",
    "Castellano",
    "Whitlock",
    "Duvall",
]
TARGETS = {
    "reading": [
        "Read words with the 'ai' and 'ay' sounds",
        "Retell a story in my own words",
        "Find the meaning of new words using the text",
        "Explain why a character acts as they do",
        "Summarise a paragraph in one sentence",
        "Compare two poems by the same poet",
    ],
    "writing": [
        "Use a capital letter at the start of a sentence",
        "Use 'because' to join ideas",
        "Use paragraphs to organise my writing",
        "Use inverted commas for speech",
        "Vary sentence openers with adverbials",
        "Use a semi-colon between linked clauses",
    ],
    "maths": [
        "Count in twos to 20",
        "Know number bonds to 10",
        "Recall the 3, 4 and 8 times tables",
        "Add fractions with the same denominator",
        "Use long multiplication",
        "Solve two-step ratio problems",
    ],
}
WENT_WELL = [
    "Lots of reading at home this term.",
    "Great focus in maths lessons.",
    "Kind to others and a **good team member**.",
    "Much neater handwriting.",
    "Asked brave questions in class.",
]
VOICE = [
    "I want to read chapter books.",
    "I like it when we do times tables races.",
    "I am proud of my story about the dragon.",
    "I find fractions tricky.",
    "I want to be a scientist.",
]
NEXT = [
    "Practise the 'ai' sound in words.",
    "Learn the 7 times table.",
    "Check work for full stops.",
    "Read aloud with more expression.",
    "Show working in maths.",
]
AT_HOME = [
    "Read together for ten minutes a day.",
    "Play times-table games on the way to school.",
    "Talk about the news and new words.",
    "Write a shopping list together.",
]

# What most English primary schools use since National Curriculum levels went in 2014: for each
# year group, working towards, at, or at greater depth within the expected standard. (The old
# levels above still work: the bench uses them, and any school may.)
STANDARDS = {
    "WTS": "working towards the expected standard",
    "EXS": "working at the expected standard",
    "GDS": "working at greater depth",
}
YEAR_SCALE = [f"Y{y}-{s}" for y in range(1, 7) for s in STANDARDS]


def scale_yaml() -> str:
    """The sample's year-group scale, each step with what it means for families, and the guide to it."""
    guide = (
        "scale_guide: |\n"
        "  Each step names a year group and where the child is against what is expected by the end\n"
        "  of that year: **WTS** working towards the expected standard, **EXS** working at it,\n"
        "  **GDS** working at greater depth. Most children are at EXS for their year group; the\n"
        "  target is what the school expects your child to reach by the end of the year.\n"
    )
    steps = "".join(f'  - {{step: {s}, means: "Year {s[1]}, {STANDARDS[s[3:]]}"}}\n' for s in YEAR_SCALE)
    return guide + "scale:\n" + steps


SCHOOL_YML = """\
name: {name}
current_year: {current_year}
terms: [autumn, spring, summer]
subjects: [reading, writing, maths]
{scale}status:
  exceeding: 1
  nearly_there: -1
colours:
  not_on_track: red
  nearly_there: yellow
  on_target: green
  exceeding: blue
attitude:
  - {{key: attendance, label: Attendance, percent_bands: {{green: 96, yellow: 90}}}}
  - {{key: punctuality, label: Punctuality}}
  - {{key: behaviour, label: Behaviour}}
  - {{key: effort, label: Effort}}
  - {{key: reading_homework, label: Reading homework}}
  - {{key: uniform, label: Uniform}}
assessments:
  - {{key: pira, label: PiRA reading, subject: reading, kind: standardised}}
  - {{key: puma, label: PUMA maths, subject: maths, kind: standardised}}
  - {{key: phonics, label: Phonics screening check, kind: mark, max: 40, pass: 32}}
  - {{key: mtc, label: Multiplication tables check, kind: mark, max: 25}}
  - {{key: ks2-reading, label: KS2 reading test, subject: reading, kind: scaled}}
  - {{key: ks2-maths, label: KS2 maths test, subject: maths, kind: scaled}}
work:
  - {{key: writing, label: Writing, per_year: 1}}
  - {{key: theme, label: Theme work, per_year: 1}}
staff:
  - {{key: head, label: Headteacher, scope: all}}
{classes}
"""

MKDOCS_YML = """\
site_name: {name}
site_url: {site_url}
docs_dir: content
site_dir: site
theme:
  name: null
  custom_dir: theme
plugins:
  - amentor
use_directory_urls: false
nav:
  - Home: index.md
  - Guide for parents: guide.md
  - Colour key: colour-key.md
  - Privacy notice: privacy.md
"""


@dataclass(frozen=True)
class Plan:
    """One invented child: where they are now and how they are doing."""

    slug: str
    first: str
    last: str
    group_now: int  # year group in the current year
    ability: int  # steps above (+) or below (-) the expected track
    years: int  # how many year files
    left: bool = False


def write_school(
    root: Path,
    pupils: int = 14,
    seed: int = 7,
    current_year: str = "2026-27",
    name: str = EXAMPLE_NAME,
    complete_years: bool = False,
    work_images: bool = True,
    full_history: bool = False,
) -> list[Plan]:
    """Write school.yml and `pupils` invented children under root; return their plans.

    full_history makes every child a Year 6 with six year files, and the scale plain steps,
    as every version of amentor reads them (the bench builds it with the previous version too).
    """
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    classes = "\n".join(
        f"  - {{key: {c.lower()}, label: {c} class teacher, scope: {{class: {c}}}}}" for c, _ in CLASSES.values()
    )
    (root / "school.yml").write_text(
        SCHOOL_YML.format(
            name=name,
            current_year=current_year,
            scale=f"scale: [{', '.join(SCALE)}]\n" if full_history else scale_yaml(),
            classes=classes,
        ),
        encoding="utf-8",
    )
    plans = _plans(rng, pupils, full_history)
    for index, plan in enumerate(plans):
        _write_pupil(
            root / "pupils" / plan.slug, plan, index, rng, current_year, complete_years, work_images, full_history
        )
    return plans


def _plans(rng: random.Random, count: int, full_history: bool = False) -> list[Plan]:
    plans = []
    for i in range(count):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        group = 6 if full_history else 6 - (i % 6) if i < 12 else rng.randint(1, 6)
        ability = [-3, -1, 0, 0, 1, 2][(i * 5) % 6]
        left = (i == 3) and not full_history
        slug = _slug(f"{first}-{last}") + (f"-{i}" if i >= len(FIRST) else "")
        plans.append(Plan(slug, first, last, group, ability, group if not left else group - 1, left))
    return plans


def _slug(name: str) -> str:
    """Return an ASCII folder name for an invented child: Zoë Łukasz -> zoe-lukasz."""
    folded = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L")).lower()
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "-"))


def _write_pupil(
    folder: Path,
    plan: Plan,
    index: int,
    rng: random.Random,
    current_year: str,
    complete_years: bool,
    work_images: bool,
    levels: bool,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    guardians = (
        [("mum", f"Ms {plan.last}"), ("dad", f"Mr {plan.last}")] if index % 3 else [("carer", f"Mx {plan.last}")]
    )
    start = int(current_year[:4]) - (plan.group_now - 1)
    lines = [f"id: HF{1000 + index:04d}", f"first_name: {plan.first}", f"last_name: {plan.last}"]
    if index == 0:
        lines.append("preferred_name: Mara")
    lines.append("guardians:")
    lines += [f"  - {{key: {k}, label: {label}}}" for k, label in guardians]
    last_label = f"{start + plan.years - 1}-{(start + plan.years) % 100:02d}"
    lines.append(f"left: {{date: {start + plan.years}-03-27, reason: moved school}}" if plan.left else "left: null")
    (folder / "pupil.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    label = f"{start}-{(start + 1) % 100:02d}"
    for offset in range(plan.years):
        group = offset + 1
        in_progress = label == current_year and not complete_years
        terms = 1 if in_progress else (2 if plan.left and label == last_label else 3)
        _write_year(folder, plan, label, group, terms, rng, work_images, levels)
        label = next_year_label(label)


def _write_year(
    folder: Path, plan: Plan, label: str, group: int, terms: int, rng: random.Random, work_images: bool, levels: bool
) -> None:
    class_name, teacher = CLASSES[group]
    out = [f"year_group: {group}", f"class: {class_name}", f"teacher: {teacher}", "terms:"]
    start = int(label[:4])
    for t, term in enumerate(("autumn", "spring", "summer")[:terms]):
        current_term = t == terms - 1 and terms < 3
        steps = SCALE if levels else YEAR_SCALE
        expected = (group - 1) * 6 + 2 * t + 1 if levels else (group - 1) * 3 + 1  # the year group's EXS
        spread = plan.ability if levels else {-3: -2, -1: -1, 2: 1}.get(plan.ability, 0)  # most at EXS
        out.append(f"  {term}:")
        out.append("    attainment:")
        for s, subject in enumerate(("reading", "writing", "maths")):
            noise = rng.choice([-1, 0, 0, 1]) if levels else rng.choice([0, 0, 0, -1])
            working = max(0, min(len(steps) - 1, expected + spread + noise - (s == 1 and levels)))
            out.append(f"      {subject}: {{working_at: '{steps[working]}', target: '{steps[expected]}'}}")
        attendance = round(min(100.0, max(80.0, 95.5 + plan.ability + rng.uniform(-3, 3))), 1)
        colours = ["green", "green", "green", "yellow", "blue"] + (["red"] if plan.ability < 0 else [])
        out.append("    attitude:")
        out.append(f"      attendance: {attendance}")
        for area in ("punctuality", "behaviour", "effort", "reading_homework", "uniform"):
            out.append(f"      {area}: {rng.choice(colours)}")
        out.append("    targets:")
        for subject, pool in TARGETS.items():
            text = pool[min(group - 1, len(pool) - 1) if t == 0 else rng.randrange(len(pool))]
            review = "" if current_term else f", review: {rng.choice(['achieved', 'achieved', 'partly', 'not_yet'])}"
            out.append(f"      {subject}:")
            out.append(f'        - {{text: "{text}"{review}}}')
        out.append("    assessments:")
        out.append(f"      - {{test: pira, score: {max(70, min(141, 100 + 5 * plan.ability + rng.randint(-6, 6)))}}}")
        out.append(f"      - {{test: puma, score: {max(70, min(141, 100 + 5 * plan.ability + rng.randint(-6, 6)))}}}")
        if term == "summer" and group == 1:
            out.append(
                f"      - {{test: phonics, score: {max(10, min(40, 33 + 3 * plan.ability + rng.randint(-2, 2)))}}}"
            )
        if term == "summer" and group == 4:
            out.append(f"      - {{test: mtc, score: {max(5, min(25, 21 + 2 * plan.ability + rng.randint(-2, 3)))}}}")
        if term == "summer" and group == 6:
            out.append(f"      - {{test: ks2-reading, score: {max(80, min(120, 102 + 3 * plan.ability))}}}")
            out.append(f"      - {{test: ks2-maths, score: {max(80, min(120, 101 + 3 * plan.ability))}}}")
        month = (11, 3, 6)[t]
        out.append("    conversation:")
        out.append(f"      date: {start + (t > 0)}-{month:02d}-{rng.randint(10, 25)}")
        out.append(f'      went_well: "{rng.choice(WENT_WELL)}"')
        out.append(f'      pupil_voice: "{rng.choice(VOICE)}"')
        out.append(f'      next_steps: "{rng.choice(NEXT)}"')
        out.append(f'      at_home: "{rng.choice(AT_HOME)}"')
        out.append(
            f'    staff_notes: "{rng.choice(["Phonics group B.", "Check hearing test result.", "Pre-teach vocabulary."])}"'
        )
    if terms == 3 and work_images:
        out.append("work:")
        for n, (kind, title) in enumerate((("writing", "My recount"), ("theme", "Our topic model"))):
            suffix = "pdf" if (kind == "theme" and group % 3 == 0) else "jpg"
            rel = f"work/{label}/{kind}-{n + 1}.{suffix}"
            make_work_file(folder / rel, f"{title} {label}", rng)
            out.append(f'  - {{kind: {kind}, title: "{title}", file: {rel},')
            out.append(f'     pupil_caption: "I am proud of this.", date: {start + 1}-07-{rng.randint(1, 15):02d}}}')
    (folder / f"{label}.yml").write_text("\n".join(out) + "\n", encoding="utf-8")


def make_work_file(path: Path, caption: str, rng: random.Random) -> None:
    """Draw an invented piece of work (a scan-like picture, or a one-page PDF)."""
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (600, 800), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    for y in range(100, 780, 32):  # ruled lines of an exercise book
        draw.line([(40, y), (560, y)], fill=(170, 190, 225), width=2)
    for y in range(105, 460, 32):  # "handwriting"
        x = 70
        while x < 540:
            w = rng.randint(14, 60)
            draw.line([(x, y + 14), (x + w, y + rng.randint(9, 18))], fill=(40, 40, 90), width=3)
            x += w + rng.randint(8, 16)
    hue = tuple(rng.randint(60, 220) for _ in range(3))
    draw.ellipse([200, 500, 400, 700], outline=hue, width=8)
    draw.rectangle([250, 560, 350, 650], fill=hue)
    draw.text((40, 40), caption, fill=(20, 20, 20))
    if path.suffix == ".pdf":
        image.save(path, "PDF", resolution=72)
    else:
        image.save(path, "JPEG", quality=60)
