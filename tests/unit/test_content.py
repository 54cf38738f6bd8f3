"""Discover and parse: content/**/*.md → Articles and TermPages (digest/read/discover.py, frontmatter.py, content.py)."""

from __future__ import annotations

import datetime
import shlex
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from digest.build import build
from digest.read.content import parse_article, parse_term_page
from digest.read.discover import scan
from digest.read.files import is_ignored
from digest.model import Article, SiteConfig, SourceFile, TermPage

MakeSite = Callable[..., Path]

CONFIG = SiteConfig()
PATH = "content/2015/11/putin-paris.md"

EXAMPLE = """
    ---
    title: Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris
    date: 2015-11-30
    source: The Times of Israel
    source_url: https://www.timesofisrael.com/
    people:
      - Vladimir Putin
      - Benjamin Netanyahu
      - Moshe Ya'alon
      - Mahmoud Abbas
    topics: [Russia–Israel relations, Syria, Paris climate conference]
    summary: Leaders agree to deepen military coordination to avoid clashes over Syria.
    ---

    Following talks at the international climate change conference in Paris, ...
"""

DATE_HINT = ("Write it as YYYY-MM-DD (`date: 2015-11-30`), or one of: 2015-11-30, 2015-11-30 14:05, "
             "2015-11-30T14:05:00+02:00, 2015-11-30T14:05:00Z, 2015-11-30 9:05:00 +0200 "
             "or Mon, 30 Nov 2015 14:05:00 +0200.")
NO_FRONT_MATTER_HINT = ("Start the file with a line `---`, then `title:` and `date:` lines, then `---`. "
                        "Did you forget the `---` lines?")
SLUG_HINT = ("A slug is one folder name: letters of any script, digits, and `-`, `_` or `.` between them, "
             "such as `slug: putin-paris`.")


def data_of(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n").encode("utf-8")


def parse(text: str | bytes, path: str = PATH, config: SiteConfig = CONFIG) -> tuple[Article | None, list[str]]:
    source = SourceFile(path=path, abs_path="/nowhere/" + path, kind="article")
    article, problems = parse_article(source, data_of(text), config, config.url_for)
    return article, [str(p) for p in problems]


def parse_ok(text: str | bytes, path: str = PATH, config: SiteConfig = CONFIG) -> Article:
    article, problems = parse(text, path, config)
    assert problems == []
    assert article is not None
    return article


def front(*lines: str, body: str = "Body.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


# ---------------------------------------------------------------------------
# discover


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        (".draft.md", True), ("a.md~", True), (".#a.md", True), ("#a.md#", True), ("a.md.swp", True),
        ("a.md.swx", True), ("a.md.tmp", True), ("4913", True), ("~a.md", True), (".git", True),
        ("a.md", False), ("2015", False), ("people", False),
    ],
)
def test_is_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(name) is ignored


def test_scan(make_site: MakeSite) -> None:
    names = ["content/z.md", "content/a.md", "content/2015/11/putin.md", "content/2015/11/abbas.md",
             "content/people/vladimir-putin.md", "content/topics/syria.md", "content/drafts/deep/er/x.md",
             "content/people/sub/nested.md",
             # not articles
             "content/.hidden.md", "content/a.md~", "content/.#a.md", "content/#a.md#", "content/a.md.swp",
             "content/4913", "content/.git/x.md", "content/2015/.drafts/y.md", "content/map.png",
             "content/notes.txt", "static/x.md", "templates/x.md"]
    site = make_site({name: "x\n" for name in names})
    found, assets = scan(site)
    assert [(s.path, s.kind) for s in found] == [
        ("content/2015/11/abbas.md", "article"),
        ("content/2015/11/putin.md", "article"),
        ("content/a.md", "article"),
        ("content/drafts/deep/er/x.md", "article"),
        ("content/people/sub/nested.md", "article"),  # only files right in people/ are term pages
        ("content/people/vladimir-putin.md", "people"),
        ("content/topics/syria.md", "topics"),
        ("content/z.md", "article"),
    ]
    assert Path(found[0].abs_path) == site / "content/2015/11/abbas.md"
    # the other files beside them are copied to the output as they are
    assert assets == ["content/map.png", "content/notes.txt"]


def test_scan_without_content(tmp_path: Path) -> None:
    assert scan(tmp_path) == ([], [])


# ---------------------------------------------------------------------------
# a good article


def test_the_contracts_example() -> None:
    article = parse_ok(EXAMPLE)
    assert article.path == PATH
    assert article.title == "Putin, Netanyahu Hail Improved Military Coordination After Meeting in Paris"
    assert article.date == datetime.datetime(2015, 11, 30, tzinfo=datetime.timezone.utc)
    assert article.date.tzinfo is not None
    assert article.updated is None
    assert article.source == "The Times of Israel"
    assert article.source_url == "https://www.timesofisrael.com/"
    assert article.people == ("Vladimir Putin", "Benjamin Netanyahu", "Moshe Ya'alon", "Mahmoud Abbas")
    assert article.topics == ("Russia–Israel relations", "Syria", "Paris climate conference")
    assert article.summary == "Leaders agree to deepen military coordination to avoid clashes over Syria."
    assert article.body_html == "<p>Following talks at the international climate change conference in Paris, ...</p>\n"
    assert article.slug == "putin-paris"
    assert article.url == "/2015/11/putin-paris/"
    assert article.draft is False
    assert (article.image, article.image_alt) == (None, None)
    assert dict(article.meta) == {}
    assert article.words == 10
    assert article.reading_time == 1
    assert len(article.content_hash) == 32


