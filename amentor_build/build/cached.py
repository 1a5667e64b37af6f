"""Stages wrapped by a cache: the public pages (mkdocs) and the privacy audit.

Each looks its key up, does only the work the key does not vouch for, and records the
result once the site is published (Caches.save).
"""

from __future__ import annotations

from pathlib import Path

from .. import audit as privacy
from ..errors import Problem
from ..model import Project
from ..output import PublicPages, SiteTransaction, as_written, stage_public_pages
from ..output.public import public_inputs
from .caches import Caches


def public_pages(root: Path, site: SiteTransaction, render: PublicPages, caches: Caches) -> tuple[Problem, ...]:
    """Stage the public pages: as published if their inputs are unchanged, else rendered by
    mkdocs. Returns what mkdocs warned of (when they were rendered, if kept)."""
    key = public_inputs(root, caches.code)
    kept = caches.public.get(key)
    if kept and kept[0] and site.keep_published(kept[0], kept[1]) is not None:
        site.public.update(kept[0])
        return kept[2]
    files, warnings = stage_public_pages(site, render)
    site.public.update(files)
    caches.public.put(key, files, as_written(site.target, files), warnings)
    return warnings


def audit(site: SiteTransaction, project: Project, caches: Caches) -> tuple[Problem, ...]:
    """The privacy audit (audit.audit), passing over what the last published audit already passed:
    a pupil whose records and the site's plaintext files are unchanged, and names against paths
    already published. Returns the warnings, those it passed over as they were said."""
    plaintext = privacy.read(site, caches.audit.carried_by(privacy.read_carried), project.root)
    passed = caches.audit.passed(plaintext.digest)
    keys = {p.id: caches.records.key_of(p.slug) for p in project.pupils}
    changed = [p for p in project.pupils if passed.get(p.id) != keys[p.id]]
    published = site.previous()
    new_paths = site.files - published if published is not None and passed else site.files
    found = privacy.audit(site, project, plaintext, changed, new_paths)
    unchanged = [p for p in project.pupils if passed.get(p.id) == keys[p.id]]
    warnings = tuple(
        dict.fromkeys([f.problem for f in found] + list(caches.audit.warnings(plaintext.digest, unchanged)))
    )
    about = {f.problem: f.pupil for f in found}
    caches.audit.put(plaintext.digest, keys, warnings, about)  # said again on every build until the page changes
    return warnings
