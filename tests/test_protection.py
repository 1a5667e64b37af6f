"""Protection without a browser: keystore, slots, logins CLI, stable output, audit, letters."""

from __future__ import annotations

import base64
import bz2
import datetime as dt
import gzip
import io
import json
import lzma
import math
import os
import re
import shutil
import subprocess
import tarfile
from importlib import resources
from pathlib import Path

import pytest
from conftest import CLEO_Y1, REPO, add_cleo, issue, open_slot, tree_bytes, write
from cryptography.exceptions import InvalidTag

from amentor_build.audit import secrets
from amentor_build.protection import Keystore, crypto
from amentor_build.protection.logins import PASSWORD_WORDS, new_code, word_list


def site_files(project: Path) -> dict[str, bytes]:
    return {
        p.relative_to(project / "site").as_posix(): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()
    }


def test_seal_is_authenticated_padded_and_stable():
    key = crypto.new_key()
    sealed = crypto.seal(key, "overview", b"hello")
    assert sealed == crypto.seal(key, "overview", b"hello")  # stable: same key, name, content
    assert sealed != crypto.seal(key, "overview", b"hellp")
    assert len(sealed) == 3 + 12 + crypto.PAGE_BUCKET + 16  # padded to the bucket
    assert crypto.unseal(key, "overview", sealed) == b"hello"
    with pytest.raises(InvalidTag):
        crypto.unseal(key, "year-1", sealed)  # bound to its name
    tampered = bytearray(sealed)
    tampered[30] ^= 1
    with pytest.raises(InvalidTag):
        crypto.unseal(key, "overview", bytes(tampered))


def test_pbkdf2_below_the_minimum_is_refused(project):
    with pytest.raises(crypto.CryptoError):
        crypto.derive_kek("a-b-c-d", b"salt" * 4, 599_999)
    with pytest.raises(crypto.CryptoError):
        crypto.slot_file("ABCD", b"k" * 32, b"s" * 16, 1000, {})
    store = Keystore.load(project / ".amentor")
    store.logins.append(
        __import__("amentor_build.protection.keystore", fromlist=["Login"]).Login(
            "ABCDEFGH", "T001", "mum", None, "2026-01-01", b"s" * 16, 1000, b"k" * 32
        )
    )
    store.save()
    with pytest.raises(Exception, match="below the minimum"):
        Keystore.load(project / ".amentor")


def test_passwords_are_four_words_with_at_least_50_bits(amentor, project):
    assert PASSWORD_WORDS * math.log2(len(word_list())) >= 50
    logins = issue(amentor, project, "--pupil", "T001", "--guardian", "mum")
    assert len(logins) == 1
    words = logins[0]["password"].split("-")
    assert len(words) == 4 and all(w.isalpha() and w.islower() for w in words)


def test_no_password_holds_a_word_a_school_would_not_print_in_a_letter_home():
    words = set(word_list())
    shipped = resources.files("amentor_build.protection")
    eff = set(shipped.joinpath("wordlist.txt").read_text(encoding="utf-8").split())
    lines = shipped.joinpath("unsuitable-words.txt").read_text(encoding="utf-8").splitlines()
    unsuitable = [w for w in lines if w and not w.startswith("#")]
    assert len(unsuitable) == len(set(unsuitable)) > 400
    assert set(unsuitable) <= eff  # each one a real word of the list (a misspelt one would let it through)
    assert not words & set(unsuitable)
    assert not words & {"widow", "casket", "hangover", "prozac", "pregnant", "poison", "hate", "stinky", "dropout"}
    assert not words & {"womanless", "germicide", "faceless", "crying", "careless", "jugular", "breeding"}  # seen
    assert not words & {"pantyhose", "feminize", "mannish", "expel"}  # seen in a data lead's letters
    assert not words & {"musket", "slashing", "avenging", "starved", "hacker"}  # seen in September's letters
    assert {"abacus", "pencil", "puppy", "garden"} <= words  # ordinary words stay
    assert len(words) == len(eff) - len(unsuitable) and PASSWORD_WORDS * math.log2(len(word_list())) > 51


def test_a_login_code_has_no_character_easily_read_as_another():
    """Codes are read off a printed letter and copied by hand: 0/O, 1/I/L, 8/B, 5/S and 2/Z."""
    codes = {new_code(set()) for _ in range(2000)}
    assert len(codes) == 2000 and all(len(code) == 8 for code in codes)
    assert not set("".join(codes)) & set("0O1ILBSZ")
    assert set("".join(codes)) >= set("258AKY")  # the rest are all used


def test_issue_json_list_and_keystore_hold_no_password(amentor, project):
    logins = issue(amentor, project)
    assert {(x["pupil"], x["guardian"], x["staff"]) for x in logins} == {
        ("T001", "mum", None),
        ("T001", "dad", None),
        ("T002", "carer", None),
        (None, None, "head"),
        (None, None, "wrens"),
    }
    staff = next(x for x in logins if x["staff"] == "head")
    assert staff["url"] == "staff/" and staff["pupil"] is None
    assert all(x["url"].startswith("f/") for x in logins if x["pupil"])
    keystore = (project / ".amentor/keystore.json").read_text()
    assert all(x["password"] not in keystore for x in logins)
    assert (project / ".amentor/keystore.json").stat().st_mode & 0o777 == 0o600
    run = amentor("logins", "list", "-p", str(project), "--json")
    listed = json.loads(run.out)
    assert run.code == 0 and len(listed) == 5
    assert set(listed[0]) == {"pupil", "guardian", "staff", "code", "issued"}
    assert all(x["password"] not in run.out for x in logins)
    assert "amentor: 5 logins" in amentor("logins", "list", "-p", str(project)).err
    assert issue(amentor, project) == []  # every login already issued
    again = amentor("logins", "issue", "-p", str(project))
    assert again.code == 0 and "no login issued: each one asked for exists already (name a login" in again.err
    write(project, "pupils/ben/pupil.yml", "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\n")  # no guardians
    alone = amentor("logins", "issue", "--pupil", "T002", "-p", str(project))
    assert alone.code == 0 and "no login issued: the records name no one to issue one to" in alone.err
    head = next(x["code"] for x in json.loads(run.out) if x["staff"] == "head")
    one = amentor("logins", "issue", "-p", str(project), "--staff", "head")  # a reset: one login
    assert one.code == 0 and "amentor: issued 1 login;" in one.err
    assert f"the login it replaces, {head}, opens nothing after the build." in one.err  # the old letter: said


def test_issue_covers_the_guardians_of_a_child_who_has_left(amentor, project):
    # The folder is kept and opens with the family's logins: a guardian without one gets one too.
    write(
        project,
        "pupils/ben/pupil.yml",
        "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\n"
        "guardians:\n  - {key: carer, label: Ms Zoller}\nleft: {date: 2026-10-01, reason: moved school}\n",
    )
    assert ("T002", "carer") in {(x["pupil"], x["guardian"]) for x in issue(amentor, project)}
    # The list says whose each login is and, of a child who has left, when: the school's to revoke.
    listed = [line for line in amentor("logins", "list", "-p", str(project)).out.splitlines() if "T002" in line]
    assert len(listed) == 1 and "pupil T002 guardian carer (Ms Zoller)" in listed[0], listed
    assert listed[0].endswith("(the child left on 2026-10-01)"), listed  # (a date to come: "leaves on")


