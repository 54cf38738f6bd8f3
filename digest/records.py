"""The nouns of a build run: what it is asked, what it reports, and what it leaves for the next one.

Like `model`'s, every type here is a frozen value; this module imports only `model`.
`BuildOptions` and `BuildResult` are the library's interface (`digest.build`); `Work` is what
a build does once it knows its pages; `CachedParse`, `LastBuild` and `LinkRecord` are what
the cache keeps (`digest/incremental/`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from digest.model import Article, EditionPage, FrozenMap, Page, Problem, Site, SiteConfig, TermPage

# `ArticleLinks` with articles named by path and terms by (slug, name): what a build remembers
# of an article's place, as plain tuples, which pickle many times faster than dataclasses:
# (people, topics, related paths, previous path, next path, the article's page in every language:
# (language, URL) pairs, its `Page.alternates`, its source, and the edition it appeared in: (number, title, URL,
# ISO date), or None).
LinkRecord = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[str, ...], str | None, str | None,
                   tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[int, str, str, str] | None]



@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """What a caller asks of one build."""

    output_dir: str | None = None  # default: SITE/output
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    strict: bool = False
    clean: bool = False
    now: datetime.datetime | None = None  # what "the future" is measured from
    jobs: int | None = None  # worker processes; default: the machine's cores
    index_search: bool = True  # make the search index now (the preview makes it in the background)
    in_place: bool = False  # change the output file by file, not through its twin (digest/write/twin.py)
    warm: bool = False  # keep the linked site in memory for the next build of this process (incremental/warm.py)
    # with `warm`: the site paths changed since this process's last build of the site, as a watcher saw them
    # (the preview); when each is a source that was there and still is, the site's folders are not walked again
    changed: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildResult:
    """What a build did, for the caller to report."""

    articles: int
    people: int
    topics: int
    pages: int  # files the site has, pages and feeds (not static files)
    rendered: int  # pages rendered this time (the others had not changed)
    written: int
    unchanged: int
    removed: int
    seconds: float
    warnings: tuple[Problem, ...]
    timings: Mapping[str, float]
    output_dir: str
    config: SiteConfig  # the settings the build used (its base path, whether it has search)
    route: str = ""  # what it did again, and why: "bodies only: only Markdown sources changed, ..."
    changed: tuple[str, ...] = ()  # output paths written or removed, sorted
    # output path -> the file it was made from (articles, term pages); empty when the build did not link the site
    sources: Mapping[str, str] = field(default_factory=lambda: FrozenMap[str]())
    # on a site with `languages`, each article and the languages it is written in (newest first); empty when
    # the build did not link the site
    translations: tuple[TranslatedArticle, ...] = ()
    # the published articles, when the build linked the site (for `digest check --external`)
    published: tuple[Article, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslatedArticle:
    """An article of a site with `languages`, in every language it is written in (`digest check --translations`)."""

    key: str  # what its versions share: the path of its file without the language's mark, or `translation_key:`
    title: str  # its title in the first of the site's languages it has
    date: datetime.datetime
    versions: tuple[tuple[str, str], ...]  # (language, source file) of each version, in the order of the languages

    def lacks(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        """The languages of `languages` it has no version in."""
        have = {language for language, _ in self.versions}
        return tuple(language for language in languages if language not in have)


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedParse:
    """A source file's parse result as the cache keeps it, with what identifies the file."""

    mtime_ns: int
    size: int
    content_hash: str
    signature: str = ""  # of what the file places in the site; a file whose signature stays can be re-rendered alone
    value: tuple[Article | TermPage | EditionPage | None, tuple[Problem, ...]]  # an article's body_html is kept apart
    body_html: str | None  # None: in the cache already (a file that only got a new time), or in `Work.bodies`


@dataclass(frozen=True, slots=True, kw_only=True)
class LastBuild:
    """What a good build leaves in the cache for the next one: the output it wrote, and from what.

    `digest/incremental/state.py` decides from it what the next build may skip.
    """

    output: str  # the output folder, resolved
    build: str | None  # the build id its marker file carries (digest/write/output.py)
    produced: tuple[str, ...]  # every file it wrote there, sorted
    inputs: str | None  # a hash of every input; None when one was modified too recently to tell
    others: str | None  # a hash of every input but the Markdown sources (settings, templates, static files)
    names: str  # a hash of the sources' names: which files the site has
    next_release: datetime.datetime | None  # the date of the first article left out as future
    counts: tuple[int, int, int, int]  # articles, people, topics, pages
    files: int  # output files it wrote or found unchanged
    warnings: tuple[Problem, ...]  # the site's
    search_warnings: tuple[Problem, ...]  # why its search index was not made, if it was not
    feeds: tuple[tuple[str, tuple[str, ...]], ...]  # (language, the paths of the articles in its feed)


@dataclass(frozen=True, slots=True, kw_only=True)
class Work:
    """What a build renders, keeps and copies, once it knows its pages; and what it then tells the cache.

    Made by the full build (`digest/build.py`) or by the body-only shortcut (`digest/incremental/bodies.py`).
    """

    sites: tuple[Site, ...]  # what the rendered pages show: the site, or each language's
    render: tuple[Page, ...]  # the pages to render, without the bodies they show
    filled: Callable[[Page], Page]  # a page to render with the bodies it shows (`sources.with_bodies`)
    keep: tuple[str, ...]  # output paths whose files stay as they are
    copies: tuple[tuple[str, str], ...]  # (output path, source file) of the files copied as they are
    previous: tuple[str, ...] | None  # the files the last build wrote there, if known: those not made now go
    problems: tuple[Problem, ...]  # the site's warnings (an error stops a build before it has work)
    counts: tuple[int, int, int, int]  # articles, people, topics, pages
    feeds: tuple[tuple[str, tuple[str, ...]], ...]  # (language, the paths of the articles in its feed)
    next_release: datetime.datetime | None  # the date of the first article left out as future
    sources: Mapping[str, str]  # output path -> the file it was made from (articles, term pages)
    parsed: Mapping[str, CachedParse]  # for the cache: the parse results new this time
    bodies: Mapping[str, str]  # and the bodies of those whose entries carry none (`CachedParse.body_html`)
    removed_sources: tuple[str, ...]  # sources the cache knows that the site no longer has
    fingerprints: Mapping[str, str]  # page fingerprints new this time, by output path
    removed_pages: tuple[str, ...]  # pages the cache knows that the site no longer has
    linked: bool  # the whole site was linked: the cache takes what every article links to from `sites`
    # what the cache held of what each article links to, as the build read it (`sources.links_kept`): with `linked`,
    # the cache is given only the records that differ from it
    held_links: Mapping[str, LinkRecord] | None = None
    relinked: Mapping[str, LinkRecord] = field(default_factory=dict)  # of some articles, when only they were
    # what the build does while worker processes render its pages (the fingerprints of a first build)
    meanwhile: Callable[[], object] | None = None
