"""Stage 4, link: articles and term pages → a linked-up `Site`.

Sorts the published articles, joins people and topics, finds related
articles, previous and next, and the archive's years and months. Two articles
that would share a URL are an error naming both files.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
import unicodedata
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from digest.link.duplicates import find_duplicates
from digest.link.editions import build_editions, origin_of
from digest.link.terms import RELATED_TERMS, alias_index, build_terms
from digest.model import (TAXONOMIES, Article, ArticleLinks, EditionPage, FrozenMap, Period, Problem, Site, SiteConfig,
                          Taxonomy, Term, TermPage, TermRef)
from digest.records import LinkRecord, TranslatedArticle

# How many of a term's articles, on either side of an article in time, count as candidates
# for its related articles: keeps the work linear when a topic has thousands of articles.
RELATED_WINDOW = 10


def sort_articles(articles: Iterable[Article]) -> tuple[Article, ...]:
    """Newest first; articles of the same moment by path, so the order never changes."""
    ordered = sorted(articles, key=lambda a: a.path)
    ordered.sort(key=lambda a: a.date, reverse=True)
    return tuple(ordered)


def check_urls(articles: Iterable[Article], problems: list[Problem]) -> None:
    """Report every pair of articles that would be written to the same URL."""
    taken: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.path):
        other = taken.setdefault(article.url, article.path)
        if other != article.path:
            twins = unicodedata.normalize("NFC", other) == unicodedata.normalize("NFC", article.path)
            problems.append(Problem(
                path=article.path, line=None,
                message=f"its URL {article.url} is taken by {other}"
                        + (", a file of the same name with its accented letters encoded differently "
                           "(Unicode NFC and NFD)" if twins else ""),
                hint="Remove one of the two files, or give it a different `slug:`." if twins
                else "Give one of the two files a different `slug:`."))


def build_sites(config: SiteConfig, articles: Iterable[Article], term_pages: Iterable[TermPage],
                problems: list[Problem], edition_pages: Iterable[EditionPage] = (),
                until: datetime.datetime | None = None, known: Mapping[str, LinkRecord] | None = None
                ) -> tuple[Site, ...]:
    """Link the published articles and term pages: one `Site`, or one per language of `languages`.

    The languages share one registry of people and topics (the term pages, their aliases) and
    know each other's articles through `Site.translations`; each has its own articles, terms,
    archives, related articles and editions (numbered alike: by one calendar). `until`: the
    editions due by then are made (None: every one, as `--future` asks). `known`: what the last build
    linked each article to, when it was made with the same settings and every article's date was the same then:
    the articles whose related articles cannot have changed keep those (`_related`).
    """
    articles = list(articles)
    problems.extend(find_duplicates(articles))
    dated = _Editions(pages=tuple(edition_pages), until=until, origin=origin_of(
        config.editions, articles, ZoneInfo(config.timezone)) if config.editions else None)
    if not config.languages:
        return (build_site(config, articles, term_pages, problems, editions=dated, known=known),)
    ordered = sort_articles(articles)
    check_urls(ordered, problems)
    pages = list(term_pages)
    owners = {taxonomy: alias_index(taxonomy, [p for p in pages if p.taxonomy == taxonomy], problems)
              for taxonomy in TAXONOMIES}
    translations = _translations(config, ordered, problems)
    return tuple(build_site(config.in_language(language), [a for a in ordered if a.lang == language.code], pages,
                            problems, owners, translations, dated, known) for language in config.languages)


@dataclass(frozen=True, slots=True)
class _Editions:
    """What every language's editions come from: the introductions, when they are due, the calendar's first day."""

    pages: tuple[EditionPage, ...] = ()
    until: datetime.datetime | None = None
    origin: datetime.date | None = None


def _translations(config: SiteConfig, articles: tuple[Article, ...],
                  problems: list[Problem]) -> FrozenMap[tuple[Article, ...]]:
    """Translation key -> the versions of an article, in the order of the languages; and a warning for
    each translation whose original (the default language's version) is missing."""
    groups = _versions(config, articles)
    default = config.languages[0].code
    for key, versions in sorted(groups.items()):
        for twin in (a for a, b in zip(versions, versions[1:]) if a.lang == b.lang):
            other = next(b for b in versions if b.lang == twin.lang and b is not twin)
            problems.append(Problem(path=other.path, line=None, severity="warning",
                                    message=f"is a second {twin.lang} version of {key}, beside {twin.path}",
                                    hint="Give one of the two another `translation_key:`, or another language."))
        if versions[0].lang != default and any(a.translates for a in versions):
            for article in versions:
                problems.append(Problem(
                    path=article.path, line=None, severity="warning",
                    message=f"is a translation of {key}, whose original in {default} is missing",
                    hint=f"Add the {default} article, or give this one its own `translation_key:`."))
    return FrozenMap({key: tuple(versions) for key, versions in groups.items() if len(versions) > 1})


def _versions(config: SiteConfig, articles: Iterable[Article]) -> dict[str, list[Article]]:
    """Translation key -> the articles that share it, in the order of the site's languages."""
    order = {language.code: number for number, language in enumerate(config.languages)}
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.translation_key].append(article)
    for versions in groups.values():
        versions.sort(key=lambda a: (order[a.lang], a.path))
    return groups