def test_links_stories_and_contents_read_back_as_they_were_written() -> None:
    # kept packed in strings (`Article.link_text`, `story_text`, `toc_text`), read back as tuples
    article = parse_ok(front(
        "title: T", "date: 2015-11-30", "source_url: https://www.bbc.com/news/world-1?utm_source=x",
        body="## Talks in \"Paris\"\tand tabs\n\nSee [one](https://example.org/2015/story) and\n"
             "[the front page](https://www.reuters.com/), then [two](http://example.org/2015/story#top).\n\n"
             "### Later [on](https://example.org/a%09b?x=1&y=2)\n"))
    assert article.source_url_line == 4
    assert article.links == (("https://example.org/2015/story", 8), ("https://www.reuters.com/", 9),
                             ("http://example.org/2015/story#top", 9), ("https://example.org/a%09b?x=1&y=2", 11))
    assert article.stories == (
        ("bbc.com/news/world-1", "https://www.bbc.com/news/world-1?utm_source=x", 4),
        ("example.org/2015/story", "https://example.org/2015/story", 8),
        ("example.org/2015/story", "http://example.org/2015/story#top", 9),
        ("example.org/a%09b?x=1&y=2", "https://example.org/a%09b?x=1&y=2", 11))
    assert article.story_keys() == [key for key, _, _ in article.stories]
    assert [(e.level, e.id, e.title) for e in article.toc] == [
        (2, "talks-in-paris-and-tabs", 'Talks in "Paris" and tabs'), (3, "later-on", "Later on")]
    bare = parse_ok(front("title: T", "date: 2015-11-30"))
    assert (bare.links, bare.stories, bare.story_keys(), bare.toc) == ((), (), [], ())


def test_same_bytes_same_hash() -> None:
    assert parse_ok(EXAMPLE).content_hash == parse_ok(EXAMPLE).content_hash
    assert parse_ok(EXAMPLE).content_hash != parse_ok(data_of(EXAMPLE) + b"More.\n").content_hash


@pytest.mark.parametrize(
    ("path", "lines", "slug", "url"),
    [
        ("content/2015/11/putin-paris.md", ["date: 2015-11-30"], "putin-paris", "/2015/11/putin-paris/"),
        ("content/2015-11-30-putin-paris.md", ["date: 2015-11-30"], "putin-paris", "/2015/11/putin-paris/"),
        ("content/2015-11-30-putin-paris.md", [], "putin-paris", "/2015/11/putin-paris/"),  # date from the name
        ("content/Putin Paris.md", ["date: 2015-11-30"], "putin-paris", "/2015/11/putin-paris/"),
        ("content/Путин в Париже.md", ["date: 2015-11-30"], "putin-v-parizhe", "/2015/11/putin-v-parizhe/"),
        ("content/2015-11-30.md", ["date: 2015-11-30"], "2015-11-30", "/2015/11/2015-11-30/"),
        ("content/a.md", ["date: 2015-11-30", "slug: paris-talks"], "paris-talks", "/2015/11/paris-talks/"),
        ("content/a.md", ["date: 2015-11-30", "slug: 42"], "42", "/2015/11/42/"),
        ("content/a.md", ["date: 2015-11-30", "slug: Putin_Paris.2"], "Putin_Paris.2", "/2015/11/Putin_Paris.2/"),
        # the front matter's date wins over the file name's
        ("content/2015-11-30-putin.md", ["date: 2016-01-02"], "putin", "/2016/01/putin/"),
    ],
)
def test_slug_and_url(path: str, lines: list[str], slug: str, url: str) -> None:
    article = parse_ok(front("title: x", *lines), path)
    assert (article.slug, article.url) == (slug, url)


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("/{slug}/", "/putin-paris/"),
        ("/{year}/{month}/{day}/{slug}/", "/2015/11/30/putin-paris/"),
        ("/news/{year}/{slug}/", "/news/2015/putin-paris/"),
    ],
)
def test_url_follows_the_permalink_pattern(pattern: str, url: str) -> None:
    config = SiteConfig(article_url=pattern)
    assert parse_ok(front("title: x", "date: 2015-11-30"), config=config).url == url


@pytest.mark.parametrize(
    ("timezone", "written", "iso", "url"),
    [
        ("UTC", "2015-11-30", "2015-11-30T00:00:00+00:00", "/2015/11/putin-paris/"),
        ("Europe/Paris", "2015-11-30", "2015-11-30T00:00:00+01:00", "/2015/11/putin-paris/"),
        ("Europe/Paris", "2015-11-30 14:05", "2015-11-30T14:05:00+01:00", "/2015/11/putin-paris/"),
        ("UTC", "2015-12-31T23:30:00-05:00", "2015-12-31T23:30:00-05:00", "/2016/01/putin-paris/"),
        ("America/New_York", "2015-12-31T23:30:00-05:00", "2015-12-31T23:30:00-05:00", "/2015/12/putin-paris/"),
        ("UTC", '"Mon, 30 Nov 2015 14:05:00 +0200"', "2015-11-30T14:05:00+02:00", "/2015/11/putin-paris/"),
        ("UTC", "2015-11-30 9:05:00 +0200", "2015-11-30T09:05:00+02:00", "/2015/11/putin-paris/"),
    ],
)
def test_date_and_the_site_timezone(timezone: str, written: str, iso: str, url: str) -> None:
    article = parse_ok(front("title: x", f"date: {written}"), config=SiteConfig(timezone=timezone))
    assert (article.date.isoformat(), article.url) == (iso, url)


def test_date_from_the_file_name_is_in_the_site_timezone() -> None:
    article = parse_ok(front("title: x"), "content/2015-11-30-putin.md", SiteConfig(timezone="Europe/Paris"))
    assert article.date.isoformat() == "2015-11-30T00:00:00+01:00"


def test_updated() -> None:
    article = parse_ok(front("title: x", "date: 2015-11-30", "updated: 2016-01-02 10:00"))
    assert article.updated is not None
    assert article.updated.isoformat() == "2016-01-02T10:00:00+00:00"


