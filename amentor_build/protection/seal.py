"""Stage 4, protect: every folder page and attachment sealed with the child's content key.

Output layout (all names random or keyed, none derived from a child or a file's content):
  f/<dir>/index.html        the folder's shell: identical for every child, no data
  f/<dir>/<page>.bin        each page, sealed (page names are the same in every folder)
  f/<dir>/<hmac>.bin        each attachment, sealed, named with the folder's name key
  f/<dir>/notes.bin         staff notes, sealed with the child's staff key (staff slots only)
  s/<random>.bin            a staff member's list of children in scope, sealed with its index key
  staff/index.html          the staff list's shell
  k/<CODE>.json             one key slot per login (see crypto.slot_file)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from ..judge.staff import this_term
from ..model import STATUSES, Project, School, StaffRole
from ..render import Links, RenderedFolder, theme_mistakes
from . import crypto
from .keystore import FolderKeys, Keystore


def attachment_names(keys: FolderKeys) -> Callable[[str, str], str]:
    """The name in the protected site of each attachment of a folder (a picture, a PDF): keyed,
    so that it says nothing of the file."""

    def names(label: str, media_type: str) -> str:
        return crypto.keyed_name(keys.name_key, label) + ".bin"

    return names


def folder_links(public: Mapping[str, str] | None = None) -> Links:
    """A folder's links, the same in every folder: in-page links, attachments opened by the
    script; public: the school's pages it links to (guide_links)."""
    return Links(
        page=lambda name: f"#{name}",
        media=lambda name, kind: Markup(f'data-enc="{escape(name)}" data-type="{escape(kind)}"'),
        href=lambda name, kind: Markup(f'href="#" data-enc-href="{escape(name)}" data-type="{escape(kind)}"'),
        public=dict(public or {}),
    )


GUIDES = ("guide", "colour-key")  # the school's pages a folder links to (content/guide.md, content/colour-key.md)


def guide_links(public: Collection[str]) -> dict[str, str]:
    """The school's guide for parents and colour key, as linked from a folder's page (f/<dir>/),
    where the public pages have them (public: their paths, as mkdocs wrote them, with or
    without use_directory_urls). A school that took one out is not linked to it."""
    found = {}
    for name in GUIDES:
        rel = next((r for r in (f"{name}.html", f"{name}/index.html") if r in public), None)
        if rel is not None:
            found[name] = "../../" + rel
    return found


def shell_html(env: Environment, school: School) -> bytes:
    """The folder shell: the same bytes for every child."""
    with theme_mistakes():  # the school's template: its mistake at its line
        return env.get_template("folder/shell.html").render(root="../../", school=school).encode()


# What static hosts read to send security headers with every file: frame-ancestors (which a
# <meta> policy cannot set), no framing, no referrer, no MIME sniffing. nginx: see the README.
HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def host_headers() -> dict[str, bytes]:
    """`_headers` (Netlify, Cloudflare Pages) and `.htaccess` (Apache) with the security headers."""
    netlify = "/*\n" + "".join(f"  {name}: {value}\n" for name, value in HEADERS.items())
    apache = (
        "<IfModule mod_headers.c>\n"
        + "".join(f'  Header always set {name} "{value}"\n' for name, value in HEADERS.items())
        + "</IfModule>\n"
    )
    return {"_headers": netlify.encode(), ".htaccess": apache.encode()}


def shared_files(
    project: Project,
    keystore: Keystore,
    env: Environment,
    overviews: dict[str, dict[str, Any]] | None = None,
) -> dict[str, bytes]:
    """The files that are not one child's folder: staff lists (sealed), their shell, key slots,
    and the security headers static hosts read (`_headers`, `.htaccess`)."""
    files: dict[str, bytes] = {}
    with theme_mistakes():  # the school's template: its mistake at its line
        files["staff/index.html"] = (
            env.get_template("folder/staff.html").render(root="../", school=project.school).encode()
        )
    rows = staff_rows(project, keystore, overviews or {})
    for role in project.school.staff:
        staff = keystore.staff_keys(role.key)
        index = staff_index(project, role, rows)
        files[staff.path] = crypto.seal(staff.index_key, "staff-index", json.dumps(index, sort_keys=True).encode())
    files.update(key_slots(project, keystore))
    files.update(host_headers())
    return files


Padding = dict[str, int]  # page name (or "notes") -> the plaintext size every folder's copy is padded to
PADDING_STEP = 16384  # the school-wide size of a page kind grows in steps of 16 KiB
ATTACHMENT_STEP = 8  # a folder's number of attachment files is padded to a multiple of 8


@dataclass(frozen=True)
class SealedFolder:
    files: dict[str, bytes]  # output path -> bytes
    needs: Padding  # the padded size each page of this folder needs at least (see school_padding)