def translation_table(sites: tuple[Site, ...]) -> tuple[TranslatedArticle, ...]:
    """Every article of a site with `languages` and the languages it is written in, newest first; () for a
    site of one language."""
    if not sites or not sites[0].config.languages:
        return ()
    groups = _versions(sites[0].config, (article for site in sites for article in site.articles))
    table = [TranslatedArticle(key=key, title=versions[0].title, date=versions[0].date,
                               versions=tuple((a.lang, a.path) for a in versions)) for key, versions in groups.items()]
    table.sort(key=lambda row: row.key)
    table.sort(key=lambda row: row.date, reverse=True)
    return tuple(table)


def build_site(config: SiteConfig, articles: Iterable[Article], term_pages: Iterable[TermPage],
               problems: list[Problem], owners: Mapping[Taxonomy, dict[str, str]] | None = None,
               translations: FrozenMap[tuple[Article, ...]] | None = None, editions: _Editions | None = None,
               known: Mapping[str, LinkRecord] | None = None) -> Site:
    """Link the published articles and term pages into a `Site` (of one language, with `owners`: the
    term pages' alias indexes, made once for every language, and their `translations`; `known`: as
    `build_sites` takes it)."""
    ordered = sort_articles(articles)
    if owners is None:
        check_urls(ordered, problems)
    pages = list(term_pages)
    language, root = (config.language, config.root) if owners is not None else ("", "/")
    people = build_terms("people", ordered, [p for p in pages if p.taxonomy == "people"], problems,
                         None if owners is None else owners["people"], language, root)
    topics = build_terms("topics", ordered, [p for p in pages if p.taxonomy == "topics"], problems,
                         None if owners is None else owners["topics"], language, root)
    sources = build_terms("sources", ordered, [p for p in pages if p.taxonomy == "sources"], problems,
                          None if owners is None else owners["sources"], language, root)
    related = _related(ordered, people.by_article, topics.by_article, config.related, known)
    links = {}
    for index, article in enumerate(ordered):
        links[article.path] = ArticleLinks(
            people=people.by_article[article.path], topics=topics.by_article[article.path],
            related=related[article.path],
            previous=ordered[index + 1] if index + 1 < len(ordered) else None,
            next=ordered[index - 1] if index > 0 else None, sources=sources.by_article[article.path],
        )
    dated = editions or _Editions()
    made = build_editions(config, ordered, links, dated.pages, dated.origin, dated.until, problems)
    for path, ref in made.of_article.items():
        links[path] = dataclasses.replace(links[path], edition=ref)
    shown_sources = _shown(coverage(sources.terms, links), config, owners)
    years: dict[int, list[Article]] = defaultdict(list)
    months: dict[tuple[int, int], list[Article]] = defaultdict(list)
    zone = ZoneInfo(config.timezone)
    for article in ordered:
        local = article.date.astimezone(zone)
        years[local.year].append(article)
        months[(local.year, local.month)].append(article)
    return Site(
        config=config, articles=ordered, links=FrozenMap(links),
        people=_shown(people.terms, config, owners), topics=_shown(topics.terms, config, owners),
        years=tuple(Period(year=y, month=None, articles=tuple(a), root=config.root)
                    for y, a in sorted(years.items(), reverse=True)),
        months=tuple(Period(year=y, month=m, articles=tuple(a), root=config.root)
                     for (y, m), a in sorted(months.items(), reverse=True)),
        translations=translations or FrozenMap(),
        sources=shown_sources, sections=("people", "topics", "sources") if shown_sources else ("people", "topics"),
        editions=made.editions, next_edition_due=made.next_due,
    )


def coverage(sources: Iterable[Term], links: Mapping[str, ArticleLinks]) -> tuple[Term, ...]:
    """Sources with the people and topics each covers most as their `related` terms (an article has one
    source, so no source is named alongside another)."""
    covered = []
    for source in sources:
        people: Counter[TermRef] = Counter()
        topics: Counter[TermRef] = Counter()
        for article in source.articles:
            people.update(links[article.path].people)
            topics.update(links[article.path].topics)
        top = [*_most(people), *_most(topics)]
        covered.append(dataclasses.replace(source, related=tuple(top)))
    return tuple(covered)


def _most(counts: Counter[TermRef]) -> list[tuple[TermRef, int]]:
    """The most counted, by count then name, up to `RELATED_TERMS`."""
    return heapq.nsmallest(RELATED_TERMS, counts.items(), key=lambda kv: (-kv[1], kv[0].name))


def _shown(terms: tuple[Term, ...], config: SiteConfig, owners: object) -> tuple[Term, ...]:
    """The terms that get a page in this language: on a site with `languages`, those its articles name (and in
    the default language every term page's term, as on a site of one language)."""
    if owners is None or config.language == config.languages[0].code:
        return terms
    return tuple(term for term in terms if term.articles)


