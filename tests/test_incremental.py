"""Incremental builds equal clean builds, after any sequence of edits; the cache is never trusted blindly."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.build import build
from digest.incremental.bodies import MAX_EDITS
from digest.incremental.cache import BuildCache
from digest.incremental import snapshot, unchanged
from digest.incremental.unchanged import CACHE_DIR
from digest.model import Problem, SiteConfig
from digest.link import duplicates
from digest.records import BuildOptions

NOW = datetime.datetime(2016, 3, 1, tzinfo=datetime.timezone.utc)
PEOPLE = ["Vladimir Putin", "Benjamin Netanyahu", "Moshe Ya'alon", "Mahmoud Abbas", "Putin", "John Kerry"]
TOPICS = ["Syria", "Russia–Israel relations", "Diplomacy", "Terrorism", "COP21", "Paris climate conference"]


def article(number: int, title: str, day: int, people: list[str], topics: list[str], body: str,
            draft: bool = False) -> str:
    """The text of an article file."""
    return (f"---\ntitle: {title!r}\ndate: 2015-11-{day:02d}\npeople: {people!r}\ntopics: {topics!r}\n"
            f"draft: {'true' if draft else 'false'}\nsource: Example News\n"
            f"source_url: https://example.org/\n---\n\n{body} (article {number})\n\n## One\n\nText.\n")


def base_site(root: Path) -> Path:
    """A small site: eight articles, a person's term page with aliases, a topic's term page."""
    site = root / "site"
    (site / "content" / "people").mkdir(parents=True)
    (site / "content" / "topics").mkdir(parents=True)
    (site / "templates").mkdir()
    (site / "digest.yaml").write_text("title: Test Digest\nbase_url: https://example.org/news/\nper_page: 3\n"
                                      "editions: weekly\n")
    for n in range(8):
        (site / "content" / f"a{n}.md").write_text(article(
            n, f"Headline {n}", 1 + 3 * n, PEOPLE[n % 4: n % 4 + 2], TOPICS[n % 3: n % 3 + 2], f"Body {n}."))
    (site / "content" / "people" / "vladimir-putin.md").write_text(
        "---\nname: Vladimir Putin\naliases: [Putin]\nrole: President of Russia\n---\nA biography.\n")
    (site / "content" / "topics" / "paris-climate-conference.md").write_text(
        "---\nname: Paris climate conference\naliases: [COP21]\n---\nThe conference.\n")
    return site


def tree(root: Path) -> dict[str, bytes]:
    """Every file of an output folder but the marker, with its bytes.

    Of the search index, the page fragments only: Pagefind names each by a hash of what it
    holds of one page, while its filter and metadata files differ from run to run even for
    the same pages (a known limit of Pagefind), so they cannot be compared.
    """
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".digest-output"
            and (not p.relative_to(root).as_posix().startswith("pagefind/") or p.parent.name == "fragment")}


_AGED = iter(range(10**9))


def age(site: Path) -> None:
    """Move every file edited in the last minute into the past, as if edited long before the build.

    Each call uses a new past time, so an edited file's time still differs from the one the
    previous build saw, as it does when a person edits files between builds.
    """
    past = (NOW - datetime.timedelta(days=30)).timestamp() + next(_AGED)
    recent = datetime.datetime.now().timestamp() - 60
    for path in site.rglob("*"):
        if CACHE_DIR not in path.parts and "output" not in path.parts and path.stat().st_mtime > recent:
            os.utime(path, (past, past))


EDITS = st.sampled_from([
    "body", "title", "people", "topics", "date", "add", "delete", "draft", "alias", "term-body",
    "template", "static", "config", "same-size", "source", "source-page", "redate", "intro", "intro-skip",
    "summary", "meta", "story", "shift", "body-top",
])


def apply_edit(site: Path, edit: str, n: int) -> None:
    """Change the site in one of the ways a curator does."""
    content = site / "content"
    path = content / f"a{n % 8}.md"
    if not path.exists():
        path.write_text(article(n, f"Restored {n}", 2, ["Mahmoud Abbas"], ["Syria"], "Back."))
    text = path.read_text()
    if edit == "body":
        path.write_text(text + f"\nA new paragraph {n}.\n")
    elif edit == "title":
        path.write_text(text.replace("title: '", f"title: 'New {n} ", 1))
    elif edit == "people":
        path.write_text(text.replace("people: [", f"people: [{json.dumps(PEOPLE[n % len(PEOPLE)])}, "
                                                  f"'Newcomer {n % 3}', ", 1))
    elif edit == "topics":
        path.write_text(text.replace("topics: [", f"topics: [{json.dumps(TOPICS[n % len(TOPICS)])}, ", 1))
    elif edit == "summary":  # what a card shows, and nothing of where the article stands
        text = re.sub(r"(?m)^summary: .*\n", "", text)
        path.write_text(text.replace("title: ", f"summary: In short, {n}.\ntitle: ", 1))
    elif edit == "meta":  # front matter of the curator's own, for the theme
        path.write_text(re.sub(r"(?m)^region: .*\n", "", text).replace("title: ", f"region: Area {n % 3}\ntitle: ", 1))
    elif edit == "date":
        path.write_text(text.replace("date: 2015-11-", "date: 2015-12-", 1))
    elif edit == "story":  # a link to a story that other articles may link too: a warning names both lines
        path.write_text(text + f"\nSee [the story](https://news.example.com/story-{n % 2}).\n")
    elif edit == "shift":  # a line more in the front matter: every line below it moves, and nothing else
        path.write_text(text.replace("---\n", f"---\n# note {n}\n", 1))
    elif edit == "body-top":  # a paragraph above the body's links (below the first, the cards' summary)
        path.write_text(text.replace("\n## One\n", f"\nMore {n}.\n\n## One\n", 1))
    elif edit == "add":
        (content / f"new{n}.md").write_text(article(100 + n, f"Fresh {n}", 28, PEOPLE[n % 3:n % 3 + 1],
                                                    ["Syria"], "Fresh."))
    elif edit == "delete":
        path.unlink()
    elif edit == "draft":
        path.write_text(text.replace("draft: false", "draft: true") if "draft: false" in text
                        else text.replace("draft: true", "draft: false"))
    elif edit == "alias":
        term = content / "people" / "vladimir-putin.md"
        term.write_text(term.read_text().replace("aliases: [Putin", f"aliases: [Putin, Mahmoud Abbas{n}", 1))
    elif edit == "term-body":
        term = content / "topics" / "paris-climate-conference.md"
        term.write_text(term.read_text() + f"More {n}.\n")
    elif edit == "template":
        (site / "templates" / "404.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>Lost ' + str(n) + "</h1>{% endblock %}\n")
    elif edit == "static":
        (site / "static").mkdir(exist_ok=True)
        (site / "static" / "extra.css").write_text(f"body {{ margin: {n}px; }}\n")
    elif edit == "config":
        (site / "digest.yaml").write_text(
            f"title: Test Digest {n}\nbase_url: https://example.org/news/\nper_page: {2 + n % 3}\n"
            + ("editions:\n  every: weekly\n  skip: [2015-11-10]\n" if n % 2 else ""))
    elif edit == "source":  # another outlet, or none: the site's last source may go, and its menu item
        outlet = f"source: Outlet {n % 3}\n" if n % 4 else ""
        path.write_text(re.sub(r"source: .*\n", outlet, text, count=1) if "source: " in text
                        else text.replace("source_url:", f"{outlet}source_url:", 1))
    elif edit == "source-page":
        (content / "sources").mkdir(exist_ok=True)
        (content / "sources" / "example-news.md").write_text(
            f"---\nname: Example News\naliases: [Outlet {n % 3}]\nurl: https://example.org/\n---\nAn outlet.\n")
    elif edit == "redate":  # a day of November: the article may leave its edition for another, or make one
        path.write_text(re.sub(r"date: 2015-1\d-\d\d", f"date: 2015-11-{1 + (7 * n) % 30:02d}", text, count=1))
    elif edit in ("intro", "intro-skip"):  # an edition's introduction, or one holding its edition back
        (content / "editions").mkdir(exist_ok=True)
        (content / "editions" / f"{1 + n % 5}.md").write_text(
            # a title and a date, so that the file is an article too when a config edit turns editions off
            "---\ntitle: Held back\ndate: 2015-11-20\nskip: true\n---\n" if edit == "intro-skip"
            else f"---\ntitle: Week {n}\ndate: 2015-11-20\nsummary: Week {n}.\nsections: [Diplomacy, Syria]\n---\n"
                 f"The week in {n} words.\n")
    elif edit == "same-size":
        # Same size, and for a file edited moments ago the same modification time, as a file system
        # whose clock ticks once a second gives: only the content hash can tell.
        stat = path.stat()
        swapped = text.replace("Body", "Bodx", 1) if "Body" in text else text.replace("Text", "Texx", 1)
        path.write_text(swapped)
        if stat.st_mtime > datetime.datetime.now().timestamp() - 2:
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(EDITS, st.integers(min_value=0, max_value=20)), min_size=1, max_size=5),
       aged=st.booleans(), warm=st.booleans())
def test_incremental_build_equals_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                               edits: list[tuple[str, int]], aged: bool, warm: bool) -> None:
    root = tmp_path_factory.mktemp("incremental")
    edit_and_compare(root, base_site(root), edits, aged, warm)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["title", "summary", "meta", "body", "same-size", "people", "topics",
                                                 "draft", "story", "shift", "body-top"]),
                                st.integers(min_value=0, max_value=20)), min_size=2, max_size=6),
       aged=st.booleans())
def test_edits_on_the_warm_site_equal_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                     edits: list[tuple[str, int]], aged: bool) -> None:
    """Mostly edits that leave articles in place or change whom and what they name, which the preview builds on
    the site it keeps in memory."""
    root = tmp_path_factory.mktemp("warm")
    edit_and_compare(root, base_site(root), edits, aged, warm=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["title", "summary", "people", "people", "topics", "body", "redate",
                                                 "draft", "story", "shift", "same-size", "source"]),
                                st.integers(min_value=0, max_value=20)), min_size=2, max_size=7),
       aged=st.booleans())
def test_edits_from_the_warm_site_the_cache_keeps_equal_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                                     edits: list[tuple[str, int]], aged: bool) -> None:
    """Builds of the command line, each a process of its own, take the warm routes from the site the cache keeps
    (`incremental/snapshot.py`): with the edits of the builds since it was kept, and the pages they changed."""
    root = tmp_path_factory.mktemp("kept")
    edit_and_compare(root, base_site(root), edits, aged, warm=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["redate", "redate", "people", "title", "same-size", "body"]),
                                st.integers(min_value=0, max_value=20)), min_size=2, max_size=6),
       editions=st.booleans())
def test_dates_edited_on_the_warm_site_equal_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                           edits: list[tuple[str, int]], editions: bool) -> None:
    """An article moved in time within its month (and its edition), which the preview relinks where it touches."""
    root = tmp_path_factory.mktemp("dates")
    site = base_site(root)
    if not editions:
        (site / "digest.yaml").write_text("title: Test Digest\nbase_url: https://example.org/news/\nper_page: 3\n")
    edit_and_compare(root, site, edits, True, warm=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(["none", "none", "body", "people", "add", "delete", "same-size",
                                                 "alias", "template", "static", "config", "source-page"]),
                                st.integers(min_value=0, max_value=20)), min_size=1, max_size=6))
@example(edits=[("config", 1), ("config", 1), ("none", 0)])  # the same settings written again
@example(edits=[("delete", 0), ("delete", 0)])  # a file made again and removed: its folder's time alone changed
def test_the_record_of_a_build_says_unchanged_only_when_the_build_finds_nothing_changed(
        tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int]]) -> None:
    """What `digest build` answers before it loads the build (`incremental.unchanged.check`) agrees with the
    build's own route, and where it says nothing changed, the output is what a clean build makes. It may say no
    where the build finds nothing changed only for `digest.yaml` written again with the same settings (the record
    knows the file's time, the build its settings), or for a folder whose time changed while its files are the
    same (a file made and removed again: "delete" of a file deleted already); that build then records again."""
    root = tmp_path_factory.mktemp("unchanged")
    site = base_site(root)
    (site / "digest.yaml").write_text("title: Test Digest\nbase_url: https://example.org/news/\nper_page: 3\n")
    options = BuildOptions(output_dir=str(root / "out"))  # (the command line's: the moment of the build, search on)
    asked = unchanged.key(str(site), options.output_dir, False, False, False)
    age(site)
    build(site, options, BuildCache(site))
    for edit, n in edits:
        if edit != "none":
            apply_edit(site, edit, n)
        age(site)
        said = unchanged.check(str(site), asked, hand_over=True)  # (as the command asks, and then builds)
        handed = bool(unchanged._SCANNED)  # only sources changed: the build takes them from the check
        if said is not None:
            clean = build(site, BuildOptions(output_dir=str(root / "clean")))
            assert tree(root / "out") == tree(root / "clean"), f"after {edit} {n}"
            assert said["warnings"] == list(map(str, clean.warnings))
            shutil.rmtree(root / "clean")
        result = build(site, options, BuildCache(site))
        found_nothing = result.route.startswith("nothing changed")
        assert found_nothing if said is not None else not found_nothing or edit in ("config", "delete"), \
            f"after {edit} {n}"
        if handed:
            clean = build(site, BuildOptions(output_dir=str(root / "clean")))
            assert tree(root / "out") == tree(root / "clean"), f"after {edit} {n}, from what the check found"
            assert list(map(str, result.warnings)) == list(map(str, clean.warnings)), f"after {edit} {n}"
            shutil.rmtree(root / "clean")
        assert not unchanged._SCANNED
        assert unchanged.check(str(site), asked) is not None  # (every file is older than the build)


def edit_and_compare(root: Path, site: Path, edits: list[tuple[str, int]], aged: bool, warm: bool) -> None:
    """Build `site` with its cache, then after each edit check the output and the warnings equal a clean
    build's; with `warm`, as the preview builds: keeping the linked site in memory from one build to the next."""
    options = BuildOptions(output_dir=str(root / "out"), now=NOW, warm=warm)
    if aged:
        age(site)
    build(site, options, BuildCache(site))
    for edit, n in edits:
        if edit in LANGUAGE_EDITS:
            apply_language_edit(site, edit, n)
        else:
            apply_edit(site, edit, n)
        if aged:
            age(site)
        result = build(site, options, BuildCache(site))
        clean_out = root / "clean"
        shutil.rmtree(clean_out, ignore_errors=True)
        clean = build(site, BuildOptions(output_dir=str(clean_out), now=NOW))
        assert tree(root / "out") == tree(clean_out), f"after {edit} {n} ({result.route})"
        assert list(map(str, result.warnings)) == list(map(str, clean.warnings)), f"after {edit} {n} ({result.route})"


def multilingual_settings(french_title: str = "Le Digest", in_subdir: bool = False) -> str:
    return ("title: Test Digest\nbase_url: https://example.org/news/\nper_page: 3\n"
            f"default_language_in_subdir: {'true' if in_subdir else 'false'}\n"
            f"languages:\n  - en\n  - fr:\n      title: {french_title}\n  - ar\n")


def multilingual_site(root: Path) -> Path:
    """The small site in English, French and Arabic: four articles in French, two in Arabic, a person
    named per language."""
    site = base_site(root)
    (site / "digest.yaml").write_text(multilingual_settings())
    for n in range(4):
        (site / "content" / f"a{n}.fr.md").write_text(article(
            n, f"Titre {n}", 1 + 3 * n, ["Vladimir Poutine", "Benjamin Netanyahou"], ["Syrie"], f"Corps {n}."))
    for n in range(2):
        (site / "content" / f"a{n}.ar.md").write_text(article(n, f"عنوان {n}", 1 + 3 * n, ["فلاديمير بوتين"],
                                                              ["سوريا"], f"نص {n}."))
    term = site / "content" / "people" / "vladimir-putin.md"
    term.write_text(term.read_text().replace("aliases: [Putin]", "aliases: [Putin, Vladimir Poutine, فلاديمير بوتين]\n"
                                             "names: {fr: Vladimir Poutine, ar: فلاديمير بوتين}"))
    return site


LANGUAGE_EDITS = ("translate", "untranslate", "translation-body", "translation-title", "names", "catalog",
                  "language-title", "subdir")


def apply_language_edit(site: Path, edit: str, n: int) -> None:
    """Change a site with languages in one of the ways its curators do."""
    content = site / "content"
    french = content / f"a{n % 8}.fr.md"
    if edit in ("translate", "translation-body", "translation-title") and not french.exists():
        french.write_text(article(n, f"Traduit {n}", 1 + 3 * (n % 8), ["Vladimir Poutine"], ["Syrie"], "Corps."))
    if edit == "untranslate":
        french.unlink(missing_ok=True)
    elif edit == "translation-body":
        french.write_text(french.read_text() + f"\nUn paragraphe {n}.\n")
    elif edit == "translation-title":
        french.write_text(french.read_text().replace("title: '", f"title: 'Nouveau {n} ", 1))
    elif edit == "names":
        term = content / "people" / "vladimir-putin.md"
        term.write_text(re.sub(r"fr: [^,}]+", f"fr: Poutine {n}", term.read_text(), count=1))
    elif edit == "catalog":
        (site / "i18n").mkdir(exist_ok=True)
        (site / "i18n" / "fr.yaml").write_text(f'Latest: "Les dernières {n}"\n')
    elif edit == "language-title":
        (site / "digest.yaml").write_text(multilingual_settings(french_title=f"Le Digest {n}"))
    elif edit == "subdir":
        (site / "digest.yaml").write_text(multilingual_settings(in_subdir="default_language_in_subdir: false"
                                                                in (site / "digest.yaml").read_text()))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from([*LANGUAGE_EDITS, "body", "title", "summary", "people", "add",
                                                 "delete", "alias", "template"]),
                                st.integers(min_value=0, max_value=20)), min_size=1, max_size=5),
       aged=st.booleans(), warm=st.booleans())
