"""Protected folders in real headless Chromium: log in, browse, staff scope, revoke, tamper, log out."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import add_cleo, in_folder, issue, log_in

from amentor_build.protection import crypto

pytestmark = pytest.mark.browser


@pytest.fixture
def school(amentor, project, serve_site):
    """The tiny school with a third pupil, every login issued, built and served."""
    add_cleo(project)
    logins = issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    by = {(x["pupil"], x["guardian"], x["staff"]): x for x in logins}
    return project, by, serve_site(project / "site")


def test_guardian_sees_folder_with_decrypted_work_and_moves_without_second_prompt(browser, school):
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    assert page.url == base + mum["url"]
    assert page.locator("h1.child-name").inner_text() == "Ada Quennell"
    chips = [" ".join(c.split()) for c in page.locator(".attainment .chip").all_inner_texts()]
    assert chips == ["● On target"]
    page.click("nav.folder-nav >> text=Year 1")
    page.wait_for_selector("#folder[data-page=year-1]")
    chips = [" ".join(c.split()) for c in page.locator(".attainment .chip").all_inner_texts()]
    assert chips == ["★ Exceeding", "▲ Nearly there", "✕ Not on track"]
    assert (
        page.locator(".attainment .chip-red").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    )
    assert page.locator(".staff-notes").count() == 0  # families never see staff notes
    page.click("nav.folder-nav >> text=Best work")
    page.wait_for_selector("#folder[data-page=work]")
    thumb = page.locator("img.work-thumb")
    page.wait_for_function("() => document.querySelector('img.work-thumb').naturalWidth > 0")
    assert thumb.evaluate("img => img.src.startsWith('blob:') && img.naturalWidth") == 360
    page.click("a.work-link >> nth=0")
    page.wait_for_function("() => document.querySelector('.viewer img')?.naturalWidth === 800")
    assert page.url.startswith(base + mum["url"])  # still in the folder: no login page in between
    assert not errors
    page.close()


def test_pages_and_work_pictures_are_fetched_once_while_the_first_page_is_read(browser, school):
    """After the first page, the other pages and the work page's pictures are fetched (sealed)
    in the background: moving to a page, pictures included, asks the server for nothing."""
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    page = browser.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the prefetch starts once the first page has been shown a moment
    page.wait_for_load_state("networkidle")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    for target in ("year-1", "work", "targets", "work"):
        page.click(f"nav.folder-nav a[href='#{target}']")
        page.wait_for_selector(f"#folder[data-page={target}]")
    page.wait_for_function("() => document.querySelector('img.work-thumb')?.naturalWidth > 0")
    assert [url for url in asked if url.endswith(".bin")] == []
    page.close()


def test_the_wrong_password_alert_is_on_a_phones_screen(browser, school):
    """On a 375 by 667 phone the alert sits below "Open the folder": it is scrolled into sight."""
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, base, mum["code"], "wrong-horse-battery-staple")
    page.wait_for_function("() => document.getElementById('login-error').textContent.length > 0")
    box = page.evaluate(
        "() => { const r = document.getElementById('login-error').getBoundingClientRect(); return [r.top, r.bottom]; }"
    )
    assert box[0] >= 0 and box[1] <= 667, box
    context.close()


def test_wrong_password_shows_alert_and_opens_nothing(browser, school):
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    page = browser.new_page()
    log_in(page, base, mum["code"], "wrong-horse-battery-staple")
    alert = page.locator("[role=alert]")
    page.wait_for_function("() => document.querySelector('[role=alert]').textContent.length > 0")
    assert "do not match" in alert.inner_text()
    assert page.url == base + "index.html"
    page.goto(base + mum["url"])
    page.wait_for_selector("#folder [role=alert]")
    assert "locked" in page.locator("#folder").inner_text() and page.locator("h1.child-name").count() == 0
    # A page of its own: its heading in a main landmark, and no "Log out" where nobody is logged in.
    assert page.locator("main h1").inner_text() == "This folder is locked"
    assert (
        page.locator("#folder [role=alert]")
        .inner_text()
        .startswith("Nobody has logged in to this folder on this device.")
    )
    page.wait_for_selector("#logout", state="hidden")
    page.close()


def test_a_teacher_sent_to_a_child_outside_their_list_is_told_their_login_does_not_open_it(browser, school):
    """Not "locked" said twice to someone logged in: why, and their own way out (Log out) kept."""
    project, logins, base = school
    wrens, cleo_mum = logins[(None, None, "wrens")], logins[("T003", "mum", None)]  # Cleo is in Robins
    page = browser.new_page()
    log_in(page, base, wrens["code"], wrens["password"])
    page.wait_for_selector(".staff-list")
    page.goto(base + cleo_mum["url"])
    page.wait_for_selector("#folder [role=alert]")
    assert page.locator("main h1").inner_text() == "This folder is locked"
    said = page.locator("#folder [role=alert]").inner_text()
    assert said.startswith("No login kept on this device opens this folder. To open it, log in with one that does")
    assert page.locator("#logout").is_visible() and page.locator("h1.child-name").count() == 0
    page.close()


def test_a_page_asked_for_while_logged_out_opens_once_logged_in(browser, school):
    """A link to a page of a child's folder (#targets), opened on a device not logged in: the
    locked page's way to the login form comes back to that page, for a login that opens it (the
    family's, staff whose list holds the child); another login goes where it opens (another
    family's folder, the staff list)."""
    project, logins, base = school
    mum, cleo_mum, wrens = logins[("T001", "mum", None)], logins[("T003", "mum", None)], logins[(None, None, "wrens")]
    asked, cleos = mum["url"] + "#targets", cleo_mum["url"] + "#targets"  # Ada is in Wrens, Cleo in Robins
    staff_list = "staff/index.html"
    for who, at, lands in (
        (cleo_mum, asked, cleo_mum["url"]),
        (mum, asked, asked),
        (wrens, asked, asked),
        (wrens, cleos, staff_list),
    ):
        page = browser.new_page()
        page.goto(base + at)
        page.wait_for_selector("main h1")
        assert page.locator("main h1").inner_text() == "This folder is locked"
        page.click("text=Log in with the code and password from your letter")
        page.fill("input[name=code]", who["code"])
        page.fill("input[name=password]", who["password"])
        page.click("button[type=submit]")
        page.wait_for_selector(".staff-list" if lands == staff_list else "h1.child-name")
        assert page.url == base + lands
        if lands == asked:
            page.wait_for_selector("#folder[data-page=targets]")
        page.close()
    # An address elsewhere, or none a browser can read, is passed by: the login opens its own place.
    for elsewhere in ("//example.com/f/", "javascript:alert(1)", "//[", "f/..%2f..%2fx/"):
        page = browser.new_page()
        page.goto(f"{base}index.html#next={quote(elsewhere, safe='')}")
        page.fill("input[name=code]", mum["code"])
        page.fill("input[name=password]", mum["password"])
        page.click("button[type=submit]")
        page.wait_for_selector("h1.child-name")
        assert page.url == base + mum["url"], elsewhere
        page.close()


