"""The keystore under .amentor/: each child's content keys and every login's key slot.

It holds no passwords. It keeps each slot's derived wrapping key (KEK) so that a
revocation can re-wrap a new content key for the remaining logins without asking them.
File mode 0600; written atomically. A damaged keystore stops the build: silently making
new keys would lock every family out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..disk import remove_abandoned, sync_dir, write_atomically
from ..errors import LocatedError, Problem
from .crypto import KEY_BYTES, MIN_ITERATIONS, b64, new_key, unb64

if TYPE_CHECKING:
    from ..model import Project

FILE_NAME = "keystore.json"


class KeystoreError(LocatedError):
    """The keystore is missing where needed, unreadable or damaged."""


@dataclass
class FolderKeys:
    """One child's keys: pages (content), staff notes (staff), file names (names)."""

    pupil: str
    dir: str
    content_key: bytes
    staff_key: bytes
    name_key: bytes
    # The staff roles whose lists have been given these content and notes keys (None: not known,
    # a keystore of an older amentor): see Keystore.give.
    given: frozenset[str] | None = frozenset()

    @property
    def url(self) -> str:
        return f"f/{self.dir}/"


@dataclass
class StaffKeys:
    """One staff member's list of children: its file and key."""

    staff: str
    index_name: str
    index_key: bytes

    @property
    def path(self) -> str:
        return f"s/{self.index_name}.bin"


Holder = tuple[str | None, str | None, str | None]  # who a login is for: (pupil, guardian, staff)


@dataclass
class Login:
    """A key slot: who it is for, its KDF parameters and derived wrapping key (never the password)."""

    code: str
    pupil: str | None
    guardian: str | None
    staff: str | None
    issued: str
    salt: bytes
    iterations: int
    kek: bytes
    # Its holder is not in the records (a guardian taken out of pupil.yml, a mistyped id): it
    # opens nothing, and the keys it reached were changed, until they are back (logins.set_aside).
    away: bool = False
    # Who it was issued to, as the records named them then (a guardian's label, a staff role's):
    # a login set aside comes back only to the same person (None: issued by an older amentor).
    label: str | None = None

    @property
    def holder(self) -> Holder:
        return (self.pupil, self.guardian, self.staff)

    def same_holder(self, pupil: str | None, guardian: str | None, staff: str | None) -> bool:
        return self.holder == (pupil, guardian, staff)


