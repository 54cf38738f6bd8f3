"""`digest serve` under load and under attack: many clients at once, hostile request targets, half-sent requests.

The server runs as the command does (`digest serve SITE --port 0`, a subprocess) on a copy
of the golden site, which lives under `/news/`. Requests are sent with `http.client` for
the load and with raw sockets for hostile targets, so nothing normalises them on the way.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from digest.write.output import MARKER, STAGING
from digest.commands.preview.server import EVENTS_URL, SCRIPT_URL, PreviewHandler, live_script, with_live_script

GOLDEN_SITE = Path(__file__).parent / "fixtures" / "golden-site"
BASE = "/news/"
SECRET = b"SECRET-OUTSIDE-THE-OUTPUT"
LEAKS = (SECRET, b"base_url", b"root:x:0:0")  # the file outside, digest.yaml, /etc/passwd
CLIENTS = 50
REQUESTS = 10_000


@dataclass(frozen=True)
class Served:
    """A running `digest serve` and what it should answer."""

    port: int
    root: Path  # the folder it serves
    pages: dict[str, bytes]  # URL path -> the exact body a GET gets


@contextmanager
def digest_serve(tmp_path: Path) -> Iterator[tuple[Served, list[str]]]:
    """Run `digest serve` on a copy of the golden site; its stderr lines are filled in when it stops."""
    site = tmp_path / "site"
    shutil.copytree(GOLDEN_SITE, site)
    scratch = tmp_path / "tmp"  # where the preview makes its folder, so the test can find it
    scratch.mkdir()
    (tmp_path / "secret.txt").write_bytes(SECRET)
    process = subprocess.Popen([sys.executable, "-m", "digest", "serve", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env={**os.environ, "TMPDIR": str(scratch)})
    stderr: list[str] = []
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().decode()]
        while not lines[-1].startswith("Serving") and len(lines) < 4:  # the search index may report first
            lines.append(process.stdout.readline().decode())
        match = re.search(r"Serving http://127\.0\.0\.1:(\d+)/news/ ", lines[-1])
        if not match:
            process.kill()
            pytest.fail(f"digest serve printed {lines}, then {process.communicate()}")
        (root,) = scratch.glob("digest-serve-*")
        yield Served(int(match.group(1)), root, known_pages(root)), stderr
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=30)
        finally:
            process.kill()
        stderr.extend(err.decode(errors="replace").splitlines())


def known_pages(root: Path) -> dict[str, bytes]:
    """Every file of the built site (not the search index, made in the background) and the body it is served with."""
    pages = {SCRIPT_URL: live_script()}
    for file in sorted(root.rglob("*")):
        output_path = file.relative_to(root).as_posix()
        if not file.is_file() or output_path.startswith(("pagefind/", ".")):
            continue
        data = file.read_bytes()
        if output_path.endswith(".html"):
            data = with_live_script(data, 1, output_path)
        url = BASE + (output_path.removesuffix("index.html") if output_path.endswith("index.html") else output_path)
        pages[url] = data
    assert len(pages) > 60
    return pages


def raw_request(port: int, data: bytes, timeout: float = 15.0) -> bytes:
    """Send bytes as they are and read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def status_of(answer: bytes) -> int:
    """The status code of a raw answer; fails when it has no status line."""
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    assert match, answer[:200]
    return int(match.group(1))


