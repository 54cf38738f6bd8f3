"""`digest import`: a story found elsewhere → a new article of the site, with the names it mentions.

`prepare_import` reads the source (a URL, an HTML or text file, or standard input), finds
the people, topics and source the site already knows in it, dates it and places it
(`content/YYYY/MM/SLUG.md`, after the folders of the site's permalink pattern), and returns
a `Draft` holding the file's text and what was found; nothing is written. `write_draft`
writes it, never over an existing file. The site is read as a build reads it (settings,
then every source parsed), but not built.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import json
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from digest.commands.extract import (DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Extracted, FetchError, drop_rules,
                                     extract_html, extract_text, fetch, looks_like_html)
from digest.commands.mentions import (SOURCES, Mention, Registry, build_registry, find_mentions, find_source, fold,
                                      known_source, new_names, source_by_domain)
from digest.incremental.sources import parse_site
from digest.model import TAXONOMIES, Article, DigestError, FrozenMap, Problem, SiteConfig, UsageError
from digest.read.config import load_config
from digest.read.discover import CONTENT_DIR
from digest.read.names import slugify
from digest.read.urls import canonical_url
from digest.workers import default_jobs

MAX_SLUG = 80  # characters of a slug made from a headline: enough to tell stories apart
SAME_TITLE = 0.9  # difflib's ratio of two titles' slugs at which they are the same story
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


@dataclass(frozen=True, slots=True, kw_only=True)
class GivenNames:
    """Names the curator gives for a taxonomy (`--people`): they replace the suggestions, or join them."""

    names: tuple[str, ...]
    add: bool = False  # `--people "+A, B"`: added to the suggestions


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOptions:
    """What the curator asked of an import, besides its source."""

    date: datetime.date | None = None  # used when the page gives none
    title: str | None = None  # instead of the one found
    source: str | None = None  # instead of the one found
    names: Mapping[str, GivenNames] = field(default_factory=lambda: FrozenMap[GivenNames]())  # by taxonomy
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    today: datetime.date | None = None  # the day it is in the site's timezone; None: now


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """A name written into the draft, or suggested: how often the story mentions it, and whether it is new."""

    name: str
    mentions: int
    new: bool  # the site has no term page or article naming it


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A new article, ready to be written: its file's text and what it was made of."""

    path: str  # "content/2015/11/putin-netanyahu-hail.md"
    text: str  # the whole file
    title: str
    date: datetime.date
    date_from: Literal["page", "option", "today"]
    source: str | None
    source_from: str  # how it was found: "the page's site name", "cited in the text"...
    source_url: str | None
    terms: Mapping[str, tuple[Name, ...]]  # taxonomy -> the names written, most mentioned first
    new_names: tuple[Name, ...]  # names the site does not know, seen in the story; not written unless asked
    paragraphs: tuple[str, ...]  # the body
    dropped: tuple[str, ...]  # lines left out as boilerplate
    exists: bool  # a file is already at `path`
    warnings: tuple[Problem, ...]  # articles of the site that look like the same story


def prepare_import(site_dir: Path, source: str, options: ImportOptions = ImportOptions(),
                   stdin: bytes | None = None) -> Draft:
    """The draft article for `source` (a URL, a file, or "-" for `stdin`); writes nothing.

    Raises `FetchError` when the source cannot be read, `UsageError` for a wrong site or source,
    `DigestError` for problems in the site's settings.
    """
    if not (site_dir / CONTENT_DIR).is_dir():
        raise UsageError(f"{site_dir} has no content/ folder; give the site's folder first: "
                         "`digest import SITE SOURCE`")
    config, problems = load_config(site_dir)
    if any(p.severity == "error" for p in problems):
        raise DigestError(problems)
    story = read_story(source, config, options, stdin)
    title = options.title or story.title
    if not title:
        raise UsageError(f"{source}: found no headline in it; give one with --title")
    parsed = parse_site(site_dir, config, default_jobs())  # files with errors left out
    articles, pages = parsed.articles, parsed.term_pages
    registry = build_registry(articles, pages)
    words = fold(title) + ("",) + tuple(w for p in story.paragraphs for w in (*fold(p), ""))
    terms: dict[str, tuple[Name, ...]] = {taxonomy: _chosen(find_mentions(words, registry.names.get(taxonomy, {})), registry, taxonomy,
                               options.names.get(taxonomy))
             for taxonomy in TAXONOMIES if taxonomy in Article.__dataclass_fields__}
    written = {name.name for names in terms.values() for name in names}
    fresh = tuple(Name(name=m.name, mentions=m.count, new=True) for m in new_names(story.paragraphs, registry)
                  if m.name not in written)
    source_name, source_from = _source(story, words, registry, options)
    source_url = story.canonical_url or story.url
    date, date_from = _date(story, config, options)
    slug = _slug(title)
    path = f"{CONTENT_DIR}/{article_folder(config.article_url, date)}{slug}.md"
    draft = Draft(path=path, text="", title=title, date=date, date_from=date_from, source=source_name,
                  source_from=source_from, source_url=source_url, terms=terms, new_names=fresh,
                  paragraphs=story.paragraphs, dropped=story.dropped, exists=(site_dir / path).exists(),
                  warnings=tuple(same_story(title, (story.url, story.canonical_url), articles)))
    return dataclasses.replace(draft, terms=FrozenMap(terms), text=article_text(draft))


