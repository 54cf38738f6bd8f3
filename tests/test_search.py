"""The search stage: a Pagefind index of the articles, made when pages change, and a build that goes on without it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import digest.write.search
from digest.build import build
from digest.incremental.cache import BuildCache
from digest.records import BuildOptions

MakeSite = Callable[..., Path]

SITE = {
    "digest.yaml": "title: Search Digest\nbase_url: https://example.org/\n",
    "content/2015-11-30-paris.md": "---\ntitle: Putin and Netanyahu Meet in Paris\npeople: [Vladimir Putin, "
                                   "Benjamin Netanyahu]\ntopics: [Syria]\nsource: The Times of Israel\n---\n"
                                   "The two leaders agreed on coordination.\n",
    "content/2015-11-24-jet.md": "---\ntitle: Turkey Shoots Down a Russian Jet\npeople: [Vladimir Putin]\n"
                                 "topics: [Syria, Turkey]\n---\nA Russian bomber was shot down.\n",
    "content/2015-10-20-canada.md": "---\ntitle: Liberals Win in Canada\npeople: [Justin Trudeau]\n"
                                    "topics: [Canada]\n---\nA majority for the Liberal Party.\n",
    "content/2016-01-17-iran.md": "---\ntitle: Sanctions on Iran Lifted\ntopics: [Iran]\n---\nImplementation day.\n",
}


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(SITE)


def built(site: Path, **options: Any) -> tuple[Path, Any]:
    result = build(site, BuildOptions(**options), BuildCache(site))
    return site / "output", result


def test_articles_are_indexed_with_their_filters(site: Path) -> None:
    output, result = built(site)
    index = output / "pagefind"
    assert json.loads((index / "shards.json").read_text(encoding="utf-8")) == {"shards": ["2016", "2015"]}
    for year, articles in (("2015", 3), ("2016", 1)):  # the articles, not the lists, in a part per year
        entry = json.loads((index / year / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry["languages"]["en"]["page_count"] == articles
        assert len(list((index / year / "fragment").iterdir())) == articles
        assert len(list((index / year / "filter").iterdir())) >= 1
    assert "search" in result.timings and result.warnings == ()
    page = (output / "2015" / "11" / "paris" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind-body' in page and 'data-pagefind-filter="person"' in page
    assert 'data-pagefind-filter="topic"' in page and 'data-pagefind-meta="source"' in page
    assert 'action="/search/"' in page  # the search box in the header
    assert (output / "search" / "index.html").is_file()
    assert not [p for p in output.iterdir() if p.name.startswith(".digest-search")]


def test_the_index_is_made_again_only_when_a_page_changed_and_only_for_its_year(site: Path) -> None:
    output, _ = built(site)
    entry = output / "pagefind" / "2015" / "pagefind-entry.json"
    other_year = output / "pagefind" / "2016" / "pagefind-entry.json"
    first, other = entry.stat().st_mtime_ns, other_year.stat().st_mtime_ns
    time.sleep(2.1)  # past the window in which a file's time is not trusted
    _, result = built(site)
    assert "search" not in result.timings and entry.stat().st_mtime_ns == first
    article = site / "content" / "2015-10-20-canada.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new sentence about maple.\n", encoding="utf-8")
    _, result = built(site)
    assert "2015/10/canada/index.html" in result.changed and "search" in result.timings
    assert entry.stat().st_mtime_ns != first and other_year.stat().st_mtime_ns == other
    (site / "content" / "2016-01-17-iran.md").unlink()
    _, result = built(site)
    assert not (output / "pagefind" / "2016").exists()
    assert json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"shards": ["2015"]}


def test_a_build_that_walks_the_output_keeps_the_index(site: Path) -> None:
    output, _ = built(site)
    build(site, BuildOptions())  # no cache: stale files are found by walking the output
    assert digest.write.search.index_is_whole(output)


def test_search_false_builds_no_index_no_page_and_no_box(site: Path) -> None:
    output, _ = built(site)
    assert (output / "pagefind").is_dir()
    (site / "digest.yaml").write_text(SITE["digest.yaml"] + "search: false\n", encoding="utf-8")
    _, result = built(site)
    assert not (output / "pagefind").exists() and not (output / "search").exists()
    assert "/search/" not in (output / "index.html").read_text(encoding="utf-8")
    assert result.warnings == ()


def test_without_pagefind_the_build_succeeds_and_says_why_once(site: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest.write.search, "pagefind_binary", lambda: None)
    output, result = built(site)
    assert [str(w) for w in result.warnings] == [
        "warning: search was skipped: the Pagefind binary is not installed or does not run here "
        "(pip install 'pagefind[bin]'); "
        "the site is built without its search page"]
    assert not (output / "pagefind").exists()
    assert "/search/" not in (output / "index.html").read_text(encoding="utf-8")  # no search box
    assert "Search is not available" in (output / "search" / "index.html").read_text(encoding="utf-8")


def test_a_failing_pagefind_keeps_the_last_index(site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    output, _ = built(site)
    fragments = sorted(p.name for p in (output / "pagefind" / "2015" / "fragment").iterdir())
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr(digest.write.search, "pagefind_binary", lambda: str(failing))
    article = site / "content" / "2015-10-20-canada.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    _, result = built(site)
    assert [str(w) for w in result.warnings] == ["warning: search was skipped: Pagefind failed (Error: something broke)"]
    assert sorted(p.name for p in (output / "pagefind" / "2015" / "fragment").iterdir()) == fragments
    assert not [p for p in output.iterdir() if p.name.startswith(".digest-search")]


def test_the_glob_follows_the_article_urls() -> None:
    assert digest.write.search.article_glob("/{year}/{month}/{slug}/", "2016") == "2016/*/*/index.html"
    assert digest.write.search.article_glob("/articles/{slug}/") == "articles/*/index.html"


def test_urls_without_the_year_make_one_index(make_site: MakeSite) -> None:
    site = make_site({**SITE, "digest.yaml": SITE["digest.yaml"] + "permalinks:\n  article: /a/{slug}/\n"})
    output, _ = built(site)
    assert json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8")) == {"shards": ["all"]}
    entry = json.loads((output / "pagefind" / "all" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 4


def test_a_binary_that_does_not_run_here_counts_as_missing(tmp_path: Path) -> None:
    foreign = tmp_path / "pagefind"
    foreign.write_bytes(b"\x7fELF not for this machine")
    foreign.chmod(0o755)
    assert not digest.write.search._runs(str(foreign))


def test_the_binary_is_installed_with_digest() -> None:
    binary = digest.write.search.pagefind_binary()
    assert binary is not None and os.access(binary, os.X_OK)
