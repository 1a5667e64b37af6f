"""The build cache never serves stale output: what changed is rebuilt, nothing else is touched."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import add_cleo, issue, page, run_cli, write

from amentor_build.audit import AuditErrors
from amentor_build.build import build
from amentor_build.build.caches import AuditStore
from amentor_build.disk import settled
from amentor_build.mkdocs_site import public_pages
from amentor_build.protection import Keystore, crypto


def run(project: Path):
    return build(project, project / "site", public_pages(project), workers=1)


def stamps(project: Path) -> dict[str, tuple[int, bytes]]:
    site = project / "site"
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes()) for p in site.rglob("*") if p.is_file()
    }


def folder(project: Path, pupil_id: str) -> str:
    return Keystore.load(project / ".amentor").folders[pupil_id].url


def touched(before: dict, after: dict) -> set[str]:
    """Files added, removed, rewritten or re-timed between two snapshots."""
    return {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}


@pytest.fixture
def built(project):
    add_cleo(project)
    assert run(project).rebuilt
    return project


def test_nothing_changed_nothing_rebuilt_nothing_touched(built):
    before = stamps(built)
    assert run(built).rebuilt == ()
    assert touched(before, stamps(built)) == set()


def test_a_changed_record_rebuilds_only_that_child(built):
    before = stamps(built)
    write(
        built,
        "pupils/ben/2026-27.yml",
        "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    attainment:\n      maths: {working_at: 2b, target: 2b}\n",
    )
    report = run(built)
    assert report.rebuilt == ("T002",)
    changed = touched(before, stamps(built))
    assert changed and all(rel.startswith(folder(built, "T002")) or rel.startswith("s/") for rel in changed)
    assert "On target" in page(built, "T002", "overview")  # the new record, not a stale page


def test_a_changed_work_file_rebuilds_only_that_child(built):
    before = stamps(built)
    from PIL import Image

    Image.new("RGB", (640, 480), (20, 90, 200)).save(built / "pupils/ada/work/2025-26/recount.jpg", "JPEG")
    assert run(built).rebuilt == ("T001",)
    changed = touched(before, stamps(built))
    assert changed and all(rel.startswith(folder(built, "T001")) for rel in changed)


def test_only_the_files_the_records_name_are_watched(built):
    """A photo nobody chose changes nothing; a named file that goes missing, then comes back,
    is an error and then a build (the cached record never hides either)."""
    from PIL import Image

    from amentor_build.errors import ProjectErrors

    before = stamps(built)
    Image.new("RGB", (64, 48), (1, 2, 3)).save(built / "pupils/ada/work/2025-26/unused.jpg", "JPEG")
    assert run(built).rebuilt == ()
    assert touched(before, stamps(built)) == set()
    recount = built / "pupils/ada/work/2025-26/recount.jpg"
    kept = recount.read_bytes()
    recount.unlink()
    with pytest.raises(ProjectErrors) as failed:
        run(built)
    assert "pupils/ada/work/2025-26/recount.jpg:1:1: missing: work file referenced by" in str(failed.value.problems[0])
    assert touched(before, stamps(built)) == set()  # nothing published
    recount.write_bytes(kept)
    assert run(built).rebuilt == ("T001",)


def test_a_changed_template_rebuilds_every_folder(built):
    path = built / "theme/folder/overview.html"
    path.write_text(path.read_text().replace("Every year", "Every school year"))
    assert sorted(run(built).rebuilt) == ["T001", "T002", "T003"]
    assert "Every school year" in page(built, "T003", "overview")


def test_changed_colour_settings_rebuild_every_folder(built):
    path = built / "school.yml"
    path.write_text(path.read_text().replace("exceeding: blue", "exceeding: purple"))
    assert sorted(run(built).rebuilt) == ["T001", "T002", "T003"]
    assert "chip-purple" in page(built, "T001", "year-1")


def test_a_revoked_login_rebuilds_only_that_childs_folder(built, amentor):
    issue(amentor, built)
    run(built)
    before = stamps(built)
    assert amentor("logins", "revoke", "-p", str(built), "--pupil", "T001", "--guardian", "mum").code == 0
    assert run(built).rebuilt == ("T001",)
    changed = touched(before, stamps(built))
    others = [rel for rel in changed if not rel.startswith(folder(built, "T001"))]
    # besides Ada's folder: her remaining slot (re-wrapped), the revoked slot (removed), staff lists (her new key)
    assert all(rel.startswith(("k/", "s/")) for rel in others)
    assert not any(rel.startswith((folder(built, "T002"), folder(built, "T003"))) for rel in changed)


def test_a_change_in_the_folders_mkdocs_yml_names_is_published(amentor, project):
    """docs_dir and custom_dir other than content/ and theme/: the public pages' cache knows them."""
    (project / "content").rename(project / "pages")
    shutil.copytree(project / "theme", project / "look")
    mkdocs_yml = project / "mkdocs.yml"
    text = mkdocs_yml.read_text().replace("docs_dir: content", "docs_dir: pages")
    mkdocs_yml.write_text(text.replace("custom_dir: theme", "custom_dir: look"))
    assert amentor("build", "-p", str(project)).code == 0
    write(project, "pages/guide.md", "# Guide for parents\n\nNew words.\n")
    (project / "look/assets/amentor.css").write_text("/* ours */\n")
    assert amentor("build", "-p", str(project)).code == 0
    assert "New words." in (project / "site/guide.html").read_text()
    assert (project / "site/assets/amentor.css").read_text() == "/* ours */\n"


