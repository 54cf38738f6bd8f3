"""Fingerprints of pages: a hash of everything a page shows, so a rebuild renders only what changed.

A page's fingerprint covers its kind, its template set, the site's settings and every
value it shows, walked down to the articles and terms. An article stands for every field
of it but its body, table of contents and word count (which only the pages of
`plan.pages.shown_in_full` show, and whose fingerprints add them), plus the people and
topics it links to by name; a term for its page, its name, role, counts, dates, mentions
per month and related terms. A page's words (`render/wording.py`) are made of these too.
Two builds that would render a page differently therefore give it different fingerprints;
that is what the incremental-equals-clean tests check.
"""

from __future__ import annotations

import datetime
import hashlib
import operator
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.model import LINK_LINES, Article, ArticleLinks, Page, Paginator, Period, Site, Term, TermRef
from digest.plan.pages import shown_in_full
from digest.render.charts import count_months

_PATH = operator.attrgetter("path")


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# What an article's signature leaves out: what only its own page shows (body, contents, word count), what follows
# from its body's links (its stories), and the lines of its links in the file, which no page shows
_UNSIGNED = frozenset({"body_html", "toc_text", "words", "meta", "content_hash", "story_text", *LINK_LINES})


def article_signature(article: Article) -> str:
    """Every field of an article but what only its own page shows (body, contents, word count) and where in its
    file its links stand (their addresses count).

    Two versions of a file with the same signature place the article identically in the site:
    same URL, date, people, topics and card.
    """
    shown = [f"{f.name}={getattr(article, f.name)!r}" for f in fields(article) if f.name not in _UNSIGNED]
    return _hash("|".join([*shown, repr(article.link_addresses()), repr(sorted(article.meta.items(), key=str))]))


class Fingerprints:
    """Computes page fingerprints for one site, remembering the signature of each article and term."""

    def __init__(self, site: Site, salt: str, record: bool = False,
                 signatures: Mapping[str, str] | None = None) -> None:
        self.site = site
        self.salt = salt  # settings, template sources, digest version: anything every page depends on
        self.signatures = signatures or {}  # `article_signature` of the articles, where known already (by path)
        # with `record`, `seen` is the paths of the articles the last page's fingerprint covered
        self.record = record
        self.seen: set[str] = set()
        self._articles: dict[str, str] = {}
        self._terms: dict[tuple[str, str], str] = {}
        self._months: dict[str, tuple[int, int]] = {}  # each article's month in the site's timezone, by path
        self._months_whole = False  # `_months` holds every article of the site
        self.zone = ZoneInfo(site.config.timezone)

    def again(self, site: Site, changed: Iterable[str], terms: Iterable[tuple[str, str]] = ()) -> Fingerprints:
        """Fingerprints for `site`, a version of this one's site in which only the articles `changed` and the terms
        `terms` ((taxonomy, slug)) differ: what is known of the other articles and terms still holds."""
        other = Fingerprints(site, self.salt, record=self.record)
        other._articles, other._months = dict(self._articles), dict(self._months)
        for path in changed:
            other._articles.pop(path, None)
            other._months.pop(path, None)
        other._terms = self._terms
        gone = [key for key in terms if key in self._terms]
        if gone:
            other._terms = dict(self._terms)
            for key in gone:
                del other._terms[key]
        return other

    def page(self, page: Page) -> str:
        """The fingerprint of one page."""
        if self.record:
            self.seen = set()
        if page.template is None:
            return _hash(f"{self.salt}|{page.url}|bytes|") + _hash((page.body or b"").decode("utf-8", "replace"))
        parts = [self.salt, page.url, page.kind, page.template, page.language, repr(page.alternates)]
        for key in sorted(page.context):
            parts.append(f"{key}={self._value(page.context[key])}")
        # what only these pages show of an article (body, contents, reading time) follows from its
        # file's bytes, and the settings, which every fingerprint covers
        in_full = shown_in_full(page)
        parts.extend(article.content_hash for article in in_full)
        if self.record:
            self.seen.update(article.path for article in in_full)
        return _hash("\x1f".join(parts))

    def article(self, article: Article) -> str:
        """An article as cards and lists show it: every field but the body, and the names of its terms."""
        if self.record:
            self.seen.add(article.path)
        return self.shown(article)

    def card(self, article: Article) -> str:
        """The key of an article's card (`render.renderer.CardShelf`): the settings and templates, and the article as
        `article` gives it, which does not count it among what the page being fingerprinted covers."""
        return f"{self.salt}|{self.shown(article)}"

    def shown(self, article: Article) -> str:
        """`article`'s hash, made once."""
        known = self._articles.get(article.path)
        if known is None:
            links = self.site.links.get(article.path)
            refs = "" if links is None else self._refs((*links.people, *links.topics, *links.sources))
            signature = self.signatures.get(article.path) or article_signature(article)
            known = _hash(f"{signature}|{refs}")
            self._articles[article.path] = known
        return known

    def term(self, term: Term) -> str:
        """A term as its page, the indexes and the sidebars show it."""
        key = (term.taxonomy, term.slug)
        known = self._terms.get(key)
        if known is None:
            newest = term.articles[0].date.isoformat() if term.articles else ""
            oldest = term.articles[-1].date.isoformat() if term.articles else ""
            related = ",".join(f"{r.taxonomy}/{r.slug}={r.name}:{n}" for r, n in term.related)
            months = repr(count_months(self._months_of(term.articles)))  # its chart
            known = _hash("|".join([
                term.taxonomy, term.slug, term.name, repr(term.aliases), repr(term.role), repr(term.image),
                repr(term.image_alt), _hash(term.body_html or ""), repr(sorted(term.meta.items(), key=str)),
                str(term.count), newest, oldest, related, months, repr(term.address)]))
            self._terms[key] = known
        return known

    def _months_of(self, articles: tuple[Article, ...]) -> Iterator[tuple[int, int]]:
        """The year and month of each article in the site's timezone, for the chart of a term: found once for each
        article of the site (its terms name them 40,000 times at 10,000 articles)."""
        months = self._months
        found = articles
        if not self._months_whole:
            self._months_whole = True
            found = (*self.site.articles, *articles)
        for article in [article for article in found if article.path not in months]:
            local = article.date.astimezone(self.zone)
            months[article.path] = (local.year, local.month)
        return map(months.__getitem__, map(_PATH, articles))

    def _value(self, value: object) -> str:
        if isinstance(value, Article):
            return "A" + self.article(value)
        kind = type(value)  # (the kinds most other values are, by identity: what the checks below make of them)
        if kind is str or kind is int or value is None:
            return repr(value)
        if isinstance(value, Term):
            return "T" + self.term(value)
        if isinstance(value, (str, int, float, bool)) or value is None:
            return repr(value)
        if isinstance(value, Paginator):
            # its URLs follow from the first one and the count: no need to hash them all on every page
            return (f"P{value.number}/{value.count}/{value.total}/{value.urls[0]}["
                    + ",".join(self._value(item) for item in value.items) + "]")
        if isinstance(value, ArticleLinks):
            near = ",".join(self.article(a) if a is not None else "-" for a in (value.previous, value.next))
            return (f"L{self._refs(value.people)}|{self._refs(value.topics)}|{self._refs(value.sources)}|"
                    + ",".join(self.article(a) for a in value.related) + "|" + near + "|" + self._value(value.edition))
        if isinstance(value, Period):
            return f"M{value.year}/{value.month}[" + ",".join(self.article(a) for a in value.articles) + "]"
        if isinstance(value, TermRef):
            return f"R{value.root}{value.taxonomy}/{value.slug}={value.name}"
        if isinstance(value, (datetime.datetime, datetime.date)):
            return value.isoformat()
        if isinstance(value, (tuple, list)):
            return "[" + ",".join(self._value(item) for item in value) + "]"
        if isinstance(value, Mapping):
            return "{" + ",".join(f"{k}:{self._value(value[k])}" for k in sorted(value, key=str)) + "}"
        if is_dataclass(value) and not isinstance(value, type):
            return type(value).__name__ + "(" + ",".join(
                f"{f.name}={self._value(getattr(value, f.name))}" for f in fields(value)) + ")"
        raise TypeError(f"no fingerprint for a {type(value).__name__} in a page's context")

    @staticmethod
    def _refs(refs: tuple[TermRef, ...]) -> str:
        return ",".join(f"{r.taxonomy}/{r.slug}={r.name}" for r in refs)


