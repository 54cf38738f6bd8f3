"""A rebuild on the warm site after edits that changed the people and topics some articles name.

`link/relink.py` links the site again where the edits touch it. The pages that can show what it
made again are then planned again: the pages of the terms it changed, added or removed, the
indexes of their taxonomies and the first home page (their counts), the article pages whose links
it changed, the editions' pages when an edition changed, and the sitemap when a page came, went
or got another date; the pages whose fingerprints covered an edited article get it in its place,
as on the in-place route (`warm.py`). A page made again that equals the one it replaces keeps its
fingerprint; every other is fingerprinted, and rendered if that changed.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from digest.incremental.bodies import Edit, link_records, over_last_build
from digest.incremental.cache import BuildCache
from digest.incremental.state import Decision, Route
from digest.incremental.warm import Edited, Warm, after_bodies, swapped, warm_edits, warm_work
from digest.link import duplicates
from digest.link.relink import Relinked, names_of, relink
from digest.model import (TAXONOMIES, FrozenMap, Page, PageKind, Paginator, Problem, Site, Taxonomy, Term, TermRef,
                          sort_problems)
from digest.plan.checks import folders_of
from digest.plan.pages import (SitemapLines, archive_pages, article_page, edition_pages, home_page, home_pages,
                               output_path, site_feeds, sitemaps, term_feeds, term_pages, terms_index, top_terms)
from digest.records import LastBuild, Work

_EDITION_KINDS = frozenset({PageKind.EDITIONS, PageKind.EDITION, PageKind.EMAIL})
_SECTIONS = "`sections` names"  # the start of an edition introduction's warnings that an edition makes


def relinked_work(warm: Warm, edited: Edited, last: LastBuild, output_dir: Path,
                  fetch: Callable[[set[str]], dict[str, str]],
                  until: datetime.datetime | None) -> tuple[Work, Warm] | None:
    """The work of a rebuild whose edits changed the people or topics of articles, or the date of one, done on the
    warm site; None when `relink` declines it (a full build follows). `fetch`: the cache's bodies, by article
    paths; `until`: what is published (None: every date)."""
    if len(warm.sites) != 1 or warm.options.strict:
        return None
    articles, found = edited.articles, edited.found
    changed = [path for path, article in articles.items() if warm.placed[path] is not article]
    swaps = {id(warm.placed[path]): articles[path] for path in changed}
    memo: dict[int, Any] = {}
    site: Site = swapped(warm.sites[0], swaps, memo)
    names = warm.names or names_of(site, warm.term_pages)
    warned = {(taxonomy, p.message.rsplit("/", 2)[-2]) for p in warm.later for taxonomy in TAXONOMIES
              if _spelling(p, taxonomy)}
    done = relink(site, {path: warm.placed[path] for path in changed}, names, warm.term_pages, warm.edition_pages,
                  until, warned)
    if done is None:
        return None
    site = done.site

    # the pages: those that showed an edited article, with it in its place; those made again
    made: dict[str, Page] = {}
    for path in changed:
        for out in warm.showing.get(path, ()):
            made[out] = swapped(warm.pages[warm.where[out]], swaps, memo)
    linked_anew = [article for article in site.articles if article.path in done.links]
    for article in linked_anew:
        out = output_path(article.url)
        made[out] = article_page(site, article, warm.pages[warm.where[out]].alternates)
    try:
        pages = list(_replanned(site, warm.pages, made, done))
    except _NoPlace:
        return None
    if _resitemapped(pages, warm):
        pages = _with_sitemap(site, pages, warm.sitemap_lines)
    where = {page.output_path: number for number, page in enumerate(pages)}
    removed = tuple(out for out in (*warm.where, *sorted(warm.stale - warm.where.keys())) if out not in where)
    old, stale = warm.pages, warm.stale
    # a page made again equal to the one it replaces keeps its fingerprint (and holds this build's values: an
    # article in the warm site is the one `placed` names, which the next build's swaps look for)
    fresh = [page for page in pages if (at := warm.where.get(page.output_path)) is None
             or (old[at] is not page and old[at] != page) or page.output_path in stale]
    if any(_clashes(page.output_path, warm) for page in fresh if page.output_path not in warm.where):
        return None  # a new term's page where another file of the site is, or must be a folder: as a full build says

    # fingerprints, and what each fingerprint covers now
    printer = warm.printers[site.config.language].again(site, changed, done.terms)
    fingerprints = dict(warm.fingerprints)
    for out in removed:
        fingerprints.pop(out, None)
    covers = dict(warm.covers)
    showing = dict(warm.showing)

    def cover(path: str, out: str, shown: bool) -> None:
        outs = tuple(o for o in showing.get(path, ()) if o != out)
        showing[path] = (*outs, out) if shown else outs

    todo: list[Page] = []
    for out in removed:
        for path in covers.pop(out, ()):
            cover(path, out, False)
    for page in fresh:
        out = page.output_path
        fingerprint = printer.page(page)
        seen = frozenset(printer.seen)
        before = covers.get(out, frozenset())
        for path in before ^ seen:
            cover(path, out, path in seen)
        covers[out] = seen
        if fingerprint != fingerprints.get(out) or not (output_dir / out).is_file():
            fingerprints[out] = fingerprint
            todo.append(page)

    later = _later(warm.later, done)
    listed = sort_problems([*(p for found_here in found.values() for p in found_here), *later])
    records = dict(link_records((dataclasses.replace(site, articles=tuple(linked_anew)),)))
    work = over_last_build(last, (site,), todo, {page.output_path: fingerprints[page.output_path] for page in todo},
                           edited.bodies, fetch, parsed=edited.entries, problems=tuple(listed), sources=warm.sources,
                           removed=removed, counts=(last.counts[0], len(site.people), len(site.topics), len(pages)),
                           relinked=records, feeds=((site.config.language, tuple(
                               a.path for a in site.articles[: site.config.feed_size])),))
    return work, dataclasses.replace(
        warm, sites=(site,), pages=tuple(pages), where=where, fingerprints=FrozenMap(fingerprints),
        covers=covers, showing=showing,
        printers={site.config.language: printer}, placed=FrozenMap(articles), articles=FrozenMap(articles),
        found=FrozenMap(found), later=later, names=names, stale=frozenset())


def _replanned(site: Site, pages: tuple[Page, ...], made: Mapping[str, Page], done: Relinked) -> Iterator[Page]:
    """The pages of the site, in the order of the plan: those of `made` and of what `done` changed made again."""
    terms: dict[tuple[str, str], Term] = {(taxonomy, term.slug): term for taxonomy in TAXONOMIES
                                          for term in site.taxonomy(taxonomy)}
    waiting: dict[str, list[str]] = {taxonomy: sorted(slug for tx, slug in done.terms if tx == taxonomy)
                                     for taxonomy in TAXONOMIES}
    feeds_waiting = {taxonomy: list(slugs) for taxonomy, slugs in waiting.items()}
    taxonomies = {taxonomy for taxonomy, _ in done.terms}
    block: tuple[str, str] | None = None  # the run of term pages, or of term feeds, the last page was in
    done_groups: set[str] = set()  # the groups of pages made again whole, once their first page was met
    moved, changed = done.moved, done.terms
    # (a loop over every page of the site, 22,000 at 10,000 articles: the kinds most pages are, looked at first)
    term_kind, feed_kind, article_kind = PageKind.TERM, PageKind.FEED, PageKind.ARTICLE
    article_group = article_kind.value  # (what `_group` says of an article page)
    for page in pages:
        kind = page.kind
        if moved is not None and kind is not term_kind:
            group = article_group if kind is article_kind else _group(page)
            if group is not None:  # an article moved in time: the lists in the site's order are made again
                if group not in done_groups:
                    done_groups.add(group)
                    yield from _group_pages(site, group, pages, made, moved)
                continue
        here: tuple[str, str] | None = None
        if kind is term_kind:
            here = ("term", str(page.context["taxonomy"]))
        elif kind is feed_kind and isinstance(about := page.context.get("about"), TermRef):
            here = ("feed", about.taxonomy)
        if block is not None and here != block:  # the end of a run: the terms after its last one
            yield from _made_terms(site, block, waiting if block[0] == "term" else feeds_waiting, terms, None)
        block = here
        if here is not None:
            taxonomy = here[1]
            slug = (page.context["term"].slug if kind is term_kind  # type: ignore[attr-defined]
                    else page.context["about"].slug)  # type: ignore[attr-defined]
            queue = waiting if here[0] == "term" else feeds_waiting
            if queue[taxonomy] and queue[taxonomy][0] <= slug:  # (a changed term before this one)
                yield from _made_terms(site, here, queue, terms, slug)
            if (taxonomy, slug) not in changed:
                yield made.get(page.output_path, page)
            continue
        if kind is PageKind.TERMS and (page.context["taxonomy"] in taxonomies or done.newest):
            yield terms_index(site, cast(Taxonomy, page.context["taxonomy"]))
        elif kind is PageKind.HOME and page.url == site.config.root and taxonomies & {"people", "topics"}:
            shown = made.get(page.output_path, page)
            yield dataclasses.replace(shown, context=FrozenMap({**shown.context, **top_terms(site)}))
        elif done.editions and (kind in _EDITION_KINDS or page.template in ("editions.xml", "editions.json")):
            if "editions" not in done_groups:
                done_groups.add("editions")
                yield from edition_pages(site)
        else:
            yield made.get(page.output_path, page)
    if any(terms.get((taxonomy, slug)) for queue in (waiting, feeds_waiting) for taxonomy, slugs in queue.items()
           for slug in slugs):
        raise _NoPlace  # a term whose taxonomy had no term page to put it beside


def _group(page: Page) -> str | None:
    """Which of the lists in the site's order a page belongs to, if it does."""
    kind = page.kind
    if kind is PageKind.HOME or kind is PageKind.ARTICLE:
        return kind.value
    if kind is PageKind.ARCHIVE or kind is PageKind.PERIOD:
        return "archive"
    if kind is PageKind.FEED and page.context.get("about") is None and page.template in ("atom.xml", "feed.json"):
        return "feed"
    return None