def test_staff_opens_children_in_scope_with_notes_but_not_outside(browser, school):
    project, logins, base = school
    wrens = logins[(None, None, "wrens")]
    cleo_url = logins[("T003", "mum", None)]["url"]
    page = browser.new_page()
    log_in(page, base, wrens["code"], wrens["password"])
    page.wait_for_selector(".staff-list")
    assert page.url == base + "staff/index.html"
    names = page.locator(".staff-list a").all_inner_texts()
    assert names == ["Ada Quennell", "Benedikt Zoller"]
    page.click("text=Ada Quennell")
    page.wait_for_selector("h1.child-name")
    page.click("nav.folder-nav >> text=Year 1")
    page.wait_for_selector(".staff-notes")
    assert "Phonics group B." in page.locator(".staff-notes").inner_text()
    # Printed (for a parents' evening: the paper goes home), the notes are left out, unless the
    # teacher ticks "Print these notes too" for them; the box itself is never printed.
    page.emulate_media(media="print")
    assert not page.locator(".staff-notes").is_visible() and page.locator(".term-form").first.is_visible()
    page.emulate_media(media="screen")
    page.check(".staff-notes .notes-print input")
    page.emulate_media(media="print")
    assert page.locator(".staff-notes").is_visible() and not page.locator(".notes-print").is_visible()
    assert "Phonics group B." in page.locator(".staff-notes").inner_text()
    page.emulate_media(media="screen")
    page.goto(base + "staff/index.html")
    page.click("text=Benedikt Zoller")
    page.wait_for_selector("h1.child-name")
    assert page.locator("h1.child-name").inner_text() == "Benedikt Zoller"
    page.goto(base + cleo_url)
    page.wait_for_selector("#folder [role=alert]")
    assert page.locator("h1.child-name").count() == 0
    page.close()


