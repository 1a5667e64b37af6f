"""Stage 3, render: each child's folder as HTML pages (Jinja2) with sanitised Markdown text."""

from __future__ import annotations

import functools
import html
import os
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, Template,
                    TemplateError, TemplateSyntaxError)
from markupsafe import Markup, escape

try:  # the C function markupsafe.escape itself uses for text
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # markupsafe without its C speedups: the same replacements
    def _escape_text(text: str) -> str:
        return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                .replace('"', "&#34;"))

from . import charts, judge
from .judge import Folder
from .errors import Problem, ProjectErrors
from .media import MediaError, WorkMedia, kept_media, prepare
from .model import WorkItem

# The folder's pages. Every folder has the same set (a year not at this school says so),
# so the number of pages says nothing about a child.
YEAR_PAGES = tuple(f"year-{n}" for n in range(1, 7))
PAGES = ("overview",) + YEAR_PAGES + ("targets", "assessments", "conversations", "progress", "work")
PAGE_TITLES = {"overview": "Overview", "targets": "Targets", "assessments": "Assessments",
               "conversations": "Mentoring conversations", "progress": "Progress charts", "work": "Best work",
               **{f"year-{n}": f"Year {n}" for n in range(1, 7)}}
ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "br", "a", "code", "blockquote"}


@dataclass(frozen=True)
class Attachment:
    """A file of the folder other than a page: a work image, thumbnail or PDF."""

    name: str
    media_type: str
    data: bytes
    kept: bool = False  # sealed as published: not sealed or written again
    digest: bytes | None = None  # SHA-256 of data, when the media cache knows it


@dataclass(frozen=True)
class RenderedPage:
    name: str  # one of PAGES
    title: str
    html: str  # the page's body fragment


@dataclass(frozen=True)
class RenderedFolder:
    folder: Folder
    pages: tuple[RenderedPage, ...]
    attachments: tuple[Attachment, ...]
    staff_notes: dict[str, str]  # term anchor -> sanitised HTML, for staff views only


@dataclass(frozen=True)
class Links:
    """How rendered pages point at each other and at attachments (clear or protected site)."""

    page: Callable[[str], str]
    media: Callable[[str, str], Markup]  # (name, media type) -> attributes that make an <img> show it
    href: Callable[[str, str], Markup]  # (name, media type) -> attributes that make an <a> open it


# Text with none of these characters renders the same as escaped text in a paragraph, so it
# skips the Markdown parser (most comments are plain sentences; parsing is the costly part).
MARKDOWN_SIGNS = re.compile(r"[*_`\[\]<>#\\\n&!]|^\s*(\d+[.)]|[-+>])\s")


@functools.lru_cache(maxsize=8192)
def markdown_to_html(text: str) -> Markup:
    """Render a teacher's or child's text: Markdown, with any raw HTML shown as text, then sanitised."""
    if not MARKDOWN_SIGNS.search(text):
        return Markup(f"<p>{html.escape(text, quote=False)}</p>")
    import nh3  # here, not at the top: a build that renders nothing should not pay for importing it

    md = _markdown()
    md.reset()
    rendered = md.convert(text)
    return Markup(nh3.clean(rendered, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                            url_schemes={"https", "mailto"}, link_rel="noopener noreferrer"))


@functools.lru_cache(maxsize=1)
def _markdown():
    """One Markdown parser per process (building one costs more than converting a comment)."""
    import markdown

    md = markdown.Markdown(extensions=[])
    md.preprocessors.deregister("html_block")  # typed <script> stays visible text, never markup
    md.inlinePatterns.deregister("html")
    return md


@functools.lru_cache(maxsize=256)
def chip(signal: judge.Signal) -> Markup:
    """A colour with its shape and words (a cached filter, not a macro: there are few distinct chips,
    used thousands of times)."""
    return Markup('<span class="chip chip-{}"><span class="chip-icon" aria-hidden="true">{}</span> {}</span>').format(
        signal.colour, signal.icon, signal.words)


@functools.lru_cache(maxsize=8)
def review(value: str | None) -> Markup:
    """A target's review, with a shape and words."""
    return Markup('<span class="review review-{}"><span aria-hidden="true">{}</span> {}</span>').format(
        value or "open", judge.REVIEW_ICONS[value], judge.REVIEW_WORDS[value])