def test_a_public_page_change_touches_only_that_page(built):
    before = stamps(built)
    write(built, "content/guide.md", "# Guide for parents\n\nNew words.\n")
    assert run(built).rebuilt == ()
    assert touched(before, stamps(built)) == {"guide.html"}


def test_the_audit_reads_a_changed_public_file_again(built):
    # What the audit read of each public file is kept by the file's bytes: a page changed after
    # a build that passed, or changed back, is read as it is now.
    run(built)
    guide = (built / "content/guide.md").read_text(encoding="utf-8")
    write(built, "content/guide.md", guide + "\nWell done, Cléo Farrant!\n")
    with pytest.raises(AuditErrors) as found:
        run(built)
    assert any("full name" in p.message and p.path == "content/guide.md" for p in found.value.problems)
    write(built, "content/guide.md", guide)
    assert run(built).rebuilt == ()


def test_a_public_pictures_text_is_read_again_when_its_bytes_change(built):
    # What a picture carries (its metadata) is kept by its bytes: a picture replaced under the
    # same name, now with a child's name in it, is read again and refused.
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    def picture(comment: str) -> None:
        info = PngInfo()
        info.add_text("Comment", comment)
        Image.new("RGB", (4, 4), "white").save(built / "content/logo.png", pnginfo=info)

    picture("Our school at sports day")
    run(built)
    picture("Cleo Farrant at sports day")
    with pytest.raises(AuditErrors) as found:
        run(built)
    assert any("full name" in p.message for p in found.value.problems)


def test_the_texts_a_file_carries_are_kept_for_one_version_of_amentor(tmp_path):
    # A picture's metadata, a PDF's text: read once; a new version of amentor (a better reader of
    # pictures, say) reads every file again.
    read: list[bytes] = []

    def carried(data: bytes, cache: object) -> list[str]:
        read.append(data)
        return ["a caption"]

    store = AuditStore(tmp_path / "audit.json", b"version one")
    assert store.carried_by(carried)(b"picture") == ["a caption"]
    store.put("plaintext", {})
    store.save()
    assert AuditStore(tmp_path / "audit.json", b"version one").carried_by(carried)(b"picture") == ["a caption"]
    assert len(read) == 1
    AuditStore(tmp_path / "audit.json", b"version two").carried_by(carried)(b"picture")
    assert len(read) == 2