def test_incremental_build_equals_clean_build_with_languages(tmp_path_factory: pytest.TempPathFactory,
                                                              edits: list[tuple[str, int]], aged: bool,
                                                              warm: bool) -> None:
    root = tmp_path_factory.mktemp("languages")
    edit_and_compare(root, multilingual_site(root), edits, aged, warm)


def test_no_op_rebuild_renders_nothing(tmp_path: Path) -> None:
    site = base_site(tmp_path)
    age(site)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    first = build(site, options, BuildCache(site))
    second = build(site, options, BuildCache(site))
    assert first.written > 0
    assert (second.written, second.rendered, second.removed) == (0, 0, 0)
    assert second.unchanged == first.written


def test_a_first_build_keeps_the_fingerprints_it_made_while_rendering(tmp_path: Path) -> None:
    """A first build renders every page before it has their fingerprints (`LaterFingerprints`): the cache gets
    those a build that compared them first (the preview's, which keeps them in memory) gets."""
    from digest.incremental.inputs import parse_namespace
    from digest.read.config import load_config

    site = base_site(tmp_path)
    age(site)
    config, _ = load_config(site, None)

    def kept(warm: bool) -> dict[str, str]:
        shutil.rmtree(site / ".digest-cache", ignore_errors=True)
        result = build(site, BuildOptions(output_dir=str(tmp_path / f"out-{warm}"), now=NOW, warm=warm),
                       BuildCache(site))
        cache = BuildCache(site)
        cache.open(parse_namespace(config))
        fingerprints = cache.fingerprints()
        cache.close()
        assert result.rendered == result.pages == len(fingerprints)
        return fingerprints

    assert kept(warm=False) == kept(warm=True)


