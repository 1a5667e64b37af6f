"""Nothing lost (issue 11): real processes killed with real signals at many points, two commands
at once, a file-size limit. After any of them the site is exactly the old one or exactly the
new one, and every login recorded opens what it should."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amentor_build.protection import Keystore, crypto
from amentor_build.protection.logins import normalise_password
from amentor_build.scaffold import write_project_files
from amentor_build.starter import starter_dir

AMENTOR = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())"]


def amentor_process(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*AMENTOR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*AMENTOR, *args], capture_output=True, text=True, timeout=120, **kwargs)


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def opens(site: Path, login: dict) -> bool:
    """Does this login open its folder's overview (or its staff list) in this site, as the browser would?"""
    code = login["code"].replace("-", "")
    try:
        slot = json.loads((site / "k" / f"{code}.json").read_text())
    except FileNotFoundError:
        return False
    kek = crypto.derive_kek(normalise_password(login["password"]), crypto.unb64(slot["salt"]), slot["iterations"])
    secret = json.loads(crypto.unseal(kek, f"slot:{code}", crypto.unb64(slot["box"])))
    key = crypto.unb64(secret["key"])
    if secret["kind"] == "staff":
        return bool(crypto.unseal(key, "staff-index", (site / secret["index"]).read_bytes()))
    return bool(crypto.unseal(key, "overview", (site / secret["folder"] / "overview.bin").read_bytes()))


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> tuple[Path, list[dict]]:
    """The sample school (14 children), built, with a family login and the head's."""
    root = tmp_path_factory.mktemp("faults") / "school"
    write_project_files(root, starter_dir(), "Fault Primary", 14)
    logins = json.loads(run("logins", "issue", "--json", "-p", str(root)).stdout)
    assert run("build", "-p", str(root)).returncode == 0
    return root, logins


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(school, tmp_path):
    """A revocation build (every folder of one child sealed again, the sibling's slot re-wrapped)
    killed with SIGKILL at 16 points across its run and past it: never a mixture, never a login lost."""
    root, logins = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    old = snapshot(project / "site")
    revoked = logins[0]
    assert (
        run(
            "logins", "revoke", "-p", str(project), "--pupil", revoked["pupil"], "--guardian", revoked["guardian"]
        ).returncode
        == 0
    )
    reference = tmp_path / "reference"
    shutil.copytree(project, reference, symlinks=True)
    shutil.rmtree(reference / ".amentor/cache")  # as each killed build starts: the sweep spans its run
    started = time.perf_counter()
    assert run("build", "-p", str(reference)).returncode == 0
    duration = time.perf_counter() - started
    new = snapshot(reference / "site")
    assert new != old
    seen = {"old": 0, "new": 0}
    family = [x for x in logins if x["pupil"] == revoked["pupil"] and x is not revoked]
    checked = family + [next(x for x in logins if x["staff"] == "head")]  # the sibling slot, and a list
    # Twelve points across the reference build's time, then four past it: a build killed on a
    # busy machine takes longer than the reference did, and the sweep must reach its switch.
    moments = [duration * step / 12 for step in range(12)] + [duration * late for late in (1.25, 1.5, 2.0, 3.0)]
    for moment in moments:
        shutil.rmtree(project / "site")
        shutil.copytree(root / "site", project / "site")  # the old site, as published
        shutil.rmtree(project / ".amentor/cache", ignore_errors=True)
        proc = amentor_process("build", "-p", str(project))
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(project / "site")
        assert now in (old, new), f"a mixed site after a kill at {moment:.2f} s"
        seen["old" if now == old else "new"] += 1
        assert run("build", "-p", str(project)).returncode == 0  # the next build: the new site, all logins
        assert snapshot(project / "site") == new
        assert not [p.name for p in project.iterdir() if p.name.startswith((".site.new-", ".site.old-"))]
        assert not [p for p in (project / ".amentor/cache").rglob("*") if p.name.endswith((".part", ".tmp"))]
        assert all(opens(project / "site", login) for login in checked)
        assert not opens(project / "site", revoked)
    print(f"kill sweep of a build: {seen['old']} old sites, {seen['new']} new sites, 0 mixed")
    assert seen["old"] and seen["new"], seen  # the sweep did cross the switch