def test_a_change_to_the_schools_mkdocs_hooks_renders_the_public_pages_again(built):
    # Each build in a process of its own, as a school runs it (mkdocs keeps a hook loaded for good).
    # The hook where mkdocs.yml's hooks: puts it (scripts/), with a tag beside it mkdocs.yml may hold.
    hook = "def on_post_build(config):\n    open(config.site_dir + '/made.txt', 'w').write({!r})\n"
    write(built, "scripts/banner.py", hook.format("one"))
    config = built / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - scripts/banner.py\nextra:\n  year: !ENV [YEAR, '2026']\n")
    assert run_cli("build", "-p", str(built)).code == 0
    assert (built / "site/made.txt").read_text() == "one"
    write(built, "scripts/banner.py", hook.format("two"))
    done = run_cli("build", "-p", str(built))  # only the hook changed
    assert done.code == 0 and (built / "site/made.txt").read_text() == "two", done.err


def test_a_deleted_output_file_is_restored(built):
    overview = built / "site" / folder(built, "T002") / "overview.bin"
    data = overview.read_bytes()
    overview.unlink()
    assert run(built).rebuilt == ("T002",)
    assert overview.read_bytes() == data


def settle(directory: Path) -> None:
    """Wait until a directory's last change is old enough to be trusted by its stamp."""
    while not settled(os.lstat(directory)):
        time.sleep(0.02)


def test_a_folder_found_published_is_trusted_while_its_directory_is_unchanged(built):
    """Once a build has found a folder's files published, and their directory has not changed for
    a moment, the next build trusts them by the directory's stamp alone (see output.Found): a
    file taken away or replaced changes it, and is put back; an edit in place does not."""
    base = built / "site" / folder(built, "T002")
    settle(base)
    assert run(built).rebuilt == ()  # found, and stamped
    targets, overview = base / "targets.bin", base / "overview.bin"
    data, overview_data = targets.read_bytes(), overview.read_bytes()

    other = base / "other.tmp"  # replaced as tools do: a new file renamed over it, the same size
    other.write_bytes(bytes(len(data)))
    os.replace(other, targets)
    assert run(built).rebuilt == ("T002",)
    assert targets.read_bytes() == data

    settle(base)
    assert run(built).rebuilt == ()
    overview.unlink()
    assert run(built).rebuilt == ("T002",)
    assert overview.read_bytes() == overview_data

    settle(base)
    assert run(built).rebuilt == ()
    with open(overview, "r+b") as f:  # written into, in place: the limit of the stamp
        f.truncate(10)
    assert run(built).rebuilt == ()
    shutil.rmtree(built / "site")  # what the README says to do then: start again
    assert "T002" in run(built).rebuilt
    assert overview.read_bytes() == overview_data


def test_a_removed_pupil_leaves_the_site(built):
    url = folder(built, "T003")

    shutil.rmtree(built / "pupils/cleo")
    run(built)
    assert not (built / "site" / url).exists()
    assert not (built / ".site.spare" / url).exists()  # nor beside it, in the tree kept for the next build


def pictures(project: Path, pupil_id: str) -> dict[str, tuple[int, bytes]]:
    """The sealed attachments of a folder (keyed names: everything but the fixed page names)."""
    base = project / "site" / folder(project, pupil_id)
    pages = {"index.html", "notes.bin"} | {
        f"{n}.bin"
        for n in (
            "overview",
            "targets",
            "assessments",
            "conversations",
            "progress",
            "work",
            *[f"year-{i}" for i in range(1, 7)],
        )
    }
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in base.iterdir() if p.name not in pages}


def test_a_re_render_keeps_sealed_pictures_and_a_new_key_reseals_them(project, amentor):
    for work in (project / "pupils/ada/work/2025-26").iterdir():
        os.utime(work, (1_700_000_000, 1_700_000_000))  # long unchanged, as a school's scans are
    issue(amentor, project)
    run(project)
    before = pictures(project, "T001")
    assert len(before) == 8  # JPEG thumbnail and web copy, the PDF, and five more: the count is padded to 8
    path = project / "theme/folder/work.html"
    path.write_text(path.read_text().replace("they are most proud of", "they are proudest of"))
    report = run(project)
    assert "T001" in report.rebuilt and "proudest" in page(project, "T001", "work")
    assert pictures(project, "T001") == before  # not read, not sealed, not written again
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mum").code == 0
    run(project)
    after = pictures(project, "T001")
    assert after.keys() == before.keys() and all(after[n][1] != before[n][1] for n in after)  # the new key
    keys = Keystore.load(project / ".amentor").folders["T001"]
    kinds = sorted(crypto.unseal(keys.content_key, name, data)[:4] for name, (_, data) in after.items())
    assert kinds == [b""] * 5 + [b"%PDF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe0"]  # sealed anew


