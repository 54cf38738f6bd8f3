"""Stage 1, config: `digest.yaml` → `SiteConfig`.

Every setting is a row of `SETTINGS`: its key, the field it sets, how its value is read
and checked, and what it is for; its default is the field's in `SiteConfig`. One loop reads
the file through the table. An unknown key or a value of the wrong type is a problem naming
the key's line, with a hint (and "Did you mean" for a near miss); a file's problems come in
the order of their lines.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.model import FrozenMap, Language, MarkdownOptions, Problem, SiteConfig, UsageError
from digest.read.editions import edition_url_error, read_editions, read_smtp
from digest.read.languages import direction_of, locale_of, read_language, read_languages
from digest.read.settings import CONFIG_FILE, UNSET, Read, Reading, Setting, flag, read_table, read_text, whole
from digest.read.yamlread import (YamlProblem, as_int, as_text, describe, item_lines, load_yaml, nested_key_lines,
                                  top_level_key_lines, typed)

__all__ = ["CONFIG_FILE", "IMPORT_SETTINGS", "MARKDOWN_SETTINGS", "PERMALINK_SETTINGS", "SETTINGS", "THEME_OPTIONS", "Setting",
           "check_base_url_option", "load_config"]

_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")


def _base_url(key: str, value: Any, reading: Reading) -> Any:
    if not isinstance(value, str) or not _URL.fullmatch(value):
        reading.problem(key, f"`base_url` must be an absolute http(s) URL, not {describe(value)}",
                        "Write the address the site will be published at: `base_url: https://example.org/news/`.")
        return UNSET
    return str(value) if value.endswith("/") else str(value) + "/"


def _timezone(key: str, value: Any, reading: Reading) -> Any:
    zone = read_text(key, value, reading)
    if zone is UNSET:
        return UNSET
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reading.problem(key, f"unknown timezone `{zone}`",
                        "Use a name from the tz database, such as `Europe/Paris` or `UTC`.")
        return UNSET
    return zone

_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def _domain(key: str, value: Any, reading: Reading) -> Any:
    domain = as_text(value)
    if domain is None or not _DOMAIN.fullmatch(domain):
        reading.problem(key, f"`domain` must be a host name such as news.example.org, not {describe(value)}",
                        "Write the custom domain a host serves the site at, for its CNAME file: "
                        "`domain: news.example.org`.")
        return UNSET
    return domain.lower()


_PLACEHOLDERS = {"year", "month", "day", "slug"}


def _pattern(key: str, pattern: Any, reading: Reading) -> Any:
    error = _pattern_error(pattern)
    if error:
        reading.problem(key, f"`{key}` {error}", "Example: `article: /{year}/{month}/{slug}/`; placeholders: "
                        "{year}, {month}, {day}, {slug}.")
        return UNSET
    return pattern


def _pattern_error(pattern: object) -> str:
    if not isinstance(pattern, str):
        return f"must be text, not {describe(pattern)}"
    if not (pattern.startswith("/") and pattern.endswith("/")):
        return "must start and end with `/`"
    names = set(re.findall(r"\{([^}]*)\}", pattern))
    if "slug" not in names:
        return "must contain {slug}"
    unknown = names - _PLACEHOLDERS
    if unknown:
        return f"has an unknown placeholder {{{sorted(unknown)[0]}}}"
    if ".." in pattern or "//" in pattern:
        return "must not contain `..` or `//`"
    return ""


def _toc_levels(key: str, value: Any, reading: Reading) -> Any:
    levels = [as_int(v) for v in value] if isinstance(value, list) else []
    if len(levels) != 2 or not all(v is not None and 1 <= v <= 6 for v in levels) or levels[0] > levels[1]:  # type: ignore[operator]
        reading.problem(key, "`markdown.toc_levels` must be two heading levels, from the higher to the lower",
                        "Write `toc_levels: [2, 3]` for `##` and `###` headings.")
        return UNSET
    return (levels[0], levels[1])


MARKDOWN_SETTINGS = (
    Setting("unsafe_html", "unsafe_html", flag(), "pass raw HTML in Markdown through", MarkdownOptions),
    Setting("toc_levels", "toc_levels", _toc_levels, "heading levels that get ids and table-of-contents entries",
            MarkdownOptions),
    Setting("highlight", "highlight", flag(), "colour fenced code with Pygments", MarkdownOptions),
)


def _edition_pattern(key: str, pattern: Any, reading: Reading) -> Any:
    error = edition_url_error(pattern)
    if error:
        reading.problem(key, f"`{key}` {error}", "Example: `edition: /editions/{number}/`; placeholders: {number}, "
                        "{year}, {month}, {day} (of the day it goes out).")
        return UNSET
    return pattern


PERMALINK_SETTINGS = (
    Setting("article", "article_url", _pattern, "article URLs; placeholders {year}, {month}, {day}, {slug}"),
    Setting("edition", "edition_url", _edition_pattern, "edition URLs; placeholders {number}, {year}, {month}, {day}"),
)


def _drop(key: str, value: Any, reading: Reading) -> Any:
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        reading.problem(key, f"`{key}` must be a list of regular expressions, not {describe(value)}",
                        "Write one expression per line, in single quotes: `    - '^Photo by .*'`.")
        return UNSET
    parent = reading.lines.get(key.partition(".")[0], [None])[-1]
    line = nested_key_lines(reading.text, parent).get("drop") if parent else None
    items = item_lines(reading.text, line) if line else []
    good = True
    for number, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            good = False
            where = items[number] if number < len(items) else line
            reading.problems.append(Problem(
                path=CONFIG_FILE, line=where, message=f"`{key}` item {number + 1} is not a regular expression: "
                f"{exc.msg}" + (f" at character {exc.pos + 1}" if exc.pos is not None else "") + f": {pattern}",
                hint="Write a Python regular expression matching whole lines; escape `(`, `[`, `.` and `?` "
                     "with `\\` to match them as they are, and quote it in single quotes."))
    return tuple(patterns) if good else UNSET


IMPORT_SETTINGS = (
    Setting("drop", "import_drop", _drop, "lines `digest import` leaves out, besides its own rules: regular "
            "expressions, each matching a whole line, case ignored"),
)


def _section(table: tuple[Setting, ...], hint: str, field: str | None = None) -> Read:
    """The reader of a setting that is a mapping of settings (`markdown:`): its `table` read in one loop,
    giving the one field `field` of `SiteConfig`, or all of them (`field=None`) as a dict, which `read_table`
    sets field by field (`permalinks:`) or a reader turns into a value (`markdown:`)."""
    def read(key: str, value: Any, reading: Reading) -> Any:
        if not isinstance(value, dict):
            reading.problem(key, f"`{key}` must be a mapping, not {describe(value)}", hint)
            return UNSET
        values = read_table(value, table, reading, f"{key}.")
        return values if field is None else values.get(field, UNSET)
    return read


_import = _section(IMPORT_SETTINGS, "Write it on two lines: `import:`, then `  drop: ['^Photo by .*']`.",
                   "import_drop")
_permalinks = _section(PERMALINK_SETTINGS,
                       "Write it on two lines: `permalinks:`, then `  article: /{year}/{month}/{slug}/`.")
_markdown_table = _section(MARKDOWN_SETTINGS,
                           "Write `markdown:`, then settings such as `  unsafe_html: true` on their own lines.")


def _markdown(key: str, value: Any, reading: Reading) -> Any:
    values = _markdown_table(key, value, reading)
    return UNSET if values is UNSET else MarkdownOptions(**values)


def _free(key: str, value: Any, reading: Reading) -> Any:
    if not isinstance(value, dict):
        reading.problem(key, f"`{key}` must be a mapping of names to values, not {describe(value)}",
                        f"Write `{key}:`, then one `  name: value` per line.")
        return UNSET
    return FrozenMap(typed(value))


_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,30}"
                     r"|(?:rgb|hsl)a?\([0-9.,%/ ]{5,60}\)|oklch\([0-9.,%/ ]{5,60}\)")
_NAV_URL = re.compile(r"/[^\s]*|https?://[^\s]+")
# The default theme's options: (option, whether a value is well formed, what is expected, the hint).
# Other themes' options pass as they are.
THEME_OPTIONS: tuple[tuple[str, Callable[[Any], bool], str, str], ...] = (
    ("accent", lambda v: isinstance(v, str) and bool(_COLOUR.fullmatch(v)), "a CSS colour",
     'Write a colour such as `accent: "#9b2915"` (in quotes: `#` starts a comment), or `accent: teal`.'),
    ("logo", lambda v: isinstance(v, str) and v.startswith("/") and ".." not in v and "://" not in v,
     "a path in the site such as /logo.svg", "Put the image in static/ and write its path: `logo: /logo.svg`."),
    ("footer", lambda v: as_text(v) is not None, "text", "Write one line of text: `footer: A digest by the newsroom`."),
    ("nav", lambda v: isinstance(v, list) and bool(v) and all(
        isinstance(item, dict) and as_text(item.get("label")) and isinstance(item.get("url"), str)
        and _NAV_URL.fullmatch(item["url"]) for item in v),
     "a list of links with `label` and `url`",
     "Write one `- {label: People, url: /people/}` per line; a url is a path in the site or an http(s) address."),
)


def _theme_options(key: str, value: Any, reading: Reading) -> Any:
    options = _free(key, value, reading)
    if options is UNSET:
        return UNSET
    wrong = [(name, expected, hint) for name, good, expected, hint in THEME_OPTIONS
             if value.get(name) is not None and not good(value[name])]
    for name, expected, hint in wrong:
        reading.problem(f"{key}.{name}", f"`{key}.{name}` must be {expected}, not {describe(value[name])}", hint)
    return UNSET if wrong else options


SETTINGS = (
    Setting("title", "title", read_text, "the site's name"),
    Setting("description", "description", read_text, "one sentence, used in page descriptions and feeds"),
    Setting("base_url", "base_url", _base_url, "the address the site is published at; its path prefixes every link"),
    Setting("language", "language", read_language, "the `lang` of pages and feeds, when there is one language"),
    Setting("timezone", "timezone", _timezone, "the zone of dates written without one, and of archives"),
    Setting("theme", "theme", read_text, "a theme in `themes/NAME/` of the site"),
    Setting("per_page", "per_page", whole(1, "how many articles a list page shows, such as `per_page: 10`"),
            "articles per page of the home page and of term pages"),
    Setting("feed_size", "feed_size", whole(1, "how many articles a feed holds, such as `feed_size: 20`"),
            "entries per feed"),
    Setting("related", "related", whole(0, "how many related articles an article shows, such as `related: 5`"),
            "related articles shown under an article"),
    Setting("permalinks", "article_url", _permalinks, "URL patterns (`PERMALINK_SETTINGS`)"),
    Setting("markdown", "markdown", _markdown, "how bodies become HTML (`MARKDOWN_SETTINGS`)"),
    Setting("search", "search", flag("Write `search: false` to build the site without a search page and index."),
            "a search page and a Pagefind index of the articles"),
    Setting("domain", "domain", _domain, "the custom domain `digest publish --git-branch` writes into `CNAME`"),
    Setting("theme_options", "theme_options", _theme_options, "settings for the theme (`THEME_OPTIONS`)"),
    Setting("params", "meta", _free, "your own values, available to templates as `config.meta.KEY`"),
    Setting("languages", "languages", read_languages, "the site's languages, the default first, each with optional "
            "`title`, `description`, `base_url` (its folder) and `locale`"),
    Setting("default_language_in_subdir", "default_language_in_subdir",
            flag("Write `default_language_in_subdir: true` to put the default language's pages under /en/ too."),
            "the default language's pages in a folder of their own, like the others'"),
    Setting("import", "import_drop", _import, "what `digest import` does (`IMPORT_SETTINGS`)"),
    Setting("editions", "editions", read_editions, "numbered editions: weekly, daily, monthly or none "
            "(`EDITION_SETTINGS`)"),
    Setting("smtp", "smtp", read_smtp, "the server `digest edition --send` hands the newsletter to "
            "(`SMTP_SETTINGS`)"),
)

def load_config(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read `digest.yaml` (every key optional) into a `SiteConfig`, or the problems found.

    `base_url`: the `--base-url` option, which replaces the file's.
    """
    path = site_dir / CONFIG_FILE
    raw: object = {}
    text = ""
    problems: list[Problem] = []
    lines: dict[str, list[int]] = {}
    if path.is_file():
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            return SiteConfig(), [Problem(path=CONFIG_FILE, line=None, message="is not UTF-8 text",
                                          hint="Save it as UTF-8.")]
        text = text.replace("\r\n", "\n")
        lines = top_level_key_lines(text)
        for key, where in lines.items():
            if len(where) > 1:
                problems.append(Problem(
                    path=CONFIG_FILE, line=where[-1], severity="warning",
                    message=f"`{key}` is given twice (lines {', '.join(map(str, where))})",
                    hint="Remove the one you do not mean; the last one is used."))
        try:
            raw = load_yaml(text)
        except YamlProblem as exc:
            return SiteConfig(), [Problem(path=CONFIG_FILE, line=exc.line, message=exc.message, hint=exc.hint)]
        if raw is None:
            raw = {}
    if not isinstance(raw, dict):
        return SiteConfig(), [Problem(path=CONFIG_FILE, line=1, message="is not a list of `key: value` settings",
                                      hint="Write settings one per line, such as `title: My Digest`.")]
    check_base_url_option(base_url)
    if base_url is not None:
        raw = {**raw, "base_url": base_url}
    reading = Reading(text, lines)
    values = read_table(raw, SETTINGS, reading)
    _settle_languages(values, reading)
    problems += reading.problems
    return SiteConfig(**values), sorted(problems, key=lambda p: p.line or 0)