def test_the_next_build_removes_what_a_killed_build_left_half_written_in_its_caches(school, tmp_path):
    """A worker killed while writing a derived picture leaves `.<name>.<pid>.part`, Jinja2 killed
    while writing a compiled template `<name><random>.tmp`, a build killed while saving its caches
    or the keystore `.<name>.<pid>.part` beside them: the next build removes them (the partial
    file of a command still running stays)."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    gone = subprocess.Popen(["true"])  # a process that has ended: its pid
    gone.wait()
    zombie = subprocess.Popen(["true"])  # one that has ended, not yet reaped (as a killed build's worker can be)
    while Path(f"/proc/{zombie.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
        time.sleep(0.01)
    cache = project / ".amentor/cache"
    copied = set(cache.glob("sites/*"))  # the caches of the school's own site
    assert run("build", "-p", str(project)).returncode == 0
    (site_state,) = set(cache.glob("sites/*")) - copied  # those of this project's
    left = [
        cache / f"media/.parts/.0a1b.jpg2.{gone.pid}.part",
        cache / f"media/index/.parts/.9f8e.{gone.pid}.part",
        cache / "templates/__jinja2_0a1b.cacheq8x2.tmp",
        cache / f".frozen.json.{gone.pid}.part",
        site_state / f".folders.pickle.{gone.pid}.part",
        project / f".amentor/.keystore.json.{gone.pid}.part",
        cache / f"media/index/.parts/.5e6f.{zombie.pid}.part",
    ]
    alive = cache / f"media/.parts/.0c1d.jpg2.{os.getpid()}.part"  # this test's own process is running
    for path in left + [alive]:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half written")
    assert run("build", "-p", str(project)).returncode == 0
    assert not [path for path in left if path.exists()]
    assert alive.exists()
    zombie.wait()


def test_the_next_logins_command_removes_a_keystore_a_killed_one_left_half_written(school, tmp_path):
    """`logins issue` or `revoke` killed while saving the keystore leaves `.keystore.json.<pid>.part`
    (every key of the school): the next command that saves the keystore removes it, not only the
    next build (a copy of a command still running stays)."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    gone = subprocess.Popen(["true"])  # a process that has ended: its pid
    gone.wait()
    left = project / f".amentor/.keystore.json.{gone.pid}.part"
    alive = project / f".amentor/.keystore.json.{os.getpid()}.part"  # this test's own process is running
    for path in (left, alive):
        path.write_bytes((project / ".amentor/keystore.json").read_bytes()[:100])
    assert run("logins", "revoke", "--staff", "head", "-p", str(project)).returncode == 0
    assert not left.exists() and alive.exists()


def test_logins_issue_killed_at_any_moment_records_no_login_nobody_was_given(school, tmp_path):
    root, _ = school
    outcomes = {"recorded": 0, "none": 0}
    for step in range(12):
        project = tmp_path / f"p{step}"
        shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
        before = {x.code for x in Keystore.load(project / ".amentor").logins}
        proc = amentor_process("logins", "issue", "--json", "--staff", "head", "-p", str(project))
        time.sleep(0.05 + step * 0.08)
        proc.send_signal(signal.SIGKILL)
        printed, _ = proc.communicate()
        recorded = {x.code for x in Keystore.load(project / ".amentor").logins} - before
        outcomes["recorded" if recorded else "none"] += 1
        for code in recorded:  # a recorded login was delivered: its password is in what was printed
            assert f"{code[:4]}-{code[4:]}".encode() in printed, f"login {code} recorded but never shown"
    print(f"kill sweep of logins issue: {outcomes['recorded']} recorded and shown, {outcomes['none']} none, 0 orphan")


def test_letters_killed_midway_are_only_of_logins_that_exist_and_the_next_issue_tidies_them(tmp_path):
    """A letter is named login-<CODE>.html only once its login is recorded: killed as its first
    letters reach the disk, `logins issue --letters` leaves no letter of a login that does not
    exist (a school would post it), and the next run tidies what it left: every login recorded
    has its letter, nothing else is there."""
    for step, wait in enumerate((0.0, 0.01, 0.05)):
        project = tmp_path / f"p{step}"
        write_project_files(project, starter_dir(), "Letter Primary", 3)
        letters = project / "letters"
        proc = amentor_process("logins", "issue", "--letters", str(letters), "-p", str(project))
        while proc.poll() is None and not (letters.is_dir() and any(letters.iterdir())):
            time.sleep(0.001)
        time.sleep(wait)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        recorded = {x.code for x in Keystore.load(project / ".amentor").logins}
        named = {p.name.removeprefix("login-").removesuffix(".html") for p in letters.glob("login-*.html")}
        assert named <= recorded, f"letters of logins that do not exist: {sorted(named - recorded)}"
        again = run("logins", "issue", "--letters", str(letters), "-p", str(project))
        assert again.returncode == 0, again.stderr
        recorded = {x.code for x in Keystore.load(project / ".amentor").logins}
        expected = [f"login-{code}.html" for code in recorded] + [".gitignore"]  # (git leaves the folder out)
        assert sorted(p.name for p in letters.iterdir()) == sorted(expected)


def test_a_letter_left_unnamed_after_its_login_was_recorded_is_named_by_the_next_issue(tmp_path):
    """Killed between recording the logins and naming their letters: the letters work, and the
    next `logins issue --letters` names them (never deletes a password the school needs); and
    leaves alone what another project's issue left in a letters folder the two share."""
    from amentor_build.protection.letters import project_tag

    project = tmp_path / "school"
    write_project_files(project, starter_dir(), "Letter Primary", 1)
    letters = project / "letters"
    assert run("logins", "issue", "--staff", "head", "--letters", str(letters), "-p", str(project)).returncode == 0
    (letter,) = letters.glob("login-*.html")
    ended = subprocess.Popen(["true"])
    ended.wait()
    letter.rename(letters / f".{letter.name}.{project_tag(project)}.{ended.pid}.part")
    others = letters / f".login-ABCD2345.html.{project_tag(tmp_path / 'other')}.{ended.pid}.part"
    others.write_text("another school's letter, its login recorded there")
    again = run("logins", "issue", "--staff", "robins", "--letters", str(letters), "-p", str(project))
    assert again.returncode == 0 and f"recorded before it was stopped, now in {letters}: {letter.name}" in again.stderr
    recorded = {x.code for x in Keystore.load(project / ".amentor").logins}
    assert len(list(letters.glob("login-*.html"))) == 2 and sorted(letters.glob(".*")) == sorted(
        [others, letters / ".gitignore"]
    )
    mine = {f"login-{c}.html" for c in recorded} | {".gitignore"}
    assert {p.name for p in letters.iterdir()} - {letter.name, others.name} <= mine


