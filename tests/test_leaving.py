"""The leaving folder (`amentor export`): one encrypted HTML file that opens from disk, and the
school's retention copy as a zipped BagIt bag; both private, never inside what is published."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import bagit
import pytest

from amentor_build.cli.leaving import add_export_command
from amentor_build.errors import AmentorError, UsageError
from amentor_build.leaving import export_folder
from amentor_build.protection import crypto
from amentor_build.protection.logins import normalise_password

BUNDLE = re.compile(r'(<script type="application/octet-stream" id="amentor-bundle">)(.*?)(</script>)', re.S)


def export(*args: str) -> int:
    """Run `amentor export ARGS` through the command's own handler (as cli.commands.main does)."""
    parser = argparse.ArgumentParser(prog="amentor")
    add_export_command(parser.add_subparsers())
    parsed = parser.parse_args(["export", *args])
    code: int = parsed.handler(parsed)
    return code


def bundle_of(html: str) -> dict:
    match = BUNDLE.search(html)
    assert match is not None
    return json.loads(match.group(2))


def test_export_is_private_and_says_nothing_outside_the_ciphertext(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen(["true"])  # a process that has ended: its pid
    gone.wait()
    for name in ("ada.html", "ada.zip"):  # what an export killed while writing left: removed by the next
        (out / f".{name}.{gone.pid}.part").write_bytes(b"half a child's folder")
    bags = project / ".amentor/bags"  # where the bag is made (never the system's temporary directory)
    (bags / str(gone.pid) / "ada/data").mkdir(parents=True)
    (bags / str(gone.pid) / "ada/data/pupil.yml").write_text("id: T001\n")  # a killed export's copy
    shown: list[str] = []
    export_folder(project, "T001", out / "ada.html", out / "ada.zip", shown.append)
    (password,) = shown
    assert not bags.exists()  # the killed copy removed, and the place itself once done (inside .amentor/)
    assert len(password.split("-")) == 4
    for name in ("ada.html", "ada.zip"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in out.iterdir()) == ["ada.html", "ada.zip"]  # no temporary file left
    html = (out / "ada.html").read_text(encoding="utf-8")
    outside = BUNDLE.sub(r"\1\3", html)
    for secret in ("Quennell", "T001", "Adaeze", "Read words with the 'ai' sound", "Robins", "recount", "castle"):
        assert secret not in outside, secret
    assert "script-src 'sha256-" in outside and "'unsafe-inline'" not in outside and "<script src" not in outside

    bundle = bundle_of(html)
    names = set(bundle["files"])
    assert all(re.fullmatch(r"[a-z0-9-]+\.bin", n) for n in names)
    assert {"overview.bin", "year-1.bin", "work.bin"} <= names and "notes.bin" not in names  # no staff notes
    assert all(crypto.looks_sealed(crypto.unb64(data)) for data in bundle["files"].values())
    slot = bundle["slot"]
    assert slot["iterations"] == crypto.MIN_ITERATIONS and slot["kdf"] == "PBKDF2-HMAC-SHA256"
    # The printed password opens the slot, and the key in it opens the pages (the Python mirror of amentor.js).
    kek = crypto.derive_kek(normalise_password(password.upper()), crypto.unb64(slot["salt"]), slot["iterations"])
    secret = json.loads(crypto.unseal(kek, "slot:bundle", crypto.unb64(slot["box"])))
    key = crypto.unb64(secret["key"])
    overview = crypto.unseal(key, "overview", crypto.unb64(bundle["files"]["overview.bin"])).decode()
    assert "Ada Quennell" in overview
    # The colour key goes with the folder; a link to the school's pages would lead nowhere from a file.
    assert "What the colours mean" in overview and "../../" not in overview


def test_archive_is_a_valid_bagit_bag_of_the_records_and_work(project: Path, tmp_path: Path) -> None:
    export_folder(project, "T001", tmp_path / "ada.html", tmp_path / "ada.zip", print)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(tmp_path / "ada.zip") as zipped:
        zipped.extractall(unpacked)
    bag = bagit.Bag(str(unpacked / "ada"))
    bag.validate()
    assert bag.version_info == (1, 0) and "sha256" in bag.algorithms
    assert bag.info["External-Identifier"] == "T001"
    for rel in ("pupil.yml", "2025-26.yml", "2026-27.yml", "work/2025-26/recount.jpg", "work/2025-26/castle.pdf"):
        assert (unpacked / "ada" / "data" / rel).read_bytes() == (project / "pupils/ada" / rel).read_bytes()


@pytest.mark.parametrize("place", ["site/ada.html", "content/ada.html", "theme/assets/ada.html", "built/ada.html"])
def test_export_refuses_anywhere_published(project: Path, tmp_path: Path, place: str) -> None:
    built = tmp_path / "built"  # a site this project was once built into (-d): recorded under .amentor/
    for folder in (project / "site", project / ".amentor", built):
        folder.mkdir(exist_ok=True)
    (project / ".amentor/outputs.json").write_text(json.dumps([str(built.resolve())]))
    target = built / "ada.html" if place.startswith("built/") else project / place
    before = sorted(p.name for p in target.parent.iterdir())
    with pytest.raises(AmentorError, match="refusing to write"):
        export_folder(project, "T001", target, None, print)
    with pytest.raises(AmentorError, match="refusing to write"):  # the archive too, and then neither file
        export_folder(project, "T001", tmp_path / "ada.html", target.with_suffix(".zip"), print)
    assert sorted(p.name for p in target.parent.iterdir()) == before
    assert not (tmp_path / "ada.html").exists()


@pytest.mark.parametrize("place", ["pupils/ada/ada.zip", "pupils/ben/work/2026-27/ada.zip", "frozen/ada.zip"])
def test_export_refuses_the_records(amentor, project: Path, tmp_path: Path, place: str) -> None:
    # An archive among the records would go into a child's next retention copy (another child's
    # record with it), or into a frozen year; a class sheet there too.
    (project / place).parent.mkdir(parents=True, exist_ok=True)
    run = amentor(
        "export", "T001", "-p", str(project), "-o", str(tmp_path / "ada.html"), "--archive", str(project / place)
    )
    assert run.code == 1 and "it is among the project's records or state" in run.err, run.err
    assert not (project / place).exists() and not (tmp_path / "ada.html").exists()
    sheet = project / place.replace("ada.zip", "wrens.xlsx")
    run = amentor("sheet", "export", "-p", str(project), "--class", "Wrens", "-o", str(sheet))
    assert run.code == 1 and "it is among the project's records or state" in run.err and not sheet.exists()


def test_export_never_writes_over_another_childs_archive(amentor, project: Path, tmp_path: Path) -> None:
    # The same names given for two leavers: the second export replaced the first child's
    # retention copy, which may be the school's only one once the records are gone.
    out = ["-o", str(tmp_path / "leaver.html"), "--archive", str(tmp_path / "leaver.zip"), "-p", str(project)]
    assert amentor("export", "T001", *out).code == 0
    first = (tmp_path / "leaver.zip").read_bytes()
    run = amentor("export", "T002", *out[2:], "-o", str(tmp_path / "ben.html"))  # (the folder's own name: below)
    assert run.code == 1 and f"{tmp_path / 'leaver.zip'}:1:1: refusing to write over the archive of T001" in run.err
    assert (tmp_path / "leaver.zip").read_bytes() == first
    assert amentor("export", "T001", *out).code == 0  # the child's own: replaced, as the folder is


def test_export_never_writes_over_another_childs_leaving_folder(amentor, project: Path, tmp_path: Path) -> None:
    # The last export's command line used again for the next leaver, -o not changed: the first
    # child's folder was replaced, and the password printed for it opened nothing.
    folder = tmp_path / "leaver.html"
    assert amentor("export", "T001", "-o", str(folder), "-p", str(project)).code == 0
    first = folder.read_bytes()
    run = amentor("export", "T002", "-o", str(folder), "-p", str(project))
    assert run.code == 1 and f"{folder}:1:1: refusing to write over the leaving folder of T001" in run.err
    assert folder.read_bytes() == first
    assert amentor("export", "T001", "-o", str(folder), "-p", str(project)).code == 0  # the child's own: replaced
    assert folder.read_bytes() != first
    assert oct((project / ".amentor/exports.json").stat().st_mode & 0o777) == "0o600"
    folder.write_text("<p>a page of the school's own</p>")  # a file amentor did not write: written over
    assert amentor("export", "T002", "-o", str(folder), "-p", str(project)).code == 0
    ledger = project / ".amentor/exports.json"
    ledger.write_text('{"abc": ')  # damaged: read as empty, it would let any folder be written over
    bens = folder.read_bytes()
    run = amentor("export", "T001", "-o", str(folder), "-p", str(project))
    assert (
        run.code == 1
        and ".amentor/exports.json:1:1: the list of the leaving folders amentor wrote is damaged" in run.err
    )
    assert ledger.read_text() == '{"abc": ' and folder.read_bytes() == bens


def test_export_names_an_unknown_pupil_and_a_clash(project: Path, tmp_path: Path) -> None:
    with pytest.raises(AmentorError, match=r"^pupils:1:1: no pupil has id 'T999'"):
        export_folder(project, "T999", tmp_path / "x.html", None, print)
    with pytest.raises(
        AmentorError, match=r"no pupil has id 'pupils/ben' \(pupils/ben/ is T002's folder: give the id\)"
    ):
        export_folder(project, "pupils/ben", tmp_path / "x.html", None, print)  # as the rollover lists them
    with pytest.raises(AmentorError, match=r"\(pupils/ben/ is T002's folder: give the id\)"):
        export_folder(project, "./pupils/ben/pupil.yml", tmp_path / "x.html", None, print)
    with pytest.raises(UsageError):
        export("T001", "-o", str(tmp_path / "x.html"), "--archive", str(tmp_path / "x.html"), "-p", str(project))
    assert list(tmp_path.glob("x.*")) == []


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (("-o", "ada.pdf"), "the leaving folder is a web page: name it FILE.html"),
        (("-o", "ada.html", "--archive", "ada"), "the retention copy is a zip file: name it FILE.zip"),
        (("-o", "ada.html", "--archive", "ada.tar.gz"), "the retention copy is a zip file: name it FILE.zip"),
    ],
)
def test_export_names_its_files_as_what_they_are(project: Path, tmp_path: Path, given, said) -> None:
    out = tmp_path / "out"
    out.mkdir()
    paths = [str(out / g) if not g.startswith("-") else g for g in given]
    with pytest.raises(UsageError, match=said):
        export("T001", *paths, "-p", str(project))
    assert list(out.iterdir()) == []


