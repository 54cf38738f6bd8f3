"""An article put in place of another on a linked site and its pages (digest/incremental/warm.py)."""

from __future__ import annotations

import dataclasses

from digest.incremental.warm import _holding, _swapped, same_place
from digest.model import ArticleLinks, Term
from digest.plan.pages import plan_pages
from test_site import article, make  # the articles and sites of the link stage's tests

ARTICLES = [article("paris", 30, ["Vladimir Putin", "Benjamin Netanyahu"], ["Syria", "Diplomacy"]),
            article("vienna", 14, ["Vladimir Putin"], ["Syria"]),
            article("cop", 29, ["Mahmoud Abbas"], ["COP21", "Diplomacy"]),
            article("moscow", 21, ["Benjamin Netanyahu", "Vladimir Putin"], ["Diplomacy"]),
            article("ramallah", 3, ["Mahmoud Abbas"], ["Terrorism"])]


def test_an_article_put_in_place_gives_the_site_and_pages_that_linking_it_anew_gives() -> None:
    site, _ = make(ARTICLES)
    old = ARTICLES[3]
    new = dataclasses.replace(old, title="Moscow, again", summary="They met again.", meta={"region": "Europe"})
    assert same_place(old, new)
    memo: dict[int, object] = {}
    swapped = _swapped(site, {id(old): new}, memo)
    relinked, _ = make([new if a is old else a for a in ARTICLES])
    assert swapped == relinked
    assert [_swapped(page, {id(old): new}, memo) for page in plan_pages(site)] == plan_pages(relinked)
    # what holds none of it is the very same value: a term of other articles, another article's links
    assert next(t for t in swapped.topics if t.slug == "terrorism") is next(t for t in site.topics
                                                                            if t.slug == "terrorism")
    assert swapped.links["content/ramallah.md"] is site.links["content/ramallah.md"]
    assert swapped.config is site.config


def test_an_article_that_moves_is_not_in_the_same_place() -> None:
    old = ARTICLES[1]
    assert not same_place(old, dataclasses.replace(old, people=("Mahmoud Abbas",)))
    assert not same_place(old, dataclasses.replace(old, date=ARTICLES[0].date))
    assert not same_place(old, dataclasses.replace(old, url="/2015/11/elsewhere/"))
    assert same_place(old, dataclasses.replace(old, body_html="<p>More.</p>", words=2, content_hash="other"))


def test_only_fields_whose_types_may_hold_an_article_are_looked_into() -> None:
    assert _holding(ArticleLinks) == ("related", "previous", "next")
    assert "articles" in _holding(Term) and "name" not in _holding(Term)
