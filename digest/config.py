"""Stage 1, config: `digest.yaml` → `SiteConfig`.

Also home to the YAML reading that front matter shares: one loader (libyaml's
when present), with YAML's own timestamps turned off so that dates are read
by one parser, ours, and a bad date is a message rather than a crash.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from digest.model import FrozenMap, MarkdownOptions, Problem, SiteConfig

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, reading timestamps as plain strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


class YamlProblem(Exception):
    """YAML that cannot be read, explained for the author."""

    def __init__(self, line: int | None, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Read one YAML document; raise `YamlProblem` with the line (counted from `first_line`)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark is not None else None
        raise _explain(exc, line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(None, "this YAML cannot be read", str(exc).split("\n")[0]) from None


def _explain(exc: yaml.MarkedYAMLError, line: int | None) -> YamlProblem:
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    if "flow sequence" in context or "expected ',' or ']'" in problem:
        return YamlProblem(line, "a `[` list is not closed",
                           "End the list with `]`, and put items containing `,` or `:` in quotes.")
    if "flow mapping" in context or "expected ',' or '}'" in problem:
        return YamlProblem(line, "a `{` mapping is not closed", "End it with `}`.")
    if "mapping values are not allowed" in problem:
        return YamlProblem(line, "a value contains `: `",
                           'Put the whole value in double quotes: title: "Paris: the talks".')
    if "found character '\\t'" in problem or "\\t" in problem:
        return YamlProblem(line, "a tab is used for indentation", "Indent with spaces.")
    if "found undefined alias" in problem or "found unknown" in problem and "alias" in problem:
        return YamlProblem(line, "a value starts with `*`, which YAML reads as a reference",
                           "Put the value in double quotes.")
    if "while scanning a quoted scalar" in context or "found unexpected end of stream" in problem:
        return YamlProblem(line, "a quoted value is not closed", "End it with the same quote it starts with.")
    if "could not find expected ':'" in problem or "simple key" in context:
        return YamlProblem(line, "this line is not `key: value`",
                           "Each line of front matter is `key: value`, or a `- item` under a list key.")
    if "block" in context and ("expected <block end>" in problem or "did not find expected" in problem):
        return YamlProblem(line, "this line is indented differently from the ones around it",
                           "Line up list items (`- name`) under their key, with spaces.")
    if "found character '@'" in problem or "found character '`'" in problem:
        return YamlProblem(line, "a value starts with a character YAML reserves (`@` or a backquote)",
                           "Put the value in double quotes.")
    if "constructor" in type(exc).__name__.lower() or "tag" in problem:
        return YamlProblem(line, f"this YAML uses a tag that is not allowed ({problem})",
                           "Remove the `!` tag: front matter holds plain text, numbers, lists and dates.")
    return YamlProblem(line, "the YAML here cannot be read",
                       f"{problem or context}. Check quotes, colons and indentation on this line.")


def top_level_key_lines(text: str, first_line: int = 1) -> dict[str, list[int]]:
    """The lines on which each top-level key of a YAML mapping is written.

    >>> top_level_key_lines("title: a\\ndate: b\\ntitle: c\\n")
    {'title': [1, 3], 'date': [2]}
    """
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.split("\n"), start=first_line):
        match = _KEY.match(line)
        if match:
            found.setdefault(match.group(1) or match.group(2) or match.group(3), []).append(number)
    return found


_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#'"\-?:][^:#]*?|-[^\s:#][^:#]*?))[ \t]*:(?:[ \t]|$)""")

# ---------------------------------------------------------------------------
# digest.yaml
# ---------------------------------------------------------------------------

CONFIG_FILE = "digest.yaml"
_TOP_KEYS = ("title", "description", "base_url", "language", "timezone", "theme", "per_page",
             "feed_size", "related", "permalinks", "markdown", "theme_options", "params")
_MARKDOWN_KEYS = ("unsafe_html", "toc_levels", "highlight")
_PERMALINK_KEYS = ("article",)
_PLACEHOLDERS = {"year", "month", "day", "slug"}


