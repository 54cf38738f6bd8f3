"""The nouns of a site: the values that flow from one stage of a build to the next.

Every type here is a frozen dataclass: a stage that learns more returns a new value of a
new type. This module imports nothing from the package, so every stage can import it and
imports keep pointing one way. The nouns of a build run itself (its options, its result,
what it leaves in the cache) are in `records.py`.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar
from urllib.parse import quote

__version__ = "0.1.0"  # the package's version; part of every cache key

Taxonomy = Literal["people", "topics"]
TAXONOMIES: tuple[Taxonomy, ...] = ("people", "topics")
Severity = Literal["error", "warning"]

V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only mapping that, unlike `MappingProxyType`, can be pickled to worker processes.

    >>> meta = FrozenMap({"region": "Europe"})
    >>> meta["region"], len(meta), dict(meta)
    ('Europe', 1, {'region': 'Europe'})
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, V] | None = None) -> None:
        self._data: dict[str, V] = dict(data or {})

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenMap[V]], tuple[dict[str, V]]]:
        return (FrozenMap, (self._data,))


EMPTY: Mapping[str, object] = FrozenMap[object]()


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with a site, written for its author.

    >>> print(Problem(path="content/a.md", line=3, message="`date` is missing",
    ...               hint="Add `date: 2015-11-30`."))
    content/a.md:3: `date` is missing
        Add `date: 2015-11-30`.
    """

    path: str | None  # POSIX, relative to the site root; None for the site as a whole
    line: int | None  # 1-based, where known
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = where + self.message
        if self.severity == "warning":
            text = f"{where}warning: {self.message}"
        if self.hint:
            text += "\n    " + self.hint.replace("\n", "\n    ")
        return text

    def as_error(self) -> Problem:
        """The same problem, as an error (what `--strict` makes of warnings)."""
        return Problem(path=self.path, line=self.line, message=self.message,
                       hint=self.hint, severity="error")


class DigestError(Exception):
    """A build stopped by problems in the site; carries every one it found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A build asked for something impossible, such as writing over the site itself."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkdownOptions:
    """How article bodies are turned into HTML."""

    unsafe_html: bool = False  # pass raw HTML through instead of escaping it
    toc_levels: tuple[int, int] = (2, 3)  # heading levels that get ids and TOC entries
    highlight: bool = True  # colour fenced code with Pygments


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """The site's settings: `digest.yaml` read, checked and given defaults."""

    title: str = "My Digest"
    description: str = ""
    base_url: str = "https://example.org/"  # absolute, ends with "/"
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    per_page: int = 10
    feed_size: int = 20
    related: int = 5
    article_url: str = "/{year}/{month}/{slug}/"
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    search: bool = True  # a search page and a Pagefind index of the articles
    domain: str | None = None  # the custom domain `digest publish` writes into CNAME
    theme_options: Mapping[str, object] = field(default_factory=lambda: EMPTY)
    meta: Mapping[str, object] = field(default_factory=lambda: EMPTY)  # `params:`, free values for templates
    _base_path: str = field(init=False, repr=False, compare=False, default="/")  # from base_url, once

    def __post_init__(self) -> None:
        rest = self.base_url.split("://", 1)[-1]
        slash = rest.find("/")
        object.__setattr__(self, "_base_path", rest[slash:] if slash >= 0 else "/")

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" or "/news/"."""
        return self._base_path

    @property
    def origin(self) -> str:
        """Scheme and host of `base_url`: "https://example.org"."""
        return self.base_url[: len(self.base_url) - len(self.base_path)]

    def url_for(self, url: str) -> str:
        """A site-relative URL as the browser needs it, under the base path.

        >>> SiteConfig(base_url="https://example.org/news/").url_for("/people/")
        '/news/people/'
        """
        if "://" in url or url.startswith(("//", "#", "mailto:")):
            return url
        return self.base_path + url.lstrip("/")

    def abs_url(self, url: str) -> str:
        """A site-relative URL made absolute, for feeds, sitemaps and canonical links.

        >>> SiteConfig(base_url="https://example.org/news/").abs_url("/feed.xml")
        'https://example.org/news/feed.xml'
        """
        if "://" in url:
            return url
        return self.origin + self.url_for(url)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A Markdown file found under `content/`."""

    path: str  # "content/2015/2015-11-30-putin.md"
    abs_path: str
    kind: Literal["article", "people", "topics"]


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
    related: tuple[tuple[TermRef, int], ...] = ()  # people most often named alongside, with counts
    root: str = "/"  # the path of its language in the site: "/", or "/fr/"

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
    """Everything a site holds, linked up and ready to be planned into pages."""

    config: SiteConfig
    articles: tuple[Article, ...]  # newest first
    links: Mapping[str, ArticleLinks]  # by article path
    people: tuple[Term, ...]  # by slug
    topics: tuple[Term, ...]
    years: tuple[Period, ...]  # newest first
    months: tuple[Period, ...]  # newest first

    def taxonomy(self, name: Taxonomy) -> tuple[Term, ...]:
        """The terms of one taxonomy."""
        return self.people if name == "people" else self.topics


@dataclass(frozen=True, slots=True, kw_only=True)
class Paginator:
    """Where a page stands in a paginated list."""

    number: int  # 1-based
    count: int  # how many pages the list has
    items: tuple[Article, ...]
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
