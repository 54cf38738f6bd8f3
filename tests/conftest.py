"""Shared fixtures for digest's tests.

- ``shared_dir``: the project's ``../shared`` folder beside this clone (check-site, corpus).
- ``chromium_path``, ``browser``, ``page``: headless Debian Chromium driven by Playwright.
- ``serve_dir``: serve a folder over HTTP on 127.0.0.1, optionally under a URL prefix.
- ``run_check_site``: run ``shared/tools/check-site`` on an output folder.
- ``make_site``: write a small site (or source tree) from a ``{path: text}`` dict.
- ``example_copy``: a copy of the example digest (content, settings, theme) to edit freely.
- ``start_preview``: run ``digest serve``'s preview of a site in this process, on a free port.

What is missing on the machine makes the tests that need it skip, unless CI asks for it:
``DIGEST_REQUIRE_SHARED=1`` (../shared) and ``DIGEST_REQUIRE_BROWSER=1`` (Chromium and
Playwright) turn those skips into failures (``.ci/run`` sets both).
``DIGEST_CHROMIUM`` names another Chromium binary than ``/usr/bin/chromium``.
"""

from __future__ import annotations

import http.client
import http.server
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parent.parent

# A test run started in the background by a shell without job control has SIGINT ignored, and
# every process it starts inherits that: a `digest serve` the tests stop with Ctrl-C's signal
# would never stop. A Python handler here is reset to the default in each started process.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The flags check-site uses too. The background-networking ones matter: this machine's
# network is closed, and without them Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHECK_SITE_TIMEOUT = 420  # seconds; the first run installs check-site's dependencies (about 60 s)


