"""The nouns of a site's content: sources, articles, term pages, terms, and the linked-up `Site`."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from digest.model.settings import SiteConfig
from digest.model.values import FrozenMap, Taxonomy, read_back_quickly

@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """A Markdown file found under `content/`."""

    path: str  # "content/2015/2015-11-30-putin.md"
    abs_path: str
    kind: Literal["article", "people", "topics", "sources", "editions"]  # "editions": an edition's introduction


@dataclass(frozen=True, slots=True, kw_only=True)
class TocEntry:
    """A heading of an article body, for its table of contents."""

    level: int
    id: str
    title: str


def packed_toc(entries: Sequence[TocEntry]) -> str:
    """Headings as `Article.toc_text` keeps them.

    >>> packed_toc([TocEntry(level=2, id="talks", title="Talks in Paris")])
    '[[2,"talks","Talks in Paris"]]'
    """
    if not entries:
        return ""
    return json.dumps([[e.level, e.id, e.title] for e in entries], ensure_ascii=False, separators=(",", ":"))


# where an article's links stand in its file: a line added above them moves them, and only the warnings of stories
# linked twice show it (no page does)
LINK_LINES = ("link_text", "source_url_line")


@read_back_quickly
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
    # the headings of its body, for its table of contents, as JSON (`packed_toc`; `toc` reads them): tuples of
    # entries took 400 bytes an article
    toc_text: str
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
    # the web links of its body, in order, "LINE\tADDRESS" a line (`read.urls.packed_links`; `links` reads them)
    link_text: str = ""
    source_url_line: int | None = None  # the line of `source_url` in the file
    # its source as a term of `sources`: `source`, else the registered domain of `source_url` ("bbc.co.uk")
    source_term: str | None = None
    # its links to stories, `source_url` first, found when it is parsed: "\nKEY\tN" for each, KEY its canonical
    # form and N the place of its address in `source_url` and `links` (`read.urls.packed_stories`; `stories`
    # reads them). Both are kept as one string: as tuples, they were half of what 100,000 parsed articles hold
    story_text: str = ""

    @property
    def toc(self) -> tuple[TocEntry, ...]:
        """The headings of its body, for its table of contents."""
        if not self.toc_text:
            return ()
        return tuple(TocEntry(level=level, id=anchor, title=title)
                     for level, anchor, title in json.loads(self.toc_text))

    @property
    def links(self) -> tuple[tuple[str, int], ...]:
        """The web links of its body: (address, line in the file), in order."""
        if not self.link_text:
            return ()
        return tuple((url, int(line)) for line, _, url in
                     (entry.partition("\t") for entry in self.link_text.split("\n")))

    def link_addresses(self) -> str:
        """The addresses of its body's web links, in order, one a line: `links` without the lines, which change
        whenever a line is added above them and show on no page (only in the warnings that name them)."""
        return "\n".join(url for url, _ in self.links)

    def links_moved_from(self, before: Article) -> bool:
        """Whether its links stand on other lines of its file than in `before`, a version of it (`LINK_LINES`)."""
        return any(getattr(self, name) != getattr(before, name) for name in LINK_LINES)

    @property
    def stories(self) -> tuple[tuple[str, str, int | None], ...]:
        """Its links to stories, `source_url` first: (canonical form, address as written, line)."""
        if not self.story_text:
            return ()
        written: list[tuple[str, int | None]] = [(self.source_url, self.source_url_line)] if self.source_url else []
        written.extend(self.links)
        return tuple((key, *written[int(number)]) for key, _, number in
                     (entry.rpartition("\t") for entry in self.story_text[1:].split("\n")))

    def story_keys(self) -> list[str]:
        """The canonical forms of its links to stories, in the order of `stories`."""
        return [entry.rpartition("\t")[0] for entry in self.story_text[1:].split("\n")] if self.story_text else []

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


@read_back_quickly
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


@read_back_quickly
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
class EditionPage:
    """An edition's introduction (`content/editions/NUMBER.md`, or `NUMBER.LANG.md`): what the curator says of it."""

    path: str
    number: int
    lang: str = ""  # the language it is written in, on a site with `languages` ("" for the default)
    title: str | None = None  # the edition's title, instead of the `editions.title` pattern
    summary: str | None = None  # plain text: the e-mail's preheader and the feed's summary
    body_html: str | None = None  # the lead paragraphs
    sections: tuple[str, ...] = ()  # topics in the order the edition shows them, as the curator names them
    sections_line: int | None = None
    skip: bool = False  # no edition NUMBER: its articles join the next


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionRef:
    """A light reference to an edition, to link to it."""

    number: int
    title: str
    url: str
    date: datetime.date  # the day it went out


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionSection:
    """The articles of an edition about one topic (or about none: `topic` None), oldest first."""

    topic: TermRef | None
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Edition:
    """A numbered edition: the articles of one period (a day, a week, a month), grouped by topic."""

    number: int
    title: str
    url: str  # site-relative, percent-encoded: "/editions/12/"
    start: datetime.date  # the first day it covers (earlier when the periods before it were skipped)
    end: datetime.date  # the last day it covers
    date: datetime.date  # the day it goes out
    articles: tuple[Article, ...]  # newest first
    sections: tuple[EditionSection, ...]
    people: tuple[tuple[TermRef, int], ...]  # the people most named in it, with their counts
    people_count: int  # how many people it names
    topic_count: int
    summary: str | None = None  # the introduction's
    intro_html: str | None = None  # the introduction's body
    previous: EditionRef | None = None  # older
    next: EditionRef | None = None  # newer
    source: str | None = None  # the introduction's file, if it has one

    @property
    def ref(self) -> EditionRef:
        """A reference to it."""
        return EditionRef(number=self.number, title=self.title, url=self.url, date=self.date)


@read_back_quickly
@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleLinks:
    """What an article page links to besides its body."""

    people: tuple[TermRef, ...]
    topics: tuple[TermRef, ...]
    related: tuple[Article, ...]
    sources: tuple[TermRef, ...] = ()  # its source's page, if it has a source
    previous: Article | None  # older
    next: Article | None  # newer
    edition: EditionRef | None = None  # the edition it appeared in, if any


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
    editions: tuple[Edition, ...] = ()  # newest first; () on a site without `editions`
    next_edition_due: datetime.datetime | None = None  # when the first edition not yet made is due

    def taxonomy(self, name: Taxonomy) -> tuple[Term, ...]:
        """The terms of one taxonomy."""
        return self.people if name == "people" else self.topics if name == "topics" else self.sources
