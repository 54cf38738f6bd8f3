"""Stage 3, parse: a source's bytes → an `Article` or a `TermPage`, checked against the content contract.

Each file's front matter is read field by field (`frontmatter.py`) and its body rendered
(`markdown.py`). A file's problems are returned, never raised, so that one run reports
every broken file of the site.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import quote
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from digest.model import Article, EditionPage, FrozenMap, Problem, SiteConfig, SourceFile, TermPage, packed_toc
from digest.read.dates import DateProblem, parse_date, split_date_prefix
from digest.read.discover import CONTENT_DIR
from digest.read.frontmatter import Fields, FileProblems, read_document
from digest.read.languages import language_code
from digest.read.yamlread import as_text, describe
from digest.read.markdown import render_markdown
from digest.read.names import SLUG_HINT, normalize_name, read_slug, slug_problem, slugify, too_long
from digest.read.urls import packed_links, packed_stories, registered_domain

_ARTICLE_KEYS = frozenset({"title", "date", "people", "topics", "source", "source_url", "summary",
                           "slug", "draft", "updated", "image", "image_alt", "aliases"})
_TERM_KEYS = frozenset({"name", "aliases", "role", "image", "image_alt", "names"})


def content_hash(data: bytes) -> str:
    """The hash that identifies a file's bytes (in the cache and page fingerprints)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def article_url(pattern: str, slug: str, date: Any) -> str:
    """An article's site-relative URL from the permalink pattern.

    >>> import datetime
    >>> article_url("/{year}/{month}/{slug}/", "paris", datetime.date(2015, 11, 30))
    '/2015/11/paris/'
    >>> article_url("/{slug}/", "rse-maëlle-salmon", datetime.date(2015, 11, 30))
    '/rse-ma%C3%ABlle-salmon/'
    """
    return pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
                          slug=quote(slug, safe=""))


def parse_article(source: SourceFile, data: bytes, config: SiteConfig,
                  url_for: Callable[[str], str]) -> tuple[Article | None, list[Problem]]:
    """Read one article, or the problems that stop it from being one."""
    problems = FileProblems(source.path)
    doc = read_document(source, data, problems)
    if doc is None:
        return None, problems
    fields = Fields(doc, problems)
    zone = ZoneInfo(config.timezone)
    place = _placement(source.path, fields, config)
    prefix, rest = split_date_prefix(place.stem)
    directory = posixpath.dirname(source.path)[len(CONTENT_DIR) + 1:]

    title = fields.text("title")
    if title is None and "title" not in problems_keys(problems):
        problems.add(fields.line("title") or doc.body_line - 1, "has no `title`",
                     "Add a line `title: The headline` to the front matter.")
    date = fields.date("date", zone)
    if fields.raw("date") is None:
        if prefix is not None:
            try:
                date = parse_date(prefix, zone)
            except DateProblem as exc:
                problems.add(None, f"the date in the file name is {exc}",
                             "Rename the file with a real date, or add a `date:` line to the front matter.")
        else:
            problems.add(doc.body_line - 1, "has no `date`",
                         "Add `date: 2015-11-30` to the front matter, or start the file name with the date "
                         "(`2015-11-30-title.md`).")
    written = fields.text("slug")
    slug: str | None = None
    if written is not None:
        slug, why = read_slug(written)
        if why:
            problems.add(fields.line("slug"), f'`slug` "{written}" cannot be a URL segment: it {why}', SLUG_HINT)
            slug = None
    else:
        slug = slugify(rest)
        if not slug:
            problems.add(None, "the file name has no letters or digits to make a URL from",
                         "Rename the file, or add a `slug:` line to the front matter.")
    if slug and (long := too_long(slug)):
        problems.add(fields.line("slug"), ("`slug`" if fields.raw("slug") is not None else "the file name") + long,
                     "Add a shorter `slug:` line to the front matter, such as `slug: putin-paris`.")
        slug = None
    people = fields.names("people")
    topics = fields.names("topics")
    source_name = fields.text("source")
    source_url = fields.url("source_url")
    summary = fields.text("summary")
    draft = fields.boolean("draft")
    updated = fields.date("updated", zone)
    image = fields.image(directory)
    image_alt = fields.text("image_alt")
    aliases = fields.aliases()
    rendered = render_markdown(doc.body, config.markdown, directory, url_for)
    for bad in rendered.bad_links:
        where = doc.body.find(f"]({bad}")
        line = doc.body_line + doc.body.count("\n", 0, where) if where >= 0 else None
        problems.add(line, f'the image "{bad}" points outside content/', "Keep images in the content/ folder.")
    if any(p.severity == "error" for p in problems) or title is None or date is None or not slug:
        return None, problems
    url = article_url(config.article_url, slug, date.astimezone(zone))
    links = tuple((href, doc.body_line + line) for href, line in rendered.links)
    source_url_line = fields.line("source_url") if source_url else None
    return Article(
        path=source.path, slug=slug, url=place.root[:-1] + url,
        title=title, date=date, updated=updated, people=people, topics=topics, source=source_name,
        source_url=source_url, summary=summary or rendered.first_paragraph, body_html=rendered.html,
        toc_text=packed_toc(rendered.toc), words=rendered.words, draft=draft, image=image, image_alt=image_alt,
        meta=fields.meta(_ARTICLE_KEYS | (_LANGUAGE_KEYS if config.languages else set())),
        content_hash=content_hash(data), aliases=aliases, lang=place.lang, translation_key=place.key,
        translates=place.translates, link_text=packed_links(links), source_url_line=source_url_line,
        source_term=source_name or (registered_domain(source_url) if source_url else None),
        story_text=packed_stories(source_url, links),
    ), problems


