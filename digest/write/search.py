"""Stage 7, write, then search: a full-text index of the articles, made with Pagefind after the pages are written.

Pagefind (the `pagefind` package's binary, installed with digest; nothing is downloaded)
reads the article pages and writes a static index to `output/pagefind/`, which the
theme's search page queries in the browser: no server, no request to another host.
What it indexes is marked in the templates: `data-pagefind-body` on an article,
`data-pagefind-weight` on its title, `data-pagefind-filter` on its people, topics and source,
`data-pagefind-meta` on its date and source.

The index is made in parts by the articles' dates: a year, or where a year holds more than
`PART_SIZE` articles, its quarters, or where it holds more than four times as many, its
months. Each part is written beside the output and swapped into place when it is whole; parts
are made one more at a time than the machine has cores (three on two). Pagefind has no incremental
mode, so a part is made again, whole, when one of its pages changed: an edit costs the
articles of its part, at most about `PART_SIZE`. When the
binary is missing or fails, the build still succeeds: the stage says why search was
skipped, and the theme leaves the search box out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from digest.model import Problem, SiteConfig
from digest.workers import default_jobs
from digest.write.index_files import prune, seed
from digest.write.output import SEARCH_DIR, OutputWriter
from digest.write.runs import GiveWay, pagefind_binary, pagefind_version, run_pagefind
from digest.write.searchable import slim_pages

_ALL = "all"  # the one part of an index not split by year
_YEAR = re.compile(r"[0-9]{4}")
_MONTH = re.compile(r"(?:0[1-9]|1[0-2])")
_PART = re.compile(r"(?P<year>[0-9]{4})(?:-q(?P<quarter>[1-4])|-(?P<month>[0-9]{2}))?")
# Articles a part holds at most, on average: Pagefind takes about a millisecond an article, so an
# edit re-indexes its part in about a quarter of a second. More parts cost the search page: it
# asks each of them at every query (at 10,000 articles, 10 parts answer in 0.27 s, 40 in 0.45 s).
PART_SIZE = 300
_LISTING = "shards.json"
KEPT_PAGES = "search"  # in the build cache: what Pagefind reads of each page (`searchable.slim_pages`), a folder a part
_NEW = ".digest-search"  # a part being made, inside the output folder (hidden: never served): `_NEW-2015`
_OLD = ".digest-search-old"  # a part being replaced: `_OLD-2015`


def search_ready(config: SiteConfig) -> bool:
    """Whether this build makes a search index: asked for, and Pagefind is there to run."""
    return config.search and pagefind_binary() is not None


def part_pattern(article_url: str, part: str | None = None,
                 roots: tuple[str, ...] = ("/",)) -> tuple[list[str], str]:
    """The folders a part's article pages are in (relative to the output, each ending in `/`, or ""),
    and the pattern of their paths below them: the pages the article URL pattern can produce (in one
    part: a year, a quarter `2015-q4` or a month `2015-11`, if given), under each language's folder.

    >>> part_pattern("/{year}/{month}/{slug}/"), part_pattern("/news/{slug}.html")
    (([''], '*/*/*/index.html'), ([''], 'news/*.html'))
    >>> part_pattern("/{year}/{month}/{slug}/", "2015", ("/", "/fr/"))
    (['2015/', 'fr/2015/'], '*/*/index.html')
    >>> part_pattern("/{year}/{month}/{slug}/", "2015-q4"), part_pattern("/{year}/{month}/{slug}.html", "2015-11")
    ((['2015/10/', '2015/11/', '2015/12/'], '*/index.html'), (['2015/11/'], '*.html'))
    """
    pattern = article_url.strip("/")
    pattern = pattern + "/index.html" if article_url.endswith("/") else pattern
    heads = [""]
    if part is not None:
        year, months = _part_months(part)
        cut = pattern.index("{month}") + len("{month}") if months else pattern.index("{year}") + len("{year}")
        head, pattern = pattern[:cut], pattern[cut + 1:]
        heads = [head.replace("{year}", year).replace("{month}", month) + "/" for month in months or [""]]
    return [root.lstrip("/") + head for root in roots for head in heads], re.sub(r"\{\w+\}", "*", pattern)


def _part_files(output_dir: Path, config: SiteConfig, part: str) -> list[str]:
    """The article pages of one part of the index, as paths relative to the output."""
    starts, pattern = part_pattern(config.article_url, None if part == _ALL else part, _roots(config))
    found: set[str] = set()
    for start in starts:
        folder = output_dir / start
        if folder.is_dir():
            found.update(path.relative_to(output_dir).as_posix() for path in folder.glob(pattern) if path.is_file())
    return sorted(found)


def _part_months(part: str) -> tuple[str, list[str]]:
    """A part's year and its months (none for a whole year).

    >>> _part_months("2015"), _part_months("2015-q2"), _part_months("2015-11")
    (('2015', []), ('2015', ['04', '05', '06']), ('2015', ['11']))
    """
    found = _PART.fullmatch(part)
    assert found is not None, part
    if found["quarter"]:
        first = 3 * int(found["quarter"]) - 2
        return found["year"], [f"{month:02d}" for month in range(first, first + 3)]
    return found["year"], [found["month"]] if found["month"] else []


def part_of(path: str, parts: Collection[str]) -> str | None:
    """The part of the index a page of the output (without its language's folder) falls in, if any.

    >>> part_of("2015/11/paris/index.html", ["2016", "2015-q4"]), part_of("2016/01/a/index.html", ["2016"])
    ('2015-q4', '2016')
    """
    year, _, rest = path.partition("/")
    month = rest.split("/", 1)[0]
    quarter = f"{year}-q{(int(month) + 2) // 3}" if _MONTH.fullmatch(month) else None
    return next((part for part in (year, quarter, f"{year}-{month}") if part in parts), None)


def _roots(config: SiteConfig) -> tuple[str, ...]:
    """The folders of the site's languages: ("/",), or ("/", "/fr/", "/ar/")."""
    return tuple(language.root for language in config.languages) or ("/",)


def shards_of(output_dir: Path, config: SiteConfig) -> dict[str, int]:
    """The parts the index is made in, newest first, with about how many articles each holds: a part per year
    when article URLs start with the year; where they go on with the month, a part per quarter of a year that
    holds more than `PART_SIZE` articles, a part per month of one that holds more than four times as many.

    Other URL patterns make one part, "all". A year's parts follow from its number of articles,
    read from the written output, so a clean build and an incremental one make the same parts.
    """
    if not config.article_url.startswith("/{year}/"):
        return {_ALL: 0}
    monthly = config.article_url.startswith("/{year}/{month}/")
    counts: dict[str, dict[str, int]] = {}
    for root in _roots(config):
        folder = output_dir / root.strip("/")
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if not (entry.is_dir() and _YEAR.fullmatch(entry.name)):
                continue
            months = counts.setdefault(entry.name, {})
            if monthly:
                for month in os.scandir(entry.path):
                    if month.is_dir() and _MONTH.fullmatch(month.name):
                        months[month.name] = months.get(month.name, 0) + _articles_in(month.path)
            else:
                months[""] = months.get("", 0) + _articles_in(entry.path)
    parts: dict[str, int] = {}
    for year, all_months in counts.items():
        months = {month: count for month, count in all_months.items() if count}  # a folder with no article
        total = sum(months.values())
        for name, count in months.items():
            part = (year if not monthly or total <= PART_SIZE else
                    f"{year}-q{(int(name) + 2) // 3}" if total <= 4 * PART_SIZE else f"{year}-{name}")
            parts[part] = parts.get(part, 0) + count
    return dict(sorted(parts.items(), reverse=True))


def _articles_in(folder: str) -> int:
    """About how many articles a folder of the output holds: its entries but its own page."""
    return sum(1 for entry in os.scandir(folder) if entry.name != "index.html")


def index_site(output_dir: Path, config: SiteConfig, changed: Iterable[str] | None = None,
               stop: threading.Event | None = None, made: list[str] | None = None,
               turns: GiveWay | None = None, kept: Path | None = None) -> str | None:
    """Make the search index of a written site, or the parts of it `changed` paths fall in; why not, or None.

    `output/pagefind/` holds one Pagefind index per part (`2016/`, `2015-q4/`...) and
    `shards.json`, the list of parts, newest first: the search page loads the first
    and merges the others into it. `stop`, once set, ends the Pagefind runs under way (the
    preview, closing), and the index is not made. `made`, when given, gets the path in the
    output of each part folder made, replaced or removed, and of the list when it was written.
    `turns`: while it is held (the preview, rebuilding), the runs stop where they are. `kept`: a folder of the
    build cache where what Pagefind reads of each page is kept from one build to the next, a folder a part.
    """
    made = [] if made is None else made
    if not config.search:
        if (output_dir / SEARCH_DIR).exists():
            made.append(SEARCH_DIR)
        remove_index(output_dir)
        if kept is not None:
            shutil.rmtree(kept, ignore_errors=True)
        return None
    binary = pagefind_binary()
    if binary is None:
        return ("search was skipped: the Pagefind binary is not installed or does not run here "
                "(pip install 'pagefind[bin]'); the site is built without its search page")
    live = output_dir / SEARCH_DIR
    if turns is not None:
        turns.wait()
    sizes = shards_of(output_dir, config)
    shards = list(sizes)
    roots = [root.lstrip("/") for root in _roots(config) if root != "/"]
    touched = None if changed is None else {
        part_of(next((path[len(r):] for r in roots if path.startswith(r)), path), shards) for path in changed}
    todo = [shard for shard in shards if not ((live / shard / "pagefind.js").is_file() and touched is not None
                                              and shard != _ALL and shard not in touched)]
    todo.sort(key=lambda shard: -sizes[shard])  # the largest first: the last to end are small ones, on every core
    made_from = _listing(live).get("pages", {})
    # Pagefind keeps about one core and a half busy: two parts at once on two cores take 0.7 of the time. One
    # part more than cores: while a part's pages are read and cut down (Python, one thread at a time), the
    # others' Pagefind runs keep the cores busy (40 parts on two cores: 9.4–9.8 s, against 9.9–10.2 with two)
    def index_part(shard: str) -> tuple[str | None, str | None, bool]:
        return _index_part(binary, output_dir, config, shard, made_from.get(shard), stop, turns, kept)

    if len(todo) == 1:  # (an edit's: without a pool, whose module imports `logging`)
        done = {todo[0]: index_part(todo[0])}
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(len(todo), default_jobs() + 1))) as pool:
            done = dict(zip(todo, pool.map(index_part, todo)))
    made += (f"{SEARCH_DIR}/{shard}" for shard, (_, _, remade) in done.items() if remade)
    failed = [why for why, _, _ in done.values() if why]
    if failed:
        return failed[0]
    live.mkdir(exist_ok=True)
    for entry in os.scandir(live):  # parts the site no longer has (a year gone, or made in other parts)
        if entry.is_dir() and entry.name not in shards:
            shutil.rmtree(entry.path, ignore_errors=True)
            made.append(f"{SEARCH_DIR}/{entry.name}")
    for entry in os.scandir(kept) if kept is not None and kept.is_dir() else ():  # and their pages
        if entry.is_dir() and entry.name not in shards:
            shutil.rmtree(entry.path, ignore_errors=True)
    pages = {shard: done[shard][1] if shard in done else made_from.get(shard) for shard in shards}
    listing = json.dumps({"shards": shards, "pages": pages}).encode()
    if not (live / _LISTING).is_file() or (live / _LISTING).read_bytes() != listing:
        (live / f".{_LISTING}.new").write_bytes(listing)  # a new file: the output's twin may share the old one
        os.replace(live / f".{_LISTING}.new", live / _LISTING)
        made.append(f"{SEARCH_DIR}/{_LISTING}")
    return None


