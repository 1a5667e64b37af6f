"""The school's public pages (rendered by a callable, mkdocs in practice) staged with the site."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import Problem, ProjectErrors
from ..starter import files_under, starter_dir, theme_dir
from .files import SCRATCH
from .staging import SiteTransaction

# Writes the school's public pages into the given directory; returns what it warned of.
PublicPages = Callable[[Path], Sequence[Problem]]
# Top-level directories of the protected site, never public pages: what each holds.
RESERVED = {
    "f": "the children's folders",
    "k": "the logins' key slots",
    "s": "the staff lists",
    "staff": "the staff area",
}


def public_inputs(root: Path, code: bytes) -> str:
    """A digest of everything mkdocs reads: mkdocs.yml, content/ and the theme (outside folder/),
    or the folders mkdocs.yml names instead (docs_dir, custom_dir), amentor's own theme and
    pages (what the school's lacks, or never changed, comes from them), the school's mkdocs
    hooks (Python files at the top of the project, or in hooks/), and the code. school.yml too:
    the scale and the colour key."""
    digest = hashlib.sha256(code)
    settings = mkdocs_settings(root)
    hooks = sorted({p.name for p in root.glob("*.py")} | set(hook_files(settings)))
    names = dict.fromkeys(("mkdocs.yml", "school.yml", "content", "theme", *named_dirs(settings), "hooks", *hooks))
    for path in [*(root / name for name in names), theme_dir(), starter_dir() / "content"]:  # (see stock_copies)
        files = [path] if path.is_file() else files_under(path) if path.is_dir() else []
        for file in files:
            rel = file.relative_to(path.parent).as_posix()  # theme/..., content/..., mkdocs.yml
            if not rel.startswith(("theme/folder/", "theme/letters/")):
                digest.update(rel.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def named_dirs(settings: dict[str, Any]) -> list[str]:
    """The folders mkdocs.yml's settings name for the public pages and the theme (docs_dir, by
    default docs; theme.custom_dir)."""
    theme = settings.get("theme")
    named = [settings.get("docs_dir", "docs"), theme.get("custom_dir") if isinstance(theme, dict) else None]
    return [name for name in named if isinstance(name, str) and name]


def hook_files(settings: dict[str, Any]) -> list[str]:
    """The Python files mkdocs.yml's `hooks:` names (relative to the project)."""
    hooks = settings.get("hooks")
    return [hook for hook in hooks if isinstance(hook, str)] if isinstance(hooks, list) else []


def site_url(root: Path) -> str:
    """The site's public address (mkdocs.yml's site_url, ending in /), for letters; '' if unset."""
    url = mkdocs_settings(root).get("site_url")
    url = url if isinstance(url, str) else ""
    return url if not url or url.endswith("/") else url + "/"


def mkdocs_settings(root: Path) -> dict[str, Any]:
    """mkdocs.yml's settings as mkdocs reads them where amentor needs one without running mkdocs:
    `!ENV` resolved as mkdocs resolves it (its own yaml_env_tag), any other tag (`!!python/name:`)
    read as None; {} if the file cannot be read. mkdocs itself says what is wrong with it."""
    import yaml
    from yaml_env_tag import construct_env_tag

    class Lenient(yaml.SafeLoader):
        pass

    Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    Lenient.add_constructor("!ENV", construct_env_tag)
    try:
        config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Lenient)  # safe: tags make None
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def stage_public_pages(site: SiteTransaction, public_pages: PublicPages) -> tuple[dict[str, int], tuple[Problem, ...]]:
    """Render the public pages and stage them; return each file's path and size, and the warnings."""
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH, dir=site.staging))
    try:
        warnings = tuple(public_pages(scratch))
        files: dict[str, int] = {}
        for directory, _, names in os.walk(scratch):
            for name in names:
                path = os.path.join(directory, name)
                rel = os.path.relpath(path, scratch).replace(os.sep, "/")
                top = rel.split("/", 1)[0]
                if top in RESERVED:  # content/staff.md with use_directory_urls: staff/index.html
                    page = f"content/{top}.md" if rel == f"{top}/index.html" else f"content/{top}/"
                    message = f"the public pages may not use the name '{top}/': the site keeps {RESERVED[top]} there; rename the page"
                    raise ProjectErrors([Problem(page, 1, 1, message)])
                with open(path, "rb") as f:
                    data = f.read()
                if rel not in site.files:
                    site.write(rel, data)
                files[rel] = len(data)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return files, warnings
