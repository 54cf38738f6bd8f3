"""An article put in place of another on a linked site and its pages (digest/incremental/warm.py)."""

from __future__ import annotations

import dataclasses
import datetime

from digest.incremental.warm import _holding, same_place, swapped
from digest.link.duplicates import find_duplicates
from digest.link.relink import Relinked, _duplicates, names_of, relink
from digest.incremental.relinked import _home_pages
from digest.model import Article, ArticleLinks, SiteConfig, Term
from digest.plan.pages import home_pages, plan_pages
from digest.read.urls import packed_links, packed_stories
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
    put = swapped(site, {id(old): new}, memo)
    relinked, _ = make([new if a is old else a for a in ARTICLES])
    assert put == relinked
    assert [swapped(page, {id(old): new}, memo) for page in plan_pages(site)] == plan_pages(relinked)
    # what holds none of it is the very same value: a term of other articles, another article's links
    assert next(t for t in put.topics if t.slug == "terrorism") is next(t for t in site.topics
                                                                        if t.slug == "terrorism")
    assert put.links["content/ramallah.md"] is site.links["content/ramallah.md"]
    assert put.config is site.config


def test_an_article_that_moves_is_not_in_the_same_place() -> None:
    old = ARTICLES[1]
    assert not same_place(old, dataclasses.replace(old, people=("Mahmoud Abbas",)))
    assert not same_place(old, dataclasses.replace(old, date=ARTICLES[0].date))
    assert not same_place(old, dataclasses.replace(old, url="/2015/11/elsewhere/"))
    assert same_place(old, dataclasses.replace(old, body_html="<p>More.</p>", words=2, content_hash="other"))


def test_only_fields_whose_types_may_hold_an_article_are_looked_into() -> None:
    assert _holding(ArticleLinks) == ("related", "previous", "next")
    assert "articles" in _holding(Term) and "name" not in _holding(Term)


def relinked_after(articles: list, changes: dict[str, dict[str, object]], pages: tuple = ()) -> Relinked:
    """Relinking the site after `changes` (article name -> new people, topics or date) gives the site, the warnings
    of spellings and the changed terms that linking it anew gives; the relink."""
    site, found = make(articles, pages=pages)
    found = [p.removeprefix("warning: ").split("\n")[0] for p in found if " are one " in p]  # the warnings of spellings
    warned = {(p.split(":")[0], p.rsplit("/", 2)[-2]) for p in found}
    before = {a.path: a for a in articles if a.slug in changes}
    after = {path: dataclasses.replace(a, **changes[a.slug]) for path, a in before.items()}  # type: ignore[arg-type]
    put = swapped(site, {id(before[path]): new for path, new in after.items()}, {})
    done = relink(put, before, names_of(put, pages), pages, (), warned=warned)
    fresh, problems = make([after.get(a.path, a) for a in articles], pages=pages)
    assert done is not None
    assert done.site == fresh
    spelled = [w for taxonomy in ("people", "topics", "sources")  # made again, or as they were
               for w in ([p.message for p in done.warnings[taxonomy]] if taxonomy in done.warnings
                         else [p for p in found if p.startswith(f"{taxonomy}:")])]
    assert spelled == [p.removeprefix("warning: ").split("\n")[0] for p in problems if " are one " in p]
    for taxonomy in ("people", "topics"):  # every term that differs is one it says it made again
        old = {t.slug: (t.name, t.aliases, [a.path for a in t.articles], t.related) for t in site.taxonomy(taxonomy)}
        new = {t.slug: (t.name, t.aliases, [a.path for a in t.articles], t.related) for t in fresh.taxonomy(taxonomy)}
        differ = {slug for slug in old.keys() | new.keys() if old.get(slug) != new.get(slug)}
        assert differ and differ <= {slug for tx, slug in done.terms if tx == taxonomy} or taxonomy not in [
            name for change in changes.values() for name in change]
    return done


MANY = [article(f"day-{day}", day, [["Vladimir Putin"], ["Benjamin Netanyahu", "Putin"], ["Mahmoud Abbas"],
                                    ["vladimir putin", "Moshe Ya'alon"]][day % 4],
                ["Syria", "Diplomacy", "Terrorism"][day % 3: day % 3 + 2]) for day in range(1, 29)]


def test_people_and_topics_relinked_give_what_linking_anew_gives() -> None:
    relinked_after(MANY, {"day-5": {"people": ("John Kerry",)}})  # a new person; the old ones lose one article
    relinked_after(MANY, {"day-9": {"people": ()}, "day-20": {"topics": ("COP21", "Syria")}})
    relinked_after(MANY, {"day-3": {"people": ("Mahmoud Abbas", "Vladimir Putin")}})  # one joins, one stays
    relinked_after(ARTICLES, {"ramallah": {"people": ("Benjamin Netanyahu",), "topics": ("Diplomacy",)}})  # one goes
    relinked_after(MANY, {"day-1": {"people": ("Benjamin Netanyahu", "PUTIN")}})  # another spelling: a warning


