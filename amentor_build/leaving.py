"""The leaving folder (`amentor export`): one child's whole folder as ONE encrypted HTML file, and
the school's retention copy of their records as a zipped BagIt bag (RFC 8493).

The HTML file opens offline (file://, an email attachment). It holds the site's own decryptor
(amentor.js, inline, allowed by its hash in the file's Content-Security-Policy), the stylesheet
(inline, by its hash), a password form, and in a data block that never runs the folder's pages
and attachments sealed with a new content key (crypto.seal, AES-256-GCM) under one password slot
(crypto.slot_file: PBKDF2-HMAC-SHA256, 600,000 iterations, a random salt). The password is new,
shown once (before the file is put in place) and never stored. Staff notes are not in it: it is
the family's copy.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import IO, Any

import bagit

from . import judge, records, render, starter
from .build.derived import DerivedImages
from .disk import failed_path, make_private_dir, remove_abandoned, remove_ended, remove_tree, write_atomically
from .errors import AmentorError, LocatedError, Problem
from .model import Project, Pupil
from .places import bags_dir, refuse_nowhere, refuse_published, refuse_records, said_at, shown, state_dir
from .protection import crypto
from .protection.keystore import FolderKeys
from .protection.logins import new_password, normalise_password
from .protection.seal import attachment_names, folder_links
from .render.theme import theme_file

BUNDLE_SLOT = "bundle"  # the slot's code: its box is sealed under the name "slot:bundle"


def export_folder(
    root: Path, pupil_id: str, html_path: Path, archive: Path | None, show: Callable[[str], None]
) -> None:
    """Write the child's leaving folder (and, with archive, the bag); show its one-time password
    once both are written, before either is put in place: a folder that replaced the last one is
    never one whose password was not shown (stdout full, or the command killed)."""
    html_path = checked_destination(root, html_path, "a leaving folder")
    archive = checked_destination(root, archive, "a child's archive") if archive is not None else None
    if archive == html_path:
        raise AmentorError(f"the leaving folder and the archive cannot both be {html_path}")
    project = records.load(root)  # 1. load
    pupil = project.pupil(pupil_id)
    known = exported(root)  # the leaving folders written before, by digest
    refuse_anothers_folder(root, html_path, pupil.id, known)
    if archive is not None:
        refuse_anothers(root, archive, pupil.id)
    password = new_password()
    page = leaving_html(project, pupil, password)  # 2.-4. judge, render, protect
    placed = False  # the archive, in place
    try:
        remember_folder(root, known, page, pupil.id)  # first: a folder in place is always one amentor knows
        with private_file(html_path) as out:  # the archive is complete before the folder is in place
            out.write(page)
            if archive is None:
                show(password)
            else:
                with private_file(archive) as zipped:
                    write_bag(zipped, project, pupil, archive.stem)
                    show(password)
                placed = True
    except OSError as exc:  # a full disk, a read-only directory: said once, with the path
        if placed and archive is not None:  # both or neither
            archive.unlink(missing_ok=True)
        failed = Path(failed_path(exc) or html_path)
        raise said_at(root, failed, f"{exc.strerror or exc}; the export was not written") from exc


def checked_destination(root: Path, given: Path, what: str) -> Path:
    """Where an export may go: never where anything is published (a site built from this project,
    content/, theme/), never among the records (an archive in a pupil's directory would go into
    their next retention copy), and into a directory that exists."""
    path = given.resolve()
    refuse_published(root, path, what)
    refuse_records(root, path, what, "a child's retention copy takes their whole directory")
    refuse_nowhere(root, path)
    return path


def refuse_anothers(root: Path, archive: Path, pupil_id: str) -> None:
    """Never write over the retention copy of another child (the same name given twice, for two
    leavers): it may be the school's only copy once the records are gone. The child's own is
    replaced, as an export again replaces its leaving folder."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            info = next((n for n in zipped.namelist() if n.count("/") == 1 and n.endswith("/bag-info.txt")), None)
            text = zipped.read(info).decode("utf-8", errors="replace") if info else ""
    except (OSError, zipfile.BadZipFile):
        return  # none there, or not an archive of amentor's
    owner = next(
        (line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("External-Identifier:")), None
    )
    if owner is not None and owner != pupil_id:
        raise said_at(
            root, archive, f"refusing to write over the archive of {owner}, another child: choose another name for it"
        )


EXPORTS = "exports.json"  # in .amentor/: the leaving folders written, {sha256 of the file: the child's id}


def exported(root: Path) -> dict[str, str]:
    """The leaving folders this project wrote, by their digest (no name, no file name); {} if none.
    A damaged list is an error: read as empty, it would let an export write over any of them."""
    try:
        found = json.loads((state_dir(root) / EXPORTS).read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        found = None  # unreadable, or not JSON: damaged
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in found.values()):
        raise LocatedError(
            Problem(
                f".amentor/{EXPORTS}",
                1,
                1,
                "the list of the leaving folders amentor wrote is damaged; move it away to go on (the folders "
                "it named are then no longer kept from being written over by another child's export)",
            )
        )
    return found