def pages_to_render(pages: list[Page], fingerprint: Callable[[Page], str], previous: Mapping[str, str],
                    output_dir: Path, clean: bool) -> tuple[list[Page], list[str], dict[str, str]]:
    """The pages whose file must be made again, the output paths of those whose file stays, and every fingerprint.

    `previous`: the fingerprints of the files the output holds (empty when they are not known).
    A page is kept when its fingerprint is the one its file was made with, and the file is there.
    """
    current = {page.output_path: fingerprint(page) for page in pages}
    todo: list[Page] = []
    kept: list[str] = []
    folder = f"{output_dir}{os.sep}"  # (a `stat` of each file of the site: without a `Path` each, half the time)
    for page in pages:
        path = page.output_path
        if not clean and previous.get(path) == current[path] and os.path.isfile(folder + path):
            kept.append(path)
        else:
            todo.append(page)
    return todo, kept, current


class LaterFingerprints(Mapping[str, str]):
    """The fingerprints of `pages`, by output path, but those that are `stored` already, for pages that are all
    rendered whatever their fingerprints (a first or clean build): made by `compute`, which the build calls while
    the workers render (`Work.meanwhile`), or when first asked. At 10,000 articles they took 0.5 s of one core
    before rendering began, with the other core idle."""

    def __init__(self, pages: list[Page], fingerprint: Callable[[Page], str], stored: Mapping[str, str],
                 keep_all: bool = False) -> None:
        self._pages, self._fingerprint, self._stored = pages, fingerprint, stored
        self._made: dict[str, str] | None = None
        self.every: dict[str, str] | None = {} if keep_all else None  # with `keep_all`: every page's, once made

    def compute(self) -> dict[str, str]:
        """Make the fingerprints, once."""
        if self._made is None:
            fingerprints: Iterable[tuple[str, str]] = ((page.output_path, self._fingerprint(page))
                                                       for page in self._pages)
            if self.every is not None:
                self.every.update(fingerprints)
                fingerprints = self.every.items()
            self._made = {path: fp for path, fp in fingerprints if self._stored.get(path) != fp}
        return self._made

    def __getitem__(self, path: str) -> str:
        return self.compute()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.compute())

    def __len__(self) -> int:
        return len(self.compute())