def test_a_revoked_login_is_issued_again_only_when_named(amentor, project):
    # The school revoked it (a leaver's family, a member of staff gone): next September's
    # `logins issue` for the new starters must not hand it out again.
    issue(amentor, project)
    assert amentor("logins", "revoke", "--pupil", "T002", "--guardian", "carer", "-p", str(project)).code == 0
    assert amentor("logins", "revoke", "--staff", "wrens", "-p", str(project)).code == 0
    assert issue(amentor, project) == []
    assert issue(amentor, project, "--pupil", "T002") == []  # naming the pupil alone is not naming the holder
    run = amentor("logins", "issue", "--json", "-p", str(project))
    assert "not issued: pupil T002 carer, whose login the school revoked" in run.err
    again = issue(amentor, project, "--pupil", "T002", "--guardian", "carer")
    assert [(x["pupil"], x["guardian"]) for x in again] == [("T002", "carer")]
    assert [x["staff"] for x in issue(amentor, project, "--staff", "wrens")] == ["wrens"]
    keystore = (project / ".amentor/keystore.json").read_text()
    assert '"revoked": []' in keystore  # both named again: nothing left to pass by
    # A revocation outlasts the holder's line being out of the records for a while (a cut and
    # paste, a checkout of another branch) and a build meanwhile: it is never forgotten silently.
    assert amentor("logins", "revoke", "--pupil", "T002", "--guardian", "carer", "-p", str(project)).code == 0
    ben = (project / "pupils/ben/pupil.yml").read_text()
    write(project, "pupils/ben/pupil.yml", ben.replace("guardians:\n  - {key: carer, label: Ms Zoller}\n", ""))
    assert amentor("build", "-p", str(project)).code == 0
    write(project, "pupils/ben/pupil.yml", ben)
    assert issue(amentor, project) == []


def test_every_login_is_issued_again_with_all_but_a_revoked_one(amentor, project):
    # Letters printed with the example's address, or a pile of them lost: every login again at
    # once, not one command per adult; a login the school revoked stays revoked.
    first = issue(amentor, project)
    assert amentor("logins", "revoke", "--staff", "wrens", "-p", str(project)).code == 0
    assert amentor("build", "-p", str(project)).code == 0
    run = amentor("logins", "issue", "-p", str(project))
    assert run.code == 0 and "no login issued" in run.err and "or give --all" in run.err
    again = issue(amentor, project, "--all")
    holders = {(x["pupil"], x["guardian"], x["staff"]) for x in first} - {(None, None, "wrens")}
    assert {(x["pupil"], x["guardian"], x["staff"]) for x in again} == holders
    assert not {x["code"] for x in again} & {x["code"] for x in first}
    assert amentor("build", "-p", str(project)).code == 0
    for login in again:
        assert open_slot(project / "site", login)
    for login in first:  # the letters printed before open nothing
        assert not (project / "site/k" / (login["code"].replace("-", "") + ".json")).exists()

    ada = issue(amentor, project, "--all", "--pupil", "T001")
    assert sorted(x["guardian"] for x in ada) == ["dad", "mum"] and {x["pupil"] for x in ada} == {"T001"}
    for named in (["--staff", "head"], ["--pupil", "T001", "--guardian", "mum"]):
        run = amentor("logins", "issue", "--all", *named, "-p", str(project))
        assert run.code == 2 and "--all issues every login again" in run.err


def test_all_keeps_a_leavers_family_login_and_removes_the_letters_it_replaces(amentor, project, tmp_path):
    # A leaver's folder opens with the family's existing logins until the school revokes them
    # (SPEC): --all is about this year's letters. The letters of the logins it replaces open
    # nothing: they are taken out of the letters folder, never to be handed out.
    letters = tmp_path / "letters"
    first = issue(amentor, project, "--letters", str(letters))
    assert len(list(letters.glob("login-*.html"))) == len(first)
    assert amentor("pupil", "leave", "T002", "--date", "2026-10-01", "--reason", "moved", "-p", str(project)).code == 0
    run = amentor("logins", "issue", "--all", "--json", "--letters", str(letters), "-p", str(project))
    again = json.loads(run.out)
    assert "T002" not in {x["pupil"] for x in again} and len(again) == len(first) - 1
    assert f"removed {len(again)} letters of the logins these replace" in run.err
    kept = {x["code"].replace("-", "") for x in again} | {
        x["code"].replace("-", "") for x in first if x["pupil"] == "T002"
    }
    assert {p.name for p in letters.glob("login-*.html")} == {f"login-{code}.html" for code in kept}
    assert [x["pupil"] for x in issue(amentor, project, "--all", "--pupil", "T002")] == ["T002"]  # named: issued


def test_all_issues_again_a_guardian_whose_login_is_her_own_beside_one_set_aside(amentor, project):
    # mum's key retyped as mother: her old login is set aside; once mother has her own, --all
    # renews it (it was passed by as "a mistyped key?", though the key is right now).
    issue(amentor, project, "--pupil", "T001")
    pupil = project / "pupils/ada/pupil.yml"
    pupil.write_text(pupil.read_text().replace("key: mum,", "key: mother,"))
    assert amentor("build", "-p", str(project)).code == 0
    issue(amentor, project, "--pupil", "T001", "--guardian", "mother")
    run = amentor("logins", "issue", "--all", "--pupil", "T001", "--json", "-p", str(project))
    assert sorted(x["guardian"] for x in json.loads(run.out)) == ["dad", "mother"] and "not issued" not in run.err
    assert amentor("logins", "revoke", "--pupil", "T001", "--guardian", "dad", "-p", str(project)).code == 0
    assert amentor("logins", "revoke", "--pupil", "T001", "--guardian", "mother", "-p", str(project)).code == 0
    run = amentor("logins", "issue", "--all", "--pupil", "T001", "-p", str(project))
    assert "no login issued" in run.err and "--all" not in run.err.split("no login issued")[1]


def test_logins_usage_and_bad_names(amentor, project):
    assert amentor("logins", "revoke", "-p", str(project), "--pupil", "T001").code == 2
    assert amentor("logins", "issue", "-p", str(project), "--guardian", "mum").code == 2
    run = amentor("logins", "issue", "-p", str(project), "--pupil", "T999")
    one = "amentor: 1 error; nothing was written"  # as pupil leave, export and sheet export say it
    assert run.code == 1 and run.lines == ["pupils:1:1: no pupil has id 'T999'", one]
    run = amentor("logins", "issue", "-p", str(project), "--pupil", "T001", "--guardian", "gran")
    said = "pupils/ada/pupil.yml:1:1: pupil T001 has no guardian 'gran' (guardians: mum, dad)"
    assert run.code == 1 and run.lines == [said, one]
    run = amentor("logins", "issue", "-p", str(project), "--staff", "cook")
    assert run.code == 1 and run.lines[0].startswith("school.yml:1:1: no staff member 'cook' (staff: head, wrens")
    run = amentor("logins", "revoke", "-p", str(project), "--staff", "head")
    assert run.code == 1 and run.lines == [
        ".amentor/keystore.json:1:1: staff member 'head' has no login to revoke",
        one,
    ]
    issue(amentor, project, "--pupil", "T001", "--guardian", "mum")
    run = amentor("logins", "revoke", "-p", str(project), "--pupil", "T001", "--guardian", "mom")  # as typed
    assert run.code == 1 and run.lines[0].endswith("guardian 'mom' of pupil T001 has no login to revoke (logins: mum)")