def read_story(source: str, config: SiteConfig, options: ImportOptions, stdin: bytes | None) -> Extracted:
    """The story in a URL, a file, or standard input ("-"), its boilerplate dropped."""
    rules = drop_rules(config.import_drop)
    if source.startswith(("http://", "https://")):
        page = fetch(source, timeout=options.timeout, max_bytes=options.max_bytes)
        html = page.content_type in ("text/html", "application/xhtml+xml") or (
            not page.content_type and looks_like_html(page.data))
        found = extract_html(page.data, rules, page.url) if html else extract_text(_decode(page.data, source), rules)
        return found if html else dataclasses.replace(found, url=page.url)
    if "://" in source:
        raise UsageError(f"{source}: only http:// and https:// addresses can be fetched")
    if source == "-":
        data, name, suffix = stdin or b"", "standard input", ""
    else:
        path = Path(source)
        if not path.is_file():
            raise UsageError(f"{source}: no such file" + (" (it is a folder)" if path.is_dir() else ""))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{source}: cannot be read ({exc.strerror or exc})") from None
        name, suffix = source, path.suffix.lower()
    if suffix in HTML_SUFFIXES or looks_like_html(data):
        return extract_html(data, rules)
    return extract_text(_decode(data, name), rules)


def _decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (a byte-order mark aside), else Windows-1252, which decodes anything a page writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:
            raise FetchError(f"{name}: is not text (a binary file)") from None
        return data.decode("cp1252", errors="replace")


def _chosen(found: tuple[Mention, ...], registry: Registry, taxonomy: str, given: GivenNames | None) -> tuple[Name, ...]:
    """The names written for a taxonomy: the suggestions, the curator's names instead, or both."""
    suggested = [Name(name=m.name, mentions=m.count, new=False) for m in found]
    if given is None:
        return tuple(suggested)
    counts = {m.name: m.count for m in found}
    spellings = registry.names.get(taxonomy, {})
    chosen = [Name(name=name, mentions=counts.get(spellings.get(fold(name), name), 0),
                   new=fold(name) not in spellings) for name in given.names]
    names = [*suggested, *chosen] if given.add else chosen
    unique: dict[tuple[str, ...], Name] = {}
    for name in names:
        unique.setdefault(fold(name.name), name)
    return tuple(unique.values())


def _source(story: Extracted, words: tuple[str, ...], registry: Registry,
            options: ImportOptions) -> tuple[str | None, str]:
    """The story's source, and how it was found."""
    if options.source:
        return options.source, "--source"
    by_domain = source_by_domain(story.canonical_url or story.url, registry)
    if by_domain:
        return by_domain, "the site's earlier links to the same domain"
    if story.site_name:
        return known_source(story.site_name, registry), "the page's site name"
    cited = find_source(words, registry)
    if cited:
        return cited, "cited in the text"
    return None, "not found"


def _date(story: Extracted, config: SiteConfig,
          options: ImportOptions) -> tuple[datetime.date, Literal["page", "option", "today"]]:
    """The story's date: the page's, else `--date`, else today in the site's timezone."""
    if story.date:
        return story.date, "page"
    if options.date:
        return options.date, "option"
    return options.today or datetime.datetime.now(zoneinfo.ZoneInfo(config.timezone)).date(), "today"


def _slug(title: str) -> str:
    """The file name's slug from the headline, cut at a word to at most `MAX_SLUG` characters."""
    slug = slugify(title)
    if not slug:
        raise UsageError(f'the title "{title}" has no letters or digits to make a file name from; give one with --title')
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG + 1] else slug[:MAX_SLUG]
    return slug


