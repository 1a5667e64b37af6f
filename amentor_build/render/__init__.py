"""Stage 3, render: a judged folder into HTML pages (Jinja2 templates of the school's theme).

env = make_environment(root / "theme")
rendered = render(env, folder, pupil_dir, names, links)
"""

from .pages import Attachment, Links, Names, RenderedFolder, RenderedPage, folder_nav, render, render_folder
from .text import markdown_to_html
from .theme import PAGE_TITLES, PAGES, make_environment, theme_digest, theme_mistakes

__all__ = [
    "PAGES",
    "PAGE_TITLES",
    "Attachment",
    "Links",
    "Names",
    "RenderedFolder",
    "RenderedPage",
    "folder_nav",
    "make_environment",
    "markdown_to_html",
    "render",
    "render_folder",
    "theme_digest",
    "theme_mistakes",
]
