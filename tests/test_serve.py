"""`amentor serve`: a real preview server on 127.0.0.1 that rebuilds when a record changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import write


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_builds_serves_and_rebuilds_on_change(project):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "amentor_build.cli", "serve", "-p", str(project), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        assert 'name="password"' in fetch(base, time.monotonic() + 30)
        write(project, "content/guide.md", "# Guide\n\nFreshly changed words.\n")
        deadline = time.monotonic() + 30
        while "Freshly changed words" not in fetch(base + "guide.html", deadline):
            assert time.monotonic() < deadline, "serve did not rebuild"
            time.sleep(0.3)
        write(project, "pupils/ben/2026-27.yml", "year_group: 2\nclass: Wrens\nclas: typo\n")
        time.sleep(3)
        assert "Freshly changed words" in fetch(base + "guide.html", time.monotonic() + 5)  # last good site kept
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "change detected, rebuilding" in output
    assert "pupils/ben/2026-27.yml:3:1: clas: unknown key 'clas'" in output