def test_body_edit_renders_only_the_pages_that_show_it(tmp_path: Path) -> None:
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    path = site / "content" / "a0.md"
    path.write_text(path.read_text() + "\nAnother paragraph.\n")
    result = build(site, options, BuildCache(site))
    # the article page and the site feed (full content), Atom and JSON; nothing else shows the body,
    # and the site is not even linked up again: the article's place in it did not change
    assert result.rendered == 3
    assert result.written == 3
    assert "model" not in result.timings
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)


def test_a_line_added_above_an_articles_links_keeps_the_short_routes(tmp_path: Path) -> None:
    """The lines of an article's links show on no page: a paragraph added above them is a body edit, and a person
    added on a line of its own a relink on the warm site, unless a warning of a story it shares names a line."""
    site = base_site(tmp_path)
    for name, link in (("a0.md", "https://news.example.com/story-1"), ("a1.md", "https://news.example.com/story-1"),
                       ("a2.md", "https://example.net/b-2")):
        path = site / "content" / name
        path.write_text(path.read_text() + f"\nSee [the story]({link}).\n")
    cold = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW, index_search=False)
    warm = BuildOptions(output_dir=str(tmp_path / "warm"), now=NOW, index_search=False, warm=True)
    first = build(site, cold, BuildCache(site))
    assert [w.line for w in first.warnings if w.hint == duplicates.HINT] == [17]

    def edited(name: str, old: str, new: str, options: BuildOptions) -> tuple[str, list[str]]:
        path = site / "content" / name
        path.write_text(path.read_text().replace(old, new, 1))
        result = build(site, options, BuildCache(site))
        clean = build(site, BuildOptions(output_dir=str(tmp_path / "clean"), now=NOW, index_search=False))
        assert tree(Path(options.output_dir or "")) == tree(tmp_path / "clean")
        assert list(map(str, result.warnings)) == list(map(str, clean.warnings))
        return result.route.split(":")[0], [f"{w.path}:{w.line} {w.message}" for w in result.warnings]

    assert edited("a2.md", "\n## One\n", "\nMore.\n\n## One\n", cold)[0] == "bodies only"
    route, warned = edited("a1.md", "\n## One\n", "\nMore.\n\n## One\n", cold)  # its story's line moves
    assert route == "relinked"  # (on the warm site the cache keeps)
    assert warned == ["content/a1.md:19 links the same story as content/a0.md:17: https://news.example.com/story-1"]
    build(site, warm, BuildCache(site))  # (the cache's record is now this folder's: the preview's)
    assert edited("a2.md", "---\n", "---\n# a note\n", warm)[0] == "bodies only"
    assert edited("a2.md", "people: [", "people: ['Ada Lovelace',\n  ", warm)[0] == "relinked"
    route, warned = edited("a1.md", "---\n", "---\n# a note\n", warm)
    assert route == "relinked"
    assert warned == ["content/a1.md:20 links the same story as content/a0.md:17: https://news.example.com/story-1"]


