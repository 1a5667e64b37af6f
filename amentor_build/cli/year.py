"""`amentor pupil add|leave`, `rollover`, `unfreeze`, `freeze`, `sheet export|import`: the school year.

Each command imports what it uses when it runs, so that every other command starts without it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from ..errors import AmentorError, Problem, UsageError
from ..model import next_year_label, valid_year_label
from .common import EXIT_OK, Commands, add_project, count, help_of, leaf, locked, project_root, say_briefly

SCHOOLS_COPY = "the school's copy: amentor export {id} -o FILE.html --archive FILE.zip"  # for a leaver


def add_year_commands(sub: Commands) -> None:
    """Register the school year's commands; each takes -p like every other command."""
    pupil = sub.add_parser("pupil", help="add a pupil, or record that one has left", description="Pupils in and out.")
    actions = pupil.add_subparsers(metavar="ACTION")
    p = leaf(
        actions,
        "add",
        "a new pupil (or many, --from a CSV of the school's MIS)",
        "%(prog)s (--id ID --first-name F --last-name L --class CLASS --year-group N [--preferred-name P] "
        "[--guardian KEY=LABEL ...] | --from FILE.csv) [-p DIR]",
    )
    p.add_argument("--id", help="the school's reference for the child (its MIS's), one word")
    p.add_argument("--first-name", metavar="F")
    p.add_argument("--last-name", metavar="L")
    p.add_argument("--preferred-name", metavar="P", default="", help="the name the child goes by, if not the first")
    p.add_argument("--class", dest="class_name", metavar="CLASS", help="the class this school year")
    p.add_argument("--year-group", metavar="N", help="1 to 6 (or as the MIS writes it: Y5, Year 5)")
    p.add_argument(  # --guardian mum=X dad=Y, or --guardian mum=X --guardian dad=Y
        "--guardian",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY=LABEL",
        help="who gets a family login; quote a label with spaces",
    )
    p.add_argument("--from", dest="from_csv", metavar="FILE.csv", help="many at once: a CSV the school's MIS exports")
    p.set_defaults(handler=cmd_pupil_add)
    p = leaf(actions, "leave", "record that a pupil has left (their folder stays)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the child's last day")
    p.add_argument("--reason", required=True, help='why, in a few words ("moved school")')
    p.set_defaults(handler=cmd_pupil_leave)
    for action in actions.choices.values():
        add_project(action)
    pupil.set_defaults(handler=help_of(pupil))
    p = leaf(sub, "rollover", "turn the school year (new year files, leavers, the old year frozen)")
    p.add_argument("--to", required=True, metavar="YYYY-YY", help="the new school year: the one after current_year")
    p.add_argument(
        "--classes",
        metavar="FILE.csv",
        action="append",
        help="from_class,to_class (or id,class) rows; may be given more than once",
    )
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    add_project(p)
    p.set_defaults(handler=cmd_rollover)
    sheet = sub.add_parser(
        "sheet",
        help="the termly spreadsheet: export a class, import it back",
        description="The termly spreadsheet (.csv or .xlsx).",
    )
    actions = sheet.add_subparsers(metavar="ACTION")
    p = leaf(actions, "export", "one row per child of a class, prefilled with the records")
    p.add_argument("--class", dest="class_name", metavar="CLASS", required=True)
    p.add_argument("--term", help="default: the latest term with any record in the year, else the first")
    p.add_argument("--year", metavar="YYYY-YY", help="default: current_year")
    p.add_argument("-o", "--output", dest="output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    p.set_defaults(handler=cmd_sheet_export)
    p = leaf(actions, "import", "merge a filled sheet into the records (every cell checked first)")
    p.add_argument("file", metavar="FILE", help="FILE.csv or FILE.xlsx, as sheet export wrote it")
    p.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    p.set_defaults(handler=cmd_sheet_import)
    for action in actions.choices.values():
        add_project(action)
    sheet.set_defaults(handler=help_of(sheet))
    p = leaf(sub, "unfreeze", "allow edits to a frozen year again, recording why")
    p.add_argument("year", metavar="YYYY-YY")
    p.add_argument("--reason", required=True, help="why, kept with the year's list of files")
    add_project(p)
    p.set_defaults(handler=cmd_unfreeze)
    p = leaf(sub, "freeze", "freeze a finished year again once it is corrected (after unfreeze)")
    p.add_argument("year", metavar="YYYY-YY")
    add_project(p)
    p.set_defaults(handler=cmd_freeze)


def said(root: Path, changed: list[Path]) -> None:
    """What a command changed, one file a line (relative to the project)."""
    for path in changed:
        print(f"  {path.relative_to(root).as_posix()}", file=sys.stderr)


def cmd_pupil_add(args: argparse.Namespace) -> int:
    from ..schoolyear import pupils

    root = project_root(args)
    if args.from_csv:
        new, where, passed = pupils.from_csv(Path(args.from_csv))
    else:
        needed = {
            "--id": args.id,
            "--first-name": args.first_name,
            "--last-name": args.last_name,
            "--class": args.class_name,
            "--year-group": args.year_group,
        }
        missing = [name for name, value in needed.items() if value in (None, "")]
        if missing:
            raise UsageError(f"pupil add needs {', '.join(missing)} (or --from FILE.csv)")
        # An option's value that is no year group or no guardian is a usage error (exit 2), as
        # argparse says of --date 2027-13-01; what the records make of the rest (an id already
        # used) is the project's (exit 1), said at the option.
        year_group = pupils.year_group(args.year_group)  # 'Y5' as a CSV may say it
        if year_group is None or not 1 <= year_group <= 6:
            raise UsageError(f"--year-group {args.year_group}: a year group from 1 to 6 (5, Y5 or Year 5)")
        guardians: dict[str, str] = {}
        for given in args.guardian:
            key, sep, label = (part.strip() for part in given.partition("="))
            if not sep or not pupils.KEY.fullmatch(key) or not label:
                raise UsageError(
                    f"--guardian {given}: write KEY=LABEL, the key in letters, digits, '-' or '_', "
                    "for example mum='Mrs Okafor'"
                )
            if key in guardians:
                raise UsageError(f"--guardian {given}: guardian '{key}' is given twice")
            guardians[key] = label
        new = [
            pupils.NewPupil(
                args.id,
                args.first_name,
                args.last_name,
                args.class_name,
                year_group,
                args.preferred_name,
                tuple(guardians.items()),
            )
        ]
        where, passed = None, []
    with locked(root, "amentor pupil add"):
        changed, warnings = pupils.add(root, new, where)
    warnings = passed + warnings
    for warning in warnings:
        print(warning, file=sys.stderr)
    print(f"amentor: added {count(len(new), 'pupil')}:", file=sys.stderr)
    said(root, changed)
    without = [p.id for p in new if not p.guardians]
    if without:
        print(
            f"amentor: no guardian given for {', '.join(without)}: no family login can be issued until their "
            "pupil.yml lists one (guardians: - {key: mum, label: Ms ...})",
            file=sys.stderr,
        )
    if len(without) < len(new):
        print(
            "amentor: next, logins for their families (amentor logins issue --letters letters/: every guardian "
            "without one), then amentor build",
            file=sys.stderr,
        )
    return EXIT_OK


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # 2027-02-30: written right, but no such day
            raise UsageError(f"--date {text}: there is no such day") from None
        raise UsageError(f"--date {text}: write the date as YYYY-MM-DD") from None


def cmd_pupil_leave(args: argparse.Namespace) -> int:
    from ..schoolyear import pupils

    root = project_root(args)
    if not args.reason.strip():
        raise UsageError("--reason: say why the child left (for example 'moved school')")
    date = parse_date(args.date)
    with locked(root, "amentor pupil leave"):
        changed, warnings = pupils.leave(root, args.id, date, args.reason)
    for warning in warnings:
        print(warning, file=sys.stderr)
    if date > dt.date.today():
        print(
            f"amentor: warning: {args.date} is still to come, but the next build takes {args.id} out of their "
            "class teacher's list already (a child with left: has left); to keep them there until they go, "
            "record the leaving on their last day",
            file=sys.stderr,
        )
    print(
        f"amentor: {args.id} leaves on {args.date}; from the next build no class teacher's list shows the "
        "folder (scope all still does), and a folder a class list held gets new keys (that list, kept from "
        "before, opens nothing after: the family's browser asks once to log in again, with the same "
        "letter). The folder stays, and their family's logins keep working until you revoke them. Changed:",
        file=sys.stderr,
    )
    said(root, changed)
    print(
        f"amentor: next, amentor build; {SCHOOLS_COPY.format(id=args.id)}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_rollover(args: argparse.Namespace) -> int:
    from .. import build
    from ..mkdocs_site import config_problems
    from ..schoolyear import rollover

    root = project_root(args)
    classes = rollover.read_classes([Path(f) for f in args.classes]) if args.classes else None
    warnings: list[Problem] = []

    def check(at: Path) -> tuple[Problem, ...]:  # `amentor check`'s own: its warnings are said too
        warnings.extend(build.check(at, config_problems(at, deep=True)))
        return tuple(warnings)

    terminal = sys.stdin.isatty() and sys.stderr.isatty()
    asked = ask_first(root, args.to) if terminal and not args.dry_run else []  # (before the lock: see there)
    with locked(root, "amentor rollover"):
        rolled = rollover.rollover(root, args.to, classes, check, args.dry_run)
    say_briefly([w for w in warnings + rolled.warnings if w not in asked])
    if args.dry_run:
        print(rolled.diff, end="")
        print(f"amentor: dry run: {count(len(rolled.changed), 'file')} would change:", file=sys.stderr)
        said(root, rolled.changed)
        print("amentor: nothing was written; run it again without --dry-run to turn the year", file=sys.stderr)
    else:
        print(f"amentor: rolled over to {args.to}; the finished year is frozen. Changed:", file=sys.stderr)
        said(root, rolled.changed)
    say_next(args.to, rolled.changed, classes is not None, args.dry_run, rolled.leavers)
    return EXIT_OK


def ask_first(root: Path, to: str) -> list[Problem]:
    """At a terminal, before a year whose last term has no record yet is turned (the rollover
    run again the next day, from the shell's history, would freeze the new year and make the new
    Year 6 leavers): its warning, and a question; a no (or Enter) stops here, having written
    nothing. Asked before the project's lock is taken, so that a question left unanswered holds
    up no other command, and no edit is worked out before it. Returns what it said."""
    from .. import records
    from ..schoolyear import year_end

    try:
        project = records.load(root)
    except AmentorError:
        return []  # the rollover says what is wrong, and refuses
    finished = project.school.current_year
    said = year_end.unrecorded(project, finished) if to == next_year_label(finished) else []
    if said:
        for warning in said:
            print(warning, file=sys.stderr)
        print(f"amentor: turn the year to {to} all the same, and freeze it as it is? [y/N] ", end="", file=sys.stderr)
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            raise AmentorError(f"the year was not turned: nothing was written (current_year is still {finished})")
    return said


def say_next(to: str, changed: list[Path], classes_given: bool, dry_run: bool, leavers: list[str]) -> None:
    """After a rollover (or its dry run): the classes kept where no --classes was given, and
    what to do next (build; the leavers' export)."""
    if not classes_given and any(path.name == f"{to}.yml" for path in changed):  # not for leavers alone
        how = (
            "give --classes FILE.csv with 'from_class,to_class' rows (or 'id,class' for single children)"
            if dry_run
            else f"set class: in the new year files (pupils/*/{to}.yml), then run 'amentor check'"
        )
        kept = "would keep" if dry_run else "kept"
        print(
            f"amentor: without --classes every child {kept} their class's name; where classes change at the new "
            f"year, {how}",
            file=sys.stderr,
        )
    if not dry_run:
        copy = SCHOOLS_COPY.format(id="ID")
        each = (
            f"; for the leaver, {SCHOOLS_COPY.format(id=leavers[0])}"
            if len(leavers) == 1
            else f"; for each of the {len(leavers)} leavers ({', '.join(sorted(leavers))}), {copy}"
        )
        print(f"amentor: next, amentor build{each if leavers else ''}", file=sys.stderr)


def cmd_freeze(args: argparse.Namespace) -> int:
    from .. import build
    from ..schoolyear import rollover

    root = project_root(args)
    if not valid_year_label(args.year):
        raise UsageError(f"{args.year}: an academic year label like 2025-26")
    again = (root / "frozen" / f"{args.year}.unfrozen.txt").is_file()
    with locked(root, "amentor freeze"):
        changed, carried = rollover.freeze(root, args.year, build.check)
    print(f"amentor: {args.year} is frozen{' again' if again else ''}, as its files are now:", file=sys.stderr)
    said(root, changed)
    for warning in carried:  # the next year's targets, carried before the correction
        print(warning, file=sys.stderr)
    return EXIT_OK


def cmd_unfreeze(args: argparse.Namespace) -> int:
    from ..schoolyear import rollover

    root = project_root(args)
    if not valid_year_label(args.year):  # as rollover's --to and sheet export's --year
        raise UsageError(f"{args.year}: an academic year label like 2025-26")
    if not args.reason.strip():  # as `pupil leave`: an option given with nothing in it is a usage error
        raise UsageError("--reason: say why the frozen year must change (for example 'a late test result')")
    with locked(root, "amentor unfreeze"):
        changed = rollover.unfreeze(root, args.year, args.reason)
    print(
        f"amentor: {args.year} may change again (the reason is kept in frozen/{args.year}.unfrozen.txt); "
        f"once it is corrected, freeze it again: amentor freeze {args.year}. Changed:",
        file=sys.stderr,
    )
    said(root, changed)
    return EXIT_OK


def cmd_sheet_export(args: argparse.Namespace) -> int:
    from ..schoolyear import sheet

    root = project_root(args)
    with locked(root, "amentor sheet export"):  # (its first one makes the project's key for sheets)
        rows, term = sheet.export(root, args.class_name, Path(args.output), args.term, args.year)
    # The term, said: the default (the latest term with any record) is last term's in the weeks
    # before a new term's first entry, and a teacher typing over its values would change them.
    chosen = "" if args.term else " (the latest term with any record, else the first; give --term for another)"
    print(
        f"amentor: wrote {count(rows, 'row')} for class {args.class_name}, {term}{chosen}, into {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_sheet_import(args: argparse.Namespace) -> int:
    from ..schoolyear import sheet_import

    root = project_root(args)
    path = Path(args.file)  # one that cannot be read is an error at FILE:1:A, like any whole-file problem
    with locked(root, "amentor sheet import"):
        diff, changed, warnings = sheet_import.import_sheet(root, path, args.file, args.dry_run)
    for warning in warnings:
        print(warning, file=sys.stderr)
    if args.dry_run:
        print(diff, end="")
        print(
            f"amentor: dry run: {count(diff.count(chr(10) + '+++ '), 'file')} would change; nothing was written",
            file=sys.stderr,
        )
    elif changed:
        print(f"amentor: imported {args.file}; {count(len(changed), 'file')} changed:", file=sys.stderr)
        said(root, changed)
        print("amentor: next, amentor build (the families see the changes once the site is published)", file=sys.stderr)
    else:
        print(f"amentor: imported {args.file}; nothing changed (the records already hold every value)", file=sys.stderr)
    return EXIT_OK
