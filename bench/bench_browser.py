"""Time what a family feels, in headless Chromium: `python bench/bench_browser.py [PROJECT]`.

Builds the project (default: the sample school in this repository) with a fresh demo login,
serves it on 127.0.0.1 and measures, over several runs: PBKDF2 alone (600,000 iterations in
WebCrypto), login to the first folder page, and moving to another page of the folder.
"""

from __future__ import annotations

import functools
import http.server
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
RUNS = 5


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    from playwright.sync_api import sync_playwright

    project = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE.parent
    cli = [sys.executable, "-m", "amentor_build.cli"]
    first = json.loads(
        subprocess.run(
            cli + ["logins", "issue", "-p", str(project), "--json"], check=True, capture_output=True, text=True
        ).stdout
        or "[]"
    )
    logins = [x for x in first if x["guardian"]] or json.loads(
        subprocess.run(
            cli + ["logins", "issue", "-p", str(project), "--json", "--pupil", "HF1000", "--guardian", "carer"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    subprocess.run(cli + ["build", "-p", str(project)], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(project / "site"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    login = logins[0]
    kdf, unlock, move = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(RUNS):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "index.html")
            kdf.append(
                page.evaluate("""async () => {
                const m = await crypto.subtle.importKey('raw', new TextEncoder().encode('a-b-c-d'), 'PBKDF2', false, ['deriveBits']);
                const t = performance.now();
                await crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations: 600000}, m, 256);
                return performance.now() - t; }""")
                / 1000
            )
            page.fill("input[name=code]", login["code"])
            page.fill("input[name=password]", login["password"])
            started = time.perf_counter()
            page.click("button[type=submit]")
            page.wait_for_selector("h1.child-name")
            unlock.append(time.perf_counter() - started)
            page.wait_for_timeout(300)  # let the prefetch of the other pages finish, as it would while reading
            for target in ("year-1", "targets", "progress", "work"):
                # measured inside the page: from the hash change to the page (and its pictures) shown
                move.append(
                    page.evaluate(
                        """(target) => new Promise((resolve) => {
                    const started = performance.now();
                    document.addEventListener('amentor:page', () => resolve(performance.now() - started), {once: true});
                    location.hash = target; })""",
                        target,
                    )
                    / 1000
                )
            context.close()
        browser.close()
    server.shutdown()
    print(f"PBKDF2-SHA256 600,000 iterations in WebCrypto: median {statistics.median(kdf):.2f} s")
    print(f"login to first folder page: median {statistics.median(unlock):.2f} s (max {max(unlock):.2f} s)")
    print(
        f"another page of the folder (in the page, pictures included): median {statistics.median(move) * 1000:.0f} ms "
        f"(max {max(move) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
