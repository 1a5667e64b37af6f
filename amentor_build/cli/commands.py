"""The commands of `amentor` and their parser: `main` says every error and chooses the exit code."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import AmentorError, Problem, UsageError
from .common import (
    EXIT_OK,
    EXIT_PROJECT,
    EXIT_USAGE,
    NEW_KEYSTORE,
    Commands,
    Parser,
    add_project,
    count,
    enclosing_project,
    help_of,
    leaf,
    locked,
    project_root,
    say_briefly,
    site_dir,
)

if TYPE_CHECKING:  # imported by the commands that build, inside main: a Ctrl+C while it loads is said as one
    from .. import build

Handler = Callable[[argparse.Namespace], int]


def main(argv: list[str] | None = None) -> int:
    args = None  # (a usage error is said with the usage of the command given)
    try:
        parser = make_parser()  # (it imports what the commands' options need: Ctrl+C may come here too)
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # said with the usage of the command that was given them
            args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        if not getattr(args, "handler", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return args.handler(args) or EXIT_OK
    except AmentorError as exc:  # the one place errors become text and an exit code
        command = getattr(args, "command_parser", None)
        if isinstance(exc, UsageError) and command is not None:  # with its usage, as argparse says its own
            command.print_usage(sys.stderr)
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # one the command did not expect (a full disk, say): said as any error
        from ..disk import failed_path

        named = failed_path(exc)
        where = f"{named}:1:1:" if named else "amentor:"
        print(f"{where} {exc.strerror or exc}; the command stopped there", file=sys.stderr)
        return EXIT_PROJECT
    except KeyboardInterrupt:  # Ctrl+C: what each command leaves then is in the README ("switched off")
        print("amentor: interrupted", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="amentor", description="Digital Assertive Mentoring folders.")
    parser.add_argument("--version", action="version", version=f"amentor {__version__}")
    # `amentor -p DIR check`, as git's -C goes: the same as `amentor check -p DIR` (said there in the help)
    parser.add_argument(
        "-p", "--project", dest="project_before", metavar="DIR", action="append", help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, handler: Handler, help: str, project: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if project:
            add_project(p)
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "scaffold a new school project with two example pupils", project=False)
    p.add_argument("directory", metavar="DIR")
    command("check", cmd_check, "validate every record; writes nothing")
    p = command("build", cmd_build, "check, render, protect and publish the site atomically")
    p.add_argument("-d", "--site-dir", metavar="SITE_DIR", help="output directory (default: site/)")
    p.add_argument("-v", "--verbose", action="store_true", help="also print the time each stage took")
    p.add_argument(
        "--new-keystore",
        action="store_true",
        help="start a new keystore even though the site has logins (after losing it)",
    )
    p = command("serve", cmd_serve, "local preview on 127.0.0.1, rebuilt when records change")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("-d", "--site-dir", metavar="SITE_DIR", help="output directory (default: site/)")
    add_login_commands(sub)
    from .leaving import add_export_command
    from .year import add_year_commands

    add_year_commands(sub)
    add_export_command(sub)
    return parser


def add_login_commands(sub: Commands) -> None:
    """`amentor logins issue|revoke|list`: each leaf takes -p like every other command."""
    from . import logins as cli_logins

    logins = sub.add_parser(
        "logins",
        help="issue, revoke and list logins (one per adult)",
        description="Logins: one per guardian and per staff member.",
    )
    actions = logins.add_subparsers(metavar="ACTION")
    p = leaf(actions, "issue", "create logins; prints each password once")
    p.add_argument("--pupil", metavar="ID", help="a child's guardians (all not yet issued, or --guardian's)")
    p.add_argument("--guardian", metavar="KEY", help="one guardian of --pupil, by their key in pupil.yml")
    p.add_argument("--staff", metavar="KEY", help="a staff member, by their key in school.yml")
    p.add_argument(
        "--all",
        action="store_true",
        help="issue every login again, those issued before too (each a reset), or with --pupil every "
        "guardian of that child; a revoked one only when named",
    )
    p.add_argument("--letters", metavar="DIR", help="write a printable letter per login into DIR")
    p.add_argument("--json", action="store_true", help="print the logins as JSON on stdout")
    p.set_defaults(handler=cli_logins.cmd_issue)
    p = leaf(
        actions,
        "revoke",
        "remove one login; its folder's key is rotated",
        "%(prog)s (--pupil ID --guardian KEY | --staff KEY) [-p DIR]",
    )
    p.add_argument("--pupil", metavar="ID")
    p.add_argument("--guardian", metavar="KEY")
    p.add_argument("--staff", metavar="KEY")
    p.set_defaults(handler=cli_logins.cmd_revoke)
    p = leaf(actions, "list", "who has a login, issued when (no secrets)")
    p.add_argument("--json", action="store_true", help="print them as JSON on stdout")
    p.set_defaults(handler=cli_logins.cmd_list)
    for action in actions.choices.values():
        add_project(action)
    logins.set_defaults(handler=help_of(logins))


def print_warnings(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        print(warning, file=sys.stderr)


def cmd_init(args: argparse.Namespace) -> int:
    from ..scaffold import init_project

    if args.project_before:
        raise UsageError(f"-p {args.project_before[0]}: init makes a new project, in the directory it is given")
    target = Path(args.directory)
    above = enclosing_project(target)
    if above is not None:  # content/x would be published; pupils/x read as a child's records
        from ..places import refuse_published, refuse_records

        refuse_published(above, target, "a school project")
        refuse_records(above, target, "a school project", "would be read as part of that project")
    init_project(target)
    print(
        f"Created a school project in {target.resolve()}, with two example pupils. Next:\n"
        f"  cd {shlex.quote(str(target))}\n"  # a name with spaces or an apostrophe still pastes
        "  # first make it your school's: its name, classes and staff in school.yml, its name and the\n"
        "  # folders' web address in mkdocs.yml (site_name, site_url); your children added (amentor pupil\n"
        "  # add --from your MIS export), the two example pupils taken out of pupils/\n"
        "  amentor check            # every mistake in the records, with its file and line\n"
        "  amentor logins issue --letters letters/   # a login and a letter for each guardian and staff member\n"
        "  amentor build            # the site, into site/\n"
        "  amentor serve            # a preview at http://127.0.0.1:8000/"
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    root = project_root(args)
    from ..mkdocs_site import config_problems
    from ..schoolyear.journal import JOURNAL

    if (root / ".amentor" / JOURNAL).exists():  # check writes nothing, so it leaves the journal as it is
        print(
            f"amentor: .amentor/{JOURNAL}: an edit of the records is under way in another command, or was "
            "interrupted; the next command that writes (such as 'amentor build') finishes or undoes it: "
            "run one, then check again, before changing anything by hand",
            file=sys.stderr,
        )
    from .. import build

    warnings = build.check(root, config_problems(root, deep=True))
    print_warnings(warnings)
    print(f"amentor: no errors ({count(len(warnings), 'warning')})", file=sys.stderr)
    return EXIT_OK


def run_build(root: Path, target: Path, verbose: bool = False, new_keystore: bool = False) -> build.BuildReport:
    """Check first, then build atomically with mkdocs for the public pages; print a summary."""
    from .. import build
    from ..mkdocs_site import check_mkdocs_config, public_pages

    check_mkdocs_config(root)
    started = time.perf_counter()
    with locked(root, "amentor build"):
        report = build.build(root, target, public_pages(root), new_keystore=new_keystore, progress=print_progress)
    say_briefly(list(report.warnings))
    if report.new_keystore:
        print(NEW_KEYSTORE, file=sys.stderr)
    print(
        f"amentor: built {count(report.pupils, 'folder')} ({rendered(len(report.rebuilt), report.pupils)}) "
        f"into {target} in {time.perf_counter() - started:.1f}s; {count(len(report.warnings), 'warning')}; "
        f"every folder encrypted, privacy audit passed",
        file=sys.stderr,
    )
    if not report.logins:
        print(
            "amentor: no login is issued yet, so no one can open a folder: run 'amentor logins issue'", file=sys.stderr
        )
    if verbose:
        print("amentor: stages: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items()), file=sys.stderr)
    return report


def rendered(rebuilt: int, total: int) -> str:
    """How many folders a build rendered again, as the summary line says it."""
    if rebuilt == total:
        return "all rendered" if total else "no pupils yet"
    if rebuilt == 0:
        return "none changed"
    return f"{rebuilt} rendered, the rest unchanged"


def print_progress(what: str, done: int, total: int) -> None:
    """A line every tenth of a long job, so a big school's first build does not look stuck."""
    step = max(1, total // 10)
    if total >= 50 and (done % step == 0 or done == total):
        print(f"amentor: {what}: {done}/{total}", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> int:
    root = project_root(args)
    run_build(root, site_dir(args, root), args.verbose, args.new_keystore)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from ..serve import serve

    root = project_root(args)
    serve(root, site_dir(args, root), args.port, lambda: run_build(root, site_dir(args, root)))
    return EXIT_OK
