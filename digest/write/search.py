"""Stage 7, write, then search: a full-text index of the articles, made with Pagefind after the pages are written.

Pagefind (the `pagefind` package's binary, installed with digest; nothing is downloaded)
reads the article pages and writes a static index to `output/pagefind/`, which the
theme's search page queries in the browser: no server, no request to another host.
What it indexes is marked in the templates: `data-pagefind-body` on an article,
`data-pagefind-weight` on its title, `data-pagefind-filter` on its people, topics and source,
`data-pagefind-meta` on its date and source.

The index is made in parts, one per year of articles, each written beside the output and
swapped into place when it is whole; parts are made two (or as many as the machine has cores)
at a time. Pagefind has no incremental mode, so a part is made
again, whole, when one of its pages changed; an edit costs the articles of its year. When the
binary is missing or fails, the build still succeeds: the stage says why search was
skipped, and the theme leaves the search box out.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from digest.model import Problem, SiteConfig
from digest.workers import default_jobs
from digest.write.output import SEARCH_DIR, OutputWriter

_ALL = "all"  # the one part of an index not split by year
_YEAR = re.compile(r"[0-9]{4}")
_LISTING = "shards.json"
_NEW = ".digest-search"  # a part being made, inside the output folder (hidden: never served): `_NEW-2015`
_OLD = ".digest-search-old"  # a part being replaced: `_OLD-2015`
TIMEOUT = 1800  # seconds; 10,000 articles take about 15


def pagefind_binary() -> str | None:
    """The Pagefind executable installed with digest, if it is there and runs on this machine; else None."""
    try:
        import pagefind_bin  # type: ignore[import-untyped]  # `pagefind[bin]`; a missing one is reported
    except ImportError:
        return None
    try:
        binary = str(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError):
        return None
    return binary if _runs(binary) else None


@functools.lru_cache(maxsize=4)
def _runs(binary: str) -> bool:
    """Whether a binary starts here (not one built for another system), asked once per process."""
    try:
        return subprocess.run([binary, "--version"], capture_output=True, timeout=60, check=False,
                              stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def search_ready(config: SiteConfig) -> bool:
    """Whether this build makes a search index: asked for, and Pagefind is there to run."""
    return config.search and pagefind_binary() is not None


def article_glob(article_url: str, year: str | None = None, roots: tuple[str, ...] = ("/",)) -> str:
    """The files Pagefind reads: those the article URL pattern can produce (in one year, if given), under
    each language's folder (`roots`).

    >>> article_glob("/{year}/{month}/{slug}/"), article_glob("/{year}/{month}/{slug}/", "2015")
    ('*/*/*/index.html', '2015/*/*/index.html')
    >>> article_glob("/news/{slug}.html"), article_glob("/{year}/{month}/{slug}/", "2015", ("/", "/fr/"))
    ('news/*.html', '{2015,fr/2015}/*/*/index.html')
    """
    pattern = article_url.strip("/").replace("{year}", year) if year else article_url.strip("/")
    pattern = re.sub(r"\{\w+\}", "*", pattern)
    pattern = pattern + "/index.html" if article_url.endswith("/") else pattern
    if len(roots) == 1 and roots[0] == "/":
        return pattern
    first, _, rest = pattern.partition("/")
    return "{" + ",".join(root.lstrip("/") + first for root in roots) + "}/" + rest


def _roots(config: SiteConfig) -> tuple[str, ...]:
    """The folders of the site's languages: ("/",), or ("/", "/fr/", "/ar/")."""
    return tuple(language.root for language in config.languages) or ("/",)


def shards_of(output_dir: Path, config: SiteConfig) -> list[str]:
    """The parts the index is made in, newest first: one per year when article URLs start with the year.

    An edit then indexes again the articles of its year only. Other URL patterns make one part, "all".
    """
    if not config.article_url.startswith("/{year}/"):
        return [_ALL]
    years = set()
    for root in _roots(config):
        folder = output_dir / root.strip("/")
        if folder.is_dir():
            years |= {entry.name for entry in os.scandir(folder) if entry.is_dir() and _YEAR.fullmatch(entry.name)}
    return sorted(years, reverse=True)


