"""The tree a build replaced, kept beside the site as `.<site>.spare` for the next build to stage into.

After a build switches its new site in, the tree it replaced keeps only the files it still
shares with the new site: hard links to the very same files, so it takes no space of its own
and holds nothing of what the build replaced or removed (a child taken out of the records is
gone from it too). The next build takes it as its staging directory,
so that it links, writes and removes only what changed since, instead of linking the whole
site again (at 1,000 children: a handful of files instead of 38,000 links and as many
removals).

Nothing in it is trusted. When a build takes it, anything that is not a plain file or a
directory (a symbolic link, a pipe) is removed before a byte is written; at the switch, every
file of the new site is one the build wrote or the very file (the same inode) the site has,
and every other file is removed. (A file put into the published site by hand can be in the
spare until the next build takes it, and is never in that build's site.)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path


def spare_of(site: Path) -> Path:
    return site.parent / f".{site.name}.spare"


def adopt(site: Path, fresh: bool) -> tuple[Path, dict[str, int]] | None:
    """The spare tree, renamed as a staging directory `.<site>.new-*` (so that a build killed
    while staging into it leaves a leftover that `staging.recover` removes), with the inode of
    each file in it; None if there is none. Without a site (deleted by hand: start again) the
    spare is removed too."""
    spare = spare_of(site)
    if not spare.is_dir() or spare.is_symlink():
        return None
    if fresh:
        shutil.rmtree(spare, ignore_errors=True)
        return None
    staging = site.parent / f".{site.name}.new-{secrets.token_hex(6)}"
    os.rename(spare, staging)
    return staging, tidy(str(staging))


def tidy(tree: str, keep: Callable[[str], bool] | None = None) -> dict[str, int]:
    """Remove from a tree every file whose path in it is not to be kept (keep None: every file
    is), and everything that is neither a plain file nor a directory (never followed); return
    the inode of each file left. Directories left empty are removed."""
    found: dict[str, int] = {}
    _tidy(tree, "", keep, found)
    return found


def _tidy(directory: str, base: str, keep: Callable[[str], bool] | None, found: dict[str, int]) -> bool:
    """tidy, below one directory (base: its path in the tree); True if nothing is left in it."""
    empty = True
    with os.scandir(directory) as entries:
        for entry in entries:
            rel = base + entry.name
            if entry.is_dir(follow_symlinks=False):
                if _tidy(entry.path, rel + "/", keep, found):
                    try:
                        os.rmdir(entry.path)
                        continue
                    except OSError:  # something came into it meanwhile
                        pass
                empty = False
            elif entry.is_file(follow_symlinks=False) and (keep is None or keep(rel)):
                found[rel] = entry.inode()
                empty = False
            else:
                os.unlink(entry.path)
    return empty


def remove(tree: Path, paths: Iterable[str]) -> None:
    """Remove these files from a tree, and the folders they leave empty; never through a folder
    that is a link (the file is left, for the next `tidy`, which removes the link itself)."""
    real: dict[str, bool] = {"": True}  # folder of the tree -> is it a real directory (all the way up)?
    folders = set()
    for rel in paths:
        folder = rel.rpartition("/")[0]
        if _real(tree, folder, real):
            with contextlib.suppress(OSError):
                os.unlink(f"{tree}/{rel}")
            folders.add(folder)
    for folder in sorted(folders - {""}, reverse=True):  # the deepest first
        with contextlib.suppress(OSError):  # not empty
            os.rmdir(f"{tree}/{folder}")


def _real(tree: Path, folder: str, real: dict[str, bool]) -> bool:
    if folder not in real:
        parent = folder.rpartition("/")[0]
        try:
            real[folder] = _real(tree, parent, real) and stat.S_ISDIR(os.lstat(f"{tree}/{folder}").st_mode)
        except OSError:
            real[folder] = False
    return real[folder]


def keep(old: Path, site: Path, shared: Callable[[str], bool], gone: Iterable[str] | None) -> None:
    """Keep a tree the site no longer uses as its spare, with only the files `shared` says the
    new site has, unchanged: `gone` names the others, where they are known (the files the
    build replaced, and those the last build published that this one did not); else every
    file is looked at, by a walk that never follows a link."""
    if gone is None:
        tidy(str(old), shared)
    else:
        remove(old, gone)
    put_back(old, site)


def put_back(tree: Path, site: Path) -> None:
    """The tree becomes the site's spare (or, where that cannot be, is removed)."""
    try:
        os.rename(tree, spare_of(site))
    except OSError:
        shutil.rmtree(tree, ignore_errors=True)