def _settle_languages(values: dict[str, Any], reading: Reading) -> None:
    """The site's language, its locale and direction, from `languages` (the first) or `language`."""
    languages: tuple[Language, ...] = values.get("languages", ())
    if languages:
        first = languages[0]
        if values.get("default_language_in_subdir") and first.root == "/":
            first = dataclasses.replace(first, root=f"/{first.code}/")
            values["languages"] = (first, *languages[1:])
        if values.get("language", first.code) != first.code:
            reading.problem("language", f"`language` is {values['language']}, but `languages` starts with "
                            f"{first.code}", "The first of `languages` is the site's default language: remove "
                            "`language`, or put it first in `languages`.")
        values["language"] = first.code
        values["root"], values["locale"], values["direction"] = first.root, first.locale, first.direction
    elif "language" in values:
        values["locale"], values["direction"] = locale_of(values["language"]), direction_of(values["language"])

def check_base_url_option(url: str | None) -> None:
    """Refuse a `--base-url` that is not an absolute http(s) URL (a usage error, not the site's)."""
    if url is not None and not url.strip():
        raise UsageError('--base-url "": is empty; write the address in full, such as '
                         "--base-url https://example.org/news/")
    if url is not None and not _URL.fullmatch(url):
        raise UsageError(f"--base-url {url}: not an absolute http(s) URL; write it in full, "
                         "such as --base-url https://example.org/news/")
