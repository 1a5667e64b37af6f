"""Write amentor_build/starter/history.sha256: every version of every file of amentor's own
theme and public pages (what `amentor init` copies into a project) that this repository has
held, one `<sha256>  <path>` line each (the format `sha256sum` writes; paths relative to the
starter folder: theme/..., content/...).

    python tools/starter_history.py          # rewrite the list from git's history and the work tree
    python tools/starter_history.py --check  # exit 1 if a version is missing from it

On an upgrade, a file of a school's copy that the school never changed is a past version of
amentor's own, listed here, and the build uses the installed version's file instead (see
starter.stock_copies). Run this after changing the starter theme or pages and commit the list
with the change: tests/test_upgrade.py checks it. Both lived at the top of the repository
before they moved into the package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from amentor_build.starter import HISTORY, PARTS, content_digest, files_under, starter_dir  # noqa: E402


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True).stdout


def versions() -> set[tuple[str, str]]:
    """(digest, path in the starter) of each file in every commit, and in the work tree."""
    found = set()
    for part in PARTS:
        places = (f"{part}/", f"amentor_build/starter/{part}/")  # where it has lived, oldest first
        for commit in git("rev-list", "HEAD", "--", *places).decode().split():
            for place in places:
                for line in git("ls-tree", "-r", commit, "--", place).decode().splitlines():
                    meta, path = line.split("\t", 1)
                    mode, kind, blob = meta.split()
                    if kind == "blob" and mode != "120000":  # not the sample school's link to the package
                        found.add((content_digest(git("cat-file", "blob", blob)), part + "/" + path[len(place) :]))
        for path in files_under(starter_dir() / part):
            found.add((content_digest(path.read_bytes()), path.relative_to(starter_dir()).as_posix()))
    return found


def main() -> int:
    listed = "".join(f"{digest}  {rel}\n" for digest, rel in sorted(versions(), key=lambda v: (v[1], v[0])))
    target = starter_dir() / HISTORY
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
