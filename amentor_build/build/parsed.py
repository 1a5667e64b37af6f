"""The cache of parsed records: each pupil's record (stage 1, `records.parse_pupil`), by the
SHA-256 of the bytes it is made from (school.yml and the pupil's record files) and of amentor's
own code; no modification time is asked."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from pathlib import Path

from ..disk import read_plain, write_atomically
from ..model import School
from ..records import MapEach, Parse, PupilFiles, PupilRecord
from ..records.pupil import parse_pupil, read_files

PICKLE_ERRORS = (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError)


class RecordStore:
    """Parsed pupils, one file per entry named by its key (content-addressed: an entry is never
    changed, only added, and those no build used are removed when a build is published)."""

    def __init__(self, directory: Path, code: bytes):
        self.directory, self.code = directory, code
        self.used: set[str] = set()
        self.slugs: dict[str, str] = {}  # pupil directory name -> the key its record was found or stored under

    def _name(self, key: str) -> str:
        return f"{hashlib.sha256(self.code + key.encode()).hexdigest()}.pickle"

    def get(self, key: str) -> PupilRecord | None:
        name = self._name(key)
        try:
            record = pickle.loads(read_plain(f"{self.directory}/{name}"))
        except PICKLE_ERRORS:
            return None
        if not isinstance(record, PupilRecord):
            return None
        self._use(name, key, record)
        return record

    def put(self, key: str, record: PupilRecord, pickled: bytes) -> None:
        name = self._name(key)
        write_atomically(self.directory / name, pickled, durable=False, private=True)  # a thousand of them: no fsync
        self._use(name, key, record)

    def _use(self, name: str, key: str, record: PupilRecord) -> None:
        self.used.add(name)
        if record.pupil is not None:
            self.slugs[record.pupil.slug] = key

    def parse_every(self, map_each: MapEach = map) -> Parse:
        """records.parse_every through this cache: each pupil looked up, else parsed, then stored.

        Each directory's bytes are kept only until its key is known, and then only if it must be
        parsed: a rebuild holds one pupil's files at a time, not the whole school's. Parsed
        records come back pickled (a worker pickles them for the way back anyway): the cache
        stores those very bytes, and each is unpickled here once."""

        def parse(school: School, school_bytes: bytes, dirs: list[Path]) -> list[PupilRecord]:
            school_digest = hashlib.sha256(school_bytes).digest()
            found: list[PupilRecord | None] = []
            missing: list[tuple[int, str, PupilFiles]] = []  # (index, key, files) of each pupil to parse
            for index, directory in enumerate(dirs):
                files = read_files(directory)
                key = record_key(school_digest, files)
                record = self.get(key)
                if record is None:
                    missing.append((index, key, files))
                found.append(record)
            parsed = map_each(functools.partial(parse_pickled, school), [files for _, _, files in missing])
            for (index, key, _), pickled in zip(missing, parsed, strict=True):
                record = pickle.loads(pickled)
                self.put(key, record, pickled)
                found[index] = record
            return [record for record in found if record is not None]

        return parse

    def key_of(self, slug: str) -> str:
        """The key under which the pupil in pupils/<slug>/ was found or stored in this build."""
        return self.slugs[slug]

    def save(self) -> None:
        """Remove the entries this build did not use."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name not in self.used:
                with contextlib.suppress(OSError):  # already gone
                    os.remove(self.directory / name)


def parse_pickled(school: School, files: PupilFiles) -> bytes:
    """parse_pupil, its result pickled (in a worker: the way back is pickled anyway)."""
    return pickle.dumps(parse_pupil(school, files), protocol=pickle.HIGHEST_PROTOCOL)


def record_key(school_digest: bytes, files: PupilFiles) -> str:
    """What a pupil's parse depends on: school.yml (school_digest: the SHA-256 of its bytes) and
    the pupil's record files (and their directory's name). The store adds amentor's own code to
    it (RecordStore._name)."""
    return hashlib.sha256(school_digest + files.digest.encode()).hexdigest()
