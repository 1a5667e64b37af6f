"""`amentor logins issue|revoke|list`: the command-line edge of logins.py."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from .. import records
from ..disk import failed_path
from ..errors import AmentorError, LocatedError, Problem, UsageError
from ..places import output_dirs, refuse_published, refuse_records, said_at, shown, state_dir
from ..protection import logins
from ..protection.keystore import Keystore, refuse_lost, secure_state
from .common import EXIT_OK, NEW_KEYSTORE, count, locked, project_root


def cmd_issue(args: argparse.Namespace) -> int:
    """Issue logins. Nothing is recorded until every new password has been delivered (written in
    a letter, printed): a failure or a kill before that leaves no new login, and after it every
    new one works; the order below is what makes that true."""
    root = project_root(args)
    private_state(root)
    if args.guardian and not args.pupil:
        raise UsageError("--guardian needs --pupil ID")
    if args.all and (args.guardian or args.staff):
        raise UsageError("--all issues every login again (of one child with --pupil); --guardian and --staff name one")
    letters_dir = checked_letters_dir(root, args.letters) if args.letters else None
    with locked(root, "amentor logins issue"):
        return issue_and_deliver(args, root, letters_dir)


def issue_and_deliver(args: argparse.Namespace, root: Path, letters_dir: Path | None) -> int:
    """The logins asked for: made, delivered (letters, printed), then recorded (see cmd_issue)."""
    project = records.load(root)
    keystore = keys_of(root)
    started = keystore.created
    if letters_dir is not None:
        settle_letters(root, letters_dir, keystore)
    had = {(x.pupil, x.guardian, x.staff): x.code for x in keystore.logins}  # (their letters die with them)
    issued, passed_by = logins.issue(project, keystore, args.pupil, args.guardian, args.staff, args.all)  # in memory
    for pupil, guardian, staff in passed_by:
        who = f"staff {staff}" if staff else f"pupil {pupil} {guardian}"
        why = (
            "whose login the school revoked"
            if (pupil, guardian, staff) in keystore.revoked
            else "who has the name of a login set aside for another key of the same child (a mistyped key? "
            "put it right, and that login works again)"
        )
        print(
            f"amentor: not issued: {who}, {why}; name it to issue it "
            f"({'--staff ' + staff if staff else f'--pupil {pupil} --guardian {guardian}'})",
            file=sys.stderr,
        )
    written: list[Path] = []  # the letters, not yet named as letters (see letters.write_letters)
    if letters_dir is not None and issued:
        from ..output.public import site_url
        from ..protection.letters import (
            address_problem,
            in_git_work_tree,
            kept_out_by_git,
            project_tag,
            write_letters,
        )
        from ..render import make_environment, theme_mistakes

        url = site_url(root)
        with theme_mistakes():  # the school's letters/letter.html: its mistake at its line, and no letter written
            env = make_environment(root / "theme")
            # a .gitignore keeps the folder out of git, in the project or in any git work tree
            keep_out = letters_dir.is_relative_to(root.resolve()) or in_git_work_tree(letters_dir)
            written = write_letters(letters_dir, issued, project.school.name, url, env, project_tag(root), keep_out)
        if keep_out and not kept_out_by_git(letters_dir):
            print(
                f"amentor: warning: {letters_dir / '.gitignore'} is not amentor's and does not leave every file "
                "out, so git may take the letters and their passwords up: delete them once printed",
                file=sys.stderr,
            )
        unaddressed = address_problem(url, root / "mkdocs.yml")
        if unaddressed is not None:
            print(unaddressed, file=sys.stderr)
    rows = [
        {
            "pupil": i.login.pupil,
            "guardian": i.login.guardian,
            "staff": i.login.staff,
            "code": logins.display_code(i.login.code),
            "password": i.password,
            "url": i.url,
        }
        for i in issued
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row, item in zip(rows, issued):
            who = f"staff {row['staff']}" if row["staff"] else f"pupil {row['pupil']} {row['guardian']}"
            print(f"{who} ({item.holder}): code {row['code']}  password {row['password']}  url {row['url']}")
    sys.stdout.flush()  # delivered: only now is the keystore changed
    replaced = [code for i in issued if (code := had.get((i.login.pupil, i.login.guardian, i.login.staff)))]
    marks: list[Path] = []  # the letters of the logins replaced, marked: removed, even if this is killed
    try:
        if written and letters_dir is not None:
            from ..protection.letters import mark_replaced, project_tag

            marks = mark_replaced(letters_dir, replaced, project_tag(root))
        keystore.save()
    except OSError as exc:  # a full disk: what was printed above was never recorded
        from ..protection.letters import discard

        discard(written + marks)
        where = failed_path(exc) or str(keystore.path)
        said = "no login was issued: the passwords above open nothing, and every login works as before"
        raise LocatedError(Problem(where, 1, 1, f"{exc.strerror or exc}; {said}")) from exc
    if started:
        print(NEW_KEYSTORE, file=sys.stderr)
    if written and letters_dir is not None:
        from ..protection.letters import deliver, discard, remove_letters

        delivered = deliver(written)  # named as letters only now: each is a login's that exists
        print(
            f"amentor: wrote {count(len(delivered), 'letter')} into {letters_dir} "
            "(they hold passwords: print, then delete)",
            file=sys.stderr,
        )
        dead = remove_letters(letters_dir, replaced)
        discard(marks)
        if dead:
            print(
                f"amentor: removed {count(len(dead), 'letter')} of the logins these replace (they open nothing "
                f"after the next build): {', '.join(d.name for d in dead)}",
                file=sys.stderr,
            )
    if not issued:
        pupils = [p for p in project.pupils if args.pupil in (None, p.id)]
        if any(p.guardians for p in pupils) or (args.pupil is None and project.school.staff) or passed_by:
            why = "each one asked for exists already" + (" or was revoked" if passed_by else "")
            why += " (name a login to issue it again: --pupil ID --guardian KEY, or --staff KEY"
            why += ")" if args.all else "; or give --all)"
        else:
            why = "the records name no one to issue one to (guardians are listed in pupil.yml, staff in school.yml)"
        print(f"amentor: no login issued: {why}", file=sys.stderr)
        return EXIT_OK
    resets = [logins.display_code(code) for code in replaced]
    named = ", ".join(resets[:5]) + (f" and {len(resets) - 5} more" if len(resets) > 5 else "")  # (--all: hundreds)
    ended = (  # a reset: the letter the family has opens nothing from the build on
        ""
        if not resets
        else f"; the login it replaces, {resets[0]}, opens nothing after the build"
        if len(resets) == 1
        else f"; the {len(resets)} logins they replace ({named}) open nothing after the build"
    )
    print(
        f"amentor: issued {count(len(issued), 'login')}; passwords are shown once and not stored. "
        f"Run 'amentor build' for them to open{ended}.",
        file=sys.stderr,
    )
    return EXIT_OK


def keys_of(root: Path) -> Keystore:
    """The project's keystore, for a command that changes it; a lost one is refused while a site
    this project published has logins (keystore.refuse_lost), as a build refuses it."""
    keystore = Keystore.load(state_dir(root))
    refuse_lost(keystore, [root / "site", *(Path(d) for d in sorted(output_dirs(state_dir(root))))])
    return keystore


def settle_letters(root: Path, directory: Path, keystore: Keystore) -> None:
    """Tidy, and say, what an earlier issue killed midway left among the letters (letters.settle)."""
    from ..protection.letters import project_tag, settle

    named, removed, ended = settle(directory, {login.code for login in keystore.logins}, project_tag(root))
    if ended:
        print(
            f"amentor: removed {count(len(ended), 'letter')} of logins an earlier 'logins issue' replaced before it "
            f"was stopped (they open nothing): {', '.join(p.name for p in ended)}",
            file=sys.stderr,
        )
    if named:
        print(
            f"amentor: {count(len(named), 'letter')} of logins an earlier 'logins issue' recorded before it was "
            f"stopped, now in {directory}: {', '.join(p.name for p in named)}",
            file=sys.stderr,
        )
    if removed:
        print(
            f"amentor: removed {count(removed, 'unfinished letter')} of an earlier 'logins issue' stopped before "
            "it recorded their logins (those logins do not exist)",
            file=sys.stderr,
        )


def private_state(root: Path) -> None:
    """Correct, with a warning, a private directory open to others (every command that reads it)."""
    for warning in secure_state(state_dir(root)):
        print(warning, file=sys.stderr)


def checked_letters_dir(root: Path, given: str) -> Path:
    """Where letters may go: never where anything is published (a site built from this project,
    content/, theme/), never among the records (pupils/, frozen/, the project's own folder: the
    passwords would go into version control and a leaver's archive), never under a file."""
    letters = Path(given).resolve()
    refuse_published(root, letters, "letters (they hold passwords)")
    project = root.resolve()
    if letters == project:
        raise said_at(
            root,
            letters,
            "refusing to write letters here: it is among the project's records or state (its own "
            "folder), and the letters hold passwords. Use letters/ (amentor keeps it out of git) or a place "
            "outside the project",
        )
    refuse_records(
        root, letters, "letters", "the letters hold passwords (use letters/, or a place outside the project)"
    )
    for parent in [letters, *letters.parents]:
        if parent.exists() and not parent.is_dir():
            raise said_at(
                root, letters, f"refusing to write letters here: {shown(root, parent)} is a file, not a directory"
            )
    if letters.is_relative_to(project) and not letters.is_relative_to(project / "letters"):
        print(
            f"amentor: warning: {letters} is inside the project, and a copy of the project (a USB stick, a shared "
            "drive) takes the letters and their passwords along: delete them once printed",
            file=sys.stderr,
        )
    return letters


def cmd_revoke(args: argparse.Namespace) -> int:
    root = project_root(args)
    private_state(root)
    if not ((args.pupil and args.guardian and not args.staff) or (args.staff and not args.pupil and not args.guardian)):
        raise UsageError("name one login: --pupil ID --guardian KEY, or --staff KEY")
    with locked(root, "amentor logins revoke"):
        keystore = keys_of(root)
        login = logins.revoke(keystore, args.pupil, args.guardian, args.staff)
        try:
            keystore.save()
        except OSError as exc:  # a full disk: a school revoking a login must not read it as done
            where = failed_path(exc) or str(keystore.path)
            said = f"the login {logins.display_code(login.code)} was not revoked: it still opens what it opened"
            raise LocatedError(Problem(where, 1, 1, f"{exc.strerror or exc}; {said}")) from exc
    reached = "every child's folder key and staff-notes key" if login.staff else "the folder's key"
    rotated = f"{reached} was changed when it was set aside" if login.away else f"{reached} was rotated"
    print(
        f"amentor: revoked login {logins.display_code(login.code)}; {rotated}. Run 'amentor build': "
        "after that it opens nothing of the new site, not even with keys read from a copy of the site taken "
        "before (such a copy still opens with it, as it was: nothing can change that), and the other logins "
        "keep working without being issued again.",
        file=sys.stderr,
    )
    return EXIT_OK


def leavers(root: Path) -> dict[str, str]:
    """When each child who has left (or leaves) left, by id, for the list to say beside their family's
    logins (the school decides when those end); none while the records cannot be read: the list
    is read from the keystore alone."""
    try:
        project = records.load(root)
    except AmentorError:
        return {}
    today = dt.date.today()
    said = {p.id: (p.left.date, "leaves" if p.left.date > today else "left") for p in project.pupils if p.left}
    return {pupil: f"{word} on {date.isoformat()}" for pupil, (date, word) in said.items()}


def cmd_list(args: argparse.Namespace) -> int:
    root = project_root(args)
    private_state(root)
    keystore = Keystore.load(state_dir(root))
    rows = [
        {
            "pupil": x.pupil,
            "guardian": x.guardian,
            "staff": x.staff,
            "code": logins.display_code(x.code),
            "issued": x.issued,
        }
        for x in keystore.logins
    ]
    away = {logins.display_code(x.code) for x in keystore.logins if x.away}
    labels = {logins.display_code(x.code): x.label for x in keystore.logins if x.label}
    left = {} if args.json else leavers(root)
    rows.sort(key=lambda r: (r["staff"] is not None, r["pupil"] or "", r["guardian"] or "", r["staff"] or ""))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            who = f"staff {r['staff']}" if r["staff"] else f"pupil {r['pupil']} guardian {r['guardian']}"
            who += f" ({labels[r['code']]})" if r["code"] in labels else ""
            aside = "  (set aside: not in the records at the last build)" if r["code"] in away else ""
            aside += f"  (the child {left[r['pupil']]})" if r["pupil"] in left else ""
            print(f"{r['code']}  {who}  issued {r['issued']}{aside}")
        print(f"amentor: {count(len(rows), 'login')}", file=sys.stderr)
    return EXIT_OK
