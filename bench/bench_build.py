"""Time a full build of a synthetic school: `python bench/bench_build.py 100 1000`.

Each school is N invented Year 6 children with six complete year files and two work
files a year (generated once into bench/out/, reused afterwards). For each N it reports
a cold build (empty image cache), a warm build, peak memory and output size. Every
build runs in a fresh process, the way a teacher runs `amentor build`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from amentor_build.scaffold import starter_dir, write_project_files  # noqa: E402


def school(n: int) -> Path:
    """Return the synthetic school of n pupils, generating it on first use."""
    root = HERE / "out" / f"school-{n}"
    if not (root / "school.yml").is_file():
        print(f"generating a school of {n} pupils with six-year histories ...", flush=True)
        started = time.perf_counter()
        shutil.rmtree(root, ignore_errors=True)
        write_project_files(root, starter_dir(), f"Bench School {n}", n, full_history=True, complete_years=True)
        print(f"  generated in {time.perf_counter() - started:.1f}s", flush=True)
    for part in ("theme", "content"):  # always build with this checkout's theme
        shutil.rmtree(root / part, ignore_errors=True)
        shutil.copytree(starter_dir() / part, root / part)
    return root


def timed_build(root: Path) -> tuple[float, float, str]:
    """Run `amentor build -v` in a fresh process; return (seconds, peak resident MB, stage times)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "amentor_build.cli", "build", "-v", "-p", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed:\n{err}")
    stages = next((line.split("stages: ", 1)[1] for line in err.splitlines() if "stages: " in line), "")
    return elapsed, usage.ru_maxrss / 1024, stages


def site_bytes(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        root = school(n)
        shutil.rmtree(root / ".amentor" / "cache", ignore_errors=True)
        cold, cold_mem, cold_stages = timed_build(root)
        warm, warm_mem, warm_stages = timed_build(root)
        size = site_bytes(root / "site")
        rows.append((n, cold, warm, max(cold_mem, warm_mem), size))
        print(f"N={n}: cold {cold:.1f}s ({cold_stages}); warm {warm:.1f}s ({warm_stages}); "
              f"peak {max(cold_mem, warm_mem):.0f} MB, site {size / 1e6:.1f} MB", flush=True)
    print("\n| pupils | cold build | warm build | peak memory | site size |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n, cold, warm, mem, size in rows:
        print(f"| {n} | {cold:.1f} s | {warm:.1f} s | {mem:.0f} MB | {size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