def _listing(live: Path) -> dict[str, Any]:
    """`shards.json`: the parts, newest first, and a hash of what each was made from; empty if unreadable."""
    try:
        listing = json.loads((live / _LISTING).read_bytes())
    except (OSError, ValueError):
        return {}
    return listing if isinstance(listing, dict) and isinstance(listing.get("pages", {}), dict) else {}


def _index_part(binary: str, output_dir: Path, config: SiteConfig, shard: str, made_from: str | None,
                stop: threading.Event | None = None, turns: GiveWay | None = None, kept: Path | None = None
                ) -> tuple[str | None, str | None, bool]:
    """Index one part into a scratch folder of its own, then swap it into place; why it failed (or None),
    a hash of what it was made from, and whether a new part took the place of the one there.

    Pagefind reads what it indexes of each page (`searchable`), copied to a folder of its own: in
    `kept` (the build cache's), where the copies of the pages that did not change since the last
    time are still there, else a scratch folder. It writes into a folder seeded with the part's
    previous data files: an edit costs the part's pages, but only its changed files are written.
    A part made from the same pages as the one in place (`made_from`, as `shards.json` lists it), by
    the same Pagefind, is kept: a template edit that changes no indexed word indexes nothing.
    """
    new, old, live = output_dir / f"{_NEW}-{shard}", output_dir / f"{_OLD}-{shard}", output_dir / SEARCH_DIR / shard
    pages = kept / shard if kept is not None else output_dir / f"{_NEW}-{shard}-pages"
    shutil.rmtree(new, ignore_errors=True)
    if kept is None:
        shutil.rmtree(pages, ignore_errors=True)
    command = [binary, "--site", str(pages), "--output-path", str(new)]
    if not config.languages:  # one language: Pagefind's words for it, whatever the pages' lang says
        command += ["--force-language", config.language.split("-")[0]]
    try:
        wait = None if turns is None else turns.wait
        read = slim_pages(output_dir, _part_files(output_dir, config, shard), pages, kept is not None, wait)
        made_by = f"{read}|{pagefind_version(binary)}|{command[5:]}"
        source = hashlib.blake2b(made_by.encode(), digest_size=16).hexdigest()
        if source == made_from and (live / "pagefind.js").is_file():
            return None, source, False
        seed(live, new)
        why = run_pagefind(command, new, stop, turns)
        if why is None:
            try:
                prune(new)
            except (OSError, ValueError, KeyError, IndexError, TypeError):  # files of a Pagefind not known here
                shutil.rmtree(new, ignore_errors=True)
                why = run_pagefind(command, new, stop, turns)
    finally:
        if kept is None:
            shutil.rmtree(pages, ignore_errors=True)
    if why is not None:
        shutil.rmtree(new, ignore_errors=True)
        return why, None, False
    for unused in new.glob("pagefind-*ui.*"):  # Pagefind's own search UIs: the theme has its own page
        unused.unlink()
    (new / "pagefind-highlight.js").unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)
    live.parent.mkdir(exist_ok=True)  # (parts made at once may both make it)
    if live.exists():
        live.rename(old)
    new.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    return None, source, True