_LANGUAGE_KEYS = frozenset({"lang", "translation_key", "translationKey"})


@dataclass(frozen=True, slots=True)
class _Placement:
    """Where an article stands among the site's languages."""

    lang: str  # "" on a site without `languages`
    root: str  # the path of its language's pages: "/", "/fr/"
    key: str  # what its translations share
    translates: bool  # it says it translates another article
    stem: str  # its file name without `.md`, and without the language's mark: `post.fr.md` is `post`


def _placement(path: str, fields: Fields, config: SiteConfig) -> _Placement:
    """An article's language and translation key: from a `.LANG.md` name, else `lang:`, else a first folder
    named after a language (`content/fr/...`), else the default language. An unknown code is a problem."""
    stem = posixpath.basename(path)[:-3]
    if not config.languages:
        return _Placement(lang="", root="/", key="", translates=False, stem=stem)
    known = {language.code.lower(): language for language in config.languages}
    codes = ", ".join(language.code for language in config.languages)
    relative = path[len(CONTENT_DIR) + 1:]
    language = None
    base, dot, mark = stem.rpartition(".")
    from_name = dot and language_code(mark)
    if from_name:
        language = known.get(from_name.lower())
        if language is None:
            fields.problems.add(None, f"the file name says its language is {from_name}, which is not one of the "
                                f"site's languages ({codes})",
                                "Add it to `languages` in digest.yaml, or rename the file.")
        stem = base
        relative = relative[: len(relative) - len(mark) - 4] + ".md"
    if language is None and (written := fields.text("lang")) is not None:
        code = language_code(written)
        language = known.get(code.lower()) if code else None
        if language is None:
            fields.problems.add(fields.line("lang"), f'`lang` is "{written}", not one of the site\'s languages ({codes})',
                                "Write one of them, or add it to `languages` in digest.yaml.")
    folder, _, inside = relative.partition("/")
    if inside and folder.lower() in known:
        language = language or known[folder.lower()]
        relative = inside
    explicit = fields.text("translation_key") or fields.text("translationKey")
    language = language or config.languages[0]
    return _Placement(lang=language.code, root=language.root, key=explicit or relative,
                      translates=bool(from_name) or explicit is not None, stem=stem)


def problems_keys(problems: list[Problem]) -> set[str]:
    """The front matter keys that already have an error reported (from the message's first `key`)."""
    return {m.group(1) for p in problems if p.severity == "error" and (m := re.match(r"`(\w+)`", p.message))}


