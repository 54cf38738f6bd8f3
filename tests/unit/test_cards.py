"""The preview's shelf of cards: a card kept is given back only for the same article, naming the same terms."""

from __future__ import annotations

import dataclasses
import datetime
import os

import pytest

from digest.model import Article, ArticleLinks, FrozenMap, TermRef
from digest.render.renderer import CardShelf

WHEN = datetime.datetime(2015, 11, 30, tzinfo=datetime.timezone.utc)


def article() -> Article:
    return Article(path="content/paris.md", slug="paris", url="/2015/11/paris/", title="Paris", date=WHEN,
                   updated=None, people=(), topics=(), source=None, source_url=None, summary="", body_html="",
                   toc_text="", words=0, draft=False, image=None, image_alt=None, meta=FrozenMap(), content_hash="")


def links(*people: str) -> ArticleLinks:
    return ArticleLinks(people=tuple(TermRef(taxonomy="people", slug=p.lower(), name=p) for p in people), topics=(),
                        related=(), previous=None, next=None)


def test_a_card_is_given_back_for_the_same_article_naming_the_same_terms() -> None:
    shelf = CardShelf()
    paris = article()
    assert shelf.get(paris, links("Ada")) is None
    shelf.put(paris, links("Ada"), "<article>Paris</article>")
    assert shelf.get(paris, links("Ada")) == "<article>Paris</article>"
    assert shelf.get(paris, links("Bea")) is None  # other people
    assert shelf.get(paris, None) is None
    assert shelf.get(article(), links("Ada")) is None  # an equal article, parsed again: another object
    assert shelf.get(dataclasses.replace(paris, title="Paris talks"), links("Ada")) is None
    shelf.put(paris, links("Bea"), "<article>Paris, Bea</article>")  # a card made again takes the place of the old
    assert shelf.get(paris, links("Bea")) == "<article>Paris, Bea</article>"
    assert shelf.get(paris, links("Ada")) is None


def test_a_worker_forked_with_the_shelf_reads_it_but_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = CardShelf()
    paris = article()
    shelf.put(paris, links("Ada"), "<article>Paris</article>")
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a forked worker, whose writes would land in the parent's file
    assert shelf.get(paris, links("Ada")) == "<article>Paris</article>"
    shelf.put(paris, links("Bea"), "<article>Paris, Bea</article>")
    assert shelf.get(paris, links("Bea")) is None and shelf.get(paris, links("Ada")) is not None
