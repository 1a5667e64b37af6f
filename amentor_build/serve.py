"""`amentor serve`: a local preview on 127.0.0.1 that rebuilds when the project changes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import AmentorError, UsageError
from .lock import ProjectLocked
from .protection.seal import HEADERS

# What a build reads: the records, the public pages, the theme, and the keystore (a login
# issued or revoked by another command opens or closes folders only once the site is rebuilt).
KEYSTORE = ".amentor/keystore.json"  # a build writes it too (a new child's keys): see `serve`
WATCHED = ("school.yml", "mkdocs.yml", "pupils", "content", "theme", KEYSTORE)


def snapshot(root: Path, names: tuple[str, ...] = WATCHED) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file, to notice a change by polling."""
    out: dict[str, tuple[int, int]] = {}
    for name in names:
        path = root / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else []
        for file in files:
            with contextlib.suppress(OSError):  # removed while we looked
                found = file.stat()
                out[str(file)] = (found.st_mtime_ns, found.st_size)
    return out


def try_build(rebuild: Callable[[], object], site_dir: Path) -> bool:
    """Build; False if the project was in use by another command (the change is still to build)."""
    try:
        rebuild()
    except ProjectLocked as exc:  # not "try again": serve does, itself
        print(
            f"amentor: the project is in use by {exc.holder}; {meanwhile(site_dir)}; serve tries again in a moment",
            file=sys.stderr,
        )
        return False
    except AmentorError as exc:  # said as every command says it, then what the preview shows meanwhile
        print("\n".join(exc.lines()), file=sys.stderr)
        print(f"amentor: {meanwhile(site_dir)} (it builds again when a file changes)", file=sys.stderr)
    return True


def meanwhile(site_dir: Path) -> str:
    """What the preview shows while the project cannot be built."""
    if (site_dir / "index.html").is_file():
        return "still serving the last good site"
    return "no site to serve until a build succeeds"


def serve(root: Path, site_dir: Path, port: int, rebuild: Callable[[], object], poll: float = 1.0) -> None:
    """Build, serve site_dir on 127.0.0.1:port, and rebuild on every change until interrupted.
    A rebuild the project's lock put off (another command was writing) is tried again."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: a port is a number from 1 to 65535 (8000, say; 0 picks a free one)")
    try:
        server = Server(("127.0.0.1", port), functools.partial(Handler, directory=str(site_dir)))
    except OSError as exc:  # the port is taken, or not ours to use
        raise UsageError(f"--port {port}: cannot serve on 127.0.0.1:{port} ({exc.strerror or exc})") from None
    seen = snapshot(root)
    built = try_build(rebuild, site_dir)
    seen |= snapshot(root, (KEYSTORE,))  # what the build wrote there itself (no other command could: the lock)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"amentor: serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        while True:
            time.sleep(poll)
            now = snapshot(root)
            if now != seen or not built:
                seen = now
                print("amentor: change detected, rebuilding" if built else "amentor: rebuilding", file=sys.stderr)
                built = try_build(rebuild, site_dir)
                seen |= snapshot(root, (KEYSTORE,))
    except KeyboardInterrupt:  # Ctrl+C: the way to stop a preview, as the line above says
        print("amentor: stopped serving", file=sys.stderr)
    finally:
        server.shutdown()
        server.server_close()


NO_SITE = b"""<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>No site yet</title><p>amentor serve: no site yet. No build has succeeded so far: the terminal
where <code>amentor serve</code> runs says why. This page becomes the site once one does.</p>
"""


class Server(http.server.ThreadingHTTPServer):
    """The preview's server. A browser that stops a download (a page left before its pictures
    arrived) is no error to report; anything else that fails a request is said in one line,
    not as socketserver's traceback, and serving goes on."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        failed = sys.exc_info()[1]
        if isinstance(failed, (ConnectionError, TimeoutError)):  # reset, broken pipe: the browser went away
            return
        print(f"amentor: a request to the preview failed: {failed!r}; still serving", file=sys.stderr)


class Handler(http.server.SimpleHTTPRequestHandler):
    """The site's files as a static host serves them: no directory listings (a listing of f/
    or k/ is not something a real host shows), the site's 404 page, no request log in the
    terminal; before any build has succeeded, a page that says so (and looks again every two
    seconds)."""

    def do_GET(self) -> None:
        if not os.path.isfile(os.path.join(self.directory, "index.html")):
            self.send_response(503)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(NO_SITE)))
            self.end_headers()
            self.wfile.write(NO_SITE)
            return
        super().do_GET()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "No such page")
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A page that is not there: the site's own 404 page (as a host serves it), if it has one."""
        page = None
        if code == 404:
            with contextlib.suppress(OSError), open(os.path.join(self.directory, "404.html"), "rb") as f:
                page = f.read()
        if page is None:
            super().send_error(code, message, explain)
            return
        self.send_response(404, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(page)

    def end_headers(self) -> None:
        # Asked again on each load (answered "not modified" if it is not): a page is never
        # shown as an earlier build had it, after a rebuild.
        self.send_header("Cache-Control", "no-cache")
        for name, value in HEADERS.items():  # as the build's _headers ask of a host: the preview is one
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep the terminal for build messages
        pass
