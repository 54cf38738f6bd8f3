"""The nouns of the plan: each output file as a `Page`, of a `PageKind`, with its `Paginator` if it has one."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from digest.model.values import EMPTY, read_back_quickly


@read_back_quickly
@dataclass(frozen=True, slots=True, kw_only=True)
class Paginator:
    """Where a page stands in a paginated list."""

    number: int  # 1-based
    count: int  # how many pages the list has
    items: tuple[Any, ...]  # articles; or editions, on the editions' index
    urls: tuple[str, ...]  # every page's URL, in order
    total: int  # items over all pages
    window: tuple[tuple[int, str | None], ...] = ()  # page numbers to link, None for a gap (plan.pages.page_window)

    @property
    def previous_url(self) -> str | None:
        """The page before this one, if any."""
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        """The page after this one, if any."""
        return self.urls[self.number] if self.number < self.count else None

class PageKind(enum.StrEnum):
    """What a page is. Templates get it as `kind` and compare it with its text: `kind == "search"`."""

    HOME = "home"  # the newest articles, paginated
    ARTICLE = "article"
    TERMS = "terms"  # /people/, /topics/
    TERM = "term"  # a person or topic, paginated
    ARCHIVE = "archive"
    PERIOD = "period"  # a year or a month of the archive
    NOT_FOUND = "404"
    SEARCH = "search"
    FEED = "feed"  # an Atom feed: the site's, or a term's
    REDIRECT = "redirect"  # an old URL of an article, sending readers on
    SITEMAP = "sitemap"  # the files below are bytes made by the planner, with no template
    ROBOTS = "robots"
    REDIRECTS = "redirects"  # `_redirects`, for hosts that read it
    EDITIONS = "editions"  # the editions, newest first, paginated
    EDITION = "edition"
    EMAIL = "email"  # an edition as a newsletter: `email.html` (its CSS inlined) and its plain-text twin `email.txt`
    LANGUAGES = "languages"  # the site's root, when every language has a folder: the languages, and on to the first


@read_back_quickly
@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One file of the output: where it goes and how to make it."""

    kind: PageKind
    url: str  # site-relative: "/people/vladimir-putin/"
    output_path: str  # POSIX, relative to the output folder: "people/vladimir-putin/index.html"
    template: str | None  # None: `body` is the file's bytes as they are
    context: Mapping[str, object] = field(default_factory=lambda: EMPTY)
    body: bytes | None = None
    sitemap: bool = True  # listed in sitemap.xml
    lastmod: datetime.datetime | None = None
    language: str = ""  # the language whose settings and words render it; "" for the site's own files
    alternates: tuple[tuple[str, str], ...] = ()  # (language, URL) of this page in every language it is in