def test_files_of_new_times_but_the_same_bytes_are_no_edits(tmp_path: Path) -> None:
    """More sources than a body-only build takes were written just before a build (their times cannot be trusted),
    or all checked out again: a build after them, and an edit after that, take the short route."""
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "digest.yaml").write_text("title: Many\nbase_url: https://example.org/\nsearch: false\n")
    for n in range(MAX_EDITS + 20):
        (site / "content" / f"a{n}.md").write_text(article(n, f"Headline {n}", 1 + n % 28, PEOPLE[n % 4: n % 4 + 1],
                                                             TOPICS[n % 3: n % 3 + 1], f"Body {n}."))
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    again = build(site, options, BuildCache(site))  # every time still too new, none edited
    assert (again.route.split(":")[0], again.rendered, again.written) == ("bodies only", 0, 0)
    age(site)  # every file checked out again: new times, the same bytes
    path = site / "content" / "a7.md"
    path.write_text(path.read_text() + "\nAnother paragraph.\n")
    edited = build(site, options, BuildCache(site))
    assert (edited.route.split(":")[0], edited.rendered) == ("bodies only", 1)  # its page: the feeds show newer ones
    age(site)
    assert build(site, options, BuildCache(site)).rendered == 0
    with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:  # the cache took the new times
        kept = dict(db.execute("SELECT path, mtime_ns FROM parsed").fetchall())
    assert kept == {f"content/a{n}.md": (site / "content" / f"a{n}.md").stat().st_mtime_ns
                    for n in range(MAX_EDITS + 20)}
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)


