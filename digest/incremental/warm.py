"""The warm site: a rebuild, in a process that built the site before, that does not link the site again.

A process that builds one site again and again (the preview of `digest serve` asks for it with
`BuildOptions.warm`) keeps what its last build linked and planned: the sites, every page, what
each page's fingerprint covered, and the problems of each stage. An edit that changes an article
but not its place in the site (its date, URL, people, topics, source, language, aliases, links
and image stay; its title, summary, body or any other front matter change) leaves every page where
it was and every other article as it was. The next build then takes the pages that show that
article, puts the new article in its place there and in the sites, and fingerprints and renders
those pages alone: no linking, no planning, no fingerprint of the other twenty thousand pages.

What a clean build would make is what this makes: a page's fingerprint covers everything it
shows, so a page whose fingerprint did not cover the edited article does not show it. An edit of
whom and what articles name, or of when one was written, is `incremental/relinked.py`'s, on the
same warm site.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from digest.incremental.bodies import Edit, over_last_build
from digest.incremental.fingerprint import Fingerprints
from digest.incremental.sources import ParsedSources
from digest.link.relink import relinkable
from digest.link.terms import Names
from digest.model import (Article, ArticleLinks, EditionPage, EditionRef, FrozenMap, Page, PageKind, Problem, Site, SiteConfig,
                          Taxonomy, Term, TermPage, TermRef, TocEntry, sort_problems)
from digest.plan.pages import SitemapLines
from digest.records import BuildOptions, CachedParse, LastBuild, Work
from digest.render.renderer import CardShelf

# What an edit may change of an article and still leave it where it was: what its pages and cards show.
SHOWN_ONLY = frozenset({"title", "summary", "body_html", "toc_text", "words", "meta", "image_alt", "content_hash",
                        "source"})
PLACING = tuple(f.name for f in fields(Article) if f.name not in SHOWN_ONLY)  # and what places it

# Values that hold no article: the walk that puts new articles in place does not look inside them.
_LEAVES = frozenset({str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime, SiteConfig, TermRef,
                     EditionRef, TocEntry, PageKind})
_FIELDS: dict[type, tuple[str, ...]] = {}  # `_holding`'s answers


@dataclass(frozen=True, slots=True, kw_only=True)
class Warm:
    """What a build linked and planned, kept for the next build of the same output in this process."""

    build: str | None  # the id of the build it describes, from the output's marker
    salt: str  # every fingerprint's (`inputs.template_salt`)
    config: SiteConfig
    options: BuildOptions  # with `now` and `changed` left out: the route taken tells whether a moment passed
    sites: tuple[Site, ...]
    pages: tuple[Page, ...]  # in the order of the plan
    where: Mapping[str, int]  # output path -> the index of its page
    showing: Mapping[str, tuple[str, ...]]  # article path -> the output paths of the pages whose fingerprints cover it
    covers: Mapping[str, frozenset[str]]  # output path -> the articles its page's fingerprint covers
    fingerprints: Mapping[str, str]  # output path -> fingerprint, of every page
    printers: Mapping[str, Fingerprints]  # what made them, by language: what they know of articles and terms
    placed: Mapping[str, Article]  # every parsed article by path, as `sites` and `pages` hold it
    articles: Mapping[str, Article]  # every parsed article as it is now (a body edit changes it, not `placed`)
    found: Mapping[str, tuple[Problem, ...]]  # each source's problems of parsing, by path
    later: tuple[Problem, ...]  # the problems of linking and planning
    sources: Mapping[str, str]  # output path -> the file it was made from (`Work.sources`)
    term_pages: tuple[TermPage, ...]
    edition_pages: tuple[EditionPage, ...]
    copies: frozenset[str]  # the output paths of the files copied as they are
    names: Mapping[Taxonomy, Names] | None = None  # how names resolve, once a relink needed it (`link/relink.py`)
    sitemap_lines: SitemapLines = dataclasses.field(default_factory=dict)  # each page's, for the next sitemap
    cards: Mapping[str, CardShelf] = dataclasses.field(default_factory=dict)  # the articles' cards, by language
    # output paths whose files may not be what `pages` make (a warm site read from the cache, `snapshot.py`): their
    # pages are fingerprinted again, and the files the site no longer has are removed
    stale: frozenset[str] = frozenset()


_KEPT: dict[str, Warm] = {}  # by output folder, resolved


def kept(output_dir: Path, config: SiteConfig, options: BuildOptions, salt: str,
         last: LastBuild | None) -> Warm | None:
    """The warm site of the last build of `output_dir` in this process, if it is the build `last` describes
    and was made with the same settings, options and templates."""
    warm = _KEPT.get(str(output_dir.resolve()))
    if (warm is None or last is None or warm.build != last.build or warm.salt != salt or warm.config != config
            or warm.options != dataclasses.replace(options, now=None, changed=None)):
        return None
    return warm


def keep(output_dir: Path, warm: Warm | None, build: str | None) -> None:
    """Remember `warm` as what the build `build` of `output_dir` linked and planned (None: forget it)."""
    key = str(output_dir.resolve())
    if warm is None:
        _KEPT.pop(key, None)
    else:
        _KEPT[key] = dataclasses.replace(warm, build=build)


def made(work: Work, pages: Sequence[Page], covered: Sequence[set[str]], current: Mapping[str, str],
         printers: Mapping[str, Fingerprints], parsed: ParsedSources, later: Iterable[Problem], salt: str,
         config: SiteConfig, options: BuildOptions, copies: Iterable[str], sitemap_lines: SitemapLines,
         cards: Mapping[str, CardShelf]) -> Warm:
    """The warm site of a full build: its pages, the articles each page's fingerprint `covered`, and the rest."""
    showing: dict[str, list[str]] = defaultdict(list)
    for page, paths in zip(pages, covered):
        for path in paths:
            showing[path].append(page.output_path)
    found: dict[str, list[Problem]] = defaultdict(list)
    for problem in parsed.problems:
        found[problem.path or ""].append(problem)
    by_path = FrozenMap({article.path: article for article in parsed.articles})
    return Warm(build=None, salt=salt, config=config, options=dataclasses.replace(options, now=None, changed=None),
                sites=work.sites, pages=tuple(pages), where={page.output_path: n for n, page in enumerate(pages)},
                showing=FrozenMap({path: tuple(n) for path, n in showing.items()}),
                covers={page.output_path: frozenset(paths) for page, paths in zip(pages, covered)},
                fingerprints=current, printers=printers, placed=by_path, articles=by_path,
                found=FrozenMap({path: tuple(p) for path, p in found.items()}), later=tuple(later),
                sources=work.sources, term_pages=tuple(parsed.term_pages), edition_pages=tuple(parsed.edition_pages),
                copies=frozenset(copies), sitemap_lines=sitemap_lines, cards=cards)


