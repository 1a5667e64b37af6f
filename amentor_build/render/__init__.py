"""Stage 3, render: a judged folder into HTML pages (Jinja2 templates of the school's theme).

    env = make_environment(root / "theme")
    rendered = render(env, folder, pupil_dir, media_cache, names, links)
"""

from .pages import Attachment, Links, Names, RenderedFolder, RenderedPage, folder_nav, render, render_folder
from .text import markdown_to_html
from .theme import PAGE_TITLES, PAGES, make_environment, theme_digest

__all__ = ["Attachment", "Links", "Names", "RenderedFolder", "RenderedPage", "render", "render_folder", "folder_nav",
           "markdown_to_html", "PAGE_TITLES", "PAGES", "make_environment", "theme_digest"]
