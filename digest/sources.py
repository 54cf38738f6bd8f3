"""Stage 3 around the cache: every source's parse result, from the cache where its bytes did not change.

The files that did change are parsed, in worker processes when there are many; each result
is returned with what the cache keeps of it (time, size, hash, signature, body apart).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from digest.content import content_hash, parse_article, parse_term_page
from digest.fingerprint import article_signature
from digest.inputs import RACY_NS, read_bytes
from digest.model import Article, CachedParse, FrozenMap, Page, Problem, SiteConfig, SourceFile, TermPage
from digest.workers import MIN_PARALLEL_PARSE, parallel_map


@dataclass(frozen=True, slots=True)
class ParsedSources:
    """The site's articles and term pages, their problems, and what the cache should learn."""

    articles: list[Article]  # bodies kept apart, in `bodies`
    term_pages: list[TermPage]
    problems: list[Problem]
    new_entries: dict[str, CachedParse]
    bodies: dict[str, str]  # article path -> body, for the articles parsed this time


def parse_one(source: SourceFile, stamp: tuple[int, int], config: SiteConfig, started_ns: int) -> CachedParse:
    """One source read and parsed, as the cache keeps it."""
    try:
        data = read_bytes(source.abs_path)
    except OSError as exc:
        unreadable = Problem(path=source.path, line=None, message=f"cannot be read ({exc.strerror})",
                             hint="Check that the file exists and is readable; a link must point to a "
                                  "file that exists.")
        return CachedParse(mtime_ns=-1, size=-1, content_hash="", value=(None, (unreadable,)), body_html=None)
    value: Article | TermPage | None
    if source.kind == "article":
        value, found = parse_article(source, data, config, config.url_for)
    else:
        value, found = parse_term_page(source, data, config, config.url_for)
    body = value.body_html if isinstance(value, Article) else None
    digest = content_hash(data)
    signature = article_signature(value) if isinstance(value, Article) else digest
    if isinstance(value, Article):
        value = dataclasses.replace(value, body_html="")
    mtime_ns, size = stamp
    if mtime_ns > started_ns - RACY_NS:
        mtime_ns = -1  # hash it again next time
    return CachedParse(mtime_ns=mtime_ns, size=size, content_hash=digest, signature=signature,
                       value=(value, tuple(found)), body_html=body)


def parse_sources(sources: list[SourceFile], stamps: Mapping[str, tuple[int, int]], config: SiteConfig,
                  cached: Mapping[str, CachedParse], started_ns: int, jobs: int,
                  progress: Callable[[str, int, int], None] | None) -> ParsedSources:
    """Every source's result: cached when its time and size, or its bytes, are unchanged; else parsed."""
    results: dict[str, tuple[Article | TermPage | None, tuple[Problem, ...]]] = {}
    new_entries: dict[str, CachedParse] = {}
    misses: list[SourceFile] = []
    for source in sources:
        entry = cached.get(source.path)
        stamp = stamps[source.path]
        if entry is not None and (entry.mtime_ns, entry.size) == stamp:
            results[source.path] = entry.value
            continue
        if entry is not None and stamp[0] >= 0:
            if content_hash(read_bytes(source.abs_path)) == entry.content_hash:
                results[source.path] = entry.value
                if stamp[0] <= started_ns - RACY_NS:
                    new_entries[source.path] = dataclasses.replace(entry, mtime_ns=stamp[0], size=stamp[1])
                continue
        misses.append(source)

    def parse(source: SourceFile) -> CachedParse:
        return parse_one(source, stamps[source.path], config, started_ns)

    def report(done: int) -> None:
        if progress is not None:
            progress("parse", done, len(misses))

    bodies: dict[str, str] = {}
    for source, entry in zip(misses, parallel_map(parse, misses, jobs, MIN_PARALLEL_PARSE, report)):
        new_entries[source.path] = entry
        results[source.path] = entry.value
        if entry.body_html is not None:
            bodies[source.path] = entry.body_html
    parsed = ParsedSources(articles=[], term_pages=[], problems=[], new_entries=new_entries, bodies=bodies)
    for source in sources:
        value, found = results[source.path]
        parsed.problems.extend(found)
        if isinstance(value, Article):
            parsed.articles.append(value)
        elif isinstance(value, TermPage):
            parsed.term_pages.append(value)
    return parsed


def with_bodies(pages: list[Page], bodies: dict[str, str],
                fetch: Callable[[set[str]], dict[str, str]] | None) -> list[Page]:
    """The pages, with the bodies of the articles they show in full filled in.

    Articles are parsed and cached without their bodies in memory: only an article's own
    page and the full-content feeds show a body, and only those being rendered need it.
    `bodies`: those known, by article path (the ones `fetch` gets from the cache are added).
    """
    def shown(page: Page) -> tuple[Article, ...]:
        context = page.context
        if context.get("kind") == "article":
            return (context["article"],)  # type: ignore[return-value]
        if context.get("kind") == "feed" and context.get("full_content"):
            return tuple(context["articles"])  # type: ignore[arg-type]
        return ()

    wanted = {a.path for page in pages for a in shown(page)} - bodies.keys()
    if wanted and fetch is not None:
        bodies.update(fetch(wanted))

    def filled(article: Article) -> Article:
        return dataclasses.replace(article, body_html=bodies.get(article.path, ""))

    result = []
    for page in pages:
        articles = shown(page)
        if articles:
            context = dict(page.context)
            if context["kind"] == "article":
                context["article"] = filled(articles[0])
            else:
                context["articles"] = tuple(filled(a) for a in articles)
            page = dataclasses.replace(page, context=FrozenMap(context))
        result.append(page)
    return result
