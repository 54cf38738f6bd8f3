"""The preview's HTTP side: files of a built site, the reload script, and the events open pages wait for.

Only files inside the output folder are ever served: a request path is percent-decoded
once, split into segments, and refused if a segment is `..`, starts with a dot (the
staging folder, the marker) or holds a NUL or backslash; what remains is resolved with
its symbolic links and must still lie inside the folder. A request target that is not a
path of printable ASCII starting with `/` (`http://host/...`, `*`, raw non-ASCII bytes,
invalid UTF-8 once decoded) gets 400: the preview is no proxy. Methods other than GET
and HEAD get 405, a request line without an HTTP version 400, one over 64 KB 414, too
many or too long headers 431, and a client that sends nothing for `IDLE_SECONDS` is
disconnected, so half-sent requests cannot hold the server's threads forever.

Folders are served by their `index.html` ("pretty URLs"); anything else missing gets the
nearest `404.html` (a language's own, `fr/404.html`, else the site's) with status 404. HTML
pages get the reload script added as they are sent, so the files on disk stay exactly what
`digest build` writes.
"""

from __future__ import annotations

import functools
import html
import json
import mimetypes
import os
import posixpath
import socket
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote

from digest.model import Problem

LIVE_PREFIX = "/__digest__/"
SCRIPT_URL = LIVE_PREFIX + "live.js"
EVENTS_URL = LIVE_PREFIX + "events"
HEARTBEAT_SECONDS = 10.0  # a comment line this often finds closed connections
IDLE_SECONDS = 30.0  # a connection silent this long while a request is due is closed

_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
    ".webp": "image/webp", ".avif": "image/avif", ".woff2": "font/woff2", ".ico": "image/x-icon",
    ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
}
_FEEDS = ("atom.xml", "feed.xml", "index.xml")


def content_type(output_path: str) -> str:
    """The Content-Type of a file of the site.

    >>> content_type("people/index.html"), content_type("feed.xml"), content_type("css/digest.css")
    ('text/html; charset=utf-8', 'application/atom+xml', 'text/css; charset=utf-8')
    """
    name = posixpath.basename(output_path)
    if name in _FEEDS or name.endswith(".atom"):
        return "application/atom+xml"
    known = _TYPES.get(posixpath.splitext(name)[1].lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


NOT_FOUND_DEPTH = 4  # the deepest folder whose own 404 page a missing page may get (`fr/`, `news/fr/`...)


@dataclass(frozen=True, slots=True)
class Target:
    """What a request path asks for: a file, a redirect, or nothing."""

    status: int  # 200, 301 (to `location`), 400 or 404
    output_path: str = ""  # POSIX, under the output folder: for 200 the file, for 404 the nearest 404 page
    location: str = ""


def resolve(root: Path, base_path: str, raw_path: str) -> Target:
    """The file of `root` that a request for `raw_path` gets, never one outside `root`.

    >>> import tempfile; root = Path(tempfile.mkdtemp()); (root / "a").mkdir()
    >>> _ = (root / "a" / "index.html").write_text("x")
    >>> resolve(root, "/", "/a/"), resolve(root, "/", "/a").location, resolve(root, "/", "/%2e%2e/etc/passwd").status
    (Target(status=200, output_path='a/index.html', location=''), '/a/', 404)
    """
    path = request_path(raw_path)
    if path is None:
        return Target(400)
    try:
        decoded = unquote(path, errors="strict") if "%" in path else path
    except UnicodeDecodeError:
        return Target(400)
    if "\x00" in decoded or "\\" in decoded:
        return Target(400)
    if not decoded.startswith(base_path):
        if decoded + "/" == base_path or decoded == "/":
            return Target(301, location=base_path)
        return Target(404)
    segments = [s for s in decoded[len(base_path):].split("/") if s]
    if any(s == ".." or s.startswith(".") for s in segments):
        return Target(404)
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *segments))
    if candidate != real_root and not candidate.startswith(real_root + os.sep):
        return Target(404)  # a symbolic link out of the folder
    if os.path.isdir(candidate):
        if not decoded.endswith("/"):
            return Target(301, location=path + "/")
        segments.append("index.html")
        candidate = os.path.realpath(os.path.join(candidate, "index.html"))
        if not candidate.startswith(real_root + os.sep):
            return Target(404)
    if not os.path.isfile(candidate):
        return Target(404, output_path=nearest_404(real_root, segments))
    return Target(200, output_path="/".join(segments))


