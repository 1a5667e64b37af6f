"""Holes a second reader found in this round's change, each shown to be closed."""

from __future__ import annotations

import csv
import json

import pytest
from conftest import issue, open_slot, write
from cryptography.exceptions import InvalidTag

from amentor_build.protection import Keystore, crypto


def overview(project, pupil_id: str, key: bytes | None = None) -> bytes:
    keys = Keystore.load(project / ".amentor").folders[pupil_id]
    blob = (project / "site" / keys.url / "overview.bin").read_bytes()
    return crypto.unseal(key or keys.content_key, "overview", blob)


def test_a_build_into_another_directory_never_makes_site_look_current(amentor, project, tmp_path):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    old = Keystore.load(project / ".amentor").folders["T001"].content_key
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mum").code == 0
    assert amentor("build", "-p", str(project), "-d", str(tmp_path / "other")).code == 0
    assert amentor("build", "-p", str(project)).code == 0
    assert overview(project, "T001")  # sealed with the new key, in site/ too
    with pytest.raises(InvalidTag):
        overview(project, "T001", old)


@pytest.mark.parametrize("where", [".", "pupils", "content", ".amentor/site"])
def test_build_refuses_an_output_directory_it_would_wreck(amentor, project, where):
    run = amentor("build", "-p", str(project), "-d", str(project / where))
    assert run.code == 2, run.err
    assert (project / "pupils/ada/pupil.yml").is_file() and (project / "content").is_dir()


def test_build_refuses_a_directory_of_something_else(amentor, project, tmp_path):
    write(tmp_path, "photos/holiday.txt", "not a site")
    run = amentor("build", "-p", str(project), "-d", str(tmp_path / "photos"))
    assert run.code == 2 and "holds other files" in run.err
    assert (tmp_path / "photos/holiday.txt").is_file()


def test_a_class_sheet_is_never_written_where_it_would_be_published(amentor, project):
    for where in ("content/wrens.xlsx", "site/wrens.csv", "theme/wrens.csv"):
        run = amentor("sheet", "export", "--class", "Wrens", "-o", str(project / where), "-p", str(project))
        assert run.code == 1 and "refusing to write a class sheet" in run.err, where
        assert not (project / where).exists()


def test_a_class_sheet_is_never_written_into_a_folder_that_does_not_exist(amentor, project, tmp_path):
    """A mistyped folder would take a class's records somewhere nobody looks (it was made)."""
    out = tmp_path / "sheetz" / "autumn" / "wrens.xlsx"
    run = amentor("sheet", "export", "--class", "Wrens", "-o", str(out), "-p", str(project))
    assert run.code == 1, run.err
    assert run.err.startswith(f"{out}:1:1: cannot write here: {out.parent} does not exist"), run.err
    assert not (tmp_path / "sheetz").exists()
    run = amentor("sheet", "export", "--class", "Wrens", "-o", str(tmp_path), "-p", str(project))
    assert run.code == 2 and "must end in .csv or .xlsx" in run.err
    (tmp_path / "wrens.csv").mkdir()
    run = amentor("sheet", "export", "--class", "Wrens", "-o", str(tmp_path / "wrens.csv"), "-p", str(project))
    assert run.code == 1 and "cannot write here: it is a directory" in run.err, run.err


def test_removing_a_target_keeps_the_others_as_they_were(amentor, project, tmp_path):
    write(
        project,
        "pupils/ben/2026-27.yml",
        "year_group: 2\nclass: Wrens\nterms:\n  autumn:\n    targets:\n"
        "      reading:\n        - {text: Sound out words, review: partly}\n"
        "        - {text: Read with expression, review: not_yet}\n        - {text: Retell a story, review: achieved}\n",
    )
    sheet = tmp_path / "wrens.csv"
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(project)).code == 0
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    ben = next(r for r in rows if r[2] == "T002")
    ben[rows[0].index("target.reading.1")] = "-"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    assert amentor("sheet", "import", str(sheet), "-p", str(project)).code == 0
    text = (project / "pupils/ben/2026-27.yml").read_text()
    assert "Sound out words" not in text
    assert (
        "{text: Read with expression, review: not_yet}" in text and "{text: Retell a story, review: achieved}" in text
    )


def test_removing_a_value_that_is_not_there_changes_nothing(amentor, project, tmp_path):
    sheet = tmp_path / "wrens.csv"
    amentor("sheet", "export", "--class", "Wrens", "-o", str(sheet), "-p", str(project))
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    ben = next(r for r in rows if r[2] == "T002")
    ben[rows[0].index("attitude_self.effort")] = "-"
    ben[rows[0].index("conversation.barriers")] = "-"
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    before = (project / "pupils/ben/2026-27.yml").read_text()
    assert amentor("sheet", "import", str(sheet), "-p", str(project)).code == 0
    assert (project / "pupils/ben/2026-27.yml").read_text() == before


