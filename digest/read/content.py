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
from typing import Any
from zoneinfo import ZoneInfo

from digest.model import Article, Problem, SiteConfig, SourceFile, TermPage
from digest.read.dates import DateProblem, parse_date, split_date_prefix
from digest.read.discover import CONTENT_DIR
from digest.read.frontmatter import Fields, FileProblems, read_document
from digest.read.markdown import render_markdown
from digest.read.names import SLUG_HINT, normalize_name, read_slug, slug_problem, slugify, too_long

_ARTICLE_KEYS = frozenset({"title", "date", "people", "topics", "source", "source_url", "summary",
                           "slug", "draft", "updated", "image", "image_alt", "aliases"})
_TERM_KEYS = frozenset({"name", "aliases", "role", "image", "image_alt"})


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
    stem = posixpath.basename(source.path)[:-3]
    prefix, rest = split_date_prefix(stem)
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
    return Article(
        path=source.path, slug=slug, url=article_url(config.article_url, slug, date.astimezone(zone)),
        title=title, date=date, updated=updated, people=people, topics=topics, source=source_name,
        source_url=source_url, summary=summary or rendered.first_paragraph, body_html=rendered.html,
        toc=rendered.toc, words=rendered.words, draft=draft, image=image, image_alt=image_alt,
        meta=fields.meta(_ARTICLE_KEYS), content_hash=content_hash(data), aliases=aliases,
    ), problems


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
    body = doc.body.strip()
    rendered = render_markdown(body, config.markdown, directory, url_for) if body else None
    if any(p.severity == "error" for p in problems):
        return None, problems
    return TermPage(taxonomy=source.kind, path=source.path, slug=stem,  # type: ignore[arg-type]
                    name=normalize_name(name) if name else "", name_line=fields.line("name"), aliases=aliases,
                    alias_lines=tuple(fields.name_lines.get(a) for a in aliases), role=role, image=image,
                    image_alt=image_alt, body_html=rendered.html if rendered else None,
                    meta=fields.meta(_TERM_KEYS)), problems
