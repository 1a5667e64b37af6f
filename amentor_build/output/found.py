"""How a build knows the files it published, from one build to the next (see `Found`): so that
a folder unchanged since is kept without reading a byte of it, and a file anything else put in
its place, even of the same size, is never taken for the build's own."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from ..disk import settled


@dataclass(frozen=True)
class Found:
    """A published folder's files as a build found them, each a plain file with its size: each
    one's identity (file_id), and the stamp (inode, ctime) of each directory holding them.

    A directory's ctime changes whenever a file in it is created, removed, renamed or replaced,
    and cannot be set back; so while a directory keeps its stamp, its files are the very ones
    found then. (amentor never writes into a published file: see files.write_file. An edit in
    place by something else keeps the directory's stamp and is not seen; building after
    deleting the site starts again from nothing.) A stamp is taken only from a directory last
    changed long enough before (`settled`) that no change made in the same tick of the file
    system's clock can hide behind it; the site and its spare alternate (spare.py), so each
    directory keeps the stamps of both.
    """

    ids: dict[str, str]  # path -> the file (file_id)
    # directory -> its last stamps (inode, ctime in ns): two at most, none while it is unsettled
    stamps: dict[str, tuple[tuple[int, int], ...]]

    @classmethod
    def unstamped(cls, ids: dict[str, str]) -> Found:
        """Files known by their identities alone: no directory stamped yet, so the next build
        looks at each file (see sized)."""
        return cls(ids, {rel.rpartition("/")[0]: () for rel in ids})


def file_id(found: os.stat_result) -> str:
    """A file as one build knows it for the next: its inode and modification time. The inode
    alone is not enough: a file deleted and another made in its place may well be given the
    freed inode (ext4 hands out the lowest free one), but not the very time the build wrote."""
    return f"{found.st_ino}:{found.st_mtime_ns}"


def inode_of(file: str) -> int:
    """The inode of a file_id."""
    return int(file.partition(":")[0])


def as_written(target: str, files: Iterable[str]) -> Found:
    """How a build's own files are to be found once published: each one as it was staged in
    target (file_id: the switch keeps inodes and times), and no directory stamped yet. The next
    build then knows them file by file: one replaced since, even by one of the same size, is not theirs."""
    return Found.unstamped({rel: file_id(os.stat(f"{target}/{rel}")) for rel in files})


def _directory(site: str, directory: str) -> str:
    """A directory of the site, by its path in it ("" for the site itself)."""
    return f"{site}/{directory}" if directory else site


def unchanged_since(site: str, files: dict[str, int], before: Found) -> bool:
    """Is every directory of these files as it was when `before` was found?"""
    if before.ids.keys() != files.keys():  # (then before.stamps has every directory of files)
        return False
    for directory, stamps in before.stamps.items():
        try:
            found = os.lstat(_directory(site, directory))
        except OSError:
            return False
        if (found.st_ino, found.st_ctime_ns) not in stamps:
            return False
    return True


def sized(site: str, files: dict[str, int], before: Found | None) -> Found | None:
    """How the files are found, if each is a plain file of the site with its size (None if not)."""
    listed: dict[str, dict[str, tuple[int, str]]] = {}  # directory of the site -> its files' sizes, ids
    ids: dict[str, str] = {}
    for rel, size in files.items():  # paths this build recorded itself (checked when first written)
        directory, _, name = rel.rpartition("/")
        if directory not in listed:
            try:
                with os.scandir(_directory(site, directory)) as entries:
                    listed[directory] = {
                        e.name: _sized_id(e.stat(follow_symlinks=False))
                        for e in entries
                        if e.is_file(follow_symlinks=False)
                    }
            except OSError:
                return None
        size_id = listed[directory].get(name)
        if size_id is None or size_id[0] != size:
            return None
        if before is not None and before.ids.get(rel, size_id[1]) != size_id[1]:
            return None  # replaced since it was found: not the file the build wrote
        ids[rel] = size_id[1]
    old = before.stamps if before is not None and before.ids == ids else {}
    stamps = {}
    for directory in listed:  # stamped after the listing: a change since makes the directory unsettled
        try:
            found = os.lstat(_directory(site, directory))
        except OSError:
            return None
        kept = old.get(directory, ())
        if settled(found):
            stamp = (found.st_ino, found.st_ctime_ns)
            kept = (stamp, *[s for s in kept if s != stamp][:1])
        stamps[directory] = kept
    return Found(ids, stamps)


def _sized_id(found: os.stat_result) -> tuple[int, str]:
    """A file's size and identity (file_id), from one stat."""
    return found.st_size, file_id(found)
