"""Where a full build's CPU goes, child by child: the previous amentor against the current one.

    python bench/where_time_goes.py                 # N = 300, previous = 853271b
    python bench/where_time_goes.py 100 --repeat 5

compare_versions.py times whole builds and prints their ratio; this script explains that
ratio. It splits the work a full build does for each child into its parts and times each
part in both versions, on the same children, each version with its own starter theme:

- YAML: each record file of the child read from disk and parsed into Python values (the
  previous version's own parser with PyYAML as fallback; the current version's PyYAML C
  parser with positions);
- records: the child's directory read into the model (the YAML above, plus every check);
- judge: the judged folder (statuses, colours, the words for each);
- charts: the progress page's SVG charts (a part of render);
- render: every page of the folder as HTML, the work pictures read from the derived-image
  cache (charts included);
- seal: every page and picture encrypted with the folder's keys.

A third column renders with the current code and the previous version's theme: the
difference between it and the current column is what the theme's newer pages cost (the
child's own view, the meaning of each step, the tables under the charts, the overview), and
the rest of the difference to the previous column is the code's own.

Each figure is CPU milliseconds per child: the best of --repeat rounds over the first N
children of bench_build's school (a round alternates the versions, each in a fresh process
with PYTHONPATH set to its checkout). The schools are compare_versions.py's copies under
--out (made, and built once to fill the derived-image cache, where they are missing).

The previous version's functions are reached by their names at 853271b (records.load_pupil,
reader.read_source, render.render_one, protect.seal_folder, ...): another --base needs the
names it has. Writing the site, the audit and publishing are not per child and are left to
compare_versions.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare_versions as cv  # noqa: E402  (beside this file)

PARTS = ("YAML", "records", "judge", "charts", "render", "seal")

# Both snippets run in a school's directory: argv = N, rounds, theme directory. They print one
# JSON object: part -> the best round's CPU milliseconds per child.
COMMON = """
import gc, json, sys, time
gc.disable()  # as a build does: the cycle collector would scan the records kept, again and again
from pathlib import Path
root = Path(".").resolve()
n, rounds, theme = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
best = {}
def timed(part, each, items):
    for _ in range(rounds):
        started = time.process_time()
        out = [each(item) for item in items]
        ms = (time.process_time() - started) * 1000 / len(items)
        best[part] = min(best.get(part, ms), ms)
        gc.collect()
    return out
"""

PREVIOUS = (
    COMMON
    + """
from amentor_build import charts, protect
from amentor_build.judge import judge_pupil
from amentor_build.keystore import FolderKeys
from amentor_build.load import load_school
from amentor_build.reader import read_source
from amentor_build.records import load_pupil, pupil_folders
from amentor_build.render import make_environment, render_one
problems = []
school = load_school(root, problems)
dirs = pupil_folders(root)[:n]
files = [sorted(d.glob("*.yml")) for d in dirs]
timed("YAML", lambda paths: [read_source(p, root, problems) for p in paths], files)
pupils = [r.pupil for r in timed("records", lambda d: load_pupil(root, d, school), dirs)]
folders = timed("judge", lambda p: judge_pupil(school, p), pupils)
timed("charts", lambda f: ([charts.attainment_chart(f, s) for s in school.subjects], charts.attendance_chart(f)), folders)
env = make_environment(theme, Path(sys.argv[4]))
keys = FolderKeys("HF0000", "0000000000000000", b"c" * 32, b"s" * 32, b"n" * 32)
site = protect.site_for_keys(keys)
cache = root / ".amentor" / "cache" / "media"
rendered = timed("render", lambda f: render_one(env, root, f, cache, site, problems), folders)
assert None not in rendered, problems[:3]
shell = protect.shell_html(env, school)
timed("seal", lambda r: protect.seal_folder(r, keys, shell), rendered)
print(json.dumps(best))
"""
)

CURRENT = (
    COMMON
    + """
