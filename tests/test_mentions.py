"""Another child named in full in what a family reads: `check` and `sheet import` warn of it, at
the text (the privacy audit cannot: it is inside the child's own ciphertext)."""

from __future__ import annotations

import pytest
from conftest import edit_sheet, write

from amentor_build.schoolyear.excel import letter

BEN_NAMED = """\
year_group: 2
class: Wrens
teacher: Mr Hughes
terms:
  autumn:
    targets:
      writing:
        - {text: Use 'because' to join ideas}
        - {text: "Write as neatly as benedikt zoller does"}
    conversation:
      date: 2026-11-18
      went_well: Ada settled well and sits with Benedikt Zoller’s group now.
      next_steps: Join in with Ben and Sam at playtime.
    staff_notes: Meeting with Benedikt Zoller's carer booked.
work:
  - {kind: writing, title: A letter to Ada Quennell, file: work/2026-27/letter.jpg}
"""


def test_check_warns_of_another_child_named_in_full_in_what_a_family_reads(amentor, project):
    write(project, "pupils/ada/2026-27.yml", BEN_NAMED)
    write(project, "pupils/ada/work/2026-27/letter.jpg", "")
    run = amentor("check", "-p", str(project))
    named = [line for line in run.lines if "another child" in line]
    assert named == [
        "pupils/ada/2026-27.yml:9:18: warning: text: names Benedikt Zoller, another child, in what Ada Quennell's "
        "family reads; write it without their name",
        "pupils/ada/2026-27.yml:12:18: warning: went_well: names Benedikt Zoller, another child, in what Ada "
        "Quennell's family reads; write it without their name",
    ], run.err  # not her own name (the work's title), a first name alone, nor the staff notes


def ada_names(amentor, project, first: str, last: str, went_well: str, guardian: str = ""):
    """`check`, once a third child (first, last; guardian: their mum's label) is in the records
    and Ada's conversation says went_well."""
    mum = f"guardians:\n  - {{key: mum, label: {guardian}}}\n" if guardian else ""
    write(project, "pupils/other/pupil.yml", f'id: T007\nfirst_name: {first}\nlast_name: "{last}"\n{mum}')
    write(project, "pupils/other/2026-27.yml", "year_group: 1\nclass: Robins\n")
    conversation = f"year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    conversation:\n      went_well: {went_well}\n"
    write(project, "pupils/ada/2026-27.yml", conversation)
    return amentor("check", "-p", str(project))


@pytest.mark.parametrize(
    "guardian, said",
    [
        ("", False),  # no guardian recorded to tell: most likely her sister
        ("Mrs Quennell", False),  # Ada's mum too: her sister
        ("Mr Quennell-Hart", True),  # another family of the same name
    ],
)
def test_a_brother_or_sister_is_not_another_child(amentor, project, guardian, said):
    run = ada_names(amentor, project, "Cleo", "Quennell", "Walks Cleo Quennell in.", guardian)
    assert run.code == 0 and ("names Cleo Quennell, another child" in run.err) == said, run.err


def test_a_sheet_import_warns_at_the_cell_that_names_another_child(amentor, project, tmp_path):
    sheet = tmp_path / "wrens.csv"
    header, row = edit_sheet(amentor, project, sheet, {"conversation.went_well": "Kind to Ada Quennell all term."})
    run = amentor("sheet", "import", str(sheet), "-p", str(project))
    column = letter(header.index("conversation.went_well"))
    assert run.code == 0, run.err
    assert (
        f"{sheet}:{row}:{column}: warning: conversation.went_well: names Ada Quennell, another child, in what "
        "Benedikt Zoller's family reads; write it without their name"
    ) in run.err, run.err


def test_a_name_is_found_without_its_accents_or_hyphen(amentor, project):
    run = ada_names(amentor, project, "Zoë", "O'Neill-Nguyễn", "Paired with Zoe O'Neill Nguyen in maths.")
    assert "went_well: names Zoë O'Neill-Nguyễn, another child, in what Ada Quennell's family reads" in run.err