@pytest.mark.parametrize(("old", "new"), [
    ("Body 0.", "A new first paragraph, which is the summary."),  # the card shows it
    ("Headline 0", "Headline zero"),
    ("people: ['Vladimir Putin', 'Benjamin Netanyahu']", "people: ['Vladimir Putin']"),
    ("draft: false", "draft: true\nupdated: 2015-12-01"),
    ("## One", "## One\n\n## Two\n\n## Three"),  # the table of contents: its own page only
])
@pytest.mark.parametrize("kept", [True, False])
def test_an_edit_beyond_the_body_is_built_right_in_full_or_on_the_kept_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, kept: bool) -> None:
    """In full, or with a warm site the cache `kept` (an edit of what an article shows: in place; of its people:
    relinked; of whether it is a draft: in full); a clean build makes the same files."""
    if not kept:
        monkeypatch.setattr(snapshot, "MAX_ARTICLES", -1)
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    path = site / "content" / "a0.md"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    result = build(site, options, BuildCache(site))
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)
    routes = {"A new": "articles in place", "Headline": "articles in place", "people": "relinked"}
    expected = next((route for start, route in routes.items() if new.startswith(start)), "full") if kept else "full"
    expected = "bodies only" if new.startswith("## One") else expected
    assert result.route.split(":")[0] == expected
    assert ("model" in result.timings) == (expected == "full")