def load_config(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read `digest.yaml` (every key optional) into a `SiteConfig`, or the problems found."""
    path = site_dir / CONFIG_FILE
    raw: object = {}
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
        line = lines.get(key.split(".")[0], [None])[-1]
        problems.append(Problem(path=CONFIG_FILE, line=line, message=message, hint=hint))

    for key in raw:
        if key not in _TOP_KEYS:
            problem(str(key), f"unknown setting `{key}`", _did_you_mean(str(key), _TOP_KEYS))

    values: dict[str, Any] = {}
    for key in ("title", "description", "language", "timezone", "theme"):
        if raw.get(key) is not None:
            value = raw[key]
            text = as_text(value)
            if text is not None:
                values[key] = text
            else:
                problem(key, f"`{key}` must be text, not {_kind(value)}")
    for key, low in (("per_page", 1), ("feed_size", 1), ("related", 0)):
        if raw.get(key) is not None:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                problem(key, f"`{key}` must be a whole number of at least {low}, not {_show(value)}")
            else:
                values[key] = value

    url = base_url if base_url is not None else raw.get("base_url")
    if url is not None:
        if not isinstance(url, str) or not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", url):
            message = f"`base_url` must be an absolute http(s) URL, not {_show(url)}"
            hint = "Write the address the site will be published at: `base_url: https://example.org/news/`."
            if base_url is not None:
                problems.append(Problem(path=None, line=None, message="--base-url: " + message, hint=hint))
            else:
                problem("base_url", message, hint)
        else:
            values["base_url"] = url if url.endswith("/") else url + "/"

    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problem("timezone", f"unknown timezone {values['timezone']!r}",
                    "Use a name from the tz database, such as `Europe/Paris` or `UTC`.")

    markdown = raw.get("markdown")
    if markdown is not None:
        options = _markdown_options(markdown, problem)
        if options is not None:
            values["markdown"] = options

    permalinks = raw.get("permalinks")
    if permalinks is not None:
        if not isinstance(permalinks, dict):
            problem("permalinks", "`permalinks` must be a mapping such as `article: /{year}/{month}/{slug}/`")
        else:
            for key, pattern in permalinks.items():
                if key not in _PERMALINK_KEYS:
                    problem("permalinks", f"unknown setting `permalinks.{key}`",
                            _did_you_mean(str(key), _PERMALINK_KEYS))
                    continue
                error = _check_pattern(pattern)
                if error:
                    problem("permalinks", f"`permalinks.{key}` {error}",
                            "Example: `article: /{year}/{month}/{slug}/`; placeholders: "
                            "{year}, {month}, {day}, {slug}.")
                else:
                    values["article_url"] = pattern

    for key in ("theme_options", "params"):
        value = raw.get(key)
        if value is not None:
            if not isinstance(value, dict):
                problem(key, f"`{key}` must be a mapping of names to values, not {_kind(value)}")
            else:
                values["meta" if key == "params" else key] = FrozenMap(value)

    return SiteConfig(**values), problems


def _markdown_options(raw: object, problem: Any) -> MarkdownOptions | None:
    if not isinstance(raw, dict):
        problem("markdown", "`markdown` must be a mapping such as `unsafe_html: true`")
        return None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _MARKDOWN_KEYS:
            problem("markdown", f"unknown setting `markdown.{key}`", _did_you_mean(str(key), _MARKDOWN_KEYS))
        elif key in ("unsafe_html", "highlight"):
            if not isinstance(value, bool):
                problem("markdown", f"`markdown.{key}` must be true or false, not {_show(value)}")
            else:
                values[key] = value
        elif key == "toc_levels":
            if (not isinstance(value, list) or len(value) != 2
                    or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 6 for v in value)
                    or value[0] > value[1]):
                problem("markdown", "`markdown.toc_levels` must be two heading levels, such as [2, 3]")
            else:
                values[key] = (value[0], value[1])
    return MarkdownOptions(**values)


def _check_pattern(pattern: object) -> str:
    if not isinstance(pattern, str):
        return f"must be text, not {_kind(pattern)}"
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


def as_text(value: object) -> str | None:
    """A scalar as the text its author typed; None for lists, mappings and empty values.

    >>> as_text(1984), as_text(True), as_text("Syria"), as_text([1])
    ('1984', 'true', 'Syria', None)
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _did_you_mean(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Known settings: " + ", ".join(f"`{k}`" for k in known) + "."


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "empty"
    return "a number" if isinstance(value, (int, float)) else "text"


def _show(value: object) -> str:
    if isinstance(value, (list, dict)):
        return _kind(value)
    return f"`{value}`"