def killed_at(event: str, name: str, *args: str) -> subprocess.CompletedProcess:
    """The CLI run in a process of its own that SIGKILLs itself as it is about to do one file
    operation (an audit event of Python's: "os.remove", "os.rename") on a file whose name starts
    with name: a kill at that exact moment, every time."""
    hook = (
        "import os, signal, sys\n"
        "def hook(event, args):\n"
        f"    if event == {event!r} and os.path.basename(str(args[0])).startswith({name!r}):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.addaudithook(hook)\n"
        "from amentor_build.cli import main\n"
        "sys.exit(main())\n"
    )
    return subprocess.run([sys.executable, "-c", hook, *args], capture_output=True, text=True, timeout=120)


def test_letters_of_logins_replaced_by_an_issue_killed_before_it_removed_them_are_removed_next(tmp_path):
    # `logins issue --all --letters` killed once the new logins are recorded, before it removed
    # the old letters: they open nothing after the next build, and must not be posted. The next
    # issue removes them (it said nothing and left them, for good). Killed before the logins were
    # recorded, the old letters still work and are kept.
    project = tmp_path / "school"
    write_project_files(project, starter_dir(), "Letter Primary", 2)
    letters = project / "letters"
    assert run("logins", "issue", "--letters", str(letters), "-p", str(project)).returncode == 0
    first = {x.code for x in Keystore.load(project / ".amentor").logins}
    before_record = killed_at(
        "os.rename", ".keystore.json", "logins", "issue", "--all", "--letters", str(letters), "-p", str(project)
    )
    assert before_record.returncode == -signal.SIGKILL
    assert {x.code for x in Keystore.load(project / ".amentor").logins} == first
    killed = killed_at("os.remove", "login-", "logins", "issue", "--all", "--letters", str(letters), "-p", str(project))
    assert killed.returncode == -signal.SIGKILL
    recorded = {x.code for x in Keystore.load(project / ".amentor").logins}
    assert recorded.isdisjoint(first)  # every login replaced, and their letters still there
    assert {p.name for p in letters.glob("login-*.html")} >= {f"login-{code}.html" for code in first}
    again = run("logins", "issue", "--letters", str(letters), "-p", str(project))
    assert again.returncode == 0 and "replaced before it was stopped (they open nothing)" in again.stderr
    assert sorted(p.name for p in letters.iterdir()) == sorted([f"login-{c}.html" for c in recorded] + [".gitignore"])


def test_an_export_killed_as_it_notes_its_folder_leaves_no_copy_the_next_one_keeps(school, tmp_path):
    # Killed as it put its list of the leaving folders written in place: the half-written copy
    # stayed in .amentor/ for good (no later export removed it); the next export does.
    school_root, logins = school
    root = tmp_path / "school"
    shutil.copytree(school_root, root, symlinks=True, ignore=shutil.ignore_patterns("site"))
    pupil = next(x["pupil"] for x in logins if x["pupil"])
    out = ["-o", str(tmp_path / "leaver.html"), "-p", str(root)]
    killed = killed_at("os.rename", ".exports.json", "export", pupil, *out)
    assert killed.returncode == -signal.SIGKILL and not (tmp_path / "leaver.html").exists()
    assert list((root / ".amentor").glob(".exports.json.*.part"))
    assert run("export", pupil, *out).returncode == 0
    assert not list((root / ".amentor").glob(".exports.json.*.part"))
    assert (tmp_path / "leaver.html").is_file()


