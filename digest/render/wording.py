"""The words a page says of itself: its title, its description, and counts with their nouns.

The planner decides what a page is and what it shows; what it is called for readers is
decided here, beside the theme's other words, so that each page kind's wording has one
home. Templates get the results as `title`, `description` (and `label` on a period page).
"""

from __future__ import annotations

import datetime

from digest.model import Article, Edition, Page, PageKind, Period, SiteConfig, Term, TermRef
from digest.render.i18n import ENGLISH, Messages, counted_in_english

# the noun that counts a taxonomy's terms: "3 people", "1 source"
NOUNS = {"people": "person", "topics": "topic", "sources": "source"}


def counted(count: int, noun: str) -> str:
    """A count with its noun, in English (the command line's words).

    >>> counted(1, "article"), counted(3, "article"), counted(2, "person")
    ('1 article', '3 articles', '2 people')
    """
    return counted_in_english(count, noun)


def site_counts(articles: int, people: int, topics: int) -> str:
    """What a site holds, as the command line reports it.

    >>> site_counts(1, 2, 1)
    '1 article, 2 people, 1 topic'
    """
    return f"{counted(articles, 'article')}, {counted(people, 'person')}, {counted(topics, 'topic')}"


def period_label(period: Period, words: Messages = ENGLISH) -> str:
    """A year or a month of the archive, for readers.

    >>> period_label(Period(year=2015, month=None, articles=())), period_label(Period(year=2015, month=11, articles=()))
    ('2015', 'November 2015')
    """
    if period.month is None:
        return f"{period.year:04d}"
    return words.date(datetime.date(period.year, period.month, 1), "month")


def page_words(page: Page, config: SiteConfig, words: Messages = ENGLISH) -> dict[str, str]:
    """What a page's template says of the page: `title` and `description`, and `label` for a period.

    Everything they are made of is in the page's kind and values, so a page's fingerprint
    (which covers those) changes whenever its words do. `config` is the page's language's.
    """
    context = page.context
    kind = page.kind
    title = config.title
    number = getattr(context.get("paginator"), "number", 1)
    if kind is PageKind.HOME:
        return _words(title if number == 1 else words("Latest, page {number}", number=number), config.description)
    if kind in (PageKind.ARTICLE, PageKind.REDIRECT):
        article: Article = context["article"]  # type: ignore[assignment]
        return _words(article.title, article.summary if kind is PageKind.ARTICLE else "")
    if kind is PageKind.TERMS:
        taxonomy = context["taxonomy"]
        count = words.counted(len(context["terms"]), NOUNS[taxonomy])  # type: ignore[arg-type, index]
        return _words(words(str(taxonomy).capitalize()),
                      words("{count} in {title}, by number of articles.", count=count, title=title))
    if kind is PageKind.TERM:
        term: Term = context["term"]  # type: ignore[assignment]
        return _words(term.name if number == 1 else words("{name}, page {number}", name=term.name, number=number),
                      term.role or words("{count} about {name} in {title}.", count=words.counted(term.count, "article"),
                                         name=term.name, title=title))
    if kind is PageKind.ARCHIVE:
        return _words(words("Archive"), words("Every article of {title}, by month.", title=title))
    if kind is PageKind.PERIOD:
        period: Period = context["period"]  # type: ignore[assignment]
        label = period_label(period, words)
        return {**_words(words("Articles of {label}", label=label),
                         words("{count} of {label}.", count=words.counted(len(period.articles), "article"),
                               label=label)), "label": label}
    if kind is PageKind.NOT_FOUND:
        return _words(words("Page not found"), "")
    if kind is PageKind.SEARCH:
        return _words(words("Search"), words("Search the articles of {title}.", title=title))
    if kind is PageKind.EDITIONS:
        return _words(words("Editions") if number == 1 else words("{name}, page {number}", name=words("Editions"),
                                                                  number=number),
                      words("Every edition of {title}, the newest first.", title=title))
    if kind in (PageKind.EDITION, PageKind.EMAIL):
        edition: Edition = context["edition"]  # type: ignore[assignment]
        span = words("{first} to {last}", first=words.date(edition.start, "long"), last=words.date(edition.end, "long"))
        return {**_words(edition.title, edition.summary or words(
            "{count} from {span}.", count=words.counted(len(edition.articles), "article"), span=span)), "span": span}
    if kind is PageKind.FEED and "editions" in context:
        return _words(words("{name} — {title}", name=words("Editions"), title=title), "")
    if kind is PageKind.FEED:
        about: TermRef | None = context["about"]  # type: ignore[assignment]
        return _words(title if about is None else words("{name} — {title}", name=about.name, title=title), "")
    if kind is PageKind.LANGUAGES:
        return _words(title, config.description)
    return {}


def _words(title: str, description: str) -> dict[str, str]:
    return {"title": title, "description": description}
