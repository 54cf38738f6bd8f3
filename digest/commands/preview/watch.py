"""`digest serve`: a live preview, rebuilt on every save, that reloads the pages open in a browser.

The preview builds into a temporary folder, never into `output/`, so drafts shown while
writing never reach a deploy; its cache (`.digest-cache/serve/`) is its own, so the
cache of `digest build` keeps describing `output/`. Each rebuild is an ordinary
incremental build (`digest.build`): only what changed is rendered, and a build that fails
leaves the last good one being served while open pages show its problems. It asks the build
to keep the linked site in memory (`BuildOptions.warm`), so that a save that moves no article
is rendered without linking the site again.

The site folder is watched with watchfiles. Editors' temporary and swap files are not
changes, and the changes of a burst (a `git checkout`, an atomic save) arrive together:
one rebuild for them all.
"""

from __future__ import annotations

import collections
import errno
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from digest.build import build
from digest.commands.preview.server import News, PreviewServer
from digest.incremental.cache import BuildCache
from digest.incremental.unchanged import CACHE_DIR
from digest.model import DigestError, Problem, SiteConfig, UsageError
from digest.records import BuildOptions, BuildResult
from digest.read.files import is_ignored
from digest.write.runs import GiveWay
from digest.write.search import KEPT_PAGES, index_site, pages_to_index

SERVE_CACHE = "serve"  # the preview's cache, inside the site's .digest-cache/
HISTORY = 256  # builds remembered for pages that reconnect; a page older than that reloads
STEP_MS = 20  # quiet time that ends a burst of changes
DEBOUNCE_MS = 1600  # longest a burst is collected before a rebuild starts anyway
WAKE_MS = 500  # how often the watcher wakes when nothing changes
RELOAD_S = 0.3  # how long after a rebuild the search index waits, while open pages load what changed


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    """What `digest serve` is asked for."""

    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port
    drafts: bool = False
    future: bool = False
    jobs: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebuild:
    """One build of the preview, as the terminal reports it."""

    changes: tuple[str, ...]  # site paths that changed; empty for the first build
    result: BuildResult | None  # None when the build failed
    problems: tuple[Problem, ...]  # why it failed
    crash: str | None = None  # a traceback, when digest itself failed
    seconds: float = 0.0

    @property
    def what_changed(self) -> str:
        """The start of its report: "content/a.md, content/b.md and 2 more changed: ", or "" for the first build."""
        if not self.changes:
            return ""
        more = f" and {len(self.changes) - 3} more" if len(self.changes) > 3 else ""
        return f"{', '.join(self.changes[:3])}{more} changed: "


class SiteFilter(DefaultFilter):
    """The changes that can change the site: not hidden files, editors' files or the output folder."""

    def __init__(self, site_dir: Path, ignored: Iterable[Path] = ()) -> None:
        self.site_dir = str(site_dir.resolve())
        super().__init__(ignore_paths=[str(p.resolve()) for p in ignored])

    def __call__(self, change: object, path: str) -> bool:
        relative = path[len(self.site_dir) + 1:] if path.startswith(self.site_dir + "/") else path
        if any(is_ignored(part) for part in relative.split("/")):
            return False  # .git, .digest-cache, editors' swap, backup and temporary files: what scan skips
        return bool(super().__call__(change, path))  # type: ignore[arg-type]