def test_staff_open_a_childs_folder_in_a_new_tab_or_from_a_bookmark(browser, school):
    """A teacher opens several children in tabs (a middle click), or a folder's address kept from
    before: the folder opens with the staff login's keys, staff notes and all, as from a plain
    click in the list; a child outside the login's scope stays locked."""
    project, logins, base = school
    wrens = logins[(None, None, "wrens")]
    ada_url, cleo_url = logins[("T001", "mum", None)]["url"], logins[("T003", "mum", None)]["url"]
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, wrens["code"], wrens["password"])
    page.wait_for_selector(".staff-list")
    with context.expect_page() as opened:
        page.click(".staff-list a:text-is('Benedikt Zoller')", button="middle")
    tab = opened.value
    tab.wait_for_selector("h1.child-name")
    assert tab.locator("h1.child-name").inner_text() == "Benedikt Zoller" and page.url == base + "staff/index.html"
    bookmark = context.new_page()  # Ada's Year 1 page, from an address kept from before
    bookmark.goto(base + ada_url + "#year-1")
    bookmark.wait_for_selector(".staff-notes")
    assert bookmark.locator("h1.child-name").inner_text() == "Ada Quennell"
    assert "Phonics group B." in bookmark.locator(".staff-notes").inner_text()
    outside = context.new_page()
    outside.goto(base + cleo_url)
    outside.wait_for_selector("#folder [role=alert]")
    assert "locked" in outside.locator("#folder").inner_text() and outside.locator("h1.child-name").count() == 0
    context.close()


def test_head_sees_every_child(browser, school):
    project, logins, base = school
    head = logins[(None, None, "head")]
    page = browser.new_page()
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector(".staff-list")
    assert sorted(page.locator(".staff-list a").all_inner_texts()) == [
        "Ada Quennell",
        "Benedikt Zoller",
        "Cleo Farrant",
    ]
    page.close()


def test_revoked_guardian_is_refused_and_the_other_still_opens(browser, amentor, school):
    project, logins, base = school
    mum, dad = logins[("T001", "mum", None)], logins[("T001", "dad", None)]
    ben_before = {p.name: p.read_bytes() for p in (project / "site" / logins[("T002", "carer", None)]["url"]).iterdir()}
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mum").code == 0
    assert amentor("build", "-p", str(project)).code == 0
    page = browser.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_function("() => document.querySelector('[role=alert]').textContent.length > 0")
    assert page.url == base + "index.html"
    log_in(page, base, dad["code"], dad["password"])
    page.wait_for_selector("h1.child-name")
    assert page.locator("h1.child-name").inner_text() == "Ada Quennell"
    ben_after = {p.name: p.read_bytes() for p in (project / "site" / logins[("T002", "carer", None)]["url"]).iterdir()}
    assert ben_after == ben_before  # another child's folder is untouched by the rotation
    page.close()


def dad_and_head(browser, school):
    """Ada's dad in her folder on his phone, and the head in the staff list on hers: two browsers
    (one device holds one login at a time: see the shared computer's test)."""
    _, logins, base = school
    dad, head = logins[("T001", "dad", None)], logins[(None, None, "head")]
    phone, office = browser.new_context(), browser.new_context()
    page = phone.new_page()
    log_in(page, base, dad["code"], dad["password"])
    page.wait_for_selector("h1.child-name")
    staff = office.new_page()
    log_in(staff, base, head["code"], head["password"])
    staff.wait_for_selector(".staff-list")
    return phone, page, office, staff