def seal_folder(item: RenderedFolder, keys: FolderKeys, shell: bytes, padding: Padding) -> SealedFolder:
    """Return one folder's output files, sealed with its keys: each page padded to the school's
    size for its kind (or more, if this folder needs more: see school_padding), attachments to a
    bucket and their number to a step, so that from the sizes and names of the files nothing of
    the child can be read."""
    base = keys.url
    files = {base + "index.html": shell}
    payloads = {page.name: page.html.encode() for page in item.pages}
    payloads["notes"] = json.dumps(item.staff_notes, sort_keys=True).encode()
    needs = {name: crypto.padded_size(len(data), PADDING_STEP) for name, data in payloads.items()}
    for name, data in payloads.items():
        key = keys.staff_key if name == "notes" else keys.content_key
        files[base + f"{name}.bin"] = crypto.seal(key, name, data, PADDING_STEP, padding.get(name, 0))
    real = []
    for attachment in item.attachments:
        files[base + attachment.name] = crypto.seal(
            keys.content_key, attachment.name, attachment.data, crypto.ATTACHMENT_BUCKET
        )
        real.append(crypto.padded_size(len(attachment.data), crypto.ATTACHMENT_BUCKET))
    count = len(item.attachments)
    for i in range(count, max(ATTACHMENT_STEP, -(-count // ATTACHMENT_STEP) * ATTACHMENT_STEP)):
        name = crypto.keyed_name(keys.name_key, f"padding#{i}") + ".bin"  # as random as a real one's
        pick = int(crypto.keyed_name(keys.name_key, f"size#{i}", 4), 16)
        # sized like one of the folder's own pictures (a filler is then told from them by nothing)
        size = sorted(real)[pick % len(real)] if real else crypto.ATTACHMENT_BUCKET * (1 + pick % 4)
        files[base + name] = crypto.seal(keys.content_key, name, b"", crypto.ATTACHMENT_BUCKET, size)
    return SealedFolder(files, needs)


def school_padding(needs: list[Padding], previous: Padding) -> Padding:
    """Each page kind's size for the whole school: what its largest page needs, and never smaller
    than before (a folder sealed then need not be sealed again when another shrinks)."""
    out = dict(previous)
    for need in needs:
        for name, size in need.items():
            out[name] = max(out.get(name, 0), size)
    return out


def off_size(needs: Padding, previous: Padding, padding: Padding) -> Padding:
    """The pages of a folder that are not at the school's size for their kind, with that size.
    A folder sealed with `previous` has each page at the larger of that and what it needs."""
    return {name: size for name, size in padding.items() if max(previous.get(name, 0), needs.get(name, 0)) != size}


def repad(blob: bytes, keys: FolderKeys, name: str, size: int) -> bytes:
    """A sealed page opened and sealed again at the school's new size for its kind."""
    key = keys.staff_key if name == "notes" else keys.content_key
    return crypto.seal(key, name, crypto.unseal(key, name, blob), PADDING_STEP, size)


StaffRow = tuple[str | None, bool, dict[str, Any]]  # (class in the current year, has left, the row of the staff list)


def staff_rows(project: Project, keystore: Keystore, overviews: dict[str, dict[str, Any]]) -> list[StaffRow]:
    """Each child as the staff lists show them, with the keys to open their folder (worked out
    once for all staff). A child who has `left` is listed for `scope: all` only, and needs no
    one's attention (SPEC: "class-scoped staff no longer see it"). Whatever the leaving date:
    the lists are the records' alone, so a site built on any day has the same bytes, and a
    static site could not take a child out on a later day anyway (pupil leave says so)."""
    rows = []
    for pupil in project.pupils:
        keys = keystore.folder(pupil.id)
        latest = pupil.years[-1] if pupil.years else None
        current = pupil.year(project.school.current_year)
        gone = pupil.left is not None
        row = {
            "name": pupil.display_name,
            "sort": f"{pupil.last_name} {pupil.first_name}",
            "class": latest.class_name if latest else "",
            "year_group": latest.year_group if latest else None,
            "left": pupil.left.date.strftime("%-d %B %Y") if pupil.left else None,  # as the folder says it
            "folder": keys.url,
            "key": crypto.b64(keys.content_key),
            "staff_key": crypto.b64(keys.staff_key),
            **overviews.get(pupil.id, {}),
        }
        if gone:
            row["attention"] = []
        rows.append((current.class_name if current else None, gone, row))
    return rows


def staff_index(project: Project, role: StaffRole, rows: list[StaffRow]) -> dict[str, Any]:
    """The children a staff member may open, with the keys to open them (sealed before output)."""
    children = [row for current, left, row in rows if role.covers(current, left)]
    # on roll before those who left; classes in the order of their year groups (a child with no
    # year file yet last, as the overview's Class column puts them), then by name
    children.sort(
        key=lambda c: (c["left"] is not None, c["year_group"] is None, c["year_group"] or 0, c["class"], c["sort"])
    )
    return {
        "label": role.label,
        "school": project.school.name,
        "scope": "all" if role.scope_class is None else role.scope_class,
        "term": this_term(project.school, children),
        "year": project.school.current_year,  # the school year "Needs attention" counts, for most children
        "subjects": list(project.school.subjects),
        "attendance": any(a.key == "attendance" for a in project.school.attitude),  # a column, if recorded
        "statuses": {s: project.school.colours[s] for s in STATUSES},
        "children": children,
    }


def key_slots(project: Project, keystore: Keystore) -> dict[str, bytes]:
    """One slot file per login whose holder is still in the records (and not set aside)."""
    pupils = {p.id: p for p in project.pupils}
    staff = {r.key for r in project.school.staff}
    files: dict[str, bytes] = {}
    for login in keystore.logins:
        if login.away:  # set aside by this build (logins.set_aside): it opens nothing
            continue
        if login.staff is not None:
            if login.staff not in staff:
                continue
            keys = keystore.staff_keys(login.staff)
            secret = {"kind": "staff", "index": keys.path, "key": crypto.b64(keys.index_key)}
        else:
            pupil = pupils.get(login.pupil or "")
            if pupil is None or all(g.key != login.guardian for g in pupil.guardians):
                continue
            folder = keystore.folder(pupil.id)
            secret = {"kind": "guardian", "folder": folder.url, "key": crypto.b64(folder.content_key)}
        files[f"k/{login.code}.json"] = crypto.slot_file(login.code, login.kek, login.salt, login.iterations, secret)
    return files
