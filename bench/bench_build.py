"""Build speed and size of amentor on synthetic schools, against mkdocs + encryptcontent.

    python bench/bench_build.py                 # N = 100 and 1000, comparison at N = 100
    python bench/bench_build.py 200 --compare 200
    python bench/bench_build.py --out /tmp/amentor-bench   # schools on another file system

Each school is N invented Year 6 children with six complete year files and two work files
a year (writing as JPEG, theme work as JPEG or PDF), generated once into bench/out/ and
reused (or in --out DIR). Every build runs in a fresh process, the way a teacher runs
`amentor build`, with protection on (there is no other way to build), after os.sync() so
that no build pays for writing back the previous one's files; old sites and caches are moved
into a trash folder, emptied at the end, rather than deleted just before a timed build (see
set_aside). For each N it prints:

- cold: nothing cached, no site (records parsed, every image derived, every page sealed);
- full, image cache warm: no site and no record/folder cache, only the derived images kept;
- full render, template changed: every folder rendered again after an edit to a template
  (records, images and unchanged sealed pictures are reused);
- no change: a rebuild with nothing changed;
- one child changed: a rebuild after one child's year file changed (five times: median and
  slowest), and how many files outside that child's folder were rewritten or re-timed (should be 0);
- peak memory (largest process), output size, and bytes per child-year without work files;
- the CPU share of protection (sealing) in a full render;
- how long this file system takes to create files (the site is tens of thousands of them):
  on a machine where that is slow, every full build is slow.

Then the same children as Markdown, one page per child-year with its own password, built by
plain mkdocs with mkdocs-encryptcontent-plugin (pip install mkdocs-encryptcontent-plugin),
and the ratio; and, unless --no-browser, bench_browser.py's figures from headless Chromium
(login to the first folder page, moving to another page).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
OUT = HERE / "out"  # where the synthetic schools live (--out)
TRASH = OUT / ".trash"

from amentor_build.scaffold import starter_dir, write_project_files  # noqa: E402

PAGE_FILES = re.compile(
    r"^f/[0-9a-f]+/(index\.html|notes\.bin|overview\.bin|year-\d\.bin|targets\.bin|"
    r"assessments\.bin|conversations\.bin|progress\.bin|work\.bin)$"
)


def school(n: int) -> Path:
    """Return the synthetic school of n pupils, generating it on first use."""
    root = OUT / f"school-{n}"
    if not (root / ".generated").is_file():
        print(f"generating a school of {n} pupils with six-year histories ...", flush=True)
        started = time.perf_counter()
        shutil.rmtree(root, ignore_errors=True)
        write_project_files(root, starter_dir(), f"Bench School {n}", n, full_history=True, complete_years=True)
        (root / ".generated").write_text("ok")
        print(f"  generated in {time.perf_counter() - started:.1f}s", flush=True)
    for part in ("theme", "content"):  # always build with this checkout's theme
        shutil.rmtree(root / part, ignore_errors=True)
        shutil.copytree(starter_dir() / part, root / part)
    return root


def run(args: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command in a fresh process; return (seconds, peak resident MB, stderr)."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode() if proc.stderr else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{err}")
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime  # the child's, and its workers' once it has waited for them
    return elapsed, usage.ru_maxrss / 1024, err


LAST_CPU = [0.0]  # CPU seconds (user + system, worker processes included) of the last run


def amentor_build(root: Path) -> tuple[float, float, dict[str, float]]:
    seconds, peak, err = run([sys.executable, "-m", "amentor_build.cli", "build", "-v", "-p", str(root)])
    line = next((x.split("stages: ", 1)[1] for x in err.splitlines() if "stages: " in x), "")
    stages = {k: float(v.rstrip("s")) for k, v in (part.rsplit(" ", 1) for part in line.split(", ") if part)}
    stages["cpu total"] = LAST_CPU[0]
    return seconds, peak, stages


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size) for p in site.rglob("*") if p.is_file()
    }


def set_aside(path: Path) -> None:
    """Move path into the trash (emptied when the bench ends), instead of deleting it now.

    ext4 will not give a new file an inode deleted in the last minutes, and checks every
    candidate it skips: creating the 36,000 files of a site right after deleting those of
    the previous one costs several times the kernel time (seen here: 25 s of system time
    instead of 6 s for N = 1,000). A school does not delete its site before each build;
    the bench should not make every build pay for doing so.
    """
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{path.name}-{secrets.token_hex(4)}")


def measure(n: int) -> dict[str, object]:
    root = school(n)
    cache = root / ".amentor" / "cache"
    out: dict[str, object] = {"n": n}
    set_aside(cache)
    set_aside(root / "site")
    out["cold"], peak_cold, _ = amentor_build(root)
    for name in ("records", "folders.pickle", "public.json", "audit.json"):
        set_aside(cache / name)
    set_aside(root / "site")
    out["full_warm_images"], peak_full, stages = amentor_build(root)
    out["stages_full"] = stages
    template = root / "theme" / "folder" / "work.html"
    template.write_text(template.read_text(encoding="utf-8") + "<!-- bench edit -->\n", encoding="utf-8")
    out["full_records_cached"], _, render_stages = amentor_build(root)
    out["render_stages"] = render_stages
    out["no_change"], _, _ = amentor_build(root)
    before = snapshot(root / "site")
    year_file = sorted((root / "pupils").iterdir())[0] / "2026-27.yml"
    one: list[float] = []
    for _ in range(5):
        text = year_file.read_text(encoding="utf-8")
        year_file.write_text(
            text.replace('went_well: "', f'went_well: "Bench edit {secrets.token_hex(3)}. ', 1), encoding="utf-8"
        )
        one.append(amentor_build(root)[0])
    out["one_change"], out["one_change_max"] = sorted(one)[len(one) // 2], max(one)
    after = snapshot(root / "site")
    changed = {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)}
    folders = {rel.split("/")[1] for rel in changed if rel.startswith("f/")}
    out["one_change_folders"] = len(folders)
    out["one_change_other_files"] = len([rel for rel in changed if not rel.startswith("f/")])
    out["peak_mb"] = max(peak_cold, peak_full)
    sizes = {rel: size for rel, (_, size) in after.items()}
    out["site_mb"] = sum(sizes.values()) / 1e6
    out["bytes_per_child_year"] = sum(size for rel, size in sizes.items() if PAGE_FILES.match(rel)) / (n * 6)
    return out


def file_creation_probe(directory: Path, count: int = 10000, size: int = 32 * 1024) -> float:
    """Seconds to create count files of size bytes in 100 folders (then removed)."""
    probe = directory / ".probe"
    set_aside(probe)
    data = os.urandom(size)
    os.sync()
    started = time.perf_counter()
    for i in range(count):
        folder = probe / str(i % 100)
        if i < 100:
            folder.mkdir(parents=True)
        (folder / f"{i}.bin").write_bytes(data)
    seconds = time.perf_counter() - started
    set_aside(probe)
    return seconds


def markdown_school(n: int) -> Path:
    """The same children as one Markdown page per child-year, each page with its own password."""
    import yaml

    source = school(n)
    root = OUT / f"encryptcontent-{n}"
    set_aside(root)
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# Folders\n")
    for folder in sorted((source / "pupils").iterdir()):
        pupil = yaml.safe_load((folder / "pupil.yml").read_text(encoding="utf-8"))
        for year_file in sorted(folder.glob("20*.yml")):
            year = yaml.safe_load(year_file.read_text(encoding="utf-8"))
            lines = [
                "---",
                f"password: {secrets.token_urlsafe(12)}",
                "---",
                f"# {pupil['first_name']} {pupil['last_name']}: Year {year['year_group']} ({year_file.stem})",
                "",
            ]
            for term, record in (year.get("terms") or {}).items():
                lines += [f"## {term.capitalize()}", "", "| Subject | Working at | Target |", "| --- | --- | --- |"]
                lines += [f"| {s} | {a['working_at']} | {a['target']} |" for s, a in record["attainment"].items()]
                lines += ["", "### Targets", ""] + [
                    f"- {t['text']} ({t.get('review', 'open')})" for items in record["targets"].values() for t in items
                ]
                conversation = record.get("conversation") or {}
                lines += ["", "### Conversation", ""] + [f"**{k}**: {v}" for k, v in conversation.items()] + [""]
            page = docs / folder.name / f"{year_file.stem}.md"
            page.parent.mkdir(exist_ok=True)
            page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: Bench\nplugins:\n  - search\n  - encryptcontent\n", encoding="utf-8")
    return root


def compare(n: int, amentor_seconds: float) -> dict[str, float] | None:
    try:
        import encryptcontent  # noqa: F401  (only checks that the plugin is installed)
    except ImportError:
        print(
            "mkdocs-encryptcontent-plugin is not installed: comparison skipped "
            "(pip install mkdocs-encryptcontent-plugin)",
            flush=True,
        )
        return None
    root = markdown_school(n)
    seconds, peak, _ = run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root)
    size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file()) / 1e6
    return {"n": n, "seconds": seconds, "peak_mb": peak, "site_mb": size, "ratio": seconds / amentor_seconds}


def main() -> None:
    global OUT, TRASH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    parser.add_argument(
        "--compare", type=int, default=100, help="N for the mkdocs + encryptcontent comparison (0: skip)"
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where the synthetic schools are kept (default bench/out)"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium figures")
    args = parser.parse_args()
    OUT = args.out.resolve()
    TRASH = OUT / ".trash"
    OUT.mkdir(parents=True, exist_ok=True)
    probe = file_creation_probe(OUT)
    print(f"file system at {OUT}: creating 10,000 files of 32 KiB took {probe:.2f} s", flush=True)
    results = []
    for n in args.sizes:
        result = measure(n)
        results.append(result)
        print(f"N={n}: {result}", flush=True)
    print(
        "\n| pupils | cold | full, images cached | full render, template changed | no change "
        "| one child changed (median, slowest of 5) | peak memory | site | per child-year (no work files) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['n']} | {r['cold']:.1f} s | {r['full_warm_images']:.1f} s | {r['full_records_cached']:.1f} s "
            f"| {r['no_change']:.2f} s | {r['one_change']:.2f} s, {r['one_change_max']:.2f} s | {r['peak_mb']:.0f} MB "
            f"| {r['site_mb']:.0f} MB | {r['bytes_per_child_year'] / 1024:.1f} KiB |"
        )
    for r in results:
        stages = r["stages_full"]  # a build that seals every page and picture
        total = stages.get("cpu render", 0) + stages.get("cpu seal", 0) + stages.get("cpu write", 0)
        whole = stages.get("cpu total", 0)
        print(
            f"N={r['n']}: one child changed rewrote {r['one_change_folders']} folder(s) and "
            f"{r['one_change_other_files']} other file(s); in a full build, protection (sealing) took "
            f"{stages.get('cpu seal', 0):.1f} CPU seconds: {100 * stages.get('cpu seal', 0) / max(whole, 1e-9):.0f}% "
            f"of the build's {whole:.1f} (every process), {100 * stages.get('cpu seal', 0) / max(total, 1e-9):.0f}% "
            f"of the folders' {total:.1f} (render, seal, write); the privacy audit {stages.get('audit', 0):.1f} s"
        )
    if args.compare:
        base = next((r for r in results if r["n"] == args.compare), None) or measure(args.compare)
        other = compare(args.compare, base["full_warm_images"])
        if other:
            print(
                f"\nmkdocs + encryptcontent, {args.compare} children x 6 pages, one password per page: "
                f"{other['seconds']:.1f} s, {other['site_mb']:.0f} MB; amentor (full build, images cached): "
                f"{base['full_warm_images']:.1f} s; amentor is {other['ratio']:.1f}x faster"
            )
    shutil.rmtree(TRASH, ignore_errors=True)
    if not args.no_browser:
        print("\nin headless Chromium (bench/bench_browser.py, the sample school):", flush=True)
        if Path("/usr/bin/chromium").exists():
            subprocess.run([sys.executable, str(HERE / "bench_browser.py")], check=False)
        else:
            print("  /usr/bin/chromium is not installed: skipped (apt-get install -y chromium)", flush=True)


if __name__ == "__main__":
    main()