@pytest.mark.parametrize(
    "revoked", [("--pupil", "T001", "--guardian", "mum"), ("--staff", "wrens"), ()], ids=["mum", "wrens", "moved"]
)
def test_a_key_kept_from_before_a_revocation_asks_for_the_login_again(browser, amentor, school, revoked):
    """Dad opened Ada's folder before the school revoked a login (mum's; or a teacher's: every
    folder gets new keys), or before Ada moved class (her folder gets new keys, which the Wrens
    teacher's list no longer gives). Back later, he is asked to log in again, not told that the
    folder is damaged; the old key is forgotten, and his unchanged login opens it. The head's
    list, whose key did not change, still opens."""
    project, logins, base = school
    phone, page, office, staff = dad_and_head(browser, school)
    dad = logins[("T001", "dad", None)]
    if revoked:
        assert amentor("logins", "revoke", "-p", str(project), *revoked).code == 0
    else:
        year = project / "pupils/ada/2026-27.yml"
        year.write_text(year.read_text().replace("class: Wrens", "class: Robins"))
    assert amentor("build", "-p", str(project)).code == 0
    later = phone.new_page()  # another day: a new tab, the keys still kept by the browser
    later.goto(base + dad["url"])
    later.wait_for_selector("#folder [role=alert]")
    said = later.locator("#folder").inner_text()
    assert "This folder has new keys since it was last opened on this device" in said, said
    assert "damaged" not in said
    head_later = office.new_page()  # the head's own key is unchanged: the list, with the new keys
    head_later.goto(base + "staff/index.html")
    head_later.wait_for_selector(".staff-list")
    office.close()
    later.goto(base + "index.html")
    later.wait_for_selector("#login-form")
    later.wait_for_timeout(500)  # the offer of what this browser can open comes from IndexedDB
    assert "Ada" not in " ".join(later.locator(".open-folders").all_inner_texts())  # forgotten: not offered again
    log_in(later, base, dad["code"], dad["password"])
    later.wait_for_selector("h1.child-name")
    assert later.locator("h1.child-name").inner_text() == "Ada Quennell"
    phone.close()


def test_a_tab_left_open_while_the_keys_change_asks_for_the_login_or_takes_the_lists_keys(browser, amentor, school):
    """A family's tab left open (a phone's, for days) while the school revoked a login: reloaded,
    it asks for the login again, as a new tab does, rather than calling the folder damaged. A
    head's list left open from before that build opens a child's folder with the keys it has now."""
    project, _, base = school
    phone, page, office, staff = dad_and_head(browser, school)
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mum").code == 0
    assert amentor("build", "-p", str(project)).code == 0
    page.reload()
    page.wait_for_selector("#folder [role=alert]")
    said = page.locator("#folder").inner_text()
    assert "This folder has new keys since it was last opened on this device" in said, said
    assert "damaged" not in said
    staff.click(".staff-list a:text-is('Ada Quennell')")  # the list as it was before the build
    staff.wait_for_selector("h1.child-name")
    assert staff.locator("h1.child-name").inner_text() == "Ada Quennell"
    staff.route("**/s/**", lambda route: route.abort())  # no list now: the keys kept are the new ones
    staff.reload()
    staff.wait_for_selector("h1.child-name")
    phone.close()
    office.close()


def test_a_copy_taken_before_revocation_keeps_old_key_but_new_site_does_not(amentor, school):
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    overview = project / "site" / mum["url"] / "overview.bin"
    old = overview.read_bytes()
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mum").code == 0
    assert amentor("build", "-p", str(project)).code == 0
    assert overview.read_bytes() != old  # rotated content key
    assert not (project / "site" / "k" / (mum["code"].replace("-", "") + ".json")).exists()


def test_tampered_page_and_attachment_show_errors_not_content(browser, school):
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    folder = project / "site" / mum["url"]
    overview = folder / "overview.bin"
    data = bytearray(overview.read_bytes())
    data[40] ^= 0x01
    overview.write_bytes(bytes(data))
    page = browser.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("#folder [role=alert]")
    assert "changed or damaged" in page.locator("#folder").inner_text()
    assert page.locator("h1.child-name").count() == 0
    # an attachment: the work page renders, the tampered picture shows an error in its place
    page.goto(base + mum["url"] + "#work")
    page.wait_for_selector("#folder[data-page=work]")
    src = page.locator("img.work-thumb").get_attribute("data-enc")
    target = folder / src
    blob = bytearray(target.read_bytes())
    blob[-1] ^= 0x80
    written = target.stat().st_mtime
    target.write_bytes(bytes(blob))
    # The browser asks again with If-Modified-Since, which HTTP states to the second: a change
    # in the same second as the build wrote the file would be answered "not modified" and the
    # good picture shown from its cache. The tamper is dated later, as one would be.
    os.utime(target, (written + 2, written + 2))
    page.reload()
    page.wait_for_selector("#folder[data-page=work]")
    page.wait_for_selector(".work-card [role=alert]")  # pictures are opened after the page shows
    assert page.locator(".work-card [role=alert]").count() == 1
    assert "picture could not be opened" in page.locator(".work-card [role=alert]").inner_text()
    page.close()