def test_a_warning_of_a_body_edited_article_is_still_reported(tmp_path: Path) -> None:
    site = base_site(tmp_path)
    path = site / "content" / "a1.md"
    path.write_text(path.read_text().replace("source: Example News", "source: Example News\nsource: Example News"))
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    first = build(site, options, BuildCache(site))
    path.write_text(path.read_text() + "\nMore.\n")
    second = build(site, options, BuildCache(site))
    assert [str(w) for w in second.warnings] == [str(w) for w in first.warnings] != []


def damage(cache_file: Path, how: str) -> None:
    """Break the cache file the way disks, crashes and other programs do."""
    if how == "truncated":
        data = cache_file.read_bytes()
        cache_file.write_bytes(data[: len(data) // 3])
    elif how == "garbage":
        cache_file.write_bytes(b"\x00not a database at all" * 100)
    elif how == "foreign":
        cache_file.unlink()
        db = sqlite3.connect(cache_file)
        db.execute("CREATE TABLE parsed (path TEXT, something_else BLOB)")
        db.execute("INSERT INTO parsed VALUES ('content/a0.md', x'00')")
        db.commit()
        db.close()
    elif how == "corrupt-rows":
        db = sqlite3.connect(cache_file)
        db.execute("UPDATE parsed SET value = x'8004deadbeef'")
        db.commit()
        db.close()


@pytest.mark.parametrize("how", ["truncated", "garbage", "foreign", "corrupt-rows"])
def test_a_broken_cache_is_ignored_with_a_warning(tmp_path: Path, how: str) -> None:
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    for suffix in ("-wal", "-shm"):
        Path(str(site / CACHE_DIR / "cache.sqlite") + suffix).unlink(missing_ok=True)
    damage(site / CACHE_DIR / "cache.sqlite", how)
    path = site / "content" / "a1.md"
    path.write_text(path.read_text().replace("Headline 1", "Changed headline"))
    result = build(site, options, BuildCache(site))
    assert any("build cache" in str(w) and "rebuilt" in str(w) for w in result.warnings), result.warnings
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)
    # and the cache works again afterwards
    again = build(site, options, BuildCache(site))
    assert not again.warnings and again.written == 0


def test_a_cache_of_another_version_is_emptied_without_a_warning(tmp_path: Path) -> None:
    """A cache written by a digest of another schema is not damage: it is replaced, and nothing is said."""
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    with sqlite3.connect(site / CACHE_DIR / "cache.sqlite") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (pickle.dumps(1),))
    path = site / "content" / "a1.md"
    path.write_text(path.read_text().replace("Headline 1", "Changed headline"))
    result = build(site, options, BuildCache(site))
    assert result.route.startswith("full") and not result.warnings
    again = build(site, options, BuildCache(site))  # and the cache, written anew, is read again
    assert not again.warnings and (again.rendered, again.written) == (0, 0)