def parse_term_page(source: SourceFile, data: bytes, config: SiteConfig,
                    url_for: Callable[[str], str]) -> tuple[TermPage | None, list[Problem]]:
    """Read one term page (`content/people/SLUG.md`), or its problems."""
    problems = FileProblems(source.path)
    stem = posixpath.basename(source.path)[:-3]
    if why := slug_problem(stem):
        problems.add(None, f'a term page\'s file name is its slug, and "{stem}" cannot be one: it {why}',
                     f"Rename it to `{slugify(stem) or 'a-name'}.md`.")
        return None, problems
    doc = read_document(source, data, problems)
    if doc is None:
        return None, problems
    fields = Fields(doc, problems)
    directory = posixpath.dirname(source.path)[len(CONTENT_DIR) + 1:]
    name = fields.text("name")
    aliases = fields.names("aliases")
    role = fields.text("role")
    image = fields.image(directory)
    image_alt = fields.text("image_alt")
    names = _names(fields, config)
    url = fields.url("url") if source.kind == "sources" else None  # a source's own address
    body = doc.body.strip()
    rendered = render_markdown(body, config.markdown, directory, url_for) if body else None
    if any(p.severity == "error" for p in problems):
        return None, problems
    return TermPage(taxonomy=source.kind, path=source.path, slug=stem,  # type: ignore[arg-type]
                    name=normalize_name(name) if name else "", name_line=fields.line("name"), aliases=aliases,
                    alias_lines=tuple(fields.name_lines.get(a) for a in aliases), role=role, image=image,
                    image_alt=image_alt, body_html=rendered.html if rendered else None,
                    meta=fields.meta(_TERM_KEYS | ({"url"} if source.kind == "sources" else set())), names=names,
                    url=url), problems


def _names(fields: Fields, config: SiteConfig) -> FrozenMap[str]:
    """A term page's `names`: its name in other languages (`names: {ru: Владимир Путин}`), by language code."""
    value = fields.raw("names")
    if value is None:
        return FrozenMap()
    if not isinstance(value, dict):
        fields.problems.add(fields.line("names"), f"`names` must be a mapping of languages to names, not {describe(value)}",
                            "Write `names: {fr: Vladimir Poutine, ru: Владимир Путин}`.")
        return FrozenMap()
    known = {language.code.lower(): language.code for language in config.languages}
    names: dict[str, str] = {}
    for written, name in value.items():
        code = language_code(str(written))
        text = as_text(name)
        if code is None or known and code.lower() not in known:
            fields.problems.add(fields.line("names"), f'`names` has "{written}", not one of the site\'s languages'
                                + (f" ({', '.join(known.values())})" if known else ""),
                                "Give the names under the codes of `languages` in digest.yaml.")
        elif text is None or not text.strip():
            fields.problems.add(fields.line("names"), f"`names.{written}` is {describe(name)}, not a name",
                                "Write the name as text.")
        else:
            names[known.get(code.lower(), code)] = normalize_name(text)
    return FrozenMap(names)


_EDITION_FILE = re.compile(r"(\d{1,6})(?:\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.md")


def parse_edition_page(source: SourceFile, data: bytes, config: SiteConfig,
                       url_for: Callable[[str], str]) -> tuple[EditionPage | None, list[Problem]]:
    """Read an edition's introduction (`content/editions/NUMBER.md`, or `NUMBER.LANG.md`), or its problems."""
    problems = FileProblems(source.path)
    name = posixpath.basename(source.path)
    match = _EDITION_FILE.fullmatch(name)
    codes = {language.code.lower(): language.code for language in config.languages}
    lang = match.group(2) if match else None
    if match is None or lang is not None and lang.lower() not in codes:
        problems.add(None, f'an edition\'s introduction is named after its number, and "{name}" is not'
                     + (f" (it names the language {lang}, which is not one of `languages`)" if lang else ""),
                     "Rename it to the edition's number, such as `content/editions/12.md`"
                     + (", or `12.fr.md` for another of the site's languages." if codes else "."))
        return None, problems
    doc = read_document(source, data, problems)
    if doc is None:
        return None, problems
    fields = Fields(doc, problems)
    sections = fields.names("sections")
    body = doc.body.strip()
    directory = posixpath.dirname(source.path)[len(CONTENT_DIR) + 1:]  # "editions": where its images are
    rendered = render_markdown(body, config.markdown, directory, url_for) if body else None
    if any(p.severity == "error" for p in problems):
        return None, problems
    default = config.languages[0].code if config.languages else ""
    language = codes.get((lang or "").lower(), default)
    return EditionPage(path=source.path, number=int(match.group(1)), lang="" if language == default else language,
                       title=fields.text("title"), summary=fields.text("summary"),
                       body_html=rendered.html if rendered else None, sections=sections,
                       sections_line=fields.line("sections"), skip=fields.boolean("skip")), problems