def index_site(output_dir: Path, config: SiteConfig, changed: Iterable[str] | None = None) -> str | None:
    """Make the search index of a written site, or the parts of it `changed` paths fall in; why not, or None.

    `output/pagefind/` holds one Pagefind index per part (`2016/`, `2015/`...) and
    `shards.json`, the list of parts, newest first: the search page loads the first
    and merges the others into it.
    """
    if not config.search:
        remove_index(output_dir)
        return None
    binary = pagefind_binary()
    if binary is None:
        return ("search was skipped: the Pagefind binary is not installed or does not run here "
                "(pip install 'pagefind[bin]'); the site is built without its search page")
    live = output_dir / SEARCH_DIR
    shards = shards_of(output_dir, config)
    roots = [root.lstrip("/") for root in _roots(config) if root != "/"]
    touched = None if changed is None else {
        next((path[len(r):] for r in roots if path.startswith(r)), path).split("/", 1)[0] for path in changed}
    todo = [shard for shard in shards if not ((live / shard / "pagefind.js").is_file() and touched is not None
                                              and shard != _ALL and shard not in touched)]
    # Pagefind keeps about one core and a half busy: two parts at once on two cores take 0.7 of the time
    with ThreadPoolExecutor(max_workers=max(1, min(len(todo), default_jobs()))) as pool:
        failed = [why for why in pool.map(lambda shard: _index_part(binary, output_dir, config, shard), todo) if why]
    if failed:
        return failed[0]
    live.mkdir(exist_ok=True)
    for entry in os.scandir(live):  # parts of years the site no longer has
        if entry.is_dir() and entry.name not in shards:
            shutil.rmtree(entry.path, ignore_errors=True)
    listing = json.dumps({"shards": shards}).encode()
    if not (live / _LISTING).is_file() or (live / _LISTING).read_bytes() != listing:
        (live / f".{_LISTING}.new").write_bytes(listing)  # a new file: the output's twin may share the old one
        os.replace(live / f".{_LISTING}.new", live / _LISTING)
    return None


def _index_part(binary: str, output_dir: Path, config: SiteConfig, shard: str) -> str | None:
    """Index one part into a scratch folder of its own, then swap it into place; why it failed, or None."""
    new, old, live = output_dir / f"{_NEW}-{shard}", output_dir / f"{_OLD}-{shard}", output_dir / SEARCH_DIR / shard
    shutil.rmtree(new, ignore_errors=True)
    glob = article_glob(config.article_url, None if shard == _ALL else shard, _roots(config))
    command = [binary, "--site", str(output_dir), "--output-path", str(new), "--glob", glob]
    if not config.languages:  # one language: Pagefind's words for it, whatever the pages' lang says
        command += ["--force-language", config.language.split("-")[0]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                              stdin=subprocess.DEVNULL, env={**os.environ, "PAGEFIND_QUIET": "true"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(new, ignore_errors=True)
        return f"search was skipped: Pagefind could not run ({exc})"
    if done.returncode != 0 or not (new / "pagefind.js").is_file():
        shutil.rmtree(new, ignore_errors=True)
        lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        return f"search was skipped: Pagefind failed ({lines[-1].strip() if lines else f'exit {done.returncode}'})"
    for unused in new.glob("pagefind-*ui.*"):  # Pagefind's own search UIs: the theme has its own page
        unused.unlink()
    (new / "pagefind-highlight.js").unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)
    live.parent.mkdir(exist_ok=True)  # (parts made at once may both make it)
    if live.exists():
        live.rename(old)
    new.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    return None


def search_stage(folder: Path, config: SiteConfig, changed: Iterable[str], whole: bool) -> tuple[bool, str | None]:
    """The search stage on a written folder, where `changed` files changed (`whole`: index them all).

    Returns whether it ran (and so may have changed the folder), and why search was skipped, or None.
    """
    pages = None if whole else pages_to_index(folder, changed)
    if (config.search and pages == []) or (not config.search and not (folder / SEARCH_DIR).exists()):
        return False, None
    return True, index_site(folder, config, pages)


def commit_with_search(writer: OutputWriter, config: SiteConfig, previous: Collection[str] | None, *, index: bool,
                       whole: bool, lap: Callable[[str], None]) -> tuple[Problem, ...]:
    """Put a build's files in place, with the search index made in the folder about to become the output.

    `index`: make the index now (the preview makes it in the background); `whole`: index every
    page, not only the changed ones. `lap(stage)` is told when writing and searching end, for
    the build's timings. Returns why search was skipped, as a warning, if it was.
    """
    found: list[Problem] = []

    def search(folder: Path) -> bool:
        if not index:
            return False
        lap("write")
        ran, why = search_stage(folder, config, writer.changed, whole=whole)
        if ran:
            lap("search")
        found.extend([Problem(path=None, line=None, message=why, severity="warning")] if why else [])
        return ran

    writer.commit(previous, search)
    return tuple(found)


def remove_index(output_dir: Path) -> None:
    """Remove the search index, when the site no longer has search."""
    shutil.rmtree(output_dir / SEARCH_DIR, ignore_errors=True)
    for scratch in output_dir.glob(f"{_NEW}*"):  # the scratch folders of parts (`_OLD` starts alike)
        shutil.rmtree(scratch, ignore_errors=True)


def pages_to_index(output_dir: Path, changed: Iterable[str]) -> list[str] | None:
    """The changed pages the search index must take in; None when it is missing (index everything).

    >>> pages_to_index(Path("/nowhere"), ["a/index.html"]) is None
    True
    """
    if not index_is_whole(output_dir):
        return None
    return [path for path in changed if path.endswith(".html")]


def index_is_whole(output_dir: Path) -> bool:
    """Whether the output holds a complete search index: its list of parts, and each part."""
    try:
        shards = json.loads((output_dir / SEARCH_DIR / _LISTING).read_bytes())["shards"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return all((output_dir / SEARCH_DIR / str(shard) / "pagefind.js").is_file() for shard in shards)