def test_issuing_leaves_pages_unchanged_and_reset_rotates(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0
    before = site_files(project)
    first = issue(amentor, project, "--pupil", "T001", "--guardian", "mum")[0]
    assert amentor("build", "-p", str(project)).code == 0
    after = site_files(project)
    added = set(after) - set(before)
    assert added == {f"k/{first['code'].replace('-', '')}.json"}
    assert all(after[name] == data for name, data in before.items() if not name.startswith("s/"))
    # a reset replaces the login and rotates Ada's content key: her pages change, Ben's do not
    second = issue(amentor, project, "--pupil", "T001", "--guardian", "mum")[0]
    assert second["code"] != first["code"]
    assert amentor("build", "-p", str(project)).code == 0
    final = site_files(project)
    ada = first["url"]
    ben = next(k for k in final if k.startswith("f/") and not k.startswith(ada)).split("/")[1]
    assert final[ada + "overview.bin"] != after[ada + "overview.bin"]
    assert final[f"f/{ben}/overview.bin"] == after[f"f/{ben}/overview.bin"]
    assert f"k/{first['code'].replace('-', '')}.json" not in final


def test_unchanged_build_is_byte_identical(amentor, project):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    before = site_files(project)
    assert amentor("build", "-p", str(project)).code == 0
    assert site_files(project) == before


def test_damaged_keystore_stops_the_build_and_keeps_the_site(amentor, project):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    keystore = project / ".amentor/keystore.json"
    keystore.write_text(keystore.read_text()[:-40])
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and ".amentor/keystore.json:1:1: the keystore is damaged" in run.err
    assert tree_bytes(project / "site") == before


def test_a_keystore_whose_list_of_staff_given_keys_is_damaged_stops_the_build(amentor, project):
    issue(amentor, project)
    assert amentor("build", "-p", str(project)).code == 0
    store = project / ".amentor/keystore.json"
    data = json.loads(store.read_text())
    next(iter(data["folders"].values()))["given"] = "head"  # a text where a list was
    store.write_text(json.dumps(data))
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and ".amentor/keystore.json:1:1: the keystore is damaged" in run.err, run.err
    assert "a bad list of staff given its keys" in run.err


def with_ben_gone(project: Path):
    """The project loaded with Ben left (moved school), and its keystore with every key made."""
    from amentor_build.records import load as load_project

    write(
        project,
        "pupils/ben/pupil.yml",
        "id: T002\nfirst_name: Benedikt\nlast_name: Zoller\nleft: {date: 2026-10-01, reason: moved school}\n",
    )
    loaded = load_project(project)
    keystore = Keystore.load(project / ".amentor")
    keystore.prepare(loaded)
    return loaded, keystore


def test_staff_scope_follows_current_class_and_leavers(project):
    from amentor_build.protection.seal import staff_index, staff_rows

    add_cleo(project)
    loaded, keystore = with_ben_gone(project)
    folder = {p.slug: keystore.folder(p.id).url for p in loaded.pupils}

    rows = staff_rows(loaded, keystore, {})
    sees = {
        role.key: {child["folder"] for child in staff_index(loaded, role, rows)["children"]}
        for role in loaded.school.staff
    }
    assert sees["wrens"] == {folder["ada"]}  # not Cleo (Robins), nor Ben (left: no longer his class's)
    assert sees["head"] == set(folder.values())


def staff_list(site: Path, login: dict) -> dict[str, dict]:
    """The children a staff login's list holds, by name, with their keys (as the browser reads it)."""
    secret = open_slot(site, login)
    sealed = (site / secret["index"]).read_bytes()
    return {
        c["name"]: c for c in json.loads(crypto.unseal(crypto.unb64(secret["key"]), "staff-index", sealed))["children"]
    }


def opens(site: Path, child: dict) -> bool:
    """Do a child's keys, as a staff list gave them, open their folder's overview and staff notes?"""
    try:
        crypto.unseal(crypto.unb64(child["key"]), "overview", (site / child["folder"] / "overview.bin").read_bytes())
        crypto.unseal(crypto.unb64(child["staff_key"]), "notes", (site / child["folder"] / "notes.bin").read_bytes())
    except InvalidTag:
        return False
    return True


def test_a_class_list_kept_from_before_opens_nothing_of_a_child_who_moved_class_or_left(amentor, project):
    """SPEC: a leaver's folder, "class-scoped staff no longer see it"; the same of a child who
    moves to another class. The Wrens teacher's list, as a copy of the site taken before holds
    it, gives the keys of both children: what is sealed after opens with neither."""
    wrens, head = issue(amentor, project, "--staff", "wrens"), issue(amentor, project, "--staff", "head")
    family = issue(amentor, project, "--pupil", "T001", "--guardian", "mum")[0]
    assert amentor("build", "-p", str(project)).code == 0
    site = project / "site"
    kept = staff_list(site, wrens[0])
    assert set(kept) == {"Ada Quennell", "Benedikt Zoller"} and all(opens(site, c) for c in kept.values())
    ada = project / "pupils/ada/2026-27.yml"
    ada.write_text(ada.read_text().replace("class: Wrens", "class: Robins"))  # moved class
    ben = project / "pupils/ben/pupil.yml"
    ben.write_text(ben.read_text() + "left: {date: 2026-10-01, reason: moved school}\n")
    assert amentor("build", "-p", str(project)).code == 0
    assert staff_list(site, wrens[0]) == {}
    now = staff_list(site, head[0])  # the head sees both, with their new keys
    assert all(opens(site, now[name]) and not opens(site, child) for name, child in kept.items())
    secret = open_slot(site, family)  # the family's login still opens Ada's folder: nothing to issue
    assert crypto.unseal(
        crypto.unb64(secret["key"]), "overview", (site / secret["folder"] / "overview.bin").read_bytes()
    )


def test_a_child_given_to_one_more_staff_list_keeps_its_keys(amentor, project):
    """A new class teacher's role (or a child joining a class) gives the keys to one more list:
    nothing is taken away, so nothing is sealed again."""
    issue(amentor, project, "--staff", "wrens")
    assert amentor("build", "-p", str(project)).code == 0
    before = site_files(project)
    school = project / "school.yml"
    school.write_text(school.read_text() + "  - {key: robins, label: Robins class teacher, scope: {class: Robins}}\n")
    assert amentor("build", "-p", str(project)).code == 0
    after = site_files(project)
    assert all(after[name] == data for name, data in before.items() if name.startswith("f/"))


def test_a_keystore_that_does_not_say_whom_it_gave_keys_to_changes_those_a_class_list_may_hold(amentor, project):
    """A keystore of amentor 0.1 kept no list of the staff given each child's keys: any of the
    school's roles may hold them, so a child outside a class role's scope gets new keys once."""
    issue(amentor, project, "--staff", "wrens")
    add_cleo(project)  # in Robins: only the head's list gives her keys
    assert amentor("build", "-p", str(project)).code == 0
    before = site_files(project)
    store = project / ".amentor/keystore.json"
    data = json.loads(store.read_text())
    for folder in data["folders"].values():
        del folder["given"]
    store.write_text(json.dumps(data))
    assert amentor("build", "-p", str(project)).code == 0
    after = site_files(project)
    changed = {name.split("/")[1] for name, data in before.items() if name.startswith("f/") and after[name] != data}
    folders = {p: Keystore.load(project / ".amentor").folder(p).dir for p in ("T001", "T002", "T003")}
    assert changed == {folders["T003"]}  # Ada and Ben are in Wrens: every role sees them
    assert amentor("build", "-p", str(project)).code == 0
    assert site_files(project) == after  # once


def test_staff_lists_children_by_year_group_then_class_and_leavers_last(project):
    from amentor_build.protection.seal import staff_index, staff_rows

    add_cleo(project)  # in Year 3's Ash below: a class whose name sorts before Year 2's Wrens
    write(
        project,
        "pupils/cleo/2026-27.yml",
        (project / "pupils/cleo/2026-27.yml")
        .read_text()
        .replace("year_group: 1\nclass: Robins", "year_group: 3\nclass: Ash"),
    )
    loaded, keystore = with_ben_gone(project)
    head = next(role for role in loaded.school.staff if role.key == "head")
    children = staff_index(loaded, head, staff_rows(loaded, keystore, {}))["children"]
    assert [(c["name"], c["class"]) for c in children] == [
        ("Ada Quennell", "Wrens"),  # Year 2
        ("Cleo Farrant", "Ash"),  # Year 3
        ("Benedikt Zoller", "Wrens"),  # left: last
    ]


def test_a_leaving_recorded_ahead_takes_the_child_out_of_the_class_list_at_once(amentor, project):
    """SPEC: "a child who has `left` ... class-scoped staff no longer see it", whatever its date
    (SPEC's own example, 2027-03-01, lies ahead of a build in 2026-27); pupil leave says so."""
    from amentor_build.protection.seal import staff_index, staff_rows
    from amentor_build.records import load as load_project

    ahead = dt.date.today() + dt.timedelta(days=120)
    run = amentor("pupil", "leave", "T002", "--date", ahead.isoformat(), "--reason", "moving", "-p", str(project))
    assert run.code == 0, run.err
    assert f"warning: {ahead} is still to come, but the next build takes T002 out of their class" in run.err
    loaded = load_project(project)
    keystore = Keystore.load(project / ".amentor")
    keystore.prepare(loaded)
    wrens = next(role for role in loaded.school.staff if role.key == "wrens")
    listed = {c["folder"] for c in staff_index(loaded, wrens, staff_rows(loaded, keystore, {}))["children"]}
    assert keystore.folder("T002").url not in listed and keystore.folder("T001").url in listed
    run = amentor(
        "pupil", "leave", "T002", "--date", dt.date.today().isoformat(), "--reason", "moving", "-p", str(project)
    )
    assert run.code == 0 and "still to come" not in run.err


def test_letters_have_code_password_and_qr_and_are_never_published(amentor, project, tmp_path):
    run = amentor(
        "logins",
        "issue",
        "-p",
        str(project),
        "--pupil",
        "T001",
        "--guardian",
        "dad",
        "--letters",
        str(tmp_path / "letters"),
        "--json",
    )
    assert run.code == 0
    login = json.loads(run.out)[0]
    letter = (tmp_path / "letters" / f"login-{login['code'].replace('-', '')}.html").read_text()
    assert login["code"] in letter and login["password"] in letter and "Ada's Assertive Mentoring folder" in letter
    assert "<svg" in letter and "https://t.example/" in letter
    refused = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(project / "site/x"))
    assert refused.code == 1 and "refusing to write letters" in refused.err
    # Nor among the records: the passwords would go into version control, and a leaver's archive.
    for place in (project, project / "pupils/ada", project / "frozen"):
        refused = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(place))
        assert refused.code == 1 and "it is among the project's records or state" in refused.err, place
        assert not list(project.rglob("login-*.html"))
    kept = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(project / "letters"))
    assert kept.code == 0 and list((project / "letters").glob("login-*.html")) and "inside the project" not in kept.err
    other = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(project / "autumn"))
    assert other.code == 0 and "warning: " in other.err and "takes the letters" in other.err, other.err
    assert not (tmp_path / "letters/.gitignore").exists()  # outside the project: the school's folder, untouched