@pytest.mark.parametrize(
    ("lines", "people", "topics"),
    [
        (["people: Vladimir Putin", "topics: Syria"], ("Vladimir Putin",), ("Syria",)),
        (["people: [Vladimir Putin]", "topics: [Syria, Paris climate conference]"],
         ("Vladimir Putin",), ("Syria", "Paris climate conference")),
        (["people:", "  - Vladimir Putin", "  - Benjamin Netanyahu"], ("Vladimir Putin", "Benjamin Netanyahu"), ()),
        (["people: ['  Benjamin   Netanyahu ', Benjamin Netanyahu]"], ("Benjamin Netanyahu",), ()),
        (["topics: [1984, Syria]"], (), ("1984", "Syria")),
        # a boolean where a name belongs is its text (the contract's "Forgiving"): NO is Norway's code
        (["topics: [NO, yes]"], (), ("NO", "yes")),
        (["topics:", "  - Syria", "  - off", "  - On"], (), ("Syria", "off", "On")),
        (["people: [Syria, Yes]", "topics: True"], ("Syria", "Yes"), ("True",)),
        (["topics: [Syria, '', Iran]"], (), ("Syria", "Iran")),
        (["people:", "topics:"], (), ()),
        (["people: []"], (), ()),
    ],
)
def test_people_and_topics(lines: list[str], people: tuple[str, ...], topics: tuple[str, ...]) -> None:
    article = parse_ok(front("title: x", "date: 2015-11-30", *lines))
    assert (article.people, article.topics) == (people, topics)


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("1984", "1984"),
        ("42", "42"),
        ("3.0", "3.0"),
        ("2015-11-30", "2015-11-30"),  # YAML's timestamps are not dates here: text stays text
        ("'yes'", "yes"),
        ('"1.50"', "1.50"),
    ],
)
def test_numbers_and_booleans_are_taken_as_their_text(written: str, text: str) -> None:
    article = parse_ok(front(f"title: {written}", "date: 2015-11-30", f"slug: {written}", f"source: {written}"))
    assert (article.title, article.slug, article.source) == (text, text, text)


@pytest.mark.parametrize(
    ("written", "text"),
    [("Yes", "Yes"), ("No", "No"), ("off", "off"), ("1.50", "1.50"), ("0042", "0042"), ("0x1F", "0x1F"),
     ("12:30", "12:30"), ("1_000", "1_000")],
)
def test_yaml_11_scalars_are_taken_as_their_text(written: str, text: str) -> None:
    article = parse_ok(front(f"title: {written}", "date: 2015-11-30", f"source: {written}"))
    assert (article.title, article.source) == (text, text)


def test_a_slug_that_looks_like_an_octal_number_is_its_text() -> None:
    assert parse_ok(front("title: x", "date: 2015-11-30", "slug: 0042")).slug == "0042"


@pytest.mark.parametrize(
    ("lines", "field", "value"),
    [
        (["summary:"], "summary", "Body."),  # empty: the first paragraph
        (["summary: ''"], "summary", "Body."),
        (["source:"], "source", None),
        (["source_url:"], "source_url", None),
        (["image:"], "image", None),
        (["draft:"], "draft", False),
        (["updated:"], "updated", None),
        (["slug:"], "slug", "putin-paris"),
        (["people:"], "people", ()),
        (["summary: null"], "summary", "Body."),
        (["summary: ~"], "summary", "Body."),
    ],
)
def test_an_empty_value_is_the_same_as_leaving_the_key_out(lines: list[str], field: str, value: object) -> None:
    assert getattr(parse_ok(front("title: x", "date: 2015-11-30", *lines)), field) == value


def test_summary_defaults_to_the_first_paragraph_as_plain_text() -> None:
    article = parse_ok(front("title: x", "date: 2015-11-30",
                             body="## Heading\n\nThe *first* [paragraph](https://x.org/).\n\nThe second.\n"))
    assert article.summary == "The first paragraph."


@pytest.mark.parametrize(
    ("draft", "value"),
    [("true", True), ("false", False), ("yes", True), ("no", False), ("True", True), ("FALSE", False),
     ("Yes", True), ("NO", False), ("on", True), ("Off", False), ("'yes'", True)],
)
def test_draft(draft: str, value: bool) -> None:
    assert parse_ok(front("title: x", "date: 2015-11-30", f"draft: {draft}")).draft is value


def test_other_keys_are_kept_in_meta_read_only() -> None:
    article = parse_ok(front("title: x", "date: 2015-11-30", "layout: wide", "region: Middle East",
                             "tags: [a, b]", "rating: 4"))
    assert isinstance(article.meta, Mapping)
    assert dict(article.meta) == {"layout": "wide", "region": "Middle East", "tags": ["a", "b"], "rating": 4}


def test_meta_values_have_yaml_1_2_types() -> None:
    # free keys are for templates: true/false and numbers are typed, YAML 1.1's yes/no/0042/12:30 are not
    article = parse_ok(front("title: x", "date: 2015-11-30", "featured: true", "hidden: False", "rank: 3",
                             "score: 1.50", "answer: yes", "country: NO", "code: 0042", "time: 12:30",
                             "quoted: '4'", "list: [1, on]"))
    assert dict(article.meta) == {"featured": True, "hidden": False, "rank": 3, "score": 1.5, "answer": "yes",
                                  "country": "NO", "code": 42, "time": "12:30", "quoted": "4", "list": [1, "on"]}
    with pytest.raises(TypeError):
        article.meta["layout"] = "narrow"  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "image", "resolved"),
    [
        ("content/2015/11/putin.md", "photo.jpg", "/2015/11/photo.jpg"),
        ("content/2015/11/putin.md", "../photos/putin.jpg", "/2015/photos/putin.jpg"),
        ("content/putin.md", "photo.jpg", "/photo.jpg"),
        ("content/putin.md", "https://example.org/a.jpg", "https://example.org/a.jpg"),
        ("content/putin.md", "HTTP://example.org/a.jpg", "HTTP://example.org/a.jpg"),
        ("content/Über Ordner/putin.md", "\"photo #1 é.jpg\"", "/%C3%9Cber%20Ordner/photo%20%231%20%C3%A9.jpg"),
    ],
)
def test_image(path: str, image: str, resolved: str) -> None:
    article = parse_ok(front("title: x", "date: 2015-11-30", f"image: {image}", "image_alt: Putin in Paris"), path)
    assert (article.image, article.image_alt) == (resolved, "Putin in Paris")


