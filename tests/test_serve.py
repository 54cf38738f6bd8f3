"""`digest serve`: what it serves, what it never serves, and how it rebuilds while files change."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Protocol

import pytest

from digest.build import build
from digest.model import UsageError
from digest.records import BuildOptions
import digest.commands.preview.watch as watch_module
from digest.commands.preview.watch import Preview as Live
from digest.commands.preview.watch import ServeOptions, SiteFilter, open_server
from digest.write.search import index_is_whole
from digest.commands.preview.server import SCRIPT_URL, resolve

Preview = Any  # tests/conftest.py's Preview: a running preview, its URL, its builds


class StartPreview(Protocol):
    def __call__(self, site: Path, drafts: bool = False) -> Preview: ...


SEED = "content/2015/2015-09-21-netanyahu-putin-moscow-coordination.md"
SEED_URL = "2015/09/netanyahu-putin-moscow-coordination/"
SCRIPT = re.compile(rb'<script src="/__digest__/live\.js"[^>]*></script>')


def test_pages_are_the_files_digest_build_writes_plus_the_reload_script(
        example_copy: Path, start_preview: StartPreview, tmp_path: Path) -> None:
    preview = start_preview(example_copy)
    built = tmp_path / "built"
    build(example_copy, BuildOptions(output_dir=str(built)))
    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()
                   and not p.name.startswith(".") and "pagefind" not in p.relative_to(built).parts)
    # the search index: Pagefind's filter and metadata files differ from run to run (a limit of Pagefind)
    fragments = sorted(p.name for p in (built / "pagefind").glob("*/fragment/*"))
    deadline = time.monotonic() + 60  # the preview makes its index in the background
    while sorted(p.name for p in (preview.live.root / "pagefind").glob("*/fragment/*")) != fragments:
        assert time.monotonic() < deadline, "the preview's search index differs from the build's"
        time.sleep(0.1)
    assert fragments
    assert len(pages) > 100
    for page in pages:
        url = "/" + (page[: -len("index.html")] if page.endswith("index.html") else page)
        status, headers, body = preview.get(url)
        assert status == 200, url
        expected = (built / page).read_bytes()
        if page.endswith(".html"):
            assert len(SCRIPT.findall(body)) == 1, url
            assert SCRIPT.sub(b"", body) == expected, url
        else:
            assert body == expected, url
    assert not (example_copy / "output").exists(), "serve never writes output/"
    assert not list(built.rglob("*live.js*")) and b"__digest__" not in (built / "index.html").read_bytes()


@pytest.mark.parametrize(("path", "kind"), [
    ("/", "text/html; charset=utf-8"),
    ("/people/", "text/html; charset=utf-8"),
    ("/feed.xml", "application/atom+xml"),
    ("/sitemap.xml", "application/xml"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/css/digest.css", "text/css; charset=utf-8"),
    ("/favicon.svg", "image/svg+xml"),
    (SCRIPT_URL, "text/javascript; charset=utf-8"),
])
def test_content_types(example_copy: Path, start_preview: StartPreview, path: str, kind: str) -> None:
    status, headers, _ = start_preview(example_copy).get(path)
    assert (status, headers["content-type"]) == (200, kind)


def test_answers_on_a_kept_alive_connection_do_not_wait_for_the_browsers_acknowledgement(
        example_copy: Path, start_preview: StartPreview) -> None:
    # A reload asks for the page's stylesheets again on connections kept alive. An answer is two writes, its
    # headers and its body: with Nagle's algorithm the body waited for the delayed acknowledgement of the
    # headers, 40 ms on Linux for each file
    preview = start_preview(example_copy)
    host, port = preview.url.split("//")[1].split("/")[0].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    times = []
    for _ in range(12):
        started = time.perf_counter()
        connection.request("GET", "/css/digest.css")
        response = connection.getresponse()
        assert response.status == 200 and len(response.read()) > 5000
        times.append(time.perf_counter() - started)
    connection.close()
    assert sorted(times)[len(times) // 2] < 0.02, [round(t * 1000) for t in times]


def test_folders_redirect_to_their_slash_and_missing_pages_get_the_404_page(
        example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    status, headers, _ = preview.get("/people")
    assert (status, headers["location"]) == (301, "/people/")
    status, headers, body = preview.get("/no/such/page/")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert SCRIPT.sub(b"", body) == (preview.live.root / "404.html").read_bytes()
    assert preview.get("/2015/")[0] == 200  # an archive folder
    assert preview.get("/index.html?x=1")[0] == 200


def test_a_site_under_a_path_is_served_under_it(example_copy: Path, start_preview: StartPreview) -> None:
    settings = example_copy / "digest.yaml"
    settings.write_text(re.sub(r"(?m)^base_url: .*$", "base_url: https://example.org/news/",
                               settings.read_text(encoding="utf-8")), encoding="utf-8")
    preview = start_preview(example_copy)
    assert preview.url.endswith("/news/")
    status, headers, _ = preview.get("/")
    assert (status, headers["location"]) == (301, "/news/")
    status, _, body = preview.get("/news/")
    assert status == 200 and b'href="/news/people/"' in body
    assert preview.get("/news/" + SEED_URL)[0] == 200
    assert preview.get("/" + SEED_URL)[0] == 404  # outside the base path


def test_head_answers_headers_only(example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    request = urllib.request.Request(preview.url, method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and int(response.headers["Content-Length"]) > 1000
        assert response.read() == b""


@pytest.mark.parametrize("path", [
    "/../digest.yaml", "/../../../../etc/passwd", "/%2e%2e/digest.yaml", "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fdigest.yaml", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/people/../../digest.yaml", "//etc/passwd",
    "/..\\digest.yaml", "/%5c..%5cdigest.yaml", "/%00", "/index.html%00.txt", "/.digest-output",
    "/.digest-staging/", "/%2edigest-output", "/outside/secret.txt", "/outside/", "/%ff%fe",
])
def test_nothing_outside_the_output_is_served(example_copy: Path, start_preview: StartPreview, path: str) -> None:
    preview = start_preview(example_copy)
    secret = example_copy.parent / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    os.symlink(example_copy.parent, preview.live.root / "outside")  # a link out of the served folder
    status, _, body = preview.get(path)
    assert status in (400, 404), path
    assert b"SECRET" not in body and b"base_url" not in body and b"root:" not in body


def test_request_paths_resolve_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "a b").mkdir()
    (tmp_path / "a b" / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / "café.html").write_text("x", encoding="utf-8")
    assert resolve(tmp_path, "/", "/a%20b/").output_path == "a b/index.html"
    assert resolve(tmp_path, "/", "/caf%C3%A9.html").output_path == "café.html"
    assert resolve(tmp_path, "/news/", "/news/a%20b/").output_path == "a b/index.html"
    assert resolve(tmp_path, "/news/", "/").location == "/news/"
    assert resolve(tmp_path, "/news/", "/news").location == "/news/"
    assert resolve(tmp_path, "/news/", "/a%20b/").status == 404


def test_binds_loopback_by_default_and_refuses_a_port_in_use(example_copy: Path) -> None:
    assert ServeOptions().host == "127.0.0.1"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        live = Live(example_copy, ServeOptions(port=port))
        try:
            with pytest.raises(UsageError, match=rf"127\.0\.0\.1:{port} is already in use.*--port 0"):
                open_server(live, ServeOptions(port=port))
        finally:
            live.close()


def test_an_edit_rebuilds_only_what_changed(example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    seed = example_copy / SEED
    seed.write_text(seed.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    rebuild = preview.wait_for_builds(2)[1]
    assert rebuild.changes == (SEED,)
    assert rebuild.result is not None and rebuild.result.rendered == 1
    assert rebuild.result.changed == (SEED_URL + "index.html",)
    assert b"One more sentence." in preview.get("/" + SEED_URL)[2]


def test_editor_files_cause_no_rebuild_and_an_atomic_save_one(example_copy: Path,
                                                               start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    folder = (example_copy / SEED).parent
    for name in (".netanyahu.md.swp", "netanyahu.md~", ".#netanyahu.md", "4913", "#netanyahu.md#", "x.tmp"):
        (folder / name).write_text("junk: [", encoding="utf-8")
        (folder / name).unlink() if name == "4913" else None
    time.sleep(1.5)
    assert len(preview.rebuilds) == 1
    seed = example_copy / SEED
    temporary = folder / ".netanyahu.md.tmp-save"
    temporary.write_text(seed.read_text(encoding="utf-8").replace("title: ", "title: Saved ", 1), encoding="utf-8")
    os.replace(temporary, seed)  # how editors save atomically
    rebuild = preview.wait_for_builds(2)[1]
    assert rebuild.changes == (SEED,) and rebuild.result is not None
    time.sleep(1.0)
    assert len(preview.rebuilds) == 2
    assert b"Saved Netanyahu" in preview.get("/" + SEED_URL)[2]


def test_a_burst_of_500_saves_is_one_or_two_rebuilds(example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    folder = example_copy / "content" / "burst"
    folder.mkdir()
    for number in range(500):  # what a `git checkout` does: many files within milliseconds
        (folder / f"2015-12-{number % 28 + 1:02d}-burst-{number}.md").write_text(
            f"---\ntitle: Burst {number}\npeople: [Vladimir Putin]\n---\nText {number}.\n", encoding="utf-8")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        builds = preview.rebuilds[1:]
        if builds and builds[-1].result is not None and builds[-1].result.articles == 521:
            break
        time.sleep(0.05)
    time.sleep(2.0)  # no further rebuild follows
    builds = preview.rebuilds[1:]
    assert 1 <= len(builds) <= 2, [len(b.changes) for b in builds]
    reported = {path for b in builds for path in b.changes}
    missed = [number for number in range(500)
              if f"content/burst/2015-12-{number % 28 + 1:02d}-burst-{number}.md" not in reported]
    assert not missed or "content/burst" in reported  # files written before the watcher reached the folder
    assert builds[-1].result is not None and builds[-1].result.articles == 521
    assert preview.get("/2015/12/burst-0/")[0] == 200


def test_a_folder_of_articles_moved_in_and_out_rebuilds(example_copy: Path, tmp_path: Path,
                                                       start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    outside = tmp_path / "elsewhere" / "moved"
    outside.mkdir(parents=True)
    for number in range(3):
        (outside / f"2015-12-0{number + 1}-moved-{number}.md").write_text(
            f"---\ntitle: Moved {number}\npeople: [Vladimir Putin]\n---\nText {number}.\n", encoding="utf-8")
    articles = preview.rebuilds[0].result.articles if preview.rebuilds[0].result else 0
    os.rename(outside, example_copy / "content" / "moved")  # one event: the folder came
    moved_in = preview.wait_for_builds(2)[1]
    assert moved_in.changes == ("content/moved",)
    assert moved_in.result is not None and moved_in.result.articles == articles + 3
    assert preview.get("/2015/12/moved-0/")[0] == 200
    os.rename(example_copy / "content" / "moved", outside)
    moved_out = preview.wait_for_builds(3)[2]
    assert moved_out.changes == ("content/moved",)
    assert moved_out.result is not None and moved_out.result.articles == articles
    assert preview.get("/2015/12/moved-0/")[0] == 404


def test_a_broken_save_keeps_the_last_good_build_and_tells_open_pages(
        example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    events = _EventStream(preview, SEED_URL + "index.html")
    seed = example_copy / SEED
    good = seed.read_text(encoding="utf-8")
    seed.write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    name, data = events.next()
    assert name == "problems"
    assert data["problems"][0]["path"] == SEED and data["problems"][0]["line"] == 2
    status, _, body = preview.get("/" + SEED_URL)
    assert status == 200 and b"[unclosed" not in body  # still the last good page
    seed.write_text(good, encoding="utf-8")
    assert events.next()[0] == "reload"


def test_a_stylesheet_edit_swaps_stylesheets_and_a_page_edit_reloads_its_page(
        example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    events = _EventStream(preview, "people/vladimir-putin/index.html")
    css = example_copy / "themes" / "default" / "static" / "css" / "digest.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { outline: 1px solid red; }\n", encoding="utf-8")
    assert events.next() == ("css", {"stylesheets": ["css/digest.css"]})
    seed = example_copy / SEED
    seed.write_text(seed.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")  # not on Putin's page
    preview.wait_for_builds(3)
    with pytest.raises(queue.Empty):
        events.next(timeout=0.5)
    person = example_copy / "content" / "people" / "vladimir-putin.md"
    person.write_text(person.read_text(encoding="utf-8").replace("role: ", "role: Edited ", 1), encoding="utf-8")
    assert events.next()[0] == "reload"
    assert b"Edited President" in preview.get("/people/vladimir-putin/")[2]


def test_200_concurrent_requests_during_a_rebuild_all_succeed_whole(
        example_copy: Path, start_preview: StartPreview) -> None:
    preview = start_preview(example_copy)
    urls = ["/", "/people/", "/topics/", "/" + SEED_URL, "/people/vladimir-putin/", "/archive/", "/feed.xml"]
    base = example_copy / "themes" / "default" / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</head>", "<!-- edited -->\n</head>", 1),
                    encoding="utf-8")  # every page changes

    def fetch(index: int) -> tuple[int, bytes]:
        status, _, body = preview.get(urls[index % len(urls)])
        return status, body

    answers: list[tuple[int, bytes]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        while len(preview.rebuilds) < 2 or len(answers) < 200:
            answers += pool.map(fetch, range(200))
    rebuild = preview.rebuilds[1]
    assert rebuild.result is not None and rebuild.result.rendered > 100
    assert all(status == 200 for status, _ in answers)
    for status, body in answers:
        text = body.strip()
        assert text.endswith((b"</html>", b"</feed>")), text[-200:]
        assert text.count(b"<!doctype html>") + text.count(b"<?xml") == 1


def test_drafts_are_previewed_but_never_reach_the_output(example_copy: Path, start_preview: StartPreview) -> None:
    draft = example_copy / "content" / "2015-12-30-draft-preview.md"
    draft.write_text("---\ntitle: A draft in progress\ndraft: true\n---\nNot yet.\n", encoding="utf-8")
    preview = start_preview(example_copy, drafts=True)
    assert preview.get("/2015/12/draft-preview/")[0] == 200
    assert not (example_copy / "output").exists()


def test_the_search_index_is_made_in_the_background_and_reported(example_copy: Path) -> None:
    notices: list[str] = []
    live = Live(example_copy, ServeOptions(port=0), on_notice=notices.append)
    try:
        rebuild = live.build()
        assert rebuild.result is not None and "search" not in rebuild.result.timings  # not waited for
        deadline = time.monotonic() + 60
        while not notices:
            assert time.monotonic() < deadline, "no search index was made"
            time.sleep(0.05)
        assert re.fullmatch(r"search index updated in \d+ ms", notices[0]), notices
        assert index_is_whole(live.root)
    finally:
        live.close()


def test_the_search_index_gives_way_to_a_rebuild_and_to_the_reload_after_it(
        example_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save made while the index is being made is rebuilt, and its page reloaded, with the search runs held
    (on two cores, they took a third of the rebuild's time); they go on `RELOAD_S` after the rebuild."""
    live = Live(example_copy, ServeOptions(port=0))
    held_while_building: list[bool] = []

    def building(*args: Any, **kwargs: Any) -> Any:
        held_while_building.append(live._search.turns.held())
        return build(*args, **kwargs)

    monkeypatch.setattr(watch_module, "build", building)
    try:
        live.build()
        assert live._search.turns.held()  # the open pages are loading what changed
        assert held_while_building == [True]
        time.sleep(watch_module.RELOAD_S + 0.3)
        assert not live._search.turns.held()
    finally:
        live.close()