@dataclass
class Keystore:
    path: Path
    folders: dict[str, FolderKeys] = field(default_factory=dict)
    staff: dict[str, StaffKeys] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    # Holders whose login the school revoked: issuing every login not yet issued passes them
    # by, until one is named again (logins.issue). No secret.
    revoked: set[Holder] = field(default_factory=set)
    created: bool = False
    saved: str = ""  # the file's text as last read or written: an unchanged keystore is not rewritten

    @classmethod
    def load(cls, state_dir: Path) -> Keystore:
        """Read the keystore, or start an empty one if there is none yet."""
        path = state_dir / FILE_NAME
        if not path.exists():
            return cls(path, created=True)
        try:
            text = path.read_text(encoding="utf-8")
            raw = json.loads(text)
            return cls(
                path,
                {k: _folder(k, v) for k, v in raw["folders"].items()},
                {k: _staff(k, v) for k, v in raw["staff"].items()},
                [_login(v) for v in raw["logins"]],
                {(x["pupil"], x["guardian"], x["staff"]) for x in raw.get("revoked", [])},
                saved=text,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeystoreError(
                Problem(
                    _rel(path),
                    1,
                    1,
                    f"the keystore is damaged ({type(exc).__name__}: {exc}); "
                    "nothing was changed. Restore it from a backup; if it is lost for good, move it "
                    "away and issue new logins to every family (see README, 'If the keystore is lost')",
                )
            ) from exc

    def save(self) -> None:
        """Write atomically with mode 0600 (nothing is written if nothing changed)."""
        data = {
            "version": 1,
            "folders": {
                k: {
                    "dir": f.dir,
                    "content_key": b64(f.content_key),
                    "staff_key": b64(f.staff_key),
                    "name_key": b64(f.name_key),
                    **({"given": sorted(f.given)} if f.given is not None else {}),
                }
                for k, f in sorted(self.folders.items())
            },
            "staff": {
                k: {"index_name": s.index_name, "index_key": b64(s.index_key)} for k, s in sorted(self.staff.items())
            },
            "logins": [
                {
                    "code": x.code,
                    "pupil": x.pupil,
                    "guardian": x.guardian,
                    "staff": x.staff,
                    "issued": x.issued,
                    "salt": b64(x.salt),
                    "iterations": x.iterations,
                    "kek": b64(x.kek),
                    **({"away": True} if x.away else {}),
                    **({"label": x.label} if x.label is not None else {}),
                }
                for x in self.logins
            ],
            "revoked": [
                {"pupil": p, "guardian": g, "staff": r}
                for p, g, r in sorted(self.revoked, key=lambda x: tuple(map(str, x)))
            ],
        }
        text = json.dumps(data).replace(', "', ',\n "')  # one entry a line, and the fast C encoder
        if text == self.saved and not self.created:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path.parent, 0o700)
        write_atomically(self.path, text.encode("utf-8"), durable=True, private=True)  # 0600, on disk first
        sync_dir(self.path.parent)  # and the rename itself
        remove_abandoned(self.path.parent, self.path.name)  # a copy a killed command left half written
        self.created, self.saved = False, text

    def prepare(self, project: Project) -> bool:
        """Make the keys of every child and staff member not yet known, give each child's to the
        staff lists that hold the child now (new ones if a list that held them no longer does:
        see give), and save; True if the keystore is new."""
        every = frozenset(r.key for r in project.school.staff)
        for pupil in project.pupils:
            self.give(self.folder(pupil.id), project.staff_of(pupil), every)
        for role in project.school.staff:
            self.staff_keys(role.key)
        created = self.created
        self.save()
        return created

    def folder(self, pupil_id: str) -> FolderKeys:
        """Return the child's keys, making them the first time the child is built."""
        if pupil_id not in self.folders:
            taken = {f.dir for f in self.folders.values()}
            name = secrets.token_hex(8)
            while name in taken:
                name = secrets.token_hex(8)
            self.folders[pupil_id] = FolderKeys(pupil_id, name, new_key(), new_key(), new_key())
        return self.folders[pupil_id]

    def give(self, keys: FolderKeys, roles: frozenset[str], every: frozenset[str]) -> None:
        """Give a child's keys to the lists of these staff roles, those whose scope takes the child
        in now. A role given them before that is not among these (the child moved class, or left;
        the role's class changed, or the role is gone) holds them in every copy of its list taken
        before: the child gets new content and notes keys, given to these roles alone, so that
        what is sealed from now on is closed to it, as a revoked login is (PROTECTION 2). A
        keystore of an older amentor did not say whom it gave keys to: any of the school's roles
        (every) may have them. (A role taken out of school.yml with a login had every key changed
        when the login was set aside: logins.cut_off.)"""
        if not (every if keys.given is None else keys.given) <= roles:
            keys.content_key, keys.staff_key = new_key(), new_key()
        keys.given = roles

    def staff_keys(self, role: str) -> StaffKeys:
        """The keys of a staff role's list (role: its key in school.yml), made the first time."""
        if role not in self.staff:
            self.staff[role] = StaffKeys(role, secrets.token_hex(8), new_key())
        return self.staff[role]

    def rotate_content_key(self, pupil_id: str) -> None:
        """New content key for a child: old copies of the site stop opening with removed slots."""
        if pupil_id in self.folders:
            self.folders[pupil_id].content_key = new_key()

    def rotate_notes_key(self, pupil_id: str) -> None:
        """New staff-notes key for a child (a staff login that could open them has gone)."""
        if pupil_id in self.folders:
            self.folders[pupil_id].staff_key = new_key()

    def rotate_staff_key(self, staff_key: str) -> None:
        if staff_key in self.staff:
            self.staff[staff_key].index_key = new_key()

    def find(self, pupil: str | None, guardian: str | None, staff: str | None) -> Login | None:
        return next((x for x in self.logins if x.same_holder(pupil, guardian, staff)), None)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _key(text: str) -> bytes:
    key = unb64(text)
    if len(key) != KEY_BYTES:
        raise ValueError("a key has the wrong length")
    return key


