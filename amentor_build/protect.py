"""Stage 4, protect. Until encryption lands this stage writes folders in the clear, loudly marked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from jinja2 import Environment
from markupsafe import Markup

from .judge import Folder
from .render import Links, RenderedFolder

UNPROTECTED_NOTICE = ("UNPROTECTED PREVIEW: these folders are NOT encrypted. "
                      "Do not publish this site; it is for checking records only.")
EXTENSIONS = {"image/jpeg": ".jpg", "application/pdf": ".pdf"}


def clear_site_for(folder: Folder) -> tuple[Callable[[str, str], str], Links]:
    """Names and links for an unprotected preview folder."""
    def names(key: str, media_type: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") + EXTENSIONS.get(media_type, ".bin")

    links = Links(page=lambda name: f"{name}.html",
                  media=lambda name: Markup(f'src="media/{name}"'),
                  href=lambda name: Markup(f'href="media/{name}"'))
    return names, links


def clear_files(rendered: list[RenderedFolder], env: Environment) -> dict[str, bytes]:
    """Return the unprotected preview's folder files: full HTML pages and media, by output path."""
    files: dict[str, bytes] = {}
    page = env.get_template("folder/page.html")
    listing = []
    for item in rendered:
        base = f"folders/{item.folder.pupil.slug}/"
        for p in item.pages:
            files[base + f"{p.name}.html"] = page.render(body=Markup(p.html), root="../../", title=p.title,
                                                        notice=UNPROTECTED_NOTICE).encode()
        for a in item.attachments:
            files[base + "media/" + a.name] = a.data
        listing.append((item.folder.pupil.display_name, f"{item.folder.pupil.slug}/overview.html"))
    body = Markup("<main class='folder-main'><h1>Folders (unprotected preview)</h1><ul>" + "".join(
        Markup('<li><a href="{}">{}</a></li>').format(href, name) for name, href in listing) + "</ul></main>")
    files["folders/index.html"] = page.render(body=body, root="../", title="Folders", notice=UNPROTECTED_NOTICE).encode()
    return files
