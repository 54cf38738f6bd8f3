"""The search stage: a Pagefind index of the articles, made when pages change, and a build that goes on without it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

import digest.write.index_files
import digest.write.runs
import digest.write.search
import digest.write.searchable
from digest.build import build
from digest.incremental.cache import BuildCache
from digest.records import BuildOptions
from digest.render.theme import builtin_theme_dir
from digest.write.index_files import pagefind_values
from digest.write.runs import GiveWay

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
    assert json.loads((index / "shards.json").read_text(encoding="utf-8"))["shards"] == ["2016", "2015"]
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
    _in_step(output)
    (site / "content" / "2016-01-17-iran.md").unlink()
    _, result = built(site)
    assert not (output / "pagefind" / "2016").exists()
    assert json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"] == ["2015"]
    _in_step(output)


def _article(day: str, slug: str) -> dict[str, str]:
    return {f"content/{day}-{slug}.md": f"---\ntitle: Report {slug}\ntopics: [Trade]\n---\nThe {slug} report.\n"}


def _parts(output: Path) -> dict[str, int]:
    """Each part of the index with the number of articles it holds."""
    shards = json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    return {shard: json.loads((output / "pagefind" / shard / "pagefind-entry.json").read_text(encoding="utf-8"))
            ["languages"]["en"]["page_count"] for shard in shards}


def _stamps(output: Path) -> dict[str, int]:
    return {part.name: (part / "pagefind-entry.json").stat().st_mtime_ns
            for part in (output / "pagefind").iterdir() if part.is_dir()}


def _in_step(output: Path) -> None:
    """The output's twin holds the output's files, hard links to the same inodes: the next build changes the twin
    and swaps it in, so a part of the index it missed would come back."""
    tree = output.parent / f".digest-twin-{output.name}" / "tree"

    def files(root: Path) -> dict[str, int]:
        return {path.relative_to(root).as_posix(): path.stat().st_ino for path in root.rglob("*") if path.is_file()}

    assert files(tree) == files(output)


def test_a_busy_year_is_indexed_by_quarter_or_month_and_an_edit_remakes_one_part(
        make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(digest.write.search, "PART_SIZE", 2)
    site = make_site({**SITE, **_article("2015-02-03", "budget")})
    output, _ = built(site)
    # 2015 holds four articles, more than two: a part per quarter that has some; 2016 holds one
    assert _parts(output) == {"2016": 1, "2015-q4": 3, "2015-q1": 1}
    assert digest.write.search.part_pattern("/{year}/{month}/{slug}/", "2015-q1") == (
        ["2015/01/", "2015/02/", "2015/03/"], "*/index.html")
    before = _stamps(output)
    time.sleep(2.1)  # past the window in which a file's time is not trusted
    article = site / "content" / "2015-02-03-budget.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new sentence about tariffs.\n", encoding="utf-8")
    _, result = built(site)
    after = _stamps(output)
    assert [part for part in before if before[part] != after[part]] == ["2015-q1"]  # that part only
    assert "2015/02/budget/index.html" in result.changed
    _in_step(output)
    # more than four times two: a part per month, the quarters gone
    for day in ("2015-03-01", "2015-03-02", "2015-05-05", "2015-07-07", "2015-08-08"):
        make_site(_article(day, f"r{day}"), root=site)
    _, result = built(site)
    assert _parts(output) == {"2016": 1, "2015-11": 2, "2015-10": 1, "2015-08": 1, "2015-07": 1, "2015-05": 1,
                              "2015-03": 2, "2015-02": 1}
    assert "2015-q1" not in {part.name for part in (output / "pagefind").iterdir()}
    _in_step(output)
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean)))  # the same parts holding the same pages (Pagefind's files
    # order a filter's values as they come, so their bytes may differ)
    assert _parts(clean) == _parts(output)
    assert {path.relative_to(clean).as_posix() for path in (clean / "pagefind").glob("*/fragment/*")} == {
        path.relative_to(output).as_posix() for path in (output / "pagefind").glob("*/fragment/*")}


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


def test_a_run_the_preview_stops_ends_its_pagefind_at_once(site: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """A preview closed while its index is being made ends Pagefind: a run left behind would hold the process's
    exit (Python waits for the threads that wait for it)."""
    output, result = built(site)
    hanging = tmp_path / "pagefind"
    hanging.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo pagefind 1.0.0; exit 0; fi\n'
                       f"echo $$ > {tmp_path / 'pid'}\nexec sleep 60\n", encoding="utf-8")
    hanging.chmod(0o755)
    monkeypatch.setattr(digest.write.search, "pagefind_binary", lambda: str(hanging))
    stop = threading.Event()
    found: list[str | None] = []
    runner = threading.Thread(target=lambda: found.append(digest.write.search.index_site(output, result.config, None,
                                                                                         stop)))
    runner.start()
    for _ in range(100):
        if (tmp_path / "pid").is_file():
            break
        time.sleep(0.05)
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive() and found == ["search was skipped: stopped"]
    pid = int((tmp_path / "pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, not left running


def _states(pids_file: Path, settled: str | None = None) -> set[str]:
    """The states of the processes whose ids a file lists, as Linux shows them: "S" sleeping, "T" stopped; once
    they are all `settled` (a signal takes a moment to arrive), or after a second."""
    pids = pids_file.read_text(encoding="utf-8").split()
    deadline = time.monotonic() + 1
    while True:
        states = {Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0] for pid in pids}
        if settled is None or states == {settled} or time.monotonic() > deadline:
            return states
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/self/stat").is_file() or not hasattr(signal, "SIGSTOP"),
                    reason="needs Linux's /proc and SIGSTOP")
def test_a_run_held_by_a_rebuild_waits_and_its_pagefind_stops_until_released(
        site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The preview holds its search runs while it rebuilds: a run waits before its next step, and Pagefind under way
    is stopped (it took a third of the rebuild's time on two cores), until the rebuild releases them."""
    output, result = built(site)
    pids = tmp_path / "pids"
    hanging = tmp_path / "pagefind"
    hanging.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo pagefind 1.0.0; exit 0; fi\n'
                       f"echo $$ >> {pids}\nexec sleep 60\n", encoding="utf-8")
    hanging.chmod(0o755)
    monkeypatch.setattr(digest.write.search, "pagefind_binary", lambda: str(hanging))
    turns, stop = GiveWay(), threading.Event()
    turns.hold()
    found: list[str | None] = []
    runner = threading.Thread(target=lambda: found.append(digest.write.search.index_site(
        output, result.config, None, stop, turns=turns)))
    runner.start()
    try:
        time.sleep(0.5)
        assert not pids.exists()  # held from the start: nothing read, nothing run
        turns.release()
        for _ in range(100):  # a run for each of the site's two years
            if pids.is_file() and len(pids.read_text(encoding="utf-8").split()) == 2:
                break
            time.sleep(0.05)
        assert _states(pids, "S") == {"S"}
        turns.hold()
        assert _states(pids, "T") == {"T"}  # stopped, while the rebuild runs
        turns.release(after=0.3)
        turns.hold()  # a rebuild again before that: the delayed release is overtaken
        time.sleep(0.5)
        assert _states(pids) == {"T"} and turns.held()
        turns.release(after=0.2)
        assert _states(pids) == {"T"}
        time.sleep(0.5)
        assert _states(pids, "S") == {"S"} and not turns.held()
        turns.hold()
    finally:
        stop.set()  # the preview closes during a rebuild: the runs end all the same
        turns.release()
        runner.join(timeout=5)
    assert not runner.is_alive() and found == ["search was skipped: stopped"]