# ---------------------------------------------------------------------------
# forgiving where the meaning is clear


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: x\ndate: 2015-11-30\n---\nBody.\n",
        b"\xef\xbb\xbf---\ntitle: x\ndate: 2015-11-30\n---\nBody.\n",  # byte-order mark
        b"\n\n---\ntitle: x\ndate: 2015-11-30\n---\nBody.\n",  # blank lines first
        b"\xef\xbb\xbf\n  \n---\ntitle: x\ndate: 2015-11-30\n---\nBody.\n",
        b"---\r\ntitle: x\r\ndate: 2015-11-30\r\n---\r\nBody.\r\n",  # CRLF
        b"---  \ntitle: x\ndate: 2015-11-30\n--- \t\nBody.\n",  # trailing spaces on the fences
        b"---  \r\ntitle: x\r\ndate: 2015-11-30\r\n---  \r\nBody.\r\n",
    ],
)
def test_forgiving_file_shapes(data: bytes) -> None:
    article = parse_ok(data)
    assert (article.title, article.date.date(), article.body_html) == (
        "x", datetime.date(2015, 11, 30), "<p>Body.</p>\n")


@pytest.mark.parametrize(
    "data",
    [
        b"\n\n---\ntitle: x\ndate: yesterday\n---\n",  # two blank lines: `date:` is on line 5
        b"\xef\xbb\xbf\n\n---\r\ntitle: x\r\ndate: yesterday\r\n---\r\n",
    ],
)
def test_line_numbers_count_the_blank_lines_before_the_front_matter(data: bytes) -> None:
    assert parse(data)[1] == [f'{PATH}:5: `date` is "yesterday", not a date\n    {DATE_HINT}']


def test_a_key_written_twice_is_a_warning_naming_both_lines() -> None:
    article, problems = parse(front("title: First", "date: 2015-11-30", "title: Second"))
    assert article is not None and article.title == "Second"  # the last one wins
    assert problems == [f"{PATH}:4: warning: `title` is given twice (lines 2, 4)\n"
                        "    Remove the one you do not mean; the last one is used."]


# ---------------------------------------------------------------------------
# bad input: the exact report


