"""Golden pages of one sealed folder: built through the real CLI with fixed keys, then opened
with the folder's key exactly as the browser does. An unintended change in what a family
reads (or in how it is sealed) shows up as a diff."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amentor_build.protection import Keystore, crypto
from amentor_build.protection.keystore import FolderKeys
from amentor_build.render import PAGES

GOLDEN = Path(__file__).parent / "golden"  # shared with test_build: the same pages, opened from the site


def fixed_keystore(project: Path) -> FolderKeys:
    """Ada's folder with keys made of fixed bytes (a real keystore holds random ones)."""
    keystore = Keystore.load(project / ".amentor")
    keys = FolderKeys("T001", "0123456789abcdef", bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96)))
    keystore.folders["T001"] = keys
    keystore.save()
    return keys


@pytest.mark.parametrize("page", PAGES)
def test_golden_decrypted_pages(amentor, project, page):
    keys = fixed_keystore(project)
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err
    sealed = (project / "site" / keys.url / f"{page}.bin").read_bytes()
    html = crypto.unseal(keys.content_key, page, sealed).decode("utf-8")
    golden = GOLDEN / f"ada-{page}.html"
    if os.environ.get("AMENTOR_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8"), (
        f"the decrypted {page} page differs from {golden}; "
        "if intended, rerun with AMENTOR_UPDATE_GOLDEN=1 and review the diff"
    )


def test_the_same_keys_seal_the_same_bytes(amentor, project, tmp_path):
    """Stable output: an unchanged folder seals to the same bytes in a second, separate build."""
    keys = fixed_keystore(project)
    assert amentor("build", "-p", str(project)).code == 0
    assert amentor("build", "-p", str(project), "-d", str(tmp_path / "other")).code == 0
    for page in PAGES:
        first = (project / "site" / keys.url / f"{page}.bin").read_bytes()
        assert (tmp_path / "other" / keys.url / f"{page}.bin").read_bytes() == first