def test_a_page_changed_on_the_host_is_said_to_a_family_with_a_kept_key_which_is_kept(browser, school):
    """Dad's browser kept Ada's key; then a page of her folder is changed on the host (a damaged
    upload). His login's slot is as it was, so the key is current: the page is said to be changed
    or damaged, not "new keys", and the key is kept: once the page is put right, it opens
    with no login."""
    project, logins, base = school
    dad = logins[("T001", "dad", None)]
    context, page = in_folder(browser, base, dad)
    overview = project / "site" / dad["url"] / "overview.bin"
    good = overview.read_bytes()
    damaged = bytearray(good)
    damaged[40] ^= 0x01
    written = overview.stat().st_mtime
    overview.write_bytes(bytes(damaged))
    os.utime(overview, (written + 2, written + 2))  # (dated later, as a change would be: see the test above)
    later = context.new_page()  # another day: a new tab, the key kept by the browser
    later.goto(base + dad["url"])
    later.wait_for_selector("#folder [role=alert]")
    said = later.locator("#folder").inner_text()
    assert "changed or damaged" in said and "new keys" not in said, said
    overview.write_bytes(good)
    os.utime(overview, (written + 4, written + 4))
    later.goto(base + "index.html")
    later.goto(base + dad["url"])
    later.wait_for_selector("h1.child-name")  # the kept key: no login asked for
    assert later.locator("h1.child-name").inner_text() == "Ada Quennell"
    context.close()


def test_log_out_locks_every_open_tab(browser, school):
    project, logins, base = school
    dad = logins[("T001", "dad", None)]
    context, first = in_folder(browser, base, dad)
    second = context.new_page()
    second.goto(base + "index.html")  # a returning parent is offered the way back in
    second.click("a.open-folder")
    second.wait_for_selector("h1.child-name")  # remembered: no second password prompt
    second.goto(base + dad["url"] + "#targets")
    second.wait_for_selector("#folder[data-page=targets]")
    first.click("#logout")
    first.wait_for_url(base + "index.html?logged-out")
    second.wait_for_url(base + "index.html?logged-out")
    assert second.locator("h1.child-name").count() == 0
    second.goto(base + dad["url"])
    second.wait_for_selector("#folder [role=alert]")
    assert "locked" in second.locator("#folder").inner_text()
    second.goto(base + "index.html")
    second.wait_for_timeout(200)
    assert second.locator("a.open-folder").count() == 0  # nothing remembered after log out
    stored = second.evaluate("() => JSON.stringify(localStorage)")
    assert dad["password"] not in stored and "key" not in stored
    context.close()


def staff_in_adas_folder(browser, base: str, login: dict):
    """A browser of its own, a staff login in it, and Ada's folder opened from the staff list."""
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, login["code"], login["password"])
    page.wait_for_selector(".staff-list")
    page.click("text=Ada Quennell")
    page.wait_for_selector("h1.child-name")
    return context, page


def test_a_class_teacher_is_told_a_child_who_moved_class_is_no_longer_in_her_list(browser, amentor, school):
    """The Wrens teacher's list and Ada's folder are open in two tabs when Ada moves to Robins (her
    folder gets new keys). Ada's name clicked in the list left open, or her folder's tab reloaded,
    says that she is no longer in the list: neither "changed or damaged" nor the families' "log in
    again with your letter"."""
    project, logins, base = school
    context, folder = staff_in_adas_folder(browser, base, logins[(None, None, "wrens")])
    listed = context.new_page()
    listed.goto(base + "staff/index.html")
    listed.wait_for_selector(".staff-list")
    year = project / "pupils/ada/2026-27.yml"
    year.write_text(year.read_text().replace("class: Wrens", "class: Robins"))
    assert amentor("build", "-p", str(project)).code == 0
    for page in (folder, listed):
        if page is folder:
            page.reload()
        else:
            page.click("text=Ada Quennell")
        page.wait_for_selector("#folder [role=alert]")
        said = page.locator("#folder").inner_text()
        assert "This child is no longer in your list" in said, said
        assert "damaged" not in said and "letter" not in said, said
    listed.click("text=Back to your list")
    listed.wait_for_selector(".staff-list")
    assert "Ada Quennell" not in listed.locator(".staff-list").inner_text()
    context.close()


