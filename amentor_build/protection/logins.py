"""Logins: one per adult, each a key slot over the child's (or staff member's) key.

Issuing derives the wrapping key once with PBKDF2 (the only place the slow work happens);
the password is printed once and never stored. Revoking deletes the slot and rotates the
key it opened, so copies of the site made after the next build no longer open with it. A
login whose holder is not in the records is set aside by the build, never deleted (set_aside).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import Problem, ProjectErrors, closest
from ..model import Project
from .crypto import MIN_ITERATIONS, derive_kek
from .keystore import FILE_NAME, Holder, Keystore, Login, now_iso

# Easy to read off a letter, and to copy by hand: no 0/O, 1/I/L, and no B, S or Z beside 8, 5
# and 2 (codes issued before with those letters still open their folders).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY23456789"
CODE_LENGTH = 8
PASSWORD_WORDS = 4


class LoginsError(ProjectErrors):
    """A login was named that the records (or the keystore) do not know: said at the file that
    would have to name it, as `path:1:1: message` (an unknown pupil as Project.pupil says it)."""

    def __init__(self, path: str, message: str):
        super().__init__([Problem(path, 1, 1, message)])

    def __reduce__(self) -> tuple[type[LoginsError], tuple[str, str]]:
        return (LoginsError, (self.problems[0].path, self.problems[0].message))


@dataclass(frozen=True)
class IssuedLogin:
    login: Login
    password: str  # shown once, never stored
    url: str  # relative to the site root
    holder: str  # who it is for, in words (for letters and messages)
    child_first_name: str | None


@lru_cache(maxsize=1)
def word_list() -> tuple[str, ...]:
    """The EFF large word list (7,772 words without hyphens; CC BY 3.0), less the words a school
    would not print in a letter home (unsuitable-words.txt: death, illness, drugs, violence, ...)."""
    unsuitable = set(_words("unsuitable-words.txt"))
    return tuple(w for w in _words("wordlist.txt") if w.isalpha() and w not in unsuitable)


def _words(name: str) -> list[str]:
    """The words of a list shipped with amentor, one a line (a line starting with # is a comment)."""
    text = resources.files(__package__ or "amentor_build.protection").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def new_password() -> str:
    """Four random words from a large list (about 51.3 bits), easy to type on a phone."""
    words = word_list()
    return "-".join(secrets.choice(words) for _ in range(PASSWORD_WORDS))


def normalise_password(text: str) -> str:
    """Same rule as amentor.js: capitals and any separators between the words are forgiven."""
    import re

    return "-".join(w for w in re.split(r"[^a-z0-9]+", text.lower()) if w)


def new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def make_login(
    keystore: Keystore,
    pupil: str | None,
    guardian: str | None,
    staff: str | None,
    label: str | None = None,
    iterations: int = MIN_ITERATIONS,
) -> tuple[Login, str]:
    """Create (or replace) the login of one adult; return it with its one-time password."""
    old = keystore.find(pupil, guardian, staff)
    if old is not None:  # a reset: the old slot goes, and the key it opened is rotated
        revoke_login(keystore, old)
    password = new_password()
    salt = secrets.token_bytes(16)
    kek = derive_kek(normalise_password(password), salt, iterations)
    code = new_code({x.code for x in keystore.logins})
    login = Login(code, pupil, guardian, staff, now_iso(), salt, iterations, kek, label=label)
    keystore.logins.append(login)
    return login, password


def revoke_login(keystore: Keystore, login: Login) -> None:
    """Delete the slot and rotate every key it could ever reach (cut_off); the other logins are
    re-wrapped at the next build, and copies of the site taken before open nothing of the site
    after. A login set aside was cut off when it was: its keys are not changed again."""
    keystore.logins.remove(login)
    if not login.away:
        cut_off(keystore, login)


def cut_off(keystore: Keystore, login: Login) -> None:
    """Rotate every key a login could ever reach.

    A guardian's login reaches one child's content key. A staff login reaches its list's key,
    and through the list the content and staff-notes keys of every child in its scope; the
    scope follows the records (a class changes every year, children join and leave), and any
    copy of the site taken before, with any older list, may be in an attacker's hands, so the
    keys of every child are rotated: the next build seals every folder again.
    """
    if login.staff is not None:
        keystore.rotate_staff_key(login.staff)
        for pupil_id in keystore.folders:
            keystore.rotate_content_key(pupil_id)
            keystore.rotate_notes_key(pupil_id)
    elif login.pupil is not None:
        keystore.rotate_content_key(login.pupil)


def issue(
    project: Project,
    keystore: Keystore,
    pupil_id: str | None,
    guardian: str | None,
    staff: str | None,
    again: bool = False,
) -> tuple[list[IssuedLogin], list[Holder]]:
    """Issue the named login (a reset if it exists), or every login not yet issued (of one
    pupil's guardians, with --pupil alone). With again (--all: letters printed with a wrong
    address, a pile of them lost), those that exist are issued again too, but for the logins
    of a child who has left, unless the child is named: a leaver's family keeps its letter (SPEC).
    A login the school revoked is issued again only when
    its holder is named exactly (--pupil with --guardian, or --staff): see Keystore.revoked.
    A guardian not yet issued whose name is that of a login set aside for another key of the
    same child (`mun` for `mum`, Ms Haldane both) is passed by too, unless named: the key is
    most likely mistyped, and putting it right gives her letter back.
    Returns the logins issued, and the holders passed by (revoked, or looking like one set aside)."""
    pupils = {p.id: p for p in project.pupils}
    roles = {r.key: r for r in project.school.staff}
    named: list[Holder] = []  # exactly: issued (again) whatever they had
    candidates: list[Holder] = []  # not yet issued: those without a login, and not revoked
    if pupil_id is not None:
        pupil = project.pupil(pupil_id)
        keys = [g.key for g in pupil.guardians]
        if guardian is not None:
            if guardian not in keys:
                raise LoginsError(
                    f"pupils/{pupil.slug}/pupil.yml",
                    f"pupil {pupil_id} has no guardian '{guardian}' (guardians: {', '.join(keys) or 'none'})",
                )
            named.append((pupil_id, guardian, None))
        else:
            candidates += [(pupil_id, g, None) for g in keys]
    if staff is not None:
        if staff not in roles:
            raise LoginsError("school.yml", f"no staff member '{staff}' (staff: {', '.join(roles) or 'none'})")
        named.append((None, None, staff))
    if pupil_id is None and staff is None:
        # Every guardian, a leaver's too: the folder is kept, and opens with the family's logins
        # until the school revokes them (SPEC: "every not-yet-issued guardian").
        candidates += [(p.id, g.key, None) for p in project.pupils for g in p.guardians]
        candidates += [(None, None, r) for r in roles]
    names = holders(project)
    away = absent(project, keystore, names)  # set aside: not theirs (see set_aside)
    gone = {login.code for login in away}
    unissued = [h for h in candidates if (had := keystore.find(*h)) is None or had.code in gone]
    lookalike = [h for h in unissued if any(_set_aside_for(x, h, names) for x in away)]
    passed, fresh = set(lookalike) | keystore.revoked, set(unissued)

    def renewed(p: str | None) -> bool:  # (again) a login of one's own: a leaver's family keeps theirs
        return again and (p is None or pupil_id is not None or pupils[p].left is None)

    wanted = named + [h for h in candidates if (h not in passed if h in fresh else renewed(h[0]))]
    passed_by = [h for h in unissued if h in passed]
    keystore.revoked -= set(named)  # named again: issued again
    issued = []
    for p, g, s in wanted:
        if s is not None:
            login, password = make_login(keystore, p, g, s, roles[s].label)
            keystore.staff_keys(s)
            issued.append(IssuedLogin(login, password, "staff/", roles[s].label, None))
        else:
            pupil = pupils[p or ""]
            holder = next(x.label for x in pupil.guardians if x.key == g)
            login, password = make_login(keystore, p, g, s, holder)
            issued.append(IssuedLogin(login, password, keystore.folder(pupil.id).url, holder, pupil.given_name))
    return issued, passed_by


def revoke(keystore: Keystore, pupil_id: str | None, guardian: str | None, staff: str | None) -> Login:
    login = keystore.find(pupil_id, guardian, staff)
    if login is None and not staff and not any(x.pupil == pupil_id for x in keystore.logins):
        # SD-999 for SD-009 is said as such; a child the keystore knows (built) is no typo
        near = "" if pupil_id in keystore.folders else closest(str(pupil_id), keystore.folders)
        raise LoginsError(
            f".amentor/{FILE_NAME}",
            f"no login is held for pupil {pupil_id}{near}: nothing to revoke ('amentor logins list' lists those there are)",
        )
    if login is None:
        who = f"staff member '{staff}'" if staff else f"guardian '{guardian}' of pupil {pupil_id}"
        # 'mom' for mum: the login is there, under the key it was issued to
        keys = (x.staff if staff else x.guardian for x in keystore.logins if staff or x.pupil == pupil_id)
        held = sorted({key for key in keys if key})
        near = f" (logins: {', '.join(held)})" if held else ""
        raise LoginsError(f".amentor/{FILE_NAME}", f"{who} has no login to revoke{near}")
    revoke_login(keystore, login)
    keystore.revoked.add((pupil_id, guardian, staff))  # not issued again by an `issue` naming no one
    return login


def _set_aside_for(login: Login, holder: Holder, names: dict[Holder, str]) -> bool:
    """Is a login set aside that of this guardian under another key of the same child (their
    very name), as a mistyped key makes it?"""
    pupil, guardian, staff = holder
    if staff is not None or login.staff is not None or login.pupil != pupil or login.guardian == guardian:
        return False
    return login.label is not None and holder in names and _same_person(login.label, names[holder])


def set_aside(project: Project, keystore: Keystore, planned: bool = False) -> tuple[Problem, ...]:
    """Set aside each login whose holder is not in the records (see absent), and take back each
    whose holder is again; a warning for each. planned (`check`): only the warnings, of what the
    next build will do; the keystore is left as it is.

    A holder leaves the records when a guardian is taken out of pupil.yml or a staff member out
    of school.yml, but also when an id or a key is mistyped, or half typed while `amentor serve`
    rebuilds. So a login is never deleted for it (only `logins revoke` does that): it opens
    nothing (no slot is written for it), and the first build that finds it so changes every key
    it reached (cut_off), so that a browser that kept one, or a copy of the site taken before,
    opens nothing of the site after. Once the same guardian is back, their slot is written again
    with the keys as they are then: the family's letter works again, with nothing to issue.
    """
    names = holders(project)
    gone = {login.code for login in absent(project, keystore, names)}
    said = []
    for login in keystore.logins:
        now = names.get(login.holder)
        if login.code in gone:
            said.append(away_warning(project, login, now, planned))
        elif login.away:
            said.append(back_warning(project, login, planned))
        if planned:
            continue
        if login.label is None and now is not None and login.code not in gone:
            login.label = now  # issued by an older amentor: who holds it, from now on
        if login.code in gone and not login.away:
            cut_off(keystore, login)
        login.away = login.code in gone
    return tuple(said)


def absent(project: Project, keystore: Keystore, names: dict[Holder, str] | None = None) -> list[Login]:
    """The logins a build sets aside: those whose holder is not in the records; a guardian's
    whose key now names another person (`dad`: Mr Smith, where it was issued to Mr Haldane);
    and a staff login once set aside (a role names no person: whoever holds it when it is back
    may not be the one it was issued to). names: holders(project), if known."""
    names = holders(project) if names is None else names
    gone = []
    for login in keystore.logins:
        now = names.get(login.holder)
        if now is None or (login.away if login.staff is not None else not _same_person(login.label, now)):
            gone.append(login)
    return gone


def holders(project: Project) -> dict[Holder, str]:
    """Each holder of a login the records name, with the label they give them."""
    names: dict[Holder, str] = {(p.id, g.key, None): g.label for p in project.pupils for g in p.guardians}
    names.update({(None, None, r.key): r.label for r in project.school.staff})
    return names


def _same_person(issued: str | None, now: str) -> bool:
    """Does the label the records give now name the person a login was issued to? Only if it is
    the same label, case, spaces and punctuation aside (`Mr. HALDANE` for Mr Haldane). A title
    counts: Mrs Brennan is not Mr Brennan; and a name changed (Ms Haldane, now Mrs Okonkwo) is
    taken as another person, safely: she is issued a new login. Unknown (an older login): so."""
    if issued is None:
        return True
    return _folded(issued) == _folded(now)


def _folded(label: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", label.casefold()))


def away_warning(project: Project, login: Login, now: str | None, planned: bool = False) -> Problem:
    """What a login set aside means, and the ways on (planned: said by `check`, of the next build)."""
    code = display_code(login.code)
    nothing = "so after the next build it opens nothing" if planned else "so it opens nothing"
    if login.staff is not None:
        where, option = "school.yml", f"--staff {login.staff}"
        said = (
            f"login {code} is for staff member '{login.staff}', "
            + (f"who is not in the records, {nothing}" if now is None else "and was set aside")
            + f". A role names no person, so it stays set aside when '{login.staff}' is in the records "
            f"again: issue a login to whoever holds it then (amentor logins issue {option}), which ends "
            f"this one; or end it now: amentor logins revoke {option}"
        )
        return Problem(where, 1, 1, said, warning=True)
    where = _pupil_file(project, login)
    option = f"--pupil {login.pupil} --guardian {login.guardian}"
    if now is not None:  # the key now names someone else
        said = (
            f"login {code} was issued to '{login.label}', guardian '{login.guardian}' of {login.pupil}; the "
            f"records now name '{now}' there, {nothing}. If that is a mistake, put back '{login.label}'; "
            f"else issue a login to '{now}' (amentor logins issue {option}), which ends this one (the "
            "same person under a new name, too, is given a new letter)"
        )
        return Problem(where, 1, 1, said, warning=True)
    said = (
        f"login {code} is for guardian '{login.guardian}' of {login.pupil}, who is not in the records, "
        f"{nothing}. If the records are wrong (a mistyped id or key), put them right and the "
        f"login works again as it was, with no new letter. If the login was issued under the mistake "
        "(the records are right now), issue the family a login under the right id and key (amentor "
        f"logins issue --pupil ID --guardian KEY), then end this one: amentor logins revoke {option}"
    )
    return Problem(where, 1, 1, said, warning=True)


def _pupil_file(project: Project, login: Login) -> str:
    """Where a guardian's login is named: their child's pupil.yml (`pupils` if the child is gone)."""
    pupil = next((p for p in project.pupils if p.id == login.pupil), None)
    return f"pupils/{pupil.slug}/pupil.yml" if pupil is not None else "pupils"


def back_warning(project: Project, login: Login, planned: bool = False) -> Problem:
    """A login set aside whose guardian is back in the records: it opens their folder again
    (planned: said by `check`, of the next build)."""
    where = _pupil_file(project, login)
    said = (
        f"login {display_code(login.code)} of '{login.label}', guardian '{login.guardian}' of {login.pupil}, "
        f"set aside by an earlier build, {'will open' if planned else 'opens'} the folder again"
    )
    return Problem(where, 1, 1, said, warning=True)