def _group_pages(site: Site, group: str, pages: tuple[Page, ...], made: Mapping[str, Page],
                 moved: str | None) -> Iterator[Page]:
    """A list of pages in the site's order, made again (the article pages: in the new order, with the page of
    `moved`, the article that moved, in its new place; each as it was or as `made` has it)."""
    if group == "archive":
        yield from archive_pages(site)
    elif group == "feed":
        yield from site_feeds(site)
    elif group == PageKind.HOME.value:
        yield from _home_pages(site, [page for page in pages if page.kind is PageKind.HOME])
    else:
        listed = [page for page in pages if page.kind is PageKind.ARTICLE]  # in the site's old order
        at = next(number for number, article in enumerate(site.articles) if article.path == moved)
        out = output_path(site.articles[at].url)
        listed.insert(at, listed.pop(next(n for n, page in enumerate(listed) if page.output_path == out)))
        yield from (made.get(page.output_path, page) for page in listed)


def _home_pages(site: Site, before: list[Page]) -> list[Page]:
    """`home_pages(site)`, where `before` are the site's home pages before an article moved: those after the first
    that list the same articles (all but the few between its two places, at 10,000 articles) are taken as they
    were, equal to what `home_pages` makes of them."""
    per_page, articles = site.config.per_page, site.articles
    if len(before) != max(1, -(-len(articles) // per_page)):
        return home_pages(site)
    made = []
    for page in before:
        paginator = cast(Paginator, page.context["paginator"])
        start = (paginator.number - 1) * per_page
        items = articles[start: start + per_page]
        if paginator.number == 1 or paginator.items != items or page.context["sections"] is not site.sections:
            page = home_page(site, dataclasses.replace(paginator, items=items, total=len(articles)),
                             top_terms(site) if paginator.number == 1 else {})
        made.append(page)
    return made


class _NoPlace(Exception):
    """The plan has no place for a new term's pages that this module knows of."""


def _made_terms(site: Site, block: tuple[str, str], queue: dict[str, list[str]], terms: Mapping[tuple[str, str], Term],
                before: str | None) -> Iterator[Page]:
    """The pages (or the feeds) of the changed terms of a taxonomy whose slugs sort before `before` (None: all
    that are left), taken from `queue`, the changed terms' slugs in order; a term that is gone has none."""
    kind, taxonomy = block
    waiting = queue[taxonomy]
    while waiting and (before is None or waiting[0] <= before):
        term = terms.get((taxonomy, waiting.pop(0)))
        if term is not None:
            yield from (term_pages(site, term.taxonomy, term) if kind == "term" else term_feeds(site, term.taxonomy,
                                                                                                 term))


def _resitemapped(pages: list[Page], warm: Warm) -> bool:
    """Whether the sitemap changes: a page came or went, or one made again has another date (or URL, or place)."""
    if len(pages) != len(warm.pages):
        return True
    for page in pages:
        at = warm.where.get(page.output_path)
        if at is None:
            return True
        old = warm.pages[at]
        if old is not page and (old.url, old.lastmod, old.sitemap, old.alternates) != (
                page.url, page.lastmod, page.sitemap, page.alternates):
            return True
    return False


def _with_sitemap(site: Site, pages: list[Page], lines: SitemapLines) -> list[Page]:
    """The pages with the sitemap made again, where it was (at the end, before robots.txt)."""
    rest = [page for page in pages if page.kind is not PageKind.SITEMAP]
    robots = next(n for n, page in enumerate(rest) if page.kind is PageKind.ROBOTS)
    return [*rest[:robots], *sitemaps(site.config, rest, lines), *rest[robots:]]


def _clashes(out: str, warm: Warm) -> bool:
    """Whether a new page's file is one the site copies, or lies in a folder that is a file of the site."""
    return out in warm.copies or any(folder in warm.where or folder in warm.copies for folder in folders_of(out))


def _spelling(problem: Problem, taxonomy: str) -> bool:
    """Whether a problem is a warning of spellings of a taxonomy (`link.terms.spelling_warnings`): its message
    ends with the term's page, `/people/vladimir-putin/`."""
    return (problem.path is None and problem.message.startswith(f"{taxonomy}: ")
            and (problem.hint or "").startswith("Use one spelling"))


def _later(before: tuple[Problem, ...], done: Relinked) -> tuple[Problem, ...]:
    """The problems of linking and planning after a relink: the warnings of spellings of each taxonomy linked again,
    of stories linked twice when they were found again, and of the introductions of the editions made again, in
    place of those the full build found."""
    blocks: list[Problem] = []
    for taxonomy in TAXONOMIES:  # in the order the link stage finds them, before every other without a file
        blocks += done.warnings.get(taxonomy, [p for p in before if _spelling(p, taxonomy)])
    rest = [p for p in before if not any(_spelling(p, taxonomy) for taxonomy in TAXONOMIES)
            and not (p.path in done.edition_problems and p.message.startswith(_SECTIONS))
            and not (done.duplicates is not None and p.hint == duplicates.HINT)]
    rest += [p for found in done.edition_problems.values() for p in found]
    return (*blocks, *(done.duplicates or ()), *rest)  # stories linked twice: found first


def on_the_warm_site(warm: Warm, edits: list[Edit], work: Work | None, decision: Decision, last: LastBuild,
                     output_dir: Path, cache: BuildCache, until: datetime.datetime | None
                     ) -> tuple[Work | None, Warm | None, Decision]:
    """The work of the edits on the preview's warm site, the warm site after it, and the route: `work`, the
    body-only route's when it took them, else the in-place or relinked route's; (None, None) when the edits
    need a full build."""
    if work is not None:
        return work, after_bodies(warm, work), decision
    edited = warm_edits(warm, edits)
    if not edited:
        return None, None, decision
    if not edited.renamed and warm.stale <= warm.where.keys():  # (else files to remove: the relinked route's)
        work, held = warm_work(warm, edited, last, output_dir, cache.bodies)
        return work, held, Decision(route=Route.IN_PLACE, why="the edits left every article where it was")
    relinked = relinked_work(warm, edited, last, output_dir, cache.bodies, until)
    if relinked is None:
        return None, None, decision
    return (*relinked, Decision(route=Route.RELINKED, why="the edits changed whom and what articles name, or when "
                                                           "one was written, and only what that touches was linked "
                                                           "again"))