def test_export_writes_both_files_whatever_their_names_share(project: Path, tmp_path: Path) -> None:
    # The archive's leftover sweep took the page's own half-written copy for one (`.ada.zip.` is
    # how `.ada.zip.html.<pid>.part` begins): the page failed, and the archive stayed alone.
    out = tmp_path / "out"
    out.mkdir()
    assert export("T001", "-o", str(out / "ada.zip.html"), "--archive", str(out / "ada.zip"), "-p", str(project)) == 0
    assert sorted(p.name for p in out.iterdir()) == ["ada.zip", "ada.zip.html"]


@pytest.mark.browser
def test_the_leaving_folders_wrong_password_alert_is_on_a_phones_screen_held_sideways(
    project: Path, tmp_path: Path, browser
) -> None:
    """The alert sits under the button: on a phone held sideways (667 by 375) it is scrolled into sight."""
    html = tmp_path / "ada.html"
    assert export("T001", "-o", str(html), "-p", str(project)) == 0
    context = browser.new_context(viewport={"width": 667, "height": 375}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(html.as_uri())
    page.fill("input[name=password]", "wrong-horse-battery-staple")
    page.click("button[type=submit]")
    page.wait_for_function("() => document.getElementById('login-error').textContent.length > 0")
    top, bottom = page.evaluate(
        "() => { const r = document.getElementById('login-error').getBoundingClientRect(); return [r.top, r.bottom]; }"
    )
    assert top >= 0 and bottom <= 375, (top, bottom)
    context.close()


@pytest.mark.browser
def test_leaving_folder_opens_from_disk_in_chromium(project: Path, tmp_path: Path, browser, capsys) -> None:
    from playwright.sync_api import expect

    html = tmp_path / "ada.html"
    assert export("T001", "-o", str(html), "-p", str(project)) == 0
    captured = capsys.readouterr()
    password = re.fullmatch(r"password: (\S+)\n", captured.out).group(1)  # type: ignore[union-attr]
    assert str(html) in captured.err and password not in captured.err

    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    # Runs as the browser's own, before the page's policy applies: every violation is recorded.
    page.add_init_script(
        "window.violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective));"
    )
    page.goto(html.as_uri() + "#nonsense")  # an address naming no page: the folder opens at its first

    page.fill("input[name=password]", "wrong-horse-battery-staple")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("does not match")
    assert "Quennell" not in page.locator("body").inner_text()
    assert page.locator("h1.child-name").count() == 0

    page.fill("input[name=password]", password.upper().replace("-", " "))  # as forgiving as the site
    page.click("button.show-password")  # four words typed on a phone: seen, as on the site
    assert page.locator("input[name=password]").get_attribute("type") == "text"
    assert page.locator("button.show-password").inner_text() == "Hide password"
    started = time.perf_counter()
    page.click("button[type=submit]")
    expect(page.locator("h1.child-name")).to_have_text("Ada Quennell")
    assert page.locator("#folder").get_attribute("data-page") == "overview" and page.url.endswith("#overview")
    print(f"\nleaving folder: password submitted to first page in {time.perf_counter() - started:.2f} s")

    page.click("nav.folder-nav a[href='#year-1']")
    expect(page.locator("h2.page-title")).to_have_text("Year 1")
    expect(page.locator("main")).to_contain_text("Robins")

    page.click("nav.folder-nav a[href='#work']")
    thumb = page.locator("img.work-thumb")
    expect(thumb).to_have_attribute("src", re.compile("^blob:"))
    width = 0
    for _ in range(50):  # wait_for_function would evaluate a string: the page's policy forbids that
        width = thumb.evaluate("i => i.complete ? i.naturalWidth : 0")
        if width:
            break
        time.sleep(0.05)
    assert width > 0
    page.click("a[data-type='application/pdf']")
    expect(page.locator(".viewer a[download]")).to_have_attribute("href", re.compile("^blob:"))

    assert page.evaluate("window.violations") == []
    assert messages == []
    page.close()


def test_a_school_stylesheet_that_would_end_the_leaving_folders_style_is_said_at_its_line(
    project: Path, tmp_path: Path
) -> None:
    css = project / "theme/assets/amentor.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text("body { color: #111; }\n/* never </STYLE> here */\n", encoding="utf-8")
    with pytest.raises(AmentorError, match=r"^theme/assets/amentor\.css:2:10: '</style' ends the leaving folder's"):
        export_folder(project, "T001", tmp_path / "a.html", None, print)
    assert not (tmp_path / "a.html").exists()


def test_export_into_a_folder_that_does_not_exist_says_so(project: Path, tmp_path: Path) -> None:
    with pytest.raises(
        AmentorError, match=f"^{tmp_path / 'gone'}/a.html:1:1: cannot write here: {tmp_path / 'gone'} does not"
    ):
        export_folder(project, "T001", tmp_path / "gone" / "a.html", None, print)


def test_an_archive_the_disk_refuses_is_one_line_naming_where_it_was_made(project: Path, tmp_path: Path) -> None:
    """A copy of the records for the bag refused part-way (a file-size limit: as a full disk to the
    command) is said in one line naming the file that could not be written (under .amentor/bags/,
    where the bag is made), without the other files' errors or bagit's own traceback; nothing is
    written, and nothing is left of .amentor/bags/."""
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())"]
    assert subprocess.run([*command, "export", "T001", "-o", str(out / "ada.html"), "-p", str(project)]).returncode == 0
    limit = (out / "ada.html").stat().st_size + 4096  # the leaving folder fits
    (out / "ada.html").unlink()
    (project / "pupils/ada/work/scans").mkdir(parents=True)
    for n in range(3):  # kept beside the records, never chosen as work: in the bag, not the folder
        (project / f"pupils/ada/work/scans/page-{n}.png").write_bytes(os.urandom(limit + 1))

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    args = ["export", "T001", "-o", str(out / "ada.html"), "--archive", str(out / "ada.zip"), "-p", str(project)]
    result = subprocess.run([*command, *args], capture_output=True, text=True, preexec_fn=limited, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    said = result.stderr.strip().splitlines()
    assert len(said) == 1, said
    assert re.fullmatch(
        r"\.amentor/bags/\d+/ada/work/scans/page-\d\.png:1:1: File too large; the export was not written",
        said[0],
    ), said
    assert list(out.iterdir()) == [] and not (project / ".amentor/bags").exists()


def test_the_copy_a_killed_export_left_is_removed_by_the_next_command(project: Path, tmp_path: Path) -> None:
    """An export killed (SIGKILL) while it makes the school's retention copy leaves that copy
    of the child's records in .amentor/bags/. The next command that writes removes it, and says
    so, not only the next export: a school that deletes a leaver's records next builds its site."""
    (project / "pupils/ada/work/scans").mkdir(parents=True)
    for n in range(3):  # kept beside the records: copied into the bag, so the copy takes a moment
        (project / f"pupils/ada/work/scans/page-{n}.png").write_bytes(os.urandom(8_000_000))
    command = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())"]
    args = ["export", "T001", "-o", str(tmp_path / "ada.html"), "--archive", str(tmp_path / "ada.zip")]
    started = subprocess.Popen([*command, *args, "-p", str(project)], stderr=subprocess.PIPE, text=True)
    copy = project / ".amentor/bags" / str(started.pid) / "ada"
    deadline = time.monotonic() + 60
    while not copy.exists() and started.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    started.kill()  # while it copies the records (the bag is checked below)
    _, err = started.communicate(timeout=60)
    assert started.returncode == -signal.SIGKILL and copy.is_dir(), err
    built = subprocess.run([*command, "build", "-p", str(project)], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    said = "amentor: removed the copy of a child's records that an interrupted export had left in .amentor/bags/"
    assert said in built.stderr.splitlines(), built.stderr
    assert not (project / ".amentor/bags").exists()


def test_only_the_copies_of_ended_exports_are_removed(amentor, project: Path, tmp_path: Path) -> None:
    """Of what is in .amentor/bags/, a command removes only the copies of exports that have ended:
    a running process's is kept, a name that is no process id is left (and says nothing), and a
    bags/ that is a link to elsewhere is not followed."""
    gone = subprocess.Popen(["true"])  # a process that has ended: its pid
    gone.wait()
    with subprocess.Popen(["sleep", "60"]) as alive:
        bags = project / ".amentor/bags"
        for name in (str(gone.pid), str(alive.pid), "\u00b2", "9" * 20):  # (a superscript two is a digit too)
            (bags / name / "ada/data").mkdir(parents=True)
            (bags / name / "ada/data/pupil.yml").write_text("id: T001\n")
        (bags / str(gone.pid) / "ada/data").chmod(0o555)  # as copied from a read-only folder of records
        built = amentor("build", "-p", str(project))
        alive.kill()
    assert built.code == 0, built.err
    assert "removed the copy of a child's records" in built.err and "could not remove" not in built.err
    assert sorted(p.name for p in bags.iterdir()) == sorted([str(alive.pid), "\u00b2", "9" * 20])
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / str(gone.pid)).mkdir(parents=True)
    shutil.rmtree(bags)
    bags.symlink_to(elsewhere)
    built = amentor("build", "-p", str(project))
    assert built.code == 0 and "removed the copy" not in built.err, built.err
    assert (elsewhere / str(gone.pid)).is_dir() and bags.is_symlink()


def test_a_password_that_cannot_be_shown_replaces_no_leaving_folder(amentor, project: Path, tmp_path: Path) -> None:
    # Its output sent to a full disk: the export used to put the new folder in place first, and the
    # folder the family could open was gone, replaced by one whose password no one saw.
    import subprocess
    import sys

    out = ["-o", str(tmp_path / "ada.html"), "--archive", str(tmp_path / "ada.zip"), "-p", str(project)]
    assert amentor("export", "T001", *out).code == 0
    before = {name: (tmp_path / name).read_bytes() for name in ("ada.html", "ada.zip")}
    command = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())"]
    with open("/dev/full", "w") as full:
        run = subprocess.run([*command, "export", "T001", *out], stdout=full, stderr=subprocess.PIPE, text=True)
    assert run.returncode == 1 and "the password could not be shown" in run.stderr, run.stderr
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no part left beside them


def test_a_pipe_named_as_the_leaving_folder_is_never_read(project: Path, tmp_path: Path) -> None:
    # The check that no other child's folder is written over read whatever -o named: a pipe (or
    # /dev/stdout at a terminal) held the command, and the project's lock, for good.
    import threading

    pipe = tmp_path / "ada.html"
    os.mkfifo(pipe)
    done = threading.Event()

    def export() -> None:
        with contextlib.suppress(AmentorError):
            export_folder(project, "T001", pipe, None, print)
        done.set()

    threading.Thread(target=export, daemon=True).start()
    assert done.wait(60), "the export waited on the pipe"
