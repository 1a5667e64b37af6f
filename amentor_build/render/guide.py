"""What the public pages say of the school's own settings, from school.yml (never a child's data).

A page of `content/` that holds a marker gets it replaced by the mkdocs plugin:

- `<!-- amentor:scale -->`: the scale explained (`scale_guide`, and each step's meaning);
- `<!-- amentor:colours -->`: the colour key: each status with its colour, shape and words and
  what it means in steps (`status:`), the attitude colours, and the colour of each range of an
  attendance percentage (`percent_bands`), judged as the folders judge them, so that the key
  always says what the folders show.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from .. import judge
from .. import model as m
from ..model import AttitudeArea, School
from .text import chip

MARKERS = ("<!-- amentor:scale -->", "<!-- amentor:colours -->")
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def fill(markdown: str, school: School | None) -> str:
    """A page's Markdown with each marker replaced by what it stands for (with no school: by
    nothing; the build says what is wrong with school.yml)."""
    for marker, made in zip(MARKERS, (scale_markdown, colours_markdown)):
        if marker in markdown:
            markdown = markdown.replace(marker, made(school) if school else "")
    return markdown


def scale_markdown(school: School) -> str:
    """The school's scale as families read it: its guide, then each step with what it means."""
    out = [school.scale_guide.strip(), ""] if school.scale_guide else []
    if school.scale_means:
        out += ["| Step | What it means |", "| --- | --- |"]
        out += [f"| {step} | {school.scale_means.get(step, '')} |" for step in school.scale]
    else:
        out += ["The steps, from the first to the last: " + ", ".join(school.scale) + "."]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class ColourKey:
    """What the colours of a folder mean, from the school's settings: the public colour key's
    and the one on every folder's overview (which the leaving folder carries with it)."""

    subjects: str  # "reading, writing, maths"
    statuses: tuple[tuple[judge.Signal, str], ...]  # each status, best first, with what it means in steps
    areas: str  # the attitude areas given a colour ("behaviour, effort"; none: every area is a percentage)
    colours: tuple[judge.Signal, ...]  # the colours those areas may get, best first
    percentages: tuple[tuple[str, tuple[tuple[str, judge.Signal], ...]], ...]  # each area given as a percentage
    # ("Attendance"), with each range of it and its colour (percent_key)


def colour_key(school: School) -> ColourKey:
    """The school's colour key: its status colours with their meaning, its attitude colours,
    and the colour of each range of an area given as a percentage."""
    statuses = tuple(
        (judge.status_signal(school, s), status_meaning(school, s))
        for s in ("exceeding", "on_target", "nearly_there", "not_on_track")
    )
    areas = ", ".join(m.in_sentence(a.label) for a in school.attitude if not a.percent_bands)
    colours = tuple(s for s in map(judge.colour_signal, reversed(judge.COLOUR_WORDS)) if s is not None)
    percentages = tuple((a.label, tuple(percent_key(a))) for a in school.attitude if a.percent_bands)
    return ColourKey(", ".join(school.subjects), statuses, areas, colours if areas else (), percentages)


def colours_markdown(school: School) -> str:
    """The colour key: attainment, attitude, and each area given as a percentage."""
    key = colour_key(school)
    out = [f"## Attainment ({key.subjects})", "", "| Colour | What it means |", "| --- | --- |"]
    out += [f"| {chip(signal)} | {meaning} |" for signal, meaning in key.statuses]
    if key.areas:  # (a school may give every area as a percentage)
        out += ["", "## Attitude to learning", "", f"Each area ({key.areas}) gets one of these colours:", ""]
        out += [f"- {chip(signal)}" for signal in key.colours]
    for label, ranges in key.percentages:
        out += ["", f"## {label}", "", "| Percentage | Colour |", "| --- | --- |"]
        out += [f"| {shown} | {chip(signal)} |" for shown, signal in ranges]
    return "\n".join(out) + "\n"


def status_meaning(school: School, status: str) -> str:
    """What a status means in steps of the scale, from school.yml's `status:` thresholds
    (exceeding from 1 step up, nearly there from 1 step down: records.school checks them)."""
    above, below = school.exceeding_from, -school.nearly_there_from
    if status == "exceeding":
        return "Working above the target" if above == 1 else f"Working {steps(above)} or more above the target"
    if status == "on_target":
        return "Working at the target" + (f", or up to {steps(above - 1)} above it" if above > 1 else "")
    if status == "nearly_there":
        return "One step below the target" if below == 1 else f"Up to {steps(below)} below the target"
    return f"More than {steps(below)} below the target"


def steps(n: int) -> str:
    word = NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)
    return f"{word} step" + ("" if n == 1 else "s")


def percent_key(area: AttitudeArea) -> list[tuple[str, judge.Signal]]:
    """Each range of a percentage with the colour and words the folders give it, highest first
    (the bands' bounds, and for attendance the persistent-absence line)."""
    line = {float(judge.PERSISTENT_ABSENCE)} if area.key == "attendance" else set()
    bounds = sorted({low for _, low in area.percent_bands} | line)[::-1]
    ranges = [(f"{bounds[0]:g}%" + (" or more" if bounds[0] < 100 else ""), bounds[0])]
    ranges += [(f"{low:g}% to under {high:g}%", low) for high, low in pairwise(bounds)]
    if bounds[-1] > 0:
        ranges.append((f"Under {bounds[-1]:g}%", bounds[-1] - 0.001))
    key = []
    for shown, value in ranges:
        signal = judge.judge_attitude(area, value).signal
        if signal is not None:
            key.append((shown, signal))
    return key
