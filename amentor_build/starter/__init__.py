"""The starter project shipped with the package: the theme and public pages `amentor init` copies.

The repository's own sample school links its theme/ and content/ here, so there is one copy.
"""

from __future__ import annotations

from pathlib import Path


def starter_dir() -> Path:
    """The folder holding the starter theme/ and content/."""
    return Path(__file__).resolve().parent


def theme_dir() -> Path:
    """amentor's own theme: any template a school's theme lacks comes from here."""
    return starter_dir() / "theme"