@contextlib.contextmanager
def held(root: Path) -> Iterator[None]:
    """The project's lock held by another process (as by a running `amentor build`) in the block."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from amentor_build.lock import project_lock\n"
                f"with project_lock(Path({str(root)!r}), 'amentor build', print):\n"
                "    print('held', flush=True); time.sleep(30)"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_second_command_waits_then_says_who_holds_the_project(school, tmp_path):
    root, _ = school
    with held(root):
        started = time.perf_counter()
        result = run("logins", "issue", "--staff", "head", "-p", str(root))
        assert result.returncode == 1 and time.perf_counter() - started >= 4
        assert ".amentor/lock:1:1: the project is in use by 'amentor build' (process" in result.stderr
    assert run("check", "-p", str(root)).returncode == 0


def test_mkdocs_build_refused_while_another_command_holds_the_project_leaves_the_site(school, tmp_path):
    """`mkdocs build` empties the site directory right after its pre-build hooks: the plugin takes
    the project's lock there, so a build refused because another command holds the project leaves
    the published site, every folder and key slot, as it was."""
    root = tmp_path / "school"
    shutil.copytree(school[0], root, symlinks=True)
    before = snapshot(root / "site")
    assert any(rel.startswith("f/") for rel in before) and any(rel.startswith("k/") for rel in before)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    with held(root):
        refused = subprocess.run(mkdocs, cwd=root, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert ".amentor/lock:1:1: the project is in use by 'amentor build' (process" in refused.stderr, refused.stderr
    assert "the site is left as it was" in refused.stderr and "records have errors" not in refused.stderr
    assert snapshot(root / "site") == before
    built = subprocess.run(mkdocs, cwd=root, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert run("build", "-p", str(root)).returncode == 0  # the lock was let go


def test_ctrl_c_while_a_command_waits_for_the_project_is_said(school, tmp_path):
    # Ctrl+C in a command waiting for another one's lock (and anywhere else): one line, no
    # traceback, the shell's code for an interrupt.
    root, _ = school
    with held(root):
        waiting = amentor_process("logins", "issue", "--staff", "head", "-p", str(root), text=True)
        time.sleep(1.5)  # started, and waiting for the lock
        waiting.send_signal(signal.SIGINT)
        _, err = waiting.communicate(timeout=20)
        assert waiting.returncode == 130 and err.splitlines()[-1] == "amentor: interrupted", err
        assert "Traceback" not in err


def limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # then a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_logins_printed_but_not_recorded_on_a_full_disk_are_said_to_open_nothing(school, tmp_path):
    """`logins issue` prints the passwords before it records them (a kill in between leaves no
    login nobody was given): a disk too full to record them is said as such, and the old login
    of the family still opens."""
    root, logins = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    keystore = (project / ".amentor/keystore.json").read_bytes()
    family = next(x for x in logins if x["pupil"])
    result = subprocess.run(
        [*AMENTOR, "logins", "issue", "--pupil", family["pupil"], "--guardian", family["guardian"], "-p", str(project)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(len(keystore) - 1),
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "password" in result.stdout  # printed: delivered before it is recorded
    said = result.stderr.strip().splitlines()[-1]
    assert said.startswith(f"{project / '.amentor' / 'keystore.json'}:1:1: File too large; no login was issued")
    assert "the passwords above open nothing" in said
    assert (project / ".amentor/keystore.json").read_bytes() == keystore
    assert opens(project / "site", family)


def test_a_revocation_a_full_disk_refuses_is_said_not_to_be_one(school, tmp_path):
    """A school revoking a separated parent's login must not read a full disk's refusal as done."""
    root, logins = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    keystore = (project / ".amentor/keystore.json").read_bytes()
    family = next(x for x in logins if x["pupil"])
    result = run(
        "logins",
        "revoke",
        "--pupil",
        family["pupil"],
        "--guardian",
        family["guardian"],
        "-p",
        str(project),
        preexec_fn=limit_file_size(100),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    said = result.stderr.strip().splitlines()[-1]
    assert said == (
        f"{project / '.amentor' / 'keystore.json'}:1:1: File too large; the login {family['code']} was not "
        "revoked: it still opens what it opened"
    ), said
    assert (project / ".amentor/keystore.json").read_bytes() == keystore
    assert opens(project / "site", family)


def test_a_write_failure_is_a_clear_message_and_the_old_site_stands(school, tmp_path):
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True)
    old = snapshot(project / "site")
    shutil.rmtree(project / ".amentor/cache")
    year = next(project.glob("pupils/*/2026-27.yml"))
    year.write_text(year.read_text() + "\n# edited\n")
    result = subprocess.run(
        [*AMENTOR, "build", "-p", str(project)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(20_000),
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    # the site's file is named (the public pages come first: mkdocs' copy of a large asset), or
    # the site (a write error carries no path), never the staging tree it happened in (it is gone)
    said = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"site(/[\w/.-]+)?:1:1: File too large; nothing was published, the site is as it was", said)
    assert ".public-" not in said and ".site." not in said and (project / said.split(":")[0]).parent.is_dir(), said
    assert snapshot(project / "site") == old
    assert not [p.name for p in project.iterdir() if p.name.startswith(".site.")]


def test_a_sheet_import_killed_at_any_moment_changes_all_its_files_or_none(school, tmp_path):
    """Two children's year files changed by one import, killed at 10 points: after the next
    command (which finishes an import that had committed), both are old or both are new."""
    import csv

    root, _ = school
    base = tmp_path / "base"
    shutil.copytree(root, base, symlinks=True, ignore=shutil.ignore_patterns("site"))
    sheet = tmp_path / "oak.csv"
    assert run("sheet", "export", "--class", "Oak", "-o", str(sheet), "-p", str(base)).returncode == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:3]:
        row[rows[0].index("staff_notes")] = f"Note for {row[2]} from the sheet."
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    ids = [row[2] for row in rows[1:3]]
    outcomes = {"old": 0, "new": 0}
    for step in range(10):
        project = tmp_path / f"p{step}"
        shutil.copytree(base, project, symlinks=True)
        proc = amentor_process("sheet", "import", str(sheet), "-p", str(project))
        time.sleep(0.05 + step * 0.06)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # a command that takes the lock finishes an import that had committed (its journal written)
        assert run("sheet", "import", str(sheet), "--dry-run", "-p", str(project)).returncode == 0
        texts = [p.read_text() for p in sorted(project.glob("pupils/*/2026-27.yml"))]
        written = [any(f"Note for {i} from the sheet." in t for t in texts) for i in ids]
        assert written in ([False, False], [True, True]), f"half an import after a kill at step {step}"
        outcomes["new" if written[0] else "old"] += 1
        assert not list(project.glob("pupils/*/.*.amentor-new"))
    print(f"kill sweep of sheet import: {outcomes['old']} old, {outcomes['new']} new, 0 half-written")


@pytest.mark.parametrize(
    "failed, shown",
    [
        (".site.new-1a2b3c/f/0123/overview.bin", "site/f/0123/overview.bin"),  # the staging tree, gone by now
        (".site.new-1a2b3c", "site"),
        (".site.spare/f/0123/x.bin", "site/f/0123/x.bin"),
        (".amentor/cache/records/ab.pickle", ".amentor/cache/records/ab.pickle"),
        (None, "site"),  # a full disk met while writing: no path in the error
    ],
)
def test_a_write_error_names_the_site_not_the_tree_it_was_staged_in(tmp_path, failed, shown):
    from amentor_build.output import write_error

    root = tmp_path / "school"
    exc = OSError(28, "No space left on device", str(root / failed) if failed else None)
    assert (
        str(write_error(exc, root, root / "site"))
        == f"{shown}:1:1: No space left on device; nothing was published, the site is as it was"
    )


def test_a_copy_the_full_disk_refused_names_the_copy_not_the_file_copied(tmp_path):
    """mkdocs copies the theme's files into the site: shutil names both files, and the disk that
    is full is the copy's."""
    from amentor_build.output import write_error

    root = tmp_path / "school"
    exc = OSError(
        28, "No space left on device", str(root / "theme/assets/amentor.js"), None, str(root / "site/assets/amentor.js")
    )
    assert str(write_error(exc, root, root / "site")).startswith("site/assets/amentor.js:1:1: No space left on device")


