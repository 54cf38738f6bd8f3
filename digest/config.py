"""Stage 1, config: `digest.yaml` → `SiteConfig`.

Every key is optional. An unknown key or a value of the wrong type is a problem
naming the key's line, with a hint (and "Did you mean" for a near miss).
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from pathlib import Path
from typing import Any

from digest.model import FrozenMap, MarkdownOptions, Problem, SiteConfig, UsageError
from digest.yamlread import (YamlProblem, as_bool, as_int, as_text, describe, load_yaml, nested_key_lines,
                             top_level_key_lines, typed)

CONFIG_FILE = "digest.yaml"
_TOP_KEYS = ("title", "description", "base_url", "language", "timezone", "theme", "per_page",
             "feed_size", "related", "permalinks", "markdown", "search", "domain", "theme_options", "params")
_MARKDOWN_KEYS = ("unsafe_html", "toc_levels", "highlight")
_PERMALINK_KEYS = ("article",)
_PLACEHOLDERS = {"year", "month", "day", "slug"}


def load_config(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read `digest.yaml` (every key optional) into a `SiteConfig`, or the problems found."""
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

    def problem(key: str, message: str, hint: str = "") -> None:
        parent, _, child = key.partition(".")
        line = lines.get(parent, [None])[-1]
        if child and line is not None:
            line = nested_key_lines(text, line).get(child, line)
        problems.append(Problem(path=CONFIG_FILE, line=line, message=message, hint=hint))

    for key in raw:
        if key not in _TOP_KEYS:
            problem(str(key), f"unknown setting `{key}`", _did_you_mean(str(key), _TOP_KEYS))

    values: dict[str, Any] = {}
    for key in ("title", "description", "language", "timezone", "theme"):
        if raw.get(key) is not None:
            value = raw[key]
            written = as_text(value)
            if written is not None:
                values[key] = written
            else:
                problem(key, f"`{key}` must be text, not {describe(value)}",
                        f"Write one value on the line: `{key}: ...`, in double quotes if it starts with `[` or `{{`.")
    for key, low, meaning in (("per_page", 1, "how many articles a list page shows, such as `per_page: 10`"),
                              ("feed_size", 1, "how many articles a feed holds, such as `feed_size: 20`"),
                              ("related", 0, "how many related articles an article shows, such as `related: 5`")):
        if raw.get(key) is not None:
            number = as_int(raw[key])
            if number is None or number < low:
                problem(key, f"`{key}` must be a whole number of at least {low}, not {describe(raw[key])}",
                        f"Write {meaning}.")
            else:
                values[key] = number

    if raw.get("search") is not None:
        flag = as_bool(raw["search"])
        if flag is None:
            problem("search", f"`search` must be true or false, not {describe(raw['search'])}",
                    "Write `search: false` to build the site without a search page and index.")
        else:
            values["search"] = flag

    if raw.get("domain") is not None:
        domain = as_text(raw["domain"])
        if domain is None or not _DOMAIN.fullmatch(domain):
            problem("domain", f"`domain` must be a host name such as news.example.org, not {describe(raw['domain'])}",
                    "Write the custom domain a host serves the site at, for its CNAME file: "
                    "`domain: news.example.org`.")
        else:
            values["domain"] = domain.lower()

    check_base_url_option(base_url)
    url = base_url if base_url is not None else raw.get("base_url")
    if url is not None:
        if not isinstance(url, str) or not _URL.fullmatch(url):
            problem("base_url", f"`base_url` must be an absolute http(s) URL, not {describe(url)}",
                    "Write the address the site will be published at: `base_url: https://example.org/news/`.")
        else:
            values["base_url"] = str(url) if url.endswith("/") else str(url) + "/"

    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"unknown timezone `{values['timezone']}`",
                    "Use a name from the tz database, such as `Europe/Paris` or `UTC`.")

    markdown = raw.get("markdown")
    if markdown is not None:
        options = _markdown_options(markdown, problem)
        if options is not None:
            values["markdown"] = options

    permalinks = raw.get("permalinks")
    if permalinks is not None:
        if not isinstance(permalinks, dict):
            problem("permalinks", f"`permalinks` must be a mapping, not {describe(permalinks)}",
                    "Write it on two lines: `permalinks:`, then `  article: /{year}/{month}/{slug}/`.")
        else:
            for key, pattern in permalinks.items():
                if key not in _PERMALINK_KEYS:
                    problem(f"permalinks.{key}", f"unknown setting `permalinks.{key}`",
                            _did_you_mean(str(key), _PERMALINK_KEYS))
                    continue
                error = _check_pattern(pattern)
                if error:
                    problem(f"permalinks.{key}", f"`permalinks.{key}` {error}",
                            "Example: `article: /{year}/{month}/{slug}/`; placeholders: "
                            "{year}, {month}, {day}, {slug}.")
                else:
                    values["article_url"] = pattern

    for key in ("theme_options", "params"):
        value = raw.get(key)
        if value is not None:
            if not isinstance(value, dict):
                problem(key, f"`{key}` must be a mapping of names to values, not {describe(value)}",
                        f"Write `{key}:`, then one `  name: value` per line.")
            elif key == "params":
                values["meta"] = FrozenMap(typed(value))
            elif _check_theme_options(value, problem):
                values[key] = FrozenMap(typed(value))

    return SiteConfig(**values), problems