def test_a_login_over_another_on_a_shared_computer_ends_it_first(browser, school):
    """A parents' evening laptop: the class teacher logged in, and a parent logs in after her
    without logging her out. The teacher's list, and the folder she had open (in another tab
    too), open nothing for the parent; the parent's own folder opens."""
    project, logins, base = school
    wrens, cleo_mum = logins[(None, None, "wrens")], logins[("T003", "mum", None)]
    ada_url = logins[("T001", "mum", None)]["url"]
    context, page = staff_in_adas_folder(browser, base, wrens)
    tab = context.new_page()
    tab.goto(base + ada_url)
    tab.wait_for_selector("h1.child-name")
    log_in(page, base, cleo_mum["code"], cleo_mum["password"])
    page.wait_for_selector("h1.child-name")
    assert page.locator("h1.child-name").inner_text() == "Cleo Farrant"
    tab.wait_for_url(base + "index.html?logged-out")  # the teacher's tab locked
    for place in (ada_url, "staff/index.html"):
        page.goto(base + place)
        page.wait_for_selector("#folder [role=alert]")
        assert "locked" in page.locator("#folder").inner_text() and page.locator("h1.child-name").count() == 0
    page.goto(base + "index.html")
    page.wait_for_selector("a.open-folder")
    assert page.locator("a.open-folder").all_inner_texts() == ["Open Cleo Farrant's folder"]
    log_in(page, base, cleo_mum["code"], cleo_mum["password"])  # her own again: nothing else to end
    page.wait_for_selector("h1.child-name")
    context.close()


def test_a_teacher_logging_in_after_the_head_ends_the_heads_list(browser, school):
    """Two staff logins both open "the staff list": the head's list, left open in a tab, must not
    open a child of another class for the teacher who logs in after her."""
    project, logins, base = school
    context = browser.new_context()
    heads = context.new_page()
    log_in(heads, base, logins[(None, None, "head")]["code"], logins[(None, None, "head")]["password"])
    heads.wait_for_selector(".staff-list a:text-is('Cleo Farrant')")
    teachers = context.new_page()
    wrens = logins[(None, None, "wrens")]
    log_in(teachers, base, wrens["code"], wrens["password"])
    teachers.wait_for_selector(".staff-list")
    heads.wait_for_url(base + "index.html?logged-out")  # the head's list locked
    teachers.goto(base + logins[("T003", "mum", None)]["url"])  # Cleo, in no list of the teacher's
    teachers.wait_for_selector("#folder [role=alert]")
    assert teachers.locator("h1.child-name").count() == 0
    log_in(teachers, base, wrens["code"], wrens["password"])  # the same teacher again: her session stays
    teachers.wait_for_selector(".staff-list")
    other = context.new_page()
    other.goto(base + "staff/index.html")
    other.wait_for_selector(".staff-list")
    context.close()


