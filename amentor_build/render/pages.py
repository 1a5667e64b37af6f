"""Stage 3, render: one child's judged folder as HTML pages and the attachments they show."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup

from ..errors import ProjectErrors
from ..judge import Folder, JudgedTerm
from ..records import work_file
from . import charts, guide
from .media import Media, MediaError, WorkMedia, prepare
from .theme import PAGE_TITLES, PAGES, YEAR_PAGES, macro, theme_mistakes


@dataclass(frozen=True)
class Attachment:
    """A file of the folder other than a page: a work image, thumbnail or PDF."""

    name: str
    media_type: str
    data: bytes


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
    public: Mapping[str, str] = field(default_factory=dict)  # the school's pages it links to: "guide", "colour-key"


Names = Callable[[str, str], str]  # (label of an attachment, media type) -> its output name


def render(
    env: Environment,
    folder: Folder,
    pupil_dir: Path,
    names: Names,
    links: Links,
    nav: dict[str, Markup] | None = None,
    prepared: Media = prepare,
) -> RenderedFolder:
    """Render one folder; raise ProjectErrors if a work file cannot be read or the theme has a mistake.

    nav: the folder menu of each page (folder_nav), when the caller renders many folders with
    the same links and has made it once; prepared: how a work file is made ready for the web
    (a build passes `prepare` wrapped in its cache of derived images)."""
    media = folder_media(folder, pupil_dir, prepared)
    with theme_mistakes():  # a theme is the school's own code: its mistake at its template and line
        return render_folder(env, folder, media, names, links, nav)


def render_folder(
    env: Environment,
    folder: Folder,
    media: list[WorkMedia],
    names: Callable[[str, str], str],
    links: Links,
    nav: dict[str, Markup] | None = None,
) -> RenderedFolder:
    """Render every page of one child's folder; `names` gives each attachment its output name."""
    attachments: list[Attachment] = []
    work_views: dict[str, list[tuple[WorkMedia, str, str | None]]] = {}
    for item in media:
        full = Attachment(names(f"{item.item.rel}#full", item.full_type), item.full_type, item.full)
        thumb = (
            Attachment(names(f"{item.item.rel}#thumb", "image/jpeg"), "image/jpeg", item.thumb)
            if item.thumb is not None
            else None
        )
        attachments += [full] + ([thumb] if thumb else [])
        year = next(y.record.year for y in folder.years if item.item in y.record.work)
        work_views.setdefault(year, []).append((item, full.name, thumb.name if thumb else None))
    # Each term's parts are rendered once and placed wherever they appear (its form, the
    # targets page, the conversations page): a folder has up to eighteen terms.
    term_template = env.get_template("folder/term.html")
    target_template = env.get_template("folder/target-list.html")
    conversation_block = macro(env, "folder/macros.html", "conversation_block")
    given = folder.pupil.given_name
    terms = [t for y in folder.years for t in y.terms]
    target_lists = {t.anchor: Markup(fill(env, target_template, term=t)) for t in terms if t.record.targets}
    conversations = {t.anchor: Markup(conversation_block(t.record.conversation, given)) for t in terms}

    def term_form(
        t: JudgedTerm,
        title: str | None,
        targets: JudgedTerm | None = None,
        attitude: JudgedTerm | None = None,
        newer: tuple[JudgedTerm, ...] = (),
    ) -> Markup:
        """One term's form; targets, attitude: another term whose targets or attitude colours are
        shown instead; newer: later terms whose results are shown after its own (the current form's)."""
        return Markup(
            fill(
                env,
                term_template,
                term=t,
                given_name=given,
                child=folder.pupil.display_name,
                title=title,
                target_list=target_lists.get((targets or t).anchor),
                targets_title=f"Targets for {targets.title}" if targets else None,
                attitude_term=attitude,
                attitude_title=f"Attitude in {attitude.title}" if attitude else None,
                results=[(t, "Assessments")] + [(n, f"Assessments in {n.title}") for n in newer],
                conversation=conversations[t.anchor],
            )
        )

    term_forms = {t.anchor: term_form(t, None) for t in terms}
    current = folder.current_term
    if current is not None:
        # The current targets and attitude colours, where another term's stand in (see judge).
        shown = folder.form(current)  # with the year's other marks, and newer colours, each with its term
        targets, colours = folder.targets_for(current), None if shown.attitude else folder.colours_before(current)
        newer = folder.results_after(current)
        term_forms["current:" + current.anchor] = term_form(
            shown, f"Current form: {current.title}", targets, colours, newer
        )
    axis = charts.axis(folder.school.terms)  # how every chart of the folder names its terms
    context = dict(
        f=folder,
        pupil=folder.pupil,
        school=folder.school,
        current=folder.current_term,
        term_forms=term_forms,
        target_lists=target_lists,
        conversations=conversations,
        nav=nav if nav is not None else folder_nav(env, links),
        latest=folder.latest_year,
        links=links,
        by_group={y.record.year_group: y for y in folder.years},
        work=work_views,
        work_kinds={k.key: k.label for k in folder.school.work},  # what each piece is (Writing, Theme work)
        charts={s: charts.attainment_chart(folder, s, axis) for s in folder.school.subjects},
        attendance_chart=charts.attendance_chart(folder, axis),
        colour_key=guide.colour_key(folder.school),
    )
    pages = []
    for name in PAGES:
        template = "folder/year.html" if name in YEAR_PAGES else f"folder/{name}.html"
        extra = {"year_group": int(name[5:])} if name in YEAR_PAGES else {}
        html = fill(env, env.get_template(template), page=name, title=PAGE_TITLES[name], **context, **extra)
        pages.append(RenderedPage(name, PAGE_TITLES[name], html))
    notes = {
        t.anchor: str(env.filters["md"](t.record.staff_notes))
        for y in folder.years
        for t in y.terms
        if t.record.staff_notes
    }
    return RenderedFolder(folder, tuple(pages), tuple(attachments), notes)


def fill(env: Environment, template: Template, **values: Any) -> str:
    """template.render(**values), without Jinja2 copying the globals into each render: a folder
    renders some seventy templates, and that copy (of a ChainMap, in Python) was a sixth of a
    folder's render time. Jinja2's make_module(shared=True) takes the values as they are given,
    so the environment's globals (amentor passes a template no globals of its own) are merged in
    here. A mistake is raised by render() again: it locates the error in the template, where
    make_module leaves Python's traceback of the compiled code."""
    try:
        return str(template.make_module({**env.globals, **values}, shared=True))
    except Exception:
        return template.render(**values)  # the same error (a render depends on nothing else), located


def folder_nav(env: Environment, links: Links) -> dict[str, Markup]:
    """The folder's menu as shown on each page (its current page marked)."""
    with theme_mistakes():  # the school's template: its mistake at its line
        template = env.get_template("folder/nav.html")
        return {page: Markup(template.render(page=page, links=links)) for page in PAGES}


def folder_media(folder: Folder, pupil_dir: Path, prepared: Media = prepare) -> list[WorkMedia]:
    """Prepare every work file of a folder; raise ProjectErrors naming each one that cannot be read."""
    out, problems = [], []
    for item in folder.pupil.work:
        try:
            out.append(prepared(item, work_file(pupil_dir, item), f"pupils/{folder.pupil.slug}/{item.rel}"))
        except MediaError as exc:
            problems.append(exc.problem)
    if problems:
        raise ProjectErrors(problems)
    return out