class Preview:
    """The built site being served, its builds, and the news that open pages wait for."""

    def __init__(self, site_dir: Path, options: ServeOptions, on_notice: Callable[[str], None] | None = None) -> None:
        if not site_dir.is_dir():
            raise UsageError(f"{site_dir}: no such folder")
        self.site_dir = site_dir
        self.options = options
        self._root = Path(tempfile.mkdtemp(prefix="digest-serve-"))
        self._base_path = "/"
        self._changed = threading.Condition()
        self._version = 0
        self._history: collections.deque[tuple[int, tuple[str, ...]]] = collections.deque(maxlen=HISTORY)
        self._problems: tuple[Problem, ...] = ()
        self._ready = False
        self._closing = False
        self.watching = threading.Event()  # set once changes to the site are seen
        self._search = _SearchIndexer(self._root, on_notice, site_dir / CACHE_DIR / SERVE_CACHE / KEPT_PAGES)

    # -- what the server asks (any thread) ----------------------------------------------------

    @property
    def root(self) -> Path:
        """The folder being served."""
        return self._root

    @property
    def base_path(self) -> str:
        """The URL path the site lives under, from its `base_url`."""
        return self._base_path

    def ready(self) -> bool:
        """Whether a build has succeeded yet."""
        return self._ready

    def closing(self) -> bool:
        """Whether the preview is shutting down."""
        return self._closing

    def version(self) -> int:
        """The number of builds so far, good or bad."""
        return self._version

    def wait(self, since: int, timeout: float) -> int:
        """Block until a build after `since` (or closing, or `timeout` seconds); the version then."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != since or self._closing, timeout)
            return self._version

    def news(self, output_path: str, since: int) -> News:
        """What a page showing `output_path`, served at build `since`, should do now."""
        with self._changed:
            version, problems = self._version, self._problems
            if since == version or problems:
                return News(version, problems, "none", {})
            known = [changed for number, changed in self._history if number > since]
            if since > version or not self._history or self._history[0][0] > since + 1:
                return News(version, problems, "reload", {})  # a page from another session, or long ago
        changed = {path for paths in known for path in paths}
        return News(version, problems, *_action(output_path, changed))

    # -- building (the main thread) -------------------------------------------------------------

    def build(self, changes: tuple[str, ...] = ()) -> Rebuild:
        """Build the site into the served folder; open pages hear what changed. The search index being made
        waits meanwhile, and until the pages have had `RELOAD_S` to load: on two cores, it took a third
        of a rebuild's time."""
        self._search.turns.hold()
        try:
            return self._build(changes)
        finally:
            self._search.turns.release(after=RELOAD_S)

    def _build(self, changes: tuple[str, ...]) -> Rebuild:
        started = time.perf_counter()
        options = BuildOptions(output_dir=str(self._root), drafts=self.options.drafts, future=self.options.future,
                               jobs=self.options.jobs, index_search=False, in_place=True, warm=True,
                               changed=changes or None)
        cache = BuildCache(self.site_dir, self.site_dir / CACHE_DIR / SERVE_CACHE)
        result: BuildResult | None = None
        problems: tuple[Problem, ...] = ()
        crash = None
        try:
            result = build(self.site_dir, options, cache)
        except DigestError as exc:
            problems = tuple(exc.problems)
        except UsageError as exc:
            problems = (Problem(path=None, line=None, message=str(exc)),)
        except Exception as exc:  # noqa: BLE001 - a bug in digest must not stop the preview
            crash = traceback.format_exc()
            problems = (Problem(path=None, line=None, message=f"digest failed: {type(exc).__name__}: {exc}",
                                hint="This is a bug in digest: please report it with the traceback printed "
                                     "in the terminal."),)
        errors = tuple(p for p in problems if p.severity == "error")
        with self._changed:
            self._version += 1
            self._history.append((self._version, result.changed if result is not None else ()))
            self._problems = errors
            if result is not None:
                self._ready = True
                self._base_path = result.config.base_path
            self._changed.notify_all()
        if result is not None:
            pages = pages_to_index(self._root, result.changed)
            if pages != []:
                self._search.request(result.config, pages)
        return Rebuild(changes=changes, result=result, problems=problems, crash=crash,
                       seconds=time.perf_counter() - started)

    def watch(self, on_rebuild: Callable[[Rebuild], None], stop: threading.Event) -> None:
        """Rebuild after each burst of changes to the site, until `stop` is set (or Ctrl-C)."""
        site = self.site_dir.resolve()
        changes = watch(site, watch_filter=SiteFilter(site, [site / "output"]), step=STEP_MS,
                        debounce=DEBOUNCE_MS, stop_event=stop, yield_on_timeout=True, rust_timeout=WAKE_MS)
        for batch in changes:
            self.watching.set()  # the first batch, even an empty one, comes once the watcher is in place
            paths = _lasting(batch, site)
            if paths:
                on_rebuild(self.build(paths))

    def close(self) -> None:
        """Wake every waiting page, stop indexing for search, and remove the served folder."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._search.stop()
        shutil.rmtree(self._root, ignore_errors=True)


class _SearchIndexer:
    """Makes the preview's search index in the background, so a save reloads pages without waiting for it.

    Pagefind reads every article page, which takes seconds on a large site; requests made
    while it runs are folded into one more run after it.
    """

    def __init__(self, root: Path, on_notice: Callable[[str], None] | None, kept: Path | None = None) -> None:
        self.root = root
        self.kept = kept  # what Pagefind reads of each page, kept from one run to the next (`index_site`)
        self.on_notice = on_notice  # told of each run: what was indexed, or why it was not
        self._wanted: SiteConfig | None = None
        self._changed: set[str] | None = set()  # pages changed since the last run; None: index everything
        self._lock = threading.Lock()
        self._running = False
        self._stopped = False
        self._stop = threading.Event()  # set when the preview closes: Pagefind runs under way end
        self.turns = GiveWay()  # held while the preview rebuilds

    def request(self, config: SiteConfig, changed: Iterable[str] | None) -> None:
        with self._lock:
            self._wanted = config
            self._changed = None if changed is None or self._changed is None else self._changed | set(changed)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="digest-search", daemon=True).start()

    def _run(self) -> None:
        _yield_to_rebuilds()
        while True:
            with self._lock:
                config, self._wanted = self._wanted, None
                changed, self._changed = self._changed, set()
                if config is None:
                    self._running = False  # under the lock: a request from now on starts a new run
                    return
            started = time.perf_counter()
            try:
                why = index_site(self.root, config, changed, self._stop, turns=self.turns, kept=self.kept)
            except OSError as exc:
                if self._stopped:  # the preview closed, and removed its folder under this run
                    return
                why = f"search was skipped: {exc}"
            if self.on_notice is not None:
                took = f"{(time.perf_counter() - started) * 1000:.0f} ms"
                self.on_notice(f"search: {why}" if why else f"search index updated in {took}")

    def stop(self) -> None:
        """Ask for no further run and no more notices, and end the Pagefind runs under way."""
        with self._lock:
            self._wanted = None
            self.on_notice = None
            self._stopped = True
        self._stop.set()
        self.turns.release()  # (a run held by a rebuild goes on, to its end)


def _yield_to_rebuilds() -> None:
    """Lower this thread's scheduling priority, and so that of the Pagefind processes it starts: a save made
    while the index of the last one is being made is rebuilt at full speed (on Linux, where a thread has its own)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # elsewhere, or not allowed: the index is made at the same priority
        pass


