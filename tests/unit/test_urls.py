"""Stories' addresses: the canonical form of a URL, a site's registered domain, and duplicate links."""

from __future__ import annotations

import datetime

import pytest

from digest.link.duplicates import find_duplicates
from digest.model import Article
from digest.read.urls import canonical_url, packed_links, packed_stories, registered_domain

STORY = "https://www.example.org/news/2015/11/story"


@pytest.mark.parametrize("written", [
    STORY,
    "http://www.example.org/news/2015/11/story",  # scheme
    "https://example.org/news/2015/11/story",  # www.
    "https://WWW.Example.ORG/news/2015/11/story",  # case of the host
    "https://www.example.org:443/news/2015/11/story",  # default port
    "http://www.example.org:80/news/2015/11/story",
    "https://www.example.org/news/2015/11/story/",  # trailing slash
    "https://www.example.org/news/2015/11/story#comments",  # fragment
    "https://www.example.org/news/2015/11/story?utm_source=twitter&utm_medium=social&utm_campaign=x",
    "https://www.example.org/news/2015/11/story?fbclid=IwAR0abc",
    "https://www.example.org/news/2015/11/story?gclid=Cj0KCQ",
    "https://www.example.org/news/2015/11/story?mc_cid=1&mc_eid=2&_ga=3&igshid=4&msclkid=5",
    "https://www.example.org/news/2015/11/story/amp/",  # AMP variants
    "https://www.example.org/amp/news/2015/11/story",
    "https://www.example.org/news/2015/11/story?amp=1",
    "https://www.example.org/news/2015/11/story?amp",
    "https://www.example.org/news/2015/11/story?outputType=amp",
    "https://www.example.org/news/2015/11/%73tory",  # an unreserved letter percent-encoded
    "  https://www.example.org/news/2015/11/story  ",
])
def test_the_same_story_written_differently(written: str) -> None:
    assert canonical_url(written) == "example.org/news/2015/11/story"


def test_the_short_way_for_plain_addresses_gives_urllibs_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """canonical_url takes an address of no query, port or escape without urllib: its key is the same."""
    import random
    import re

    from digest.read import urls

    hosts = ["a", "B", ".", "-", "www.", "example.org", "..", "ü", ":8080", "@", " "]
    paths = ["a", "B", ".", "-", "/", "/amp", "/AMP/", ".amp.html", "x.AMP.HTML", "_", "~", "!", "$", "&", "'", "(",
             "*", ",", ";", "=", ":", "@", "%41", "?", "#", "?utm_source=x", " ", "ü", "//"]
    rng = random.Random(1)
    written = {rng.choice(["https://", "http://", "HTTPS://", "ftp://", "https:/"])
               + "".join(rng.choice(hosts) for _ in range(rng.randint(1, 4)))
               + "".join(rng.choice(paths) for _ in range(rng.randint(0, 8))) for _ in range(20000)}
    plain = sorted(url for url in written if urls._PLAIN.fullmatch(url))
    short = [urls.canonical_url.__wrapped__(url) for url in plain]
    monkeypatch.setattr(urls, "_PLAIN", re.compile(r"(?!)"))  # never the short way
    assert len(plain) > 500 and short == [urls.canonical_url.__wrapped__(url) for url in plain]


def test_query_parameters_count_in_any_order() -> None:
    assert canonical_url("https://example.org/a?b=2&a=1") == canonical_url("https://example.org/a/?a=1&b=2#x") \
        == "example.org/a?a=1&b=2"
    assert canonical_url("https://example.org/a?page=2") != canonical_url("https://example.org/a?page=3")
    assert canonical_url("https://example.org/a.amp.html") == "example.org/a.html"


@pytest.mark.parametrize(("one", "other"), [
    ("https://example.org/a", "https://example.org/b"),
    ("https://example.org/a", "https://example.com/a"),
    ("https://news.example.org/a", "https://example.org/a"),  # another subdomain than www
    ("https://example.org:8080/a", "https://example.org/a"),  # another port
    ("https://example.org/a?id=1", "https://example.org/a?id=2"),
])
def test_different_stories_stay_apart(one: str, other: str) -> None:
    assert canonical_url(one) != canonical_url(other)


@pytest.mark.parametrize("written", ["mailto:desk@example.org", "ftp://example.org/a", "/2015/11/story/",
                                     "javascript:alert(1)", "https://", "http://exa mple.org/", "https://[::1"])
def test_addresses_that_are_no_web_story(written: str) -> None:
    assert canonical_url(written) is None


@pytest.mark.parametrize(("url", "domain"), [
    ("https://www.bbc.co.uk/news/world-123", "bbc.co.uk"),
    ("https://bbc.co.uk/", "bbc.co.uk"),
    ("https://www.timesofisrael.com/x", "timesofisrael.com"),
    ("http://edition.cnn.com/2015/11/30/x", "cnn.com"),
    ("https://user.github.io/post", "user.github.io"),  # a public suffix of its own
    ("https://127.0.0.1:8000/x", None),
    ("not a url", None),
])
def test_registered_domain(url: str, domain: str | None) -> None:
    assert registered_domain(url) == domain


def article(path: str, day: int, source_url: str | None = None, links: tuple[tuple[str, int], ...] = (),
            key: str = "") -> Article:
    return Article(path=path, slug=path, url=f"/{path}/", title=path, date=datetime.datetime(
        2015, 11, day, tzinfo=datetime.timezone.utc), updated=None, people=(), topics=(), source=None,
        source_url=source_url, summary="", body_html="", toc_text="", words=0, draft=False, image=None, image_alt=None,
        meta={}, content_hash="", link_text=packed_links(links), source_url_line=4 if source_url else None,
        translation_key=key, story_text=packed_stories(source_url, links))


def test_duplicates_name_both_files_and_lines() -> None:
    found = find_duplicates([
        article("content/b.md", 2, "https://www.example.org/2015/story/?utm_source=x"),
        article("content/a.md", 1, "https://example.org/2015/story"),
        article("content/c.md", 3, links=(("https://example.org/2015/other", 9), ("http://example.org/2015/story#top", 12))),
        article("content/d.md", 4, links=(("https://example.org/2015/other/amp/", 7),)),
    ])
    assert sorted((p.path, p.line, p.message, p.severity) for p in found) == [
        ("content/b.md", 4, "links the same story as content/a.md:4: https://www.example.org/2015/story/?utm_source=x",
         "warning"),
        ("content/c.md", 12, "links the same story as content/a.md:4: http://example.org/2015/story#top", "warning"),
        ("content/d.md", 7, "links the same story as content/c.md:9: https://example.org/2015/other/amp/", "warning"),
    ]


def test_what_is_not_a_duplicate() -> None:
    assert find_duplicates([
        # one article linking a story twice
        article("content/a.md", 1, "https://example.org/2015/story", links=(("https://example.org/2015/story", 9),)),
        # home pages and section fronts, which many articles name as their source
        article("content/b.md", 2, "https://www.bbc.com/news", links=(("https://example.org/", 8),)),
        article("content/c.md", 3, "https://www.bbc.com/news/", links=(("https://www.example.org", 8),)),
        article("content/d.md", 4, "https://www.dw.com/en/"), article("content/e.md", 5, "https://dw.com/en"),
        # translations of one article share their story
        article("content/f.md", 6, "https://example.org/2015/f", key="f.md"),
        article("content/f.fr.md", 6, "https://example.org/2015/f", key="f.md"),
    ]) == []
