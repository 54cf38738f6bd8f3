"""Stage 3 around the cache: every source's parse result, from the cache where its bytes did not change.

The files that did change are parsed, in worker processes when there are many; each result
is returned with what the cache keeps of it (time, size, hash, signature, body apart).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from digest.incremental.fingerprint import article_signature
from digest.incremental.cache import BuildCache
from digest.incremental.inputs import Inputs, kept_stamp
from digest.model import Article, EditionPage, Page, Problem, SiteConfig, SourceFile, TermPage
from digest.records import CachedParse, LastBuild, LinkRecord
from digest.plan.pages import show_in_full, shown_in_full
from digest.read.content import content_hash, parse_article, parse_edition_page, parse_term_page
from digest.read.discover import scan
from digest.read.files import read_bytes
from digest.workers import MIN_PARALLEL_PARSE, TextStore, parallel_map


@dataclass(frozen=True, slots=True)
class ParsedSources:
    """The site's articles, term pages and editions' introductions, their problems, and what the cache should learn."""

    articles: list[Article]  # bodies kept apart, in `bodies`
    term_pages: list[TermPage]
    edition_pages: list[EditionPage]
    problems: list[Problem]
    new_entries: dict[str, CachedParse]  # an article's body is in `bodies`, not in its entry
    bodies: MutableMapping[str, str]  # article path -> body, for the articles parsed this time
    removed: list[str]  # sources the cache knows that the site no longer has, sorted
    signatures: dict[str, str]  # article path -> `fingerprint.article_signature`, as the cache keeps it


def parse_one(source: SourceFile, stamp: tuple[int, int], config: SiteConfig, started_ns: int) -> CachedParse:
    """One source read and parsed, as the cache keeps it."""
    try:
        data = read_bytes(source.abs_path)
    except OSError as exc:
        unreadable = Problem(path=source.path, line=None, message=f"cannot be read ({exc.strerror})",
                             hint="Check that the file exists and is readable; a link must point to a "
                                  "file that exists.")
        return CachedParse(mtime_ns=-1, size=-1, content_hash="", value=(None, (unreadable,)), body_html=None)
    value: Article | TermPage | EditionPage | None
    if source.kind == "article":
        value, found = parse_article(source, data, config, config.url_for)
    elif source.kind == "editions":
        value, found = parse_edition_page(source, data, config, config.url_for)
    else:
        value, found = parse_term_page(source, data, config, config.url_for)
    body = value.body_html if isinstance(value, Article) else None
    digest = content_hash(data)
    signature = article_signature(value) if isinstance(value, Article) else digest
    if isinstance(value, Article):
        value = dataclasses.replace(value, body_html="")
    mtime_ns, size = kept_stamp(stamp, started_ns)
    return CachedParse(mtime_ns=mtime_ns, size=size, content_hash=digest, signature=signature,
                       value=(value, tuple(found)), body_html=body)


def restamped(entry: CachedParse | None, source: SourceFile, stamp: tuple[int, int],
              started_ns: int) -> CachedParse | None:
    """A cached parse of a file whose time or size changed but whose bytes did not, with its new stamp; else None.

    Its bytes are read and hashed: a file saved again unchanged, or checked out anew, is not parsed again.
    """
    if entry is None or stamp[0] < 0 or not has_bytes(source, entry.content_hash):
        return None
    mtime_ns, size = kept_stamp(stamp, started_ns)
    return dataclasses.replace(entry, mtime_ns=mtime_ns, size=size)


def has_bytes(source: SourceFile, digest: str) -> bool:
    """Whether a source's bytes are those whose content hash is `digest` (False when it cannot be read)."""
    try:
        return content_hash(read_bytes(source.abs_path)) == digest
    except OSError:
        return False