@pytest.mark.parametrize(
    ("text", "path", "problems"),
    [
        pytest.param("Just text.\n", PATH, [f"{PATH}:1: has no front matter\n    {NO_FRONT_MATTER_HINT}"],
                     id="no front matter"),
        pytest.param(b"\n\ntitle: x\n", PATH, [f"{PATH}:3: has no front matter\n    {NO_FRONT_MATTER_HINT}"],
                     id="no fences"),
        pytest.param("---\ntitle: x\ndate: 2015-11-30\nBody.\n", PATH,
                     [f"{PATH}:1: front matter is not closed\n"
                      "    End the front matter with a line `---` before the text of the article."],
                     id="not closed"),
        pytest.param(front("date: 2015-11-30"), PATH,
                     [f"{PATH}:3: has no `title`\n    Add a line `title: The headline` to the front matter."],
                     id="no title"),
        pytest.param(front("title: '  '", "date: 2015-11-30"), PATH,
                     [f"{PATH}:2: has no `title`\n    Add a line `title: The headline` to the front matter."],
                     id="blank title"),
        pytest.param(front("title: [a, b]", "date: 2015-11-30"), PATH,
                     [f"{PATH}:2: `title` is a list, not text\n"
                      "    A value starting with `[` is read as a list; put the title in double quotes."],
                     id="list title"),
        pytest.param(front("title: {a: 1}", "date: 2015-11-30"), PATH,
                     [f"{PATH}:2: `title` is a mapping, not text\n"
                      "    A value starting with `{` is read as a mapping; put the title in double quotes."],
                     id="mapping title"),
        pytest.param(front("title: x"), PATH,
                     [f"{PATH}:3: has no `date`\n    Add `date: 2015-11-30` to the front matter, or start the "
                      "file name with the date (`2015-11-30-title.md`)."],
                     id="no date"),
        pytest.param(front("title: x"), "content/2015-02-30-putin.md",
                     ["content/2015-02-30-putin.md: the date in the file name is 2015-02-30, a day that does "
                      "not exist\n    Rename the file with a real date, or add a `date:` line to the front matter."],
                     id="bad date in the file name"),
        pytest.param(front("title: x"), "content/2015-13-01-putin.md",
                     ["content/2015-13-01-putin.md: the date in the file name is 2015-13-01, a day that does "
                      "not exist\n    Rename the file with a real date, or add a `date:` line to the front matter."],
                     id="bad month in the file name"),
        pytest.param(front("title: x", "summary: s", "date: 30/11/2015"), PATH,
                     [f'{PATH}:4: `date` is "30/11/2015", not a date\n    {DATE_HINT}'],
                     id="date 30/11/2015"),
        pytest.param(front("title: x", "date: yesterday"), PATH,
                     [f'{PATH}:3: `date` is "yesterday", not a date\n    {DATE_HINT}'],
                     id="date yesterday"),
        pytest.param(front("title: x", "date: 2015-02-30"), PATH,
                     [f"{PATH}:3: `date` is 2015-02-30, a day that does not exist\n"
                      "    February 2015 has no day 30: check the day and the month."],
                     id="date 2015-02-30"),
        pytest.param(front("title: x", "date: 2015-11-30 25:00"), PATH,
                     [f'{PATH}:3: `date` is "2015-11-30 25:00", a time that does not exist\n'
                      "    Write the time as HH:MM or HH:MM:SS, from 00:00 to 23:59."],
                     id="date 25:00"),
        pytest.param(front("title: x", "date: [2015-11-30]"), PATH,
                     [f"{PATH}:3: `date` is a list, not a date\n    {DATE_HINT}"],
                     id="date a list"),
        pytest.param(front("title: x", "date: true"), PATH,
                     [f'{PATH}:3: `date` is "true", not a date\n    {DATE_HINT}'],
                     id="date true"),
        pytest.param(front("title: x", "date: 2015-11-30", "updated: 2015-11-31"), PATH,
                     [f"{PATH}:4: `updated` is 2015-11-31, a day that does not exist\n"
                      "    November 2015 has no day 31: check the day and the month."],
                     id="bad updated"),
        pytest.param(front("title: x", "date: 2015-11-30", "slug: ../../escaped"), PATH,
                     [f'{PATH}:4: `slug` "../../escaped" cannot be a URL segment: it holds a `/`\n    {SLUG_HINT}'],
                     id="slug ../../escaped"),
        pytest.param(front("title: x", "date: 2015-11-30", "slug: a/b"), PATH,
                     [f'{PATH}:4: `slug` "a/b" cannot be a URL segment: it holds a `/`\n    {SLUG_HINT}'],
                     id="slug with a slash"),
        pytest.param(front("title: x", "date: 2015-11-30", "slug: putin paris"), PATH,
                     [f'{PATH}:4: `slug` "putin paris" cannot be a URL segment: it holds a space\n    {SLUG_HINT}'],
                     id="slug with a space"),
        pytest.param(front("title: x", "date: 2015-11-30"), "content/!!!.md",
                     ["content/!!!.md: the file name has no letters or digits to make a URL from\n"
                      "    Rename the file, or add a `slug:` line to the front matter."],
                     id="file name without letters"),
        pytest.param(front("title: x", "date: 2015-11-30", "source_url: ftp://example.org/"), PATH,
                     [f'{PATH}:4: `source_url` must be an http or https address, not "ftp://example.org/"\n'
                      "    Write the full address: `source_url: https://www.example.org/`."],
                     id="source_url ftp"),
        pytest.param(front("title: x", "date: 2015-11-30", "source_url: www.timesofisrael.com"), PATH,
                     [f'{PATH}:4: `source_url` must be an http or https address, not "www.timesofisrael.com"\n'
                      "    Write the full address: `source_url: https://www.example.org/`."],
                     id="source_url without scheme"),
        pytest.param(front("title: x", "date: 2015-11-30", "draft: maybe"), PATH,
                     [f'{PATH}:4: `draft` must be true or false, not "maybe"\n'
                      "    Write `draft: true` or `draft: false`."],
                     id="draft maybe"),
        pytest.param(front("title: x", "date: 2015-11-30", "draft: [yes]"), PATH,
                     [f"{PATH}:4: `draft` must be true or false, not a list\n"
                      "    Write `draft: true` or `draft: false`."],
                     id="draft a list"),
        pytest.param(front("title: x", "date: 2015-11-30", "image: ../../../photo.jpg"), PATH,
                     [f'{PATH}:4: `image` "../../../photo.jpg" points outside content/\n'
                      "    Keep images in the content/ folder, next to the article."],
                     id="image ../"),
        pytest.param(front("title: x", "date: 2015-11-30", "image: /etc/photo.jpg"), PATH,
                     [f"{PATH}:4: `image` must be a path beside the file or an http(s) address, not "
                      '"/etc/photo.jpg"\n    Write `image: photo.jpg` for a file next to this one.'],
                     id="image absolute"),
        pytest.param(front("title: x", "date: 2015-11-30", "image: file:///etc/photo.jpg"), PATH,
                     [f"{PATH}:4: `image` must be a path beside the file or an http(s) address, not "
                      '"file:///etc/photo.jpg"\n    Write `image: photo.jpg` for a file next to this one.'],
                     id="image file:"),
        pytest.param(front("title: x", "date: 2015-11-30", body="![map](../../../map.png)\n"), PATH,
                     [f'{PATH}:5: the image "../../../map.png" points outside content/\n'
                      "    Keep images in the content/ folder."],
                     id="body image ../"),
        pytest.param(front("title: x", "date: 2015-11-30", body="One.\n\nTwo ![map](../../../map.png).\n"), PATH,
                     [f'{PATH}:7: the image "../../../map.png" points outside content/\n'
                      "    Keep images in the content/ folder."],
                     id="body image ../ further down"),
        pytest.param(front("title: x", "date: 2015-11-30", "people: [Putin, {a: 1}, '!!!']"), PATH,
                     [f"{PATH}:4: `people` item 2 is a mapping, not a name\n"
                      "    List one name per item: `people: [Vladimir Putin, Benjamin Netanyahu]`.",
                      f'{PATH}:4: `people` item 3 ("!!!") has no letters or digits to make a URL from\n'
                      "    Write the name with letters or digits."],
                     id="people not names"),
        pytest.param(front("title: x", "date: 2015-11-30", "people:", "  - Putin", "", "  - [a]", "topics:",
                           "- Syria", "-", "- '!!!'"), PATH,
                     [f"{PATH}:7: `people` item 2 is a list, not a name\n"
                      "    List one name per item: `people: [Vladimir Putin, Benjamin Netanyahu]`.",
                      f'{PATH}:11: `topics` item 3 ("!!!") has no letters or digits to make a URL from\n'
                      "    Write the name with letters or digits."],
                     id="block list items on their own lines"),
        pytest.param(front("title: x", "date: 2015-11-30", "topics: [Syria, Iran"), PATH,
                     [f"{PATH}:4: a `[` list is not closed\n"
                      "    End the list with `]` on the same line, and put items containing `,` or `:` in double "
                      "quotes."],
                     id="unclosed ["),
        pytest.param(front("title: Paris: the talks", "date: 2015-11-30"), PATH,
                     [f"{PATH}:2: a value contains `: `\n"
                      '    Put the whole value in double quotes: title: "Paris: the talks"'],
                     id="colon in a value"),
        pytest.param(front("- title: x"), PATH,
                     [f"{PATH}:2: front matter is not a list of `key: value` lines\n"
                      "    Write one `key: value` per line, such as `title: Putin meets Netanyahu`."],
                     id="front matter a list"),
        pytest.param("---\n---\nBody.\n", PATH,
                     [f"{PATH}:2: has no `title`\n    Add a line `title: The headline` to the front matter.",
                      f"{PATH}:2: has no `date`\n    Add `date: 2015-11-30` to the front matter, or start the "
                      "file name with the date (`2015-11-30-title.md`)."],
                     id="empty front matter"),
    ],
)
def test_bad_articles(text: str | bytes, path: str, problems: list[str]) -> None:
    article, found = parse(text, path)
    assert article is None
    assert found == problems