def theme_fingerprint(theme: Path) -> bytes:
    """A digest of every template a build may use: the school's theme and amentor's own."""
    from .cache import tree_fingerprint

    return b"".join(tree_fingerprint(d) for d in [theme, *_builtin_theme()])


def _builtin_theme() -> list[Path]:
    from .scaffold import starter_dir
    from .errors import AmentorError

    try:
        return [starter_dir() / "theme"]
    except AmentorError:
        return []


_markup = str.__new__  # a Markup made from text already escaped, without Markup.__new__'s checks


def _escape(value) -> Markup:
    """markupsafe.escape, with the same results, for the two kinds of value a page outputs by
    the thousand: plain text (escaped in C, then wrapped) and Markup (returned as it is; escape
    would copy it). Anything else goes to markupsafe.escape."""
    if type(value) is str:
        return _markup(Markup, _escape_text(value))
    if type(value) is Markup:
        return value
    return escape(value)


class FolderEnvironment(Environment):
    """Jinja2's Environment, with each template's globals as a plain dict rather than a ChainMap
    over the environment's: every render copies them, and copying a ChainMap is slow (a fifth
    of a folder's render time). make_environment sets every global before loading a template."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


class FolderTemplate(Template):
    """A template whose `{{ ... }}` outputs are escaped by _escape (compiled templates call the
    `escape` of their module: Jinja2 imports markupsafe.escape there)."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        module = template.root_render_func.__globals__
        if module.get("escape") is escape:
            module["escape"] = _escape
        return template


def make_environment(theme: Path, bytecode: Path | None = None) -> Environment:
    """Compile-once Jinja2 environment over the theme's folder templates."""
    # The school's theme first; any template it does not have comes from amentor's own theme
    # (as mkdocs' custom_dir does), so an older theme keeps working after an upgrade.
    # auto_reload off: a build compiles each template once and never stats it again.
    search = [str(theme)] + [str(d) for d in _builtin_theme() if d.resolve() != theme.resolve()]
    cache = None
    if bytecode is not None:  # compiled templates kept between builds (keyed by template source)
        bytecode.mkdir(parents=True, exist_ok=True)
        cache = FileSystemBytecodeCache(str(bytecode))
    # autoescape=True: every template's output is escaped (as select_autoescape(default=True) would
    # say for any name, without a call per render).
    env = FolderEnvironment(loader=FileSystemLoader(search), autoescape=True, undefined=StrictUndefined,
                            trim_blocks=True, lstrip_blocks=True, auto_reload=False, bytecode_cache=cache)
    env.template_class = FolderTemplate
    env.filters["md"] = markdown_to_html
    env.filters["chip"] = chip
    env.filters["review"] = review
    env.globals.update(status_words=judge.STATUS_WORDS, review_words=judge.REVIEW_WORDS,
                       review_icons=judge.REVIEW_ICONS, page_titles=PAGE_TITLES, pages=PAGES)
    return env


