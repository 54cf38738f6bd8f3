"""A shelf of cards: a card kept is given back while its article's key is the one it was made with."""

from __future__ import annotations

import datetime
import os

import pytest

from digest.model import Article, FrozenMap
from digest.render.renderer import CardShelf

WHEN = datetime.datetime(2015, 11, 30, tzinfo=datetime.timezone.utc)


def article(path: str = "content/paris.md", title: str = "Paris") -> Article:
    return Article(path=path, slug="paris", url="/2015/11/paris/", title=title, date=WHEN, updated=None, people=(),
                   topics=(), source=None, source_url=None, summary="", body_html="", toc_text="", words=0,
                   draft=False, image=None, image_alt=None, meta=FrozenMap(), content_hash="")


def test_a_card_is_given_back_while_its_article_has_the_key_it_was_made_with() -> None:
    keys = {"content/paris.md": "k1"}
    shelf = CardShelf()
    shelf.key = lambda a: keys[a.path]
    paris = article()
    assert shelf.get(paris) is None
    shelf.put(paris, "<article>Paris</article>")
    assert shelf.get(paris) == "<article>Paris</article>"
    keys["content/paris.md"] = "k2"  # an edit of what the card shows
    assert shelf.get(paris) is None
    shelf.put(paris, "<article>Paris, again</article>")
    assert shelf.get(paris) == "<article>Paris, again</article>"
    assert list(shelf.unsaved()) == [("content/paris.md", "k2", "<article>Paris, again</article>")]
    assert list(shelf.unsaved()) == []  # given to the cache once


def test_a_card_the_cache_keeps_is_read_from_it_with_its_key() -> None:
    asked: list[tuple[str, str]] = []

    def read(path: str, key: str) -> str | None:
        asked.append((path, key))
        return "<article>Kept</article>" if key == "k1" else None

    shelf = CardShelf({"content/paris.md": "k1", "content/jet.md": "old"})
    shelf.key = lambda a: "k1"
    shelf.read = read
    assert shelf.get(article()) == "<article>Kept</article>"
    assert shelf.get(article("content/jet.md")) is None and asked == [("content/paris.md", "k1")]
    shelf.key = None  # a build that gives no keys (without fingerprints) neither reads nor keeps cards
    shelf.put(article("content/jet.md"), "<article>Jet</article>")
    assert shelf.get(article()) is None and list(shelf.unsaved()) == []


def test_a_worker_forked_with_the_shelf_reads_its_cards_but_neither_the_cache_nor_writes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = CardShelf({"content/jet.md": "k"})
    shelf.key = lambda a: "k"
    shelf.read = lambda path, key: "<article>From the cache</article>"
    shelf.put(article(), "<article>Paris</article>")
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a forked worker: the parent's file and database
    assert shelf.get(article()) == "<article>Paris</article>"
    assert shelf.get(article("content/jet.md")) is None
    shelf.put(article("content/jet.md"), "<article>Jet</article>")
    assert shelf.get(article("content/jet.md")) is None and list(shelf.unsaved()) == [
        ("content/paris.md", "k", "<article>Paris</article>")]
