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
import datetime
from bisect import insort
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import overload
from zoneinfo import ZoneInfo

from digest.link.duplicates import find_duplicates
from digest.link.editions import Calendar, origin_of, remade
from digest.link.site import RELATED_WINDOW, coverage, ranked, term_keys, within_window
from digest.link.terms import Names, alias_index, display_name, make_term, spelling_warnings
from digest.model import (LINK_LINES, TAXONOMIES, Article, ArticleLinks, EditionPage, FrozenMap, Period, Problem,
                          Site, Taxonomy, Term, TermPage, TermRef)

RENAMED: tuple[Taxonomy, ...] = ("people", "topics")  # the taxonomies an edit may rename articles in and be relinked
MOVED = ("date", "updated")  # what may move one edited article in time
_PATH = attrgetter("path")


@dataclass(frozen=True, slots=True, kw_only=True)
class Relinked:
    """A site linked again after edits, and what of it changed (beyond the edited articles themselves)."""

    site: Site
    terms: frozenset[tuple[Taxonomy, str]]  # the terms made again, added or gone: (taxonomy, slug)
    links: frozenset[str]  # the articles whose links were made again, by path
    editions: bool  # an edition was made again
    moved: str | None  # an article that moved in time (its date or update), by path: the site's order changed
    newest: bool  # and the site's newest article changed, or its date: the indexes of terms show when
    warnings: Mapping[Taxonomy, tuple[Problem, ...]]  # the warnings of spellings of each taxonomy made again
    edition_problems: Mapping[str, tuple[Problem, ...]]  # the warnings of each remade edition's introduction
    duplicates: tuple[Problem, ...] | None = None  # the warnings of stories linked twice, when they were found again


def relinkable(before: Article, after: Article, same_place: Iterable[str]) -> bool:
    """Whether an edit changed an article's people, topics, date or update, or the lines its links stand on, and,
    of what places it, nothing else (`same_place`: the fields that place an article; its URL among them)."""
    return all(getattr(before, name) == getattr(after, name) for name in same_place
               if name not in RENAMED and name not in MOVED and name not in LINK_LINES) and (
        before.link_text == after.link_text or before.link_addresses() == after.link_addresses())


def names_of(site: Site, term_pages: Sequence[TermPage]) -> dict[Taxonomy, Names]:
    """How names resolve in each taxonomy a relink changes, as `build_terms` resolves them."""
    return {taxonomy: Names(alias_index(taxonomy, [p for p in term_pages if p.taxonomy == taxonomy], []))
            for taxonomy in TAXONOMIES}


