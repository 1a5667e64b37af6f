"""The school's public pages, rendered by mkdocs: the one part of `amentor build` that imports mkdocs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from .errors import Problem, ProjectErrors, problems_or_raise
from .output import PublicPages


def check_mkdocs_config(root: Path) -> None:
    """Raise ProjectErrors if the project has no usable mkdocs.yml."""
    problems_or_raise(config_problems(root))


def config_problems(root: Path, deep: bool = False) -> list[Problem]:
    """What makes the project's mkdocs.yml unusable: its absence; with deep (`amentor check`,
    which has the time: a build finds the rest when mkdocs reads it), also what mkdocs itself
    says of it, and a missing `amentor` plugin, as warnings: the records are `check`'s to judge,
    and mkdocs' own rules may change with its version (the build stops on its errors)."""
    if not (root / "mkdocs.yml").is_file():
        return [
            Problem(
                "mkdocs.yml",
                1,
                1,
                "mkdocs.yml is missing: every project needs one (docs_dir: content, plugins: [amentor])",
            )
        ]
    return _read(root) if deep else []


def _read(root: Path) -> list[Problem]:
    """mkdocs.yml as mkdocs reads it: its errors (and warnings), one line each."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = Collected(logging.WARNING)
    said = handler.records
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        config = load_config(str(root / "mkdocs.yml"))
    except MkDocsException as exc:
        errors = [r.getMessage() for r in said if r.levelno >= logging.ERROR] or [str(exc)]
        return [located(f"a build stops here: {message}", warning=True) for message in errors]
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    found = [located(r.getMessage(), warning=True) for r in said]
    if config.plugins.get("amentor") is None:
        found.append(Problem("mkdocs.yml", 1, 1, "a build stops here: plugins: must include 'amentor'", True))
    return found


class Collected(logging.Handler):
    """Log records kept to be said as problems, not printed."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def located(message: str, warning: bool = False) -> Problem:
    """What mkdocs said of mkdocs.yml as one `mkdocs.yml:line:column` problem (the last place
    it names, where it names one: a YAML error's)."""
    places = re.findall(r"line (\d+), column (\d+)", message)
    line, column = (int(places[-1][0]), int(places[-1][1])) if places else (1, 1)
    return Problem("mkdocs.yml", line, column, " ".join(message.split()), warning)


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
            found = located(str(exc))
            message = f"mkdocs could not build the public pages: {found.message}"
            raise ProjectErrors([Problem(found.path, found.line, found.column, message)]) from exc

    return write