def test_a_whole_cache_is_not_read_end_to_end(tmp_path: Path) -> None:
    """A file as long as its header says is whole (SQLite refuses a shorter one at once): the end-to-end read,
    75 ms at 10,000 articles, is left for a file beside a write-ahead log that holds pages."""
    from digest.incremental import memory
    from digest.incremental.inputs import parse_namespace
    from digest.read.config import load_config

    site = base_site(tmp_path)
    build(site, BuildOptions(output_dir=str(tmp_path / "out"), now=NOW), BuildCache(site))
    namespace = parse_namespace(load_config(site)[0])

    def read_through() -> bool:
        """Whether a new build's cache reads the file end to end (this process's memory of it forgotten)."""
        memory._WHOLE.clear()
        memory.forget_index()
        cache = BuildCache(site)
        cache.open(namespace)
        statements: list[str] = []
        assert cache._db is not None
        cache._db.set_trace_callback(statements.append)
        assert cache.index()
        cache.close()
        return any("sum(length(value))" in statement for statement in statements)

    assert not read_through()
    db = sqlite3.connect(site / CACHE_DIR / "cache.sqlite")  # a write left in the log, as by a crash
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("INSERT INTO meta VALUES ('left in the log', x'00')")
    db.commit()
    assert Path(str(site / CACHE_DIR / "cache.sqlite") + "-wal").stat().st_size > 0
    assert read_through()
    db.close()


def test_the_index_a_process_remembers_follows_its_own_saves_and_no_other_writer(tmp_path: Path) -> None:
    from digest.incremental import memory
    from digest.incremental.inputs import parse_namespace
    from digest.read.config import load_config

    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    namespace = parse_namespace(load_config(site)[0])

    def index() -> tuple[dict[str, tuple[int, int, str, str]], bool]:
        """The index a new build reads, and whether it asked the file for it."""
        cache = BuildCache(site)
        cache.open(namespace)
        statements: list[str] = []
        assert cache._db is not None
        cache._db.set_trace_callback(statements.append)
        found = cache.index()
        cache.close()
        return found, any("SELECT path, mtime_ns" in statement for statement in statements)

    def read_anew() -> dict[str, tuple[int, int, str, str]]:
        memory.forget_index()
        found, asked = index()
        assert asked
        return found

    first, _ = index()
    assert index() == (first, False)
    edited = site / "content" / "a3.md"
    edited.write_text(edited.read_text().replace("Body 3.", "Body three."))
    (site / "content" / "a5.md").unlink()
    build(site, options, BuildCache(site))
    remembered, asked = index()
    assert not asked and remembered == read_anew() and "content/a5.md" not in remembered
    assert remembered["content/a3.md"] != first["content/a3.md"]
    db = sqlite3.connect(site / CACHE_DIR / "cache.sqlite")  # another process writes the file
    db.execute("UPDATE parsed SET size = size + 1 WHERE path = 'content/a3.md'")
    db.commit()
    db.close()
    found, asked = index()
    assert asked and found["content/a3.md"][1] == remembered["content/a3.md"][1] + 1


def test_builds_into_two_folders_keep_each_folder_right(tmp_path: Path) -> None:
    # the cache describes the folder the last build wrote; another folder is checked file by file
    site = base_site(tmp_path)
    into_a = BuildOptions(output_dir=str(tmp_path / "a"), now=NOW)
    into_b = BuildOptions(output_dir=str(tmp_path / "b"), now=NOW)
    build(site, into_a, BuildCache(site))
    build(site, into_b, BuildCache(site))
    path = site / "content" / "a3.md"
    path.write_text(path.read_text().replace("Headline 3", "Headline three"))
    build(site, into_a, BuildCache(site))
    build(site, into_b, BuildCache(site))
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "a") == tree(clean)
    assert tree(tmp_path / "b") == tree(clean)


def test_a_removed_article_is_removed_without_walking_the_output(tmp_path: Path) -> None:
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    (site / "content" / "a5.md").unlink()
    result = build(site, options, BuildCache(site))
    assert result.removed >= 1
    assert not (tmp_path / "out" / "2015" / "11" / "a5").exists()
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)