def _unavailable(reason: str, require_env: str) -> NoReturn:
    """Skip the test, or fail it when the environment variable ``require_env`` is 1."""
    if os.environ.get(require_env) == "1":
        pytest.fail(f"{reason} ({require_env}=1)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------------------
# ../shared and check-site


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared`` folder beside the repository root (``REPO_ROOT/../shared``)."""
    path = REPO_ROOT.parent / "shared"
    if not path.is_dir():
        _unavailable(f"../shared is not beside this clone: {path} does not exist", "DIGEST_REQUIRE_SHARED")
    return path


class RunCheckSite(Protocol):
    def __call__(self, output_dir: str | os.PathLike[str], *args: str) -> subprocess.CompletedProcess[str]: ...


@pytest.fixture(scope="session")
def run_check_site(shared_dir: Path) -> RunCheckSite:
    """``run_check_site(output_dir, *args)`` runs ``check-site OUTPUT_DIR ARGS...``.

    Returns the CompletedProcess (text stdout/stderr; exit status 0 = every section
    passed, 1 = one failed, 2 = usage or install error); never raises on a failure.
    check-site keeps its installed dependencies in ~/.cache/digest-check-site, never
    beside itself, so a read-only ../shared is fine.
    """
    tool = shared_dir / "tools" / "check-site"

    def run(output_dir: str | os.PathLike[str], *args: str) -> subprocess.CompletedProcess[str]:
        # `--jobs 1`: check-site's forked worker pool was seen to hang once, idle, on this machine.
        # A run that still hangs is ended, with everything it started, and tried once more.
        command = [str(tool), os.fspath(output_dir), "--jobs", "1", *args]
        for attempt in (1, 2):
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                out, err = process.communicate(timeout=CHECK_SITE_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                if attempt == 2:
                    raise
                continue
            return subprocess.CompletedProcess(command, process.returncode, out, err)
        raise AssertionError("unreachable")

    return run


# --------------------------------------------------------------------------------------
# Browser


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (``/usr/bin/chromium``, or ``$DIGEST_CHROMIUM``); needs Playwright too."""
    path = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        _unavailable(f"Chromium not found at {path} (apt-get install chromium)", "DIGEST_REQUIRE_BROWSER")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as e:
        _unavailable(f"playwright cannot be imported: {e}", "DIGEST_REQUIRE_BROWSER")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session (Playwright never downloads a browser)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield b
        finally:
            b.close()
    finally:
        pw.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (1280x900 viewport), closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


# --------------------------------------------------------------------------------------
# Serving a folder


class ServeDir(Protocol):
    def __call__(self, directory: str | os.PathLike[str], prefix: str = "/") -> str: ...


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser dropping a connection is not worth a traceback


def _handler_class(directory: str, prefix: str) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        """Serves ``directory`` at ``prefix``: ``PREFIX/a.html`` -> ``directory/a.html``."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

        def _outside_prefix(self) -> bool:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if prefix != "/" and path == prefix.rstrip("/"):  # /news -> /news/, as servers do
                self.send_response(301)
                self.send_header("Location", prefix)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if not path.startswith(prefix):
                self.send_error(404, f"not under {prefix}")
                return True
            return False

        def do_GET(self) -> None:
            if not self._outside_prefix():
                super().do_GET()

        def do_HEAD(self) -> None:
            if not self._outside_prefix():
                super().do_HEAD()

        def translate_path(self, path: str) -> str:
            # self.path keeps the prefix, so directory redirects (/news/a -> /news/a/) stay right
            return super().translate_path("/" + path[len(prefix):])

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def serve_dir() -> Iterator[ServeDir]:
    """``serve_dir(directory, prefix="/")`` serves a folder on 127.0.0.1 and returns its base URL.

    The URL ends with the prefix (``http://127.0.0.1:PORT/`` or ``.../news/``); requests
    outside the prefix get 404. Every server is shut down when the test ends.
    """
    servers: list[tuple[_QuietServer, threading.Thread]] = []

    def serve(directory: str | os.PathLike[str], prefix: str = "/") -> str:
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        server = _QuietServer(("127.0.0.1", 0), _handler_class(os.path.abspath(directory), prefix))
        thread = threading.Thread(target=server.serve_forever, name=f"serve_dir {directory}", daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield serve
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --------------------------------------------------------------------------------------
# Writing small sites


class MakeSite(Protocol):
    def __call__(self, files: dict[str, str], root: Path | None = None) -> Path: ...


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """``make_site({"index.html": "...", "a/b.md": "..."}, root=None)`` writes the files.

    Each text is dedented and its leading newlines dropped, so triple-quoted strings can
    be indented with the test. Folders are created; ``root`` defaults to
    ``tmp_path / "site"``. Returns the root.
    """

    def make(files: dict[str, str], root: Path | None = None) -> Path:
        root = Path(root) if root is not None else tmp_path / "site"
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        root.mkdir(parents=True, exist_ok=True)
        return root

    return make


@pytest.fixture
def no_kept_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds of the command line keep no warm site in the cache (`incremental/snapshot.py`), as those of a site of
    more articles than it keeps one for: an edit beyond bodies takes the full route."""
    from digest.incremental import snapshot

    monkeypatch.setattr(snapshot, "MAX_ARTICLES", -1)


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A copy of the repository's example digest: digest.yaml, content/ and themes/."""
    site = tmp_path / "example"
    site.mkdir()
    shutil.copyfile(REPO_ROOT / "digest.yaml", site / "digest.yaml")
    shutil.copytree(REPO_ROOT / "content", site / "content")
    shutil.copytree(REPO_ROOT / "themes", site / "themes")
    return site


@dataclass
class Preview:
    """A running `digest serve` preview, and every build it made."""

    site: Path
    url: str  # where the site is served, ending with its base path
    live: Any  # digest.commands.preview.watch.Preview
    rebuilds: list[Any] = field(default_factory=list)  # digest.commands.preview.watch.Rebuild, the first build included

    def wait_for_builds(self, count: int, timeout: float = 30.0) -> list[Any]:
        """Wait until `count` builds were made (the first one included); the builds."""
        deadline = time.monotonic() + timeout
        while len(self.rebuilds) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.rebuilds)} builds after {timeout} s, expected {count}")
            time.sleep(0.02)
        return list(self.rebuilds)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """A request sent as written (nothing normalised): status, headers, body."""
        origin = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(origin.hostname or "", origin.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()


class StartPreview(Protocol):
    def __call__(self, site: Path, drafts: bool = False) -> Preview: ...


@pytest.fixture
def start_preview() -> Iterator[StartPreview]:
    """``start_preview(site)`` builds and serves `site` as `digest serve --port 0` does, watching it.

    Returns once the first build is served and the watcher is in place; every preview is
    stopped when the test ends.
    """
    from digest.commands.preview.watch import Preview as Live
    from digest.commands.preview.watch import ServeOptions, open_server, serve_site

    running: list[tuple[threading.Event, threading.Thread]] = []

    def start(site: Path, drafts: bool = False) -> Preview:
        options = ServeOptions(port=0, drafts=drafts)
        live = Live(site, options)
        server = open_server(live, options)
        preview = Preview(site=site, url="", live=live)
        serving = threading.Event()

        def on_serving(url: str) -> None:
            preview.url = url
            serving.set()

        stop = threading.Event()
        thread = threading.Thread(target=serve_site, args=(live, server, preview.rebuilds.append, on_serving, stop),
                                  name=f"preview of {site}", daemon=True)
        thread.start()
        running.append((stop, thread))
        assert serving.wait(120), "the preview did not start"
        assert live.watching.wait(30), "the preview is not watching the site"
        return preview

    yield start
    for stop, thread in running:
        stop.set()
        thread.join(10)


@pytest.fixture(scope="session")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example digest at the repository's root (settings and content), built once by the command line into a
    temporary folder."""
    site = tmp_path_factory.mktemp("example") / "site"
    site.mkdir()
    shutil.copyfile(REPO_ROOT / "digest.yaml", site / "digest.yaml")
    shutil.copytree(REPO_ROOT / "content", site / "content")
    done = subprocess.run([sys.executable, "-m", "digest", "build", str(site), "--no-cache"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 0, f"the build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return site / "output"