def search_stage(folder: Path, config: SiteConfig, changed: Iterable[str], whole: bool,
                 kept: Path | None = None) -> tuple[list[str] | None, str | None]:
    """The search stage on a written folder, where `changed` files changed (`whole`: index them all; `kept`: as
    `index_site`'s).

    Returns None if it did not run, else the paths in the folder it changed (`index_site`'s `made`);
    and why search was skipped, or None.
    """
    pages = None if whole else pages_to_index(folder, changed)
    if (config.search and pages == []) or (not config.search and not (folder / SEARCH_DIR).exists()):
        return None, None
    made: list[str] = []
    why = index_site(folder, config, pages, made=made, kept=kept)
    return made, why


def commit_with_search(writer: OutputWriter, config: SiteConfig, previous: Collection[str] | None, *, index: bool,
                       whole: bool, lap: Callable[[str], None], kept: Path | None = None) -> tuple[Problem, ...]:
    """Put a build's files in place, with the search index made in the folder about to become the output.

    `index`: make the index now (the preview makes it in the background); `whole`: index every
    page, not only the changed ones; `kept`: as `index_site`'s. `lap(stage)` is told when writing and searching end, for
    the build's timings. Returns why search was skipped, as a warning, if it was. The output's twin
    may still be following the output on return: `writer.settle()` waits for it.
    """
    found: list[Problem] = []

    def search(folder: Path) -> list[str]:
        if not index:
            return []
        lap("write")
        made, why = search_stage(folder, config, writer.changed, whole=whole, kept=kept)
        if made is not None:
            lap("search")
        found.extend([Problem(path=None, line=None, message=why, severity="warning")] if why else [])
        return made or []

    writer.commit(previous, search, later=True)
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
    shards = _listing(output_dir / SEARCH_DIR).get("shards")
    return isinstance(shards, list) and all((output_dir / SEARCH_DIR / str(shard) / "pagefind.js").is_file()
                                            for shard in shards)