def article_folder(pattern: str, date: datetime.date) -> str:
    """The folders under content/ for an article of `date`: those of the permalink pattern before its slug.

    >>> article_folder("/{year}/{month}/{slug}/", datetime.date(2015, 11, 30)), article_folder("/{slug}/", None)
    ('2015/11/', '')
    """
    folders = []
    for segment in pattern.strip("/").split("/"):
        if "{slug}" in segment:
            break
        folders.append(segment.format(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}"))
    return "".join(f"{folder}/" for folder in folders if folder)


def same_story(title: str, urls: tuple[str | None, ...], articles: list[Article]) -> list[Problem]:
    """Warnings naming the site's articles with the same source URL, or a title almost the same."""
    wanted = {canonical_url(url) for url in urls if url} - {None}
    slug = slugify(title)
    found: list[Problem] = []
    for article in sorted(articles, key=lambda a: a.path):
        if article.source_url and canonical_url(article.source_url) in wanted:
            found.append(Problem(path=article.path, line=None, severity="warning",
                                 message=f"already links to this story ({article.source_url})",
                                 hint="Import it only if it is not the same story."))
            continue
        matcher = difflib.SequenceMatcher(None, slug, slugify(article.title))
        if matcher.real_quick_ratio() >= SAME_TITLE and matcher.quick_ratio() >= SAME_TITLE and (
                ratio := matcher.ratio()) >= SAME_TITLE:
            found.append(Problem(path=article.path, line=None, severity="warning",
                                 message=f'has a title {ratio:.0%} the same: "{article.title}"',
                                 hint="Import it only if it is not the same story."))
    return found


def article_text(draft: Draft) -> str:
    """The file of a draft: front matter, then the body."""
    lines = ["---", f"title: {_yaml_text(draft.title)}", f"date: {draft.date.isoformat()}"]
    if draft.source:
        lines.append(f"source: {_yaml_text(draft.source)}")
    if draft.source_url:
        lines.append(f"source_url: {_yaml_text(draft.source_url)}")
    for taxonomy, names in draft.terms.items():
        if names and taxonomy != SOURCES:
            lines += [f"{taxonomy}:", *(f"  - {_yaml_text(name.name)}" for name in names)]
    lines += ["---", "", "\n\n".join(draft.paragraphs), ""]
    return "\n".join(lines)


def _yaml_text(value: str) -> str:
    """A YAML scalar that reads back as exactly `value`: as it is when YAML reads it so, else in double quotes."""
    try:
        plain = yaml.safe_load(f"key: {value}") == {"key": value} and "\n" not in value
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def write_draft(site_dir: Path, draft: Draft) -> Path:
    """Write the draft's file, never over an existing one; its path."""
    path = site_dir / draft.path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(draft.text)
    except FileExistsError:
        raise UsageError(f"{draft.path} already exists; nothing was written (give another --title, or remove "
                         "the file)") from None
    return path


def preview(draft: Draft, paragraphs: int = 3, width: int = 240) -> tuple[str, ...]:
    """The lines that show a draft before it is written: its front matter, the start of its body, and what
    was found (mentions, names new to the site marked "(new)", the source, the date, the lines dropped)."""
    front, _, _ = draft.text.partition("\n---\n")
    lines = [draft.path, front + "\n---", ""]
    for paragraph in draft.paragraphs[:paragraphs]:
        flat = " ".join(paragraph.split())
        lines += [flat if len(flat) <= width else flat[:width].rsplit(" ", 1)[0] + " …", ""]
    if len(draft.paragraphs) > paragraphs:
        rest = len(draft.paragraphs) - paragraphs
        lines += [f"[… {rest} more paragraph{'s' if rest != 1 else ''}]", ""]
    for taxonomy, names in draft.terms.items():
        shown = ", ".join(_mentioned(name) for name in names) or "none found"
        lines.append(f"{taxonomy + ':':9}{shown}")
        if taxonomy == "people" and draft.new_names:
            listed = ", ".join(_mentioned(name) for name in draft.new_names)
            first = draft.new_names[0].name
            lines.append(f"{'':9}not added: {listed}; add with --people \"+{first}\"")
    lines.append(f"{'source:':9}{draft.source or 'none found'} ({draft.source_from})")
    said = {"page": "from the page", "option": "from --date", "today": "today; the page gives none"}
    lines.append(f"{'date:':9}{draft.date.isoformat()} ({said[draft.date_from]})")
    if draft.dropped:
        lines.append(f"{'dropped:':9}" + ", ".join(json.dumps(line, ensure_ascii=False) for line in draft.dropped))
    return tuple(lines)


def _mentioned(name: Name) -> str:
    """A name with its mentions, and "(new)" when the site does not know it."""
    count = f"{name.mentions} mention{'s' if name.mentions != 1 else ''}" if name.mentions else "not in the text"
    return f"{name.name} ({'new, ' if name.new else ''}{count})"
