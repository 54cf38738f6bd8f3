"""The nouns of a site's content: sources, articles, term pages, terms, and the linked-up `Site`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from digest.model.settings import SiteConfig
from digest.model.values import FrozenMap, Taxonomy

@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A Markdown file found under `content/`."""

    path: str  # "content/2015/2015-11-30-putin.md"
    abs_path: str
    kind: Literal["article", "people", "topics", "sources"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TocEntry:
    """A heading of an article body, for its table of contents."""

    level: int
    id: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One article, parsed and checked, with its body rendered to HTML."""

    path: str  # POSIX, relative to the site root
    slug: str
    url: str  # site-relative: "/2015/11/putin-netanyahu-paris/"
    title: str
    date: datetime.datetime  # aware; a date alone is midnight in the site's timezone
    updated: datetime.datetime | None
    people: tuple[str, ...]  # names as the author wrote them
    topics: tuple[str, ...]
    source: str | None
    source_url: str | None
    summary: str  # plain text
    body_html: str
    toc: tuple[TocEntry, ...]
    words: int
    draft: bool
    image: str | None
    image_alt: str | None
    meta: Mapping[str, object]  # every other front matter key
    content_hash: str
    aliases: tuple[str, ...] = ()  # old URLs that redirect here: "/2015/old-slug/"
    lang: str = ""  # its language, on a site with `languages`; else ""
    translation_key: str = ""  # what its translations share: its path without the language's mark
    translates: bool = False  # it says it is a translation (a `post.fr.md` name, or `translation_key:`)
    links: tuple[tuple[str, int], ...] = ()  # the web links of its body: (address, line in the file), in order
    source_url_line: int | None = None  # the line of `source_url` in the file
    # its source as a term of `sources`: `source`, else the registered domain of `source_url` ("bbc.co.uk")
    source_term: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """The name of its source as a term, as `people` and `topics` are names (one, or none)."""
        return (self.source_term,) if self.source_term else ()

    @property
    def reading_time(self) -> int:
        """Minutes to read the body, at 220 words a minute; at least 1."""
        return max(1, round(self.words / 220))


@dataclass(frozen=True, slots=True, kw_only=True)
class TermPage:
    """A term page (`content/people/SLUG.md`): what the curator says of a term."""

    taxonomy: Taxonomy
    path: str
    slug: str
    name: str
    name_line: int | None = None
    aliases: tuple[str, ...]
    alias_lines: tuple[int | None, ...] = ()  # the line of each alias, in order
    role: str | None
    image: str | None
    image_alt: str | None
    body_html: str | None
    meta: Mapping[str, object]
    names: Mapping[str, str] = field(default_factory=lambda: FrozenMap[str]())  # the name in other languages
    url: str | None = None  # a source's own address (`content/sources/`): its domain names it too


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """A person or topic, with every published article that names it."""

    taxonomy: Taxonomy
    slug: str  # "moshe-yaalon"; unique within its taxonomy
    name: str  # from its term page, else the most used spelling
    aliases: tuple[str, ...]  # every other spelling that resolves here
    role: str | None
    image: str | None
    image_alt: str | None
    body_html: str | None  # the term page's body, if there is one
    meta: Mapping[str, object]  # the term page's other keys
    articles: tuple[Article, ...]  # newest first
    # the terms most often named alongside, with counts (for a source: the people and topics it covers most)
    related: tuple[tuple[TermRef, int], ...] = ()
    root: str = "/"  # the path of its language in the site: "/", or "/fr/"
    address: str | None = None  # a source's own web address (its term page's `url`), checked like `source_url`

    @property
    def count(self) -> int:
        """How many articles name this term."""
        return len(self.articles)

    @property
    def url(self) -> str:
        """The term's page, percent-encoded: "/people/moshe-yaalon/"."""
        return term_url(self.root, self.taxonomy, self.slug)


def term_url(root: str, taxonomy: str, slug: str) -> str:
    """The page of a term, percent-encoded, under the path of its language.

    >>> term_url("/", "people", "moshe-yaalon"), term_url("/fr/", "people", "maëlle")
    ('/people/moshe-yaalon/', '/fr/people/ma%C3%ABlle/')
    """
    return f"{root}{taxonomy}/{quote(slug, safe='')}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class TermRef:
    """A light reference to a term (taxonomy, slug, name), to link to it."""

    taxonomy: Taxonomy
    slug: str
    name: str
    root: str = "/"  # the path of the term's language in the site

    @property
    def url(self) -> str:
        """The term's page, percent-encoded."""
        return term_url(self.root, self.taxonomy, self.slug)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleLinks:
    """What an article page links to besides its body."""

    people: tuple[TermRef, ...]
    topics: tuple[TermRef, ...]
    related: tuple[Article, ...]
    sources: tuple[TermRef, ...] = ()  # its source's page, if it has a source
    previous: Article | None  # older
    next: Article | None  # newer


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A year or a month of the archive, with its articles newest first."""

    year: int
    month: int | None
    articles: tuple[Article, ...]
    root: str = "/"  # the path of its language in the site

    @property
    def url(self) -> str:
        """The period's page: "/2015/" or "/2015/11/"."""
        if self.month is None:
            return f"{self.root}{self.year:04d}/"
        return f"{self.root}{self.year:04d}/{self.month:02d}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Everything a site holds, linked up and ready to be planned into pages; on a site with
    `languages`, everything one language holds, and `config` is that language's."""

    config: SiteConfig
    articles: tuple[Article, ...]  # newest first
    links: Mapping[str, ArticleLinks]  # by article path
    people: tuple[Term, ...]  # by slug
    topics: tuple[Term, ...]
    years: tuple[Period, ...]  # newest first
    months: tuple[Period, ...]  # newest first
    # translation key -> the versions of an article, in the order of the languages (every language's)
    translations: Mapping[str, tuple[Article, ...]] = field(default_factory=lambda: FrozenMap[tuple[Article, ...]]())
    sources: tuple[Term, ...] = ()  # by slug
    # the taxonomies whose index the site has (and its menu lists): sources only when an article names one
    sections: tuple[Taxonomy, ...] = ("people", "topics")

    def taxonomy(self, name: Taxonomy) -> tuple[Term, ...]:
        """The terms of one taxonomy."""
        return self.people if name == "people" else self.topics if name == "topics" else self.sources
