"""A built folder opened in real headless Chromium."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_folder_shows_name_colours_with_words_and_thumbnail(amentor, project, browser, serve_site):
    assert amentor("build", "-p", str(project)).code == 0
    base = serve_site(project / "site")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "folders/ada/year-1.html")
    assert page.locator("h1.child-name").inner_text() == "Ada Quennell"
    chips = page.locator(".attainment .chip").all_inner_texts()
    assert [" ".join(c.split()) for c in chips] == ["★ Exceeding", "▲ Nearly there", "✕ Not on track"]
    assert page.locator(".attainment .chip-red").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    page.goto(base + "folders/ada/work.html")
    thumb = page.locator("img.work-thumb")
    thumb.wait_for()
    assert thumb.evaluate("img => img.complete && img.naturalWidth") == 360
    assert not errors
    page.close()
