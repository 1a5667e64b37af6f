"""Real builds of tiny projects: output, golden pages, atomic publish, sanitising, media, mkdocs."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, issue, make_project, tree_bytes, write
from PIL import Image

from amentor_build import records, render
from amentor_build.build.derived import DerivedImages
from amentor_build.errors import ProjectErrors
from amentor_build.judge import judge_pupil
from amentor_build.protection import Keystore, attachment_names, crypto, folder_links, guide_links
from amentor_build.render import make_environment, markdown_to_html
from amentor_build.starter import starter_dir

GOLDEN = Path(__file__).parent / "golden"


def rendered(project: Path):
    """Render the project's folders (the stage before protection) and return them by slug."""
    loaded = records.load(project)
    env = make_environment(project / "theme")
    keystore = Keystore.load(project / ".amentor")
    public = guide_links({"guide.html", "colour-key.html"})  # as the site publishes the starter's pages
    folders = [
        render.render(
            env,
            judge_pupil(loaded.school, pupil),
            loaded.pupil_dir(pupil),
            attachment_names(keystore.folder(pupil.id)),
            folder_links(public),
            prepared=DerivedImages(project / ".amentor/cache/media"),
        )
        for pupil in loaded.pupils
    ]
    return {r.folder.pupil.slug: r for r in folders}


@pytest.mark.parametrize("page", ["overview", "year-1", "assessments"])
def test_golden_folder_pages(project, page):
    html = next(p.html for p in rendered(project)["ada"].pages if p.name == page)
    golden = GOLDEN / f"ada-{page}.html"
    if os.environ.get("AMENTOR_UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), (
        f"rendered {page} differs from {golden}; if intended, rerun with AMENTOR_UPDATE_GOLDEN=1 and review the diff"
    )


def test_every_page_says_why_it_is_empty(project):
    """A child who joined in Year 2 this autumn, with nothing recorded yet, and one who left in
    Year 1: each page says why it holds nothing, in words a parent reads without asking."""
    write(project, "pupils/cleo/pupil.yml", "id: T003\nfirst_name: Cleo\nlast_name: Farrant\n")
    write(project, "pupils/cleo/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    write(
        project,
        "pupils/dan/pupil.yml",
        "id: T004\nfirst_name: Dan\nlast_name: Ruiz\nleft: {date: 2026-07-20, reason: moved}\n",
    )
    write(project, "pupils/dan/2025-26.yml", "year_group: 1\nclass: Robins\n")
    folders = rendered(project)
    cleo = {p.name: p.html for p in folders["cleo"].pages}
    assert "Cleo joined Test Primary in Year 2: there is no record of Year 1 here." in cleo["year-1"]
    assert "Cleo has not reached Year 3 yet." in cleo["year-3"]
    assert "No targets have been set yet." in cleo["targets"]
    assert "No mentoring conversation has been recorded yet." in cleo["conversations"]
    assert "No work has been chosen yet" in cleo["work"]
    assert "No test results have been recorded yet." in cleo["assessments"]
    assert "No attainment or attendance has been recorded yet" in cleo["progress"]
    assert "The line shows" not in cleo["progress"]  # no words about a chart that is not there
    dan = {p.name: p.html for p in folders["dan"].pages}
    assert "Dan left Test Primary before Year 2." in dan["year-2"]
    ada = {p.name: p.html for p in folders["ada"].pages}  # a full folder says none of it
    assert not [n for n in ("targets", "conversations", "work", "progress", "assessments") if "empty-year" in ada[n]]


