"""The `amentor` mkdocs plugin: a thin adapter that runs the same pipeline after mkdocs' own pages.

Children's folders never become mkdocs pages, so they never enter mkdocs' nav, search
index or sitemap: they are written after mkdocs has finished (on_post_build).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority

from .audit import AuditErrors
from .build import build, precheck
from .errors import AmentorError
from .lock import ProjectLocked, project_lock
from .mkdocs_site import (
    has_content_block,
    home_page_problems,
    installed_files,
    login_form_problem,
    pages_not_utf8,
    theme_loader,
    with_amentor_theme,
)
from .records import parse_school
from .render import guide

log = logging.getLogger("mkdocs.plugins.amentor")


class AmentorPlugin(BasePlugin):  # type: ignore[type-arg, no-untyped-call]
    # `amentor build` renders the public pages through mkdocs and publishes folders itself,
    # atomically; it sets this so that the folders are not built twice.
    public_only: bool = False
    # The project's lock, taken in on_pre_build, before mkdocs empties the site directory (a
    # command holding the project refuses this build before anything is changed), and held
    # until the folders are published, or the build fails (on_build_error).
    held: contextlib.ExitStack[bool | None] | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if "search" in config.plugins:
            log.warning("amentor: the search plugin is on; it indexes public pages only, never folders")
        with_amentor_theme(config)
        if has_content_block(config):  # an older theme's main.html made an empty 404 page, its links broken
            config.theme.static_templates.add("404.html")  # the page hosts show for an address that is no page
        return config

    def on_files(self, files: Any, *, config: MkDocsConfig) -> Any:
        return installed_files(files, config)  # untouched copies of the theme and pages: amentor's installed files

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Any) -> Any:
        loader = theme_loader(config)
        if loader is not None:  # the theme's untouched copies: amentor's installed templates
            env.loader = loader
        return env

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Any) -> str:
        """`<!-- amentor:scale -->` and `<!-- amentor:colours -->` in a public page become the
        school's scale and colour key, from school.yml (the school's settings, not a child's)."""
        if not any(marker in markdown for marker in guide.MARKERS):
            return markdown
        root = Path(config.config_file_path).parent
        school = parse_school((root / "school.yml").read_bytes(), [])
        return guide.fill(markdown, school)  # without a usable school.yml, the markers go

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Refuse bad records before mkdocs empties the site directory (it does so right after
        this hook): a failed build must not leave a site without its folders."""
        if self.public_only:
            return
        root = Path(config.config_file_path).parent
        self.release()  # (a build mkdocs serve began, that failed before on_build_error)
        self.held = contextlib.ExitStack()
        try:
            self.held.enter_context(project_lock(root, "mkdocs build", lambda said: log.info(f"amentor: {said}")))
        except ProjectLocked as exc:
            self.release()
            raise PluginError(f"amentor: the site is left as it was:\n{exc}") from exc
        docs_dir = Path(os.path.relpath(config.docs_dir, root)).as_posix()
        pages = home_page_problems(root, docs_dir) + pages_not_utf8(root, docs_dir)
        if pages:  # said before mkdocs empties the site directory
            raise PluginError("amentor: the public pages cannot be built:\n" + "\n".join(map(str, pages)))
        try:
            precheck(root, Path(config.site_dir))
        except AmentorError as exc:
            raise PluginError(f"amentor: the records have errors (the site is left as it was):\n{exc}") from exc

    def on_build_error(self, *, error: Exception) -> None:
        self.release()

    def release(self) -> None:
        """Let go of the project's lock, if this build holds it."""
        if self.held is not None:
            held, self.held = self.held, None
            held.close()

    @event_priority(-100)  # after every other plugin and the school's hooks: the audit sees all they write
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.public_only:
            return
        root = Path(config.config_file_path).parent
        site = Path(config.site_dir)
        no_login = login_form_problem(root, site / "index.html")
        if no_login is not None:
            raise PluginError(f"amentor: the site cannot open folders:\n{no_login}")
        try:
            report = build(root, site, in_place=True)  # (the lock is held since on_pre_build)
        except AuditErrors as exc:  # mkdocs has written into the site itself: take out what must not stay
            removed = [rel for rel in exc.files if (site / rel).is_file()]
            for rel in removed:
                (site / rel).unlink()
            raise PluginError(
                f"amentor: the privacy audit failed:\n{exc}\nremoved from {site}: "
                f"{', '.join(removed) or 'nothing'}; the rest of it is sealed or public"
            ) from exc
        except AmentorError as exc:
            raise PluginError(f"amentor: the records have errors:\n{exc}") from exc
        finally:
            self.release()
        for warning in report.warnings:
            log.warning(str(warning))
        log.info(f"amentor: {report.pupils} folders built")

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]
    ) -> LiveReloadServer:
        root = Path(config.config_file_path).parent
        for path in (root / "pupils", root / "school.yml", root / "theme", root / ".amentor" / "keystore.json"):
            if path.exists():  # the records, the theme, and the logins (issued or revoked)
                server.watch(str(path))
        return server