def test_letters_in_a_git_work_tree_outside_the_project_are_kept_out_too(amentor, project):
    """`--letters letters` run from the repository the project lives in."""
    repository = project.parent
    subprocess.run(["git", "init", "-q"], cwd=repository, check=True)
    run = amentor("logins", "issue", "-p", str(project), "--letters", str(repository / "letters"))
    assert run.code == 0, run.err
    subprocess.run(["git", "add", "-A"], cwd=repository, check=True)
    staged = subprocess.run(["git", "ls-files"], cwd=repository, check=True, capture_output=True, text=True).stdout
    assert "school/school.yml" in staged.split() and "login-" not in staged


def test_a_letters_folder_whose_own_gitignore_lets_files_in_is_warned_of(amentor, project):
    write(project, "letters/.gitignore", "*.pdf\n")
    run = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(project / "letters"))
    assert run.code == 0 and "does not leave every file out" in run.err, run.err
    assert (project / "letters/.gitignore").read_text() == "*.pdf\n"  # the school's, untouched


@pytest.mark.parametrize("where", ["letters", "autumn/letters"])
def test_git_leaves_letters_inside_the_project_out(amentor, project, where):
    """Whatever the project's .gitignore says: an older amentor's did not name letters/."""
    (project / ".gitignore").write_text("site/\n.amentor/\n")  # the first version's
    run = amentor("logins", "issue", "-p", str(project), "--letters", str(project / where))
    assert run.code == 0, run.err
    assert list((project / where).glob("login-*.html"))
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    staged = subprocess.run(["git", "ls-files"], cwd=project, check=True, capture_output=True, text=True).stdout
    assert "pupils/ada/pupil.yml" in staged.split()  # git is at work on the project
    assert not [path for path in staged.split() if path.startswith(f"{where}/") or "login-" in path], staged


def test_letters_that_cannot_send_families_to_the_schools_site_are_warned_of(amentor, project, tmp_path):
    # No site_url: no address, no QR code; an example's address: families sent to no school.
    mkdocs_yml = project / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8")
    assert "site_url: https://t.example/" in text
    line = text[: text.index("site_url")].count("\n") + 1

    def issued() -> list[str]:
        run = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(tmp_path / "l"))
        assert run.code == 0, run.err
        return [w for w in run.lines if "warning" in w]

    assert issued() == [
        f"mkdocs.yml:{line}:1: warning: site_url is still an example's (https://t.example/): the letters send "
        "families there (put the folders' own address, then issue these logins again: by name, or every login with "
        "amentor logins issue --all --letters DIR)"
    ]
    mkdocs_yml.write_text(text.replace("site_url: https://t.example/\n", ""), encoding="utf-8")
    assert issued() == [
        "mkdocs.yml:1:1: warning: there is no site_url: the letters name no web address and carry no QR code (add "
        "the folders' address, such as site_url: https://folders.yourschool.sch.uk/, then issue these logins again: "
        "by name, or every login with amentor logins issue --all --letters DIR)"
    ]
    mkdocs_yml.write_text(text.replace("https://t.example/", "https://folders.testprimary.sch.uk/"), encoding="utf-8")
    assert issued() == []