def test_what_a_build_keeps_of_a_site_it_published_failing_is_a_warning_not_nothing_published(school, tmp_path):
    """Once the new site is switched in, a failure to save amentor's own record of it (a full
    disk) does not say "nothing was published": the site is published, its directory is known as
    the site's (no letter may be written into it), and the caches that would describe an older
    site are gone, so that the next build reads it all again."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    out = tmp_path / "out"
    assert run("build", "-d", str(out), "-p", str(project)).returncode == 0
    kept = project / ".amentor/cache/sites" / hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    assert {p.name for p in kept.iterdir()} >= {"manifest.json", "folders.pickle", "public.json", "audit.json"}
    (kept / "manifest.json").unlink()
    (kept / "manifest.json").mkdir()  # cannot be replaced by a file: as a disk that refuses it
    (kept / "manifest.json" / "x").write_text("x")
    year = next(project.glob("pupils/*/2026-27.yml"))
    year.write_text(year.read_text().replace("went_well: ", "went_well: Kind to others. ", 1))
    before = snapshot(out)
    result = run("build", "-d", str(out), "-p", str(project))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "nothing was published" not in result.stderr
    assert "the site was published, but what amentor keeps of it was not saved" in result.stderr, result.stderr
    assert snapshot(out) != before  # the new site, published
    assert not any((kept / name).exists() for name in ("folders.pickle", "public.json", "audit.json"))
    refused = run("logins", "issue", "--letters", str(out / "letters"), "-p", str(project))
    assert refused.returncode != 0 and not (out / "letters").exists(), refused.stderr
    shutil.rmtree(kept / "manifest.json")
    again = run("build", "-d", str(out), "-p", str(project))
    assert again.returncode == 0 and "was not saved" not in again.stderr, again.stderr
    assert "(all rendered)" in again.stderr, again.stderr  # nothing of the older site trusted


def new_pupils_csv(project: Path, path: Path) -> list[str]:
    """A school's MIS export of three new children, in the class and year group of one already
    there; return the directories they get."""
    year = next(project.glob("pupils/*/2026-27.yml")).read_text()
    group = year.split("year_group: ", 1)[1].split("\n", 1)[0]
    klass = year.split("class: ", 1)[1].split("\n", 1)[0]
    rows = [f"N{i:03d},Newchild{i},Fresh,,{klass},{group},mum,Ms Fresh,," for i in range(3)]
    head = "id,first_name,last_name,preferred_name,class,year_group,guardian1_key,guardian1_label,guardian2_key,guardian2_label"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return [f"newchild{i}-fresh" for i in range(3)]


def test_pupil_add_killed_at_any_moment_adds_all_or_none_even_in_a_moved_project(school, tmp_path):
    """`pupil add --from` killed at 10 points, and the project then moved to another folder:
    after the next command, either every new child is there, whole, or none is (no empty
    directory that would stop every later command), and `check` passes."""
    root, _ = school
    base = tmp_path / "base"
    shutil.copytree(root, base, symlinks=True, ignore=shutil.ignore_patterns("site"))
    mis = tmp_path / "mis.csv"
    slugs = new_pupils_csv(base, mis)
    outcomes = {"none": 0, "all": 0}
    for step in range(10):
        project = tmp_path / f"p{step}"
        shutil.copytree(base, project, symlinks=True)
        proc = amentor_process("pupil", "add", "--from", str(mis), "-p", str(project))
        time.sleep(0.05 + step * 0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        moved = project.rename(tmp_path / f"moved{step}")  # the journal names files within the project
        if (moved / ".amentor/journal.json").exists():  # check, writing nothing, says so
            assert "or was interrupted" in run("check", "-p", str(moved)).stderr
        done = run("build", "-p", str(moved))  # takes the lock: finishes the edit, or undoes it
        assert done.returncode == 0, done.stderr
        there = [(moved / "pupils" / s).exists() for s in slugs]
        assert there in ([False] * 3, [True] * 3), f"some of the new children after a kill at step {step}"
        outcomes["all" if there[0] else "none"] += 1
        assert run("check", "-p", str(moved)).returncode == 0, f"step {step}"
        assert not list(moved.rglob("*.amentor-new")) and not list(moved.glob(".amentor/journal*"))
    print(f"kill sweep of pupil add: {outcomes['none']} none, {outcomes['all']} all, 0 in between")


def test_a_record_edit_on_a_full_disk_says_so_and_leaves_nothing_behind(school, tmp_path):
    """A write refused part-way (a file-size limit: as a full disk to the command) stops `pupil
    add` with a clear message, and leaves no directory, no new file and no journal."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    mis = tmp_path / "mis.csv"
    slugs = new_pupils_csv(project, mis)
    before = sorted(p.relative_to(project) for p in project.rglob("*") if ".amentor" not in p.parts)
    result = subprocess.run(
        [*AMENTOR, "pupil", "add", "--from", str(mis), "-p", str(project)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(100),  # the journal fits; a new child's pupil.yml does not
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "File too large; nothing was changed" in result.stderr, result.stderr
    assert sorted(p.relative_to(project) for p in project.rglob("*") if ".amentor" not in p.parts) == before
    assert not (project / "pupils" / slugs[0]).exists() and not list(project.glob(".amentor/journal*"))
    assert run("check", "-p", str(project)).returncode == 0


def test_a_sheet_written_to_a_full_disk_is_a_message_naming_it_and_leaves_no_part(school, tmp_path):
    """An error no command expects (the disk full while a sheet is written) is said as
    `path:1:1: message` with exit code 1, never as a traceback; nothing half written stays."""
    root, _ = school
    out = tmp_path / "sheets"
    out.mkdir()
    result = subprocess.run(
        [*AMENTOR, "sheet", "export", "--class", "Oak", "-o", str(out / "oak.csv"), "-p", str(root)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(500),  # a class's sheet is larger
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{out / 'oak.csv'}:1:1: File too large; the command stopped there" in result.stderr, result.stderr
    assert list(out.iterdir()) == []
    # An .xlsx makes the project's key for its cells first (32 bytes): the key is named, not its temporary file.
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site", "sheets.key"))
    result = subprocess.run(
        [*AMENTOR, "sheet", "export", "--class", "Oak", "-o", str(out / "oak.xlsx"), "-p", str(project)],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(16),
        timeout=120,
    )
    said = f"{project / '.amentor/sheets.key'}:1:1: File too large; the command stopped there"
    assert result.returncode == 1 and said in result.stderr, result.stderr
    assert list(out.iterdir()) == [] and not list((project / ".amentor").glob("*sheets.key*"))


def test_pupil_add_killed_at_its_commit_point_leaves_nothing_even_in_a_moved_project(school, tmp_path):
    """Killed at the very moment before it commits (every new file written, its journal not yet
    complete: a pipe in place of the complete journal holds it there), then the project moved:
    the next command removes the new children's files and folders, and the records are as before."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    mis = tmp_path / "mis.csv"
    slugs = new_pupils_csv(project, mis)
    os.mkfifo(project / ".amentor/journal.json.new")  # opening it to write waits for a reader
    proc = amentor_process("pupil", "add", "--from", str(mis), "-p", str(project))
    last = project / "pupils" / slugs[-1] / ".2026-27.yml.amentor-new"
    deadline = time.monotonic() + 60
    while not last.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # its folders synced, it waits at the pipe
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert "made" in json.loads((project / ".amentor/journal.json").read_text())  # under way, not committed
    moved = project.rename(tmp_path / "moved")
    assert "or was interrupted" in run("check", "-p", str(moved)).stderr
    done = run("build", "-p", str(moved))
    assert done.returncode == 0, done.stderr
    assert "undid an edit of the records that an interrupted command had begun but not committed" in done.stderr
    assert not [s for s in slugs if (moved / "pupils" / s).exists()]
    assert not list(moved.rglob("*.amentor-new")) and not list(moved.glob(".amentor/journal*"))


def test_an_older_versions_empty_journal_and_half_made_pupil_folder_are_tidied(school, tmp_path):
    """The previous version wrote an empty journal first, then a new child's folder and files:
    killed there, the next command (this version) removes the files and the folder they leave empty."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    (project / ".amentor/journal.json").write_bytes(b"")
    half = project / "pupils/newchild-fresh"
    half.mkdir()
    (half / ".pupil.yml.amentor-new").write_text("id: N001\n")
    done = run("build", "-p", str(project))
    assert done.returncode == 0, done.stderr
    assert "the records are as they were before it" in done.stderr
    assert not half.exists() and not (project / ".amentor/journal.json").exists()


def test_an_edit_killed_after_its_commit_is_finished_in_the_moved_project_and_said(school, tmp_path):
    """The journal a command killed right after its commit leaves (its new file beside the
    record, the complete list of renames, named within the project), in a project moved since:
    the next command puts the file in place, and says so."""
    root, _ = school
    project = tmp_path / "project"
    shutil.copytree(root, project, symlinks=True, ignore=shutil.ignore_patterns("site"))
    record = next(project.glob("pupils/*/pupil.yml"))
    rel = record.relative_to(project).as_posix()
    edited = record.read_text() + "# finished after the kill\n"
    (record.parent / ".pupil.yml.amentor-new").write_text(edited)
    partial = f"{rel.rsplit('/', 1)[0]}/.pupil.yml.amentor-new"
    (project / ".amentor/journal.json").write_text(json.dumps([[partial, rel]]))
    moved = project.rename(tmp_path / "moved")
    done = run("build", "-p", str(moved))
    assert done.returncode == 0, done.stderr
    assert "finished an edit of the records that an interrupted command had committed (1 file)" in done.stderr
    assert (moved / rel).read_text() == edited
    assert not list(moved.rglob("*.amentor-new")) and not (moved / ".amentor/journal.json").exists()


def rolled_over(project: Path) -> list[bool]:
    """Each part of a rollover to 2027-28 of the sample school: is it there?"""
    return [
        "current_year: 2027-28" in (project / "school.yml").read_text(),
        (project / "frozen/2026-27.sha256").exists(),
        len(list(project.glob("pupils/*/2027-28.yml"))) == 11,  # two Year 6 leavers; one child left before
        "Year 6 leaver" in (project / "pupils/amara-okafor/pupil.yml").read_text(),
    ]


def test_rollover_killed_at_any_moment_turns_the_whole_year_or_nothing(school, tmp_path):
    """`rollover` (eleven new year files, two leavers, school.yml, the frozen year's manifest)
    killed at 10 points: after the next command, either every part of it is there or none is;
    the school then runs the same rollover again, and it ends as one uninterrupted rollover."""
    root, _ = school
    base = tmp_path / "base"
    shutil.copytree(root, base, symlinks=True, ignore=shutil.ignore_patterns("site"))
    assert rolled_over(base) == [False] * 4
    whole = tmp_path / "whole"
    shutil.copytree(base, whole, symlinks=True)
    started = time.monotonic()
    assert run("rollover", "--to", "2027-28", "-p", str(whole)).returncode == 0
    took = time.monotonic() - started  # the kills are spread over it, whatever this machine's speed
    expected = snapshot(whole / "pupils") | {"school.yml": (whole / "school.yml").read_bytes()}
    outcomes = {"none": 0, "all": 0}
    for step in range(10):
        project = tmp_path / f"p{step}"
        shutil.copytree(base, project, symlinks=True)
        proc = amentor_process("rollover", "--to", "2027-28", "-p", str(project))
        time.sleep(0.05 + step * took * 0.15)  # the last well after it would have finished
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = run("build", "-p", str(project))  # takes the lock: finishes the rollover, or undoes it
        assert done.returncode == 0, done.stderr
        parts = rolled_over(project)
        assert parts in ([False] * 4, [True] * 4), f"part of a rollover after a kill at step {step}: {parts}"
        outcomes["all" if parts[0] else "none"] += 1
        again = run("rollover", "--to", "2027-28", "-p", str(project))
        assert again.returncode == (1 if parts[0] else 0), again.stderr  # done: "already rolled over"
        assert snapshot(project / "pupils") | {"school.yml": (project / "school.yml").read_bytes()} == expected
        assert (project / "frozen/2026-27.sha256").read_bytes() == (whole / "frozen/2026-27.sha256").read_bytes()
        assert not list(project.rglob("*.amentor-new")) and not list(project.glob(".amentor/journal*"))
        assert run("check", "-p", str(project)).returncode == 0, f"step {step}"
    print(f"kill sweep of rollover: {outcomes['none']} none, {outcomes['all']} all, 0 in between")
    assert outcomes["none"] and outcomes["all"], outcomes  # kills before the commit, and one after it


def test_init_killed_or_on_a_full_disk_leaves_nothing_and_can_be_run_again(tmp_path):
    """A missing directory is written beside it and renamed into place whole; an empty one (it
    may be a mount, or owned by the school's group) is written in place, marked until done.
    Stopped by a full disk or killed at any moment, init leaves the place as it was or marked
    as interrupted, and init run again makes the project."""
    target = tmp_path / "schools" / "school"  # (schools/ made for it, and removed if it fails)
    full = run("init", str(target), preexec_fn=limit_file_size(4096))  # a file-size limit: EFBIG, as a full disk
    assert full.returncode == 1 and f"{target}:1:1: File too large; nothing was created" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr and sorted(tmp_path.iterdir()) == []
    target.mkdir(parents=True)
    target.chmod(0o2750)  # the school's group's, say
    inode = target.stat().st_ino
    full = run("init", str(target), preexec_fn=limit_file_size(4096))
    assert full.returncode == 1 and sorted(target.iterdir()) == [] and target.stat().st_ino == inode
    for empty in (True, False):
        for delay in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 2.0):
            if empty:
                target.mkdir(exist_ok=True)
            else:
                shutil.rmtree(target, ignore_errors=True)
            started = amentor_process("init", str(target))
            time.sleep(delay)
            started.kill()
            started.wait()
            interrupted = (target / ".amentor-init").exists()
            if target.exists() and any(target.iterdir()) and not interrupted:  # done before the kill: whole
                assert run("check", "-p", str(target)).returncode == 0
            else:
                again = run("init", str(target))  # over what the interrupted one left, if anything
                assert again.returncode == 0, again.stderr
                assert not (target / ".amentor-init").exists() and run("check", "-p", str(target)).returncode == 0
            assert sorted(p.name for p in target.parent.iterdir()) == ["school"]  # nothing left beside it
            if empty:
                assert target.stat().st_ino == inode and target.stat().st_mode & 0o7777 == 0o2750
            for made in target.iterdir() if empty else [target]:
                shutil.rmtree(made) if made.is_dir() else made.unlink()
    # A project in use (built: .amentor/ and site/ in it) is never cleared, mark or not.
    assert run("init", str(target)).returncode == 0 and run("build", "-p", str(target)).returncode == 0
    (target / ".amentor-init").write_text("left\n")
    before = sorted(p.name for p in target.iterdir())
    refused = run("init", str(target))
    assert refused.returncode == 1 and "it is not an empty directory" in refused.stderr
    assert sorted(p.name for p in target.iterdir()) == before


def test_a_ctrl_c_as_the_command_exits_is_no_traceback(tmp_path):
    """A Ctrl+C that came as a command exited, its work done and said ("added 300 pupils"),
    printed Python's traceback. The `amentor` command ignores it then: here it comes while
    Python shuts down, from an exit handler, as late as it can."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="amentor")
    assert script.value == "amentor_build.cli:run"
    root = tmp_path / "school"
    write_project_files(root, starter_dir(), "Late Primary", 2)
    code = (
        "import atexit, os, signal, sys; from amentor_build.cli import run; "
        "atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT)); "
        "sys.argv = ['amentor', 'check', '-p', sys.argv[1]]; run()"
    )
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr.splitlines()[-1].startswith("amentor: no errors"), result.stderr
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr, result.stderr


def test_a_ctrl_c_while_the_commands_load_is_one_line(tmp_path):
    """A Ctrl+C while Python loads amentor (a third of a second on a slow machine) printed
    Python's traceback. Here it comes as the records' package is loaded, the first import
    of amentor's own code the command makes: the command says it as any Ctrl+C, exit 130."""
    root = tmp_path / "school"
    write_project_files(root, starter_dir(), "Early Primary", 2)
    code = (
        "import os, signal, sys\n"
        "class Interrupt:  # a finder asked for the records' package first sends a Ctrl+C\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'amentor_build.records':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from amentor_build.cli import run\n"
        "sys.argv = ['amentor', 'build', '-p', sys.argv[1]]\n"
        "run()\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (130, "amentor: interrupted\n"), result.stderr
    assert not (root / "site").exists()


def test_ctrl_c_in_a_terminal_stops_a_build_and_its_workers_with_one_line(tmp_path):
    """A terminal's Ctrl+C reaches every process of the command, its workers too: the build
    says `amentor: interrupted` once (exit 130), with no traceback of a worker's, and the
    next build publishes the site."""
    root = tmp_path / "school"
    write_project_files(root, starter_dir(), "Interrupt Primary", 40)  # enough children for workers
    assert run("build", "-p", str(root)).returncode == 0  # (the derived pictures made once)
    # Across the run (a full build takes about 0.9 s here): the start, the records parsed by
    # workers (about 0.25 s: a worker forked then, or waiting for work, once printed a traceback),
    # the folders.
    for delay in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7):
        shutil.rmtree(root / "site", ignore_errors=True)  # a full build each time, its pictures cached
        for kept in (root / ".amentor/cache").iterdir():
            if kept.is_dir() and kept.name != "media":
                shutil.rmtree(kept)
            elif kept.is_file():
                kept.unlink()
        started = amentor_process("build", "-p", str(root), text=True, start_new_session=True)
        time.sleep(delay)
        os.killpg(started.pid, signal.SIGINT)  # as a terminal sends it: to the whole process group
        _, err = started.communicate(timeout=60)
        assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
        if started.returncode != 0:  # (a build that finished first says nothing of it)
            assert started.returncode == 130 and err.splitlines()[-1] == "amentor: interrupted", err
    assert run("build", "-p", str(root)).returncode == 0