def relink(site: Site, before: Mapping[str, Article], names: Mapping[Taxonomy, Names],
           term_pages: Sequence[TermPage], edition_pages: Sequence[EditionPage],
           until: datetime.datetime | None = None, warned: Collection[tuple[str, str]] = ()) -> Relinked | None:
    """`site`, in which the articles of `before` (by path: each as it was) are already their new versions, linked
    again; None when that is not for this module (see its notes). `until`: what is published (None: all);
    `warned`: the terms ((taxonomy, slug)) the warnings of spellings of the site name."""
    if site.config.languages:
        return None
    index_of = {article.path: number for number, article in enumerate(site.articles)}
    edited = {path: site.articles[index_of[path]] for path in before if path in index_of}
    links = dict(site.links)
    changed_terms: set[tuple[Taxonomy, str]] = set()
    moved = [path for path, article in edited.items()
             if (article.date, article.updated) != (before[path].date, before[path].updated)]
    around: set[str] = set()  # the articles near a moved one under one of its terms, before or after
    newest = False
    warnings: dict[Taxonomy, tuple[Problem, ...]] = {}
    if moved:
        path = moved[0]
        if len(moved) != 1 or (until is not None and edited[path].date > until) or not _same_edition(
                site, before[path], edited[path], links[path], edition_pages):
            return None
        newest = site.articles[0].path == path
        site, index_of, around = _moved(site, index_of, before[path], edited[path], links, changed_terms)
        newest = newest or site.articles[0].path == path
        if newest:  # a term no article names has a feed updated when the site's newest article was
            changed_terms.update((taxonomy, term.slug) for taxonomy in TAXONOMIES
                                 for term in site.taxonomy(taxonomy) if not term.articles)
        for taxonomy in TAXONOMIES:  # which article names a spelling first, where one of its terms has a warning
            if any((taxonomy, ref.slug) in warned for ref in getattr(links[path], taxonomy)):
                warnings[taxonomy] = tuple(spelling_warnings(taxonomy, site.articles, names[taxonomy],
                                                             [p for p in term_pages if p.taxonomy == taxonomy]))
    # the stories linked twice: which of two came first may have changed for a moved article, and the warnings name
    # the lines of one whose links moved
    again = [article for path, article in edited.items() if path in moved or article.links_moved_from(before[path])]
    duplicates = _duplicates(site.articles, again) if again else None
    joined: dict[tuple[str, str], list[tuple[int, bool]]] = {}  # related key -> (index, joined or left)
    by_slug: dict[Taxonomy, dict[str, Term]] = {}
    for taxonomy in RENAMED:
        renamed = [path for path, article in edited.items()
                   if getattr(article, taxonomy) != getattr(before[path], taxonomy)]
        terms = by_slug[taxonomy] = {term.slug: term for term in site.taxonomy(taxonomy)}
        if not renamed:
            continue
        pages = [p for p in term_pages if p.taxonomy == taxonomy]
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

    # related articles: the edited ones, and those near an edited one under a term it joined or left, or near the
    # two places of a moved one (`around`). Nearness is the time between two articles' dates, so the articles a
    # move passes keep theirs
    lists = _Members(by_slug, index_of)

    near = {index_of[path] for path in (*edited, *around)}
    for key, moves in joined.items():
        now_in = lists[key]
        was_in = sorted({*now_in, *(i for i, joins in moves if not joins)} - {i for i, joins in moves if joins})
        numbers = [number for number, _ in moves]
        near.update(within_window(was_in, numbers), within_window(now_in, numbers))
    relinked: set[str] = set()
    limit, by_number, when = site.config.related, site.articles.__getitem__, _Moments(site.articles)
    for number in sorted(near):
        article = site.articles[number]
        mine = links[article.path]
        related = tuple(map(by_number, ranked(number, term_keys(mine.people, mine.topics), lists, limit, when)))
        if related != mine.related or article.path in edited:
            links[article.path] = dataclasses.replace(mine, related=related)
            relinked.add(article.path)

    relinked.update(path for path, link in links.items() if link is not site.links[path])  # a moved one's neighbours

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
                in_order = tuple(sorted(edition.articles, key=lambda a: index_of[a.path]))
                edition = remade(site.config, dataclasses.replace(edition, articles=in_order), links, intro, found)
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
                    edition_problems=problems, moved=moved[0] if moved else None, newest=newest,
                    duplicates=duplicates)


class _Members(dict[tuple[str, str], "_Places"]):
    """The places in the site's order (`index_of`) of the articles of each term, ("p" or "t", slug), as `ranked` takes
    them: each term's made when it is first asked for."""

    def __init__(self, by_slug: Mapping[Taxonomy, Mapping[str, Term]], index_of: Mapping[str, int]) -> None:
        super().__init__()
        self.by_slug, self.index_of = by_slug, index_of

    def __missing__(self, key: tuple[str, str]) -> _Places:
        term = self.by_slug["people" if key[0] == "p" else "topics"].get(key[1])
        found = self[key] = _Places(term.articles if term else (), self.index_of)
        return found


class _Places(Sequence[int]):
    """The places in the site's order of a term's articles (in that order), each found when it is read: `ranked`
    reads a few by bisection and the window around one, of a term that may have thousands."""

    def __init__(self, articles: Sequence[Article], index_of: Mapping[str, int]) -> None:
        self.articles, self.index_of = articles, index_of

    def __len__(self) -> int:
        return len(self.articles)

    @overload
    def __getitem__(self, at: int) -> int: ...

    @overload
    def __getitem__(self, at: slice) -> list[int]: ...

    def __getitem__(self, at: int | slice) -> int | list[int]:
        if isinstance(at, slice):
            return list(map(self.index_of.__getitem__, map(_PATH, self.articles[at])))
        return self.index_of[self.articles[at].path]


