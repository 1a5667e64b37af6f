"""The school's public pages, rendered by mkdocs: the one part of `amentor build` that imports mkdocs."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ProjectErrors, problems_or_raise
from .output import PublicPages
from .starter import EXAMPLE_NAME, EXAMPLE_SITE_URL, starter_dir, stock_copies, theme_dir


def check_mkdocs_config(root: Path) -> None:
    """Raise ProjectErrors if the project has no usable mkdocs.yml."""
    problems_or_raise(config_problems(root))


def config_problems(root: Path, deep: bool = False) -> list[Problem]:
    """What makes the project's mkdocs.yml unusable: its absence; with deep (`amentor check`,
    which has the time: a build finds the rest when mkdocs reads it), also what mkdocs itself
    says of it, and a missing `amentor` plugin: an error where a build would stop (a `check`
    that passes is one a build passes too: a school's CI gate), mkdocs' warnings as warnings."""
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

    with mkdocs_log() as said:
        try:
            config = load_config(str(root / "mkdocs.yml"))
        except MkDocsException as exc:
            errors = [r.getMessage() for r in said if r.levelno >= logging.ERROR] or [str(exc)]
            return [located(root, f"a build stops here: {message}") for message in errors]
    found = [located(root, r.getMessage(), warning=True) for r in said]
    docs_dir = Path(os.path.relpath(config.docs_dir, root)).as_posix()
    found += home_page_problems(root, docs_dir) + pages_not_utf8(root, docs_dir)
    if config.plugins.get("amentor") is None:
        found.append(Problem("mkdocs.yml", 1, 1, "a build stops here: plugins: must include 'amentor'"))
    return found + theme_elsewhere(root, config) + site_elsewhere(root, config) + example_left(root, config)


def site_elsewhere(root: Path, config: Any) -> list[Problem]:
    """A site_dir other than site/: `mkdocs build` writes there, but `amentor build` publishes to
    site/ (SPEC) unless given -d, so a host serving site_dir would go on serving an old site."""
    named = Path(os.path.relpath(config.site_dir, root)).as_posix()
    if named == "site":
        return []
    line, column = _place_of(root / "mkdocs.yml", r"^[^#]*?\b(site_dir)\s*:")
    said = (
        f"site_dir is {named}/, where `mkdocs build` writes, but `amentor build` publishes to site/ "
        f"unless told otherwise: run `amentor build -d {config.site_dir}`, or take site_dir out"
    )
    return [Problem("mkdocs.yml", line, column, said, True)]


def example_left(root: Path, config: Any) -> list[Problem]:
    """The example school's name or address that `amentor init` wrote, left in one place once the
    school has put its own in the other: the public pages are headed with mkdocs.yml's site_name,
    the folders and letters with school.yml's name, and the letters send families to site_url.
    (The sample school, all example, is said nothing.)"""
    try:
        school = yaml.safe_load((root / "school.yml").read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeError, yaml.YAMLError):
        return []  # said by the records' check
    name = school.get("name") if isinstance(school, dict) else None
    if not isinstance(name, str) or not isinstance(config.site_name, str):
        return []
    site_name, example = config.site_name, f"still the example's ({EXAMPLE_NAME})"
    named, headed = _same(name, EXAMPLE_NAME), _same(site_name, EXAMPLE_NAME)
    left = []  # (file, key, what is said)
    if headed and not named:
        said = f"but school.yml names the school '{name}': the public pages are headed with site_name"
        left.append(("mkdocs.yml", "site_name", f"site_name is {example}, {said} (write the name there too)"))
    if named and not headed:
        said = f"but mkdocs.yml's site_name is '{site_name}': the folders and the letters say name"
        left.append(("school.yml", "name", f"name is {example}, {said} (write the name there too)"))
    if not (named and headed) and config.site_url == EXAMPLE_SITE_URL:
        said = f"site_url is still the example's ({EXAMPLE_SITE_URL}): the letters send families there"
        left.append(("mkdocs.yml", "site_url", f"{said}; write the folders' own address"))
    return [Problem(file, *_place_of(root / file, rf"^({key})\s*:"), message, True) for file, key, message in left]


def _same(name: str, other: str) -> bool:
    """Two names written alike but for capitals and spaces."""
    return name.casefold().split() == other.casefold().split()


def theme_elsewhere(root: Path, config: Any) -> list[Problem]:
    """A custom_dir other than theme/ (SPEC: the site's templates are theme/'s): the public pages
    would follow it, but the folders, the staff area and the letters are made from theme/ (and
    amentor's own templates where it lacks one), so a change there would be silently passed by."""
    theme = school_theme(config)
    if theme is None or os.path.realpath(theme) == os.path.realpath(root / "theme"):
        return []
    named = Path(os.path.relpath(theme, root)).as_posix()
    line, column = _place_of(root / "mkdocs.yml", r"^[^#]*?\b(custom_dir)\s*:")  # the key, not a comment naming it
    return [
        Problem(
            "mkdocs.yml",
            line,
            column,
            f"theme: custom_dir is {named}/, but the folders, the staff area and the letters are made from "
            "theme/ (amentor's own templates where it has none): keep the school's theme in theme/ "
            "(custom_dir: theme)",
            True,
        )
    ]


@contextlib.contextmanager
def mkdocs_log() -> Iterator[list[logging.LogRecord]]:
    """What mkdocs logs (warnings and errors) while in the block, kept to be said as problems,
    not printed as it comes: every message reaches the user as `path:line:column: message`."""
    handler = Collected(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


class Collected(logging.Handler):
    """Log records kept to be said as problems, not printed."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


DOC_FILE = re.compile(r"Doc file '([^']+)' contains [^']*'([^']*)'")  # a page's link mkdocs cannot follow
CONFIG_VALUE = re.compile(r"Config value '([\w-]+)")  # a key of mkdocs.yml


def located(root: Path, message: str, warning: bool = False, docs_dir: str = "content") -> Problem:
    """What mkdocs said as one problem, at the place it concerns: a YAML error's line and column
    in mkdocs.yml (the last place it names); a page's link at its line under docs_dir; a
    setting of mkdocs.yml at the line of its key; else mkdocs.yml's first line."""
    text = " ".join(message.split())
    places = re.findall(r"line (\d+), column (\d+)", message)
    if places:
        return Problem("mkdocs.yml", int(places[-1][0]), int(places[-1][1]), text, warning)
    link = DOC_FILE.search(message)
    if link:
        page = f"{docs_dir}/{link[1]}"
        return Problem(page, _line_of(root / page, re.escape(link[2])), 1, text, warning)
    key = CONFIG_VALUE.search(message)
    # a key written twice: the one YAML keeps, the last
    line = _line_of(root / "mkdocs.yml", rf"^{re.escape(key[1])}\s*:", last=True) if key else 1
    return Problem("mkdocs.yml", line, 1, text, warning)


def not_utf8(root: Path, docs_dir: str, said: list[logging.LogRecord], exc: UnicodeDecodeError) -> Problem:
    """A public page mkdocs could not read as UTF-8 (it names the file in its log)."""
    named = [m[1] for r in said if (m := re.match(r"Encoding error reading file: (.+)", r.getMessage()))]
    page = f"{docs_dir}/{Path(named[0]).as_posix()}" if named else ""
    found = pages_not_utf8(root, docs_dir) if page else []
    return next((p for p in found if p.path == page), Problem(page or docs_dir, 1, 1, f"not UTF-8 text ({exc.reason})"))


def home_page_problems(root: Path, docs_dir: str = "content") -> list[Problem]:
    """No home page (index.md, or README.md as mkdocs takes it): no page holds the login form."""
    if any((root / docs_dir / name).is_file() for name in ("index.md", "README.md")):
        return []
    return [Problem(f"{docs_dir}/index.md", 1, 1, "missing: the home page, where families log in to open a folder")]


def pages_not_utf8(root: Path, docs_dir: str = "content") -> list[Problem]:
    """Each Markdown page of the public pages that is not UTF-8 text (mkdocs stops on it), at the
    line and column of its first character that is not (`check`, and before `mkdocs build`)."""
    found = []
    for path in sorted((root / docs_dir).rglob("*.md")):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", errors="replace")) + 1
            message = "not UTF-8 text; save the file as UTF-8 (an editor's 'ANSI' is Windows-1252)"
            found.append(Problem(path.relative_to(root).as_posix(), line, column, message))
    return found


def _line_of(path: Path, pattern: str, last: bool = False) -> int:
    """The first line of a file where the pattern is found, or the last (1 if nowhere, or unreadable)."""
    return _place_of(path, pattern, last)[0]


def _place_of(path: Path, pattern: str, last: bool = False) -> tuple[int, int]:
    """The line and column of the pattern's first match in a file, or its last: the column of its
    first group if it has one, else of the match ((1, 1) if nowhere, or unreadable)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1, 1
    found = [
        (n, match.start(1 if match.re.groups else 0) + 1)
        for n, line in enumerate(lines, 1)
        if (match := re.search(pattern, line))
    ]
    return (found[-1] if last else found[0]) if found else (1, 1)


def with_amentor_theme(config: Any) -> None:
    """amentor's own theme behind the school's, before mkdocs' built-in templates: a template or
    asset the school's theme lacks (an older theme without partials/login.html, one that dropped
    assets/amentor.js, which opens the folders) comes from amentor's, as folder templates do
    (render.theme.search_path). A base theme the school chose (`name: mkdocs`) still comes first."""
    dirs: list[str] = config.theme.dirs
    builtin = str(theme_dir())
    if any(os.path.realpath(d) == os.path.realpath(builtin) for d in dirs):
        return  # the school's theme is amentor's own (the sample school links it)
    mkdocs_own = next(
        (i for i, d in enumerate(dirs) if Path(d).parent.name == "mkdocs" and Path(d).name == "templates"), len(dirs)
    )
    dirs.insert(mkdocs_own, builtin)


def school_theme(config: Any) -> Path | None:
    """The school's theme folder (mkdocs.yml's custom_dir), if it names one."""
    custom = config.theme.custom_dir
    return Path(custom) if custom else None


def theme_loader(config: Any) -> Any:
    """A loader of the public pages' templates, as mkdocs' own but passing over the school's
    stock copies of amentor's theme (starter.stock_copies): they come from amentor's installed
    theme, as the folders' templates do."""
    from .render.theme import ThemeLoader  # the folders' loader (Jinja2's public loader API)

    theme = school_theme(config)
    return ThemeLoader(config.theme.dirs, theme) if theme is not None else None


def installed_files(files: Any, config: Any) -> Any:
    """mkdocs' list of files (in its order, which the sitemap keeps) with each stock copy
    (starter.stock_copies) swapped for amentor's installed file: of the school's theme
    (assets/amentor.js, which opens the folders, say), and of its public pages (a guide for
    parents that an older version wrote)."""
    from mkdocs.structure.files import File, Files

    theme = school_theme(config)
    folders = [(Path(config.docs_dir), "content")] + ([(theme, "theme")] if theme is not None else [])
    # By the path mkdocs found each file at (through links, as stock_copies walks), not resolved.
    stock = {(os.path.abspath(folder), part): stock_copies(folder, part) for folder, part in folders}
    if not any(stock.values()):
        return files

    def installed(file: Any) -> Any:
        """The file to publish for this one of mkdocs'."""
        src = Path(os.path.abspath(file.abs_src_path)) if file.abs_src_path else None
        for (base, part), copies in stock.items():
            if src is not None and src.is_relative_to(base) and (rel := src.relative_to(base).as_posix()) in copies:
                own = starter_dir() / part
                if part == "content":  # a page, as the school's would be, from the installed file
                    return File.generated(config, file.src_uri, abs_src_path=str(own / rel), inclusion=file.inclusion)
                return File(rel, str(own), config.site_dir, config.use_directory_urls)
        return file

    return Files([installed(f) for f in files])


def has_content_block(config: Any) -> bool:
    """Does the theme's main.html (the one the build uses) have the `content` block amentor's
    404.html fills? An older theme the school changed may have none."""
    from jinja2 import Environment, FileSystemLoader, TemplateNotFound

    loader = theme_loader(config) or FileSystemLoader(config.theme.dirs)
    try:
        source, _, _ = loader.get_source(Environment(), "main.html")
    except (TemplateNotFound, OSError, UnicodeDecodeError):  # none, or unreadable: mkdocs says so
        return False
    return "{% block content %}" in str(source)


def login_form_problem(root: Path, index: Path) -> Problem | None:
    """The home page must hold the login form (SPEC 4: inputs named code and password): without
    it no family can open a folder. A theme that is not amentor's (`theme: {name: mkdocs}`), or
    no content/index.md, loses it."""
    try:
        html = index.read_text(encoding="utf-8", errors="replace")
    except OSError:  # no home page at all
        return Problem("content/index.md", 1, 1, "missing: the home page, where families log in to open a folder")
    if all(re.search(rf"""name\s*=\s*["']?{name}\b""", html) for name in ("code", "password")):
        return None
    return Problem(
        "mkdocs.yml",
        _line_of(root / "mkdocs.yml", r"^theme\s*:"),
        1,
        "theme: the home page (index.html, from content/index.md) has no login form, so no family could "
        "open a folder; amentor's theme puts it there: theme: {name: null, custom_dir: theme}",
    )


def public_pages(root: Path) -> PublicPages:
    """Return a writer of the public pages that runs a real mkdocs build into a given folder and
    returns what mkdocs warned of (a link to no page, say) as warnings."""

    def write(target: Path) -> tuple[Problem, ...]:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        from .render import theme_mistakes

        docs_dir = "content"
        with mkdocs_log() as said:
            try:
                config = load_config(str(root / "mkdocs.yml"), site_dir=str(target))
                docs_dir = Path(os.path.relpath(config.docs_dir, root)).as_posix()
                plugin = config.plugins.get("amentor")
                if plugin is None:
                    raise ProjectErrors([Problem("mkdocs.yml", 1, 1, "plugins: must include 'amentor'")])
                plugin.public_only = True  # folders are published by the pipeline itself
                with theme_mistakes():  # the school's theme: its mistake at its template and line
                    build(config)  # the plugin puts amentor's theme behind the school's (with_amentor_theme)
            except UnicodeDecodeError as exc:  # a page saved as Windows-1252 ("ANSI"), say
                raise ProjectErrors([not_utf8(root, docs_dir, said, exc)]) from exc
            except MkDocsException as exc:
                # Its reasons were logged (a setting's error; or, with `strict: true`, each
                # warning); the exception says only that it stopped.
                errors = [r.getMessage() for r in said if r.levelno >= logging.ERROR] or [str(exc)]
                stopped = [
                    located(root, f"mkdocs could not build the public pages: {m}", False, docs_dir) for m in errors
                ]
                warned = [
                    located(root, f"mkdocs: {r.getMessage()}", True, docs_dir)
                    for r in said
                    if r.levelno < logging.ERROR
                ]
                raise ProjectErrors(stopped + warned) from exc
        no_login = login_form_problem(root, target / "index.html")
        if no_login is not None:
            raise ProjectErrors([no_login])
        return tuple(located(root, f"mkdocs: {r.getMessage()}", True, docs_dir) for r in said)

    return write