def test_a_folder_kept_whole_by_the_browser_asks_the_session_again_when_shown(browser, school):
    """Back to a page the browser kept whole (its back-forward cache, which missed the log-out):
    shown again, it is opened afresh, and a session that has ended shows it locked."""
    project, logins, base = school
    context, page = staff_in_adas_folder(browser, base, logins[(None, None, "wrens")])
    page.evaluate(
        """() => new Promise((done) => {  // the session ended, and this page not told
          const open = indexedDB.open("amentor", 1);
          open.onsuccess = () => { open.result.transaction("keys", "readwrite").objectStore("keys").clear().onsuccess = done; };
        })"""
    )
    assert page.locator("h1.child-name").count() == 1  # still showing: what the cache would bring back
    page.evaluate("() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    page.wait_for_selector("#folder [role=alert]")
    assert "locked" in page.locator("#folder").inner_text() and page.locator("h1.child-name").count() == 0
    context.close()


def test_a_staff_login_left_open_overnight_asks_again(browser, school):
    """A staffroom computer left logged in: a staff login lasts twelve hours (a working day),
    then every key it opened is forgotten and the list asks for the login again."""
    project, logins, base = school
    context, page = staff_in_adas_folder(browser, base, logins[(None, None, "head")])
    ada = page.url
    page.evaluate(
        """() => new Promise((done, failed) => {  // the login, as if made 13 hours ago
          const open = indexedDB.open("amentor", 1);
          open.onsuccess = () => {
            const store = open.result.transaction("keys", "readwrite").objectStore("keys");
            const get = store.get("staff");
            get.onsuccess = () => {
              store.put({ ...get.result, since: Date.now() - 13 * 3600 * 1000 }, "staff").onsuccess = done;
            };
          };
          open.onerror = failed;
        })"""
    )
    # The folder still open on screen locks when it is looked at again (the screen woken).
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_url(base + "index.html?logged-out")
    for place in (base + "staff/index.html", ada):
        page.goto(place)
        page.wait_for_selector("#folder [role=alert]")
        assert page.locator(".staff-list").count() == 0 and page.locator("h1.child-name").count() == 0
    page.goto(base + "index.html")
    page.wait_for_timeout(200)
    assert page.locator("a.open-folder").count() == 0
    context.close()


def test_python_sealing_and_browser_unsealing_agree(browser, tmp_path, serve_site):
    key = crypto.new_key()
    payload = "Zoë’s page ✓ <b>bold</b>".encode()
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    root = Path(__file__).resolve().parents[1]
    (site / "assets" / "amentor.js").write_bytes((root / "theme/assets/amentor.js").read_bytes())
    (site / "index.html").write_text('<!doctype html><body><script src="assets/amentor.js"></script></body>')
    (site / "good.bin").write_bytes(crypto.seal(key, "good", payload))
    bad = bytearray(crypto.seal(key, "bad", payload))
    bad[20] ^= 1
    (site / "bad.bin").write_bytes(bytes(bad))
    (site / "swapped.bin").write_bytes(crypto.seal(key, "good", payload))  # sealed for another name
    base = serve_site(site)
    page = browser.new_page()
    page.goto(base + "index.html")
    script = """async ([key, name]) => {
        const buffer = await (await fetch(name + '.bin')).arrayBuffer();
        try { return new TextDecoder().decode(await window.amentorCrypto.unseal(key, name, buffer)); }
        catch (e) { return 'ERROR ' + e.message; } }"""
    k = base64.b64encode(key).decode()
    assert page.evaluate(script, [k, "good"]) == payload.decode()
    assert page.evaluate(script, [k, "bad"]).startswith("ERROR")
    assert page.evaluate(script, [k, "swapped"]).startswith("ERROR")
    assert crypto.unseal(key, "good", (site / "good.bin").read_bytes()) == payload
    page.close()


def test_browser_refuses_a_slot_below_the_minimum_work_factor(browser, amentor, school):
    project, logins, base = school
    dad = logins[("T001", "dad", None)]
    code = dad["code"].replace("-", "")
    slot_path = project / "site" / "k" / f"{code}.json"
    slot = json.loads(slot_path.read_text())
    slot["iterations"] = 1000
    slot_path.write_text(json.dumps(slot))
    page = browser.new_page()
    log_in(page, base, dad["code"], dad["password"])
    page.wait_for_function("() => document.querySelector('[role=alert]').textContent.length > 0")
    assert "out of date" in page.locator("[role=alert]").inner_text()
    page.close()


def test_staff_overview_needs_attention_and_school_summary(browser, school):
    """SPEC 7: the class overview (sortable, colours with words), who needs attention and why,
    and for scope `all` the whole school by year group."""
    project, logins, base = school
    head = logins[(None, None, "head")]
    page = browser.new_page()
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector("table.overview")
    rows = page.locator("table.overview tbody tr")
    assert rows.count() == 3
    ben = page.locator("table.overview tbody tr", has_text="Benedikt Zoller")
    assert "✕ Not on track" in " ".join(ben.inner_text().split())
    attention = page.locator(".needs-attention")
    assert "Benedikt Zoller" in attention.inner_text() and "Not on track in maths" in attention.inner_text()
    page.click("table.overview button:text-is('Name')")  # sorted by name, now descending
    assert page.locator("table.overview thead th").first.get_attribute("aria-sort") == "descending"
    assert page.locator("table.overview tbody tr th").first.inner_text() == "Benedikt Zoller"  # by family name
    summary = page.locator(".school-summary")
    assert "Year 2" in summary.inner_text() and "Maths" in summary.inner_text()
    assert "Whole school this term: Autumn 2026-27" in summary.inner_text()
    assert "Every child on roll (3) is counted." in summary.inner_text()
    # Back from a child's folder, the list is as the teacher left it: its order, the link last opened.
    page.click("table.overview button:text-is('Attendance')")
    page.click("table.overview tbody tr:nth-child(2) th a")
    page.wait_for_selector("h1.child-name")
    opened = page.locator("h1.child-name").inner_text()
    page.go_back()
    page.wait_for_selector("table.overview")
    assert page.locator("table.overview thead th", has_text="Attendance").get_attribute("aria-sort") == "ascending"
    assert page.evaluate("document.activeElement.textContent") == opened
    assert page.locator("table.overview tbody tr:nth-child(2) th").inner_text() == opened
    page.close()
    wrens = logins[(None, None, "wrens")]
    page = browser.new_page()
    log_in(page, base, wrens["code"], wrens["password"])
    page.wait_for_selector("table.overview")
    assert page.locator(".school-summary").count() == 0  # a class scope: no whole-school summary
    page.close()


def test_a_child_who_left_is_listed_for_the_head_with_the_date_in_words(amentor, browser, school):
    """The staff list says when a child left as the folder does (1 October 2026, not 2026-10-01),
    after the children on roll however the list is sorted (Quennell comes between Farrant and
    Zoller by name)."""
    project, logins, base = school
    ada = project / "pupils" / "ada" / "pupil.yml"
    ada.write_text(ada.read_text() + "left: {date: 2026-10-01, reason: moved school}\n")
    assert amentor("build", "-p", str(project)).code == 0
    head = logins[(None, None, "head")]
    page = browser.new_page()
    log_in(page, base, head["code"], head["password"])
    page.wait_for_selector("table.overview")
    row = page.locator("table.overview tbody tr", has_text="Ada Quennell")
    assert "(left 1 October 2026)" in row.inner_text()
    names = page.locator("table.overview tbody th").all_inner_texts()
    assert names == ["Cleo Farrant", "Benedikt Zoller", "Ada Quennell"], names
    page.click("table.overview button:text-is('Name')")  # sorted the other way: still last
    assert page.locator("table.overview tbody th").all_inner_texts()[-1] == "Ada Quennell"
    page.close()


def test_what_a_family_meets_on_a_phone(browser, school):
    """Issue 13: a chart point read by a tap, the work viewer as a dialog, the assessments page
    without sideways scrolling at 320 px, the page title naming the page."""
    project, logins, base = school
    mum = logins[("T001", "mum", None)]
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    log_in(page, base, mum["code"], mum["password"])
    page.wait_for_selector("h1.child-name")
    page.click("nav.folder-nav a[href='#progress']")
    page.wait_for_selector("#folder[data-page=progress]")
    assert page.title() == "Progress charts · Assertive Mentoring folder"
    page.locator(".chart [data-say]").first.click()
    readout = page.locator(".chart-readout").first
    assert "working at" in readout.inner_text() and "target" in readout.inner_text()
    assert page.locator("table.chart-table").count() >= 1  # the same numbers, in words
    page.click("nav.folder-nav a[href='#assessments']")
    page.wait_for_selector("#folder[data-page=assessments]")
    assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth")
    assert page.locator(".result-kinds dt").count() == 2  # each kind of test explained once
    page.click("nav.folder-nav a[href='#work']")
    page.wait_for_selector("#folder[data-page=work]")
    page.wait_for_function("() => document.querySelector('img.work-thumb')?.naturalWidth > 0")
    opener = page.locator("a.work-link").first
    opener.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".viewer[role=dialog][aria-modal=true]")
    assert page.locator(".viewer-caption").inner_text() == "My holiday recount"
    page.keyboard.press("Escape")
    page.wait_for_selector(".viewer", state="detached")
    assert page.evaluate("() => document.activeElement.classList.contains('work-link')")
    context.close()