def test_every_problem_of_a_file_is_reported() -> None:
    _, problems = parse(front("title: [a]", "date: yesterday", "slug: ../x", "draft: maybe",
                              "source_url: ftp://x/"))
    assert sorted(p.split("\n")[0] for p in problems) == [
        f"{PATH}:2: `title` is a list, not text",
        f'{PATH}:3: `date` is "yesterday", not a date',
        f'{PATH}:4: `slug` "../x" cannot be a URL segment: it holds a `/`',
        f'{PATH}:5: `draft` must be true or false, not "maybe"',
        f'{PATH}:6: `source_url` must be an http or https address, not "ftp://x/"',
    ]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"---\ntitle: Caf\xe9\ndate: 2015-11-30\n---\n", 2),
        (b"---\ntitle: x\ndate: 2015-11-30\n---\nOne.\n\nCaf\xe9.\n", 7),
        (b"\xe9", 1),
    ],
)
def test_not_utf8_names_the_line_of_the_first_bad_byte(data: bytes, line: int) -> None:
    article, problems = parse(data)
    assert article is None and len(problems) == 1
    message, hint = problems[0].split("\n")
    assert message == f"{PATH}:{line}: is not UTF-8 text (it may be Latin-1 or Windows-1252)"
    # the rest of the hint: test_the_iconv_hint_converts_the_file_from_where_digest_was_run
    assert hint.startswith("    Save the file as UTF-8 in your editor, or convert it: `iconv -f latin1 -t utf-8 ")


@pytest.mark.parametrize(
    "path", ["content/2015/11/putin-paris.md", "content/Putin in Paris.md", "content/Moshe Ya'alon.md"])
def test_the_iconv_hint_converts_the_file_from_where_digest_was_run(path: str) -> None:
    _, problems = parse(b"---\ntitle: Caf\xe9\ndate: 2015-11-30\n---\n", path)
    command = problems[0].split("`")[1]
    assert shlex.split(command) == ["iconv", "-f", "latin1", "-t", "utf-8", path, ">", "new.md"]
    assert problems[0].endswith("`, then replace the file with new.md.")


# ---------------------------------------------------------------------------
# term pages

TERM_PATH = "content/people/vladimir-putin.md"


def parse_term(text: str, path: str = TERM_PATH, kind: str = "people") -> tuple[TermPage | None, list[str]]:
    source = SourceFile(path=path, abs_path="/nowhere/" + path, kind=kind)  # type: ignore[arg-type]
    page, problems = parse_term_page(source, data_of(text), CONFIG, CONFIG.url_for)
    return page, [str(p) for p in problems]


def test_term_page() -> None:
    page, problems = parse_term("""
        ---
        name: Vladimir Putin
        aliases: [Putin, Vladimir Vladimirovich Putin, Владимир Путин]
        role: President of Russia
        image: putin.jpg
        image_alt: Vladimir Putin in 2015
        website: https://kremlin.ru/
        ---
        Short biography, in **Markdown**.
    """)
    assert problems == []
    assert page is not None
    assert (page.taxonomy, page.path, page.slug, page.name) == (
        "people", TERM_PATH, "vladimir-putin", "Vladimir Putin")
    assert page.aliases == ("Putin", "Vladimir Vladimirovich Putin", "Владимир Путин")
    assert (page.role, page.image, page.image_alt) == (
        "President of Russia", "/people/putin.jpg", "Vladimir Putin in 2015")
    assert page.body_html == "<p>Short biography, in <strong>Markdown</strong>.</p>\n"
    assert dict(page.meta) == {"website": "https://kremlin.ru/"}
    with pytest.raises(TypeError):
        page.meta["website"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "name", "aliases", "body"),
    [
        ("---\n---\n", "", (), None),
        ("---\naliases: Putin\n---\n\n   \n", "", ("Putin",), None),  # one alias as a string; blank body
        ("---\nname: '  Vladimir   Putin '\n---\nBio.\n", "Vladimir Putin", (), "<p>Bio.</p>\n"),
    ],
)
def test_term_page_optional_keys(text: str, name: str, aliases: tuple[str, ...], body: str | None) -> None:
    page, problems = parse_term(text)
    assert problems == []
    assert page is not None
    assert (page.name, page.aliases, page.role, page.image, page.body_html) == (name, aliases, None, None, body)