def after_bodies(warm: Warm, work: Work) -> Warm:
    """The warm site once the body-only shortcut has done `work`: its articles as they are now, the new
    fingerprints of the pages it rendered (the pages themselves are brought up to date when next needed)."""
    articles = dict(warm.articles)
    for path, entry in work.parsed.items():
        value = entry.value[0]
        if isinstance(value, Article):
            articles[path] = value
    return dataclasses.replace(warm, articles=FrozenMap(articles),
                               fingerprints=FrozenMap({**warm.fingerprints, **work.fingerprints}))


@dataclass(frozen=True, slots=True, kw_only=True)
class Edited:
    """The warm site's articles after some edits, and what the cache and the build learn of them."""

    articles: dict[str, Article]  # every parsed article, by path, as it is now
    found: dict[str, tuple[Problem, ...]]  # every source's problems of parsing, by path
    entries: dict[str, CachedParse]  # the edited sources' parse results
    bodies: dict[str, str]  # the bodies of the articles parsed again
    renamed: bool  # an edit changed an article's people, topics or date (`incremental/relinked.py` builds it)


def warm_edits(warm: Warm, edits: list[Edit]) -> Edited | None:
    """The articles after `edits`, when each leaves its article where it was, or changes only whom and what it
    names or when it was written (`link.relink.relinkable`); None when an edit does more (a full build follows)."""
    articles = dict(warm.articles)
    found = dict(warm.found)
    entries: dict[str, CachedParse] = {}
    bodies: dict[str, str] = {}
    renamed = False
    for edit in edits:
        path = edit.source.path
        entries[path] = edit.new
        value, problems = edit.new.value
        before = articles.get(path)
        if (not isinstance(value, Article) or before is None
                or any(p.severity == "error" for p in problems) or (problems and warm.options.strict)):
            return None
        if not same_place(before, value):
            if not relinkable(before, value, PLACING):
                return None
            renamed = True
        articles[path] = value
        bodies[path] = edit.new.body_html or ""
        if problems:
            found[path] = problems
        else:
            found.pop(path, None)
    return Edited(articles=articles, found=found, entries=entries, bodies=bodies, renamed=renamed)


