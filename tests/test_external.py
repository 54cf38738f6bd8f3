"""`digest check --external`: every web page the articles link to is asked whether it answers.

A server on 127.0.0.1 plays the web: pages that answer, pages gone (404, 500), a server that
refuses HEAD, redirects (good and looping), a page that answers too slowly, and a port
nobody listens on. Nothing leaves the machine.
"""

from __future__ import annotations

import datetime
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import digest
from digest.commands import external
from digest.model import DigestError


class _Web(http.server.BaseHTTPRequestHandler):
    requests: list[tuple[str, str]] = []
    busy = 0
    most_busy = 0
    lock = threading.Lock()

    def _answer(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.requests.append((self.command, self.path))
            cls.busy += 1
            cls.most_busy = max(cls.most_busy, cls.busy)
        path = self.path
        try:
            if path.startswith("/slow"):
                time.sleep(1.5)
            if path.startswith("/crowd"):
                time.sleep(0.2)
        finally:
            # no longer busy before the answer goes out: once it has, the client may ask again before this
            # thread runs on (on a loaded machine, a third request was counted while two were under way)
            with cls.lock:
                cls.busy -= 1
        if path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif path.startswith(("/ok", "/crowd", "/slow", "/no-head")):
            self.send_response(200)
        elif path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok/after-move")
        elif path.startswith("/loop"):
            self.send_response(302)
            self.send_header("Location", "/loop-b" if path == "/loop-a" else "/loop-a")
        elif path == "/broken":
            self.send_response(500)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    _Web.requests, _Web.busy, _Web.most_busy = [], 0, 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Web)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def article(title: str, source_url: str, body_links: list[str]) -> str:
    body = "\n\n".join(f"See [this]({url})." for url in body_links)
    return f"---\ntitle: {title}\ndate: 2015-11-30\nsource: Wire\nsource_url: {source_url}\n---\n\n{body}\n"


def test_dead_links_are_listed_by_file_and_line(make_site: Any, web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(external, "TIMEOUT", 0.5)
    nowhere = f"http://127.0.0.1:{closed_port()}/gone"
    site = make_site({
        "content/2015-11-30-a.md": article("A", f"{web}/ok/a", [f"{web}/missing", f"{web}/no-head", f"{web}/moved"]),
        "content/2015-11-30-b.md": article("B", f"{web}/broken", [f"{web}/loop-a", f"{web}/slow", nowhere,
                                                                   f"{web}/missing"]),
    })
    with pytest.raises(DigestError) as raised:
        digest.check(site, external=True)
    found = sorted((p.path, p.line, p.message) for p in raised.value.problems)
    assert found == sorted([
        ("content/2015-11-30-a.md", 8, f"links {web}/missing, which answered 404 Not Found"),
        ("content/2015-11-30-b.md", 5, f"links {web}/broken, which answered 500 Internal Server Error"),
        ("content/2015-11-30-b.md", 8, f"links {web}/loop-a, which redirects more than 5 times"),
        ("content/2015-11-30-b.md", 10, f"links {web}/slow, which gave no answer within 0.5 s"),
        ("content/2015-11-30-b.md", 12, f"links {nowhere}, which refused the connection"),
        ("content/2015-11-30-b.md", 14, f"links {web}/missing, which answered 404 Not Found"),
    ])
    asked = [path for _, path in _Web.requests]
    assert asked.count("/missing") == 2  # each address once: HEAD, then GET after a 404
    assert ("HEAD", "/no-head") in _Web.requests and ("GET", "/no-head") in _Web.requests
    assert ("HEAD", "/ok/after-move") in _Web.requests

    # a second check the same day asks nothing again
    _Web.requests.clear()
    with pytest.raises(DigestError):
        digest.check(site, external=True)
    assert _Web.requests == []
    cached = json.loads((site / ".digest-cache" / external.CACHE_FILE).read_text(encoding="utf-8"))
    assert cached[f"{web}/missing"][1:] == [404, "answered 404 Not Found"]


def test_results_older_than_a_day_are_asked_again(tmp_path: Path, web: str) -> None:
    places = {f"{web}/ok/x": [("content/a.md", 5)]}
    day = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert external.check_external(places, tmp_path, now=day) == []
    assert len(_Web.requests) == 1
    external.check_external(places, tmp_path, now=day + datetime.timedelta(hours=23))
    assert len(_Web.requests) == 1
    external.check_external(places, tmp_path, now=day + datetime.timedelta(hours=25))
    assert len(_Web.requests) == 2


def test_a_damaged_cache_is_ignored(tmp_path: Path, web: str) -> None:
    (tmp_path / external.CACHE_FILE).write_text("{not json", encoding="utf-8")
    assert external.check_external({f"{web}/missing": [("content/a.md", 3)]}, tmp_path)[0].line == 3


def test_one_host_gets_at_most_two_requests_at_a_time(tmp_path: Path, web: str) -> None:
    places = {f"{web}/crowd/{n}": [("content/a.md", n)] for n in range(12)}
    started = time.monotonic()
    assert external.check_external(places, None) == []
    assert _Web.most_busy == external.PER_HOST
    assert time.monotonic() - started >= 12 / external.PER_HOST * 0.2 * 0.9


def test_the_command_line(make_site: Any, web: str) -> None:
    site = make_site({"content/2015-11-30-a.md": article("A", f"{web}/ok/a", [f"{web}/missing"])})
    quiet = subprocess.run([sys.executable, "-m", "digest", "check", str(site)], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    assert _Web.requests == []  # without --external, nothing is asked
    done = subprocess.run([sys.executable, "-m", "digest", "check", str(site), "--external"], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"content/2015-11-30-a.md:8: links {web}/missing, which answered "
                                           "404 Not Found")
    assert "Traceback" not in done.stderr