def test_letters_take_the_address_mkdocs_takes_from_the_environment(amentor, project, tmp_path, monkeypatch):
    # site_url: !ENV [NAME, default], as mkdocs reads it: the variable if set, else the default.
    mkdocs_yml = project / "mkdocs.yml"
    text = mkdocs_yml.read_text(encoding="utf-8").replace(
        "site_url: https://t.example/", "site_url: !ENV [AMENTOR_TEST_URL, 'https://folders.testprimary.sch.uk']"
    )
    mkdocs_yml.write_text(text, encoding="utf-8")
    for url in ("https://folders.testprimary.sch.uk/", "https://mentoring.otherprimary.sch.uk/"):
        letters = tmp_path / url.split("//")[1].split(".")[0]
        run = amentor("logins", "issue", "-p", str(project), "--staff", "head", "--letters", str(letters), "--json")
        assert run.code == 0 and "warning" not in run.err, run.err
        code = json.loads(run.out)[0]["code"].replace("-", "")
        letter = (letters / f"login-{code}.html").read_text()
        assert url in letter and "<svg" in letter  # the address, and the QR code that opens it
        amentor("logins", "revoke", "-p", str(project), code)
        monkeypatch.setenv("AMENTOR_TEST_URL", "https://mentoring.otherprimary.sch.uk")


def test_sample_school_build_passes_the_audit(amentor, tmp_path):
    school = tmp_path / "sample"
    school.mkdir()
    for name in ("school.yml", "mkdocs.yml", "pupils", "theme", "content"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, school / name)
        else:
            shutil.copy(source, school / name)
    run = amentor("build", "-p", str(school))
    assert run.code == 0, run.err
    assert "privacy audit passed" in run.err
    names = [p for p in (school / "pupils").glob("*/pupil.yml")]
    outputs = [p for p in (school / "site").rglob("*") if p.is_file()]
    assert all(p.read_bytes().startswith(crypto.MAGIC) for p in outputs if p.suffix == ".bin")
    blob = b"".join(p.read_bytes() for p in outputs if p.suffix != ".bin")  # the rest must hold no name
    import yaml

    for path in names:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("first_name", "last_name", "id"):
            assert str(record[key]).encode() not in blob


@pytest.mark.parametrize(
    "where, text, field",
    [
        ("content/guide.md", "\nWell done to Adaeze Quennell!\n", "full name"),
        # Shown as "Adaeze Quennell" by any browser, however the page writes it:
        ("content/guide.md", "\nWell done to Adaeze **Quennell**!\n", "full name"),
        ("content/guide.md", "\n<span>Adaeze</span><span>Quennell</span>\n", "full name"),
        ("content/guide.md", "\nWell done to Adaeze_Quennell!\n", "full name"),
        ("content/guide.md", "\nWell done to Adaeze Quen&shy;nell!\n", "full name"),
        ("content/guide.md", "\nOur target: read words with the 'ai' sound.\n", "target"),
        ("theme/assets/extra.css", "/* T002 */\n", "id"),
    ],
)
def test_audit_catches_a_planted_leak_and_publishes_nothing(amentor, project, where, text, field):
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    path = project / where
    path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + text, encoding="utf-8")
    run = amentor("build", "-p", str(project))
    assert run.code == 1
    assert f"privacy audit: the {field} of pupils/" in run.err and "nothing was published" in run.err
    if where.startswith("content/"):  # said at the page's own line, as its warnings are
        line = len(path.read_text(encoding="utf-8").splitlines())
        assert f"{where}:{line}:1: privacy audit: the {field} of pupils/" in run.err, run.err
    assert tree_bytes(project / "site") == before


@pytest.mark.parametrize("kind", ["exif-windows", "png-text", "xmp-reference"])
def test_audit_catches_a_name_in_a_public_pictures_metadata(amentor, project, kind):
    from PIL import Image, PngImagePlugin

    (project / "content/img").mkdir()
    picture = Image.new("RGB", (8, 8), "white")
    if kind == "exif-windows":  # the title and comments Windows writes: UTF-16
        exif = Image.Exif()
        exif[0x9C9C] = "Benedikt Zöller, sports day".encode("utf-16-le")
        picture.save(project / "content/img/sports.jpg", exif=exif.tobytes())
        name = "sports.jpg"
    else:  # XMP writes a letter as an XML character reference as often as not
        text = PngImagePlugin.PngInfo()
        said = "Benedikt Zöller" if kind == "png-text" else "<dc:title>Benedikt Z&#246;ller</dc:title>"
        text.add_itxt("XML:com.adobe.xmp" if kind == "xmp-reference" else "Description", said)
        picture.save(project / "content/img/sports.png", pnginfo=text)
        name = "sports.png"
    guide = project / "content/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + f"\n![Sports day](img/{name})\n", encoding="utf-8")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and f"img/{name}:1:1: privacy audit: the full name of pupils/ben" in run.err, run.err


