"""The previous amentor against the current checkout: the same synthetic schools, one run, one machine.

    python bench/compare_versions.py                    # N = 100 and 1000, previous = 853271b
    python bench/compare_versions.py 200 --base HEAD~3 --repeat 5
    python bench/compare_versions.py --quick            # smoke run: N = 30, each measure once
    python bench/compare_versions.py --quick --base 853271b --current /tmp/other-checkout

The previous version is a git commit (--base, default 853271b), checked out with
`git worktree add --detach` into a temporary folder and removed at the end. The current one
is the checkout this file lives in, uncommitted changes included (or --current DIR, any
amentor checkout). Each build runs in a fresh process with the same interpreter, the way a
teacher runs `amentor build`, with PYTHONPATH set to that version's checkout and only
`amentor_build.cli.main` called, so the bench does not depend on how either version lays
out its modules.

The schools are bench_build.py's (N invented Year 6 children with six complete year files
and two work files a year), generated once into --out (default /tmp/amentor-bench) by the
current checkout's generator. Each version builds its own copy of the school
(compare-N-previous-<commit>, compare-N-current), with theme/ and content/ from its own
checkout, and keeps its own .amentor/ (keystore, caches) and site/. Between runs of the bench
only the derived-image caches of those copies are kept.

For each N, after one untimed build per version that warms everything, it times, alternating
previous and current (previous, current, previous, current, ...) so that neither gets a
quieter machine:

- full build, images cached: no site and nothing under .amentor/cache/ but the derived
  images (any folder named `media` there); the keystore is kept (median and fastest of
  --repeat runs: on a shared machine the fastest is the least disturbed);
- one child changed: a rebuild after one mentoring comment in the newest year file of one
  child was changed: the first and the second rebuild after the full builds, each timed apart
  (the current version makes its spare tree in the first, and records the published
  directories' stamps in the first two: once after a full build), then five more (median and
  slowest);
- no change: a rebuild with nothing changed.

Both versions' modules are compiled to bytecode first, as `pip install` leaves them. Every
timed build follows os.sync(), so that none pays for writing back the previous one's files;
old sites and caches are moved into a trash folder, emptied at the end, rather than deleted
just before a timed build (see bench_build.set_aside). It prints a markdown table with the
ratio current / previous (below 1: the current version is faster), in seconds and in CPU
seconds (user and system, worker processes included: steadier than the wall clock on a shared
machine, but a build that uses more cores can spend more CPU and still finish first), and
exits non-zero, with the build's stderr, if any build fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_BASE = "853271b"
DEFAULT_OUT = Path("/tmp/amentor-bench")
ONE_CHILD_RUNS = 5
LAUNCH = "import sys; from amentor_build.cli import main; sys.exit(main())"
NOT_COPIED = {"site", ".amentor", ".generated", "theme", "content"}  # at the top of a school


class BuildFailed(Exception):
    pass


@dataclass
class Version:
    label: str  # "previous" or "current"
    checkout: Path
    description: str
    school: Path = Path()  # this version's copy of the school being measured
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # user + system seconds, workers included

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.checkout)
        env.pop("PYTHONHOME", None)
        return env


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True).stdout.strip()


def starter(checkout: Path) -> Path:
    """The folder holding a checkout's starter theme/ and content/ (as scaffold.starter_dir looks for it)."""
    for candidate in (checkout / "amentor_build" / "starter", checkout):
        if (candidate / "theme" / "main.html").is_file() and (candidate / "content").is_dir():
            return candidate
    raise SystemExit(f"no starter theme/ and content/ in {checkout}")


def import_bench_build(fallback: Path):
    """bench_build, whose school generator is the current checkout's; the previous version's if that cannot be imported."""
    sys.path.insert(0, str(HERE))
    try:
        import bench_build
    except ImportError as exc:  # the current checkout mid-refactor: generate with the previous version's scaffold
        print(
            f"note: bench_build cannot import the current checkout's scaffold ({exc}); "
            f"schools are generated with {fallback}'s",
            flush=True,
        )
        for name in [m for m in sys.modules if m == "amentor_build" or m.startswith("amentor_build.")]:
            del sys.modules[name]
        sys.path.insert(0, str(fallback))
        import bench_build

        import amentor_build.scaffold  # noqa: F401  (bench_build's import then finds it in sys.modules)
    return bench_build