def render_folder(env: Environment, folder: Folder, media: list[WorkMedia], names: Callable[[str, str], str],
                  links: Links) -> RenderedFolder:
    """Render every page of one child's folder; `names` gives each attachment its output name."""
    attachments: list[Attachment] = []
    work_views: dict[str, list[tuple[WorkMedia, str, str | None]]] = {}
    for item in media:
        full = Attachment(names(f"{item.item.rel}#full", item.full_type), item.full_type, item.full, item.kept,
                          item.full_digest)
        thumb = (Attachment(names(f"{item.item.rel}#thumb", "image/jpeg"), "image/jpeg", item.thumb, item.kept,
                            item.thumb_digest) if item.thumb is not None else None)
        attachments += [full] + ([thumb] if thumb else [])
        year = next(y.record.year for y in folder.years if item.item in y.record.work)
        work_views.setdefault(year, []).append((item, full.name, thumb.name if thumb else None))
    # Each term's parts are rendered once and placed wherever they appear (its form, the
    # targets page, the conversations page): a folder has up to eighteen terms.
    term_template = env.get_template("folder/term.html")
    target_template = env.get_template("folder/target-list.html")
    conversation_block = env.get_template("folder/macros.html").module.conversation_block
    given = folder.pupil.given_name
    terms = [t for y in folder.years for t in y.terms]
    target_lists = {t.anchor: Markup(target_template.render(term=t)) for t in terms if t.record.targets}
    conversations = {t.anchor: Markup(conversation_block(t.record.conversation, given)) for t in terms}

    def term_form(t, title: str | None) -> Markup:
        return Markup(term_template.render(term=t, given_name=given, title=title, target_list=target_lists.get(t.anchor),
                                           conversation=conversations[t.anchor]))

    term_forms = {t.anchor: term_form(t, None) for t in terms}
    if folder.current_term is not None:
        current = folder.current_term
        term_forms["current:" + current.anchor] = term_form(current, f"Current form: {current.title}")
    context = dict(f=folder, pupil=folder.pupil, school=folder.school, current=folder.current_term,
                   term_forms=term_forms, target_lists=target_lists, conversations=conversations,
                   nav=_folder_nav(env, links),
                   latest=folder.latest_year, links=links,
                   by_group={y.record.year_group: y for y in folder.years}, work=work_views,
                   charts={s: charts.attainment_chart(folder, s) for s in folder.school.subjects},
                   attendance_chart=charts.attendance_chart(folder))
    pages = []
    for name in PAGES:
        template = "folder/year.html" if name in YEAR_PAGES else f"folder/{name}.html"
        extra = {"year_group": int(name[5:])} if name in YEAR_PAGES else {}
        html = env.get_template(template).render(page=name, title=PAGE_TITLES[name], **context, **extra)
        pages.append(RenderedPage(name, PAGE_TITLES[name], html))
    notes = {t.anchor: str(markdown_to_html(t.record.staff_notes)) for y in folder.years for t in y.terms
             if t.record.staff_notes}
    return RenderedFolder(folder, tuple(pages), tuple(attachments), notes)


_navs: "weakref.WeakKeyDictionary[Environment, dict]" = weakref.WeakKeyDictionary()


def _folder_nav(env: Environment, links: Links) -> dict[str, Markup]:
    """The folder's menu as shown on each page: the same for every child, so made once per
    environment (that is, per process and version of the theme)."""
    hrefs = tuple(links.page(p) for p in PAGES)
    made = _navs.setdefault(env, {})
    if hrefs not in made:
        template = env.get_template("folder/nav.html")
        made[hrefs] = {page: Markup(template.render(page=page, links=links)) for page in PAGES}
    return made[hrefs]


def folder_media(root: Path, folder: Folder, cache: Path, problems: list[Problem],
                 keep: Callable[[WorkItem], bool] = lambda item: False) -> list[WorkMedia]:
    """Prepare every work file of a folder (unless keep says its sealed files stand as published);
    unreadable files become problems."""
    out = []
    real_root = None
    for year in folder.pupil.years:
        for item in year.work:
            if keep(item):
                out.append(kept_media(item))
                continue
            real_root = real_root or str(root.resolve()) + os.sep
            rel = item.file[len(real_root):] if item.file.startswith(real_root) else item.file
            try:
                out.append(prepare(item, cache, rel))
            except MediaError as exc:
                problems.append(exc.problem)
    return out


def render_one(env: Environment, root: Path, folder: Folder, cache: Path,
               site: tuple[Callable[[str, str], str], Links], problems: list[Problem],
               keep: Callable[[WorkItem], bool] = lambda item: False) -> RenderedFolder | None:
    """Render one folder; None (with problems added) if a work file cannot be read.

    A mistake in the school's theme raises ProjectErrors located in the template.
    """
    media = folder_media(root, folder, cache, problems, keep)
    if problems:
        return None
    names, links = site
    try:
        return render_folder(env, folder, media, names, links)
    except (TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
        # A theme is the school's own code: locate its mistake in the template, not a traceback.
        raise ProjectErrors([template_problem(exc)]) from exc


def template_problem(exc: Exception) -> Problem:
    """Locate a theme template error as theme/<template>:line:1."""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        return Problem(f"theme/{exc.name}", exc.lineno or 1, 1, f"template error: {exc.message}")
    frames = [tb for tb in _traceback_frames(exc) if tb.tb_frame.f_code.co_filename.endswith(".html")]
    if frames:
        code = frames[-1].tb_frame.f_code.co_filename
        rel = code.split("/theme/", 1)[-1]
        return Problem(f"theme/{rel}", frames[-1].tb_lineno, 1, f"template error: {exc}")
    return Problem("theme/folder", 1, 1, f"template error: {exc}")


def _traceback_frames(exc: BaseException):
    tb = exc.__traceback__
    while tb is not None:
        yield tb
        tb = tb.tb_next