_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,30}"
                     r"|(?:rgb|hsl)a?\([0-9.,%/ ]{5,60}\)|oklch\([0-9.,%/ ]{5,60}\)")


def _check_theme_options(options: dict[Any, Any], problem: Any) -> bool:
    """Whether the default theme's options (`accent`, `logo`, `footer`, `nav`) are well formed; others pass."""
    ok = True

    def wrong(key: str, message: str, hint: str) -> None:
        nonlocal ok
        ok = False
        problem(f"theme_options.{key}", message, hint)

    accent = options.get("accent")
    if accent is not None and not (isinstance(accent, str) and _COLOUR.fullmatch(accent)):
        wrong("accent", f"`theme_options.accent` must be a CSS colour, not {describe(accent)}",
              'Write a colour such as `accent: "#9b2915"` (in quotes: `#` starts a comment), or `accent: teal`.')
    logo = options.get("logo")
    if logo is not None and not (isinstance(logo, str) and logo.startswith("/") and ".." not in logo
                                 and "://" not in logo):
        wrong("logo", f"`theme_options.logo` must be a path in the site such as /logo.svg, not {describe(logo)}",
              "Put the image in static/ and write its path: `logo: /logo.svg`.")
    footer = options.get("footer")
    if footer is not None and as_text(footer) is None:
        wrong("footer", f"`theme_options.footer` must be text, not {describe(footer)}",
              "Write one line of text: `footer: A digest by the newsroom`.")
    nav = options.get("nav")
    if nav is not None and not (isinstance(nav, list) and nav and all(
            isinstance(item, dict) and as_text(item.get("label")) and isinstance(item.get("url"), str)
            and _NAV_URL.fullmatch(item["url"]) for item in nav)):
        wrong("nav", f"`theme_options.nav` must be a list of links with `label` and `url`, not {describe(nav)}",
              "Write one `- {label: People, url: /people/}` per line; a url is a path in the site "
              "or an http(s) address.")
    return ok


_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_NAV_URL = re.compile(r"/[^\s]*|https?://[^\s]+")


def _markdown_options(raw: object, problem: Any) -> MarkdownOptions | None:
    if not isinstance(raw, dict):
        problem("markdown", f"`markdown` must be a mapping, not {describe(raw)}",
                "Write `markdown:`, then settings such as `  unsafe_html: true` on their own lines.")
        return None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _MARKDOWN_KEYS:
            problem(f"markdown.{key}", f"unknown setting `markdown.{key}`", _did_you_mean(str(key), _MARKDOWN_KEYS))
        elif key in ("unsafe_html", "highlight"):
            flag = as_bool(value)
            if flag is None:
                problem(f"markdown.{key}", f"`markdown.{key}` must be true or false, not {describe(value)}",
                        f"Write `{key}: true` or `{key}: false`.")
            else:
                values[key] = flag
        elif key == "toc_levels":
            levels = [as_int(v) for v in value] if isinstance(value, list) else []
            if len(levels) != 2 or not all(v is not None and 1 <= v <= 6 for v in levels) or levels[0] > levels[1]:  # type: ignore[operator]
                problem("markdown.toc_levels", "`markdown.toc_levels` must be two heading levels, from the higher to "
                        "the lower", "Write `toc_levels: [2, 3]` for `##` and `###` headings.")
            else:
                values[key] = (levels[0], levels[1])
    return MarkdownOptions(**values)


def _check_pattern(pattern: object) -> str:
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


def _did_you_mean(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Known settings: " + ", ".join(f"`{k}`" for k in known) + "."


_URL = re.compile(r"https?://[^/\s?#]+(/[^\s?#]*)?")


def check_base_url_option(url: str | None) -> None:
    """Refuse a `--base-url` that is not an absolute http(s) URL (a usage error, not the site's)."""
    if url is not None and not url.strip():
        raise UsageError('--base-url "": is empty; write the address in full, such as '
                         "--base-url https://example.org/news/")
    if url is not None and not _URL.fullmatch(url):
        raise UsageError(f"--base-url {url}: not an absolute http(s) URL; write it in full, "
                         "such as --base-url https://example.org/news/")