def parse_sources(sources: list[SourceFile], stamps: Mapping[str, tuple[int, int]], config: SiteConfig,
                  cached: Mapping[str, CachedParse], started_ns: int, jobs: int,
                  progress: Callable[[str, int, int], None] | None) -> ParsedSources:
    """Every source's result: cached when its time and size, or its bytes, are unchanged; else parsed."""
    results: dict[str, tuple[Article | TermPage | EditionPage | None, tuple[Problem, ...]]] = {}
    signatures: dict[str, str] = {}
    new_entries: dict[str, CachedParse] = {}
    misses: list[SourceFile] = []
    for source in sources:
        entry = cached.get(source.path)
        stamp = stamps[source.path]
        if entry is not None and (entry.mtime_ns, entry.size) == stamp:
            results[source.path] = entry.value
            signatures[source.path] = entry.signature
            continue
        same = restamped(entry, source, stamp, started_ns)
        if same is not None:
            results[source.path] = same.value
            signatures[source.path] = same.signature
            new_entries[source.path] = same
            continue
        misses.append(source)

    def parse(source: SourceFile) -> CachedParse:
        return parse_one(source, stamps[source.path], config, started_ns)

    def report(done: int) -> None:
        if progress is not None:
            progress("parse", done, len(misses))

    bodies = TextStore()  # not held in memory
    for source, entry in zip(misses, parallel_map(parse, misses, jobs, MIN_PARALLEL_PARSE, report)):
        results[source.path] = entry.value
        signatures[source.path] = entry.signature
        if entry.body_html is not None:
            bodies[source.path] = entry.body_html
            entry = dataclasses.replace(entry, body_html=None)
        new_entries[source.path] = entry
    parsed = ParsedSources(articles=[], term_pages=[], edition_pages=[], problems=[], new_entries=new_entries,
                           bodies=bodies, signatures=signatures,
                           removed=sorted(cached.keys() - stamps.keys()))
    for source in sources:
        value, found = results[source.path]
        parsed.problems.extend(found)
        if isinstance(value, Article):
            parsed.articles.append(value)
        elif isinstance(value, TermPage):
            parsed.term_pages.append(value)
        elif isinstance(value, EditionPage):
            parsed.edition_pages.append(value)
    return parsed


def parse_site(site_dir: Path, config: SiteConfig, jobs: int) -> ParsedSources:
    """Every source of a site parsed by the build's parse stage (in worker processes on a large site), without
    the cache: for the commands that read a site without building it (`digest import`, `digest edition`)."""
    stamps: dict[str, tuple[int, int]] = {}
    sources, _ = scan(site_dir, editions=config.editions is not None, stamps=stamps)
    return parse_sources(sources, stamps, config, {}, time.time_ns(), jobs, None)


def with_bodies(pages: Iterable[Page], bodies: MutableMapping[str, str],
                fetch: Callable[[set[str]], dict[str, str]] | None) -> Callable[[Page], Page]:
    """What gives each of `pages` the bodies of the articles it shows in full, as it is rendered.

    Articles are parsed and cached without their bodies in memory: only the pages of
    `plan.pages.shown_in_full` show a body, and only those being rendered need it.
    `bodies`: those known, by article path; the ones `fetch` gets from the cache, 500 at a
    time, are added to it (to a `TextStore`'s file, on a full build, not to memory).
    """
    if fetch is not None:
        wanted = sorted({a.path for page in pages for a in shown_in_full(page)} - bodies.keys())
        for start in range(0, len(wanted), FETCHED):
            bodies.update(fetch(set(wanted[start: start + FETCHED])))

    def filled(page: Page) -> Page:
        articles = shown_in_full(page)
        if not articles:
            return page
        return show_in_full(page, tuple(dataclasses.replace(a, body_html=bodies.get(a.path, "")) for a in articles))

    return filled


FETCHED = 500  # bodies read from the cache at a time


def links_kept(cache: BuildCache | None, last: LastBuild | None, inputs: Inputs, before: Mapping[str, CachedParse],
                new: Mapping[str, CachedParse]) -> dict[str, LinkRecord] | None:
    """What the last build linked each article to, for `build_sites` to keep the related articles that no edit
    can have changed: when the settings, templates and static files are those of the last build (the number of
    related articles is a setting), and each article parsed again (`new`) has the date it had (`before`)."""
    if cache is None or last is None or inputs.others is None or inputs.others != last.others:
        return None
    for path, entry in new.items():
        article, old = entry.value[0], before.get(path)
        if isinstance(article, Article) and (old is None or not isinstance(old.value[0], Article)
                                             or old.value[0].date != article.date):
            return None
    return cache.links(None)
