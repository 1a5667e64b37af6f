"""`amentor serve`: a real preview server on 127.0.0.1 that rebuilds when a record changes."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
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


def start_serve(project) -> tuple[subprocess.Popen[str], str]:
    """`amentor serve` of the project as a real process on a free port; and its address."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "amentor_build.cli", "serve", "-p", str(project), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return proc, f"http://127.0.0.1:{port}/"


def test_serve_builds_serves_and_rebuilds_on_change(project):
    proc, base = start_serve(project)
    try:
        assert 'name="password"' in fetch(base, time.monotonic() + 30)
        time.sleep(2.5)  # idle for two polls: the keystore the first build wrote is no change to build
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
    # two edits, two rebuilds: the keys the first build wrote into the keystore are not a change
    assert output.count("change detected, rebuilding") == 2, output
    assert "pupils/ben/2026-27.yml:3:1: clas: unknown key 'clas'" in output


def test_serve_of_a_project_with_errors_and_no_site_yet_says_so_then_builds_once_fixed(project):
    pupil = (project / "pupils/ben/pupil.yml").read_text()
    write(project, "pupils/ben/pupil.yml", pupil + "bogus: 1\n")
    proc, base = start_serve(project)
    try:
        assert no_site_yet(base, time.monotonic() + 30)
        write(project, "pupils/ben/pupil.yml", pupil)
        assert 'name="password"' in fetch(base, time.monotonic() + 30)  # built once the error was fixed
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "unknown key 'bogus'" in output
    assert "amentor: 1 error; nothing was published\namentor: no site to serve until a build succeeds" in output
    assert "last good site" not in output


def no_site_yet(url: str, deadline: float) -> bool:
    """Whether the server, once it answers, says it has no site yet (HTTP 503 and its page)."""
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
            return False  # a page was served before any build succeeded
        except urllib.error.HTTPError as exc:
            return exc.code == 503 and b"no site yet" in exc.read()
        except urllib.error.URLError:  # not listening yet: the first build comes first
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_for(condition, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_serve_rebuilds_after_another_command_and_a_login(project, amentor):
    # A rebuild put off by another command's lock is tried again; a login issued elsewhere
    # (the keystore changes) is built too; folders and login slots are never listed.
    proc, base = start_serve(project)
    try:
        fetch(base, time.monotonic() + 30)
        for listing in ("f/", "k/", "assets/"):
            try:
                urllib.request.urlopen(base + listing, timeout=5)
                raise AssertionError(f"{listing} was listed")
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
        try:  # a page that is not there: the site's own 404 page, as a host sends it
            urllib.request.urlopen(base + "no-such-page.html", timeout=5)
            raise AssertionError("no 404")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404 and exc.read() == (project / "site/404.html").read_bytes()
        with urllib.request.urlopen(base + "index.html", timeout=5) as answer:  # asked again after a rebuild
            assert answer.headers["Cache-Control"] == "no-cache"
            # the security headers the build's _headers ask of a host: the preview sends them too
            host = dict(line.split(": ", 1) for line in (project / "site/_headers").read_text().splitlines()[1:])
            assert {name.strip(): answer.headers[name.strip()] for name in host} == {
                name.strip(): value for name, value in host.items()
            }
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        fd = os.open(project / ".amentor/lock", os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX)  # another command writing, for longer than serve waits (5 s)
        try:
            write(project, "content/guide.md", "# Guide\n\nWritten while the project was busy.\n")
            time.sleep(7)
        finally:
            os.close(fd)
        wait_for(
            lambda: "while the project was busy" in fetch(base + "guide.html", time.monotonic() + 5), "not rebuilt"
        )
        run = amentor("logins", "issue", "--staff", "head", "--json", "-p", str(project))
        assert run.code == 0, run.err
        code = json.loads(run.out)[0]["code"].replace("-", "")
        wait_for(lambda: (project / "site" / "k" / f"{code}.json").is_file(), "the new login's slot was not built")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "the project is in use" in output and "serve tries again in a moment" in output
    assert "Try again when" not in output  # serve tries again itself


def test_serve_on_a_port_in_use_is_a_usage_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "amentor_build.cli", "serve", "-p", str(project), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 2 and f"--port {port}: cannot serve on 127.0.0.1:{port}" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_on_a_port_no_computer_has_is_a_usage_error(amentor, project, port):
    run = amentor("serve", "-p", str(project), "--port", port)
    assert run.code == 2 and run.lines[1:] == [
        f"amentor: --port {port}: a port is a number from 1 to 65535 (8000, say; 0 picks a free one)"
    ]
    assert run.lines[0].startswith("usage: amentor serve")
    assert not (project / "site").exists()  # said before anything is built


def test_a_browser_that_stops_a_download_is_no_traceback(project):
    # A page left before its picture arrived: the browser resets the connection mid-file.
    from PIL import Image

    noise = Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))  # a picture that stays large
    noise.save(project / "pupils/ada/work/2025-26/recount.jpg", quality=90)
    proc, base = start_serve(project)
    try:
        assert 'name="password"' in fetch(base, time.monotonic() + 30)
        site = project / "site"
        largest = max((p for p in site.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
        assert largest.stat().st_size > 512 * 1024  # more than the sockets hold
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1].strip("/")))) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)  # the file cannot all be sent at once
                s.sendall(f"GET /{largest.relative_to(site).as_posix()} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                assert s.recv(64).startswith(b"HTTP/1.0 200")
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = reset
        time.sleep(1)
        assert 'name="password"' in fetch(base, time.monotonic() + 5)  # still serving
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=10)[0]
    finally:
        proc.kill()
    assert "Traceback" not in output and "Exception occurred" not in output, output
    assert "failed" not in output, output


def test_ctrl_c_stops_serve_as_the_way_to_stop_it(project):
    # Ctrl+C is how a preview is stopped ("Ctrl+C to stop"): said, and a success.
    proc, base = start_serve(project)
    try:
        assert 'name="password"' in fetch(base, time.monotonic() + 30)
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=10)[0]
    finally:
        proc.kill()
    assert proc.returncode == 0, output
    assert output.rstrip().endswith("amentor: stopped serving") and "Traceback" not in output, output
