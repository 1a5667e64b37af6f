"""Write amentor_build/starter/theme-history.sha256: every version of every file of amentor's
own theme that this repository has held, one `<sha256>  <path>` line each (the format
`sha256sum` writes; paths relative to the theme).

    python tools/theme_history.py          # rewrite the list from git's history and the work tree
    python tools/theme_history.py --check  # exit 1 if a version is missing from it

`amentor init` copies the whole theme into a school's project. On an upgrade, a file of that
copy the school never changed is a past version of amentor's own, listed here, and the build
uses the installed version's file instead (see starter.stock_copies). Run this after changing
the starter theme and commit the list with the change: tests/test_theme_upgrade.py checks it.
The theme lived in theme/ at the top of the repository before it moved into the package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amentor_build.starter import HISTORY, content_digest, theme_dir  # noqa: E402

PLACES = ("theme/", "amentor_build/starter/theme/")  # where the theme has lived, oldest first


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True).stdout


def versions() -> set[tuple[str, str]]:
    """(digest, theme-relative path) of each file of the theme in every commit, and in the work tree."""
    found = set()
    for commit in git("rev-list", "HEAD", "--", *PLACES).decode().split():
        for place in PLACES:
            for line in git("ls-tree", "-r", commit, "--", place).decode().splitlines():
                meta, path = line.split("\t", 1)
                mode, kind, blob = meta.split()
                if kind == "blob" and mode != "120000":  # not the sample school's link to the package
                    found.add((content_digest(git("cat-file", "blob", blob)), path[len(place) :]))
    own = theme_dir()
    for path in own.rglob("*"):
        if path.is_file():
            found.add((content_digest(path.read_bytes()), path.relative_to(own).as_posix()))
    return found


def main() -> int:
    listed = "".join(f"{digest}  {rel}\n" for digest, rel in sorted(versions(), key=lambda v: (v[1], v[0])))
    target = theme_dir().parent / HISTORY
    if "--check" in sys.argv:
        missing = set(listed.splitlines()) - set(target.read_text(encoding="utf-8").splitlines())
        for line in sorted(missing):
            print(f"{target.relative_to(REPO)}: missing {line}", file=sys.stderr)
        return 1 if missing else 0
    target.write_text(listed, encoding="utf-8")
    print(f"{target.relative_to(REPO)}: {len(listed.splitlines())} versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
