"""Stage 4, link again: a linked `Site` after edits that changed only the people and topics some articles name.

The articles stay where they were (date, URL, language: the order of the site, its archives and its
pages), so what the edits change is what `build_site` derives from the names: the terms each article
named before or names now (their articles, spellings, related terms), the related articles of those
that stand near an edited article under one of those terms, the coverage of the edited articles'
sources, their editions, and the warnings about spellings. That is all this makes again; the rest of
the site is the same objects as before. `incremental/relinked.py` plans and renders what changed.

`relink` declines (returns None) what it would not make exactly as `build_site` does: a site with
`languages`, and an edit that changes the name a term is shown by (its most used spelling), which
every article naming that term shows.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.link.editions import remade
from digest.link.site import RELATED_WINDOW, coverage, ranked
from digest.link.terms import Names, alias_index, display_name, make_term, spelling_warnings
from digest.model import (Article, ArticleLinks, EditionPage, FrozenMap, Problem, Site, Taxonomy, Term, TermPage,
                          TermRef)

RENAMED: tuple[Taxonomy, ...] = ("people", "topics")  # the taxonomies an edit may rename articles in and be relinked


@dataclass(frozen=True, slots=True, kw_only=True)
class Relinked:
    """A site linked again after edits, and what of it changed (beyond the edited articles themselves)."""

    site: Site
    terms: frozenset[tuple[Taxonomy, str]]  # the terms made again, added or gone: (taxonomy, slug)
    links: frozenset[str]  # the articles whose links were made again, by path
    editions: bool  # an edition was made again
    warnings: Mapping[Taxonomy, tuple[Problem, ...]]  # the warnings of spellings of each taxonomy made again
    edition_problems: Mapping[str, tuple[Problem, ...]]  # the warnings of each remade edition's introduction


def relinkable(before: Article, after: Article, same_place: Iterable[str]) -> bool:
    """Whether an edit changed an article's people or topics and, of what places it, nothing else (`same_place`:
    the fields that place an article)."""
    return all(getattr(before, name) == getattr(after, name) for name in same_place if name not in RENAMED)


def names_of(site: Site, term_pages: Sequence[TermPage]) -> dict[Taxonomy, Names]:
    """How names resolve in each taxonomy a relink changes, as `build_terms` resolves them."""
    return {taxonomy: Names(alias_index(taxonomy, [p for p in term_pages if p.taxonomy == taxonomy], []))
            for taxonomy in RENAMED}


def relink(site: Site, before: Mapping[str, Article], names: Mapping[Taxonomy, Names],
           term_pages: Sequence[TermPage], edition_pages: Sequence[EditionPage]) -> Relinked | None:
    """`site`, in which the articles of `before` (by path: each as it was) are already their new versions, linked
    again; None when that is not for this module (see its notes)."""
    if site.config.languages:
        return None
    index_of = {article.path: number for number, article in enumerate(site.articles)}
    edited = {path: site.articles[index_of[path]] for path in before if path in index_of}
    links = dict(site.links)
    changed_terms: set[tuple[Taxonomy, str]] = set()
    joined: dict[tuple[str, str], list[tuple[int, bool]]] = {}  # related key -> (index, joined or left)
    by_slug: dict[Taxonomy, dict[str, Term]] = {}
    warnings: dict[Taxonomy, tuple[Problem, ...]] = {}
    for taxonomy in RENAMED:
        renamed = [path for path, article in edited.items()
                   if getattr(article, taxonomy) != getattr(before[path], taxonomy)]
        terms = by_slug[taxonomy] = {term.slug: term for term in site.taxonomy(taxonomy)}
        pages = [p for p in term_pages if p.taxonomy == taxonomy]
        if not renamed:
            continue
        resolve = names[taxonomy]
        now = {path: resolve.slugs(getattr(edited[path], taxonomy)) for path in renamed}
        was = {path: tuple(ref.slug for ref in getattr(links[path], taxonomy)) for path in renamed}
        touched = sorted({slug for path in renamed for slug in (*was[path], *now[path])})
        mark = "p" if taxonomy == "people" else "t"
        for path in renamed:
            for slug in set(was[path]) ^ set(now[path]):
                joined.setdefault((mark, slug), []).append((index_of[path], slug in now[path]))

        def slugs_of(article: Article, tx: Taxonomy = taxonomy) -> tuple[str, ...]:
            named = now.get(article.path)
            return tuple(named) if named is not None else tuple(ref.slug for ref in getattr(links[article.path], tx))

        shown = {slug: term.name for slug, term in terms.items()}
        page_by_slug = {page.slug: page for page in pages}
        members: dict[str, list[Article]] = {}
        spellings: dict[str, Counter[str]] = {}
        for slug in touched:
            old = terms.get(slug)
            listed = members[slug] = [a for a in (old.articles if old else ()) if a.path not in now]
            for path, named in now.items():
                if slug in named:
                    insort(listed, edited[path], key=lambda a: index_of[a.path])
            spellings[slug] = Counter(resolve.slugs(getattr(a, taxonomy))[slug] for a in listed)
            name = shown[slug] = display_name(page_by_slug.get(slug), spellings[slug], slug, "")
            if old is not None and name != old.name and (listed or slug in page_by_slug):
                return None  # every article that names it shows its name: linked in full
        def ref(slug: str, tx: Taxonomy = taxonomy) -> TermRef:
            return TermRef(taxonomy=tx, slug=slug, name=shown[slug])

        for slug in touched:
            page = page_by_slug.get(slug)
            if not members[slug] and page is None:
                terms.pop(slug, None)
            else:
                co_mentions: Counter[str] = Counter()
                for article in members[slug]:
                    co_mentions.update(slugs_of(article))
                terms[slug] = make_term(taxonomy, slug, shown[slug], page, spellings[slug], members[slug],
                                        co_mentions, shown, ref, "/")
            changed_terms.add((taxonomy, slug))
        for path in renamed:
            refs = tuple(ref(slug) for slug in now[path])
            links[path] = (dataclasses.replace(links[path], people=refs) if taxonomy == "people"
                           else dataclasses.replace(links[path], topics=refs))
        warnings[taxonomy] = tuple(spelling_warnings(taxonomy, site.articles, resolve, pages))

    # related articles: the edited ones, and those near an edited one under a term it joined or left
    lists: dict[tuple[str, str], list[int]] = {}

    def indexes(key: tuple[str, str]) -> list[int]:
        found = lists.get(key)
        if found is None:
            term = by_slug["people" if key[0] == "p" else "topics"].get(key[1])
            found = lists[key] = [index_of[a.path] for a in (term.articles if term else ())]
        return found

    near = {index_of[path] for path in edited}
    for key, moves in joined.items():
        now_in = indexes(key)
        was_in = sorted({*now_in, *(i for i, joins in moves if not joins)} - {i for i, joins in moves if joins})
        for numbers in (was_in, now_in):
            for number, _ in moves:
                at = bisect_left(numbers, number)
                near.update(numbers[max(0, at - RELATED_WINDOW - 1): at + RELATED_WINDOW + 2])
    relinked: set[str] = set()
    for number in sorted(near):
        article = site.articles[number]
        mine = links[article.path]
        keys = [*(("p", r.slug) for r in mine.people), *(("t", r.slug) for r in mine.topics)]
        related = tuple(site.articles[other] for other in ranked(number, keys, {k: indexes(k) for k in keys},
                                                                   site.config.related))
        if related != mine.related or article.path in edited:
            links[article.path] = dataclasses.replace(mine, related=related)
            relinked.add(article.path)

    # the sources of the edited articles: the people and topics they cover
    covered = {ref.slug for path in edited for ref in links[path].sources}
    sources = tuple(coverage((term,), links)[0] if term.slug in covered else term for term in site.sources)
    changed_terms.update(("sources", slug) for slug in covered)

    # the editions of the edited articles
    problems: dict[str, tuple[Problem, ...]] = {}
    due = {link.edition.number for link in (links[path] for path in edited) if link.edition is not None}
    editions = site.editions
    if due and site.config.editions is not None:
        own = {page.number: page for page in edition_pages if page.lang == ""}
        remade_ones = []
        for edition in editions:
            if edition.number in due:
                found: list[Problem] = []
                intro = own.get(edition.number)
                edition = remade(site.config, edition, links, intro, found)
                if intro is not None:
                    problems[intro.path] = tuple(found)
            remade_ones.append(edition)
        editions = tuple(remade_ones)
    new_site = dataclasses.replace(site, links=FrozenMap(links), people=tuple(by_slug["people"][s] for s in
                                                                                sorted(by_slug["people"])),
                                   topics=tuple(by_slug["topics"][s] for s in sorted(by_slug["topics"])),
                                   sources=sources, editions=editions)
    return Relinked(site=new_site, terms=frozenset(changed_terms), links=frozenset(relinked),
                    editions=bool(due and site.config.editions is not None), warnings=warnings,
                    edition_problems=problems)