def _lasting(batch: set[tuple[Change, str]], site: Path) -> tuple[str, ...]:
    """The site paths a burst changed, without files made and deleted within it (a tool's temporary files).

    A folder counts when it came or went: a folder of articles moved into the site is one event,
    and files written into a new folder before the watcher reached it are seen only as the folder.
    """
    kinds: dict[str, set[Change]] = collections.defaultdict(set)
    for change, path in batch:
        kinds[path].add(change)
    return tuple(sorted(Path(path).relative_to(site).as_posix() for path, seen in kinds.items()
                        if _lasts(Path(path), seen)))


def _lasts(path: Path, seen: set[Change]) -> bool:
    if path.is_dir():
        return Change.added in seen
    return not {Change.added, Change.deleted} <= seen or path.exists()


def _action(output_path: str, changed: set[str]) -> tuple[str, dict[str, object]]:
    """What a page does about files changed since it was served: reload, swap stylesheets, or nothing.

    >>> _action("a/index.html", {"a/index.html", "feed.xml"})
    ('reload', {})
    >>> _action("a/index.html", {"b/index.html", "css/digest.css"})
    ('css', {'stylesheets': ['css/digest.css']})
    >>> _action("a/index.html", {"b/index.html", "sitemap.xml"})
    ('none', {})
    """
    if not changed:
        return "none", {}
    shown_elsewhere = output_path == "" or output_path.rpartition("/")[2] == "404.html"  # a missing page may exist now
    if output_path in changed or shown_elsewhere and any(p.endswith(".html") for p in changed):
        return "reload", {}
    others = [p for p in changed if not p.endswith((".html", ".xml", ".txt", ".css"))]
    if others:
        return "reload", {}  # an image, a script: the page may show it
    stylesheets = sorted(p for p in changed if p.endswith(".css"))
    if stylesheets:
        return "css", {"stylesheets": stylesheets}
    return "none", {}


def open_server(preview: Preview, options: ServeOptions) -> PreviewServer:
    """The server for `preview`, bound to its address; a clear UsageError when it cannot be."""
    try:
        return PreviewServer((options.host, options.port), preview)
    except OSError as exc:
        where = f"{options.host}:{options.port}"
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"{where} is already in use: stop the program using it, or choose another port "
                             "with --port (--port 0 picks a free one)") from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"{where}: not allowed to listen there; choose a port above 1023 with --port") from None
        raise UsageError(f"{where}: cannot listen there ({exc.strerror or exc}); check --host and --port") from None


def address_of(server: PreviewServer, preview: Preview) -> str:
    """The URL the preview is served at, with the port actually bound."""
    host, port = server.server_address[:2]
    shown = "localhost" if host in ("0.0.0.0", "::") else str(host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{preview.base_path}"


def serve_site(preview: Preview, server: PreviewServer, on_rebuild: Callable[[Rebuild], None],
               on_serving: Callable[[str], None], stop: threading.Event | None = None) -> None:
    """Build, serve, and rebuild on every change until Ctrl-C (or `stop`); then stop serving and clean up."""
    stop = stop or threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name="digest-serve")
    try:
        on_rebuild(preview.build())
        thread.start()
        on_serving(address_of(server, preview))
        preview.watch(on_rebuild, stop)
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
        if thread.is_alive():
            server.shutdown()
        server.server_close()