class _Moments(dict[int, float]):
    """The moment of the article at each place in the site's order, as `ranked` takes them: each made when it is
    first asked for (a relink ranks a few dozen articles of thousands)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        super().__init__()
        self.articles = articles

    def __missing__(self, number: int) -> float:
        found = self[number] = self.articles[number].date.timestamp()
        return found


def _same_edition(site: Site, before: Article, after: Article, links: ArticleLinks,
                  edition_pages: Sequence[EditionPage]) -> bool:
    """Whether an article that moved in time stays in its edition, and the calendar stays as it was."""
    settings = site.config.editions
    if settings is None:
        return True
    zone = ZoneInfo(site.config.timezone)
    others = [a for a in site.articles if a.path != after.path]
    origin = origin_of(settings, [*others, after], zone)
    if origin is None or origin != origin_of(settings, [*others, before], zone):
        return False
    calendar = Calendar(settings, origin)
    own = {page.number: page for page in edition_pages if page.lang == ""}

    def number(article: Article) -> int | None:
        slot = calendar.slot(article.date.astimezone(zone).date())
        while slot is not None and slot.number in own and own[slot.number].skip:
            slot = calendar.following(slot)
        return None if slot is None else slot.number

    # the same edition, made (its number is the article's) or not yet due (then it has none)
    return number(before) == number(after) and (links.edition is None or links.edition.number == number(after))


def _moved(site: Site, places: Mapping[str, int], before: Article, article: Article,
           links: dict[str, ArticleLinks], changed_terms: set[tuple[Taxonomy, str]]
           ) -> tuple[Site, dict[str, int], set[str]]:
    """The site with `article` (`before`, as it was; `places`, of each article in the site's order) in its new place
    in time: the site's order, the neighbours' links (`links`, changed in place), its terms' orders (added to
    `changed_terms`) and its archives. With it, the places of its new order, and the articles within
    `RELATED_WINDOW` of either place under one of its terms: those whose candidates it joined or left."""
    path = article.path
    old = places[path]
    rest = [a for a in site.articles if a.path != path]
    new = next((n for n, a in enumerate(rest) if a.date < article.date or (a.date == article.date and a.path > path)),
               len(rest))
    rest.insert(new, article)
    ordered = tuple(rest)
    index_of = {a.path: n for n, a in enumerate(ordered)}
    neighbours = {a.path for a in (*site.articles[max(0, old - 1): old + 2], *ordered[max(0, new - 1): new + 2])}
    for near in neighbours:
        number = index_of[near]
        older = ordered[number + 1] if number + 1 < len(ordered) else None
        newer = ordered[number - 1] if number > 0 else None
        if links[near].previous is not older or links[near].next is not newer:
            links[near] = dataclasses.replace(links[near], previous=older, next=newer)
    around: set[str] = set()
    taxonomies: dict[Taxonomy, tuple[Term, ...]] = {}
    for taxonomy in TAXONOMIES:
        mine = {ref.slug for ref in getattr(links[path], taxonomy)}
        terms = []
        for term in site.taxonomy(taxonomy):
            if term.slug in mine:
                was = [a.path for a in term.articles]
                listed = tuple(sorted(term.articles, key=lambda a: index_of[a.path]))
                now = [a.path for a in listed]
                for order in (was, now):
                    at = order.index(path)
                    around.update(order[max(0, at - RELATED_WINDOW - 1): at + RELATED_WINDOW + 2])
                term = dataclasses.replace(term, articles=listed)
                changed_terms.add((taxonomy, term.slug))
            terms.append(term)
        taxonomies[taxonomy] = tuple(terms)
    zone = ZoneInfo(site.config.timezone)

    def keys(moment: datetime.datetime) -> tuple[tuple[int, int | None], tuple[int, int | None]]:
        local = moment.astimezone(zone)
        return (local.year, None), (local.year, local.month)

    periods = {(p.year, p.month): p for p in (*site.years, *site.months)}
    for key in {*keys(before.date), *keys(article.date)}:
        members = [a for a in (periods[key].articles if key in periods else ()) if a.path != path]
        if key in keys(article.date):
            insort(members, article, key=lambda a: index_of[a.path])
        if members:
            periods[key] = Period(year=key[0], month=key[1], articles=tuple(members), root=site.config.root)
        else:
            del periods[key]
    years = sorted((p for key, p in periods.items() if key[1] is None), key=lambda p: p.year, reverse=True)
    months = sorted((p for key, p in periods.items() if key[1] is not None), key=lambda p: (p.year, p.month or 0),
                    reverse=True)
    return dataclasses.replace(site, articles=ordered, people=taxonomies["people"], topics=taxonomies["topics"],
                               sources=taxonomies["sources"], years=tuple(years),
                               months=tuple(months)), index_of, around


def _duplicates(articles: Sequence[Article], edited: Iterable[Article]) -> tuple[Problem, ...] | None:
    """The warnings of stories linked twice, found again when an edited article (one that moved: which of two came
    first may have changed; or whose links moved to other lines) shares a story with another; None when none does."""
    everything = "".join(map(attrgetter("story_text"), articles))
    for article in edited:
        mine = {f"\n{key}\t" for key in article.story_keys()}
        # how often the site links its stories, counted in C in the site's packed stories: more than it does itself
        # if another article shares one (were it not among `articles`, they would all be found again: slower,
        # never wrong)
        if sum(map(everything.count, mine)) > sum(map(article.story_text.count, mine)):
            return tuple(find_duplicates(articles))
    return None

