"""Fixtures that write tiny real school projects into tmp_path."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amentor_build.cli import main
from amentor_build.protection import Keystore, crypto
from amentor_build.protection.logins import normalise_password
from amentor_build.scaffold import starter_dir

REPO = Path(__file__).resolve().parents[1]
# Every process a test starts (the CLI, mkdocs run in a project, a build killed mid-way) imports
# this checkout's amentor: `python -m mkdocs` in a project's folder would otherwise find the one
# installed in the environment, which in a second clone beside an editable install is another tree.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))

SCHOOL = """\
name: Test Primary
current_year: 2026-27
scale: [1b, 1b+, 1w, 1w+, 1s, 1s+, 2b, 2b+, 2w, 2w+, 2s, 2s+]
colours: {not_on_track: red, nearly_there: yellow, on_target: green, exceeding: blue}
assessments:
  - {key: pira, label: PiRA reading, subject: reading, kind: standardised}
  - {key: phonics, label: Phonics screening check, kind: mark, max: 40, pass: 32}
  - {key: ks2-reading, label: KS2 reading test, subject: reading, kind: scaled}
staff:
  - {key: head, label: Headteacher, scope: all}
  - {key: wrens, label: Wrens class teacher, scope: {class: Wrens}}
"""

ADA = """\
id: T001
first_name: Adaeze
last_name: Quennell
preferred_name: Ada
guardians:
  - {key: mum, label: Mrs Quennell}
  - {key: dad, label: Mr Quennell}
"""

ADA_Y1 = """\
year_group: 1
class: Robins
teacher: Mrs Patel
terms:
  autumn:
    attainment:
      reading: {working_at: 1w, target: 1b+}
      writing: {working_at: 1b, target: 1b+}
      maths: {working_at: 1b+, target: 1w+}
    attitude:
      attendance: 97.4
      punctuality: green
      behaviour: green
      effort: yellow
      reading_homework: red
      uniform: blue
    targets:
      reading:
        - {text: Read words with the 'ai' sound, review: achieved}
      maths:
        - {text: Count in twos to 20, review: partly}
    assessments:
      - {test: pira, score: 104}
    conversation:
      date: 2025-11-18
      went_well: Lots of **reading** at home.
      pupil_voice: "I want to read chapter books. <script>alert('x')</script>"
      next_steps: Practise the 'ai' sound.
      at_home: Read together for ten minutes a day.
    staff_notes: Phonics group B.
  summer:
    assessments:
      - {test: phonics, score: 35}
work:
  - {kind: writing, title: My holiday recount, file: work/2025-26/recount.jpg,
     pupil_caption: "I used capital letters.", date: 2026-07-10}
  - {kind: theme, title: Castles, file: work/2025-26/castle.pdf}
"""

ADA_Y2 = """\
year_group: 2
class: Wrens
teacher: Mr Hughes
terms:
  autumn:
    attainment:
      reading: {working_at: 2b, target: 2b}
    targets:
      writing:
        - {text: Use 'because' to join ideas}
"""

BEN = """\
id: T002
first_name: Benedikt
last_name: Zoller
guardians:
  - {key: carer, label: Ms Zoller}
"""

BEN_Y2 = """\
year_group: 2
class: Wrens
terms:
  autumn:
    attainment:
      maths: {working_at: 1s, target: 2b}
