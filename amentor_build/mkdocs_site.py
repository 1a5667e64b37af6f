"""The school's public pages, rendered by mkdocs: the one part of `amentor build` that imports mkdocs."""

from __future__ import annotations

import logging
from pathlib import Path

from .errors import Problem, ProjectErrors, problems_or_raise
from .output import PublicPages


def check_mkdocs_config(root: Path) -> None:
    """Raise ProjectErrors if the project has no usable mkdocs.yml."""
    problems_or_raise(config_problems(root))


def config_problems(root: Path) -> list[Problem]:
    """What makes the project's mkdocs.yml unusable (nothing, if it is there)."""
    if (root / "mkdocs.yml").is_file():
        return []
    return [
        Problem(
            "mkdocs.yml", 1, 1, "mkdocs.yml is missing: every project needs one (docs_dir: content, plugins: [amentor])"
        )
    ]


def public_pages(root: Path) -> PublicPages:
    """Return a writer of the public pages that runs a real mkdocs build into a given folder."""

    def write(target: Path) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        try:
            config = load_config(str(root / "mkdocs.yml"), site_dir=str(target))
            plugin = config.plugins.get("amentor")
            if plugin is None:
                raise ProjectErrors([Problem("mkdocs.yml", 1, 1, "plugins: must include 'amentor'")])
            plugin.public_only = True  # folders are published by the pipeline itself
            build(config)
        except MkDocsException as exc:
            raise ProjectErrors(
                [Problem("mkdocs.yml", 1, 1, f"mkdocs could not build the public pages: {exc}")]
            ) from exc

    return write