from amentor_build import judge, render
from amentor_build.protection import FolderKeys, seal_folder, shell_html, site_for_keys
from amentor_build.records import parse_school
from amentor_build.records.pupil import parse_pupil, pupil_dirs, read_files
from amentor_build.records.source import parse_source
from amentor_build.build.derived import DerivedImages
from amentor_build.render import charts
school = parse_school((root / "school.yml").read_bytes(), [])
dirs = pupil_dirs(root)[:n]
files = [sorted(d.glob("*.yml")) for d in dirs]
timed("YAML", lambda paths: [parse_source(p.read_bytes(), p.name) for p in paths], files)
records = timed("records", lambda d: parse_pupil(school, read_files(d)), dirs)
assert all(not r.problems for r in records), records[0].problems
pupils = [r.pupil for r in records]
folders = timed("judge", lambda p: judge.judge_pupil(school, p), pupils)
axis = lambda f: charts.axis(f.school.terms)  # noqa: E731
timed("charts", lambda f: ([charts.attainment_chart(f, s, axis(f)) for s in school.subjects], charts.attendance_chart(f, axis(f))), folders)
env = render.make_environment(theme, Path(sys.argv[4]))
keys = FolderKeys("HF0000", "0000000000000000", b"c" * 32, b"s" * 32, b"n" * 32)
names, links = site_for_keys(keys)
nav = render.folder_nav(env, links)
cache = root / ".amentor" / "cache" / "media"
rendered = timed(
    "render",
    lambda f: render.render(env, f, root / "pupils" / f.pupil.slug, names, links, nav, DerivedImages(cache)),
    folders,
)
shell = shell_html(env, school)
timed("seal", lambda r: seal_folder(r, keys, shell, {}), rendered)
print(json.dumps(best))
"""
)


def measure(version: cv.Version, code: str, n: int, rounds: int, theme: Path, compiled: Path) -> dict[str, float]:
    """One fresh process of the version, in its school copy: CPU ms per child of each part."""
    args = [sys.executable, "-c", code, str(n), str(rounds), str(theme), str(compiled)]
    proc = subprocess.run(args, cwd=version.school, env=version.env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise cv.BuildFailed(f"the {version.label} version's measures failed:\n{proc.stderr}")
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=300, help="children measured (default 300)")
    parser.add_argument("--school", type=int, default=1000, help="size of the bench school they are taken from")
    parser.add_argument("--base", default=cv.DEFAULT_BASE, help=f"the previous version (default {cv.DEFAULT_BASE})")
    parser.add_argument("--out", type=Path, default=cv.DEFAULT_OUT, help=f"where schools are kept ({cv.DEFAULT_OUT})")
    parser.add_argument("--repeat", type=int, default=3, help="processes per version (best of; default 3)")
    args = parser.parse_args()
    n, size = min(args.n, args.school), args.school

    base_sha = cv.git("rev-parse", "--verify", f"{args.base}^{{commit}}")
    holder = Path(tempfile.mkdtemp(prefix="amentor-previous-"))
    worktree = holder / "amentor"
    cv.git("worktree", "add", "--detach", str(worktree), base_sha)
    bench_build = None
    try:
        bench_build = cv.import_bench_build(worktree)
        bench_build.OUT = args.out.resolve()
        bench_build.TRASH = bench_build.OUT / ".trash"
        previous = cv.Version("previous", worktree, f"{args.base} = {base_sha[:12]}")
        current = cv.Version("current", cv.REPO, f"{cv.REPO} at {cv.git('rev-parse', '--short=12', 'HEAD')}")
        source = bench_build.school(size)
        for v in (previous, current):
            cv.check_import(v)
            cv.compile_bytecode(v)
            name = f"compare-{size}-previous-{base_sha[:12]}" if v.label == "previous" else f"compare-{size}-current"
            v.school = bench_build.OUT / name
            if not (v.school / ".amentor" / "cache" / "media").is_dir():  # derived images made once
                cv.school_copy(source, v.school, v.checkout, bench_build.set_aside)
                print(f"  {v.label}: building {v.school} once (the derived images)", flush=True)
                cv.build(v)
        compiled = holder / "compiled"
        runs: dict[str, list[dict[str, float]]] = {"previous": [], "current": [], "current, previous theme": []}
        for _ in range(max(1, args.repeat)):
            runs["previous"].append(measure(previous, PREVIOUS, n, 3, previous.school / "theme", compiled / "p"))
            runs["current"].append(measure(current, CURRENT, n, 3, current.school / "theme", compiled / "c"))
            old_theme = measure(current, CURRENT, n, 3, previous.school / "theme", compiled / "o")
            runs["current, previous theme"].append(old_theme)
        best = {label: {p: min(r[p] for r in rs) for p in PARTS} for label, rs in runs.items()}
        print(f"\nprevious = {previous.description}, current = {current.description}; first {n} children of {size};")
        print(f"CPU milliseconds per child, best of {args.repeat} processes x 3 rounds\n")
        print("| part | previous | current | ratio | current code, previous theme |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for part in PARTS:
            old, new, mixed = (best[label][part] for label in runs)
            print(f"| {part} | {old:.2f} | {new:.2f} | {new / old:.2f} | {mixed:.2f} |")
        whole = [sum(best[label][p] for p in PARTS if p not in ("YAML", "charts")) for label in runs]
        print(
            f"| records + judge + render + seal | {whole[0]:.2f} | {whole[1]:.2f} | {whole[1] / whole[0]:.2f} "
            f"| {whole[2]:.2f} |"
        )
    except cv.BuildFailed as exc:
        print(f"\n{exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        if bench_build is not None:
            shutil.rmtree(bench_build.TRASH, ignore_errors=True)
        subprocess.run(["git", "-C", str(cv.REPO), "worktree", "remove", "--force", str(worktree)], check=False)
        shutil.rmtree(holder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