def test_topic_term_page() -> None:
    page, problems = parse_term("---\nname: Syria\n---\n", "content/topics/syria.md", "topics")
    assert problems == []
    assert page is not None and (page.taxonomy, page.slug, page.name) == ("topics", "syria", "Syria")


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("content/people/Vladimir Putin.md",
         'content/people/Vladimir Putin.md: a term page\'s file name is its slug, and "Vladimir Putin" cannot be '
         "one: it holds a space\n    Rename it to `vladimir-putin.md`."),
        ("content/people/.putin.md.md",
         'content/people/.putin.md.md: a term page\'s file name is its slug, and ".putin.md" cannot be '
         "one: it starts with `.`, which hides a file\n    Rename it to `putin-md.md`."),
        ("content/people/putin!.md",
         'content/people/putin!.md: a term page\'s file name is its slug, and "putin!" cannot be '
         "one: it holds `!`, which is not a letter, a digit, `-`, `_` or `.`\n    Rename it to `putin.md`."),
    ],
)
def test_term_page_file_name_must_be_a_slug(path: str, problem: str) -> None:
    assert parse_term("---\nname: Vladimir Putin\n---\n", path) == (None, [problem])


@pytest.mark.parametrize("stem", ["vladimir_putin", "Путин", "rse-maëlle-salmon", "v1.2"])
def test_a_term_page_file_name_of_any_script_is_its_slug(stem: str) -> None:
    page, problems = parse_term("---\nname: Vladimir Putin\n---\n", f"content/people/{stem}.md")
    assert problems == [] and page is not None and page.slug == stem


@pytest.mark.parametrize(
    ("written", "slug", "url"),
    [
        ("rse-maëlle-salmon", "rse-maëlle-salmon", "/2015/11/rse-ma%C3%ABlle-salmon/"),
        ("cómo_traducir_una_entrada", "cómo_traducir_una_entrada", "/2015/11/c%C3%B3mo_traducir_una_entrada/"),
        ("ekran_okuyucularla_r_kullanımı", "ekran_okuyucularla_r_kullanımı",
         "/2015/11/ekran_okuyucularla_r_kullan%C4%B1m%C4%B1/"),
        ("rse-ma%C3%ABlle-salmon", "rse-maëlle-salmon", "/2015/11/rse-ma%C3%ABlle-salmon/"),  # decoded first
        ("v1.2", "v1.2", "/2015/11/v1.2/"),
        ("Putin_Paris", "Putin_Paris", "/2015/11/Putin_Paris/"),
    ],
)
def test_slugs_of_any_script_are_accepted(written: str, slug: str, url: str) -> None:
    article, problems = parse(front("title: x", "date: 2015-11-30", f"slug: {written}"))
    assert problems == [] and article is not None
    assert (article.slug, article.url) == (slug, url)


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("sin%e2%80%8a-ready", 'decodes to "sin\\u200a-ready", which holds a space (U+200A)'),
        ("'%2e%2e'", 'decodes to "..", which starts with `.`, which hides a file'),
        ("a%2fb", 'decodes to "a/b", which holds a `/`'),
        ("'%ff'", "is percent-encoded, but what it encodes is not UTF-8 text"),
        (".hidden", "starts with `.`, which hides a file"),
        ("a\\b", "holds a `\\`"),
        ("slug.", "ends with `.`"),
        ("'a?b'", "holds `?`, which is not a letter, a digit, `-`, `_` or `.`"),
    ],
)
def test_slugs_that_cannot_name_a_folder_say_why(written: str, why: str) -> None:
    _, problems = parse(front("title: x", "date: 2015-11-30", f"slug: {written}"))
    assert problems == [f'{PATH}:4: `slug` "{written.strip(chr(39))}" cannot be a URL segment: it {why}\n    {SLUG_HINT}']


def test_a_slug_over_200_bytes_is_refused() -> None:
    _, problems = parse(front("title: x", "date: 2015-11-30", f"slug: {'é' * 101}"))
    assert [p.split("\n")[0] for p in problems] == [
        f"{PATH}:4: `slug` makes a URL segment of 202 bytes in UTF-8; at most 200 fit in a file name"]


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("---\nname: [a, b]\n---\n",
         [f"{TERM_PATH}:2: `name` is a list, not text\n"
          "    A value starting with `[` is read as a list; put the name in double quotes."]),
        ("---\nname: x\naliases:\n  - a\n  - [b]\n---\n",
         [f"{TERM_PATH}:5: `aliases` item 2 is a list, not a name\n"
          "    List one name per item: `aliases: [Vladimir Putin, Benjamin Netanyahu]`."]),
        ("---\nname: x\nimage: ../../../a.jpg\n---\n",
         [f'{TERM_PATH}:3: `image` "../../../a.jpg" points outside content/\n'
          "    Keep images in the content/ folder, next to the article."]),
        ("---\nname: x\naliases: [a, b\n---\n",
         [f"{TERM_PATH}:3: a `[` list is not closed\n"
          "    End the list with `]` on the same line, and put items containing `,` or `:` in double quotes."]),
        ("Short biography.\n",
         [f"{TERM_PATH}:1: has no front matter\n"
          "    Start the file with a line `---`, then a `name:` line, then `---`. Did you forget the `---` lines?"]),
    ],
)
def test_bad_term_pages(text: str, problems: list[str]) -> None:
    assert parse_term(text) == (None, problems)


