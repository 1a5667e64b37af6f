"""The build's caches under .amentor/cache/ (never under the site). Each wraps one stage:
look up by key, else do the work, then store. A key is made from everything the result depends
on, amentor's own code included, so a stale entry never matches: records by the SHA-256 of their
bytes; work files and the files of a frozen year, which would otherwise be read in full on every
build, by their stamps (disk.file_stamp: device, inode, size and times).

- RecordStore (parsed.py): parsed pupils, by record_key (school.yml and the pupil's record files);
- DerivedImages (derived.py): thumbnails and web copies of pictures, by the SHA-256 of their bytes;
- FolderStore: what each child's sealed folder wrote, by folder_digest (see folders.py);
- PublicStore: the public pages mkdocs wrote, by the digest of what mkdocs reads;
- AuditStore: what the last published audit passed;
- DigestCache: the SHA-256 of each file of a frozen year, by its size, times and inode.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..audit.readings import Carried
from ..disk import file_stamp, own_directory, read_plain, remove_abandoned, settled, write_atomically
from ..errors import Problem
from ..model import Pupil
from ..output import Found
from ..schoolyear.frozen import sha256_of
from ..starter import HISTORY
from .derived import PARTS
from .parsed import PICKLE_ERRORS, RecordStore


def code_digest() -> bytes:
    """A digest of amentor's own modules, and of the list of its starter's past versions (which
    of a school's theme and page files are passed over): a new version misses every entry."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(b"amentor-cache-3")
    for path in sorted([*package.rglob("*.py"), package / "starter" / HISTORY]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


@functools.cache
def readers() -> bytes:
    """The versions of the libraries the audit reads files with: a new one reads every file again
    (looked up once, when a file first needs them)."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("pypdf", "openpyxl", "Pillow"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} ?")
    return "\0".join(found).encode()


def _load_pickle(path: Path) -> dict[Any, Any]:
    try:
        value = pickle.loads(read_plain(path))
    except PICKLE_ERRORS:
        return {}
    return value if isinstance(value, dict) else {}


class FolderStore:
    """For each child: the key their sealed folder was built for, the files (path: size) it wrote,
    the padded size each of its pages needs, their row of the staff overview, and how a build
    found those files published (output.Found); and the school's page sizes (protection.Padding)
    the published site was sealed with."""

    def __init__(self, path: Path):
        self.path = path
        stored = _load_pickle(path)
        if stored.get("format") != FolderEntry.FORMAT:  # written by another version: start again
            stored = {}
        self.entries: dict[str, FolderEntry] = stored.get("folders", {})
        self.padding: dict[str, int] = stored.get("padding", {})
        self.changed = False

    def get(self, pupil_id: str, key: str) -> FolderEntry | None:
        entry = self.entries.get(pupil_id)
        return entry if entry is not None and entry.key == key else None

    def needs(self, pupil_id: str) -> dict[str, int]:
        entry = self.entries.get(pupil_id)
        return entry.needs if entry is not None else {}

    def overview(self, pupil_id: str) -> dict[str, Any]:
        """The child's row of the staff overview, as their folder was last built."""
        entry = self.entries.get(pupil_id)
        return entry.overview if entry is not None else {}

    def put(
        self,
        pupil_id: str,
        key: str,
        files: dict[str, int],
        needs: dict[str, int],
        overview: dict[str, Any],
        written: Found | None = None,
    ) -> None:
        self.entries[pupil_id] = FolderEntry(key, files, needs, overview, written)
        self.changed = True

    def found(self, pupil_id: str, found: Found) -> None:
        """How the child's folder was found published."""
        entry = self.entries[pupil_id]
        if entry.found != found:
            self.entries[pupil_id] = dataclasses.replace(entry, found=found)
            self.changed = True

    def resized(self, pupil_id: str, sizes: dict[str, int], ids: dict[str, str]) -> None:
        """Files of the child's folder were sealed again at these sizes, as these new files (ids:
        each as staged): the next build knows the folder file by file (see output.as_written)."""
        entry = self.entries[pupil_id]
        found = None
        if entry.found is not None:
            found = Found.unstamped(entry.found.ids | ids)
        self.entries[pupil_id] = dataclasses.replace(entry, files=entry.files | sizes, found=found)
        self.changed = True

    def put_padding(self, padding: dict[str, int]) -> None:
        self.changed = self.changed or padding != self.padding
        self.padding = padding

    def save(self, keep: set[str]) -> None:
        entries = {k: v for k, v in self.entries.items() if k in keep}
        if self.changed or len(entries) != len(self.entries):
            stored = {"format": FolderEntry.FORMAT, "folders": entries, "padding": self.padding}
            write_atomically(self.path, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL), private=True)


@dataclass(frozen=True)
class FolderEntry:
    FORMAT: ClassVar[int] = 4  # of folders.pickle: one of another format is not read

    key: str  # folder_digest: of what the folder's bytes depend on
    files: dict[str, int]  # every file it wrote, with its size
    needs: dict[str, int]  # the padded size each of its pages needs
    overview: dict[str, Any]  # the child's row of the staff overview
    found: Found | None = None  # how a build found the files published, or wrote them (None: not known)


class JsonStore:
    """A small JSON cache file: read once (missing or damaged: empty); what a build puts in it
    is written only once the site is published (save)."""

    def __init__(self, path: Path):
        self.path = path
        try:
            entry = json.loads(read_plain(path).decode("utf-8"))
        except (OSError, ValueError):
            entry = {}
        self.entry: dict[str, Any] = entry if isinstance(entry, dict) else {}
        self.pending: dict[str, Any] | None = None

    def save(self) -> None:
        if self.pending is not None and self.pending != self.entry:
            write_atomically(self.path, json.dumps(self.pending, sort_keys=True).encode(), private=True)
            self.entry = self.pending


class PublicStore(JsonStore):
    """The key of the last public build, the files (path: size) it wrote and which file each is
    (output.as_written), and what it warned of (said again on every build until the pages
    change, as a fresh build would say it)."""

    def get(self, key: str) -> tuple[dict[str, int], Found, tuple[Problem, ...]] | None:
        files, ids = self.entry.get("files"), self.entry.get("ids")
        if self.entry.get("key") != key or not isinstance(files, dict) or not isinstance(ids, dict):
            return None  # "ids": an older amentor's entry did not keep them
        warnings = tuple(Problem(w[0], w[1], w[2], w[3], True) for w in self.entry.get("warnings", []))
        return files, Found.unstamped(ids), warnings

    def put(self, key: str, files: dict[str, int], written: Found, warnings: tuple[Problem, ...]) -> None:
        self.pending = {
            "key": key,
            "files": files,
            "ids": written.ids,
            "warnings": [[w.path, w.line, w.column, w.message] for w in warnings],
        }


class AuditStore(JsonStore):
    """The plaintext files' digest of the last published audit, each pupil's record key it passed,
    and the texts each picture among those files carries (its metadata: reading it needs Pillow,
    and a tenth of a second), by the SHA-256 of amentor's code and the picture's bytes."""

    def __init__(self, path: Path, code: bytes):
        super().__init__(path)
        self.code = code  # amentor's own code: a new version reads every picture again
        carried = self.entry.get("pictures")
        self.carried: dict[str, list[str]] = carried if isinstance(carried, dict) else {}
        self.read: dict[str, list[str]] = {}  # those this build read, kept with its entry
        self.about: dict[Problem, str] = {}  # the pupil each warning said again concerns

    def carried_by(self, read: Callable[[bytes, Carried], list[str]]) -> Carried:
        """read(data, this cache) (audit.read_carried: the texts a picture, a PDF or an archive
        carries), looked up by the digest of amentor's code and the bytes first."""

        def cached(data: bytes) -> list[str]:
            digest = hashlib.sha256(self.code + readers() + data).hexdigest()
            texts = self.carried.get(digest)
            if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                texts = read(data, cached)
            self.read[digest] = texts
            return texts

        return cached

    def passed(self, plaintext: str) -> dict[str, str]:
        return self.entry.get("passed", {}) if self.entry.get("plaintext") == plaintext else {}

    def warnings(self, plaintext: str, unchanged: list[Pupil]) -> tuple[Problem, ...]:
        """The warnings of the last audit of this plaintext about the pupils not checked again
        (a pupil taken out of the records, or whose records changed, is not one of them)."""
        if self.entry.get("plaintext") != plaintext:
            return ()
        about = {f"pupils/{p.slug}" for p in unchanged}
        said = []
        for w in self.entry.get("warnings", []):
            if w[4] in about:
                said.append(Problem(w[0], w[1], w[2], w[3], True))
                self.about[said[-1]] = w[4]
        return tuple(said)

    def put(
        self,
        plaintext: str,
        passed: dict[str, str],
        warnings: tuple[Problem, ...] = (),
        about: dict[Problem, str] | None = None,
    ) -> None:
        """about: the pupil (pupils/<slug>) each warning of this audit concerns (those said again
        from the last one are known already)."""
        who = self.about | (about or {})
        self.pending = {
            "plaintext": plaintext,
            "passed": passed,
            "warnings": [[w.path, w.line, w.column, w.message, who.get(w, "")] for w in warnings],
            "pictures": self.read,
        }


class DigestCache:
    """Digests of frozen files by path and stamp (disk.file_stamp), so a build hashes only what
    changed since the last one."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, str] = json.loads(read_plain(path).decode("utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.used: dict[str, str] = {}

    def __call__(self, file: Path) -> str:
        found = os.stat(file)  # before reading it
        if not settled(found):  # changed this very moment: hashed, and not remembered
            return sha256_of(file)
        stamp = f"{file}\0{file_stamp(found)}"
        digest = self.entries.get(stamp) or sha256_of(file)
        self.used[stamp] = digest
        return digest

    def save(self) -> None:
        if self.used != self.entries:
            write_atomically(self.path, json.dumps(self.used).encode(), private=True)


class Caches:
    """Every cache of a build, saved together once the site is published.

    What a cache says about published files (folders, public pages, audit, the manifest) is
    kept per output directory: a build into another directory (`-d`, `mkdocs build`,
    `mkdocs serve`) never makes `site/` look current when it is not."""

    def __init__(self, directory: Path, site_dir: Path):
        site = directory / "sites" / hashlib.sha256(str(site_dir.resolve()).encode()).hexdigest()[:16]
        media = directory / "media"
        for folder in (directory / "records", media / "index" / PARTS, media / PARTS, directory / "templates", site):
            own_directory(folder, directory.parent)  # never a link: a cache is written and emptied
        with os.scandir(directory / "templates") as entries:  # Jinja2 reads them itself: no pipe may wait there
            for entry in entries:
                if not entry.is_file(follow_symlinks=False) and not entry.is_dir(follow_symlinks=False):
                    os.unlink(entry.path)
        self.code = code_digest()
        self.records = RecordStore(directory / "records", self.code)
        self.frozen = DigestCache(directory / "frozen.json")
        self.media = media
        self.templates = directory / "templates"
        self.written = (directory.parent, directory, site)  # where write_atomically writes (.amentor/ too)
        self.folders = FolderStore(site / "folders.pickle")
        self.public = PublicStore(site / "public.json")
        self.audit = AuditStore(site / "audit.json", self.code)
        self.manifest = site / "manifest.json"

    def forget(self) -> None:
        """Remove what the caches say of the published site (they could not all be saved, and one
        left as it was would describe an older site)."""
        for path in (self.folders.path, self.public.path, self.audit.path, self.manifest):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def save(self, keep: set[str]) -> None:
        """Record what was published (keep: the pupils whose folders are in it), and remove what a
        killed build left half written in the caches."""
        self.records.save()
        self.folders.save(keep)
        self.public.save()
        self.audit.save()
        self.frozen.save()
        for written in (*self.written, self.media / PARTS, self.media / "index" / PARTS):
            remove_abandoned(written)  # the records' own are gone already: an entry no build used
        with contextlib.suppress(OSError):  # Jinja2 writes a compiled template as <name><random>.tmp, then renames it
            for name in os.listdir(self.templates):
                if name.endswith(".tmp"):  # only builds compile into it, and they hold the project lock
                    os.unlink(self.templates / name)
