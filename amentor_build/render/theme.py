"""The school's theme (Jinja2 templates) over amentor's own, and locating a mistake in it."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)

from .. import judge, starter
from ..errors import Problem, ProjectErrors
from ..model import class_title, heading
from . import text

# The folder's pages. Every folder has the same set (a year not at this school says so),
# so the number of pages says nothing about a child.
YEAR_PAGES = tuple(f"year-{n}" for n in range(1, 7))
PAGES = ("overview",) + YEAR_PAGES + ("targets", "assessments", "conversations", "progress", "work")
PAGE_TITLES = {
    "overview": "Overview",
    "targets": "Targets",
    "assessments": "Assessments",
    "conversations": "Mentoring conversations",
    "progress": "Progress charts",
    "work": "Best work",
    **{f"year-{n}": f"Year {n}" for n in range(1, 7)},
}


def search_path(theme: Path) -> list[Path]:
    """The school's theme first; any template it does not have comes from amentor's own theme
    (as mkdocs' custom_dir does), so an older theme keeps working after an upgrade."""
    builtin = starter.theme_dir()
    return [theme] + ([builtin] if builtin.resolve() != theme.resolve() else [])


class ThemeLoader(BaseLoader):
    """Templates from folders searched in order, the school's theme among them, a stock copy of
    the school's (starter.stock_copies) read from amentor's installed theme instead, whatever
    other theme (mkdocs' own, say) lies between."""

    def __init__(self, folders: Sequence[str | Path], theme: Path):
        self.stock = starter.stock_copies(theme)
        self.everywhere = FileSystemLoader([str(f) for f in folders])
        self.installed = FileSystemLoader(str(starter.theme_dir()))

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Any]:
        return (self.installed if template in self.stock else self.everywhere).get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.everywhere.list_templates()


def theme_file(theme: Path, rel: str) -> Path | None:
    """The file the build uses for theme-relative path rel: the school's, else amentor's."""
    if rel in starter.stock_copies(theme):
        return starter.theme_dir() / rel
    return next((f / rel for f in search_path(theme) if (f / rel).is_file()), None)


def make_environment(theme: Path, compiled: Path | None = None) -> Environment:
    """A Jinja2 environment over the theme's folder templates; with `compiled`, a directory where
    Jinja2 keeps compiled templates between builds (keyed by each template's source)."""
    cache = None
    if compiled is not None:
        compiled.mkdir(mode=0o700, parents=True, exist_ok=True)  # Jinja2 writes its files 0600
        cache = FileSystemBytecodeCache(str(compiled))
    env = Environment(
        loader=ThemeLoader(search_path(theme), theme),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=cache,
    )
    env.filters["md"] = text.markdown_filter()
    env.filters["md_line"] = text.markdown_filter(inline=True)
    env.filters["chip"] = text.chip
    env.filters["review"] = text.review
    env.filters["heading"] = heading
    env.filters["class_title"] = class_title
    env.globals.update(
        status_words=judge.STATUS_WORDS,
        review_words=judge.REVIEW_WORDS,
        review_icons=judge.REVIEW_ICONS,
        page_titles=PAGE_TITLES,
        pages=PAGES,
    )
    return env


def theme_digest(theme: Path) -> bytes:
    """A SHA-256 over every template a build may use: the school's theme and amentor's own."""
    digest = hashlib.sha256()
    for folder in search_path(theme):
        for path in starter.files_under(folder):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def syntax_problems(theme: Path) -> list[Problem]:
    """Each template of the school's theme (public pages, folders, letters) that Jinja2 cannot
    parse, at its line: `amentor check` says what a build would stop on."""
    public = Environment(extensions=["jinja2.ext.i18n"])  # as mkdocs': its themes use {% trans %}
    folders = make_environment(theme)  # amentor's own: compiled, so an unknown filter is found too
    stock = starter.stock_copies(theme)  # not used: amentor's installed file is
    found = []
    for path in sorted(theme.rglob("*.html")) if theme.is_dir() else []:
        name = path.relative_to(theme).as_posix()
        if name in stock:
            continue
        try:
            if name.startswith(("folder/", "letters/")):
                folders.get_template(name)
            else:
                public.parse(path.read_text(encoding="utf-8"), name=name)
        except TemplateSyntaxError as exc:
            found.append(template_problem(exc))
        except (OSError, UnicodeDecodeError) as exc:
            found.append(Problem(f"theme/{name}", 1, 1, f"template error: cannot be read ({exc})"))
        else:
            found += older_form(path, name)
    return found


def older_form(path: Path, name: str) -> list[Problem]:
    """A school's own term form from before the current form carried a half-entered term's
    earlier marks (judge.Folder.form): without `since`, those would read as the term's own."""
    if name != "folder/term.html" or ".since" in path.read_text(encoding="utf-8"):
        return []
    said = (
        "this term form, the school's own, does not show `since`: in a current form, the marks and "
        "colours of earlier in the year would read as the term's own; take over amentor's "
        "`row-term` spans (CHANGELOG, Upgrading from 0.1.0)"
    )
    return [Problem(f"theme/{name}", 1, 1, said, warning=True)]


AMENTOR = Path(__file__).resolve().parents[1]  # amentor's own code

# What a template's mistake raises as it runs: `{{ 1 / 0 }}`, `{{ x.y }}` on a number, a filter given a list...
RUN_ERRORS = (TypeError, AttributeError, LookupError, ValueError, ArithmeticError)


@contextlib.contextmanager
def theme_mistakes() -> Iterator[None]:
    """Turn a mistake of the school's theme (a template error, or one raised while a template
    ran) into ProjectErrors at its template and line. amentor's own errors pass through as they
    are: a bug is a traceback to report, never blamed on the school's templates."""
    try:
        yield
    except TemplateError as exc:
        raise ProjectErrors([template_problem(exc)]) from exc
    except RUN_ERRORS as exc:
        if not in_template(exc):
            raise
        raise ProjectErrors([template_problem(exc)]) from exc


def macro(env: Environment, template: str, name: str) -> Any:
    """A macro of a theme's template, to call from Python; a theme without it is told which."""
    found = getattr(env.get_template(template).module, name, None)
    if not callable(found):
        raise ProjectErrors(
            [Problem(f"theme/{template}", 1, 1, f"template error: no macro '{name}' (amentor's own theme has it)")]
        )
    return found


def in_template(exc: BaseException) -> bool:
    """Did the error happen in a template (a frame of a .html file in its traceback), and not
    inside amentor's own code a template called (a filter of ours: our bug, not the theme's)?"""
    innermost = exc.__traceback__
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    where = Path(innermost.tb_frame.f_code.co_filename) if innermost is not None else None
    ours = where is not None and where.suffix == ".py" and where.is_relative_to(AMENTOR)  # (not its starter templates)
    return bool(_template_frames(exc)) and not ours


def _template_frames(exc: BaseException) -> list[TracebackType]:
    """The frames of the error's traceback that run a template, outermost first."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".html"):
            frames.append(tb)
        tb = tb.tb_next
    return frames


def template_problem(exc: Exception) -> Problem:
    """Locate a theme template error as theme/<template>:line:1."""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        return Problem(f"theme/{exc.name}", exc.lineno or 1, 1, f"template error: {exc.message}")
    frames = _template_frames(exc)
    if frames:
        rel = frames[-1].tb_frame.f_code.co_filename.rsplit("/theme/", 1)[-1]  # (a project may lie in a theme/ too)
        return Problem(f"theme/{rel}", frames[-1].tb_lineno, 1, f"template error: {exc}")
    return Problem("theme/folder", 1, 1, f"template error: {exc}")