@pytest.mark.parametrize(
    ("topics", "built"),
    [
        # formerly tests/bad/topics-unquoted-no, topics-unquoted-yes and topics-boolean-item-line
        ("topics: [NO]", {"no": "NO"}),
        ("topics: [Syria, yes]", {"syria": "Syria", "yes": "yes"}),
        ("topics:\n  - Syria\n  - NO", {"syria": "Syria", "no": "NO"}),
    ],
)
def test_a_site_whose_topics_look_like_booleans_builds_with_them_as_written(
        make_site: MakeSite, topics: str, built: dict[str, str]) -> None:
    site = make_site({"digest.yaml": "title: Digest\nbase_url: https://example.org/\n",
                      "content/2015/2015-11-05-norway-joins.md":
                          f"---\ntitle: Norway Joins the Coalition\ndate: 2015-11-05\n{topics}\n---\n\nTalks.\n"})
    result = build(site)
    assert result.warnings == ()
    assert (result.articles, result.topics) == (1, len(built))
    article = (site / "output/2015/11/norway-joins/index.html").read_text(encoding="utf-8")
    for slug, name in built.items():
        page = (site / f"output/topics/{slug}/index.html").read_text(encoding="utf-8")
        assert f">{name}<" in page
        assert f'href="/topics/{slug}/"' in article


def test_term_page_aliases_that_look_like_booleans_are_their_text() -> None:
    page, problems = parse_term("---\nname: Norway\naliases: [NO, Norge]\n---\n", "content/topics/norway.md",
                                "topics")
    assert problems == []
    assert page is not None and page.aliases == ("NO", "Norge")


# ---------------------------------------------------------------------------
# characters and names no page can show

CONTROL_HINT = "Delete it: most editors do not show it, so retype the text around it."


@pytest.mark.parametrize(
    ("text", "line", "code"),
    [
        ("---\ntitle: x\x07\ndate: 2015-11-30\n---\nText.\n", 2, "0007"),
        ("\n\n---\ntitle: x\ndate: 2015-11-30\nsummary: a\x1b[31m\n---\nText.\n", 6, "001B"),
        ("---\ntitle: x\ndate: 2015-11-30\n---\x00\nText.\n", 4, "0000"),  # on the closing line
        ("---\ntitle: x\x07\ndate: 2015-11-30\nText.\n", 2, "0007"),  # and where the front matter is not closed
    ],
)
def test_a_control_character_in_front_matter_is_reported_on_its_line(text: str, line: int, code: str) -> None:
    # it would reach titles and feeds, and an Atom feed that held it would not be XML
    article, problems = parse(text.encode("utf-8"))
    assert article is None
    assert problems == [f"{PATH}:{line}: the control character U+{code} is not allowed here\n    {CONTROL_HINT}"]


BODY_CONTROL_HINT = ("Delete them: most editors do not show them, so retype the text around them. "
                     "`digest build --strict` refuses them.")


@pytest.mark.parametrize(
    ("body", "line", "problem", "html"),
    [
        ("In 2019 the\x08 report said.\n", 5, "1 invisible control character (U+0008)",
         "<p>In 2019 the report said.</p>\n"),
        ("Red \x1b[31m text.\n\nA NUL \x00 byte, \x1b again.\n", 5, "3 invisible control characters (U+001B, U+0000)",
         "<p>Red [31m text.</p>\n<p>A NUL  byte,  again.</p>\n"),
        ("\nNot a character: \uffff.\n", 6, "1 invisible control character (U+FFFF)",
         "<p>Not a character: .</p>\n"),
    ],
)
def test_control_characters_in_a_body_are_dropped_with_one_warning(body: str, line: int, problem: str,
                                                                    html: str) -> None:
    article, problems = parse(f"---\ntitle: x\ndate: 2015-11-30\n---\n{body}".encode("utf-8"))
    assert article is not None and article.body_html == html
    assert problems == [f"{PATH}:{line}: warning: the body holds {problem}, left out of the page\n    "
                        + BODY_CONTROL_HINT]


def test_a_path_that_is_not_utf8_is_reported() -> None:
    path = "content/caf\udce9/paris.md"  # os.fsdecode(b"content/caf\xe9/paris.md")
    article, problems = parse(front("title: x", "date: 2015-11-30"), path=path)
    assert article is None
    assert problems == [f"{path}: the file's path is not UTF-8\n    Rename the file, or its folder, in UTF-8."]


def test_a_title_given_twice_and_empty_is_still_missing() -> None:
    article, problems = parse(front("title:", "date: 2015-11-30", "title:"))
    assert article is None
    assert problems == [f"{PATH}:4: warning: `title` is given twice (lines 2, 4)\n"
                        "    Remove the one you do not mean; the last one is used.",
                        f"{PATH}:4: has no `title`\n    Add a line `title: The headline` to the front matter."]


def test_a_value_s_line_breaks_stay_on_the_problem_s_line() -> None:
    article, problems = parse(front("title: x", "date: 2015-11-30", 'slug: "a\\nb"', "aliases: |", "  /a", "  /b"))
    assert article is None
    assert [p.split("\n")[0] for p in problems] == [f'{PATH}:4: `slug` "a\\nb" cannot be a URL segment: it holds the '
                                                    "control character U+000A",
                                                    f'{PATH}:5: `aliases` item 1 ("/a\\n/b\\n") cannot be an old '
                                                    "address of the article: it holds a space"]


def test_an_article_read_back_from_the_cache_is_the_article_that_was_kept() -> None:
    """Articles come back from the cache through their slots' own setters (`model.values.read_back_quickly`): the
    same fields, and as frozen as before."""
    import dataclasses
    import pickle

    from digest.incremental.pickles import loads

    article = parse_ok(EXAMPLE)
    again = loads(pickle.dumps(article, protocol=5))
    assert again == article and [getattr(again, f.name) for f in dataclasses.fields(Article)] == [
        getattr(article, f.name) for f in dataclasses.fields(Article)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.title = "Another"  # type: ignore[misc]
