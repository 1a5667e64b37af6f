"""The school's public pages (rendered by a callable, mkdocs in practice) as part of the transaction.

mkdocs runs only when its inputs changed (content/, the theme outside folder/, mkdocs.yml);
otherwise the published public pages are kept as they are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Callable

from .cache import JsonFile, code_fingerprint
from .publish import private_dir, PublishError, SiteTransaction

PublicPages = Callable[[Path], None]  # writes the school's public pages into the given folder
RESERVED = ("f", "k", "s", "staff")  # top-level folders of the protected site, never public pages


class PublicCache(JsonFile):
    """The key of the last public build and the files it wrote."""

    def save(self, key: str, files: dict[str, int]) -> None:
        self.write({"key": key, "files": files})


def public_inputs(root: Path) -> str:
    """A digest of everything mkdocs reads: mkdocs.yml, content/ and the theme (outside folder/)."""
    digest = hashlib.sha256(code_fingerprint())
    for base in ("mkdocs.yml", "content", "theme"):
        path = root / base
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            rel = file.relative_to(root).as_posix()
            if not rel.startswith(("theme/folder/", "theme/letters/")):
                digest.update(rel.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def stage_public_pages(site: SiteTransaction, public_pages: PublicPages, cache: PublicCache,
                       root: Path) -> Callable[[], None]:
    """Stage the public pages (kept as published if nothing they depend on changed).

    Returns what records them in the cache, to be called once the site is committed.
    """
    key = public_inputs(root)
    kept = cache.entry.get("files") if cache.entry.get("key") == key else None
    if kept and site.keep_folder(kept) is not None:
        return lambda: None
    scratch = Path(private_dir(prefix=".public-", parent=site.staging))
    try:
        public_pages(scratch)
        files: dict[str, int] = {}
        for directory, _, names in os.walk(scratch):
            for name in names:
                path = os.path.join(directory, name)
                rel = os.path.relpath(path, scratch).replace(os.sep, "/")
                if rel.split("/", 1)[0] in RESERVED:
                    raise PublishError(f"the public pages may not use the folder name '{rel.split('/')[0]}/': "
                                       "it holds the children's folders")
                with open(path, "rb") as f:
                    data = f.read()
                if rel not in site.files:
                    site.write(rel, data)
                files[rel] = len(data)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return lambda: cache.save(key, files)
