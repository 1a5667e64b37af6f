"""Printable login letters: one HTML page per login, with a QR code that opens the login page."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

import qrcode
import qrcode.image.svg
from jinja2 import Environment
from markupsafe import Markup

from ..disk import process_ended, remove_abandoned, sync_dir, write_atomically
from ..errors import LocatedError, Problem
from .logins import IssuedLogin, display_code


def qr_svg(text: str) -> Markup:
    """An inline SVG QR code (no image files, prints sharply)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :])


# Addresses kept for examples (RFC 2606), and the starter's own (folders.example.sch.uk).
EXAMPLE_HOSTS = ("example", "example.com", "example.org", "example.net", "example.sch.uk")


def example_address(site_url: str) -> bool:
    """Is this an address kept for examples (the starter's own among them)?"""
    host = site_url.split("//", 1)[-1].split("/", 1)[0].lower()
    return any(host == h or host.endswith("." + h) for h in EXAMPLE_HOSTS)


def address_problem(site_url: str, mkdocs_yml: Path) -> Problem | None:
    """A warning when the letters cannot send families to the school's own site: mkdocs.yml has
    no site_url, or still an example's."""
    if not site_url:
        return Problem(
            "mkdocs.yml",
            1,
            1,
            "there is no site_url: the letters name no web address and carry no QR code (add the folders' "
            "address, such as site_url: https://folders.yourschool.sch.uk/, then issue these logins again: by "
            "name, or every login with amentor logins issue --all --letters DIR)",
            warning=True,
        )
    if not example_address(site_url):
        return None
    try:
        lines = mkdocs_yml.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    line = next((n for n, found in enumerate(lines, 1) if found.startswith("site_url")), 1)
    return Problem(
        "mkdocs.yml",
        line,
        1,
        f"site_url is still an example's ({site_url}): the letters send families there (put the folders' "
        "own address, then issue these logins again: by name, or every login with amentor logins issue --all "
        "--letters DIR)",
        warning=True,
    )


# In a letters folder inside the project or a git work tree: git leaves the whole folder out (as
# Python's venv and pytest's cache keep themselves out), whatever the project's .gitignore says
# (an older amentor's did not name letters/, and a school may have replaced it).
KEEP_OUT = "# amentor: login letters hold passwords; git leaves this folder out\n*\n"


def write_letters(
    directory: Path,
    issued: list[IssuedLogin],
    school_name: str,
    site_url: str,
    env: Environment,
    project: str,
    keep_out: bool = False,
) -> list[Path]:
    """Write one letter per login into directory, each under a name that says it is no letter
    yet (`.login-<CODE>.html.<project>.<pid>.part`, project: `project_tag`; mode 0600: they hold
    passwords); return those files. keep_out: the folder is inside the project or a git work
    tree (in_git_work_tree), and gets a .gitignore that keeps it out of git (KEEP_OUT) if it has
    none (one the school wrote may not: kept_out_by_git).
    `deliver` names them as letters once the logins are recorded, so a command killed before
    that leaves no letter of a login that does not exist (and `settle` tidies what it left).

    All or none: if one cannot be written (a full disk), those already written are removed and
    the error names the file (no login is recorded then: see cli.logins.cmd_issue)."""
    letters = [_letter(env, item, school_name, site_url) for item in issued]  # all made before one is written
    written: list[Path] = []
    path = directory
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if keep_out:
            remove_abandoned(directory, ".gitignore")  # a write of it killed midway
            if not (path := directory / ".gitignore").exists():
                write_atomically(path, KEEP_OUT.encode())
        for item, html in zip(issued, letters):
            path = directory / f"login-{item.login.code}.html"
            partial = path.with_name(f".{path.name}.{project}.{os.getpid()}.part")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            written.append(partial)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(html)
                out.flush()
                os.fsync(out.fileno())
    except OSError as exc:
        discard(written)
        what = "the .gitignore that keeps the letters out of git" if path.name == ".gitignore" else "the letter"
        raise LocatedError(
            Problem(str(path), 1, 1, f"cannot write {what}: {exc.strerror or exc}; no login was issued")
        ) from exc
    return written


def in_git_work_tree(directory: Path) -> bool:
    """Is directory (or would it be, once made) inside a git work tree?"""
    return any((parent / ".git").exists() for parent in [directory, *directory.parents])


