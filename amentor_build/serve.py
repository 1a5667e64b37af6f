"""`amentor serve`: a local preview on 127.0.0.1 that rebuilds when the project changes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .errors import AmentorError, ProjectErrors

WATCHED = ("school.yml", "mkdocs.yml", "pupils", "content", "theme")


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every watched file, to notice a change by polling."""
    out: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            with contextlib.suppress(OSError):  # removed while we looked
                out[str(file)] = file.stat().st_mtime
    return out


def try_build(rebuild: Callable[[], object]) -> None:
    try:
        rebuild()
    except ProjectErrors as exc:
        print("\n".join(str(p) for p in exc.problems), file=sys.stderr)
        print("amentor: errors found; still serving the last good site", file=sys.stderr)
    except AmentorError as exc:
        print(f"amentor: {exc}; still serving the last good site", file=sys.stderr)


def serve(root: Path, site_dir: Path, port: int, rebuild: Callable[[], object], poll: float = 1.0) -> None:
    """Build, serve site_dir on 127.0.0.1:port, and rebuild on every change until interrupted."""
    try_build(rebuild)
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"amentor: serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr)
    seen = snapshot(root)
    try:
        while True:
            time.sleep(poll)
            now = snapshot(root)
            if now != seen:
                seen = now
                print("amentor: change detected, rebuilding", file=sys.stderr)
                try_build(rebuild)
    finally:
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep the terminal for build messages
        pass
