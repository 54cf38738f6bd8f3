"""The words a page says of itself: its title, its description, and counts with their nouns.

The planner decides what a page is and what it shows; what it is called for readers is
decided here, beside the theme's other words, so that each page kind's wording has one
home. Templates get the results as `title`, `description` (and `label` on a period page).
"""

from __future__ import annotations

import datetime

from digest.model import Article, Page, PageKind, Period, SiteConfig, Term, TermRef


def counted(count: int, noun: str) -> str:
    """A count with its noun, singular or plural.

    >>> counted(1, "article"), counted(3, "article"), counted(2, "person")
    ('1 article', '3 articles', '2 people')
    """
    if count == 1:
        return f"1 {noun}"
    return f"{count} {'people' if noun == 'person' else noun + 's'}"


def period_label(period: Period) -> str:
    """A year or a month of the archive, for readers.

    >>> period_label(Period(year=2015, month=None, articles=())), period_label(Period(year=2015, month=11, articles=()))
    ('2015', 'November 2015')
    """
    if period.month is None:
        return f"{period.year:04d}"
    return datetime.date(period.year, period.month, 1).strftime("%B %Y")


def page_words(page: Page, config: SiteConfig) -> dict[str, str]:
    """What a page's template says of the page: `title` and `description`, and `label` for a period.

    Everything they are made of is in the page's kind and values, so a page's fingerprint
    (which covers those) changes whenever its words do.
    """
    context = page.context
    kind = page.kind
    number = getattr(context.get("paginator"), "number", 1)
    if kind is PageKind.HOME:
        return _words(config.title if number == 1 else f"Latest, page {number}", config.description)
    if kind in (PageKind.ARTICLE, PageKind.REDIRECT):
        article: Article = context["article"]  # type: ignore[assignment]
        return _words(article.title, article.summary if kind is PageKind.ARTICLE else "")
    if kind is PageKind.TERMS:
        people = context["taxonomy"] == "people"
        count = counted(len(context["terms"]), "person" if people else "topic")  # type: ignore[arg-type]
        return _words("People" if people else "Topics", f"{count} in {config.title}, by number of articles.")
    if kind is PageKind.TERM:
        term: Term = context["term"]  # type: ignore[assignment]
        return _words(term.name if number == 1 else f"{term.name}, page {number}",
                      term.role or f"{counted(term.count, 'article')} about {term.name} in {config.title}.")
    if kind is PageKind.ARCHIVE:
        return _words("Archive", f"Every article of {config.title}, by month.")
    if kind is PageKind.PERIOD:
        period: Period = context["period"]  # type: ignore[assignment]
        label = period_label(period)
        return {**_words(f"Articles of {label}", f"{counted(len(period.articles), 'article')} of {label}."),
                "label": label}
    if kind is PageKind.NOT_FOUND:
        return _words("Page not found", "")
    if kind is PageKind.SEARCH:
        return _words("Search", f"Search the articles of {config.title}.")
    if kind is PageKind.FEED:
        about: TermRef | None = context["about"]  # type: ignore[assignment]
        return _words(config.title if about is None else f"{about.name} — {config.title}", "")
    return {}


def _words(title: str, description: str) -> dict[str, str]:
    return {"title": title, "description": description}