def nearest_404(real_root: str, segments: list[str]) -> str:
    """The `404.html` of the deepest folder of the request that has one (`fr/404.html` for a missing
    French page, as hosts such as Cloudflare Pages look it up); else the site's.

    >>> import tempfile; root = tempfile.mkdtemp(); os.mkdir(os.path.join(root, "fr"))
    >>> _ = open(os.path.join(root, "fr", "404.html"), "w").write("x")
    >>> nearest_404(root, ["fr", "gone", "page"]), nearest_404(root, ["gone"])
    ('fr/404.html', '404.html')
    """
    for depth in range(min(len(segments), NOT_FOUND_DEPTH), 0, -1):  # a request 5,000 folders deep costs 4 looks
        candidate = os.path.join(real_root, *segments[:depth], "404.html")
        if os.path.isfile(candidate) and os.path.realpath(candidate).startswith(real_root + os.sep):
            return "/".join([*segments[:depth], "404.html"])
    return "404.html"


def request_path(target: str) -> str | None:
    """The path of a request target without its query and fragment; None unless it is a printable ASCII path.

    >>> request_path("/a/b?c=1#d"), request_path("http://evil/a/"), request_path("/caf\xc3\xa9/")
    ('/a/b', None, None)
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or not all(" " < c < "\x7f" for c in path):
        return None
    return path


def with_live_script(page: bytes, version: int, output_path: str) -> bytes:
    """A page with the reload script added before its closing body tag (or at its end)."""
    tag = (f'<script src="{SCRIPT_URL}" data-events="{EVENTS_URL}" data-version="{version}" '
           f'data-file="{html.escape(output_path)}"></script>').encode()
    at = page.rfind(b"</body>")
    if at < 0:
        return page + tag
    return page[:at] + tag + page[at:]


@functools.cache
def live_script() -> bytes:
    """The reload script's source, shipped inside the package (read once)."""
    return resources.files("digest.commands.preview").joinpath("live.js").read_bytes()


@dataclass(frozen=True, slots=True)
class News:
    """What an open page should hear after the builds it has not seen."""

    version: int  # the newest build
    problems: tuple[Problem, ...]  # of the newest build, when it failed
    action: str  # "reload", "css" (swap stylesheets) or "none"
    data: dict[str, Any]


class Live(Protocol):
    """What the server needs of the preview: where the built site is, and the news of its builds."""

    @property
    def root(self) -> Path: ...
    @property
    def base_path(self) -> str: ...
    def ready(self) -> bool: ...
    def closing(self) -> bool: ...
    def version(self) -> int: ...
    def news(self, output_path: str, since: int) -> News: ...
    def wait(self, since: int, timeout: float) -> int: ...


