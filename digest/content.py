"""Stages 2 and 3, discover and parse: `content/**/*.md` → `Article`s and `TermPage`s.

Each file is read, its front matter checked against the content contract and
its body rendered. A file's problems are returned, never raised, so that one
run reports every broken file of the site.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from digest.dates import ACCEPTED_FORMS, DateProblem, parse_date, split_date_prefix
from digest.files import walk
from digest.markdown import render_markdown, resolve_relative
from digest.model import TAXONOMIES, Article, FrozenMap, Problem, SiteConfig, SourceFile, TermPage
from digest.names import SHORTER_NAME, normalize_name, slugify, too_long
from digest.yamlread import (YamlProblem, as_bool, as_text, control_problem, describe, item_lines, load_yaml,
                             top_level_key_lines, typed)

CONTENT_DIR = "content"
_ARTICLE_KEYS = frozenset({"title", "date", "people", "topics", "source", "source_url", "summary",
                           "slug", "draft", "updated", "image", "image_alt", "aliases"})
# an old URL of an article: a path in the site, of safe characters, with no empty, hidden (`.git`, `..`)
# or percent-encoded dot or slash segment (`%2e%2e`, which a host may decode)
_ALIAS = re.compile(r"(?!.*%(?:2[eEfF]|5[cC]|00))/(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*/)*"
                    r"(?:[A-Za-z0-9_~%-][A-Za-z0-9._~%-]*\.html?)?")
_TERM_KEYS = frozenset({"name", "aliases", "role", "image", "image_alt"})
_FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)
_SLUG = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*")
_DATE_HINT = f"Write it as YYYY-MM-DD (`date: 2015-11-30`), or one of: {ACCEPTED_FORMS}."


def is_ignored(name: str) -> bool:
    """Whether a file or folder name is hidden, or an editor's or a download's temporary file.

    Vim's swap files (`.swp`, `.swo`...) and its `4913` probe, Emacs' `#a.md#` and `.#a.md`,
    backups (`a.md~`, `.bak`), and the files of atomic saves and downloads in progress.

    >>> [is_ignored(n) for n in (".draft.md", "a.md~", ".#a.md", "#a.md#", "a.md.swo", "4913", "a.part", "a.md")]
    [True, True, True, True, True, True, True, False]
    """
    return (name.startswith((".", "#", "~")) or name.endswith(("~", ".tmp", ".bak", ".part", ".crdownload"))
            or name == "4913" or _SWAP.search(name) is not None)


_SWAP = re.compile(r"\.sw[a-z]$")


def scan(site_dir: Path) -> tuple[list[SourceFile], list[str]]:
    """One walk of `content/`: its Markdown sources and its other files (images beside articles), sorted."""
    root = site_dir / CONTENT_DIR
    sources: list[SourceFile] = []
    assets: list[str] = []
    for folder, files in walk(root, site_dir, is_ignored):  # links out of the site: reported by the theme stage
        rel_dir = Path(folder).relative_to(site_dir).as_posix()
        parts = rel_dir.split("/")
        kind: Any = parts[1] if len(parts) == 2 and parts[1] in TAXONOMIES else "article"
        for name in files:
            if is_ignored(name):
                continue
            if name.endswith(".md"):
                sources.append(SourceFile(path=f"{rel_dir}/{name}", abs_path=os.path.join(folder, name), kind=kind))
            else:
                assets.append(f"{rel_dir}/{name}")
    sources.sort(key=lambda source: source.path)
    return sources, sorted(assets)


@dataclass(frozen=True, slots=True)
class _Document:
    front: dict[str, Any]
    lines: dict[str, list[int]]  # top-level key -> lines it is written on
    yaml_text: str
    first_line: int  # of the YAML
    body: str
    body_line: int


class _Problems(list[Problem]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def add(self, line: int | None, message: str, hint: str = "", severity: Any = "error") -> None:
        self.append(Problem(path=self.path, line=line, message=message.replace("\n", "\\n"), hint=hint, severity=severity))


def _read(source: SourceFile, data: bytes, problems: _Problems) -> _Document | None:
    try:
        source.path.encode("utf-8")  # os.fsdecode keeps the bytes of a name in another encoding as surrogates
        text = data.decode("utf-8")
    except UnicodeEncodeError:
        problems.add(None, "the file's path is not UTF-8", "Rename the file, or its folder, in UTF-8.")
        return None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, "is not UTF-8 text (it may be Latin-1 or Windows-1252)",
                     "Save the file as UTF-8 in your editor, or convert it: "
                     f"`iconv -f latin1 -t utf-8 {shlex.quote(source.path)} > new.md`, "
                     "then replace the file with new.md.")
        return None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if (control := control_problem(text)) is not None:
        problems.add(control.line, control.message, control.hint)
        return None
    stripped = text.lstrip("\n \t")
    offset = text[: len(text) - len(stripped)].count("\n")
    opening = _FENCE.match(stripped)
    if not opening:
        keys = "`title:` and `date:` lines" if source.kind == "article" else "a `name:` line"
        problems.add(offset + 1, "has no front matter",
                     f"Start the file with a line `---`, then {keys}, then `---`. Did you forget the `---` lines?")
        return None
    closing = _FENCE.search(stripped, opening.end())
    if not closing:
        problems.add(offset + 1, "front matter is not closed",
                     "End the front matter with a line `---` before the text of the article.")
        return None
    yaml_text = stripped[opening.end() + 1: closing.start()]
    first_line = offset + 2
    try:
        front = load_yaml(yaml_text, first_line)
    except YamlProblem as exc:
        problems.add(exc.line, exc.message, exc.hint)
        return None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        problems.add(first_line, "front matter is not a list of `key: value` lines",
                     "Write one `key: value` per line, such as `title: Putin meets Netanyahu`.")
        return None
    lines = top_level_key_lines(yaml_text, first_line)
    for key, where in lines.items():
        if len(where) > 1:
            problems.add(where[-1], f"`{key}` is given twice (lines {', '.join(map(str, where))})",
                         "Remove the one you do not mean; the last one is used.", "warning")
    body_start = closing.end() + 1
    body_line = offset + stripped[:body_start].count("\n") + 1
    return _Document(front={str(k): v for k, v in front.items()}, lines=lines, yaml_text=yaml_text,
                     first_line=first_line, body=stripped[body_start:], body_line=body_line)


class _Fields:
    """Typed access to front matter, reporting each wrong value once."""

    def __init__(self, doc: _Document, problems: _Problems) -> None:
        self.doc = doc
        self.problems = problems
        self.name_lines: dict[str, int | None] = {}  # each name read by `names`, with its line

    def line(self, key: str) -> int | None:
        where = self.doc.lines.get(key)
        return where[-1] if where else None

    def item_line(self, key: str, number: int) -> int | None:
        key_line = self.line(key)
        if key_line is None:
            return None
        items = item_lines(self.doc.yaml_text, key_line, self.doc.first_line)
        return items[number - 1] if number <= len(items) else key_line

    def raw(self, key: str) -> Any:
        value = self.doc.front.get(key)
        return None if value == "" else value

    def text(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        text = as_text(value)
        if text is None:
            starts = "`[`" if isinstance(value, list) else "`{`"
            self.problems.add(self.line(key), f"`{key}` is {describe(value)}, not text",
                              f"A value starting with {starts} is read as a {'list' if starts == '`[`' else 'mapping'}; "
                              f"put the {key} in double quotes.")
            return None
        return text.strip() or None

    def names(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        names: list[str] = []
        for number, item in enumerate(items, start=1):
            if item is None or item == "":
                continue
            text = as_text(item)
            if text is None or not text.strip():
                self.problems.add(self.item_line(key, number), f"`{key}` item {number} is {describe(item)}, "
                                  "not a name",
                                  f"List one name per item: `{key}: [Vladimir Putin, Benjamin Netanyahu]`.")
                continue
            name = normalize_name(text)
            if key == "aliases":  # a term page's aliases are checked against the other term pages'
                self.name_lines.setdefault(name, self.item_line(key, number))
            if not slugify(name):
                self.problems.add(self.item_line(key, number), f'`{key}` item {number} ("{name}") has no '
                                  "letters or digits to make a URL from", "Write the name with letters or digits.")
                continue
            if long := too_long(slugify(name)):
                self.problems.add(self.item_line(key, number), f"`{key}` item {number}{long}", SHORTER_NAME)
                continue
            names.append(name)
        return tuple(dict.fromkeys(names))

    def date(self, key: str, zone: ZoneInfo) -> Any:
        value = self.raw(key)
        if value is None:
            return None
        try:
            return parse_date(value, zone)
        except DateProblem as exc:
            self.problems.add(self.line(key), f"`{key}` is {exc}", exc.hint or _DATE_HINT)
            return None

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        flag = as_bool(value)
        if flag is None:
            self.problems.add(self.line(key), f"`{key}` must be true or false, not {describe(value)}",
                              f"Write `{key}: true` or `{key}: false`.")
            return False
        return flag

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not re.match(r"https?://[^\s/]+", value, re.IGNORECASE):
            self.problems.add(self.line(key), f'`{key}` must be an http or https address, not "{value}"',
                              f"Write the full address: `{key}: https://www.example.org/`.")
            return None
        return value

    def aliases(self) -> tuple[str, ...]:
        """An article's `aliases`: old URLs (site paths) that are to redirect to it."""
        value = self.raw("aliases")
        if value is None:
            return ()
        found: list[str] = []
        for number, item in enumerate(value if isinstance(value, list) else [value], start=1):
            text = as_text(item)
            path = text.strip() if text else ""
            if path and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
                path += "/"
            if not _ALIAS.fullmatch(path):
                self.problems.add(self.item_line("aliases", number),
                                  f"`aliases` item {number} ({describe(item)}) is not a path in the site",
                                  "Write the old address as a path: `aliases: [/2015/11/old-title/]`.")
                continue
            found.append(path)
        return tuple(dict.fromkeys(found))

    def image(self, directory: str) -> str | None:
        value = self.text("image")
        if value is None or re.match(r"https?://", value, re.IGNORECASE):
            return value
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|/", value) or "\\" in value:
            self.problems.add(self.line("image"), f'`image` must be a path beside the file or an http(s) '
                              f'address, not "{value}"', "Write `image: photo.jpg` for a file next to this one.")
            return None
        resolved = resolve_relative(directory, value, encoded=False)
        if resolved is None:
            self.problems.add(self.line("image"), f'`image` "{value}" points outside content/',
                              "Keep images in the content/ folder, next to the article.")
        return resolved

    def meta(self, known: frozenset[str]) -> Mapping[str, object]:
        return FrozenMap({k: typed(v) for k, v in self.doc.front.items() if k not in known})