def remember_folder(root: Path, known: dict[str, str], page: bytes, pupil_id: str) -> None:
    """Note the leaving folder about to be written as the child's, beside those known (exported)."""
    known = known | {hashlib.sha256(page).hexdigest(): pupil_id}
    write_atomically(state_dir(root) / EXPORTS, json.dumps(known, indent=0).encode(), private=True)
    remove_abandoned(state_dir(root), EXPORTS)  # a copy an export killed while writing it left


def refuse_anothers_folder(root: Path, path: Path, pupil_id: str, known: dict[str, str]) -> None:
    """Never write over the leaving folder of another child (the last export's command line used
    again for the next leaver, its -o not changed): the password printed for it would open
    nothing, and it may be on its way to the family. The child's own is replaced. A file amentor
    did not write, or wrote from another project or before this list was kept (amentor 0.2.0), is
    not known here and is written over."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return  # a device or a pipe (-o /dev/stdout): no leaving folder, and never read
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return  # none there
    owner = known.get(digest)
    if owner is not None and owner != pupil_id:
        raise said_at(
            root,
            path,
            f"refusing to write over the leaving folder of {owner}, another child: choose another name for it",
        )


# ---------------------------------------------------------------- the folder, sealed into one page


def sealed_bundle(project: Project, pupil: Pupil, password: str) -> dict[str, Any]:
    """Every page and attachment of the child's folder sealed with a new content key, and the
    slot that opens that key with the password: {"v", "slot", "files": {name: base64}}."""
    keys = FolderKeys(pupil.id, "", crypto.new_key(), crypto.new_key(), crypto.new_key())
    names, links = attachment_names(keys), folder_links()  # keyed attachment names, in-page links: as in the site
    state_dir(project.root).mkdir(mode=0o700, exist_ok=True)
    rendered = render.render(
        render.make_environment(project.root / "theme"),
        judge.judge_pupil(project.school, pupil),
        project.pupil_dir(pupil),
        names,
        links,
        prepared=DerivedImages(state_dir(project.root) / "cache" / "media"),  # the build's (Caches.media)
    )
    key = keys.content_key
    files = {f"{p.name}.bin": crypto.seal(key, p.name, p.html.encode()) for p in rendered.pages}
    for attachment in rendered.attachments:
        files[attachment.name] = crypto.seal(key, attachment.name, attachment.data, crypto.ATTACHMENT_BUCKET)
    salt = secrets.token_bytes(16)
    kek = crypto.derive_kek(normalise_password(password), salt, crypto.MIN_ITERATIONS)
    secret = {"kind": "bundle", "key": crypto.b64(key)}
    slot = json.loads(crypto.slot_file(BUNDLE_SLOT, kek, salt, crypto.MIN_ITERATIONS, secret))
    return {"v": 1, "slot": slot, "files": {name: crypto.b64(data) for name, data in files.items()}}


LEAVING_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>Assertive Mentoring folder · {school}</title>
<style>{style}</style>
</head>
<body class="folder-page" data-view="bundle">
<div class="folder-bar">
  <span>{school}</span>
  <span class="folder-bar-actions"><button type="button" class="logout" id="close-folder" hidden>Close the folder</button></span>
</div>
<p id="page-status" class="visually-hidden" role="status"></p>
<div id="folder" class="folder" tabindex="-1">
<section class="login" aria-labelledby="login-title">
  <h1 id="login-title">Open this Assertive Mentoring folder</h1>
  <p>This file is a folder from {school}, encrypted. Type the password the school gave you with it.</p>
  <form id="login-form" class="login-form" autocomplete="off">
    <label for="login-password">Password</label>
    <input id="login-password" name="password" type="password" autocapitalize="none" spellcheck="false" required>
    <button type="button" class="show-password" aria-controls="login-password" aria-pressed="false">Show password</button>
    <button type="submit">Open the folder</button>
    <p id="login-status" class="login-status" aria-live="polite"></p>
    <p id="login-error" class="login-error" role="alert"></p>
  </form>
</section>
</div>
<noscript><p class="folder-error">This folder needs JavaScript to open: it is encrypted, and your browser unlocks it.</p></noscript>
<script type="application/octet-stream" id="amentor-bundle">{bundle}</script>
<script>{script}</script>
</body>
</html>
"""


def leaving_html(project: Project, pupil: Pupil, password: str) -> bytes:
    """The one self-contained page: password form, stylesheet and decryptor inline (each allowed
    by its hash, nothing else runs or loads), the sealed folder in a data block."""
    style = inline_style(project.root)
    # amentor's own decryptor, never a copy in the school's theme: its bundle mode is this version's.
    script = (starter.theme_dir() / "assets" / "amentor.js").read_text(encoding="utf-8")
    for end in ("</script", "<!--"):
        if end in script.lower():  # (amentor's own: never)
            raise AmentorError(f"cannot inline amentor's script: it contains '{end}'")
    policy = (
        f"default-src 'none'; script-src '{csp_hash(script)}'; style-src '{csp_hash(style)}'; "
        "img-src blob: data:; frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'none'"
    )
    bundle = json.dumps(sealed_bundle(project, pupil, password), separators=(",", ":"))  # base64 and names only
    page = LEAVING_PAGE.format(
        policy=policy, school=escape(project.school.name), style=style, bundle=bundle, script=script
    )
    return page.encode("utf-8")