def test_folder_has_every_page_and_colours_with_words(project):
    ada = rendered(project)["ada"]
    assert [p.name for p in ada.pages] == [
        "overview",
        "year-1",
        "year-2",
        "year-3",
        "year-4",
        "year-5",
        "year-6",
        "targets",
        "assessments",
        "conversations",
        "progress",
        "work",
    ]
    pages = {p.name: p.html for p in ada.pages}
    assert "Ada Quennell" in pages["overview"]
    # the current form is the latest term: Year 2 autumn, reading 2b against 2b
    assert "Current form: Autumn 2026-27" in pages["overview"]
    assert (
        '<span class="chip chip-green"><span class="chip-icon" aria-hidden="true">●</span> On target</span>'
        in pages["overview"]
    )
    assert "Exceeding" in pages["year-1"] and "chip-blue" in pages["year-1"]  # reading 1w vs 1b+
    assert "Not on track" in pages["year-1"]  # maths 1b+ vs 1w+
    assert "97.4%" in pages["year-1"] and "Causing concern" in pages["year-1"]
    assert "Ada has not reached Year 3 yet." in pages["year-3"]
    assert "Met the pass mark of 32." in pages["assessments"]
    assert "<svg" in pages["progress"] and "Attendance by term" in pages["progress"]


def test_typed_script_is_shown_as_text_never_run(project):
    html = next(p.html for p in rendered(project)["ada"].pages if p.name == "year-1")
    assert "<script>" not in html
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html or "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    )
    assert str(markdown_to_html("Lots of **reading**")) == "<p>Lots of <strong>reading</strong></p>"
    assert "javascript" not in str(markdown_to_html("[x](javascript:alert(1))"))


def test_staff_notes_never_in_family_pages(project):
    ada = rendered(project)["ada"]
    assert all("Phonics group B" not in p.html for p in ada.pages)
    assert ada.staff_notes == {"2025-26-autumn": "<p>Phonics group B.</p>"}


def test_work_images_are_resized_and_stripped_of_exif_and_gps(project):
    ada = rendered(project)["ada"]
    images = [a for a in ada.attachments if a.media_type == "image/jpeg"]
    assert len(images) == 2 and [a for a in ada.attachments if a.media_type == "application/pdf"]
    for attachment in images:
        assert b"Secretname" not in attachment.data and b"Exif" not in attachment.data
        with Image.open(io.BytesIO(attachment.data)) as image:
            assert not image.getexif() and max(image.size) <= 1600
    thumb = min(images, key=lambda a: len(a.data))
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert max(image.size) == 360


def test_media_cache_is_reused(project):
    rendered(project)
    cache = project / ".amentor/cache/media"
    first = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg2")}
    assert len(first) == 1  # ada's photo: its thumbnail and web copy, in one file
    rendered(project)
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.jpg2")} == first


def pictures_of(project: Path) -> list[bytes]:
    return sorted(a.data for a in rendered(project)["ada"].attachments if a.media_type == "image/jpeg")


