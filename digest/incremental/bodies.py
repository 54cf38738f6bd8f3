"""The body-only shortcut: a rebuild after edits that change only articles' bodies.

An edit that leaves an article's signature (title, date, people, topics, summary...) and
its problems as they were cannot move it in the site: every page but its own and the
full-content feed keeps its fingerprint. Only those are rendered, from what the last full
build recorded of the articles they show (`link_records`); the site is not linked up again.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from digest.incremental.cache import BuildCache
from digest.incremental.fingerprint import Fingerprints
from digest.incremental.inputs import Inputs, kept_stamp
from digest.incremental.sources import has_bytes, parse_one, with_bodies
from digest.link import duplicates
from digest.model import (Article, ArticleLinks, EditionRef, FrozenMap, Page, Problem, Site, SiteConfig,
                          SourceFile, Taxonomy, TermRef)
from digest.records import CachedParse, LastBuild, LinkRecord, Work
from digest.plan.pages import article_alternates, article_page, output_path, site_feeds

MAX_EDITS = 200  # more changed files than this are built in full: the shortcut would not be shorter


def _warned_elsewhere(old: object, new: Article, last: LastBuild) -> bool:
    """Whether the lines of an article's links moved (a line added above them) while a warning of a story it shares
    with another article names one (the signature leaves lines out: no page shows them)."""
    if not isinstance(old, Article) or not new.links_moved_from(old):
        return False
    return any(p.hint == duplicates.HINT and (p.path == new.path or f" as {new.path}:" in p.message)
               for p in last.warnings)


def link_records(sites: tuple[Site, ...]) -> Iterator[tuple[str, LinkRecord]]:
    """What every article of the site links to, by path, for rebuilds that do not link the site again: made one by
    one as the cache writes them (held together, those of 100,000 articles took 70 MB)."""
    for site in sites:
        for article in site.articles:
            links = site.links[article.path]
            yield article.path, (
                _named(links.people), _named(links.topics),
                tuple(a.path for a in links.related), links.previous.path if links.previous else None,
                links.next.path if links.next else None, article_alternates(site, article), _named(links.sources),
                None if links.edition is None else (links.edition.number, links.edition.title, links.edition.url,
                                                    links.edition.date.isoformat()))


def links_to_write(work: Work) -> tuple[Iterator[tuple[str, LinkRecord]] | None,
                                         Iterable[tuple[str, LinkRecord | None]]]:
    """What the cache is told of what articles link to after `work` (`BuildCache.save`'s `links` and `relinked`):
    every record, after a build that linked the site; only those that differ from what it held, where that build
    read them (`Work.held_links`: at 10,000 articles, rewriting them all took 60 ms); else those of `relinked`."""
    if not work.linked:
        return None, work.relinked.items()
    if not work.held_links:
        return link_records(work.sites), ()
    held = work.held_links

    def changed() -> Iterator[tuple[str, LinkRecord | None]]:
        now: set[str] = set()
        for path, record in link_records(work.sites):
            now.add(path)
            if held.get(path) != record:
                yield path, record
        yield from ((path, None) for path in held.keys() - now)  # (an article gone, or no longer published)

    return None, changed()


def _named(refs: tuple[TermRef, ...]) -> tuple[tuple[str, str], ...]:
    """Terms as a record keeps them: (slug, name)."""
    return tuple((ref.slug, ref.name) for ref in refs)


def _refs(taxonomy: Taxonomy, named: tuple[tuple[str, str], ...], root: str) -> tuple[TermRef, ...]:
    """Terms of a record as references again."""
    return tuple(TermRef(taxonomy=taxonomy, slug=slug, name=name, root=root) for slug, name in named)


def relink(record: LinkRecord, articles: Mapping[str, Article], full: bool, root: str = "/") -> ArticleLinks:
    """An article's links from its record; `full` also fills related, previous and next from `articles`.

    `root`: the path of the article's language, where its people and topics are.
    """
    people, topics, related, previous, following, _, sources, edition = record
    return ArticleLinks(
        edition=None if edition is None else EditionRef(number=edition[0], title=edition[1], url=edition[2],
                                                        date=datetime.date.fromisoformat(edition[3])),
        people=_refs("people", people, root), topics=_refs("topics", topics, root),
        related=tuple(articles[p] for p in related) if full else (),
        previous=articles[previous] if full and previous else None,
        next=articles[following] if full and following else None, sources=_refs("sources", sources, root))


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """A source changed since the last build: as the cache has it, and as it is now."""

    source: SourceFile
    old: CachedParse
    new: CachedParse  # parsed again: its bytes changed


def parse_edits(cache: BuildCache, sources: list[SourceFile], inputs: Inputs, config: SiteConfig) -> list[Edit] | None:
    """The sources changed since the last build, parsed again; None when a full build is due anyway: none or
    more than `MAX_EDITS` changed, or one is new to the cache.

    A source of the same size and bytes as the cache has it is no edit, whatever its time (saved again unchanged,
    checked out anew, or written too shortly before the last build for its time to be trusted): the cache only takes
    its new time. A build just after files were written, then an edit, then makes one edit, not thousands.
    """
    index = cache.index()
    stamps = inputs.stamps
    moved = [s for s in sources if index.get(s.path) != stamps[s.path]]
    if not moved or any(s.path not in index for s in moved):
        return None
    resized = {s.path for s in moved if index[s.path][1] != stamps[s.path][1]}  # changed, whatever their bytes
    hashes = cache.hashes(s.path for s in moved if s.path not in resized)
    changed = []
    for source in moved:
        if source.path not in resized and has_bytes(source, hashes.get(source.path, "")):
            cache.restamp(source.path, kept_stamp(stamps[source.path], inputs.started_ns))
        else:
            changed.append(source)
    if len(changed) > MAX_EDITS:
        return None
    cached = cache.load(s.path for s in changed)
    edits = []
    for source in changed:
        old = cached.get(source.path)
        if old is None:
            return None
        edits.append(Edit(source=source, old=old, new=parse_one(source, stamps[source.path], config,
                                                                   inputs.started_ns)))
    return edits


def bodies_only(cache: BuildCache, edits: list[Edit], config: SiteConfig, last: LastBuild, salt: str) -> Work | None:
    """The work of a rebuild whose edits changed only bodies; None when they do more (a full build follows).

    `salt`: what every page's fingerprint starts with (`inputs.template_salt`).
    """
    produced = set(last.produced)
    new_entries: dict[str, CachedParse] = {}
    fresh: list[Article] = []
    for edit in edits:
        new_entries[edit.source.path] = edit.new
        parsed, found = edit.new.value
        if (edit.source.kind != "article" or not isinstance(parsed, Article) or found != edit.old.value[1]
                or edit.new.signature != edit.old.signature or _warned_elsewhere(edit.old.value[0], parsed, last)):
            return None
        if output_path(parsed.url) in produced:
            fresh.append(dataclasses.replace(parsed, body_html=edit.new.body_html or ""))
    shown = {a.path for a in fresh}
    feeds = {language: paths for language, paths in last.feeds if shown & set(paths)}  # the feeds that show them
    main = shown | {path for paths in feeds.values() for path in paths}
    records = cache.links(main)
    near = {p for r in records.values() for p in (*r[2], r[3], r[4]) if p} - records.keys()
    records.update(cache.links(near))
    articles = {a.path: a for a in fresh}
    bodies = {a.path: a.body_html for a in fresh}
    for path, loaded in cache.load((main | near) - shown).items():
        value = loaded.value[0]
        if isinstance(value, Article):
            articles[path] = value
            bodies[path] = loaded.body_html or ""
    if not (main | near) <= articles.keys() <= records.keys():
        return None
    settings = {language.code: config.in_language(language) for language in config.languages}

    def settings_of(article: Article) -> SiteConfig:
        return settings.get(article.lang, config)

    links = FrozenMap({path: relink(record, articles, path in main, settings_of(articles[path]).root)
                       for path, record in records.items()})
    sites: list[Site] = []
    todo: list[Page] = []
    for language in dict.fromkeys([*(settings_of(a).language for a in fresh), *feeds]):
        language_config = settings.get(language, config)
        # a body cannot add or take away the site's last source: its menu is the last build's
        sections: tuple[Taxonomy, ...] = (("people", "topics", "sources")
                                          if output_path(f"{language_config.root}sources/") in produced
                                          else ("people", "topics"))
        site = Site(config=language_config, links=links, people=(), topics=(), years=(), months=(),
                    articles=tuple(articles[p] for p in feeds.get(language, ())), sections=sections)
        sites.append(site)
        todo += [article_page(site, dataclasses.replace(a, body_html=""), records[a.path][5]) for a in fresh
                 if settings_of(a).language == language]
        if language in feeds:
            todo.extend(site_feeds(site))
    fingerprints = {site.config.language: Fingerprints(site, salt) for site in sites}
    return over_last_build(last, tuple(sites), todo, {page.output_path: fingerprints[page.language].page(page)
                                                      for page in todo}, bodies, cache.bodies,
                           parsed=new_entries, problems=last.warnings, sources=FrozenMap())


def over_last_build(last: LastBuild, sites: tuple[Site, ...], todo: list[Page], fingerprints: Mapping[str, str],
                    bodies: dict[str, str], fetch: Callable[[set[str]], dict[str, str]], *,
                    parsed: Mapping[str, CachedParse], problems: tuple[Problem, ...],
                    sources: Mapping[str, str], removed: tuple[str, ...] = (),
                    counts: tuple[int, int, int, int] | None = None,
                    relinked: Mapping[str, LinkRecord] | None = None,
                    feeds: tuple[tuple[str, tuple[str, ...]], ...] | None = None) -> Work:
    """The work of a rebuild that renders `todo` (with their `fingerprints`) and keeps every other file of the last
    build but the pages `removed`: its pages, articles and feeds stay as they were. `bodies`, `fetch`: as
    `sources.with_bodies` takes them; `counts`, `relinked`, `feeds`: as `Work` has them, when they changed."""
    rendered = {page.output_path for page in todo}
    gone = set(removed)
    return Work(sites=sites, render=tuple(todo), filled=with_bodies(todo, bodies, fetch), bodies={},
                keep=tuple(path for path in last.produced if path not in rendered and path not in gone), copies=(),
                previous=last.produced, problems=problems, counts=counts or last.counts, feeds=feeds or last.feeds,
                next_release=last.next_release, sources=sources, parsed=parsed, removed_sources=(),
                fingerprints=fingerprints, removed_pages=removed, linked=False, relinked=relinked or {})