def public_file(kind: str, amentor, project: Path, tmp_path: Path) -> tuple[str, bytes]:
    """A file a school might put among its public pages, naming a child (see the test below)."""
    import zipfile

    from openpyxl import Workbook
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    if kind == "class sheet":  # the termly sheet itself
        out = tmp_path / "w.xlsx"
        assert amentor("sheet", "export", "-p", str(project), "--class", "Wrens", "-o", str(out)).code == 0
        return "wrens.xlsx", out.read_bytes()
    if kind == "class list":  # first and last names in cells of their own, a class between: apart in the file
        book = Workbook()
        book.active.append(["First name", "Class", "Last name"])
        book.active.append(["Benedikt", "Wrens", "Zöller"])
        book.active.append(["Adaeze", "Robins", "Quennell"])
        packed = io.BytesIO()
        book.save(packed)
        return "class-list.xlsx", packed.getvalue()
    if kind == "zip comment":
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("policies.txt", "Our policies")
            archive.comment = b"Made for Adaeze Quennell's family"
        return "policies.zip", packed.getvalue()
    if kind in ("word document", "damaged document"):  # the name in two runs, a spelling mark between
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as document:
            document.writestr(
                "word/document.xml",
                '<w:p><w:r><w:t>Star of the week: Adaeze</w:t></w:r><w:proofErr w:type="spellStart"/>'
                '<w:r><w:t xml:space="preserve"> Quen</w:t></w:r><w:r><w:t>nell</w:t></w:r></w:p>'
                + f"<w:p><w:r><w:t>{os.urandom(1500).hex()}</w:t></w:r></w:p>",  # (room to damage)
            )
        data = packed.getvalue()
        if kind == "damaged document":  # one file of it cannot be unpacked: it cannot be vouched for
            at = data.index(b"word/document.xml") + 40
            data = data[:at] + bytes(b ^ 0x55 for b in data[at : at + 200]) + data[at + 200 :]
        return "news.docx", data
    if kind in ("gzip", "cut-short gzip"):  # a list kept compressed (an .svgz is gzip, too)
        data = gzip.compress(b"Adaeze Quennell, Robins\n")
        return "class-list.txt.gz", data[:-12] if kind == "cut-short gzip" else data
    if kind == "tar.xz":  # files in a tar archive, compressed
        packed = io.BytesIO()
        with tarfile.open(fileobj=packed, mode="w:xz") as archive:
            said = "Benedikt Zöller, Wrens\n".encode()
            member = tarfile.TarInfo("lists/wrens.txt")
            member.size = len(said)
            archive.addfile(member, io.BytesIO(said))
        return "lists.tar.xz", packed.getvalue()
    if kind == "utf-16 csv":  # as Excel's "Unicode text" saves it, with no byte order mark
        return "class-list.csv", "Benedikt Zöller,Wrens\n".encode("utf-16-le")
    if kind == "old excel":  # an .xls keeps words beyond Latin-1 in UTF-16, each after its length
        write(project, "pupils/lukasz/pupil.yml", "id: T009\nfirst_name: Łukasz\nlast_name: Wójcik\n")
        write(project, "pupils/lukasz/2026-27.yml", CLEO_Y1)
        said = "Łukasz Wójcik".encode("utf-16-le")
        return "class-list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(96) + bytes(
            [len(said) // 2, 0, 0, 0]
        ) + said
    if kind in ("multi-stream bzip2", "xz and more"):  # pbzip2 writes a stream a block; then, bytes of no stream
        if kind == "xz and more":
            return "class-list.txt.xz", lzma.compress(b"Class list\n") + b"\nAdaeze Quennell, Robins\n"
        return "class-list.txt.bz2", bz2.compress(b"Class list\n") + bz2.compress(b"Adaeze Quennell, Robins\n")
    if kind == "sparse tar":  # 142 bytes that a reader unpacks to a gigabyte
        (tmp_path / "big").mkdir()
        (tmp_path / "big/scan.bin").touch()
        os.truncate(tmp_path / "big/scan.bin", 1 << 30)  # (sparse: no disk taken)
        subprocess.run(
            ["tar", "-S", "-czf", str(tmp_path / "big.tar.gz"), "-C", str(tmp_path / "big"), "."], check=True
        )
        return "scans.tar.gz", (tmp_path / "big.tar.gz").read_bytes()
    if kind == "bin":  # named as a sealed file is, and beginning as one
        return "roster.bin", crypto.MAGIC + bytes(28) + b"Class list: Adaeze Quennell"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if kind == "pdf comment":  # a sticky note on the page
        from pypdf.annotations import Text

        writer.add_annotation(0, Text(rect=(10, 10, 30, 30), text="Benedikt Zöller asked to read this"))
    elif kind == "pdf bookmark":
        writer.add_outline_item(title="Benedikt Zöller's work", page_number=0)
    else:
        writer.add_metadata({"/Title": "Parents' evening: Benedikt Zöller"})  # written in UTF-16
    if kind == "protected pdf":
        writer.encrypt("a-password")
    packed = io.BytesIO()
    writer.write(packed)
    data = packed.getvalue()
    if kind == "pdf revision":  # a page saved over ("redacted"): its first words are still in the file
        written = PdfWriter()
        words = DecodedStreamObject()
        words.set_data(b"BT /F1 12 Tf 72 720 Td (Star of the week: Adaeze Quennell) Tj ET")
        written.add_blank_page(200, 200).replace_contents(words.flate_encode())
        first = io.BytesIO()
        written.write(first)
        redacted = PdfWriter(io.BytesIO(first.getvalue()), incremental=True)
        redacted.pages[0].replace_contents(DecodedStreamObject())
        saved = io.BytesIO()
        redacted.write(saved)
        data = saved.getvalue()
    elif kind == "pdf header late":  # one byte before its header: readers still open it
        data = b"\n" + data
    return "letter.pdf", data


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("class sheet", "privacy audit: the id of pupils/ada"),
        ("class list", "privacy audit: the full name of pupils/ada"),
        ("word document", "privacy audit: the full name of pupils/ada"),
        ("pdf title", "privacy audit: the full name of pupils/ben"),
        ("pdf comment", "privacy audit: the full name of pupils/ben"),
        ("pdf bookmark", "privacy audit: the full name of pupils/ben"),
        ("pdf revision", "privacy audit: the full name of pupils/ada"),
        ("pdf header late", "privacy audit: the full name of pupils/ben"),
        ("zip comment", "privacy audit: the full name of pupils/ada"),
        (
            "protected pdf",
            "privacy audit: this file cannot be read whole (it is encrypted with a password), so no one can say",
        ),
        ("damaged document", "privacy audit: this file cannot be read whole (its file 'word/document.xml' cannot"),
        ("gzip", "privacy audit: the full name of pupils/ada"),
        ("tar.xz", "privacy audit: the full name of pupils/ben"),
        ("cut-short gzip", "privacy audit: this file cannot be read whole (it is cut short"),
        ("utf-16 csv", "privacy audit: the full name of pupils/ben"),
        ("old excel", "privacy audit: the full name of pupils/lukasz"),
        ("multi-stream bzip2", "privacy audit: the full name of pupils/ada"),
        ("xz and more", "privacy audit: this file cannot be read whole (it holds something else after its compressed"),
        ("sparse tar", "privacy audit: this file cannot be read whole (it unpacks to more than the 256 MB"),
        ("bin", "privacy audit: the full name of pupils/ada"),
    ],
)
def test_audit_reads_inside_spreadsheets_documents_and_pdfs(amentor, project, tmp_path, kind, said):
    # Their words are compressed (a spreadsheet and a document are zip archives), apart in the
    # file (cells, runs), or in UTF-16 (a PDF's title): a search of the file's own bytes would
    # find nothing. What cannot be read whole is not published either.
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    name, data = public_file(kind, amentor, project, tmp_path)
    (project / "content" / name).write_bytes(data)
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and f"content/{name}:1:1: {said}" in run.err and "Traceback" not in run.err, run.err
    assert "pypdf" not in run.err  # what pypdf logs of a file not quite to the standard is not the school's to read
    assert tree_bytes(project / "site") == before


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("photos.md", "[Sports day](https://photos.example/Adaeze%20Quennell.jpg)\n"),  # an address's escape
        ("hello.js", 'const star = "Adaeze\\u0020Quennell", smile = "\\ud83d\\ude00", any = /[\\ud800-\\udfff]/;\n'),
        ("picture.md", "![Sports day](data:image/jpeg;base64,{jpeg})\n"),  # a picture held in the page
        ("note.md", "[Note](data:text/plain,Star%20of%20the%20week%3A%20Adaeze%20Quennell)\n"),
    ],
)
def test_audit_reads_what_a_page_holds_escaped_or_in_a_data_address(amentor, project, name, text):
    from PIL import Image

    exif = Image.Exif()
    exif[0x013B] = "Adaeze Quennell"  # the picture's artist
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(picture, "JPEG", exif=exif.tobytes())
    text = text.replace("{jpeg}", base64.b64encode(picture.getvalue()).decode())
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    (project / "content" / name).write_text(text, encoding="utf-8")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "privacy audit: the full name of pupils/ada" in run.err, run.err
    assert tree_bytes(project / "site") == before