def test_an_edited_photo_is_never_served_from_the_index(project):
    """Settled photos are indexed by their file's identity and not read again; a photo edited in
    place, with its size and modification time put back, is still derived anew (its change time
    moved), and so is one whose derived copy in the cache was cut short."""
    import time

    photo = project / "pupils/ada/work/2025-26/recount.jpg"
    newest = max(p.stat().st_ctime for p in (project / "pupils").rglob("*.jpg"))
    time.sleep(max(0.0, newest + 2.1 - time.time()))  # settled: media.SETTLED
    before = pictures_of(project)
    index = project / ".amentor/cache/media/index"
    assert len([p for p in index.iterdir() if p.is_file()]) == 1  # (.parts/: where entries are written)
    assert pictures_of(project) == before  # from the index

    old = photo.stat()
    data = bytearray(photo.read_bytes())
    edited = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 200, 90)).save(edited, "JPEG")
    with open(photo, "r+b") as f:  # the same inode, the same size
        f.write(edited.getvalue().ljust(len(data), b"\0")[: len(data)])
    os.utime(photo, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert photo.stat().st_size == old.st_size and photo.stat().st_mtime_ns == old.st_mtime_ns
    after = pictures_of(project)
    assert after != before
    green = next(p for p in after if p not in before)
    with Image.open(io.BytesIO(green)) as image:
        assert image.convert("RGB").getpixel((5, 5))[1] > 150  # the new, green picture

    for pair in (project / ".amentor/cache/media").glob("*.jpg2"):
        pair.write_bytes(pair.read_bytes()[:100])  # cut short
    assert pictures_of(project) == after


def test_build_writes_public_pages_and_folders(amentor, project):
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    site = project / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'name="code"' in index and 'name="password"' in index
    headings = re.findall(r"<h([1-6])\b", index)  # a screen reader's list of headings starts at the page's h1
    assert headings[:2] == ["1", "2"] and index.index("<h1") < index.index('id="login-title"')
    assert (
        (site / "guide.html").is_file() and (site / "colour-key.html").is_file() and (site / "privacy.html").is_file()
    )
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "Quennell" not in sitemap and "ada" not in sitemap
    assert "built 2 folders" in run.err and "privacy audit passed" in run.err
    folders = sorted(p for p in (site / "f").iterdir())
    assert len(folders) == 2
    for folder in folders:
        names = sorted(p.name for p in folder.iterdir())
        assert "index.html" in names and "overview.bin" in names and "notes.bin" in names
        assert all(n == "index.html" or n.endswith(".bin") for n in names)
    assert (project / ".amentor/keystore.json").stat().st_mode & 0o777 == 0o600


def test_the_summary_says_how_many_folders_were_rendered_again(amentor, project):
    first = amentor("build", "-p", str(project))
    assert "built 2 folders (all rendered)" in first.err
    assert "no login is issued yet, so no one can open a folder: run 'amentor logins issue'" in first.err
    issue(amentor, project, "--staff", "head")
    again = amentor("build", "-p", str(project))
    assert "built 2 folders (none changed)" in again.err and "no login is issued yet" not in again.err
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    run = amentor("build", "-p", str(project))
    assert "built 2 folders (1 rendered, the rest unchanged)" in run.err
    assert "; 1 warning;" in run.err  # Ada's short work: one warning, said in the singular


def test_failed_build_leaves_previous_site_byte_for_byte(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    # break a work image: validation passes, the render stage fails midway
    (project / "pupils/ada/work/2025-26/recount.jpg").write_bytes(b"not really a jpeg")
    write(project, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Ben\nlast_name: Zoller\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1
    assert "pupils/ada/work/2025-26/recount.jpg:1:1: not a JPEG image" in run.err
    assert tree_bytes(project / "site") == before
    assert not [p for p in project.iterdir() if p.name.startswith(".site.")]


def test_invalid_records_leave_previous_site(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\ncolour: red\n")
    assert amentor("build", "-p", str(project)).code == 1
    assert tree_bytes(project / "site") == before


def test_build_to_another_site_dir(amentor, project, tmp_path):
    assert amentor("build", "-p", str(project), "-d", str(tmp_path / "out")).code == 0
    assert (tmp_path / "out" / "index.html").is_file() and not (project / "site").exists()


def test_init_check_build(amentor, tmp_path):
    target = tmp_path / "newschool"
    run = amentor("init", str(target))
    assert run.code == 0 and f"Created a school project in {target.resolve()}, with two example pupils." in run.out
    steps = run.out[run.out.index(f"cd {target}\n") :]  # made the school's own before any letter goes out
    assert steps.index("school.yml") < steps.index("site_url") < steps.index("amentor logins issue --letters")
    assert (target / ".gitignore").read_text().count("site/") == 1 and ".amentor/" in (
        target / ".gitignore"
    ).read_text()
    assert len(list((target / "pupils").iterdir())) == 2
    assert amentor("check", "-p", str(target)).code == 0
    assert amentor("build", "-p", str(target)).code == 0
    assert (target / "site" / "index.html").is_file()


def test_check_says_where_the_example_school_is_left_once_the_school_has_put_its_own(amentor, tmp_path):
    # The public pages are headed with mkdocs.yml's site_name, the letters with school.yml's name:
    # a school that changed one had a site named after the example school, and nothing said so.
    target = tmp_path / "stmarys"
    assert amentor("init", str(target)).code == 0
    assert "(0 warnings)" in amentor("check", "-p", str(target)).err  # all example: said nothing
    school, mkdocs_yml = target / "school.yml", target / "mkdocs.yml"
    school.write_text(school.read_text().replace("Brindlewick Primary School", "St Mary's Primary"))
    run = amentor("check", "-p", str(target))
    assert run.code == 0 and [line for line in run.lines if "example's" in line] == [
        "mkdocs.yml:1:1: warning: site_name is still the example's (Brindlewick Primary School), but school.yml "
        "names the school 'St Mary's Primary': the public pages are headed with site_name (write the name there too)",
        "mkdocs.yml:2:1: warning: site_url is still the example's (https://folders.example.sch.uk/): the letters "
        "send families there; write the folders' own address",
    ]
    mkdocs_yml.write_text(
        mkdocs_yml.read_text()
        .replace("Brindlewick Primary School", "St Mary's Primary")
        .replace("folders.example.sch.uk", "folders.stmarys.sch.uk")
    )
    assert "example's" not in amentor("check", "-p", str(target)).err
    school.write_text(school.read_text().replace("St Mary's Primary", "Brindlewick Primary School"))
    run = amentor("check", "-p", str(target))
    assert [line for line in run.lines if "example's" in line] == [
        "school.yml:1:1: warning: name is still the example's (Brindlewick Primary School), but mkdocs.yml's "
        "site_name is 'St Mary's Primary': the folders and the letters say name (write the name there too)"
    ]
    mkdocs_yml.write_text(mkdocs_yml.read_text().replace("folders.stmarys.sch.uk", "folders.example.sch.uk"))
    run = amentor("check", "-p", str(target))  # the address too, whichever name was changed
    assert [line.split(": warning: ")[0] for line in run.lines if "example's" in line] == [
        "school.yml:1:1",
        "mkdocs.yml:2:1",
    ]
    school.write_text(school.read_text().replace("Brindlewick Primary School", "brindlewick primary  school"))
    run = amentor("check", "-p", str(target))  # written alike but for capitals and spaces: the example's
    assert [line.split(": warning: ")[0] for line in run.lines if "example's" in line] == [
        "school.yml:1:1",
        "mkdocs.yml:2:1",
    ]


def test_init_refuses_a_non_empty_folder(amentor, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    run = amentor("init", str(tmp_path))
    assert run.code == 1 and "not an empty directory" in run.err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_init_refuses_a_file(amentor, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = amentor("init", str(tmp_path / "notes.txt"))
    said = f"{tmp_path / 'notes.txt'}:1:1: refusing to initialise here: it is a file, not a directory (nothing was changed)"
    assert run.code == 1 and run.lines == [said]
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("inside, said", [("content", "which is published"), ("pupils", "among the project's records")])
def test_init_refuses_a_place_of_a_school_project_that_is_published_or_read_as_records(amentor, project, inside, said):
    # A project made in content/x was published whole: the privacy audit stopped the next build.
    before = tree_bytes(project)
    run = amentor("init", str(project / inside / "x"))
    assert run.code == 1 and run.lines[0].startswith(f"{inside}/x:1:1: refusing to write a school project here: ")
    assert said in run.err and (inside != "content" or "it is inside content/, which is published" in run.err)
    assert tree_bytes(project) == before


def test_what_mkdocs_warns_of_is_a_located_warning_said_on_every_build(amentor, project):
    # A link to no page: mkdocs' warning is said as the build's own, at the page and line of the
    # link, counted in the summary, and said again while the page is unchanged (the pages are
    # then kept as published, not rendered again).
    before = amentor("build", "-p", str(project))
    assert before.code == 0, before.err
    guide = project / "content" / "guide.md"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text + "\nSee [the dates](term-dates.md).\n", encoding="utf-8")
    at = len(text.splitlines()) + 2
    said = f"content/guide.md:{at}:1: warning: mkdocs: Doc file 'guide.md' contains a link 'term-dates.md'"
    for build in ("rendered", "kept"):
        run = amentor("build", "-p", str(project))
        assert run.code == 0, run.err
        assert [line for line in run.lines if line not in before.lines] == [
            line for line in run.lines if line.startswith(said)
        ] + [line for line in run.lines if line.startswith("amentor: built")], f"{build}: {run.err}"
        assert all(re.match(r"(amentor: |[\w./-]+:\d+:\d+: )", line) for line in run.lines), run.err  # none bare
        assert before.err.count(" warning: ") + 1 == run.err.count(" warning: "), build
    guide.write_text(text, encoding="utf-8")
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "warning: mkdocs:" not in run.err


def set_theme(project: Path, theme: str) -> int:
    """Write mkdocs.yml's theme: setting; return its line."""
    mkdocs_yml = project / "mkdocs.yml"
    lines = mkdocs_yml.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines, 1) if line.startswith("theme:"))
    lines[at - 1] = f"theme: {theme}"
    mkdocs_yml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at


def test_a_setting_mkdocs_refuses_stops_the_build_with_its_reason(amentor, project):
    # mkdocs logs the reason and raises "Aborted with a configuration error!": the reason is the
    # error, at the setting's line, and nothing is printed beside the build's own lines.
    assert amentor("build", "-p", str(project)).code == 0
    published = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    at = set_theme(project, "{name: null, custom_dir: no-such-theme}")
    run = amentor("build", "-p", str(project))
    assert run.code == 1
    assert run.lines[0].startswith(
        f"mkdocs.yml:{at}:1: mkdocs could not build the public pages: Config value 'theme': The path set in custom_dir"
    ), run.err
    assert run.lines[-1] == "amentor: 1 error; nothing was published"
    assert all(": warning: " in line for line in run.lines[1:-1])  # the records' own (as check says them)
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == published


def test_a_mistake_in_a_public_template_is_located_by_check_and_build(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    published = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    main = project / "theme/main.html"
    lines = main.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines, 1) if "{% for item in nav recursive %}" in line)
    main.write_text(
        main.read_text(encoding="utf-8").replace("{% for item in nav recursive %}", "{% for item in nav recursive %")
    )
    for command in ("check", "build"):
        run = amentor(command, "-p", str(project))
        assert run.code == 1 and f"theme/main.html:{at}:1: template error: expected token" in run.err, run.err
        assert "Traceback" not in run.err
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == published
    main.write_text(
        main.read_text(encoding="utf-8").replace("{% for item in nav recursive %", "{% for item in nav recursive %}")
    )
    write(project, "theme/partials/thanks.html", "{% trans %}Thank you{% endtrans %}\n")  # as mkdocs' own themes write
    assert amentor("check", "-p", str(project)).code == 0
    # A mistake that shows only as the page is made; a filter a folder template does not have.
    main.write_text(main.read_text(encoding="utf-8").replace("</main>", "{{ 1 / 0 }}</main>"))
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "theme/main.html:" in run.err and "template error: division by zero" in run.err, run.err
    write(project, "theme/folder/extra.html", "{{ 'x' | nosuchfilter }}\n")
    run = amentor("check", "-p", str(project))
    assert run.code == 1 and "theme/folder/extra.html:1:1: template error: No filter named 'nosuchfilter'." in run.err


def test_a_mistake_in_a_folder_template_that_shows_as_the_page_is_made_is_located(amentor, project):
    # The folder's pages and each term's form: Jinja2's error at the template's own line, as
    # check cannot see it (the template parses), and nothing published. What mkdocs warned of
    # as it made the public pages first is said beside it.
    assert amentor("build", "-p", str(project)).code == 0
    published = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    write(project, "content/privacy.md", (project / "content/privacy.md").read_text() + "\n[Old page](gone.md)\n")
    for name, marker in (("folder/term.html", "<h3>"), ("folder/overview.html", "{% block main %}")):
        template = project / "theme" / name
        original = template.read_text(encoding="utf-8")
        at = next(n for n, line in enumerate(original.splitlines(), 1) if marker in line)
        template.write_text(
            original.replace(marker, marker + "{{ term.record.no_such_thing.x if term else 1 / 0 }}", 1)
        )
        assert amentor("check", "-p", str(project)).code == 0
        run = amentor("build", "-p", str(project))
        assert run.code == 1 and f"theme/{name}:{at}:1: template error: " in run.err, run.err
        assert "content/privacy.md:" in run.err and "warning: mkdocs: " in run.err and "gone.md" in run.err, run.err
        assert "Traceback" not in run.err
        assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == published
        template.write_text(original)


def test_a_theme_without_a_macro_amentor_calls_is_told_which(amentor, project):
    macros = project / "theme/folder/macros.html"
    macros.write_text(macros.read_text(encoding="utf-8").replace("conversation_block", "conversation_box"))
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert "theme/folder/macros.html:1:1: template error: no macro 'conversation_block'" in run.err


def test_only_a_mistake_made_in_a_template_is_blamed_on_the_theme(tmp_path):
    # amentor's own bug stays a traceback to report, never "template error" at the school's theme.
    with pytest.raises(ZeroDivisionError), render.theme_mistakes():
        _ = 1 / 0
    write(tmp_path, "theme/folder/x.html", "<p>\n{{ 1 / 0 }}</p>\n")
    with pytest.raises(ProjectErrors) as caught, render.theme_mistakes():
        make_environment(tmp_path / "theme").get_template("folder/x.html").render()
    assert [str(p) for p in caught.value.problems] == ["theme/folder/x.html:2:1: template error: division by zero"]
    # amentor's filters given what they cannot take: the template's mistake, at its line.
    write(tmp_path, "theme/folder/y.html", "<p>\n{{ 5 | chip }}{{ 5 | md }}")
    with pytest.raises(ProjectErrors) as caught, render.theme_mistakes():
        make_environment(tmp_path / "theme").get_template("folder/y.html").render()
    assert str(caught.value.problems[0]).startswith("theme/folder/y.html:2:1: template error: chip takes")


@pytest.mark.parametrize(
    ("name", "mistake"), [("folder/staff.html", "{{ 1 / 0 }}"), ("folder/nav.html", "{{ no_such }}")]
)
def test_a_mistake_in_the_staff_page_or_the_folder_menu_is_located(amentor, project, name, mistake):
    template = project / "theme" / name
    template.write_text(mistake + "\n" + template.read_text(encoding="utf-8"))
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and f"theme/{name}:1:1: template error: " in run.err and "Traceback" not in run.err, run.err


def test_a_mistake_in_the_letter_template_is_located_and_issues_nothing(amentor, project):
    letter = project / "theme/letters/letter.html"
    original = letter.read_text(encoding="utf-8")
    at = next(n for n, line in enumerate(original.splitlines(), 1) if "{{ code }}" in line)
    letter.write_text(original.replace("{{ code }}", "{{ code.no_such_thing.x }}", 1))
    run = amentor("logins", "issue", "-p", str(project), "--letters", str(project / "letters"))
    assert run.code == 1 and f"theme/letters/letter.html:{at}:1: template error: " in run.err, run.err
    assert "Traceback" not in run.err and not (project / "letters").exists()
    assert "0 logins" in amentor("logins", "list", "-p", str(project)).err


def test_a_public_page_named_as_the_protected_site_s_directories_is_refused_at_its_page(amentor, project):
    mkdocs_yml = project / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text().replace("use_directory_urls: false", "use_directory_urls: true"))
    write(project, "content/staff.md", "# Our staff\n\nMrs Patel teaches Robins.\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1
    assert (
        "content/staff.md:1:1: the public pages may not use the name 'staff/': the site keeps the staff area there"
        in run.err
    )


def test_a_public_page_not_in_utf8_is_located_by_check_build_and_mkdocs(amentor, project):
    (project / "content/news.md").write_bytes("# News\n\nCaf\xe9 opening times.\n".encode("cp1252"))
    said = "content/news.md:3:4: not UTF-8 text; save the file as UTF-8"
    for command in ("check", "build"):
        run = amentor(command, "-p", str(project))
        assert run.code == 1 and said in run.err and "Traceback" not in run.err, run.err
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 1 and said in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_what_an_older_theme_lacks_comes_from_amentors_own(amentor, project):
    # A theme copied before partials/login.html existed, or one that dropped the script that opens
    # the folders: the home page still has its login form, and the site its decryptor.
    (project / "theme/partials/login.html").unlink()
    (project / "theme/assets/amentor.js").unlink()
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    assert 'name="password"' in (project / "site/index.html").read_text()
    assert (project / "site/assets/amentor.js").read_bytes() == (starter_dir() / "theme/assets/amentor.js").read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0 and (project / "site/assets/amentor.js").is_file(), result.stderr
    # An older main.html has no content block for the 404 page to fill: no 404 page, rather than an empty one.
    main = project / "theme/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace("{% block content %}", "").replace("{% endblock %}", ""))
    assert amentor("build", "-p", str(project)).code == 0 and not (project / "site/404.html").exists()


def test_a_project_without_a_home_page_is_refused(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    published = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    (project / "content/index.md").unlink()
    said = "content/index.md:1:1: missing: the home page, where families log in"
    for command in ("check", "build"):
        run = amentor(command, "-p", str(project))
        assert run.code == 1 and said in run.err, run.err
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 1 and said in result.stderr  # before mkdocs empties the site
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == published


def test_a_theme_whose_home_page_has_no_login_form_is_refused(amentor, project):
    # theme: {name: mkdocs}: the home page has no login form, and no family could open a folder.
    assert amentor("build", "-p", str(project)).code == 0
    published = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    at = set_theme(project, "{name: mkdocs}")
    said = f"mkdocs.yml:{at}:1: theme: the home page (index.html, from content/index.md) has no login form"
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and said in run.err, run.err
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == published
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 1 and said in result.stderr, result.stderr


def test_the_public_pages_frame_shows_sections_escapes_the_name_and_finds_the_privacy_notice(amentor, project):
    mkdocs_yml = project / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8").replace("site_name: Test Primary", "site_name: St Mary <C of E>")
    text = text.replace("use_directory_urls: false", "use_directory_urls: true")
    nav = "nav:\n  - Home: index.md\n  - Privacy notice: privacy.md\n  - About us:\n      - Clubs: clubs.md\n"
    mkdocs_yml.write_text(text + nav, encoding="utf-8")
    write(project, "content/clubs.md", "# Clubs\n\nChess on Tuesdays.\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    page = (project / "site/clubs/index.html").read_text()
    assert "<span>About us:</span> <ul>" in page and '<a href="./" aria-current="page">Clubs</a>' in page
    assert "<title>Clubs · St Mary &lt;C of E&gt;</title>" in page
    assert '<a href="../privacy/">Privacy notice</a></p></footer>' in page  # privacy/, not privacy.html
    # A mistyped address: the host's 404 page is the school's, styled from any depth.
    missing = (project / "site/404.html").read_text()
    assert "<h1>Page not found</h1>" in missing and 'href="/assets/amentor.css"' in missing


def test_mkdocs_build_removes_a_link_it_could_not_and_writes_nothing_through_it(project, tmp_path):
    # mkdocs empties the site directory but cannot remove a link to a directory: site/f made a
    # link to elsewhere must not have the sealed folders written through it, nor survive.
    def mkdocs_build() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
        )

    assert mkdocs_build().returncode == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not amentor's")
    shutil.rmtree(project / "site/f")
    (project / "site/f").symlink_to(outside, target_is_directory=True)
    done = mkdocs_build()
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (project / "site/f").is_dir() and not (project / "site/f").is_symlink()
    assert any((project / "site/f").iterdir())


def test_an_output_inside_or_beside_another_output_of_the_project_is_refused(amentor, project):
    # site/sub, or .site.spare (the tree the next build of site/ stages into): a build of one
    # would take or destroy the other.
    assert amentor("build", "-p", str(project)).code == 0
    for inside in ("site/sub", ".site.spare"):
        run = amentor("build", "-p", str(project), "-d", str(project / inside))
        assert run.code == 2 and "another output of this project" in run.err, run.err
    assert amentor("build", "-p", str(project), "-d", str(project.parent / "elsewhere")).code == 0


def test_a_site_directory_that_is_a_link_to_itself_is_a_clear_error(amentor, project, tmp_path):
    (project / "site").symlink_to(project / "site")
    run = amentor("build", "-p", str(project))
    assert run.code == 2 and "cannot be followed" in run.err and "Traceback" not in run.err
    assert amentor("build", "-p", str(project), "-d", str(tmp_path / "elsewhere")).code == 0  # site/ is not used


def test_real_mkdocs_build_runs_the_same_pipeline(project):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "index.html").is_file()
    assert len(list(site.glob("f/*/*.bin"))) > 2 * 12  # two folders of 12 sealed pages and their attachments
    assert "Quennell" not in (site / "sitemap.xml").read_text()
    keys = Keystore.load(project / ".amentor").folders["T001"]  # a folder links to the pages mkdocs wrote
    overview = crypto.unseal(keys.content_key, "overview", (site / keys.url / "overview.bin").read_bytes()).decode()
    assert '<a href="../../guide.html">guide for parents</a>' in overview


def test_mkdocs_builds_again_over_its_own_site(project, amentor):
    # mkdocs' clean-up leaves dot-files (the last build's .htaccess): a second build, and one
    # after `amentor build`, must not take them for public pages written twice, nor delete them.
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "-q"]
    for step in ("first", "again"):
        result = subprocess.run(mkdocs, cwd=project, capture_output=True, text=True)
        assert result.returncode == 0, f"{step}: {result.stderr}"
    assert amentor("build", "-p", str(project)).code == 0
    result = subprocess.run(mkdocs, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (project / "site" / ".htaccess").is_file()
    assert len(list((project / "site").glob("f/*/*.bin"))) > 2 * 12
    (project / "site" / ".git").mkdir()  # a deploy checkout: mkdocs leaves it, and so does amentor
    (project / "site" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    result = subprocess.run(mkdocs, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (project / "site" / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_mkdocs_build_fails_on_bad_records_and_leaves_the_site_as_it_was(project, amentor):
    assert amentor("build", "-p", str(project)).code == 0
    site = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\ncolour: red\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "pupils/ben/2026-27.yml:3:1: colour: unknown key 'colour'" in result.stderr
    # refused before mkdocs empties the site directory: the published folders are all still there
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == site


def test_sample_school_in_the_repository_checks_clean(amentor):
    run = amentor("check", "-p", str(REPO))
    assert run.code == 0, run.err
    loaded = records.load(REPO)
    assert len(loaded.pupils) >= 12
    assert {len(p.years) for p in loaded.pupils} >= {1, 2, 3, 4, 5, 6}
    assert any(p.left for p in loaded.pupils)


def test_a_template_error_is_named_in_the_theme_of_a_project_that_lies_in_a_theme_folder(amentor, tmp_path):
    """A school kept under a folder called theme/ (/srv/theme/school): the error is still named
    at the project's own theme/folder/term.html, not at a path cut at the first '/theme/'."""
    project = make_project(tmp_path / "theme" / "school")
    template = project / "theme/folder/term.html"
    original = template.read_text(encoding="utf-8")
    at = next(n for n, line in enumerate(original.splitlines(), 1) if "<h3>" in line)
    template.write_text(original.replace("<h3>", "<h3>{{ 1 / 0 }}", 1), encoding="utf-8")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and f"\ntheme/folder/term.html:{at}:1: template error: division by zero" in "\n" + run.err, (
        run.err
    )
