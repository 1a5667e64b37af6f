"""The public pages, rebuilt only when something mkdocs reads has changed (a cache around the stage)."""

from __future__ import annotations

from pathlib import Path

from ..output import PublicPages, SiteTransaction, stage_public_pages
from ..output.public import public_inputs
from .caches import Caches


def build_public_pages(root: Path, site: SiteTransaction, public_pages: PublicPages, caches: Caches) -> None:
    """Stage the public pages: as published if their inputs are unchanged, else rendered by mkdocs."""
    key = public_inputs(root, caches.code)
    kept = caches.public.get(key)
    if kept and site.keep_folder(kept):
        return
    caches.public.put(key, stage_public_pages(site, public_pages))