def test_a_script_that_escapes_surrogates_builds(amentor, project):
    """lodash, punycode and emoji code write `\\ud83d\\ude00` and ranges such as `\\ud800-\\udfff`:
    the audit reads them as the characters they make, and a school's page with one is published."""
    write(project, "content/js/emoji.js", 'var smile = "\\ud83d\\ude00", lone = /[\\ud800-\\udfff]/;\n')
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "privacy audit passed" in run.err and "Traceback" not in run.err, run.err


def test_audit_reads_a_pdf_as_a_browser_prints_it(amentor, project, browser):
    # Chromium's PDF: the page's text in subset fonts, found through their maps back to the letters.
    page = browser.new_page()
    page.set_content("<p>Star of the week: Adaeze Quennell (T001)</p>")
    (project / "content/star.pdf").write_bytes(page.pdf())
    page.close()
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "content/star.pdf:1:1: privacy audit: the full name of pupils/ada" in run.err, run.err


def test_audit_reads_a_page_every_way_it_may_be_read_and_no_two_ways_as_one(amentor, project):
    guide = project / "content/guide.md"
    before = guide.read_text(encoding="utf-8")
    # A zero-width space from a pasted e-mail; a page saved as Windows-1252 with an entity.
    guide.write_text(before + "\nWell done to Adaeze\u200bQuennell!\n", encoding="utf-8")
    assert "the full name of pupils/ada" in amentor("build", "-p", str(project)).err
    guide.write_text(before, encoding="utf-8")
    (project / "content/old.html").write_bytes("<p>Prize \xa35: Adaeze&nbsp;Quennell</p>\n".encode("cp1252"))
    assert "old.html:1:1: privacy audit: the full name of pupils/ada" in amentor("build", "-p", str(project)).err
    (project / "content/old.html").write_bytes("<p>Well done to Benedikt Zöller</p>\n".encode("cp1252"))
    assert "old.html:1:1: privacy audit: the full name of pupils/ben" in amentor("build", "-p", str(project)).err
    (project / "content/old.html").write_bytes("<p>Well done to Benedikt Zöller</p>\n".encode("utf-16"))
    assert "old.html:1:1: privacy audit: the full name of pupils/ben" in amentor("build", "-p", str(project)).err
    (project / "content/old.html").write_text("<p>Well done to Benedikt<br>Zoller</p>\n", encoding="utf-8")
    assert "old.html:1:1: privacy audit: the full name of pupils/ben" in amentor("build", "-p", str(project)).err
    # A page that begins with a first name and ends with a last name holds no full name.
    (project / "content/old.html").unlink()
    # Nor does a title and a last name that is also a guardian's label ("Mr Quennell"): a warning, as the name alone.
    write(project, "content/index.md", "Adaeze is a name we love.\n\nOur new hall is named after Mr Quennell\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 0 and "the full name" not in run.err, run.err
    assert "warning: privacy audit: 'Mr Quennell' is also the guardian of pupils/ada" in run.err, run.err


def test_audit_names_the_page_and_line_with_directory_urls_too(amentor, project):
    """With mkdocs' use_directory_urls, content/guide.md is published as guide/index.html: the
    audit still names the page and its line."""
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("use_directory_urls: false", "use_directory_urls: true"))
    guide = project / "content/guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nWell done to Adaeze Quennell!\n", encoding="utf-8")
    run = amentor("build", "-p", str(project))
    line = len(guide.read_text(encoding="utf-8").splitlines())
    assert run.code == 1 and f"content/guide.md:{line}:1: privacy audit: the full name of pupils/ada" in run.err


def test_a_name_on_every_public_page_is_blamed_on_the_file_of_the_project_it_comes_from(amentor, project):
    """site_name, or a comment in the theme's main template, is on every public page but in none
    of content/: the line of mkdocs.yml or of the template is named (SPEC: paths relative to the
    project), never the output files (404.html, index.html), which the project does not have."""
    config = project / "mkdocs.yml"
    original = config.read_text()
    config.write_text(original.replace("site_name: Test Primary", "site_name: Benedikt Zoller Academy"))
    line = next(i for i, text in enumerate(config.read_text().splitlines(), 1) if "Zoller" in text)
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and re.search(
        f"^mkdocs.yml:{line}:1: privacy audit: the full name of pupils/ben", run.err, re.M
    )
    assert not re.search(r"^(index|404)\.html:", run.err, re.M)
    config.write_text(original)
    main = project / "theme/main.html"
    main.write_text(main.read_text() + "<!-- Check Benedikt Zoller's hearing test result. -->\n")
    line = len(main.read_text().splitlines())
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and re.search(
        f"^theme/main.html:{line}:1: privacy audit: the full name of pupils/ben", run.err, re.M
    )
    assert not re.search(r"^(index|404)\.html:", run.err, re.M), run.err


def test_a_name_over_a_lines_end_is_found_at_the_line_it_starts_on(amentor, project):
    guide = project / "content/guide.md"
    before = guide.read_text(encoding="utf-8")
    guide.write_text(before + "\nWell done to Adaeze\nQuennell!\n", encoding="utf-8")
    run = amentor("build", "-p", str(project))
    line = len(before.splitlines()) + 2
    assert run.code == 1 and f"content/guide.md:{line}:1: privacy audit: the full name of pupils/ada" in run.err


def test_a_name_written_with_an_entity_is_found_at_its_line(amentor, project):
    """A page that writes a name as `Adaeze&nbsp;Quennell`: said at its line of the page; and
    where the name is made by the theme (in no page), at its line of the template, once."""
    guide = project / "content/guide.md"
    before = guide.read_text(encoding="utf-8")
    guide.write_text(before + "\nWell done to Adaeze&nbsp;Quennell!\n", encoding="utf-8")
    run = amentor("build", "-p", str(project))
    line = len(guide.read_text(encoding="utf-8").splitlines())
    assert run.code == 1 and f"content/guide.md:{line}:1: privacy audit: the full name of pupils/ada" in run.err
    guide.write_text(before, encoding="utf-8")
    main = project / "theme/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace("</main>", "<p>Adaeze&nbsp;Zzyzx</p>\n</main>"))
    assert amentor("build", "-p", str(project)).code == 0  # no child's name
    main.write_text(main.read_text(encoding="utf-8").replace("Adaeze&nbsp;Zzyzx", "Adaeze&nbsp;Quennell"))
    line = next(i for i, text in enumerate(main.read_text().splitlines(), 1) if "Adaeze&nbsp;Quennell" in text)
    run = amentor("build", "-p", str(project))
    said = f"theme/main.html:{line}:1: privacy audit: the full name of pupils/ada"
    assert run.code == 1 and run.err.count(said) == 1 and "amentor: 1 error;" in run.err, run.err