def files_of(tree: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(tree).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in tree.rglob("*") if p.is_file()}


def test_the_replaced_tree_is_kept_as_links_and_never_trusted(built):
    """After a build that changed something, the old tree stays beside the site as its spare,
    every file in it the very file the site has; the next build stages into it, and what was put
    in it, taken from it or replaced in it never reaches the site."""
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    run(built)
    spare, site = built / ".site.spare", built / "site"
    kept, published = files_of(spare), files_of(site)
    assert kept and all(published[rel] == kept[rel] for rel in kept)  # same inode, same bytes
    assert len(kept) < len(published)  # the files the build replaced were dropped, not kept twice

    ada = folder(built, "T001")
    (spare / "stray.html").write_text("Ada Quennell's notes")  # put in
    (spare / ada / "overview.bin").unlink()  # taken out
    replaced = spare / ada / "targets.bin"
    data = replaced.read_bytes()
    replaced.unlink()
    replaced.write_bytes(b"AMENTOR1 not the published file")  # a different file, same path
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Robins\n")
    assert run(built).rebuilt == ("T002",)
    after = files_of(site)
    assert set(after) == set(published) and "stray.html" not in after
    assert (site / ada / "targets.bin").read_bytes() == data
    assert {rel: b for rel, (_, b) in after.items() if rel.startswith(ada)} == {
        rel: b for rel, (_, b) in published.items() if rel.startswith(ada)
    }
    assert not [p.name for p in built.iterdir() if p.name.startswith(".site.new-")]


def test_a_site_deleted_by_hand_is_built_whole_and_the_spare_goes_too(built):
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    run(built)
    before = {rel: b for rel, (_, b) in files_of(built / "site").items()}
    assert (built / ".site.spare").is_dir()

    shutil.rmtree(built / "site")  # start again
    run(built)
    assert {rel: b for rel, (_, b) in files_of(built / "site").items()} == before
    assert not (built / ".site.spare").exists()


def test_nothing_put_into_the_published_site_survives_a_build_that_changed_nothing(built, tmp_path):
    # A link to a directory outside, a link in place of a page (to a file with its very bytes),
    # an empty directory: the site is the build's alone, even when no file of it changed.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("not amentor's")
    site = built / "site"
    before = files_of(site)
    (site / "etc").symlink_to(outside, target_is_directory=True)
    (outside / "guide.html").write_bytes((site / "guide.html").read_bytes())
    (site / "guide.html").unlink()
    (site / "guide.html").symlink_to(outside / "guide.html")
    (site / "empty").mkdir()
    assert run(built).rebuilt == ()
    assert {rel: data for rel, (_, data) in files_of(site).items()} == {rel: data for rel, (_, data) in before.items()}
    assert not (site / "etc").exists() and not (site / "empty").exists()
    assert not (site / "guide.html").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == ["guide.html", "passwd"]