def warm_work(warm: Warm, edited: Edited, last: LastBuild, output_dir: Path,
              fetch: Callable[[set[str]], dict[str, str]]) -> tuple[Work, Warm]:
    """The work of a rebuild whose edits left every article where it was, done on the warm site. `fetch`: the
    cache's bodies, by article paths."""
    articles, found = edited.articles, edited.found
    changed = [path for path, article in articles.items() if warm.placed[path] is not article]
    swaps = {id(warm.placed[path]): articles[path] for path in changed}
    memo: dict[int, Any] = {}
    sites = tuple(swapped(site, swaps, memo) for site in warm.sites)
    pages = list(warm.pages)
    moved = sorted({warm.where[out] for path in changed for out in warm.showing.get(path, ())}
                   | {warm.where[out] for out in warm.stale})
    default = warm.config.language
    printers = {site.config.language: warm.printers[site.config.language].again(site, changed) for site in sites}
    fingerprints = dict(warm.fingerprints)
    todo: list[Page] = []
    for number in moved:
        page = pages[number] = swapped(pages[number], swaps, memo)
        fingerprint = printers.get(page.language, printers[default]).page(page)
        if fingerprint != fingerprints.get(page.output_path) or not (output_dir / page.output_path).is_file():
            fingerprints[page.output_path] = fingerprint
            todo.append(page)
    listed = sort_problems([*(p for found_here in found.values() for p in found_here), *warm.later])
    work = over_last_build(last, sites, todo, {page.output_path: fingerprints[page.output_path] for page in todo},
                           edited.bodies, fetch, parsed=edited.entries, problems=tuple(listed), sources=warm.sources)
    return work, dataclasses.replace(warm, sites=sites, pages=tuple(pages), fingerprints=FrozenMap(fingerprints),
                                     printers=printers, placed=FrozenMap(articles), articles=FrozenMap(articles),
                                     found=FrozenMap(found), stale=frozenset())


def same_place(before: Article, after: Article) -> bool:
    """Whether two versions of an article stand in the same place in the site: all but what it shows is equal."""
    return all(getattr(before, name) == getattr(after, name) for name in PLACING)


def swapped(value: Any, swaps: Mapping[int, Article], memo: dict[int, Any]) -> Any:
    """`value` with every article of `swaps` (by the id of the one it replaces) in its place; parts that hold none
    of them are the same objects as before. A site holds some 100,000 values for 10,000 articles: lists of
    articles are looked through in C, and of a dataclass only the fields whose types may hold an article."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is Article:
        return swaps.get(id(value), value)
    if (kind is ArticleLinks and id(value.previous) not in swaps and id(value.next) not in swaps
            and swaps.keys().isdisjoint(map(id, value.related))):
        return value  # every article's links are looked at: this is most of the walk, in one call each
    if (kind is Term and not value.meta and swaps.keys().isdisjoint(map(id, value.articles))
            and _holding(Term) == _TERM_HOLDING):
        return value  # (every term: the next most)
    key = id(value)
    if key in memo:
        return memo[key]
    result = value
    if kind is tuple:
        kinds = set(map(type, value))
        if kinds == {Article}:
            if not swaps.keys().isdisjoint(map(id, value)):
                result = tuple(swaps.get(id(item), item) for item in value)
        elif not kinds <= _LEAVES:
            items = tuple(swapped(item, swaps, memo) for item in value)
            if any(a is not b for a, b in zip(items, value)):
                result = items
    elif kind is FrozenMap or kind is dict:
        ids, changed = swaps.keys(), {}
        for name, old in value.items():
            if (type(old) is ArticleLinks and id(old.previous) not in swaps and id(old.next) not in swaps
                    and ids.isdisjoint(map(id, old.related))):
                continue  # (the site's links: as above, without a call for each)
            new = swapped(old, swaps, memo)
            if new is not old:
                changed[name] = new
        if changed:
            result = kind({**value, **changed})
    elif kind is list:
        listed = [swapped(item, swaps, memo) for item in value]
        if any(a is not b for a, b in zip(listed, value)):
            result = listed
    elif is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _holding(kind):
            old = getattr(value, name)
            new = swapped(old, swaps, memo)
            if new is not old:
                changes[name] = new
        if changes:
            result = dataclasses.replace(value, **changes)
    memo[key] = result
    return result


_TERM_HOLDING = ("meta", "articles")  # what `_holding(Term)` finds, which `swapped` looks into at once


def _holding(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass whose declared types may hold an article."""
    names = _FIELDS.get(kind)
    if names is None:
        hints = typing.get_type_hints(kind)
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind) if _may_hold(hints[f.name], set()))
    return names


def _may_hold(hint: Any, seen: set[type]) -> bool:
    """Whether a value of this declared type may be or hold an article (when unsure: yes)."""
    if hint is Article or hint is Any or hint is object or isinstance(hint, typing.TypeVar):
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return False
    if origin is not None:  # tuple[...], Mapping[...], X | None
        return any(_may_hold(arg, seen) for arg in typing.get_args(hint) if arg is not Ellipsis)
    if not isinstance(hint, type):
        return True
    if is_dataclass(hint):
        if hint in seen:
            return False
        seen.add(hint)
        return any(_may_hold(field_hint, seen) for field_hint in typing.get_type_hints(hint).values())
    return not issubclass(hint, (str, int, float, bytes, datetime.date, enum.Enum, type(None)))