def kept_out_by_git(directory: Path) -> bool:
    """Does the letters folder's own .gitignore leave every file in it out (a line `*`)? One the
    school wrote there may not."""
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    return any(line.strip() in ("*", "/*") for line in lines)


def deliver(written: list[Path]) -> list[Path]:
    """The letters write_letters wrote, named as letters (once their logins are recorded)."""
    letters = [partial.with_name(_letter_name(partial.name)) for partial in written]
    for partial, letter in zip(written, letters):
        partial.replace(letter)
    if written:
        sync_dir(written[0].parent)
    return letters


def mark_replaced(directory: Path, codes: list[str], project: str) -> list[Path]:
    """Before the logins that replace these are recorded: a mark beside each of their letters
    (`.login-<CODE>.html.<project>.<pid>.gone`), so that an issue killed once they are recorded,
    before the letters are removed (remove_letters), has them removed by the next (settle)."""
    marks = []
    for code in codes:
        if (directory / f"login-{code}.html").is_file():
            mark = directory / f".login-{code}.html.{project}.{os.getpid()}.gone"
            mark.touch(mode=0o600)
            marks.append(mark)
    if marks:
        sync_dir(directory)
    return marks


def remove_letters(directory: Path, codes: list[str]) -> list[Path]:
    """Remove the letters in directory of these logins (replaced: they open nothing after the
    next build, and must never be handed out); return those removed."""
    dead = [letter for letter in (directory / f"login-{code}.html" for code in codes) if letter.is_file()]
    for letter in dead:
        letter.unlink()
    return dead


def discard(written: list[Path]) -> None:
    """Remove the letters write_letters wrote, whose logins could not be recorded (they open nothing)."""
    for partial in written:
        with contextlib.suppress(OSError):
            partial.unlink()


def project_tag(root: Path) -> str:
    """A short name for a project in its unfinished letters, so that a letters folder two
    projects share holds the other's untouched (settle)."""
    return hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:8]


def settle(directory: Path, recorded: set[str], project: str) -> tuple[list[Path], int, list[Path]]:
    """What an earlier `logins issue --letters` of this project (project_tag) killed midway left
    in directory: each letter of a login it recorded, named as a letter now (it works); each of a
    login it did not record (which does not exist), removed; each letter it marked as replaced
    (mark_replaced), removed if its login is no longer recorded (it opens nothing), else kept.
    Returns the letters named, how many unfinished ones were removed, and the replaced removed."""
    named, removed, ended = [], 0, []
    for partial in sorted(directory.glob(f".login-*.html.{project}.*.part")):
        if not _abandoned(partial):
            continue  # still at work: not this project's (it holds the project's lock), so not ours to touch
        letter = partial.with_name(_letter_name(partial.name))
        code = letter.name.removeprefix("login-").removesuffix(".html")
        with contextlib.suppress(OSError):
            if code in recorded and not letter.exists():
                partial.replace(letter)
                named.append(letter)
            else:
                partial.unlink()
                removed += 1
    for mark in sorted(directory.glob(f".login-*.html.{project}.*.gone")):
        if not _abandoned(mark):
            continue
        letter = mark.with_name(_letter_name(mark.name))
        with contextlib.suppress(OSError):
            if letter.name.removeprefix("login-").removesuffix(".html") not in recorded and letter.is_file():
                letter.unlink()
                ended.append(letter)
            mark.unlink()
    return named, removed, ended


def _abandoned(path: Path) -> bool:
    """Was the file `.login-<CODE>.html.<project>.<pid>.<part|gone>` left by a command that has ended?"""
    pid = path.name.rsplit(".", 2)[1]
    return process_ended(pid)


def _letter_name(partial: str) -> str:
    """login-<CODE>.html, of .login-<CODE>.html.<project>.<pid>.part (or .gone)."""
    return partial[1:].rsplit(".", 3)[0]


def _letter(env: Environment, item: IssuedLogin, school_name: str, site_url: str) -> str:
    """One login's letter, as HTML (the school's theme's letters/letter.html)."""
    code = item.login.code
    link = f"{site_url}index.html#code={code}" if site_url else ""
    return env.get_template("letters/letter.html").render(
        school=school_name,
        item=item,
        code=display_code(code),
        address=site_url or "the school's folder website",
        qr=qr_svg(link) if link else None,
        link=link,
    )