class _Forged:
    """A pickled value that would run a command when unpickled by a trusting reader."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_forged_cache_runs_no_code(tmp_path: Path) -> None:
    import pickle

    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW)
    build(site, options, BuildCache(site))
    marker = tmp_path / "pwned"
    db = sqlite3.connect(site / CACHE_DIR / "cache.sqlite")
    db.execute("UPDATE parsed SET value = ?", (pickle.dumps(_Forged(marker)),))
    db.execute("UPDATE meta SET value = ? WHERE key LIKE 'state:%'", (pickle.dumps(_Forged(marker)),))
    db.commit()
    db.close()
    (site / CACHE_DIR / "settings.pickle").write_bytes(pickle.dumps((b"", _Forged(marker), ())))
    path = site / "content" / "a2.md"
    path.write_text(path.read_text().replace("Headline 2", "Headline two"))
    result = build(site, options, BuildCache(site))
    assert not marker.exists()
    assert any("build cache" in str(w) for w in result.warnings)
    clean = tmp_path / "clean"
    build(site, BuildOptions(output_dir=str(clean), now=NOW))
    assert tree(tmp_path / "out") == tree(clean)


def test_settings_are_taken_back_only_while_the_file_and_base_url_are_those_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.read import config as config_module

    site = tmp_path / "site"
    site.mkdir()
    settings_file = site / "digest.yaml"
    settings_file.write_text("title: One\ntitle: Two\nlanguages:\n  - en\n  - fr:\n      title: Le Digest\n  - ar\n"
                             "editions: weekly\nmarkdown:\n  toc_levels: [2, 3]\n")
    read = config_module.load_config
    readings: list[str | None] = []

    def counted(site_dir: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
        readings.append(base_url)
        return read(site_dir, base_url)

    monkeypatch.setattr(config_module, "load_config", counted)

    def settings(base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
        """The settings as a good build reads them: it keeps them once it is done."""
        cache = BuildCache(site)
        found = cache.settings(site, base_url)
        cache.keep_settings()
        return found

    first, warnings = settings()
    assert [w.message for w in warnings] == ["`title` is given twice (lines 1, 2)"]
    assert settings() == (first, warnings) and readings == [None]  # taken back, warning and all
    settings("https://example.net/")
    assert readings == [None, "https://example.net/"]  # another --base-url is read anew
    settings_file.write_text(settings_file.read_text().replace("Le Digest", "La Digest"))  # the same size
    assert settings()[0].languages[1].title == "La Digest"
    kept = site / CACHE_DIR / "settings.pickle"
    kept.write_bytes(b"not a pickle")
    assert settings()[0].languages[1].title == "La Digest"
    assert len(readings) == 4
    settings_file.write_text("per_page: many\n")
    before = kept.read_bytes()
    assert settings()[1][0].severity == "error"
    assert kept.read_bytes() == before  # settings with an error are not kept
    settings_file.write_text("title: Three\n")
    BuildCache(site).settings(site, None)  # a build that fails after reading them does not keep them
    assert kept.read_bytes() == before


@pytest.mark.parametrize("kept", [True, False])
def test_a_rebuild_writes_only_the_link_records_that_changed_and_the_cache_holds_what_a_clean_one_would(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: bool) -> None:
    """After an edit of one article's people (relinked on the warm site the cache `kept`, else in full), the cache
    rewrites the records of the articles whose links changed (not every article's), removes those of articles gone
    or no longer published, and holds what a build with no cache would leave."""
    if not kept:
        monkeypatch.setattr(snapshot, "MAX_ARTICLES", -1)
    site = base_site(tmp_path)
    options = BuildOptions(output_dir=str(tmp_path / "out"), now=NOW, index_search=False)
    build(site, options, BuildCache(site))
    written: list[str] = []
    real = pickle.dumps

    def counting(value: object, *args: object, **kwargs: object) -> bytes:
        if isinstance(value, tuple) and len(value) == 8 and isinstance(value[2], tuple):  # a link record
            written.append(str(value[3] or "-"))
        return real(value, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pickle, "dumps", counting)

    def links(folder: Path) -> dict[str, object]:
        with sqlite3.connect(folder / "cache.sqlite") as db:
            return {path: pickle.loads(value) for path, value in db.execute("SELECT path, value FROM links")}

    def same_as_a_clean_build() -> None:
        fresh = tmp_path / "fresh-cache"
        shutil.rmtree(fresh, ignore_errors=True)
        build(site, BuildOptions(output_dir=str(tmp_path / "clean"), now=NOW, index_search=False),
              BuildCache(site, fresh))
        assert links(site / CACHE_DIR) == links(fresh)

    edited = site / "content" / "a5.md"
    edited.write_text(re.sub(r"^people: .*$", "people: ['John Kerry']", edited.read_text(), flags=re.MULTILINE))
    written.clear()
    assert build(site, options, BuildCache(site)).route.startswith("relinked" if kept else "full")
    assert 0 < len(written) < 8
    same_as_a_clean_build()
    (site / "content" / "a2.md").unlink()
    (site / "content" / "a3.md").write_text((site / "content" / "a3.md").read_text().replace("draft: false",
                                                                                            "draft: true"))
    build(site, options, BuildCache(site))
    assert {"content/a2.md", "content/a3.md"}.isdisjoint(links(site / CACHE_DIR))
    same_as_a_clean_build()