def test_a_folder_of_the_site_replaced_by_a_link_is_never_linked_into_the_new_site(built, tmp_path):
    # site/assets made a link to a copy outside: the files there have the very bytes of the
    # site's, but none of them may become a file of the site (a change outside would change it).
    site, outside = built / "site", tmp_path / "outside"
    shutil.copytree(site / "assets", outside)
    shutil.rmtree(site / "assets")
    (site / "assets").symlink_to(outside, target_is_directory=True)
    assert run(built).rebuilt == ()
    assert (site / "assets").is_dir() and not (site / "assets").is_symlink()
    inside = {p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    assert not inside & {p.stat().st_ino for p in outside.rglob("*")}


def test_a_file_of_a_folder_sealed_again_at_a_new_size_and_then_replaced_is_written_again(built):
    # Ben's staff notes grow past the school's size for the notes page: every other folder's
    # notes are sealed again at the new size (repadded). A file so rewritten, then replaced by
    # one of the same size, is not taken for the build's own on the next build.
    notes = " ".join(["Reading with the class teacher every morning."] * 3000)
    write(
        built, "pupils/ben/2026-27.yml", f"year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    staff_notes: {notes}\n"
    )
    assert run(built).rebuilt == ("T002",)
    site = built / "site"
    rel = f"{folder(built, 'T003')}notes.bin"
    sealed = (site / rel).read_bytes()
    (site / rel).unlink()
    (site / rel).write_bytes(os.urandom(len(sealed)))
    run(built)
    assert (site / rel).read_bytes() == sealed


def test_a_file_system_without_hard_links_builds_with_copies(built, monkeypatch):
    # A project on a USB stick (FAT, exFAT) or a network share: every hard link is refused
    # (EPERM), so the site and its spare hold copies; each rebuild after a change still publishes
    # (a copy is a new file: the other folders are then sealed again, as the build cannot tell
    # the copy it made from a file put there by hand).
    def refused(source, target, *args, **kwargs):
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), target)
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), target)

    monkeypatch.setattr(os, "link", refused)
    for name in ("Robins", "Wrens", "Robins"):
        write(built, "pupils/ben/2026-27.yml", f"year_group: 2\nclass: {name}\n")
        assert "T002" in run(built).rebuilt
        assert f"{name} class" in page(built, "T002", "overview")


def test_a_warning_about_a_child_taken_out_of_the_records_is_not_said_again(built):
    # A first name alone in a public page is a warning; once the child is out of the records,
    # the build that follows (the public pages unchanged) no longer says it.
    write(built, "content/news.md", "# News\n\nCleo the tortoise is back in the classroom.\n")
    for _ in range(3):  # found, then said again from the last audit while nothing changes
        assert any("Cleo" in w.message for w in run(built).warnings)
    shutil.rmtree(built / "pupils/cleo")
    assert not any("Cleo" in w.message for w in run(built).warnings)


def test_a_cache_folder_made_a_link_is_never_written_or_emptied_through(built, tmp_path):
    # .amentor/cache/records (and media's .parts) pointing elsewhere: the build removes unused
    # entries of a cache and writes children's records into it, so the link goes, not what it reaches.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "notes.txt").write_text("not amentor's")
    (outside / ".a.99999.part").write_text("not amentor's either")
    cache = built / ".amentor/cache"
    shutil.rmtree(cache / "records")
    (cache / "records").symlink_to(outside, target_is_directory=True)
    shutil.rmtree(cache / "media/.parts", ignore_errors=True)
    (cache / "media/.parts").symlink_to(outside, target_is_directory=True)
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    assert run(built).rebuilt == ("T002",)
    assert sorted(p.name for p in outside.iterdir()) == [".a.99999.part", "notes.txt"]
    assert not (cache / "records").is_symlink() and any((cache / "records").iterdir())


def test_a_site_set_aside_by_a_build_cut_short_comes_back_and_a_link_there_is_not_followed(built, tmp_path):
    # The crash between the two renames (README): no site/, the old one in .site.old-*/site.
    before = {rel: data for rel, (_, data) in files_of(built / "site").items()}
    aside = built / ".site.old-x"
    aside.mkdir()
    (built / "site").rename(aside / "site")
    assert run(built).rebuilt == ()
    assert {rel: data for rel, (_, data) in files_of(built / "site").items()} == before
    assert not aside.exists()
    # A leftover's name made a link to elsewhere: removed, and what it reaches left alone.
    outside = tmp_path / "outside"
    (outside / "site").mkdir(parents=True)
    (outside / "site/precious.txt").write_text("not amentor's")
    shutil.rmtree(built / "site")
    (built / ".site.old-y").symlink_to(outside, target_is_directory=True)
    (built / ".site.new-y").symlink_to(outside, target_is_directory=True)
    run(built)
    assert (outside / "site/precious.txt").read_text() == "not amentor's"
    assert not (built / "site/precious.txt").exists()
    assert not os.path.lexists(built / ".site.old-y") and not os.path.lexists(built / ".site.new-y")


