"""amentor upgraded under a school's project. `amentor init` copied the whole theme into theme/
and the public pages into content/; a file the school never changed follows the installed
version of amentor, a file it changed stays the school's. The old files are the first
version's (853271b), read from git's history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, page

from amentor_build.starter import stock_copies, theme_dir

FIRST = "853271b"  # the first version schools installed; its theme lived in theme/
OURS = "/* Hollyfield's own colours */\n"
OUR_WORDS = "Ask Mrs Patel about these targets at parents' evening."


def git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True).stdout


def first_version(part: str) -> dict[str, bytes]:
    """Every file of the first version's theme/ or content/ (part): path relative to it -> bytes."""
    try:
        listing = git("ls-tree", "-r", FIRST, "--", f"{part}/").decode()
    except (OSError, subprocess.CalledProcessError) as exc:  # a copy without git's history
        if os.environ.get("CI") == "true":
            pytest.fail(f"the first version's {part}/ cannot be read from git ({exc})")
        pytest.skip(f"no git history with {FIRST} to read the first version's {part}/ from")
    files = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        files[path.removeprefix(f"{part}/")] = git("cat-file", "blob", meta.split()[2])
    return files


@pytest.fixture(scope="module")
def first_theme() -> dict[str, bytes]:
    return first_version("theme")


def upgraded(
    project: Path, first_theme: dict[str, bytes], changed: dict[str, bytes] | None = None, part: str = "theme"
) -> Path:
    """The project as `amentor init` of the first version left it (its theme/, or content/:
    part), with the school's own changes to some files; then amentor is upgraded (the tests run
    the current code)."""
    theme = project / part
    for path in sorted(theme.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    for rel, data in {**first_theme, **(changed or {})}.items():
        (theme / rel).parent.mkdir(parents=True, exist_ok=True)
        (theme / rel).write_bytes(data)
    return theme


def test_the_files_a_school_never_changed_follow_the_installed_version(amentor, project, first_theme):
    targets = first_theme["folder/targets.html"].decode().replace("</section>", f"<p>{OUR_WORDS}</p></section>", 1)
    changed = {"assets/amentor.css": OURS.encode() + first_theme["assets/amentor.css"], "folder/targets.html": targets}
    upgraded(project, first_theme, {k: v if isinstance(v, bytes) else v.encode() for k, v in changed.items()})
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    site, own = project / "site", theme_dir()
    # the script that opens the folders and the staff overview, the templates: this version's
    assert (site / "assets/amentor.js").read_bytes() == (own / "assets/amentor.js").read_bytes()
    assert '<nav class="folder-bar" aria-label="School site">' in (site / "staff/index.html").read_text()
    assert '<span class="print-only">Ada Quennell · </span>' in page(
        project, "T001", "overview"
    )  # a form printed alone
    # what the school changed stays its own
    assert (site / "assets/amentor.css").read_text().startswith(OURS)
    assert OUR_WORDS in page(project, "T001", "targets")


def test_the_mkdocs_route_uses_the_same_files(project, first_theme):
    changed = {"assets/amentor.css": OURS.encode() + first_theme["assets/amentor.css"]}
    upgraded(project, first_theme, changed)
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (project / "site/assets/amentor.js").read_bytes() == (theme_dir() / "assets/amentor.js").read_bytes()
    assert (project / "site/assets/amentor.css").read_text().startswith(OURS)
    assert '<nav class="folder-bar" aria-label="School site">' in (project / "site/staff/index.html").read_text()


def test_under_mkdocs_own_theme_the_copies_still_follow_amentors(amentor, project, first_theme):
    """`theme: {name: mkdocs, custom_dir: theme}`: a stock copy comes from amentor's installed
    theme, not from mkdocs' (whose main.html has no login form)."""
    upgraded(project, first_theme)
    mkdocs_yml = project / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text().replace("name: null", "name: mkdocs"))
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    assert 'name="password"' in (project / "site/index.html").read_text()


def test_copies_reached_through_links_follow_too(amentor, project, first_theme):
    """A theme whose folder/ links to a shared copy, and a script linked from elsewhere: found
    as Jinja2 and mkdocs find them."""
    theme = upgraded(project, first_theme)
    shared = project.parent / "shared"
    shared.mkdir()
    (theme / "folder").rename(shared / "folder")
    (theme / "folder").symlink_to(shared / "folder")
    (theme / "assets/amentor.js").rename(shared / "amentor.js")
    (theme / "assets/amentor.js").symlink_to(shared / "amentor.js")
    assert {"folder/overview.html", "assets/amentor.js"} <= stock_copies(theme)
    assert amentor("build", "-p", str(project)).code == 0
    assert (project / "site/assets/amentor.js").read_bytes() == (theme_dir() / "assets/amentor.js").read_bytes()
    assert '<span class="print-only">Ada Quennell · </span>' in page(project, "T001", "overview")
    # and a change there is the school's, rendered at the next build (the folders' cache sees it)
    targets = (shared / "folder/targets.html").read_text()
    (shared / "folder/targets.html").write_text(targets.replace("</section>", f"<p>{OUR_WORDS}</p></section>", 1))
    assert amentor("build", "-p", str(project)).code == 0
    assert OUR_WORDS in page(project, "T001", "targets")


def test_the_leaving_folder_has_the_installed_style_sheet(amentor, project, first_theme, tmp_path):
    upgraded(project, first_theme)
    run = amentor("export", "T001", "-p", str(project), "-o", str(tmp_path / "ada.html"))
    assert run.code == 0, run.err
    html = (tmp_path / "ada.html").read_text()
    assert (theme_dir() / "assets/amentor.css").read_text() in html
    assert first_theme["assets/amentor.css"].decode() not in html


def test_the_public_pages_a_school_never_changed_follow_the_installed_version(amentor, project):
    first = first_version("content")
    assert b"What the steps mean" not in first["guide.md"]  # the first version's guide never explained the scale
    ours = first["privacy.md"] + b"\nHollyfield's data protection officer: Mr Ibsen.\n"
    upgraded(project, first, {"privacy.md": ours}, part="content")
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    assert "What the steps mean" in (project / "site/guide.html").read_text()
    assert "Mr Ibsen" in (project / "site/privacy.html").read_text()


def test_a_copy_checked_out_with_windows_line_endings_is_still_untouched(project, first_theme):
    main = first_theme["main.html"].replace(b"\n", b"\r\n")
    theme = upgraded(project, first_theme, {"main.html": main, "partials/login.html": b"<p>ours</p>\n"})
    stock = stock_copies(theme)
    assert "main.html" in stock and "assets/amentor.js" in stock
    assert "partials/login.html" not in stock  # the school's own


def test_amentors_own_theme_is_not_a_copy_of_itself():
    assert stock_copies(theme_dir()) == frozenset()


def test_every_version_of_the_theme_is_listed(first_theme):
    """A change to the starter theme or pages must add the file's new version to history.sha256
    (tools/starter_history.py writes it): the schools that copied it follow the next version."""
    run = subprocess.run(
        [sys.executable, str(REPO / "tools/starter_history.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr + "run: python tools/starter_history.py"
