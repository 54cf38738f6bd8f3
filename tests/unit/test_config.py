"""digest.yaml → SiteConfig (digest/read/config.py); the YAML reading itself is tests/unit/test_yamlread.py."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from digest.read.editions import EDITION_SETTINGS, SMTP_SETTINGS
from digest.read.config import IMPORT_SETTINGS, MARKDOWN_SETTINGS, PERMALINK_SETTINGS, SETTINGS, Setting, load_config
from digest.model import MarkdownOptions, SiteConfig, UsageError

MakeSite = Callable[..., Path]

BASE_URL_HINT = "Write the address the site will be published at: `base_url: https://example.org/news/`."
PATTERN_HINT = ("Example: `article: /{year}/{month}/{slug}/`; placeholders: {year}, {month}, {day}, {slug}.")
PER_PAGE_HINT = "    Write how many articles a list page shows, such as `per_page: 10`."
TOC_LEVELS = ("digest.yaml:1: `markdown.toc_levels` must be two heading levels, from the higher to the lower\n"
              "    Write `toc_levels: [2, 3]` for `##` and `###` headings.")
KNOWN = ("Known settings: `title`, `description`, `base_url`, `language`, `timezone`, `theme`, `per_page`, "
         "`feed_size`, `related`, `permalinks`, `markdown`, `search`, `domain`, `theme_options`, `params`, `languages`, "
         "`default_language_in_subdir`, `import`, `editions`, `smtp`.")


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
        ("markdown:\n  highlight:\n", "markdown", MarkdownOptions()),  # in a nested setting too
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


def test_free_keys_get_yaml_1_2_types(make_site: MakeSite) -> None:
    # theme_options and params are the theme's: YAML 1.2's true/false and numbers, the rest as written
    config, problems = load(make_site, 'theme_options: {dark: True, columns: 3, ratio: 1.5, "off": "3"}\n'
                                       "params:\n  country: NO\n  answer: yes\n  since: 0042\n  time: 12:30\n")
    assert problems == []
    assert dict(config.theme_options) == {"dark": True, "columns": 3, "ratio": 1.5, "off": "3"}
    assert dict(config.meta) == {"country": "NO", "answer": "yes", "since": 42, "time": "12:30"}


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("markdown: {unsafe_html: yes}\n", "markdown", MarkdownOptions(unsafe_html=True)),
        ("markdown: {unsafe_html: On}\n", "markdown", MarkdownOptions(unsafe_html=True)),
        ("markdown: {unsafe_html: TRUE}\n", "markdown", MarkdownOptions(unsafe_html=True)),
        ("markdown: {highlight: no}\n", "markdown", MarkdownOptions(highlight=False)),
        ("markdown: {highlight: 'no'}\n", "markdown", MarkdownOptions(highlight=False)),
        ("markdown: {highlight: OFF}\n", "markdown", MarkdownOptions(highlight=False)),
        ("markdown: {highlight: False}\n", "markdown", MarkdownOptions(highlight=False)),
        ("per_page: 010\n", "per_page", 10),
        ("title: true\n", "title", "true"),
        ("title: 0042\n", "title", "0042"),
        ("language: no\n", "language", "no"),  # Norwegian, not false
    ],
)
def test_values_are_read_from_their_text(make_site: MakeSite, text: str, field: str, value: object) -> None:
    config, problems = load(make_site, text)
    assert problems == []
    assert getattr(config, field) == value


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


@pytest.mark.parametrize("option", ["example.org", "ftp://example.org/", "https://"])
def test_a_bad_base_url_option_is_a_usage_error(make_site: MakeSite, option: str) -> None:
    # the option is the user's command line, not the site: no file, no line, exit 2 (tests/test_cli.py)
    with pytest.raises(UsageError) as caught:
        load(make_site, "base_url: https://example.org/\n", base_url=option)
    assert str(caught.value) == (f"--base-url {option}: not an absolute http(s) URL; write it in full, "
                                 "such as --base-url https://example.org/news/")


def test_an_empty_base_url_option_is_named_as_empty(make_site: MakeSite) -> None:
    with pytest.raises(UsageError) as caught:
        load(make_site, "base_url: https://example.org/\n", base_url="")
    assert str(caught.value) == ('--base-url "": is empty; write the address in full, such as '
                                 "--base-url https://example.org/news/")


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
        ("title: [a, b]\n", "digest.yaml:1: `title` must be text, not a list\n"
         "    Write one value on the line: `title: ...`, in double quotes if it starts with `[` or `{`."),
        ("description: {a: 1}\n", "digest.yaml:1: `description` must be text, not a mapping\n"
         "    Write one value on the line: `description: ...`, in double quotes if it starts with `[` or `{`."),
        ("per_page: 0\n", 'digest.yaml:1: `per_page` must be a whole number of at least 1, not "0"\n' + PER_PAGE_HINT),
        ("per_page: ten\n",
         'digest.yaml:1: `per_page` must be a whole number of at least 1, not "ten"\n' + PER_PAGE_HINT),
        ("per_page: [1]\n",
         "digest.yaml:1: `per_page` must be a whole number of at least 1, not a list\n" + PER_PAGE_HINT),
        ("per_page: 1.0\n",
         'digest.yaml:1: `per_page` must be a whole number of at least 1, not "1.0"\n' + PER_PAGE_HINT),
        ("feed_size: 2.5\n", 'digest.yaml:1: `feed_size` must be a whole number of at least 1, not "2.5"\n'
         "    Write how many articles a feed holds, such as `feed_size: 20`."),
        ("related: -1\n", 'digest.yaml:1: `related` must be a whole number of at least 0, not "-1"\n'
         "    Write how many related articles an article shows, such as `related: 5`."),
        ("theme_options: 3\n",
         'digest.yaml:1: `theme_options` must be a mapping of names to values, not "3"\n'
         "    Write `theme_options:`, then one `  name: value` per line."),
        ("params: [a]\n", "digest.yaml:1: `params` must be a mapping of names to values, not a list\n"
         "    Write `params:`, then one `  name: value` per line."),
        ("markdown: true\n", 'digest.yaml:1: `markdown` must be a mapping, not "true"\n'
         "    Write `markdown:`, then settings such as `  unsafe_html: true` on their own lines."),
        ("markdown: {unsafe_html: 1}\n", 'digest.yaml:1: `markdown.unsafe_html` must be true or false, not "1"\n'
         "    Write `unsafe_html: true` or `unsafe_html: false`."),
        ("markdown: {highlight: maybe}\n",
         'digest.yaml:1: `markdown.highlight` must be true or false, not "maybe"\n'
         "    Write `highlight: true` or `highlight: false`."),
        ("markdown: {highlight: [yes]}\n",
         "digest.yaml:1: `markdown.highlight` must be true or false, not a list\n"
         "    Write `highlight: true` or `highlight: false`."),
        ("markdown: {toc_levels: [3, 2]}\n", TOC_LEVELS),
        ("markdown: {toc_levels: [1, 7]}\n", TOC_LEVELS),
        ("markdown: {toc_levels: 2}\n", TOC_LEVELS),
        ("markdown: {toc_levels: [two, three]}\n", TOC_LEVELS),
    ],
)
def test_wrong_types(make_site: MakeSite, text: str, problem: str) -> None:
    assert load(make_site, text)[1] == [problem]


def test_a_boolean_where_a_number_belongs_is_shown_as_written(make_site: MakeSite) -> None:
    assert load(make_site, "per_page: true\n")[1] == [
        'digest.yaml:1: `per_page` must be a whole number of at least 1, not "true"\n' + PER_PAGE_HINT]


def test_a_key_written_twice_is_a_warning_naming_both_lines(make_site: MakeSite) -> None:
    config, problems = load(make_site, "title: x\nper_page: 0\ntitle: y\n")
    assert sorted(problems) == [
        'digest.yaml:2: `per_page` must be a whole number of at least 1, not "0"\n' + PER_PAGE_HINT,
        "digest.yaml:3: warning: `title` is given twice (lines 1, 3)\n"
        "    Remove the one you do not mean; the last one is used.",
    ]
    assert config.title == "y"


def test_every_problem_of_the_file_is_reported(make_site: MakeSite) -> None:
    _, problems = load(make_site, "titel: x\nper_page: 0\ntimezone: Mars/Base\n")
    assert [p.split("\n")[0] for p in problems] == [
        "digest.yaml:1: unknown setting `titel`",
        'digest.yaml:2: `per_page` must be a whole number of at least 1, not "0"',
        "digest.yaml:3: unknown timezone `Mars/Base`",
    ]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("example.org", '"example.org"'),
        ("example.org/news/", '"example.org/news/"'),
        ("ftp://example.org/", '"ftp://example.org/"'),
        ("https://", '"https://"'),
        ("'https://exa mple.org/'", '"https://exa mple.org/"'),
        ("https://example.org/?page=1", '"https://example.org/?page=1"'),
        ("3", '"3"'),
        ("[https://example.org/]", "a list"),
    ],
)
def test_bad_base_url(make_site: MakeSite, written: str, shown: str) -> None:
    assert load(make_site, f"base_url: {written}\n")[1] == [
        f"digest.yaml:1: `base_url` must be an absolute http(s) URL, not {shown}\n    {BASE_URL_HINT}"]


@pytest.mark.parametrize("zone", ["Mars/Base", "../../etc/passwd", "utc+2"])
def test_bad_timezone(make_site: MakeSite, zone: str) -> None:
    assert load(make_site, f"title: x\ntimezone: {zone}\n")[1] == [
        f"digest.yaml:2: unknown timezone `{zone}`\n"
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
        ("5", "must start and end with `/`"),  # a number is its text
        ("[\"/{slug}/\"]", "must be text, not a list"),
    ],
)
def test_bad_permalink_pattern(make_site: MakeSite, pattern: str, error: str) -> None:
    config, problems = load(make_site, f"permalinks: {{article: {pattern}}}\n")
    assert problems == [f"digest.yaml:1: `permalinks.article` {error}\n    {PATTERN_HINT}"]
    assert config.article_url == "/{year}/{month}/{slug}/"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: x\npermalinks:\n  article: /{slug}\n",
         "digest.yaml:3: `permalinks.article` must start and end with `/`\n    " + PATTERN_HINT),
        ("markdown:\n  toc_levels: [2, 3]\n  highlight: maybe\n",
         'digest.yaml:3: `markdown.highlight` must be true or false, not "maybe"\n'
         "    Write `highlight: true` or `highlight: false`."),
        ("markdown:\n  toc_level: [2, 3]\n",
         "digest.yaml:2: unknown setting `markdown.toc_level`\n    Did you mean `toc_levels`?"),
    ],
)
def test_a_nested_setting_s_problem_names_its_own_line(make_site: MakeSite, text: str, problem: str) -> None:
    assert load(make_site, text)[1] == [problem]


def test_permalinks_must_be_a_mapping(make_site: MakeSite) -> None:
    assert load(make_site, "permalinks: /{slug}/\n")[1] == [
        'digest.yaml:1: `permalinks` must be a mapping, not "/{slug}/"\n'
        "    Write it on two lines: `permalinks:`, then `  article: /{year}/{month}/{slug}/`."]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_not_a_mapping(make_site: MakeSite, text: str) -> None:
    assert load(make_site, text) == (SiteConfig(), [
        "digest.yaml:1: is not a list of `key: value` settings\n"
        "    Write settings one per line, such as `title: My Digest`."])


def test_yaml_syntax_error_names_the_line(make_site: MakeSite) -> None:
    assert load(make_site, "language: en\ntitle: Paris: the talks\n") == (SiteConfig(), [
        "digest.yaml:2: a value contains `: `\n"
        '    Put the whole value in double quotes: title: "Paris: the talks"'])


def test_not_utf8(make_site: MakeSite) -> None:
    site = make_site({})
    (site / "digest.yaml").write_bytes(b"title: Caf\xe9 Digest\n")
    config, problems = load_config(site)
    assert config == SiteConfig()
    assert [str(p) for p in problems] == ["digest.yaml: is not UTF-8 text\n    Save it as UTF-8."]


# ---------------------------------------------------------------------------
# the table of settings is the one list of them


def setting_names() -> set[str]:
    nested = {"markdown": MARKDOWN_SETTINGS, "permalinks": PERMALINK_SETTINGS, "import": IMPORT_SETTINGS,
              "editions": EDITION_SETTINGS, "smtp": SMTP_SETTINGS}
    return {f"{s.key}.{n.key}" if s.key in nested else s.key
            for s in SETTINGS for n in nested.get(s.key, (s,))}


def test_the_readme_lists_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("| key | default | meaning |", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"^\| `([\w.]+)` \|", table, re.MULTILINE))
    assert listed == setting_names()


@pytest.mark.parametrize("setting", [*SETTINGS, *MARKDOWN_SETTINGS, *PERMALINK_SETTINGS, *IMPORT_SETTINGS,
                                     *EDITION_SETTINGS, *SMTP_SETTINGS],
                         ids=lambda s: s.key)
def test_every_setting_sets_a_field_and_says_what_it_is_for(setting: Setting) -> None:
    assert setting.field in {f.name for f in dataclasses.fields(setting.owner)}
    assert setting.about.strip()


def test_a_setting_s_default_is_its_field_s() -> None:
    per_page = next(s for s in SETTINGS if s.key == "per_page")
    assert (per_page.default, MARKDOWN_SETTINGS[1].default) == (10, (2, 3))