def problem_data(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    """Problems as the overlay shows them."""
    return [{"path": p.path, "line": p.line, "message": p.message, "hint": p.hint} for p in problems]


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server for one preview; a request's thread dies with the server."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], live: Live) -> None:
        self.live = live
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is not an error worth a traceback; anything else is."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD for files of the preview, its script and its event stream."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "digest-serve"
    default_request_version = "HTTP/1.0"  # so a malformed request line is answered with a status line
    timeout = IDLE_SECONDS
    # An answer goes out as two writes, its headers and then its body. With Nagle's algorithm the body waits
    # for the browser's delayed acknowledgement of the headers: 40 ms for each stylesheet of a reloaded page.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged: the terminal shows one line per rebuild."""

    def parse_request(self) -> bool:
        """Read the request line and headers; refuse HTTP/0.9 and methods other than GET and HEAD."""
        if not super().parse_request():
            return False
        if len(self.requestline.split()) != 3:
            self._refuse(HTTPStatus.BAD_REQUEST, "400 bad request: the request line has no HTTP version\n")
            return False
        if self.command not in ("GET", "HEAD"):
            self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "405 method not allowed: the preview answers GET and HEAD\n")
            return False
        if self.headers.get("Content-Length", "0").strip() != "0" or "Transfer-Encoding" in self.headers:
            self.close_connection = True  # a body is never read: it must not be taken for the next request
        return True

    def _refuse(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - the base class's naming
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        live = self.server.live
        try:
            path = request_path(self.path)
            if path == EVENTS_URL:
                self._events()
            elif path == SCRIPT_URL:
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", live_script(), head)
            elif not live.ready():
                self._not_built(head)
            else:
                self._file(head)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _file(self, head: bool) -> None:
        live = self.server.live
        target = resolve(live.root, live.base_path, self.path)
        if target.status == HTTPStatus.MOVED_PERMANENTLY:
            self.send_response(target.status)
            self.send_header("Location", target.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if target.status == HTTPStatus.BAD_REQUEST:
            self._send(target.status, "text/plain; charset=utf-8", b"400 bad request\n", head)
            return
        version = live.version()
        data = self._read(target.output_path) if target.status == HTTPStatus.OK else None
        if data is None:
            self._missing(head, version, target.output_path if target.status == HTTPStatus.NOT_FOUND else "")
            return
        kind = content_type(target.output_path)
        if kind.startswith("text/html"):
            data = with_live_script(data, version, target.output_path)
        self._send(HTTPStatus.OK, kind, data, head)

    def _read(self, output_path: str) -> bytes | None:
        try:  # the build replaces files by renaming: a file read is whole, the old or the new
            with open(self.server.live.root / output_path, "rb") as handle:
                return handle.read()
        except OSError:  # removed by a rebuild since it was resolved
            return None

    def _missing(self, head: bool, version: int, not_found_page: str) -> None:
        """A 404 with the nearest 404 page of the site (`resolve` found it), else the site's."""
        not_found_page = not_found_page or "404.html"
        page = self._read(not_found_page)
        if page is None:
            page = b"<!doctype html><title>Not found</title><h1>Not found</h1></body>"
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                   with_live_script(page, version, not_found_page), head)

    def _not_built(self, head: bool) -> None:
        page = (b"<!doctype html><html lang=en><meta charset=utf-8><title>digest serve</title>"
                b"<p>The site does not build yet: see the problems shown here and in the terminal.</p></body></html>")
        self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", with_live_script(page, 0, ""), head)

    def _send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self) -> None:
        """A server-sent event stream: what an open page should do after each build."""
        live = self.server.live
        query = parse_qs(self.path.partition("?")[2].partition("#")[0])
        output_path = query.get("file", [""])[0]
        try:
            since = int(self.headers.get("Last-Event-ID") or query.get("version", ["0"])[0])
        except ValueError:
            since = 0
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(b"retry: 500\n\n")
        self.wfile.flush()
        shown: tuple[Problem, ...] = ()
        while not live.closing():
            news = live.news(output_path, since)
            if news.problems:
                if news.problems != shown:
                    self._event("problems", news.version, {"problems": problem_data(news.problems)})
                    shown = news.problems
            elif shown:  # fixed: the page may be out of date, and its overlay must go
                self._event("reload", news.version, {})
                return
            elif news.action != "none":
                self._event(news.action, news.version, news.data)
                if news.action == "reload":
                    return
            since = news.version
            if live.wait(since, HEARTBEAT_SECONDS) == since and not live.closing():
                self.wfile.write(b": ping\n\n")
                self.wfile.flush()

    def _event(self, name: str, version: int, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False)
        self.wfile.write(f"id: {version}\nevent: {name}\ndata: {body}\n\n".encode())
        self.wfile.flush()