def content_hash(data: bytes) -> str:
    """The hash that identifies a file's bytes (in the cache and page fingerprints)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def article_url(pattern: str, slug: str, date: Any) -> str:
    """An article's site-relative URL from the permalink pattern.

    >>> import datetime
    >>> article_url("/{year}/{month}/{slug}/", "paris", datetime.date(2015, 11, 30))
    '/2015/11/paris/'
    """
    return pattern.format(year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}", slug=slug)


def parse_article(source: SourceFile, data: bytes, config: SiteConfig,
                  url_for: Callable[[str], str]) -> tuple[Article | None, list[Problem]]:
    """Read one article, or the problems that stop it from being one."""
    problems = _Problems(source.path)
    doc = _read(source, data, problems)
    if doc is None:
        return None, problems
    fields = _Fields(doc, problems)
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
    slug = fields.text("slug")
    if slug is not None and not _SLUG.fullmatch(slug):
        problems.add(fields.line("slug"), f'`slug` "{slug}" cannot be a URL segment',
                     "Use letters, digits and hyphens only, such as `slug: putin-paris` "
                     "(no `/`, `..` or spaces).")
        slug = None
    elif slug is None:
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
    problems = _Problems(source.path)
    stem = posixpath.basename(source.path)[:-3]
    if slugify(stem) != stem:
        problems.add(None, f'a term page\'s file name must be its slug; "{stem}" is not one',
                     f"Rename it to `{slugify(stem) or 'a-name'}.md`.")
        return None, problems
    doc = _read(source, data, problems)
    if doc is None:
        return None, problems
    fields = _Fields(doc, problems)
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