def _folder(pupil: str, v: dict[str, Any]) -> FolderKeys:
    if not isinstance(v["dir"], str) or not v["dir"].isalnum():
        raise ValueError(f"folder of {pupil!r} has a bad dir")
    given = v.get("given")
    if given is not None and not (isinstance(given, list) and all(isinstance(r, str) for r in given)):
        raise ValueError(f"folder of {pupil!r} has a bad list of staff given its keys")
    keys = _key(v["content_key"]), _key(v["staff_key"]), _key(v["name_key"])
    return FolderKeys(pupil, v["dir"], *keys, None if given is None else frozenset(given))


def _staff(key: str, v: dict[str, Any]) -> StaffKeys:
    return StaffKeys(key, str(v["index_name"]), _key(v["index_key"]))


def _login(v: dict[str, Any]) -> Login:
    iterations = int(v["iterations"])
    if iterations < MIN_ITERATIONS:
        raise ValueError(f"login {v['code']} has {iterations} PBKDF2 iterations, below the minimum {MIN_ITERATIONS}")
    return Login(
        str(v["code"]),
        v["pupil"],
        v["guardian"],
        v["staff"],
        str(v["issued"]),
        unb64(v["salt"]),
        iterations,
        _key(v["kek"]),
        v.get("away") is True,
        v["label"] if isinstance(v.get("label"), str) else None,
    )


def _rel(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def open_keystore(state_dir: Path, site_dir: Path, new_keystore: bool) -> Keystore:
    """The keystore for a build; a missing one beside a published site with logins is refused
    unless new_keystore (silently making new keys would lock every family out)."""
    keystore = Keystore.load(state_dir)
    if not new_keystore:
        refuse_lost(keystore, [site_dir])
    return keystore


def refuse_lost(keystore: Keystore, sites: Iterable[Path]) -> None:
    """Refuse a keystore that is missing (just started) beside a published site with logins: any
    command that saved it would put new keys in the place of the lost ones, and the next build
    would lock every family out without a word. Restored from a backup, every login opens again."""
    if not keystore.created:
        return
    for site in sites:
        if any((site / "k").glob("*.json")):
            raise KeystoreError(
                Problem(
                    _rel(keystore.path),
                    1,
                    1,
                    f"the keystore is missing, but {site.name}/ has logins that it opens. Restore the "
                    "keystore from a backup; or, to start again with new keys (every login must then be "
                    "issued again), run 'amentor build --new-keystore'",
                )
            )


def secure_state(state_dir: Path, everything: bool = False) -> tuple[Problem, ...]:
    """Make the project's private directory 0700 and its files 0600, as they must be; a warning
    if it was open to others (a copy, an unzip, a careless chmod).

    The 0700 directory is what keeps others out of everything in it, so it, the keystore and
    the entries directly in it are checked on every run; only when one of those was open (or
    when asked: everything) is every file below checked and corrected too (a large school's
    caches hold tens of thousands; an older amentor made them 0644 in a 0755 cache/, once)."""
    if not state_dir.is_dir():
        return ()
    opened: list[str] = []
    entries = [state_dir, *state_dir.iterdir()]
    if everything or any(stat.S_IMODE(p.stat().st_mode) & 0o077 for p in entries if p.is_dir() and not p.is_symlink()):
        entries += list(state_dir.rglob("*"))
    for path in dict.fromkeys(entries):
        if path.is_symlink():
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != wanted:
            os.chmod(path, wanted)
            if mode & 0o077 and (path == state_dir or path.name == FILE_NAME or opened):
                opened.append(f"{path.relative_to(state_dir.parent).as_posix()} ({mode:04o})")
    if not opened:
        return ()
    return (
        Problem(
            state_dir.name,
            1,
            1,
            f"was open to others: {', '.join(opened[:3])}"
            f"{f' and {len(opened) - 3} more' if len(opened) > 3 else ''}; made private (0700, files "
            "0600): it holds every folder's keys. If others could read it, revoke and reissue the logins",
            warning=True,
        ),
    )
