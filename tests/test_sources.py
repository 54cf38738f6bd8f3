"""Sources, the third taxonomy: every article's `source` (else its `source_url`'s registered domain) is a
term with its own page, and `content/sources/SLUG.md` names it, aliases it and gives its address."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest

import digest
from digest.model import DigestError

NOW = datetime.datetime(2016, 3, 1, tzinfo=datetime.timezone.utc)


def article(title: str, day: int, source: str | None = None, source_url: str | None = None,
            people: str = "[Ada Lovelace]") -> str:
    lines = [f"title: {title}", f"date: 2015-11-{day:02d}", f"people: {people}", "topics: [Engines]"]
    lines += [f"source: {source}"] if source else []
    lines += [f"source_url: {source_url}"] if source_url else []
    return "---\n" + "\n".join(lines) + f"\n---\n\nThe body of {title}.\n"


def build(site: Path) -> tuple[digest.BuildResult, Path]:
    result = digest.build(site, digest.BuildOptions(now=NOW, index_search=False))
    return result, site / "output"


def read(output: Path, page: str) -> str:
    return (output / page).read_text(encoding="utf-8")


def test_sources_by_name_domain_and_alias(make_site: Any) -> None:
    site = make_site({
        "content/sources/the-times-of-israel.md": "---\nname: The Times of Israel\naliases: [Times of Israel]\n"
                                                  "url: https://www.timesofisrael.com/\n---\nA newspaper.\n",
        "content/2015-11-01-a.md": article("A", 1, "The Times of Israel", "https://www.timesofisrael.com/a/"),
        "content/2015-11-02-b.md": article("B", 2, "Times of Israel"),
        "content/2015-11-03-c.md": article("C", 3, None, "https://blogs.timesofisrael.com/c/"),  # its domain
        "content/2015-11-04-d.md": article("D", 4, None, "https://www.bbc.co.uk/news/d"),
        "content/2015-11-05-e.md": article("E", 5, None, "https://bbc.co.uk/news/e"),
        "content/2015-11-06-f.md": article("F", 6, "Reuters", "https://www.reuters.com/f"),
        "content/2015-11-07-g.md": article("G", 7),  # no source at all
    })
    result, output = build(site)
    assert result.warnings == ()
    assert sorted(p.name for p in (output / "sources").iterdir() if p.is_dir()) == [
        "bbc-co-uk", "reuters", "the-times-of-israel"]
    times = read(output, "sources/the-times-of-israel/index.html")
    assert "<h1>The Times of Israel</h1>" in times
    assert '<a href="https://www.timesofisrael.com/" rel="external noopener">' in times
    assert "3 articles, first" in times
    for slug in ("a", "b", "c"):
        assert f'href="/2015/11/{slug}/"' in times
    assert "The people it covers most" in times and 'href="/people/ada-lovelace/"' in times
    assert "The topics it covers most" in times and 'href="/topics/engines/"' in times
    assert "Often mentioned alongside" not in times
    bbc = read(output, "sources/bbc-co-uk/index.html")
    assert "<h1>bbc.co.uk</h1>" in bbc and 'href="/2015/11/d/"' in bbc and 'href="/2015/11/e/"' in bbc
    index = read(output, "sources/index.html")
    assert "3 sources, with the number of articles that name each." in index
    assert (output / "sources/reuters/feed.xml").is_file()
    # the article page links its source's page, whether the source is named or only addressed
    page_a = read(output, "2015/11/a/index.html")
    assert '<a href="/sources/the-times-of-israel/" data-pagefind-filter="source">The Times of Israel</a>' in page_a
    page_d = read(output, "2015/11/d/index.html")
    assert ('Summarised from <strong data-pagefind-meta="source"><a href="/sources/bbc-co-uk/" '
            'data-pagefind-filter="source">bbc.co.uk</a>') in page_d
    # an article that spells its source as an alias does shows the source's own name
    assert '>The Times of Israel</a>' in read(output, "2015/11/b/index.html")
    assert "Summarised from" not in read(output, "2015/11/g/index.html")
    assert '<a href="/sources/">Sources</a>' in read(output, "index.html")
    sitemap = read(output, "sitemap.xml")
    assert "/sources/the-times-of-israel/</loc>" in sitemap


def test_a_site_without_sources_has_no_page_of_them(make_site: Any) -> None:
    site = make_site({"content/2015-11-01-a.md": article("A", 1)})
    _, output = build(site)
    assert not (output / "sources").exists()
    assert "/sources/" not in read(output, "index.html")
    assert "/sources/" not in read(output, "sitemap.xml")


def test_a_source_page_that_names_no_article_still_has_its_page(make_site: Any) -> None:
    site = make_site({"content/sources/ap.md": "---\nname: AP\n---\nA news agency.\n",
                      "content/2015-11-01-a.md": article("A", 1, "Reuters")})
    _, output = build(site)
    assert "No published article comes from this source yet." in read(output, "sources/ap/index.html")


def test_a_domain_alias_claimed_by_two_sources_is_reported(make_site: Any) -> None:
    site = make_site({
        "content/sources/bbc.md": "---\nname: BBC\nurl: https://www.bbc.co.uk/\n---\n",
        "content/sources/bbc-news.md": "---\nname: BBC News\naliases: [www.bbc.co.uk]\n---\n",
        "content/2015-11-01-a.md": article("A", 1, "BBC")})
    with pytest.raises(DigestError) as raised:
        build(site)
    assert [(p.path, p.message) for p in raised.value.problems] == [
        ("content/sources/bbc-news.md", 'the source "bbc.co.uk" is claimed by two term pages: this one and '
                                        "content/sources/bbc.md")]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url"])
def test_a_source_address_must_be_a_web_address(make_site: Any, url: str) -> None:
    site = make_site({"content/sources/x.md": f"---\nname: X\nurl: '{url}'\n---\n",
                      "content/2015-11-01-a.md": article("A", 1, "X")})
    with pytest.raises(DigestError) as raised:
        build(site)
    assert [(p.path, p.line) for p in raised.value.problems] == [("content/sources/x.md", 3)]


def test_sources_in_each_language_share_one_registry(make_site: Any) -> None:
    site = make_site({
        "digest.yaml": "title: T\nlanguages: [en, ar]\n",
        "content/sources/reuters.md": "---\nname: Reuters\naliases: [رويترز]\nnames: {ar: رويترز}\n---\n",
        "content/2015-11-01-a.md": article("A", 1, "Reuters"),
        "content/2015-11-01-a.ar.md": article("أ", 1, "رويترز"),
    })
    _, output = build(site)
    arabic = read(output, "ar/sources/reuters/index.html")
    assert "<h1>رويترز</h1>" in arabic and 'href="/ar/2015/11/a/"' in arabic
    assert re.search(r'hreflang="en" href="[^"]*/sources/reuters/"', arabic)