def _related(ordered: tuple[Article, ...], people: Mapping[str, tuple[TermRef, ...]],
             topics: Mapping[str, tuple[TermRef, ...]], limit: int,
             known: Mapping[str, LinkRecord] | None = None) -> dict[str, tuple[Article, ...]]:
    """Up to `limit` articles for each, ranked by shared people and topics, then nearness in time.

    The candidates for an article are, for each of its people and topics, the
    `RELATED_WINDOW` articles on either side of it in time that name the same term;
    a candidate's score is the number of those terms it shares. Of two with the same
    score, the one written nearer in time to the article comes first (the time between
    their dates, not how many articles lie between: so a move of one article in time
    changes no other article's nearness), then the newer.

    With `known` (see `build_sites`), an article keeps the related articles it had when its people and topics
    are the same and no article joined or left one of them within `RELATED_WINDOW` of it: then its candidates,
    their scores and their nearness are too. The others are ranked again (at 10,000 articles, an edit of one
    article's people ranks a few dozen instead of the hundreds that share a term with it).
    """
    terms_of: list[list[tuple[str, str]]] = []
    members: dict[tuple[str, str], list[int]] = defaultdict(list)  # term -> article indexes, newest first
    for index, article in enumerate(ordered):
        keys = term_keys(people[article.path], topics[article.path])
        terms_of.append(keys)
        for key in keys:
            members[key].append(index)
    when = [article.date.timestamp() for article in ordered]

    def rank(index: int) -> tuple[Article, ...]:
        return tuple(ordered[other] for other in ranked(index, terms_of[index], members, limit, when))

    again = None if known is None else _to_rank(ordered, terms_of, members, known)
    if again is None:
        return {article.path: rank(index) for index, article in enumerate(ordered)}
    assert known is not None
    at = {article.path: index for index, article in enumerate(ordered)}
    return {article.path: rank(index) if index in again else tuple(ordered[at[path]] for path in known[article.path][2])
            for index, article in enumerate(ordered)}


def _to_rank(ordered: tuple[Article, ...], terms_of: list[list[tuple[str, str]]],
             members: Mapping[tuple[str, str], list[int]], known: Mapping[str, LinkRecord]) -> set[int] | None:
    """The indexes of the articles whose related articles may differ from those `known` gives them: whose people
    or topics changed, or who are near one that joined or left a term they share (`within_window`). None when
    `known` is not of these articles in this order (an article's older and newer neighbours in it are not those it
    had)."""
    paths = {article.path for article in ordered}
    edited: list[int] = []
    old_members: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, article in enumerate(ordered):
        record = known.get(article.path)
        older = ordered[index + 1].path if index + 1 < len(ordered) else None
        newer = ordered[index - 1].path if index > 0 else None
        if record is None or record[3] != older or record[4] != newer or not paths.issuperset(record[2]):
            return None
        keys = [("p", slug) for slug, _ in record[0]] + [("t", slug) for slug, _ in record[1]]
        if keys != terms_of[index]:  # (in the order `term_keys` gives them)
            edited.append(index)
        for key in keys:
            old_members[key].append(index)
    again = set(edited)
    for key in members.keys() | old_members.keys():
        now_in, was_in = members.get(key, []), old_members.get(key, [])
        if now_in != was_in:
            moves = set(now_in).symmetric_difference(was_in)
            again.update(within_window(now_in, moves), within_window(was_in, moves))
    return again


def within_window(numbers: Sequence[int], moves: Iterable[int]) -> set[int]:
    """The articles of a term (`numbers`: their indexes, in order) whose `RELATED_WINDOW` may hold one of `moves`,
    the articles that joined or left the term: those whose candidates under it may have changed. Its other
    articles' windows hold the same articles as before."""
    found: set[int] = set()
    for number in moves:
        at = bisect_left(numbers, number)
        found.update(numbers[max(0, at - RELATED_WINDOW - 1): at + RELATED_WINDOW + 2])
    return found


def term_keys(people: Iterable[TermRef], topics: Iterable[TermRef]) -> list[tuple[str, str]]:
    """An article's people and topics as `ranked` takes them: ("p", slug) and ("t", slug)."""
    return [("p", r.slug) for r in people] + [("t", r.slug) for r in topics]


def ranked(index: int, keys: Iterable[tuple[str, str]], members: Mapping[tuple[str, str], Sequence[int]],
           limit: int, when: Sequence[float] | Mapping[int, float]) -> list[int]:
    """The related articles of the article at `index` (as `_related` finds them), as indexes: `keys`, its people
    ("p", slug) and topics ("t", slug); `members`, the indexes of the articles of each, in order; `when`, the
    moment of the article at each index (POSIX seconds)."""
    window: list[int] = []
    for key in keys:
        indexes = members[key]
        pos = bisect_left(indexes, index)
        window += indexes[max(0, pos - RELATED_WINDOW): pos + RELATED_WINDOW + 1]
    scores = Counter(window)  # counted in C, once
    del scores[index]
    moment = when[index]
    return [other for _, _, other in heapq.nsmallest(limit, [(-count, abs(when[other] - moment), other)
                                                             for other, count in scores.items()])]
