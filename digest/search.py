"""Stage 8, search: a full-text index of the articles, made with Pagefind after the pages are written.

Pagefind (the `pagefind` package's binary, installed with digest; nothing is downloaded)
reads the article pages and writes a static index to `output/pagefind/`, which the
theme's search page queries in the browser: no server, no request to another host.
What it indexes is marked in the templates: `data-pagefind-body` on an article,
`data-pagefind-weight` on its title, `data-pagefind-filter` on its people and topics,
`data-pagefind-meta` on its date and source.

The index is written beside the output and swapped into place when it is whole. It is
made again only when a page changed, since Pagefind has no incremental mode. When the
binary is missing or fails, the build still succeeds: the stage says why search was
skipped, and the theme leaves the search box out.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from digest.model import SiteConfig
from digest.output import SEARCH_DIR

_NEW = ".digest-search"  # the index being made, inside the output folder (hidden: never served)
_OLD = ".digest-search-old"
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


def article_glob(article_url: str) -> str:
    """The files Pagefind reads: those the article URL pattern can produce.

    >>> article_glob("/{year}/{month}/{slug}/"), article_glob("/news/{slug}.html")
    ('*/*/*/index.html', 'news/*.html')
    """
    pattern = re.sub(r"\{\w+\}", "*", article_url.strip("/"))
    return pattern + "/index.html" if article_url.endswith("/") else pattern


def index_site(output_dir: Path, config: SiteConfig) -> str | None:
    """Make the search index of a written site; why it was not made, or None when it was."""
    if not config.search:
        remove_index(output_dir)
        return None
    binary = pagefind_binary()
    if binary is None:
        return ("search was skipped: the Pagefind binary is not installed or does not run here "
                "(pip install 'pagefind[bin]'); the site is built without its search page")
    new, old, live = output_dir / _NEW, output_dir / _OLD, output_dir / SEARCH_DIR
    shutil.rmtree(new, ignore_errors=True)
    command = [binary, "--site", str(output_dir), "--output-path", str(new), "--glob", article_glob(config.article_url),
               "--force-language", config.language.split("-")[0]]
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
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    new.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    return None


def remove_index(output_dir: Path) -> None:
    """Remove the search index, when the site no longer has search."""
    for name in (SEARCH_DIR, _NEW, _OLD):
        shutil.rmtree(output_dir / name, ignore_errors=True)


def index_is_whole(output_dir: Path) -> bool:
    """Whether the output holds a complete search index."""
    return (output_dir / SEARCH_DIR / "pagefind.js").is_file()
