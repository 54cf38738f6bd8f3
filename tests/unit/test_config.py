"""digest.yaml → SiteConfig, and the YAML reading front matter shares (digest/config.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from digest.config import YamlProblem, as_text, load_config, load_yaml, top_level_key_lines
from digest.model import MarkdownOptions, SiteConfig

MakeSite = Callable[..., Path]

BASE_URL_HINT = "Write the address the site will be published at: `base_url: https://example.org/news/`."
PATTERN_HINT = ("Example: `article: /{year}/{month}/{slug}/`; placeholders: {year}, {month}, {day}, {slug}.")
KNOWN = ("Known settings: `title`, `description`, `base_url`, `language`, `timezone`, `theme`, `per_page`, "
         "`feed_size`, `related`, `permalinks`, `markdown`, `theme_options`, `params`.")


def load(make_site: MakeSite, text: str, base_url: str | None = None) -> tuple[SiteConfig, list[str]]:
    site = make_site({"digest.yaml": text})
    config, problems = load_config(site, base_url)
    return config, [str(p) for p in problems]


# ---------------------------------------------------------------------------
# defaults and every key


def test_no_digest_yaml_gives_the_defaults(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert problems == []
    assert config == SiteConfig()


@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("title", "My Digest"),
        ("description", ""),
        ("base_url", "https://example.org/"),
        ("language", "en"),
        ("timezone", "UTC"),
        ("theme", "default"),
        ("per_page", 10),
        ("feed_size", 20),
        ("related", 5),
        ("article_url", "/{year}/{month}/{slug}/"),
        ("markdown", MarkdownOptions(unsafe_html=False, toc_levels=(2, 3), highlight=True)),
    ],
)
def test_defaults(field: str, default: object) -> None:
    assert getattr(SiteConfig(), field) == default
    assert dict(SiteConfig().theme_options) == {} and dict(SiteConfig().meta) == {}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_file_gives_the_defaults(make_site: MakeSite, text: str) -> None:
    assert load(make_site, text) == (SiteConfig(), [])


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("title: World News Digest\n", "title", "World News Digest"),
        ("title: 1984\n", "title", "1984"),  # a number where text belongs is its text
        ("description: A digest.\n", "description", "A digest."),
        ("base_url: https://example.org/news/\n", "base_url", "https://example.org/news/"),
        ("base_url: http://localhost:8000/\n", "base_url", "http://localhost:8000/"),
        ("language: fr\n", "language", "fr"),
        ("timezone: Europe/Paris\n", "timezone", "Europe/Paris"),
        ("theme: dark\n", "theme", "dark"),
        ("per_page: 4\n", "per_page", 4),
        ("feed_size: 5\n", "feed_size", 5),
        ("related: 0\n", "related", 0),
        ("related: 3\n", "related", 3),
        ("permalinks: {article: '/{slug}/'}\n", "article_url", "/{slug}/"),
        ("permalinks:\n  article: /{year}/{month}/{day}/{slug}/\n", "article_url", "/{year}/{month}/{day}/{slug}/"),
        ("markdown: {unsafe_html: true}\n", "markdown", MarkdownOptions(unsafe_html=True)),
        ("markdown: {highlight: false}\n", "markdown", MarkdownOptions(highlight=False)),
        ("markdown: {toc_levels: [2, 4]}\n", "markdown", MarkdownOptions(toc_levels=(2, 4))),
        ("markdown:\n  toc_levels: [1, 6]\n  highlight: false\n  unsafe_html: true\n", "markdown",
         MarkdownOptions(unsafe_html=True, toc_levels=(1, 6), highlight=False)),
        ("title:\n", "title", "My Digest"),  # an empty value is the default
    ],
)
def test_every_key(make_site: MakeSite, text: str, field: str, value: object) -> None:
    config, problems = load(make_site, text)
    assert problems == []
    assert getattr(config, field) == value


def test_theme_options_and_params(make_site: MakeSite) -> None:
    config, problems = load(make_site, "theme_options: {dark: true}\nparams:\n  region: Europe\n  year: 2015\n")
    assert problems == []
    assert dict(config.theme_options) == {"dark": True}
    assert dict(config.meta) == {"region": "Europe", "year": 2015}
    with pytest.raises(TypeError):
        config.meta["region"] = "Asia"  # type: ignore[index]


def test_bom_and_crlf(make_site: MakeSite) -> None:
    site = make_site({})
    (site / "digest.yaml").write_bytes(b"\xef\xbb\xbftitle: World\r\nlanguage: fr\r\n")
    config, problems = load_config(site)
    assert problems == []
    assert (config.title, config.language) == ("World", "fr")


@pytest.mark.parametrize(
    ("written", "base_url", "base_path"),
    [
        ("https://example.org", "https://example.org/", "/"),
        ("https://example.org/", "https://example.org/", "/"),
        ("https://example.org/news", "https://example.org/news/", "/news/"),
        ("https://example.org/news/", "https://example.org/news/", "/news/"),
    ],
)
def test_base_url_gets_a_trailing_slash(make_site: MakeSite, written: str, base_url: str, base_path: str) -> None:
    config, problems = load(make_site, f"base_url: {written}\n")
    assert problems == []
    assert config.base_url == base_url
    assert config.base_path == base_path


@pytest.mark.parametrize(
    ("option", "base_url"),
    [
        ("https://preview.example.org/x", "https://preview.example.org/x/"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
    ],
)
def test_base_url_option_overrides_the_file(make_site: MakeSite, option: str, base_url: str) -> None:
    config, problems = load(make_site, "base_url: https://example.org/news/\n", base_url=option)
    assert problems == []
    assert config.base_url == base_url


def test_a_bad_base_url_option(make_site: MakeSite) -> None:
    _, problems = load(make_site, "base_url: https://example.org/\n", base_url="example.org")
    assert problems == ["--base-url: `base_url` must be an absolute http(s) URL, not `example.org`\n    "
                        + BASE_URL_HINT]


# ---------------------------------------------------------------------------
# problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("titel: x\n", "digest.yaml:1: unknown setting `titel`\n    Did you mean `title`?"),
        ("title: x\nbase_ur1: https://example.org/\n",
         "digest.yaml:2: unknown setting `base_ur1`\n    Did you mean `base_url`?"),
        ("perpage: 5\n", "digest.yaml:1: unknown setting `perpage`\n    Did you mean `per_page`?"),
        ("foo: x\n", "digest.yaml:1: unknown setting `foo`\n    " + KNOWN),
        ("markdown: {toc_level: [2, 3]}\n",
         "digest.yaml:1: unknown setting `markdown.toc_level`\n    Did you mean `toc_levels`?"),
        ("permalinks: {articles: '/{slug}/'}\n",
         "digest.yaml:1: unknown setting `permalinks.articles`\n    Did you mean `article`?"),
    ],
)
def test_unknown_keys(make_site: MakeSite, text: str, problem: str) -> None:
    assert load(make_site, text)[1] == [problem]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: [a, b]\n", "digest.yaml:1: `title` must be text, not a list"),
        ("description: {a: 1}\n", "digest.yaml:1: `description` must be text, not a mapping"),
        ("per_page: 0\n", "digest.yaml:1: `per_page` must be a whole number of at least 1, not `0`"),
        ("per_page: ten\n", "digest.yaml:1: `per_page` must be a whole number of at least 1, not `ten`"),
        ("per_page: [1]\n", "digest.yaml:1: `per_page` must be a whole number of at least 1, not a list"),
        ("feed_size: 2.5\n", "digest.yaml:1: `feed_size` must be a whole number of at least 1, not `2.5`"),
        ("related: -1\n", "digest.yaml:1: `related` must be a whole number of at least 0, not `-1`"),
        ("theme_options: 3\n", "digest.yaml:1: `theme_options` must be a mapping of names to values, not a number"),
        ("params: [a]\n", "digest.yaml:1: `params` must be a mapping of names to values, not a list"),
        ("markdown: true\n", "digest.yaml:1: `markdown` must be a mapping such as `unsafe_html: true`"),
        ("markdown: {unsafe_html: 1}\n", "digest.yaml:1: `markdown.unsafe_html` must be true or false, not `1`"),
        ("markdown: {highlight: 'no'}\n", "digest.yaml:1: `markdown.highlight` must be true or false, not `no`"),
        ("markdown: {toc_levels: [3, 2]}\n",
         "digest.yaml:1: `markdown.toc_levels` must be two heading levels, such as [2, 3]"),
        ("markdown: {toc_levels: [1, 7]}\n",
         "digest.yaml:1: `markdown.toc_levels` must be two heading levels, such as [2, 3]"),
        ("markdown: {toc_levels: 2}\n",
         "digest.yaml:1: `markdown.toc_levels` must be two heading levels, such as [2, 3]"),
        ("title: x\nper_page: 0\ntitle: y\n",
         "digest.yaml:2: `per_page` must be a whole number of at least 1, not `0`"),
    ],
)
def test_wrong_types(make_site: MakeSite, text: str, problem: str) -> None:
    assert load(make_site, text)[1] == [problem]


@pytest.mark.xfail(strict=True, reason="BUG: config._show prints a YAML boolean as Python's `True`")
def test_a_boolean_where_a_number_belongs_is_shown_as_written(make_site: MakeSite) -> None:
    assert load(make_site, "per_page: true\n")[1] == [
        "digest.yaml:1: `per_page` must be a whole number of at least 1, not `true`"]


def test_every_problem_of_the_file_is_reported(make_site: MakeSite) -> None:
    _, problems = load(make_site, "titel: x\nper_page: 0\ntimezone: Mars/Base\n")
    assert [p.split("\n")[0] for p in problems] == [
        "digest.yaml:1: unknown setting `titel`",
        "digest.yaml:2: `per_page` must be a whole number of at least 1, not `0`",
        "digest.yaml:3: unknown timezone 'Mars/Base'",
    ]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("example.org", "`example.org`"),
        ("example.org/news/", "`example.org/news/`"),
        ("ftp://example.org/", "`ftp://example.org/`"),
        ("https://", "`https://`"),
        ("'https://exa mple.org/'", "`https://exa mple.org/`"),
        ("https://example.org/?page=1", "`https://example.org/?page=1`"),
        ("3", "`3`"),
        ("[https://example.org/]", "a list"),
    ],
)
def test_bad_base_url(make_site: MakeSite, written: str, shown: str) -> None:
    assert load(make_site, f"base_url: {written}\n")[1] == [
        f"digest.yaml:1: `base_url` must be an absolute http(s) URL, not {shown}\n    {BASE_URL_HINT}"]


@pytest.mark.parametrize("zone", ["Mars/Base", "../../etc/passwd", "utc+2"])
def test_bad_timezone(make_site: MakeSite, zone: str) -> None:
    assert load(make_site, f"title: x\ntimezone: {zone}\n")[1] == [
        f"digest.yaml:2: unknown timezone {zone!r}\n"
        "    Use a name from the tz database, such as `Europe/Paris` or `UTC`."]


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("'/{year}/{slug}'", "must start and end with `/`"),
        ("'{year}/{slug}/'", "must start and end with `/`"),
        ("'/{year}/{month}/'", "must contain {slug}"),
        ("'/{yr}/{slug}/'", "has an unknown placeholder {yr}"),
        ("'/{year}/{hour}/{slug}/'", "has an unknown placeholder {hour}"),
        ("'/../{slug}/'", "must not contain `..` or `//`"),
        ("'//{slug}/'", "must not contain `..` or `//`"),
        ("5", "must be text, not a number"),
        ("[\"/{slug}/\"]", "must be text, not a list"),
    ],
)
def test_bad_permalink_pattern(make_site: MakeSite, pattern: str, error: str) -> None:
    config, problems = load(make_site, f"permalinks:\n  article: {pattern}\n")
    assert problems == [f"digest.yaml:1: `permalinks.article` {error}\n    {PATTERN_HINT}"]
    assert config.article_url == "/{year}/{month}/{slug}/"


def test_permalinks_must_be_a_mapping(make_site: MakeSite) -> None:
    assert load(make_site, "permalinks: /{slug}/\n")[1] == [
        "digest.yaml:1: `permalinks` must be a mapping such as `article: /{year}/{month}/{slug}/`"]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_not_a_mapping(make_site: MakeSite, text: str) -> None:
    assert load(make_site, text) == (SiteConfig(), [
        "digest.yaml:1: is not a list of `key: value` settings\n"
        "    Write settings one per line, such as `title: My Digest`."])


def test_yaml_syntax_error_names_the_line(make_site: MakeSite) -> None:
    assert load(make_site, "language: en\ntitle: Paris: the talks\n") == (SiteConfig(), [
        "digest.yaml:2: a value contains `: `\n"
        '    Put the whole value in double quotes: title: "Paris: the talks".'])


def test_not_utf8(make_site: MakeSite) -> None:
    site = make_site({})
    (site / "digest.yaml").write_bytes(b"title: Caf\xe9 Digest\n")
    config, problems = load_config(site)
    assert config == SiteConfig()
    assert [str(p) for p in problems] == ["digest.yaml: is not UTF-8 text\n    Save it as UTF-8."]


# ---------------------------------------------------------------------------
# load_yaml, top_level_key_lines, as_text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("date: 2015-11-30\n", {"date": "2015-11-30"}),  # timestamps stay text, for our own date parser
        ("date: 2015-11-30 14:05:00\n", {"date": "2015-11-30 14:05:00"}),
        ("date: 2015-11-30T14:05:00Z\n", {"date": "2015-11-30T14:05:00Z"}),
        ("date: 2015-11-30 9:05:00 +0200\n", {"date": "2015-11-30 9:05:00 +0200"}),
        ("dates: [2015-11-30, 2016-01-01]\n", {"dates": ["2015-11-30", "2016-01-01"]}),
        ("n: 10\nx: 2.5\nb: true\nnothing:\n", {"n": 10, "x": 2.5, "b": True, "nothing": None}),
        ("topics: [Syria, Russia–Israel relations]\n", {"topics": ["Syria", "Russia–Israel relations"]}),
        ("", None),
    ],
)
def test_load_yaml(text: str, value: object) -> None:
    assert load_yaml(text) == value


@pytest.mark.parametrize(
    ("text", "line", "message", "hint"),
    [
        ("title: x\ntitle2: Paris: the talks\n", 7, "a value contains `: `",
         'Put the whole value in double quotes: title: "Paris: the talks".'),
        ("title: *star\n", 6, "a value starts with `*`, which YAML reads as a reference",
         "Put the value in double quotes."),
        ("title: x\npeople:\n  - a\n - b\n", 9, "this line is indented differently from the ones around it",
         "Line up list items (`- name`) under their key, with spaces."),
        ("title: x\nnot a key\ndate: y\n", 8, "this line is not `key: value`",
         "Each line of front matter is `key: value`, or a `- item` under a list key."),
        ("title: !!python/object:os.system x\n", 6,
         "this YAML uses a tag that is not allowed (could not determine a constructor for the tag "
         "'tag:yaml.org,2002:python/object:os.system')",
         "Remove the `!` tag: front matter holds plain text, numbers, lists and dates."),
    ],
)
def test_yaml_problems(text: str, line: int, message: str, hint: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=6)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (line, message, hint)


@pytest.mark.parametrize("text", ["topics: [Syria, Russia\nsummary: x\n", "topics: [Syria, Russia\n"])
def test_unclosed_list(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert caught.value.message == "a `[` list is not closed"
    assert caught.value.hint == "End the list with `]`, and put items containing `,` or `:` in quotes."


@pytest.mark.xfail(strict=True, reason="BUG: load_yaml reports the line where libyaml gave up (the next "
                                       "line, or past the end), not the line of the `[` or quote")
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\ntopics: [Syria, Russia\nsummary: x\nsource: y\n", 3),  # the `[` is on line 3 (2 + 1)
        ("topics: [Syria, Russia\n", 2),
        ('title: "Paris\nsummary: x\n', 2),
    ],
)
def test_unclosed_list_or_quote_names_the_line_it_opens_on(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert caught.value.line == line


def test_unclosed_quote() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml('title: "Paris\nsummary: x\n', first_line=2)
    assert (caught.value.message, caught.value.hint) == (
        "a quoted value is not closed", "End it with the same quote it starts with.")


@pytest.mark.xfail(strict=True, reason="BUG: config._explain matches PyYAML's pure-Python wording "
                                       "(\"found character '\\t'\"); with libyaml a tab gets the generic "
                                       "message")
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: x\n\tdate: 2015-11-30\n", 3),
        ("people:\n\t- Vladimir Putin\n", 3),
        ("people:\n  - Vladimir Putin\n\t- Benjamin Netanyahu\n", 4),
    ],
)
def test_tab_indentation(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text, first_line=2)
    assert (caught.value.line, caught.value.message, caught.value.hint) == (
        line, "a tab is used for indentation", "Indent with spaces.")


@pytest.mark.xfail(strict=True, reason="BUG: with libyaml, a value starting with `@` or a backquote gets "
                                       "the generic message")
@pytest.mark.parametrize("text", ["title: @putin\n", "title: `putin`\n"])
def test_reserved_first_character(text: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml(text)
    assert caught.value.message == "a value starts with a character YAML reserves (`@` or a backquote)"


@pytest.mark.parametrize(
    ("text", "first_line", "lines"),
    [
        ("title: a\ndate: b\ntitle: c\n", 1, {"title": [1, 3], "date": [2]}),
        ("title: a\ndate: b\n", 2, {"title": [2], "date": [3]}),
        ("people:\n  - a\n  - b\ntopics: [x]\n", 1, {"people": [1], "topics": [4]}),
        ("'quoted key': 1\n\"double\": 2\n", 1, {"quoted key": [1], "double": [2]}),
        ("title:\n", 1, {"title": [1]}),
        ("title:x\n", 1, {}),  # not a key: YAML reads the whole line as text
        ("# title: x\n", 1, {}),
        ("  nested: x\n", 1, {}),
        ("- item: x\n", 1, {}),
        ("summary: >\n  title: not a key\n", 1, {"summary": [1]}),
        ("", 1, {}),
    ],
)
def test_top_level_key_lines(text: str, first_line: int, lines: dict[str, list[int]]) -> None:
    assert top_level_key_lines(text, first_line) == lines


@pytest.mark.parametrize(
    ("value", "text"),
    [("Syria", "Syria"), (1984, "1984"), (2.5, "2.5"), (True, "true"), (False, "false"),
     (["a"], None), ({"a": 1}, None), (None, None)],
)
def test_as_text(value: object, text: str | None) -> None:
    assert as_text(value) == text
