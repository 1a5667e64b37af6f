"""What a rollover warns of, beside what `amentor check` warns of: a year turned before its last
term was recorded, a staff list left empty, a leaving typed a year ahead, a child added for
September who would be moved up a year."""

from __future__ import annotations

from ..errors import Problem
from ..model import Project, academic_year_bounds
from ..records.source import parse_source


def empty_lists(project: Project, classes: set[str], to: str) -> list[Problem]:
    """A warning for each staff login scoped to a class with children now and none in the new
    year (classes: the new year's): its list will be empty, as after a class is renamed; said
    at the class in school.yml, where the new name goes."""
    now = project.classes(project.school.current_year)
    empty = [(i, role) for i, role in enumerate(project.school.staff) if role.scope_class in now - classes]
    if not empty:
        return []
    source = parse_source((project.root / "school.yml").read_bytes(), "school.yml")  # for the positions
    found = []
    for i, role in empty:  # school.yml passed the check: its staff are the list's entries, in order
        line, column = source.position(("staff", i, "scope", "class"))
        found.append(
            Problem(
                "school.yml",
                line,
                column,
                f"no child will be in class '{role.scope_class}' in {to}: the login of {role.label} "
                f"({role.key}) will open an empty list; if the class has a new name, write it here "
                f"(the classes of {to}: {', '.join(sorted(classes)) or 'none'})",
                warning=True,
            )
        )
    return found


def unlisted_classes(project: Project, classes: set[str], to: str) -> list[Problem]:
    """One warning naming the classes of the new year (classes) that no staff role's scope
    names, in a school that gives its classes roles of their own: no class teacher's list will
    show their children, only the lists of scope: all. Said at school.yml's staff, where a role
    goes (a renamed class's role: see empty_lists)."""
    scoped = {role.scope_class for role in project.school.staff if role.scope_class}
    missing = sorted(classes - scoped)
    if not scoped or not missing:
        return []
    source = parse_source((project.root / "school.yml").read_bytes(), "school.yml")
    line, column = source.position(("staff",), at_key=True)
    named = ", ".join(f"'{name}'" for name in missing)
    return [
        Problem(
            "school.yml",
            line,
            column,
            f"no staff role is for class {named} in {to}: only the lists of scope: all will show "
            "their children; give their teacher a role here ({key: ..., label: ..., scope: {class: ...}}) "
            "and a login",
            warning=True,
        )
    ]


def left_ahead(project: Project, finished: str, to: str) -> list[Problem]:
    """A child whose leaving date is after the finished year's end is not moved on (a child with
    left: has left, whatever its date): said, as the child would otherwise vanish from every
    class unseen (a leaving typed a year ahead, or a move that did not happen)."""
    end = academic_year_bounds(finished)[1]
    return [
        Problem(
            f"pupils/{p.slug}/pupil.yml",
            1,
            1,
            f"{p.id} has left: (on {p.left.date}, after {finished} ends) and gets no year file for {to}, so "
            "no class teacher's list shows them; if they are staying, take left: out and add their year file",
            warning=True,
        )
        for p in project.pupils
        if p.left is not None and p.left.date > end and (y := p.year(finished)) is not None and y.year_group < 6
    ]


def unrecorded(project: Project, finished: str) -> list[Problem]:
    """A rollover before the year's last term has any record freezes the year as it is: said,
    so that one run months early (or by mistake) does not pass unseen."""
    last = project.school.terms[-1]
    on_roll = [y for p in project.pupils if p.left is None and (y := p.year(finished)) is not None]
    recorded = (  # targets alone are set at the term's start (or the review before it): not yet its record
        t.attainment or t.attitude or t.assessments or t.conversation
        for y in on_roll
        for t in y.terms
        if t.term == last
    )
    if not on_roll or any(recorded):
        return []
    return [
        Problem(
            "school.yml",
            1,
            1,
            f"no child has a record for {last} {finished} yet: a rollover freezes the year as it is (to change "
            "it later: amentor unfreeze)",
            warning=True,
        )
    ]


def new_in_september(project: Project, finished: str, to: str, dry_run: bool) -> list[Problem]:
    """A child with nothing recorded in the finished year, their only one, is most often a child
    who joins in September, added in July: the rollover moves them up a year group (SPEC), one
    too many. Said, with the way out before the rollover (dry run) or after it."""
    said = []
    for pupil in project.pupils:
        year = pupil.year(finished)
        if pupil.left is not None or year is None or len(pupil.years) > 1 or year.year_group >= 6:
            continue
        if any(t.attainment or t.attitude or t.assessments or t.conversation or t.targets for t in year.terms):
            continue
        if dry_run:
            way = f"take pupils/{pupil.slug}/ out, turn the year, then add them (amentor pupil add)"
        else:
            way = (
                f"amentor unfreeze {finished}, delete {year.source}, write year_group: {year.year_group} in "
                f"pupils/{pupil.slug}/{to}.yml, then amentor freeze {finished}"
            )
        said.append(
            Problem(
                year.source,
                1,
                1,
                f"{pupil.id} has nothing recorded in {finished}, their only year, and moves up to Year "
                f"{year.year_group + 1} in {to}; if they join in September, in Year {year.year_group}: {way}",
                warning=True,
            )
        )
    return said
