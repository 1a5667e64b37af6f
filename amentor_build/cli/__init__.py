"""The `amentor` command line: the only place that prints errors and chooses exit codes.

This door loads nothing of amentor's: `main` loads the commands (`commands.py`, and with them
the records) inside its handling of Ctrl+C, so a Ctrl+C while Python loads them (a third of a
second on a slow machine) is said as any other: `amentor: interrupted`, exit 130, no
traceback. What a command loads later is inside `commands.main`'s own handling.
"""

from __future__ import annotations

import signal
import sys


def run() -> None:
    """The `amentor` command: main, then the exit. A Ctrl+C once the command is done can change
    nothing, so it is ignored, not let turn the exit (Python's shutdown) into a traceback."""
    try:
        code = main()
    except KeyboardInterrupt:  # in main's last steps, past its own handler
        print("amentor: interrupted", file=sys.stderr)
        code = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` (else the process's arguments) names; its exit code."""
    try:
        from .commands import main as command

        return command(argv)
    except KeyboardInterrupt:  # while the commands load, or between their handler and here
        print("amentor: interrupted", file=sys.stderr)
        return 130
