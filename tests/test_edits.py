"""Commands that edit the records keep what they do not change, down to the bytes: a file
written with a byte-order mark and Windows line breaks (CRLF) keeps both."""

from __future__ import annotations

from conftest import edit_sheet, write

BEN_YEAR = """\
# Ben's year, kept by Mr Hughes
year_group: 2
class: Wrens
terms:
  autumn:
    attainment:
      maths: {working_at: 1s, target: 2b}   # a hard term
    attitude:
      behaviour: green
"""


def as_windows(path) -> bytes:
    """Rewrite a file with a byte-order mark and CRLF line breaks; return its bytes."""
    data = b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(data)
    return data


def test_a_sheet_import_keeps_the_bom_and_crlf_of_a_year_file(amentor, project, tmp_path):
    year = write(project, "pupils/ben/2026-27.yml", BEN_YEAR)
    before = as_windows(year)
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, project, sheet, {"attitude.behaviour": "yellow"})
    run = amentor("sheet", "import", str(sheet), "-p", str(project))
    assert run.code == 0, run.err
    after = year.read_bytes()
    assert after == before.replace(b"behaviour: green", b"behaviour: yellow")


def test_pupil_leave_keeps_the_crlf_of_pupil_yml(amentor, project):
    pupil = project / "pupils/ben/pupil.yml"
    before = as_windows(pupil)
    run = amentor("pupil", "leave", "T002", "--date", "2026-10-01", "--reason", "moved school", "-p", str(project))
    assert run.code == 0, run.err
    after = pupil.read_bytes()
    assert after.startswith(before)  # every line as it was, the BOM first
    assert after[len(before) :] == b"left: {date: 2026-10-01, reason: moved school}\r\n"


def test_text_that_yaml_1_1_would_misread_is_quoted(amentor, project, tmp_path):
    # 'no' typed into a sheet is the word no, for amentor and for any YAML reader (PyYAML reads
    # an unquoted no as False, 1:30 as 90).
    import yaml

    write(project, "pupils/ben/2026-27.yml", BEN_YEAR)
    sheet = tmp_path / "wrens.csv"
    edit_sheet(amentor, project, sheet, {"conversation.next_steps": "no", "conversation.at_home": "1:30"})
    assert amentor("sheet", "import", str(sheet), "-p", str(project)).code == 0
    autumn = yaml.safe_load((project / "pupils/ben/2026-27.yml").read_text())["terms"]["autumn"]
    assert autumn["conversation"]["next_steps"] == "no" and autumn["conversation"]["at_home"] == "1:30"
    assert amentor("check", "-p", str(project)).code == 0
