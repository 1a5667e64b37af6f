"""Frozen years: once a year is rolled over, its records and chosen work must not change.

frozen/<YYYY-YY>.sha256 lists every year file of that year and every work file under
work/<YYYY-YY>/, one `<sha256>  <path>` line each (what `sha256sum -c` reads, paths relative to
the project). `amentor check` and `build` report any changed, missing or added file of a
frozen year as an error, until `amentor unfreeze` records why the year may change again;
`amentor freeze` closes it again (until then, a warning says it is open).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import Problem
from ..model import Project, academic_year_bounds, in_sentence, next_year_label
from ..records.source import parse_source

MANIFEST = re.compile(r"^([0-9a-f]{64})  (.+)$")
Digest = Callable[[Path], str]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def year_files(root: Path, year: str) -> list[str]:
    """Every year file of the year and every work file under work/<year>/, relative to the project."""
    out = []
    for pupil in sorted((root / "pupils").glob("*/")):
        for name in (f"{year}.yml", f"{year}.yaml"):
            if (pupil / name).is_file():
                out.append(f"pupils/{pupil.name}/{name}")
        work = pupil / "work" / year
        if work.is_dir():
            out += sorted(p.relative_to(root).as_posix() for p in work.rglob("*") if p.is_file() and not litter(p))
    return out


def litter(path: Path) -> bool:
    """Files a desktop leaves behind when a folder is browsed (.DS_Store, Thumbs.db): not the year's work."""
    return path.name.startswith(".") or path.name.lower() in ("thumbs.db", "desktop.ini")


def manifest(root: Path, year: str, digest: Digest = sha256_of) -> str:
    return "".join(f"{digest(root / rel)}  {rel}\n" for rel in year_files(root, year))


def frozen_years(root: Path) -> list[str]:
    return sorted(p.name.removesuffix(".sha256") for p in (root / "frozen").glob("*.sha256"))


def frozen_paths(root: Path) -> dict[str, str]:
    """Every file a frozen year lists, with its year."""
    out = {}
    for year in frozen_years(root):
        for line in (root / "frozen" / f"{year}.sha256").read_text(encoding="utf-8").splitlines():
            match = MANIFEST.match(line)
            if match:
                out[match[2]] = year
    return out


def problems(root: Path, digest: Digest = sha256_of) -> list[Problem]:
    """Each changed, missing or added file of a frozen year, at path:1:1."""
    found = []
    for year in frozen_years(root):
        listed: dict[str, str] = {}
        for number, line in enumerate((root / "frozen" / f"{year}.sha256").read_text(encoding="utf-8").splitlines(), 1):
            match = MANIFEST.match(line)
            if match is None:
                found.append(Problem(f"frozen/{year}.sha256", number, 1, "not a '<sha256>  <path>' line"))
                continue
            listed[match[2]] = match[1]
        hint = f"the year {year} is frozen; if it must change, run: amentor unfreeze {year} --reason '...'"
        for rel, expected in listed.items():
            if not (root / rel).is_file():
                found.append(Problem(rel, 1, 1, f"missing: {hint}"))
            elif digest(root / rel) != expected:
                found.append(Problem(rel, 1, 1, f"changed: {hint}"))
        for rel in year_files(root, year):
            if rel not in listed:
                found.append(Problem(rel, 1, 1, f"added: {hint}"))
    return found


def unfrozen(root: Path) -> list[Problem]:
    """A warning for each year unfrozen and not frozen again: its records can change unseen."""
    found = []
    for log in sorted((root / "frozen").glob("*.unfrozen.txt")):
        year = log.name.removesuffix(".unfrozen.txt")
        if not (root / "frozen" / f"{year}.sha256").exists():
            found.append(
                Problem(
                    f"frozen/{log.name}",
                    1,
                    1,
                    f"the year {year} is unfrozen: its records can change without a word; once the "
                    f"correction is made, freeze it again: amentor freeze {year}",
                    warning=True,
                )
            )
    return found


def short_work(project: Project, finishing: str | None = None) -> list[Problem]:
    """A warning for each finished year in which a child chose less work than the school asks
    (not for the year a child left in before its end: no more work can come for it); with
    finishing, for that year alone (the one a rollover is about to finish). Said at the year
    file's `work:`, or at its start if it has none."""
    found = []
    for pupil in project.pupils:
        for year in pupil.years:
            finished = year.year == finishing if finishing else year.year < project.school.current_year
            if not finished:
                continue
            if pupil.left is not None and pupil.left.date < freeze_bounds(year.year):
                continue
            short = [kind for kind in project.school.work if year.pieces(kind.key) < kind.per_year]
            if not short:
                continue
            line, column = parse_source((project.root / year.source).read_bytes(), year.source).position(
                ("work",), at_key=True
            )
            for kind in short:
                count = year.pieces(kind.key)
                found.append(
                    Problem(
                        year.source,
                        line,
                        column,
                        f"work: {count} piece{'s' if count != 1 else ''} of "
                        f"{in_sentence(kind.label)} chosen for {year.year}; the school asks for "
                        f"{kind.per_year}",
                        warning=True,
                    )
                )
    return found


SHORT = re.compile(r"work: \d+ pieces? of .+ chosen for \d{4}-\d{2}; the school asks for \d+")


def is_short_work(problem: Problem) -> bool:
    """Is this one of short_work's warnings (said briefly where there are hundreds)?"""
    return problem.warning and SHORT.fullmatch(problem.message) is not None


def freeze_bounds(year: str) -> dt.date:
    """The last day of an academic year (leavers leave on it)."""
    return academic_year_bounds(year)[1]


def carried_since(project: Project, year: str) -> list[Problem]:
    """A finished year corrected after its rollover (unfreeze, an edit, freeze): the targets the
    rollover carried into the next year's first term were those open then. A warning for each
    one since reviewed `achieved` there but still open in the next year (at its line), and for
    each open now that the next year does not hold (at its subject's targets, else the term's):
    a family would see an achieved target as "working on it"."""
    following, first = next_year_label(year), project.school.terms[0]
    said = []
    for pupil in project.pupils:
        last, after = pupil.year(year), pupil.year(following)
        if last is None or after is None:
            continue
        held = [t for term in after.terms if term.term == first for t in term.targets]
        done = {(t.subject, t.text) for term in last.terms for t in term.targets if t.review == "achieved"}
        open_now = {(t.subject, t.text) for t in last.open_targets()}
        places: dict[str, int] = {}  # each target's place in its subject's list (a text may be there twice)
        stale = []
        for target in held:
            places[target.subject] = places.get(target.subject, -1) + 1
            if (target.subject, target.text) in done - open_now and target.review is None:
                stale.append((target, places[target.subject]))
        missing = sorted(open_now - {(t.subject, t.text) for t in held})
        if not stale and not missing:
            continue
        source = parse_source((project.root / after.source).read_bytes(), after.source)  # for the lines
        for target, index in stale:
            line, column = source.position(("terms", first, "targets", target.subject, index))
            why = f"achieved in {year}, but open here (carried before the correction): take it out"
            said.append(
                Problem(after.source, line, column, f"{first} {target.subject} target '{target.text}' is {why}", True)
            )
        for subject, text in missing:
            line, column = source.position(("terms", first, "targets", subject), at_key=True)
            why = f"open at the end of {year} (after its correction), but not carried here: add it if it stands"
            said.append(Problem(after.source, line, column, f"{first} {subject} target '{text}' is {why}", True))
    return said