def keep_only_media(cache: Path, set_aside) -> None:
    """Set aside everything under cache except folders named media (and the folders leading to them)."""
    if not cache.is_dir():
        return
    for entry in list(cache.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            if entry.name == "media":
                continue
            if any(p.name == "media" and p.is_dir() for p in entry.rglob("media")):
                keep_only_media(entry, set_aside)
                continue
        set_aside(entry)


def school_copy(source: Path, dest: Path, checkout: Path, set_aside) -> Path:
    """dest as a copy of source with checkout's theme/content; of a previous copy only the derived images stay."""
    if dest.exists():
        for entry in list(dest.iterdir()):
            if entry.name != ".amentor":
                set_aside(entry)
        state = dest / ".amentor"
        if state.is_dir():
            for entry in list(state.iterdir()):
                if entry.name != "cache":
                    set_aside(entry)
            keep_only_media(state / "cache", set_aside)

    def ignore(directory: str, names: list[str]) -> set[str]:
        if Path(directory) != source:
            return set()
        return {n for n in names if n in NOT_COPIED or n.startswith(".site.")}

    shutil.copytree(source, dest, ignore=ignore, symlinks=True, dirs_exist_ok=True)
    for part in ("theme", "content"):
        shutil.copytree(starter(checkout) / part, dest / part, symlinks=True)
    return dest


def build(version: Version, timed: str | None = None) -> float:
    """Build version's school in a fresh process; record the seconds under timed (if given)."""
    school = version.school
    args = [sys.executable, "-c", LAUNCH, "build", "-p", str(school)]
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=school, env=version.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise BuildFailed(
            f"the {version.label} version's build failed (exit {proc.returncode}, {seconds:.1f} s):\n"
            f"  cd {school} && PYTHONPATH={version.checkout} {shlex.join(args)}\n"
            f"{proc.stderr.decode(errors='replace')}"
        )
    if timed:
        version.times.setdefault(timed, []).append(seconds)
        version.cpu.setdefault(timed, []).append(cpu)
        print(f"  {version.label:8} {timed}: {seconds:.2f} s (CPU {cpu:.2f} s)", flush=True)
    return seconds


def compile_bytecode(version: Version) -> None:
    """Compile the version's modules once, as `pip install` does: a teacher's `amentor build` reads
    them compiled, and without it each build of a version with more modules would pay for
    compiling them (every time, where PYTHONDONTWRITEBYTECODE is set)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(version.checkout / "amentor_build")],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def check_import(version: Version) -> None:
    """Make sure the fresh process imports amentor_build from this version's checkout (not an installed copy)."""
    proc = subprocess.run(
        [sys.executable, "-c", "import amentor_build; print(amentor_build.__file__)"],
        cwd=tempfile.gettempdir(),
        env=version.env(),
        capture_output=True,
        text=True,
    )
    found = Path(proc.stdout.strip()).resolve() if proc.returncode == 0 else None
    if not found or not found.is_relative_to(version.checkout.resolve()):
        raise BuildFailed(
            f"the {version.label} version imports amentor_build from {found}, "
            f"not from {version.checkout}:\n{proc.stderr}"
        )


def reset_for_full_build(school: Path, set_aside) -> None:
    """No site, no staging left over, no cache but the derived images; the keystore stays."""
    set_aside(school / "site")
    for leftover in school.glob(".site.*"):
        set_aside(leftover)
    keep_only_media(school / ".amentor" / "cache", set_aside)


def edit_one_child(school: Path) -> None:
    """Change one mentoring comment in the newest year file of the first child (as bench_build.py
    does): the child's folder must be rendered, sealed and published again."""
    pupil = sorted(p for p in (school / "pupils").iterdir() if p.is_dir())[0]
    year_file = sorted(pupil.glob("20*.yml"))[-1]
    text = year_file.read_text(encoding="utf-8")
    edited = text.replace('went_well: "', f'went_well: "Bench edit {secrets.token_hex(3)}. ', 1)
    if edited == text:
        raise SystemExit(f"no went_well to edit in {year_file}")
    year_file.write_text(edited, encoding="utf-8")


def measure(n: int, versions: list[Version], bench_build, repeat: int, base_sha: str) -> None:
    source = bench_build.school(n)
    for v in versions:
        v.times, v.cpu = {}, {}
        name = f"compare-{n}-previous-{base_sha[:12]}" if v.label == "previous" else f"compare-{n}-current"
        v.school = school_copy(source, bench_build.OUT / name, v.checkout, bench_build.set_aside)
    print(f"N={n}: warming up (one untimed build each)", flush=True)
    for v in versions:
        print(f"  {v.label:8} warm-up: {build(v):.1f} s", flush=True)
    for _ in range(repeat):
        for v in versions:
            reset_for_full_build(v.school, bench_build.set_aside)
            build(v, "full")
    # The first two rebuilds after a full build pay once for what later ones reuse (the current
    # version makes the spare tree, then records each published directory's stamps): timed apart.
    for key in ("first", "second"):
        for v in versions:
            edit_one_child(v.school)
            build(v, key)
    for _ in range(ONE_CHILD_RUNS):
        for v in versions:
            edit_one_child(v.school)
            build(v, "one")
    for v in versions:
        build(v, "none")


def rows(n: int, previous: Version, current: Version) -> list[tuple[str, float, float, float, float]]:
    """Each measure: (name, previous seconds, current seconds, previous CPU, current CPU), the CPU
    seconds being those of the very run picked (the median's, or the slowest's)."""

    def pick(v: Version, key: str, how) -> tuple[float, float]:
        chosen = how(v.times[key])
        if how is statistics.median and len(v.times[key]) % 2 == 0:  # the median of an even count is no run
            chosen = sorted(v.times[key])[len(v.times[key]) // 2]
        return chosen, v.cpu[key][v.times[key].index(chosen)]

    measures = [
        ("full build, images cached (median)", "full", statistics.median),
        ("full build, images cached (fastest: the least disturbed)", "full", min),
        ("one child changed, the first rebuild after a full build", "first", min),
        ("one child changed, the second", "second", min),
        (f"one child changed, then (median of {ONE_CHILD_RUNS})", "one", statistics.median),
        (f"one child changed, then (slowest of {ONE_CHILD_RUNS})", "one", max),
        ("no change", "none", statistics.median),
    ]
    out = []
    for name, key, how in measures:
        (old, old_cpu), (new, new_cpu) = pick(previous, key, how), pick(current, key, how)
        out.append((name, old, new, old_cpu, new_cpu))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000], help="numbers of pupils (default 100 1000)")
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"the previous version's commit (default {DEFAULT_BASE})")
    parser.add_argument(
        "--current",
        type=Path,
        default=REPO,
        help="the current version's checkout (default: the one this file lives in)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"where the schools are kept (default {DEFAULT_OUT})"
    )
    parser.add_argument("--repeat", type=int, default=3, help="full builds per version (median reported; default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: N = 30, --repeat 1")
    args = parser.parse_args()
    sizes, repeat = ([30], 1) if args.quick else (args.sizes, max(1, args.repeat))
    current_dir = args.current.resolve()
    if (
        not (current_dir / "amentor_build" / "cli").exists()
        and not (current_dir / "amentor_build" / "cli.py").is_file()
    ):
        parser.error(f"{current_dir} is not an amentor checkout (no amentor_build/cli)")

    base_sha = git("rev-parse", "--verify", f"{args.base}^{{commit}}")
    holder = Path(tempfile.mkdtemp(prefix="amentor-previous-"))
    worktree = holder / "amentor"
    git("worktree", "add", "--detach", str(worktree), base_sha)
    bench_build = None
    status = 0
    try:
        bench_build = import_bench_build(worktree)
        bench_build.OUT = args.out.resolve()
        bench_build.TRASH = bench_build.OUT / ".trash"
        bench_build.OUT.mkdir(parents=True, exist_ok=True)

        try:
            head = git("rev-parse", "--short=12", "HEAD", cwd=current_dir)
            dirty = git("status", "--porcelain", "--untracked-files=no", cwd=current_dir)
            current_text = f"{current_dir} at {head}" + (" with uncommitted changes" if dirty else "")
        except subprocess.CalledProcessError:
            current_text = f"{current_dir} (not a git checkout)"
        previous = Version("previous", worktree, f"{args.base} = {base_sha[:12]} (worktree {worktree})")
        current = Version("current", current_dir, current_text)
        versions = [previous, current]
        print(
            f"previous: {previous.description}\ncurrent:  {current.description}\n"
            f"python:   {sys.executable} ({sys.version.split()[0]}); schools in {bench_build.OUT}; "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        for v in versions:
            check_import(v)
            compile_bytecode(v)

        table: list[tuple[int, str, float, float, float, float]] = []
        for n in sizes:
            measure(n, versions, bench_build, repeat, base_sha)
            table += [(n, *row) for row in rows(n, previous, current)]
        print(
            f"\nprevious = {args.base} ({base_sha[:12]}), current = {current.description}; "
            f"full builds: median of {repeat}\n"
        )
        print(
            "| pupils | measure | previous | current | ratio (current/previous) | CPU previous | CPU current | CPU ratio |"
        )
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n, name, old, new, old_cpu, new_cpu in table:
            print(
                f"| {n} | {name} | {old:.2f} s | {new:.2f} s | {new / old:.2f} "
                f"| {old_cpu:.2f} s | {new_cpu:.2f} s | {new_cpu / old_cpu:.2f} |"
            )
    except BuildFailed as exc:
        print(f"\n{exc}", file=sys.stderr, flush=True)
        status = 1
    finally:
        if bench_build is not None:
            shutil.rmtree(bench_build.TRASH, ignore_errors=True)
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False)
        shutil.rmtree(holder, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