"""


def edit_sheet(
    amentor, school: Path, sheet: Path, changes: dict[str, str], child: str = "T002", *export: str
) -> tuple[list[str], int]:
    """Export Wrens as CSV (export: more options, as --term), set a child's cells (Ben's, T002);
    return the header and the child's row number."""
    assert amentor("sheet", "export", "--class", "Wrens", *export, "-o", str(sheet), "-p", str(school)).code == 0
    with open(sheet, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    index = next(i for i, r in enumerate(rows) if r[2] == child)
    for column, value in changes.items():
        rows[index][rows[0].index(column)] = value
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return rows[0], index + 1


def run_cli(*args: str) -> Run:
    """Run the real CLI in a process of its own: what reaches its stderr, Python's warnings too
    (pytest records those of an in-process run itself)."""
    command = [sys.executable, "-c", "import sys; from amentor_build.cli import main; sys.exit(main())", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return Run(done.returncode, done.stdout, done.stderr)


def said_by_amentor(line: str) -> bool:
    """Is a line of stderr amentor's own: a summary, or a problem at `path:line:column:`?"""
    return line.startswith("amentor: ") or bool(re.match(r"[^:\s][^:]*:\d+:(\d+|[A-Z]+): ", line))


def page(project: Path, pupil_id: str, name: str) -> str:
    """A page of a child's folder in the built site, unsealed with the folder's key."""
    keys = Keystore.load(project / ".amentor").folders[pupil_id]
    return crypto.unseal(keys.content_key, name, (project / "site" / keys.url / f"{name}.bin").read_bytes()).decode()


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def work_image(path: Path, gps: bool = True) -> None:
    """A JPEG with EXIF that names a camera owner and a GPS position, to prove they are stripped."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (800, 600), (200, 120, 40))
    exif = Image.Exif()
    exif[0x013B] = "Artist Secretname"  # Artist
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    image.save(path, "JPEG", exif=exif.tobytes())


def make_project(root: Path) -> Path:
    """Write the tiny test school: two pupils, Ada (two years, work) and Ben (one year)."""
    write(root, "school.yml", SCHOOL)
    write(root, "pupils/ada/pupil.yml", ADA)
    write(root, "pupils/ada/2025-26.yml", ADA_Y1)
    write(root, "pupils/ada/2026-27.yml", ADA_Y2)
    write(root, "pupils/ben/pupil.yml", BEN)
    write(root, "pupils/ben/2026-27.yml", BEN_Y2)
    work_image(root / "pupils/ada/work/2025-26/recount.jpg")
    pdf = root / "pupils/ada/work/2025-26/castle.pdf"
    from PIL import Image

    Image.new("RGB", (200, 280), (240, 240, 255)).save(pdf, "PDF")
    starter = starter_dir()
    shutil.copytree(starter / "theme", root / "theme")
    shutil.copytree(starter / "content", root / "content")
    write(
        root,
        "mkdocs.yml",
        "site_name: Test Primary\nsite_url: https://t.example/\ndocs_dir: content\n"
        "theme: {name: null, custom_dir: theme}\nplugins: [amentor]\nuse_directory_urls: false\n",
    )
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "school")


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


@pytest.fixture
def amentor(capsys):
    """Run the real CLI in-process; return exit code and captured output."""

    def run(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def tree_bytes(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and modification time, to prove nothing changed."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------- real Chromium

CHROMIUM = os.environ.get("AMENTOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Missing: skip outside CI, fail under CI=true."""
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = reason or "playwright is not installed (pip install -e '.[test]')"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def serve_site():
    """Serve a folder on 127.0.0.1 (a static host, like the school's); return its base URL."""
    import functools
    import http.server
    import threading

    servers = []

    def start(site: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()


import http.server as _http_server  # noqa: E402


class _QuietHandler(_http_server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


CLEO = "id: T003\nfirst_name: Cleo\nlast_name: Farrant\nguardians:\n  - {key: mum, label: Ms Farrant}\n"
CLEO_Y1 = (
    "year_group: 1\nclass: Robins\nterms:\n  autumn:\n    attainment:\n      reading: {working_at: 1b, target: 1b}\n"
)


def add_cleo(root: Path) -> None:
    """A third pupil, in Robins: outside the Wrens teacher's scope."""
    write(root, "pupils/cleo/pupil.yml", CLEO)
    write(root, "pupils/cleo/2026-27.yml", CLEO_Y1)


def issue(amentor, project: Path, *args: str) -> list[dict]:
    """Issue logins through the real CLI and return its --json output."""
    run = amentor("logins", "issue", "-p", str(project), "--json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def open_slot(site: Path, login: dict) -> dict:
    """What a login opens, derived from its password exactly as the browser does."""
    code = login["code"].replace("-", "")
    slot = json.loads((site / "k" / f"{code}.json").read_text())
    kek = crypto.derive_kek(normalise_password(login["password"]), crypto.unb64(slot["salt"]), slot["iterations"])
    return json.loads(crypto.unseal(kek, f"slot:{code}", crypto.unb64(slot["box"])))


def log_in(page, base: str, code: str, password: str) -> None:
    """Use the home page's login form, as a parent would."""
    page.goto(base + "index.html")
    page.fill("input[name=code]", code)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def in_folder(browser, base: str, login: dict):
    """A browser of the adult's own (a context: one device) in which they logged in and their
    child's folder opened: the context and its page."""
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, login["code"], login["password"])
    page.wait_for_selector("h1.child-name")
    return context, page
