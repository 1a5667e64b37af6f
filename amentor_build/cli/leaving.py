"""`amentor export ID -o FILE.html [--archive FILE.zip]`: the command-line edge of leaving.py.

Each command imports what it uses when it runs, so that every other command starts without it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import AmentorError, UsageError
from .common import EXIT_OK, Commands, add_project, locked, project_root


def add_export_command(sub: Commands) -> None:
    """Register `amentor export` on the command line's subcommands."""
    about = "write a child's whole folder as one encrypted HTML file (the leaving folder)"
    p = sub.add_parser("export", help=about, description=about)
    p.add_argument("pupil_id", metavar="ID", help="the pupil's id")
    p.add_argument("-o", "--output", metavar="FILE.html", required=True, help="the leaving folder to write")
    p.add_argument("--archive", metavar="FILE.zip", help="also write the school's retention copy (a zipped BagIt bag)")
    add_project(p)
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """Export the folder, then print its new password once (stdout) and what was written (stderr)."""
    from ..leaving import export_folder

    root = project_root(args)
    html_path = Path(args.output)
    archive = Path(args.archive) if args.archive else None
    if html_path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o {html_path}: the leaving folder is a web page: name it FILE.html")
    if archive is not None and archive.suffix.lower() != ".zip":
        raise UsageError(f"--archive {archive}: the retention copy is a zip file: name it FILE.zip")
    if archive is not None and archive.resolve() == html_path.resolve():
        raise UsageError("-o and --archive name the same file")

    def show(password: str) -> None:  # before the files are put in place: said, or nothing is replaced
        try:
            print(f"password: {password}")
            sys.stdout.flush()
        except OSError as exc:
            said = f"the password could not be shown ({exc.strerror or exc}); the export was not written"
            raise AmentorError(said) from exc

    with locked(root, "amentor export"):
        export_folder(root, args.pupil_id, html_path, archive, show)
    print(
        f"amentor: wrote the leaving folder of {args.pupil_id} to {html_path.resolve()}; it opens with the "
        "password above, which is shown once and not stored",
        file=sys.stderr,
    )
    if archive is not None:
        print(f"amentor: wrote the school's retention copy (a BagIt bag) to {archive.resolve()}", file=sys.stderr)
    return EXIT_OK
