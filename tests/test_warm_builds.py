"""What a build does not do again: compile templates kept in the build cache (even in a new process), unpickle
parse results a process that builds again and again (the preview) has read before, link or plan the site on the
warm site, or render the cards of articles an edit left as they were."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
from pathlib import Path
from typing import Any, Callable

import jinja2
import pytest

import digest.incremental.cache as cache_module
import digest.incremental.inputs as inputs_module
import digest.read.discover as discover
import digest.render.environment as environment
from digest.build import build
from digest.incremental import snapshot
from digest.incremental.cache import BuildCache
from digest.model import Article
from digest.records import BuildOptions

SITE = {
    "digest.yaml": "title: Compiled\nbase_url: https://example.org/\nsearch: false\n",
    "content/2015-11-30-paris.md": "---\ntitle: Paris\npeople: [Vladimir Putin]\n---\nThey met.\n",
}


def test_templates_compiled_once_are_read_back_from_the_cache(make_site: Callable[..., Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(SITE)
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    monkeypatch.setattr(environment._COMPILED, "_code", {})  # as in a new process
    build(site, BuildOptions(), BuildCache(site))
    assert "article.html" in compiled
    kept = sorted((site / ".digest-cache" / "templates").glob("*.bin"))
    assert len(kept) >= len(set(compiled)) > 5
    compiled.clear()
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    (site / "content" / "2015-11-30-paris.md").write_text(SITE["content/2015-11-30-paris.md"] + "More.\n",
                                                          encoding="utf-8")
    build(site, BuildOptions(), BuildCache(site))
    assert compiled == []
    # an edited template is compiled anew; damaged entries are compiled again, not trusted
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text('{% extends "base.html" %}', encoding="utf-8")
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    build(site, BuildOptions(), BuildCache(site))
    assert compiled == ["article.html"]
    for entry in kept:
        entry.write_bytes(b"not bytecode")
    compiled.clear()
    monkeypatch.setattr(environment._COMPILED, "_code", {})
    build(site, BuildOptions(), BuildCache(site))
    assert {"base.html", "404.html"} <= set(compiled)
    build(site, BuildOptions(), None)  # without the cache: nothing written there
    assert environment._COMPILED.folder is None


def test_a_process_that_builds_again_unpickles_only_the_parse_results_an_edit_changed(
        make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, no_kept_site: None) -> None:
    site = make_site({**SITE, "content/2015-11-24-jet.md": "---\ntitle: Jet\ntopics: [Turkey]\n---\nShot down.\n"})
    build(site, BuildOptions(), BuildCache(site))
    loaded: list[object] = []
    real = cache_module._loads

    def counting(data: bytes) -> object:
        value = real(data)
        if isinstance(value, tuple) and value and isinstance(value[0], Article):  # a parse result
            loaded.append(value[0])
        return value

    monkeypatch.setattr(cache_module, "_loads", counting)
    paris = site / "content" / "2015-11-30-paris.md"
    paris.write_text(paris.read_text(encoding="utf-8").replace("[Vladimir Putin]", "[Benjamin Netanyahu]"),
                     encoding="utf-8")
    build(site, BuildOptions(), BuildCache(site))  # both read back once, in this process
    first = len(loaded)
    paris.write_text(paris.read_text(encoding="utf-8").replace("[Benjamin Netanyahu]", "[Moshe Ya'alon]"),
                     encoding="utf-8")
    result = build(site, BuildOptions(), BuildCache(site))
    assert first == 2 and len(loaded) == 3  # then the edited one only, as the last build left it
    assert isinstance(loaded[-1], Article) and loaded[-1].people == ("Benjamin Netanyahu",)
    assert "people/moshe-yaalon/index.html" in result.changed
    clean = build(site, BuildOptions(output_dir=str(site / "clean")))
    assert clean.pages == result.pages


WARM_SITE = {
    "digest.yaml": "title: Warm\nbase_url: https://example.org/\nsearch: false\nper_page: 2\n",
    **{f"content/2015-11-{day:02d}-story-{day}.md":
       f"---\ntitle: Story {day}\npeople: [{person}]\ntopics: [Diplomacy, {topic}]\n---\nWhat happened on day {day}.\n"
       for day, person, topic in [(2, "Vladimir Putin", "Syria"), (5, "Benjamin Netanyahu", "Syria"),
                                  (9, "Vladimir Putin", "Terrorism"), (14, "Mahmoud Abbas", "COP21"),
                                  (20, "Vladimir Putin", "COP21"), (26, "Moshe Ya'alon", "Syria")]},
    "content/2015-11-27-unfinished.md": "---\ntitle: Unfinished\ndraft: true\n---\nNot yet.\n",
    "content/topics/elections.md": "---\nname: Elections\n---\nNone yet: its feed is as new as the site.\n",
}
EDITED = "content/2015-11-09-story-9.md"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".digest-output"}


def test_an_edit_that_leaves_every_article_in_place_is_built_on_the_warm_site(make_site: Callable[..., Path],
                                                                              tmp_path: Path) -> None:
    site = make_site(WARM_SITE)
    story = site / EDITED
    options = BuildOptions(output_dir=str(tmp_path / "out"), warm=True)

    def again(old: str, new: str, path: Path = story) -> tuple[str, int]:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        result = build(site, options, BuildCache(site))
        clean = tmp_path / "clean"
        built = build(site, BuildOptions(output_dir=str(clean), clean=True))
        assert files(tmp_path / "out") == files(clean)
        assert list(map(str, result.warnings)) == list(map(str, built.warnings))
        return result.route.split(":")[0], result.rendered

    first = build(site, options, BuildCache(site))
    route, rendered = again("title: Story 9", "title: Story nine")
    # its page, its neighbours', the lists and feeds that show its card: not the other pages
    assert route == "articles in place" and 5 < rendered < first.pages // 2
    assert again(".\n", ".\n\nA second paragraph.\n")[0] == "bodies only"
    assert again("---\nWhat", "summary: The ninth.\n---\nWhat")[0] == "articles in place"  # after the body edit
    # other people: the terms it left and joined, and the articles near it under them, are linked again
    assert again("people: [Vladimir Putin]", "people: [Mahmoud Abbas]")[0] == "relinked"
    # another day: it moves in time (on the home pages, in its month, under its terms), its URL stays
    assert again("title: Story nine", "title: Story nine\ndate: 2015-11-21")[0] == "relinked"
    assert again("date: 2015-11-21", "date: 2015-11-21T09:30:00+00:00\nupdated: 2015-11-27")[0] == "relinked"
    assert again("date: 2015-11-21T09:30:00+00:00", "date: 2015-11-29")[0] == "relinked"  # the newest now
    assert again("date: 2015-11-29", "date: 2015-11-21T09:30:00+00:00")[0] == "relinked"
    assert again("date: 2015-11-21T09:30:00+00:00", "date: 2015-12-01")[0] == "full"  # another month: another URL
    assert again("date: 2015-12-01\nupdated: 2015-11-27\n", "")[0] == "full"
    assert again("title: Story nine", "title: Story 9")[0] == "articles in place"  # warm again after a full build
    assert again("Not yet.", "Not yet, soon.", site / "content/2015-11-27-unfinished.md") == ("articles in place", 0)
    assert again("title: Unfinished", "title: Half done", site / "content/2015-11-27-unfinished.md") == (
        "articles in place", 0)  # a draft: not in the site, nothing to render
    photo = site / "content" / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")
    os.utime(photo, (1e9, 1e9))  # older than the build, as files are (a file just written is not told apart by time)
    assert again("title: Story 9", "title: Story 9\nimage: photo.jpg")[0] == "full"  # a new file, an image checked
    assert again("title: Story 9", "title: Story 9\nimage_alt: A photo")[0] == "articles in place"


def test_a_warm_site_serves_only_the_build_it_was_made_with(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(WARM_SITE)
    story = site / EDITED
    warm = BuildOptions(output_dir=str(tmp_path / "out"), warm=True)
    build(site, warm, BuildCache(site))
    story.write_text(story.read_text(encoding="utf-8").replace("Story 9", "Story nine"), encoding="utf-8")
    assert build(site, BuildOptions(output_dir=str(tmp_path / "out")), BuildCache(site)).route.startswith("full")
    story.write_text(story.read_text(encoding="utf-8").replace("Story nine", "Story 9"), encoding="utf-8")
    # the output is another build's now (a build without `warm`): what was kept of the first is not used
    assert build(site, warm, BuildCache(site)).route.startswith("full")
    story.write_text(story.read_text(encoding="utf-8").replace("Story 9", "Story ninth"), encoding="utf-8")
    assert build(site, warm, BuildCache(site)).route.startswith("articles in place")


def test_a_warm_build_told_what_changed_walks_the_site_only_when_a_file_came_or_went(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(WARM_SITE)
    walks: list[Path] = []
    real = discover.scan  # as `incremental.inputs` calls it

    def counting(site_dir: Path, *args: Any, **kwargs: Any) -> Any:
        walks.append(site_dir)
        return real(site_dir, *args, **kwargs)

    monkeypatch.setattr(inputs_module, "scan", counting)
    options = BuildOptions(output_dir=str(tmp_path / "out"), warm=True)
    build(site, options, BuildCache(site))
    story = site / EDITED

    def again(changed: tuple[str, ...]) -> tuple[int, str]:
        walks.clear()
        result = build(site, dataclasses.replace(options, changed=changed), BuildCache(site))
        walked = len(walks)
        clean = build(site, BuildOptions(output_dir=str(tmp_path / "clean"), clean=True))
        assert files(tmp_path / "out") == files(tmp_path / "clean") and clean.articles
        return walked, result.route.split(":")[0]

    story.write_text(story.read_text(encoding="utf-8").replace("Story 9", "Story nine"), encoding="utf-8")
    # the source's new stamp is all this build needed to look at; what changed is not itself an input
    assert again((EDITED,)) == (0, "articles in place")
    story.write_text(story.read_text(encoding="utf-8") + "\nA second paragraph.\n", encoding="utf-8")
    assert again((EDITED, EDITED)) == (0, "bodies only")
    story.write_text(story.read_text(encoding="utf-8").replace("[Vladimir Putin]", "[Mahmoud Abbas]"),
                     encoding="utf-8")
    assert again((EDITED,)) == (0, "relinked")
    (site / "content" / "2015-11-28-new.md").write_text("---\ntitle: New\n---\nNews.\n", encoding="utf-8")
    assert again(("content/2015-11-28-new.md",)) == (1, "full")  # a new file: the folders are walked
    (site / "content" / "2015-11-28-new.md").unlink()
    assert again(("content/2015-11-28-new.md",)) == (1, "full")  # and one gone
    (site / "content" / "extra").mkdir()
    assert again(("content/extra",))[0] == 1  # a folder
    story.write_text(story.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    assert again((EDITED, "digest.yaml"))[0] == 1  # what is not a source


def cards_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the articles whose cards are rendered from now on (not those read back from a shelf)."""
    made: list[str] = []
    real = jinja2.Template.render

    def counting(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        if self.name == "_card.html":
            made.append(kwargs["article"].path)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    return made


@pytest.mark.parametrize("how", ["preview", "kept", "full"])
def test_a_build_makes_again_only_the_cards_of_the_articles_an_edit_changed(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """On the warm site of the preview, and from the build cache (`digest build`, each build a process of its own):
    on the warm site it keeps, or in full (a site of more articles than it keeps one for)."""
    warm = how == "preview"
    if how == "full":
        monkeypatch.setattr(snapshot, "MAX_ARTICLES", -1)
    site = make_site(WARM_SITE)
    made = cards_made(monkeypatch)
    options = BuildOptions(output_dir=str(tmp_path / "out"), warm=warm)
    build(site, options, BuildCache(site))
    assert len(set(made)) == 6  # every published article's card, once

    def again(old: str, new: str) -> tuple[str, list[str]]:
        story = site / EDITED
        story.write_text(story.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        made.clear()
        result = build(site, options, BuildCache(site))
        cards = sorted(set(made))
        build(site, BuildOptions(output_dir=str(tmp_path / "clean"), clean=True))
        assert files(tmp_path / "out") == files(tmp_path / "clean")
        return result.route.split(":")[0], cards

    # the pages of Vladimir Putin, Syria and Diplomacy list cards of other articles too: those are not made again
    linked = "full" if how == "full" else "relinked"
    assert again("people: [Vladimir Putin]", "people: [Mahmoud Abbas]") == (linked, [EDITED])
    # (from the cache: relinked again, for the edits since the warm site was kept, the people edit among them)
    assert again("title: Story 9", "title: Story nine") == ("articles in place" if warm else linked, [EDITED])
    assert "Story nine" in (tmp_path / "out" / "people" / "mahmoud-abbas" / "index.html").read_text(encoding="utf-8")
    # a setting changed: every card's key did, and every card is made again
    (site / "digest.yaml").write_text(WARM_SITE["digest.yaml"].replace("title: Warm", "title: Warmer"),
                                      encoding="utf-8")
    route, cards = again("title: Story nine", "title: Story 9")
    assert route == "full" and len(cards) == 6
    (site / EDITED).unlink()  # the card of an article gone goes from the cache
    build(site, options, BuildCache(site))
    with contextlib.closing(sqlite3.connect(site / ".digest-cache" / "cache.sqlite")) as db:
        kept = [path for path, in db.execute("SELECT path FROM cards WHERE language = 'en'")]
    assert len(kept) == 5 and EDITED not in kept


@pytest.mark.parametrize("forked", [False, True])
def test_the_command_line_builds_on_the_warm_site_the_cache_keeps(
        make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool) -> None:
    """Each build a process of its own: a full build keeps its warm site in the cache (`forked`: written by a
    process of its own, which the next build waits for), the builds after it list what they edited, and each edit
    beyond bodies is built on that site with the edits since, and the files they changed; a person's page that an
    edit made and the next took back goes."""
    monkeypatch.setattr(snapshot, "BACKGROUND", 1 if forked else 10**9)
    site = make_site(WARM_SITE)
    options = BuildOptions(output_dir=str(tmp_path / "out"))
    cache_dir = site / ".digest-cache"
    first = build(site, options, BuildCache(site))
    snapshot.settle(cache_dir)  # (a forked writer may still be at it)
    assert (cache_dir / snapshot.SNAPSHOT).is_file()
    journal = json.loads((cache_dir / snapshot.JOURNAL).read_bytes())
    assert first.route.startswith("full") and journal["since"] == journal["build"] and journal["edited"] == []

    def again(name: str, old: str, new: str) -> str:
        story = site / name
        story.write_text(story.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        result = build(site, options, BuildCache(site))
        build(site, BuildOptions(output_dir=str(tmp_path / "clean"), clean=True))
        assert files(tmp_path / "out") == files(tmp_path / "clean")
        assert "model" not in result.timings  # (never linked nor planned whole)
        return result.route.split(":")[0]

    other = "content/2015-11-26-story-26.md"
    assert again(EDITED, "people: [Vladimir Putin]", "people: [Ada Lovelace]") == "relinked"
    assert (tmp_path / "out" / "people" / "ada-lovelace" / "index.html").is_file()
    assert again(other, ".\n", ".\n\nMore of it.\n") == "bodies only"  # (a paragraph after the summary)
    assert again(other, "title: Story 26", "title: Story twenty-six") == "relinked"  # (the people edit since)
    assert json.loads((cache_dir / snapshot.JOURNAL).read_bytes())["edited"] == [EDITED, other]
    assert again(EDITED, "people: [Ada Lovelace]", "people: [Vladimir Putin]") == "relinked"
    assert not (tmp_path / "out" / "people" / "ada-lovelace").exists()
    assert snapshot._WRITERS == []  # (each forked writer's end collected)


def test_a_warm_site_kept_for_another_output_or_unreadable_is_not_read(make_site: Callable[..., Path],
                                                                       tmp_path: Path) -> None:
    site = make_site(WARM_SITE)
    here, there = BuildOptions(output_dir=str(tmp_path / "here")), BuildOptions(output_dir=str(tmp_path / "there"))
    story = site / EDITED
    build(site, here, BuildCache(site))
    build(site, there, BuildCache(site))  # (the cache's record and warm site are now this folder's)
    story.write_text(story.read_text(encoding="utf-8").replace("[Vladimir Putin]", "[Mahmoud Abbas]"),
                     encoding="utf-8")
    assert build(site, here, BuildCache(site)).route.startswith("full")
    story.write_text(story.read_text(encoding="utf-8").replace("[Mahmoud Abbas]", "[Moshe Ya'alon]"),
                     encoding="utf-8")
    (site / ".digest-cache" / snapshot.SNAPSHOT).write_bytes(b"not a pickle")
    result = build(site, here, BuildCache(site))
    assert result.route.startswith("full") and result.warnings == ()
    build(site, BuildOptions(output_dir=str(tmp_path / "clean"), clean=True))
    assert files(tmp_path / "here") == files(tmp_path / "clean")


def test_past_so_many_edits_the_warm_site_is_kept_anew_or_forgotten(make_site: Callable[..., Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A relinked build that would list more edits than `MAX_EDITED` keeps its own warm site instead; a build of
    bodies, which has none to keep, forgets the one there, and the next edit beyond bodies is built in full."""
    monkeypatch.setattr(snapshot, "MAX_EDITED", 1)
    site = make_site(WARM_SITE)
    journal = site / ".digest-cache" / snapshot.JOURNAL
    build(site, BuildOptions(), BuildCache(site))
    stories = sorted((site / "content").glob("2015-11-*-story-*.md"))

    def edit(path: Path, old: str, new: str) -> str:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        return build(site, BuildOptions(), BuildCache(site)).route.split(":")[0]

    assert edit(stories[0], "title: Story", "title: A story") == "articles in place"
    assert json.loads(journal.read_bytes())["edited"] == [stories[0].relative_to(site).as_posix()]
    assert edit(stories[1], "title: Story", "title: A story") == "articles in place"
    kept = json.loads(journal.read_bytes())
    assert kept["edited"] == [] and kept["since"] == kept["build"]  # (kept anew)
    assert edit(stories[2], ".\n", ".\n\nMore of it.\n") == "bodies only"  # (a paragraph after the summary)
    assert edit(stories[3], ".\n", ".\n\nMore of it.\n") == "bodies only"
    assert not journal.exists() and not (site / ".digest-cache" / snapshot.SNAPSHOT).exists()
    assert edit(stories[4], "title: Story", "title: A story") == "full"
    assert journal.exists()


def test_a_site_of_more_articles_than_kept_keeps_no_warm_site(make_site: Callable[..., Path],
                                                              no_kept_site: None) -> None:
    site = make_site(WARM_SITE)
    build(site, BuildOptions(), BuildCache(site))
    assert not (site / ".digest-cache" / snapshot.SNAPSHOT).exists()


def test_a_warm_site_that_cannot_be_written_is_no_error(make_site: Callable[..., Path], tmp_path: Path) -> None:
    """Where the cache cannot take the warm site (here a folder stands in its place), the build goes on without:
    no traceback, no warning, and the next edit beyond bodies is built in full, right."""
    site = make_site(WARM_SITE)
    (site / ".digest-cache" / snapshot.SNAPSHOT).mkdir(parents=True)
    (site / ".digest-cache" / snapshot.SNAPSHOT / "in-the-way").write_text("", encoding="utf-8")
    options = BuildOptions(output_dir=str(tmp_path / "out"))
    assert build(site, options, BuildCache(site)).warnings == ()
    assert not (site / ".digest-cache" / snapshot.JOURNAL).exists()
    story = site / EDITED
    story.write_text(story.read_text(encoding="utf-8").replace("[Vladimir Putin]", "[Mahmoud Abbas]"),
                     encoding="utf-8")
    assert build(site, options, BuildCache(site)).route.startswith("full")
    build(site, BuildOptions(output_dir=str(tmp_path / "clean"), clean=True))
    assert files(tmp_path / "out") == files(tmp_path / "clean")