def test_the_filter_ignores_hidden_folders_editors_files_and_the_output(tmp_path: Path) -> None:
    keep = SiteFilter(tmp_path, [tmp_path / "output"])
    added = 1
    assert keep(added, str(tmp_path / "content" / "a.md"))
    assert keep(added, str(tmp_path / "digest.yaml"))
    for ignored in ("content/.a.md.swp", "content/a.md~", "content/.#a.md", "content/4913", "content/#a.md#",
                    ".git/index", ".digest-cache/serve/cache.sqlite", "output/index.html", "content/a.md.tmp"):
        assert not keep(added, str(tmp_path / ignored)), ignored


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_command_prints_its_port_and_stops_cleanly(example_copy: Path, stop: signal.Signals) -> None:
    scratch = Path(tempfile.gettempdir())
    before = set(scratch.glob("digest-serve-*"))
    process = subprocess.Popen([sys.executable, "-m", "digest", "serve", str(example_copy), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline()]
        while not lines[-1].startswith("Serving") and len(lines) < 4:  # the search index may report first
            lines.append(process.stdout.readline())
        match = re.search(r"Serving (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C to stop\)", lines[-1])
        assert match, lines
        with urllib.request.urlopen(match.group(1), timeout=10) as response:
            assert response.status == 200
        time.sleep(0.6)
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert out.strip().endswith("Stopped.")
    assert not (example_copy / "output").exists()
    assert set(scratch.glob("digest-serve-*")) <= before, "the preview's folder is removed"


def test_the_command_explains_a_port_in_use(example_copy: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "digest", "serve", str(example_copy), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"digest: 127.0.0.1:{port} is already in use: stop the program using it, "
                                   "or choose another port with --port (--port 0 picks a free one)")


class _EventStream:
    """The server-sent events a page showing `output_path` receives, read in a thread."""

    def __init__(self, preview: Preview, output_path: str) -> None:
        self._events: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        version = preview.live.version()
        url = f"{preview.url.rstrip('/')}/__digest__/events?version={version}&file={output_path}"
        response = urllib.request.urlopen(url, timeout=60)
        assert response.readline() == b"retry: 500\n"

        def read() -> None:
            name = ""
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: "):]
                elif line.startswith("data: "):
                    self._events.put((name, json.loads(line[len("data: "):])))

        threading.Thread(target=read, daemon=True).start()

    def next(self, timeout: float = 20.0) -> tuple[str, dict[str, object]]:
        return self._events.get(timeout=timeout)