def test_audit_catches_a_name_in_a_file_name(amentor, project):
    write(project, "content/adaeze-quennell.md", "# Thanks\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "adaeze-quennell.html:1:1: privacy audit: the full name of pupils/ada" in run.err
    (project / "content/adaeze-quennell.md").rename(project / "content/quennell-family.md")
    run = amentor("build", "-p", str(project))  # a family name alone in the school's own page: a warning
    assert run.code == 0 and "quennell-family.html:1:1: warning: privacy audit: 'Quennell'" in run.err


@pytest.mark.parametrize(
    "paths",
    [
        "f/0a1b2c/3d4e_5f.bin\nguide.html\nassets/amentor.js",
        "ADAEZE-Quennell.html\na..b//c-d_e\tF\x1f9",
        "zoë-haldane.html\nf/x.bin",  # not ASCII: split as text is
        "",
    ],
)
def test_the_words_of_paths_are_those_the_audit_finds_in_text(paths):
    """Paths are split into words a faster way (as bytes) where they are ASCII; the words must
    be exactly those of the text search, or a name in a file name could be missed."""
    assert secrets.words_in(paths) == set(secrets.WORD.findall(secrets.fold(paths)))


def test_mkdocs_route_is_audited_too(project):
    import subprocess
    import sys

    write(project, "content/news.md", "# News\n\nBenedikt Zoller won the spelling bee.\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode != 0 and "privacy audit" in result.stderr
    assert "removed from" in result.stderr and "news.html" in result.stderr
    assert not (project / "site/news.html").exists()  # mkdocs wrote it; the audit took it out again


def test_a_failed_mkdocs_build_says_the_warnings_a_failed_amentor_build_says(amentor, project):
    # A login set aside (its guardian taken out of the records) before the audit fails: its keys
    # are changed whether or not the site is published, and mkdocs says so as amentor build does.
    import subprocess
    import sys

    issue(amentor, project, "--pupil", "T001")
    pupil = project / "pupils/ada/pupil.yml"
    pupil.write_text(pupil.read_text().replace("  - {key: dad, label: Mr Quennell}\n", ""))
    write(project, "content/news.md", "# News\n\nBenedikt Zoller won the spelling bee.\n")
    said = "is for guardian 'dad' of T001, who is not in the records"
    assert said in amentor("build", "-p", str(project)).err
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode != 0 and "privacy audit" in result.stderr and said in result.stderr, result.stderr


def test_what_the_schools_own_mkdocs_hooks_write_is_audited_too(project):
    import subprocess
    import sys

    write(
        project,
        "hooks.py",
        "def on_post_build(config):\n    open(config.site_dir + '/leak.txt', 'w').write('Benedikt Zoller T002')\n",
    )
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - hooks.py\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, capture_output=True, text=True
    )
    assert result.returncode != 0 and "leak.txt:1:1: privacy audit: the full name of pupils/ben" in result.stderr
    assert not (project / "site/leak.txt").exists()


def test_lost_keystore_is_not_silently_replaced(amentor, project, tmp_path):
    """A keystore lost beside a published site with logins is refused by every command that would
    save new keys in its place (a logins command before the build, too: the build after it would
    then lock every family out without a word); the new keystore a command starts is said."""
    first = amentor("logins", "issue", "--json", "-p", str(project))
    assert first.code == 0 and "started a new keystore in .amentor/ (keep a backup" in first.err, first.err
    assert amentor("build", "-p", str(project), "-d", str(tmp_path / "elsewhere")).code == 0
    assert amentor("build", "-p", str(project)).code == 0
    before = tree_bytes(project / "site")
    (project / ".amentor/keystore.json").unlink()
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "the keystore is missing" in run.err and "--new-keystore" in run.err
    assert tree_bytes(project / "site") == before
    shutil.rmtree(project / "site")  # and the site it opens moved away: one built elsewhere is still seen
    for command in (("issue", "--staff", "head"), ("revoke", "--pupil", "T001", "--guardian", "mum")):
        run = amentor("logins", *command, "-p", str(project))
        assert run.code == 1 and ".amentor/keystore.json:1:1: the keystore is missing, but elsewhere/" in run.err
        assert not (project / ".amentor/keystore.json").exists()
    run = amentor("build", "-p", str(project), "--new-keystore")
    assert run.code == 0 and "started a new keystore" in run.err
    assert not list((project / "site/k").glob("*.json"))  # the old logins open nothing now


def test_audit_catches_a_name_in_a_new_file_name_after_a_clean_build(amentor, project):
    assert amentor("build", "-p", str(project)).code == 0  # the audit cache now says: all checked
    write(project, "content/benedikt-zoller-news.md", "# News\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "benedikt-zoller-news.html:1:1: privacy audit: the full name of pupils/ben" in run.err


def test_audit_catches_a_new_name_in_a_file_name_published_before(amentor, project):
    """A child whose record changes is checked against the paths already published, when a name
    changed (the audit cache remembers which names each path was checked for)."""
    write(project, "content/wren-zoller-news.md", "# News\n")
    assert amentor("build", "-p", str(project)).code == 0
    pupil = project / "pupils/ben/pupil.yml"
    pupil.write_text(pupil.read_text() + "preferred_name: Wren\n")
    run = amentor("build", "-p", str(project))
    assert run.code == 1 and "wren-zoller-news.html:1:1: privacy audit: the full name of pupils/ben" in run.err


def test_audit_refuses_a_sealed_file_that_is_not_ciphertext(project, tmp_path):
    """A .bin file whose bytes are not ciphertext (a sealing bug) stops the build: nothing is published."""
    from amentor_build import records
    from amentor_build.audit import audit
    from amentor_build.errors import ProjectErrors
    from amentor_build.output import SiteTransaction

    loaded = records.load(project)
    with SiteTransaction(tmp_path / "site", tmp_path / "manifest.json") as site:
        site.write("f/0123abcd/overview.bin", b"<p>Ada is working at 1w</p>")
        with pytest.raises(ProjectErrors) as caught:
            audit(site, loaded)
    assert "f/0123abcd/overview.bin:1:1: privacy audit: a folder file is not ciphertext" in str(caught.value)
    assert not (tmp_path / "site").exists()


def test_everything_amentor_keeps_under_dot_amentor_is_private(amentor, project, tmp_path):
    # Its caches hold every child's records and pictures in the clear: the 0700 directory keeps
    # others out, and a backup copy (which keeps modes) must not open them up either.
    assert amentor("build", "-p", str(project)).code == 0
    assert amentor("sheet", "export", "--class", "Wrens", "-o", str(tmp_path / "w.csv"), "-p", str(project)).code == 0
    state = project / ".amentor"
    modes = {p.relative_to(state).as_posix(): p.stat().st_mode & 0o777 for p in [state, *state.rglob("*")]}
    assert len(modes) > 10 and any(name.startswith("cache/media/") for name in modes)
    assert {name: mode for name, mode in modes.items() if mode not in (0o600, 0o700)} == {}
    assert (tmp_path / "w.csv").stat().st_mode & 0o777 == 0o600  # a class sheet holds the records too
    # Caches an older amentor left open (0644 files in a 0755 cache/) are closed by the next build.
    for path in (state / "cache").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (state / "cache").chmod(0o755)
    assert amentor("build", "-p", str(project)).code == 0
    modes = {p.relative_to(state).as_posix(): p.stat().st_mode & 0o777 for p in [state, *state.rglob("*")]}
    assert {name: mode for name, mode in modes.items() if mode not in (0o600, 0o700)} == {}