def test_a_sheet_cannot_change_a_frozen_year(amentor, project, tmp_path):
    assert amentor("rollover", "--to", "2027-28", "-p", str(project)).code == 0
    sheet = tmp_path / "wrens.csv"
    assert (
        amentor("sheet", "export", "--class", "Wrens", "--year", "2026-27", "-o", str(sheet), "-p", str(project)).code
        == 0
    )
    untouched = amentor("sheet", "import", str(sheet), "-p", str(project))  # changes nothing: no row said
    assert untouched.code == 0 and "nothing changed" in untouched.err and "frozen" not in untouched.err, untouched.err
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("staff_notes")] = "A late note."
    rows[1][rows[0].index("term")] = "Autum"
    rows[2][rows[0].index("staff_notes")] = "Another late note."
    with open(sheet, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    run = amentor("sheet", "import", str(sheet), "-p", str(project))
    # Every problem at once, each at its row: the term misspelt, and the frozen year at the row
    # that would change it (it was said only once the term was put right, and at the header).
    assert run.code == 1 and f"{sheet}:2:B: 'Autum' is not a term of the school" in run.err, run.err
    frozen = "which is frozen: run amentor unfreeze 2026-27 --reason '...' first"
    assert f"{sheet}:3:C: pupils/" in run.err and frozen in run.err, run.err
    assert amentor("check", "-p", str(project)).code == 0


def test_a_guardian_taken_out_of_the_records_opens_nothing_until_put_back(amentor, project):
    logins = {(x["pupil"], x["guardian"]): x for x in issue(amentor, project, "--pupil", "T001")}
    assert amentor("build", "-p", str(project)).code == 0
    old = Keystore.load(project / ".amentor").folders["T001"].content_key
    pupil = project / "pupils/ada/pupil.yml"
    text = pupil.read_text()
    pupil.write_text(text.replace("  - {key: dad, label: Mr Quennell}\n", ""))
    check = amentor("check", "-p", str(project))
    assert check.code == 0 and "is for guardian 'dad' of T001, who is not in the records" in check.err
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "who is not in the records, so it opens nothing" in run.err
    assert "amentor logins revoke --pupil T001 --guardian dad" in run.err
    listed = amentor("logins", "list", "-p", str(project)).out
    assert [line for line in listed.splitlines() if "set aside" in line] == [
        line for line in listed.splitlines() if "guardian dad" in line
    ]
    slot = project / "site/k" / (logins[("T001", "dad")]["code"].replace("-", "") + ".json")
    assert not slot.exists()
    with pytest.raises(InvalidTag):  # a browser that kept the key opens nothing new
        overview(project, "T001", old)
    assert overview(project, "T001")
    assert amentor("build", "-p", str(project)).code == 0  # set aside once: the keys change once
    new = Keystore.load(project / ".amentor").folders["T001"].content_key
    assert new != old

    pupil.write_text(text)  # put back: the same letter opens the folder again
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "opens nothing" not in run.err
    assert "login " + logins[("T001", "dad")]["code"] in run.err and "opens the folder again" in run.err
    assert open_slot(project / "site", logins[("T001", "dad")])["key"] == crypto.b64(new)


def test_check_never_advises_revoking_the_logins_of_a_child_whose_record_is_broken(amentor, project):
    """The record fails to load, so its child looks absent; but a build stops at that error
    before it sets any login aside, and revoking would cost the family new letters."""
    issue(amentor, project, "--pupil", "T001")
    pupil = project / "pupils/ada/pupil.yml"
    pupil.write_text(pupil.read_text().replace("first_name:", "firstname:"))
    check = amentor("check", "-p", str(project))
    assert check.code == 1 and "pupils/ada/pupil.yml:" in check.err and "firstname" in check.err
    assert "not in the records" not in check.err and "logins revoke" not in check.err


def test_a_mistyped_id_loses_no_login_even_when_the_build_fails(amentor, project):
    logins = issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ada/pupil.yml"
    text = pupil.read_text()
    pupil.write_text(text.replace("id: T001", "id: TOO1"))
    write(project, "content/extra.md", "# News\n\nAdaeze Quennell won the spelling bee.\n")  # stops the build
    run = amentor("build", "-p", str(project))
    assert run.code == 1
    (project / "content/extra.md").unlink()
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and run.err.count("who is not in the records") == 2  # mum and dad of T001
    listed = json.loads(amentor("logins", "list", "-p", str(project), "--json").out)
    assert {x["code"] for x in listed} == {x["code"] for x in logins}

    pupil.write_text(text)
    assert amentor("build", "-p", str(project)).code == 0
    for login in logins:  # every letter works as it was
        assert open_slot(project / "site", login)


def test_a_staff_login_set_aside_stays_so_when_its_role_is_back(amentor, project):
    """A role names no person: the teacher who holds `wrens` when it is back may be another."""
    (wrens,) = [x for x in issue(amentor, project) if x["staff"] == "wrens"]
    assert amentor("build", "-p", str(project)).code == 0
    school = project / "school.yml"
    text = school.read_text()
    school.write_text(text.replace("key: wrens", "key: Wrens"))
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "is for staff member 'wrens', who is not in the records" in run.err
    slot = project / "site/k" / (wrens["code"].replace("-", "") + ".json")
    assert not slot.exists()
    school.write_text(text)
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "amentor logins issue --staff wrens" in run.err
    assert not slot.exists()
    # Issuing every login not yet issued gives the role a new one, and ends the old; once set
    # aside, its keys were changed already, and are not changed again.
    before = Keystore.load(project / ".amentor").folders["T001"].content_key
    (new,) = issue(amentor, project)
    assert new["staff"] == "wrens" and new["code"] != wrens["code"]
    assert Keystore.load(project / ".amentor").folders["T001"].content_key == before
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "set aside" not in run.err
    assert open_slot(project / "site", new)["kind"] == "staff" and not slot.exists()


def test_a_guardians_login_never_comes_back_to_another_person_under_the_same_key(amentor, project):
    logins = {(x["pupil"], x["guardian"]): x for x in issue(amentor, project)}
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ada/pupil.yml"
    text = pupil.read_text()
    pupil.write_text(text.replace("label: Mrs Quennell", "label: MRS. QUENNELL"))  # the same person, as typed
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "set aside" not in run.err
    assert open_slot(project / "site", logins[("T001", "mum")])["kind"] == "guardian"
    pupil.write_text(text.replace("  - {key: dad, label: Mr Quennell}\n", ""))
    assert amentor("build", "-p", str(project)).code == 0
    pupil.write_text(text.replace("label: Mr Quennell", "label: Mr Smith"))  # a step-parent, as `dad`
    run = amentor("check", "-p", str(project))
    assert "the records now name 'Mr Smith' there, so after the next build it opens nothing" in run.err
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "the records now name 'Mr Smith' there, so it opens nothing" in run.err
    old = project / "site/k" / (logins[("T001", "dad")]["code"].replace("-", "") + ".json")
    assert not old.exists()
    (new,) = issue(amentor, project)  # Mr Smith has no login yet: issuing them one ends the old
    assert new["guardian"] == "dad" and new["code"] != logins[("T001", "dad")]["code"]
    assert amentor("build", "-p", str(project)).code == 0
    assert not old.exists() and open_slot(project / "site", new)["kind"] == "guardian"
    codes = {x["code"] for x in json.loads(amentor("logins", "list", "-p", str(project), "--json").out)}
    assert logins[("T001", "dad")]["code"] not in codes


def test_a_renamed_pupil_directory_is_read_again(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    (project / "pupils/ada").rename(project / "pupils/ada-q")
    run = amentor("build", "-p", str(project))
    assert run.code == 0, run.err


def test_the_guide_follows_the_scale(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    text = (project / "school.yml").read_text()
    (project / "school.yml").write_text(
        text.replace("scale: [1b, 1b+,", "scale: [{step: 1b, means: First steps}, 1b+,")
    )
    assert amentor("build", "-p", str(project)).code == 0
    assert "First steps" in (project / "site/guide.html").read_text()


def test_mis_csv_errors_name_the_files_own_columns(amentor, project, tmp_path):
    mis = tmp_path / "mis.csv"
    mis.write_text(
        "year_group,class,id,first_name,last_name\nseven,Robins,T050,Al,Bo\n1,Robins,T001,Cy,Do\n", encoding="utf-8"
    )
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(project))
    assert run.code == 1 and "mis.csv:2:A: year_group" in run.err
    mis.write_text("year_group,class,id,first_name,last_name\n1,Robins,T001,Cy,Do\n", encoding="utf-8")
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(project))
    assert run.code == 1 and "mis.csv:2:C: id: id 'T001' is already used by pupils/ada/pupil.yml" in run.err
    mis.write_text(
        "id,first_name,last_name,class,year_group\nT060,Al,Bo,Robins,1\nT060,Cy,Do,Robins,1\n", encoding="utf-8"
    )
    run = amentor("pupil", "add", "--from", str(mis), "-p", str(project))  # one id twice in the file
    assert run.code == 1 and "mis.csv:3:A: id: id 'T060' is already used by row 2 of this file" in run.err


def test_a_targets_markdown_shows_as_emphasis_never_as_markup(amentor, project):
    replace = (
        "{text: Count in twos to 20, review: partly}",
        "{text: 'Use **long** multiplication, see [the guide](javascript:alert(1)) ![a grid](https://x.example/g.png)',"
        " review: partly}",
    )
    path = project / "pupils/ada/2025-26.yml"
    text = path.read_text()
    assert replace[0] in text
    path.write_text(text.replace(*replace))
    assert amentor("build", "-p", str(project)).code == 0
    keys = Keystore.load(project / ".amentor").folders["T001"]
    blob = (project / "site" / keys.url / "targets.bin").read_bytes()
    page = crypto.unseal(keys.content_key, "targets", blob).decode()
    line = next(li for li in page.split("<li>") if "multiplication" in li)
    assert "Use <strong>long</strong> multiplication" in line and "**" not in line
    assert "<p>" not in line and "javascript" not in line
    assert "a grid" in line and "<img" not in line and "x.example" not in line  # the picture's words only


def test_a_pictures_words_stay_and_a_numbered_target_keeps_its_number():
    from amentor_build.render.text import markdown_filter, markdown_to_html

    assert markdown_to_html("See ![our trip][t] now\n\n[t]: https://x.example/a.png") == "<p>See our trip now</p>"
    assert markdown_to_html("See ![our trip](https://x.example/a_(1).png) ok") == "<p>See our trip ok</p>"
    line = markdown_filter(inline=True)
    assert line("1. Use full stops") == "1. Use full stops"
    assert line("- Use *capital* letters") == "- Use *capital* letters"  # a line, as typed


@pytest.mark.parametrize("now", ["Mr Quennell", "Mrs Quennell (nan)"])
def test_another_person_with_the_same_surname_never_gets_a_removed_guardians_login(amentor, project, now):
    """The uncle (Mr Quennell) is taken out; his key is later given to the grandmother (Mrs
    Quennell), or his label is edited in place: his letter must open nothing."""
    logins = {(x["pupil"], x["guardian"]): x for x in issue(amentor, project)}
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ada/pupil.yml"
    text = pupil.read_text()
    old = Keystore.load(project / ".amentor").folders["T001"].content_key
    if now == "Mr Quennell":  # taken out, built, then the key given to someone else
        pupil.write_text(text.replace("  - {key: dad, label: Mr Quennell}\n", ""))
        assert amentor("build", "-p", str(project)).code == 0
        pupil.write_text(text.replace("label: Mr Quennell", "label: Mrs Quennell"))
    else:  # edited in place, with no build between
        pupil.write_text(text.replace("label: Mr Quennell", f"label: {now}"))
    check = amentor("check", "-p", str(project))
    assert "so after the next build it opens nothing" in check.err and "will open" not in check.err
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "opens the folder again" not in run.err and "so it opens nothing" in run.err
    assert not (project / "site/k" / (logins[("T001", "dad")]["code"].replace("-", "") + ".json")).exists()
    with pytest.raises(InvalidTag):
        overview(project, "T001", old)


def test_a_failed_build_says_which_logins_it_set_aside(amentor, project):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    replace_in = project / "pupils/ada/pupil.yml"
    replace_in.write_text(replace_in.read_text().replace("id: T001", "id: TOO1"))
    write(project, "content/extra.md", "# News\n\nAdaeze Quennell won the spelling bee.\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and run.err.count("who is not in the records, so it opens nothing") == 2
    assert "amentor: 1 error; nothing was published" in run.err  # the warnings are not counted as errors
    (project / "content/extra.md").unlink()
    replace_in.write_text(replace_in.read_text().replace("id: TOO1", "id: T001"))
    check = amentor("check", "-p", str(project))
    assert check.err.count("set aside by an earlier build, will open the folder again") == 2
    run = amentor("build", "-p", str(project))
    assert run.err.count("set aside by an earlier build, opens the folder again") == 2


def test_revoking_a_login_set_aside_says_its_keys_were_changed_then(amentor, project):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ada/pupil.yml"
    pupil.write_text(pupil.read_text().replace("  - {key: dad, label: Mr Quennell}\n", ""))
    assert amentor("build", "-p", str(project)).code == 0
    run = amentor("logins", "revoke", "--pupil", "T001", "--guardian", "dad", "-p", str(project))
    assert run.code == 0 and "the folder's key was changed when it was set aside" in run.err


def test_issuing_while_a_key_is_mistyped_gives_no_second_letter(amentor, project):
    logins = {(x["pupil"], x["guardian"]): x for x in issue(amentor, project)}
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ada/pupil.yml"
    text = pupil.read_text()
    pupil.write_text(text.replace("key: mum,", "key: mun,"))
    assert amentor("build", "-p", str(project)).code == 0
    run = amentor("logins", "issue", "-p", str(project), "--json")
    assert run.code == 0 and json.loads(run.out) == []
    assert "not issued: pupil T001 mun, who has the name of a login set aside" in run.err
    pupil.write_text(text)
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "opens the folder again" in run.err
    assert open_slot(project / "site", logins[("T001", "mum")])["kind"] == "guardian"