def get(port: int, target: bytes) -> bytes:
    return raw_request(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")


@pytest.mark.slow
def test_10000_requests_from_50_clients_with_event_streams_open(tmp_path: Path) -> None:
    with digest_serve(tmp_path) as (served, stderr):
        urls = sorted(served.pages)
        errors: list[str] = []
        wrong: list[str] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def client(number: int) -> None:
            stream = None
            if number % 10 == 0:  # an open page waiting for news, as the reload script does
                stream = socket.create_connection(("127.0.0.1", served.port), timeout=30)
                stream.sendall(f"GET {EVENTS_URL}?file=index.html&version=1 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
            try:
                for index in range(REQUESTS // CLIENTS):
                    url = urls[(number * 37 + index) % len(urls)]
                    method = "HEAD" if (number + index) % 4 == 0 else "GET"
                    try:
                        connection.request(method, url)
                        response = connection.getresponse()
                        body = response.read()
                    except (OSError, http.client.HTTPException) as exc:
                        connection.close()
                        with lock:
                            errors.append(f"{method} {url}: {type(exc).__name__}: {exc}")
                        continue
                    expected = served.pages[url]
                    length = int(response.getheader("Content-Length") or -1)
                    right = (response.status == 200 and length == len(expected)
                             and body == (b"" if method == "HEAD" else expected))
                    with lock:
                        statuses[response.status] = statuses.get(response.status, 0) + 1
                        if not right:
                            wrong.append(f"{method} {url}: {response.status}, {length} bytes")
                if stream is not None:
                    heard = stream.recv(4096)
                    with lock:
                        if not (heard.startswith(b"HTTP/1.1 200 ") and b"text/event-stream" in heard):
                            wrong.append(f"event stream: {heard[:100]!r}")
            finally:
                connection.close()
                if stream is not None:
                    stream.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, 240 - (time.perf_counter() - started)))
        seconds = time.perf_counter() - started
        assert not any(thread.is_alive() for thread in threads), "clients still waiting after 240 s"
        total = sum(statuses.values())
        print(f"\n{total} requests from {CLIENTS} clients in {seconds:.1f} s: {total / seconds:.0f} requests/s; "
              f"statuses {statuses}, {len(errors)} connection errors")
        assert errors == []
        assert wrong == []
        assert statuses == {200: REQUESTS}
        assert seconds < 180
    assert not any("Traceback" in line for line in stderr), stderr


HOSTILE = [  # request targets that must get 400 or 404, and nothing from outside the output
    b"/news/../digest.yaml", b"/news/../../../../etc/passwd", b"/news/people/../../digest.yaml",
    b"/news/..%2fdigest.yaml", b"/news/..%2f..%2f..%2f..%2fetc%2fpasswd", b"/news/a%2f..%2f..%2fdigest.yaml",
    b"/news/%2e%2e/digest.yaml", b"/news/%2E%2E/%2E%2E/etc/passwd", b"/news/%2e%2e%2f%2e%2e%2fdigest.yaml",
    b"/news/.%2e/digest.yaml", b"/news/%252e%252e/digest.yaml", b"/news/%252e%252e%252fdigest.yaml",
    b"/news/%25%32%65%25%32%65/digest.yaml", b"/news/..\\digest.yaml", b"/news/..%5cdigest.yaml",
    b"/news/%5c..%5c..%5cdigest.yaml", b"/news/%2e%2e%5c%2e%2e%5cdigest.yaml", b"/news/%00",
    b"/news/index.html%00.txt", b"/news/..%00/digest.yaml", b"/news/%c0%ae%c0%ae/digest.yaml",
    b"/news/%c0%af", b"/news/%e0%80%ae%e0%80%ae/digest.yaml", b"/news/%ed%a0%80/", b"http://evil/",
    b"http://evil/news/", b"https://127.0.0.1/news/../digest.yaml", b"http://[::1/news/", b"*", b"evil:443",
    b"/news/" + b"a/" * 16_000, b"/news/" + b"x" * 4000, b"/news/" + b"%2e%2e/" * 3000,
    b"/news/" + STAGING.encode() + b"/", b"/news/" + MARKER.encode(), b"/news/%2e" + MARKER[1:].encode(),
    b"/news/.hidden.html", b"/etc/passwd", b"//etc/passwd", b"///etc/passwd", b"/news//etc/passwd",
    b"/news/%2fetc%2fpasswd", b"/../news/index.html", b"/news/outside/secret.txt", b"/news/outside/",
    b"/news/escape.html", b"/news/%zz", b"/news/%", b"/news/%ff%fe", b"/news/\xff\xfe", b"/news/caf\xc3\xa9/",
    b"/news/\x01", b"/news/..;/digest.yaml", b"/__digest__/../../digest.yaml",
    b"/__digest__/live.js/../../../etc/passwd",
]


def test_hostile_requests_get_400_404_405_or_their_limit_and_never_a_file_from_outside(tmp_path: Path) -> None:
    with digest_serve(tmp_path) as (served, stderr):
        os.symlink(tmp_path, served.root / "outside")  # links out of the served folder
        os.symlink(tmp_path / "secret.txt", served.root / "escape.html")
        (served.root / ".hidden.html").write_bytes(SECRET)
        answers = {target: get(served.port, target) for target in HOSTILE}
        for target, answer in answers.items():
            assert status_of(answer) in (400, 404), target[:80]
            assert not any(leak in answer for leak in LEAKS), target[:80]
        assert status_of(get(served.port, b"/news/" + b"a" * 65_536)) == 414  # longer than a request line may be

        home = served.pages[BASE]  # a query or a fragment does not change the file served
        for target in (b"/news/?../../digest.yaml", b"/news/#/../../digest.yaml", b"/news/?q=%00%zz%c0%ae",
                       b"/news/index.html?file=../../etc/passwd"):
            answer = get(served.port, target)
            assert status_of(answer) == 200 and answer.endswith(b"\r\n\r\n" + home), target

        for method in (b"POST", b"PUT", b"DELETE", b"TRACE", b"OPTIONS", b"PATCH", b"PROPFIND", b"BREW"):
            answer = raw_request(served.port, method + b" /news/ HTTP/1.1\r\nHost: x\r\nContent-Length: 35\r\n\r\n"
                                 b"GET /news/../digest.yaml HTTP/1.1\r\n")  # a body that looks like a request
            assert status_of(answer) == 405 and b"\r\nAllow: GET, HEAD\r\n" in answer, method
            assert answer.count(b"HTTP/1.1 ") == 1, method
        answer = raw_request(served.port, b"CONNECT evil:443 HTTP/1.1\r\nHost: evil:443\r\n\r\n")
        assert status_of(answer) == 405

        smuggled = (b"GET /news/ HTTP/1.1\r\nHost: x\r\nContent-Length: 45\r\n\r\n"
                    b"GET /news/../digest.yaml HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = raw_request(served.port, smuggled)
        assert status_of(answer) == 200 and answer.count(b"HTTP/1.1 ") == 1  # the body is no second request

        for malformed in (b"GET /news/\r\n\r\n", b"GET\r\n\r\n", b"GET /news/ HTTP/1.1 extra\r\n\r\n",
                          b"GET /news/ FOO/1.1\r\n\r\n", b"POST /news/\r\n\r\n"):
            assert status_of(raw_request(served.port, malformed)) == 400, malformed
        flood = b"".join(b"X-Flood-%d: y\r\n" % n for n in range(500))
        assert status_of(raw_request(served.port, b"GET /news/ HTTP/1.1\r\n" + flood + b"\r\n")) == 431
        long_header = b"GET /news/ HTTP/1.1\r\nX-Long: " + b"y" * 70_000 + b"\r\n\r\n"
        assert status_of(raw_request(served.port, long_header)) == 431

        answer = get(served.port, BASE.encode())  # and the server still answers as it should
        assert status_of(answer) == 200 and answer.endswith(home)
    assert not any("Traceback" in line or "Exception" in line for line in stderr), stderr


def test_half_sent_requests_do_not_stop_other_clients(tmp_path: Path) -> None:
    with digest_serve(tmp_path) as (served, stderr):
        stalled = []
        for number in range(40):  # slowloris: requests that never end
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            sock.sendall([b"GE", b"GET /news/ HTTP/1.1\r\n", b"GET /news/ HTTP/1.1\r\nHost: x\r\nX-a: "][number % 3])
            stalled.append(sock)
        try:
            started = time.perf_counter()
            for url in sorted(served.pages)[:30]:
                answer = get(served.port, url.encode())
                assert status_of(answer) == 200 and answer.endswith(served.pages[url]), url
            assert time.perf_counter() - started < 10
        finally:
            for sock in stalled:
                sock.close()
    assert not any("Traceback" in line for line in stderr), stderr


def test_a_client_silent_for_the_idle_time_is_disconnected(example_copy: Path, start_preview: object,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PreviewHandler, "timeout", 0.5)
    preview = start_preview(example_copy)  # type: ignore[operator]
    port = int(preview.url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        started = time.perf_counter()
        assert sock.recv(4096) == b""  # closed by the server, without an answer
        assert 0.4 < time.perf_counter() - started < 5
    assert preview.get("/")[0] == 200