def inline_style(root: Path) -> str:
    """The stylesheet of the school's theme, else amentor's own (as the site has it), to put
    inside the page's <style>: one holding '</style' (in a comment, say) would end it early."""
    path = theme_file(root / "theme", "assets/amentor.css")
    if path is None:  # (amentor's own is there: never)
        raise AmentorError("the theme has no assets/amentor.css")
    style = path.read_text(encoding="utf-8")
    if (at := style.lower().find("</style")) >= 0:
        line, column = style.count("\n", 0, at) + 1, at - style.rfind("\n", 0, at)
        said = "'</style' ends the leaving folder's stylesheet early: take it out (from a comment too)"
        raise LocatedError(Problem(shown(root, path), line, column, said))
    return style


def csp_hash(text: str) -> str:
    """A Content-Security-Policy source that allows exactly this inline script or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# ---------------------------------------------------------------- the school's retention copy


def write_bag(out: IO[bytes], project: Project, pupil: Pupil, name: str) -> None:
    """Zip into out a BagIt bag (version 1.0, SHA-256) of a copy of the child's pupils/<slug>/
    directory: pupil.yml, year files and work files under data/, checked before it is zipped."""
    with bag_workspace(project.root) as temporary:
        bag_dir = temporary / name
        try:
            shutil.copytree(project.pupil_dir(pupil), bag_dir, copy_function=_copy)
        except _Refused as refused:
            raise refused.error from None
        except shutil.Error as exc:  # a folder it could not make: the first, as the others are
            _, made, why = exc.args[0][0]
            raise said_at(project.root, Path(made), f"{why}; the export was not written") from None
        for folder, _, _ in os.walk(bag_dir):  # copied with the records' modes: a read-only one kept
            os.chmod(folder, 0o700)  # bagit from moving its files into data/, and the copy from removal
        bagit_quiet = logging.getLogger("bagit")  # it logs a failure with its traceback, then raises it:
        if not bagit_quiet.handlers:  # said once, as amentor says every error (no logging is set up)
            bagit_quiet.addHandler(logging.NullHandler())
        info = {
            "Source-Organization": project.school.name,
            "External-Identifier": pupil.id,
            "External-Description": "Assertive Mentoring records and chosen work of a pupil"
            + (" who left" if pupil.left is not None else ""),
        }
        try:
            bagit.make_bag(str(bag_dir), bag_info=info, checksums=["sha256"])
        except bagit.BagError as exc:  # (a file it could not read or move)
            raise said_at(project.root, bag_dir, f"{exc}; the export was not written") from None
        # bagit.py writes version 0.97; RFC 8493 is version 1.0 (the same layout): say so, and
        # let bagit write the tag manifest again over the new bagit.txt.
        (bag_dir / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", "utf-8")
        bagit.Bag(str(bag_dir)).save()
        try:
            bagit.Bag(str(bag_dir)).validate()
        except bagit.BagError as exc:
            raise AmentorError(f"the archive of {pupil.id} did not validate as a bag: {exc}") from exc
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(bag_dir.rglob("*")):
                if path.is_file():
                    zipped.write(path, f"{name}/{path.relative_to(bag_dir).as_posix()}")


class _Refused(Exception):
    """A file copytree could not copy, carried through it as it is (copytree would go on, and
    gather every file's error, as text, into one)."""

    def __init__(self, error: OSError):
        super().__init__(error)
        self.error = error


def _copy(source: str, destination: str) -> object:
    """shutil.copy2, a failure raised through copytree (_Refused)."""
    try:
        return shutil.copy2(source, destination)
    except OSError as exc:
        raise _Refused(exc) from exc


@contextlib.contextmanager
def bag_workspace(root: Path) -> Iterator[Path]:
    """A private directory to make a bag in: .amentor/bags/<pid>/, removed after. Not the system's
    temporary directory: an export killed there would leave a copy of a child's records behind,
    which nothing tidies; here the next command that takes the project's lock removes those of
    commands that have ended (lock.py), as this does for a caller that holds no lock."""
    base = bags_dir(root)
    remove_ended(base)  # (this command's pid: an earlier attempt)
    make_private_dir(base)
    work = base / str(os.getpid())
    work.mkdir(mode=0o700)
    try:
        yield work
    finally:
        remove_tree(work)
        with contextlib.suppress(OSError):  # bags/ itself, when no other export is using it
            base.rmdir()


@contextlib.contextmanager
def private_file(path: Path) -> Iterator[IO[bytes]]:
    """A new file only its owner can read (0600): written under a temporary name beside it,
    flushed to disk, then renamed into place; on any failure nothing is left behind."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    remove_abandoned(path.parent, path.name)  # a killed export's half-written copy
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