def test_a_published_file_replaced_by_one_of_the_same_size_is_written_again(built):
    # Right after the build that wrote them: a public page, and a sealed page of a folder just
    # built again, each replaced by a new file of the very same size (a size check alone passes).
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    assert run(built).rebuilt == ("T002",)
    site = built / "site"
    before = {rel: data for rel, (_, data) in files_of(site).items()}
    sealed = f"{folder(built, 'T002')}overview.bin"
    for rel in ("privacy.html", sealed):
        size = (site / rel).stat().st_size
        (site / rel).unlink()
        (site / rel).write_bytes(b"\0" * size)
    run(built)
    assert {rel: data for rel, (_, data) in files_of(site).items()} == before


def test_a_published_file_written_over_in_place_right_after_its_build_is_written_again(built):
    # The same inode, the same size: what a new file made in place of a deleted one often gets
    # (ext4 hands out the freed inode again). Its time is not the one the build wrote it with.
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    assert run(built).rebuilt == ("T002",)
    site = built / "site"
    before = {rel: data for rel, (_, data) in files_of(site).items()}
    for rel in ("privacy.html", f"{folder(built, 'T002')}overview.bin"):
        inode, size = (site / rel).stat().st_ino, (site / rel).stat().st_size
        with open(site / rel, "r+b") as f:
            f.write(b"\0" * size)
        assert (site / rel).stat().st_ino == inode
    run(built)
    assert {rel: data for rel, (_, data) in files_of(site).items()} == before


def test_a_pipe_put_in_place_of_a_cache_file_does_not_hold_the_build(built):
    # A file a build reads from .amentor/cache/ made a pipe (nothing ever writes to it): the build
    # takes it as a missing entry, and does not wait for ever holding the project's lock.
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    run(built)
    cache = built / ".amentor/cache"
    (site_cache,) = (cache / "sites").iterdir()
    pipes = [site_cache / name for name in ("folders.pickle", "manifest.json", "public.json", "audit.json")]
    found = [(cache / "records").glob("*.pickle"), (cache / "templates").iterdir(), (cache / "media").glob("*.jpg2")]
    pipes += [next(paths) for paths in found]  # (the image index has no entry yet: its files are too new)
    for path in pipes:
        path.unlink()
        os.mkfifo(path)
    done = subprocess.run(
        [sys.executable, "-m", "amentor_build.cli", "build", "-p", str(built)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrens class" in page(built, "T002", "overview")


def test_links_and_pipes_beside_the_site_are_never_followed(built, tmp_path):
    """A folder of the spare replaced by a symbolic link, a pipe where a page was, a stray file:
    the build writes nothing outside, does not hang, and publishes exactly its site; a link put
    into the published site is never followed when its old tree is tidied into the spare."""
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\n")
    run(built)
    spare, site = built / ".site.spare", built / "site"
    ada, ben = folder(built, "T001").rstrip("/"), folder(built, "T002").rstrip("/")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not amentor's")

    shutil.rmtree(spare / ben)
    (spare / ben).symlink_to(outside, target_is_directory=True)
    (spare / ada / "overview.bin").unlink()
    os.mkfifo(spare / ada / "overview.bin")
    (spare / "stray.html").write_text("Ada Quennell")
    write(built, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Robins\n")
    assert run(built).rebuilt == ("T002",)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    published = files_of(site)
    assert (site / ada / "overview.bin").is_file() and not (site / ben).is_symlink()
    assert "stray.html" not in published
    assert all(rel in published for rel in files_of(spare))

    (spare / "stray.html").write_text("Ada Quennell")
    run(built)  # nothing changed: the site is left alone, the spare tidied
    assert not (spare / "stray.html").exists()

    shutil.rmtree(site / ben)  # a link in the published site, to a folder of someone else's
    (site / ben).symlink_to(outside, target_is_directory=True)
    run(built)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
    assert (site / ben).is_dir() and not (site / ben).is_symlink()
