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
shows, so a page whose fingerprint did not cover the edited article does not show it.
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
from digest.model import (Article, EditionRef, FrozenMap, Page, PageKind, Problem, Site, SiteConfig, TermRef, TocEntry,
                          sort_problems)
from digest.records import BuildOptions, CachedParse, LastBuild, Work

# What an edit may change of an article and still leave it where it was: what its pages and cards show.
SHOWN_ONLY = frozenset({"title", "summary", "body_html", "toc", "words", "meta", "image_alt", "content_hash", "source"})

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
    options: BuildOptions  # with `now` left out: the route taken tells whether a moment passed
    sites: tuple[Site, ...]
    pages: tuple[Page, ...]
    showing: Mapping[str, tuple[int, ...]]  # article path -> the indexes of the pages whose fingerprints cover it
    fingerprints: Mapping[str, str]  # output path -> fingerprint, of every page
    printers: Mapping[str, Fingerprints]  # what made them, by language: what they know of articles and terms
    placed: Mapping[str, Article]  # every parsed article by path, as `sites` and `pages` hold it
    articles: Mapping[str, Article]  # every parsed article as it is now (a body edit changes it, not `placed`)
    found: Mapping[str, tuple[Problem, ...]]  # each source's problems of parsing, by path
    later: tuple[Problem, ...]  # the problems of linking and planning
    sources: Mapping[str, str]  # output path -> the file it was made from (`Work.sources`)


_KEPT: dict[str, Warm] = {}  # by output folder, resolved


def kept(output_dir: Path, config: SiteConfig, options: BuildOptions, salt: str,
         last: LastBuild | None) -> Warm | None:
    """The warm site of the last build of `output_dir` in this process, if it is the build `last` describes
    and was made with the same settings, options and templates."""
    warm = _KEPT.get(str(output_dir.resolve()))
    if (warm is None or last is None or warm.build != last.build or warm.salt != salt or warm.config != config
            or warm.options != dataclasses.replace(options, now=None)):
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
         printers: Mapping[str, Fingerprints], articles: Iterable[Article], parse_problems: Iterable[Problem],
         later: Iterable[Problem], salt: str, config: SiteConfig, options: BuildOptions) -> Warm:
    """The warm site of a full build: its pages, the articles each page's fingerprint `covered`, and the rest."""
    showing: dict[str, list[int]] = defaultdict(list)
    for number, paths in enumerate(covered):
        for path in paths:
            showing[path].append(number)
    found: dict[str, list[Problem]] = defaultdict(list)
    for problem in parse_problems:
        found[problem.path or ""].append(problem)
    by_path = FrozenMap({article.path: article for article in articles})
    return Warm(build=None, salt=salt, config=config, options=dataclasses.replace(options, now=None), sites=work.sites,
                pages=tuple(pages), showing=FrozenMap({path: tuple(n) for path, n in showing.items()}),
                fingerprints=current, printers=printers, placed=by_path, articles=by_path,
                found=FrozenMap({path: tuple(p) for path, p in found.items()}), later=tuple(later),
                sources=work.sources)


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


def warm_work(warm: Warm, edits: list[Edit], last: LastBuild, output_dir: Path,
              fetch: Callable[[set[str]], dict[str, str]]) -> tuple[Work, Warm] | None:
    """The work of a rebuild whose edits leave every article where it was, done on the warm site; None when
    an edit does more (a full build follows). `fetch`: the cache's bodies, by article paths."""
    articles = dict(warm.articles)
    found = dict(warm.found)
    entries: dict[str, CachedParse] = {}
    bodies: dict[str, str] = {}
    for edit in edits:
        path = edit.source.path
        entries[path] = edit.new
        if not edit.reparsed:
            continue
        value, problems = edit.new.value
        before = articles.get(path)
        if (not isinstance(value, Article) or before is None or not same_place(before, value)
                or any(p.severity == "error" for p in problems) or (problems and warm.options.strict)):
            return None
        articles[path] = value
        bodies[path] = edit.new.body_html or ""
        if problems:
            found[path] = problems
        else:
            found.pop(path, None)
    changed = [path for path, article in articles.items() if warm.placed[path] is not article]
    swaps = {id(warm.placed[path]): articles[path] for path in changed}
    memo: dict[int, Any] = {}
    sites = tuple(_swapped(site, swaps, memo) for site in warm.sites)
    pages = list(warm.pages)
    moved = sorted({number for path in changed for number in warm.showing.get(path, ())})
    default = warm.config.language
    printers = {site.config.language: warm.printers[site.config.language].again(site, changed) for site in sites}
    fingerprints = dict(warm.fingerprints)
    todo: list[Page] = []
    for number in moved:
        page = pages[number] = _swapped(pages[number], swaps, memo)
        fingerprint = printers.get(page.language, printers[default]).page(page)
        if fingerprint != fingerprints.get(page.output_path) or not (output_dir / page.output_path).is_file():
            fingerprints[page.output_path] = fingerprint
            todo.append(page)
    listed = sort_problems([*(p for found_here in found.values() for p in found_here), *warm.later])
    work = over_last_build(last, sites, todo, {page.output_path: fingerprints[page.output_path] for page in todo},
                           bodies, fetch, parsed=entries, problems=tuple(listed), sources=warm.sources)
    return work, dataclasses.replace(warm, sites=sites, pages=tuple(pages), fingerprints=FrozenMap(fingerprints),
                                     printers=printers, placed=FrozenMap(articles), articles=FrozenMap(articles),
                                     found=FrozenMap(found))


def same_place(before: Article, after: Article) -> bool:
    """Whether two versions of an article stand in the same place in the site: all but what it shows is equal."""
    return all(getattr(before, f.name) == getattr(after, f.name) for f in fields(Article) if f.name not in SHOWN_ONLY)


def _swapped(value: Any, swaps: Mapping[int, Article], memo: dict[int, Any]) -> Any:
    """`value` with every article of `swaps` (by the id of the one it replaces) in its place; parts that hold none
    of them are the same objects as before. A site holds some 100,000 values for 10,000 articles: lists of
    articles are looked through in C, and of a dataclass only the fields whose types may hold an article."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is Article:
        return swaps.get(id(value), value)
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
            items = tuple(_swapped(item, swaps, memo) for item in value)
            if any(a is not b for a, b in zip(items, value)):
                result = items
    elif kind is FrozenMap or kind is dict:
        changed = {k: new for k, old in value.items() if (new := _swapped(old, swaps, memo)) is not old}
        if changed:
            result = kind({**value, **changed})
    elif kind is list:
        listed = [_swapped(item, swaps, memo) for item in value]
        if any(a is not b for a, b in zip(listed, value)):
            result = listed
    elif is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _holding(kind):
            old = getattr(value, name)
            new = _swapped(old, swaps, memo)
            if new is not old:
                changes[name] = new
        if changes:
            result = dataclasses.replace(value, **changes)
    memo[key] = result
    return result


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