SPELLED = [article(f"day-{day}", day, ["Moshe Ya'alon" if day % 3 else "Moshe Yaalon"], ["Defence"])
           for day in range(1, 20)]


def test_an_article_moved_in_time_is_relinked_as_linking_anew_links_it() -> None:
    later = datetime.datetime(2015, 11, 25, 8, tzinfo=datetime.timezone.utc)
    earlier = datetime.datetime(2015, 11, 2, 8, tzinfo=datetime.timezone.utc)
    relinked_after(SPELLED, {"day-18": {"date": earlier}})  # the warning named it, the newest "Moshe Yaalon"
    relinked_after(SPELLED, {"day-3": {"date": datetime.datetime(2015, 11, 1, tzinfo=datetime.timezone.utc)}})
    relinked_after(MANY, {"day-14": {"date": later, "people": ("John Kerry",)}})  # moved and renamed at once
    relinked_after(MANY, {"day-2": {"updated": later}})  # its place stays; its date of update shows on lists


def test_a_move_past_many_articles_ranks_again_only_the_related_articles_near_its_two_places() -> None:
    # 120 articles 13 hours apart; nearness is the time between two dates, so the articles a move passes keep
    # their related articles: only those within the window of its old or new place, under one of its terms, change
    start = datetime.datetime(2015, 9, 1, 8, tzinfo=datetime.timezone.utc)
    wide = [article(f"wide-{n}", start + datetime.timedelta(hours=13 * n),
                    [["Vladimir Putin"], ["Mahmoud Abbas", "John Kerry"], ["Benjamin Netanyahu"]][n % 3],
                    [["Syria"], ["Diplomacy", "Syria"], ["Terrorism"], ["COP21"]][n % 4]) for n in range(120)]
    forward = relinked_after(wide, {"wide-5": {"date": start + datetime.timedelta(hours=13 * 100 + 1)}})
    backward = relinked_after(wide, {"wide-90": {"date": start + datetime.timedelta(hours=3)}})
    for done, passed in ((forward, range(40, 70)), (backward, range(35, 60))):
        assert done.links and not done.links & {f"content/wide-{n}.md" for n in passed}


def test_a_relink_that_would_rename_a_term_is_left_to_a_full_link() -> None:
    site, _ = make(ARTICLES)
    old = ARTICLES[2]  # cop and ramallah name "Mahmoud Abbas"
    new = dataclasses.replace(old, people=("mahmoud abbas",))  # one each: the name that sorts first stays
    put = swapped(site, {id(old): new}, {})
    assert relink(put, {old.path: old}, names_of(put, ()), (), ()) is not None
    twice = [dataclasses.replace(a, people=("mahmoud abbas",)) if a.slug in ("paris", "vienna") else a
             for a in ARTICLES]
    site, _ = make(twice)
    old = twice[2]
    new = dataclasses.replace(old, people=("Vladimir Putin",))  # "mahmoud abbas" is now the most used spelling
    put = swapped(site, {id(old): new}, {})
    assert relink(put, {old.path: old}, names_of(put, ()), (), ()) is None


def test_stories_linked_twice_are_found_again_only_when_the_moved_article_shares_one() -> None:
    def linking(articles: list[Article], *urls: str) -> list[Article]:
        written = [[(url, 5) for url in urls[n % len(urls)].split()] for n in range(len(articles))]
        return [dataclasses.replace(a, link_text=packed_links(written[n]), story_text=packed_stories(None, written[n]))
                for n, a in enumerate(articles)]

    apart = linking(ARTICLES, "https://a.example/1", "https://b.example/2 https://b.example/2", "https://c.example/3",
                    "https://d.example/4", "https://e.example/5")
    assert all(_duplicates(apart, [moved]) is None for moved in apart)  # (b twice in one article: not another's)
    shared = linking(ARTICLES, "https://a.example/1", "https://b.example/2", "https://a.example/1",
                     "https://c.example/3", "https://d.example/4")
    found = _duplicates(shared, [shared[0]])
    assert found is not None and found == tuple(find_duplicates(shared)) and found
    assert _duplicates(shared, [shared[1]]) is None  # b: only its own
    assert _duplicates(shared, [shared[1], shared[2]]) == found  # of several edited ones, one shares


def test_home_pages_after_a_move_are_made_again_only_where_their_articles_changed() -> None:
    config = SiteConfig(per_page=4)
    site, _ = make(MANY, config)
    before = home_pages(site)
    moved = next(a for a in MANY if a.slug == "day-20")
    put = swapped(site, {id(moved): dataclasses.replace(moved, date=moved.date.replace(day=17))}, {})
    done = relink(put, {moved.path: moved}, names_of(put, ()), (), ())
    assert done is not None and done.moved == moved.path
    after = _home_pages(done.site, before)
    assert after == home_pages(done.site)  # as planning anew makes them
    # 28 articles, 4 a page, newest first: day 20 was 9th, now 12th; pages 3 and 4 list others now
    assert [page is old for page, old in zip(after, before)] == [False, True, False, True, True, True, True]