def test_the_parts_pages_follow_the_article_urls() -> None:
    assert digest.write.search.part_pattern("/{year}/{month}/{slug}/", "2016") == (["2016/"], "*/*/index.html")
    assert digest.write.search.part_pattern("/articles/{slug}/") == ([""], "articles/*/index.html")


def test_urls_without_the_year_make_one_index(make_site: MakeSite) -> None:
    site = make_site({**SITE, "digest.yaml": SITE["digest.yaml"] + "permalinks:\n  article: /a/{slug}/\n"})
    output, _ = built(site)
    assert json.loads((output / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"] == ["all"]
    entry = json.loads((output / "pagefind" / "all" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 4


def test_a_binary_that_does_not_run_here_counts_as_missing(tmp_path: Path) -> None:
    foreign = tmp_path / "pagefind"
    foreign.write_bytes(b"\x7fELF not for this machine")
    foreign.chmod(0o755)
    assert not digest.write.runs._runs(str(foreign))


def test_a_binary_is_asked_its_version_again_once_another_is_in_its_place(tmp_path: Path) -> None:
    binary = tmp_path / "pagefind"
    binary.write_text("#!/bin/sh\necho pagefind 1.0.0\n")
    binary.chmod(0o755)
    assert digest.write.runs.pagefind_version(str(binary)) == "pagefind 1.0.0"
    binary.write_text("#!/bin/sh\necho pagefind 1.10.0\n")  # another size (and time)
    assert digest.write.runs.pagefind_version(str(binary)) == "pagefind 1.10.0"


def test_the_binary_is_installed_with_digest() -> None:
    binary = digest.write.search.pagefind_binary()
    assert binary is not None and os.access(binary, os.X_OK)


PAGES = {  # pages of themes unlike the default one: what Pagefind reads of each must not change what it indexes
    "a/index.html": """<!doctype html><html lang="en"><head><title>Alpha · Site</title>
        <meta data-pagefind-filter="author[content]" content="Ada Quill" property="og:author">
        <meta data-pagefind-meta="social[content]" content="/social.png"></head>
        <body><header><h1>Alpha report</h1><img src="/logo.png" alt="Logo"></header>
        <nav><a href="/">Home</a> data-pagefind-body is only words here</nav>
        <div class="post" data-pagefind-body><div class="lede"><p>Harbour <b>dues</b> rose.</p></div>
        <div data-pagefind-ignore>Related: nothing</div><p>Ships <span data-pagefind-filter="topic">Trade</span>
        pay more.</p></div><!-- a comment naming data-pagefind-meta -->
        <footer><time data-pagefind-sort="date[datetime]" datetime="2015-11-30">30 Nov</time></footer></body></html>""",
    "b/index.html": """<!doctype html><html lang="en"><head><title>Beta</title></head>
        <body><main><section data-pagefind-body><h2>Part one</h2><p>Council meets.</p></section>
        <aside>Unindexed aside</aside><section data-pagefind-body><p>Part two: votes <img
        src="/vote.png" alt="A vote" data-pagefind-meta="image[src]"></p></section></main></body></html>""",
    "c/index.html": """<!doctype html><html lang="en"><head><title>Gamma</title></head>
        <body><p>A page with no marked body: Pagefind skips it once another page has one.</p></body></html>""",
}


def test_what_pagefind_reads_of_a_page_makes_the_same_index_as_the_page(tmp_path: Path) -> None:
    binary = digest.write.search.pagefind_binary()
    assert binary is not None
    whole, slim = tmp_path / "whole", tmp_path / "slim"
    for name, page in PAGES.items():
        for root, text in ((whole, page), (slim, digest.write.searchable.searchable(page) or page)):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
    assert "Home" not in (slim / "a" / "index.html").read_text(encoding="utf-8")
    assert "Unindexed aside" not in (slim / "b" / "index.html").read_text(encoding="utf-8")
    indexes = []
    for root in (whole, slim):
        subprocess.run([binary, "--site", str(root), "--output-path", str(root / "_index")], check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)
        index = root / "_index"
        meta = pagefind_values(next(index.glob("*.pf_meta")))
        pages = [page[0] for page in meta[1]]
        filters = {path.name: sorted(map(repr, pagefind_values(path)[1])) for path in (index / "filter").iterdir()}
        indexes.append((sorted(pages), sorted(filters.values()), sorted((sort, [pages[i] for i in order])
                                                                       for sort, order in meta[4])))
    assert indexes[0] == indexes[1]
    assert len(indexes[0][0]) == 2  # a and b; c has no marked body


def test_a_part_made_again_keeps_only_the_files_its_index_refers_to(site: Path) -> None:
    output, _ = built(site)
    article = site / "content" / "2015-10-20-canada.md"
    for sentence in ("A sentence about maple.", "A sentence about hockey."):
        article.write_text(article.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
        built(site)
    part = output / "pagefind" / "2015"
    files = {path.relative_to(part).as_posix() for path in part.rglob("*.pf_*")}
    assert files == digest.write.index_files.referred(part)
    assert len(list((part / "fragment").iterdir())) == 3


def test_an_edit_that_changes_no_indexed_word_indexes_nothing(site: Path) -> None:
    output, _ = built(site)
    before = _stamps(output)
    time.sleep(2.1)  # past the window in which a file's time is not trusted
    (site / "digest.yaml").write_text(SITE["digest.yaml"].replace("Search Digest", "The Search Digest"),
                                      encoding="utf-8")
    _, result = built(site)
    assert "2015/10/canada/index.html" in result.changed  # every page shows the site's name...
    assert _stamps(output) == before  # ...which no part indexes
    (site / "templates").mkdir()
    template = (builtin_theme_dir() / "templates" / "article.html").read_text(encoding="utf-8")
    (site / "templates" / "article.html").write_text(
        template.replace("data-pagefind-body>", "data-pagefind-body>\n<p>Digest.</p>", 1), encoding="utf-8")
    built(site)
    assert all(_stamps(output)[part] != before[part] for part in before)  # a word in every article: all made again


def test_what_pagefind_reads_is_kept_and_an_edit_reads_only_its_page_again(site: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    output, _ = built(site)
    kept = site / ".digest-cache" / "search" / "2015"
    assert sorted(path.relative_to(kept).as_posix() for path in kept.rglob("*.html")) == [
        "2015/10/canada/index.html", "2015/11/jet/index.html", "2015/11/paris/index.html"]
    read: list[str] = []
    real = digest.write.searchable.searchable
    monkeypatch.setattr(digest.write.searchable, "searchable", lambda page: read.append(page) or real(page))
    article = site / "content" / "2015-10-20-canada.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new sentence about maple.\n", encoding="utf-8")
    built(site)
    assert len(read) == 1 and "maple" in read[0]  # the other pages of its part are as they were kept
    assert "maple" in (kept / "2015" / "10" / "canada" / "index.html").read_text(encoding="utf-8")
    build(site, BuildOptions(output_dir=str(tmp_path / "clean")))  # no cache: every page read, in a scratch folder
    listing = (output / "pagefind" / "shards.json").read_text(encoding="utf-8")
    assert listing == (tmp_path / "clean" / "pagefind" / "shards.json").read_text(encoding="utf-8")
    article.unlink()
    built(site)
    assert not (kept / "2015" / "10" / "canada").exists() or not list((kept / "2015" / "10" / "canada").iterdir())


@pytest.mark.parametrize("damage", ["a name out of the folder", "not JSON", "a hash that is not text"])
def test_a_damaged_list_of_kept_pages_costs_a_reading_and_removes_nothing_outside(site: Path, tmp_path: Path,
                                                                                  damage: str) -> None:
    output, _ = built(site)
    kept = site / ".digest-cache" / "search" / "2015"
    victim = tmp_path / "victim.txt"
    victim.write_text("not the cache's", encoding="utf-8")
    if damage == "not JSON":
        (kept / "pages.json").write_text("{not json", encoding="utf-8")
    elif damage == "a hash that is not text":
        listing = json.loads((kept / "pages.json").read_text(encoding="utf-8"))
        (kept / "pages.json").write_text(json.dumps({name: [*held[:3], 7] for name, held in listing.items()}),
                                         encoding="utf-8")
    else:
        listing = json.loads((kept / "pages.json").read_text(encoding="utf-8"))
        listing["../../../../victim.txt"] = [1, 2, 3, "0" * 32]
        (kept / "pages.json").write_text(json.dumps(listing), encoding="utf-8")
    article = site / "content" / "2015-10-20-canada.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA new sentence about maple.\n", encoding="utf-8")
    _, result = built(site)
    assert victim.read_text(encoding="utf-8") == "not the cache's" and result.warnings == ()
    assert "../../../../victim.txt" not in json.loads((kept / "pages.json").read_text(encoding="utf-8"))
    build(site, BuildOptions(output_dir=str(tmp_path / "clean")))
    assert ((output / "pagefind" / "shards.json").read_text(encoding="utf-8")
            == (tmp_path / "clean" / "pagefind" / "shards.json").read_text(encoding="utf-8"))
