"""Build caches under .amentor/cache/ (never under site/): parsed records and built folders.

A pupil's parsed record is reused while the size and modification time of each of its files
(and the bytes of any file changed in the last seconds) and school.yml are unchanged. A built folder is reused while its record, the work files,
the theme's folder templates, school.yml, the folder's keys and amentor's own code are
unchanged, and every file it wrote is still in the published site. Keys are SHA-256 digests
of all of those, so a stale entry is never served: it simply does not match.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

VERSION = b"amentor-cache-1"


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """A digest of amentor's own modules: a new version of the code invalidates every entry."""
    digest = hashlib.sha256(VERSION)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


def tree_fingerprint(folder: Path) -> bytes:
    """A digest of every file's path and bytes under folder (the theme's templates)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


RACY_SECONDS = 3.0  # a file changed this recently may change again within the clock's granularity


def fingerprint_base(school_bytes: bytes) -> bytes:
    """What every pupil's fingerprint shares: amentor's code and school.yml."""
    return code_fingerprint() + hashlib.sha256(school_bytes).digest()


def real_paths(folders: list[Path]) -> dict[str, str]:
    """Each pupil folder's real path, by name (records hold the absolute paths of work files)."""
    parents: dict[Path, tuple[str, set[str]]] = {}
    out = {}
    for folder in folders:
        if folder.parent not in parents:  # one listing tells which folders are symbolic links
            with os.scandir(folder.parent) as entries:
                links = {e.name for e in entries if e.is_symlink()}
            parents[folder.parent] = (os.path.realpath(folder.parent), links)
        real_parent, links = parents[folder.parent]
        out[folder.name] = os.path.realpath(folder) if folder.name in links else f"{real_parent}/{folder.name}"
    return out


def listing_part(folder: str) -> str:
    """The name, size and modification time of each file directly in a pupil folder (the records)."""
    recent = time.time() - RACY_SECONDS
    with os.scandir(folder) as entries:
        files = sorted(((e.name, e) for e in entries if e.is_file()), key=lambda item: item[0])
    return "".join(_stat_line(name, entry.path, entry.stat(), recent) for name, entry in files)


def inputs_part(folder: str, referenced: tuple[str, ...]) -> str:
    """The same for the files the records name (work files), or that one is missing."""
    recent = time.time() - RACY_SECONDS
    out = []
    for rel in referenced:
        path = rel if rel.startswith("/") else f"{folder}/{rel}"
        try:
            out.append(_stat_line(rel, path, os.stat(path), recent))
        except OSError:
            out.append(f"{rel}\0missing\0")
    return "".join(out)


def _stat_line(rel: str, path: str, stat: os.stat_result, recent: float) -> str:
    """A file modified in the last few seconds is hashed by content as well (git's rule for
    "racily clean" files), so two edits of the same size within one clock tick are told apart."""
    line = f"{rel}\0{stat.st_size}:{stat.st_mtime_ns}\0"
    if stat.st_mtime >= recent:
        with open(path, "rb") as f:
            line += hashlib.sha256(f.read()).hexdigest()
    return line


def pupil_fingerprint(base: bytes, real_path: str, listing: str, inputs: str) -> str:
    """A digest of a pupil folder's inputs: code, school.yml, where the folder is, its record
    files (listing_part) and the files its records name (inputs_part).

    Runs for every pupil on every build (tens of thousands of files in a large school): it
    stats only the files that matter, with os.scandir and os.stat rather than pathlib. Files
    the records do not name (an unused photo in work/) change nothing.
    """
    return hashlib.sha256(base + f"{real_path}\0{listing}\1{inputs}".encode()).hexdigest()


class JsonFile:
    """A small JSON cache file: read once (missing or damaged means empty), written whole."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entry = {}
        if not isinstance(self.entry, dict):
            self.entry = {}

    def write(self, entry: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")
        partial.replace(self.path)
        self.entry = entry


@dataclass
class PickleStore:
    """One small file per entry, written atomically; a damaged entry is just a miss."""

    directory: Path

    def get(self, name: str, key: str):
        try:
            with open(self.directory / f"{name}.pickle", "rb") as f:
                stored_key, value = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return None
        return value if stored_key == key else None

    def put(self, name: str, key: str, value) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.{os.getpid()}.part"
        with open(partial, "wb") as f:
            pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(self.directory / f"{name}.pickle")


@dataclass
class FolderManifest:
    """What a built folder wrote: each output path and its size, and for each sealed picture a
    stamp of what it was sealed from (key, name, source file), so a re-render can keep it."""

    files: dict[str, int]
    stamps: dict[str, str] = field(default_factory=dict)
    dir_mtime: int = 0  # of the published folder when last checked whole (see SiteTransaction.keep_folder)


class FolderCache:
    """Which folders are unchanged since the last build, and what they wrote (a pickle: it holds
    every output path of the site, and is read on every build)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            with open(path, "rb") as f:
                entries = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            entries = {}
        self.entries: dict[str, dict] = entries if isinstance(entries, dict) else {}
        self.changed = False

    def get(self, pupil_id: str, key: str) -> FolderManifest | None:
        """What the folder wrote last time, if its inputs (key) are unchanged."""
        entry = self.entries.get(pupil_id)
        return self.previous(pupil_id) if isinstance(entry, dict) and entry.get("key") == key else None

    def previous(self, pupil_id: str) -> FolderManifest:
        """What the folder wrote last time, whatever has changed since (for pictures to keep)."""
        entry = self.entries.get(pupil_id)
        if not isinstance(entry, dict):
            return FolderManifest({})
        return FolderManifest(dict(entry.get("files", {})), dict(entry.get("stamps", {})), entry.get("dir_mtime", 0))

    def put(self, pupil_id: str, key: str, manifest: FolderManifest) -> None:
        self.entries[pupil_id] = {"key": key, "files": manifest.files, "stamps": manifest.stamps,
                                  "dir_mtime": manifest.dir_mtime}
        self.changed = True

    def stamp(self, pupil_id: str, dir_mtime: int) -> None:
        """Record the folder's modification time once its files are known to be all there."""
        entry = self.entries.get(pupil_id)
        if isinstance(entry, dict) and entry.get("dir_mtime") != dir_mtime:
            entry["dir_mtime"] = dir_mtime
            self.changed = True

    def folder_of(self, pupil_id: str) -> str | None:
        """The one folder that holds every file the pupil's folder wrote (None if there is none)."""
        files = self.entries.get(pupil_id, {}).get("files") or {}
        if not files:
            return None
        folder = next(iter(files)).rpartition("/")[0]
        return folder if all(rel.rpartition("/")[0] == folder for rel in files) else None

    def save(self, keep: set[str]) -> None:
        entries = {k: v for k, v in self.entries.items() if k in keep}
        if self.changed or len(entries) != len(self.entries):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".part")
            with open(partial, "wb") as f:
                pickle.dump(entries, f, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(self.path)
