"""Names written in articles → people and topics (digest/link/terms.py)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest

from digest.model import EMPTY, Article, Problem, Taxonomy, Term, TermPage
from digest.link.terms import Terms, build_terms

UTC = datetime.timezone.utc


def article(name: str, day: int, people: Sequence[str] = (), topics: Sequence[str] = ()) -> Article:
    """An article of November 2015 at `content/NAME.md` (newest: the highest `day`)."""
    return Article(
        path=f"content/{name}.md", slug=name, url=f"/2015/11/{name}/", title=name.title(),
        date=datetime.datetime(2015, 11, day, tzinfo=UTC), updated=None, people=tuple(people),
        topics=tuple(topics), source=None, source_url=None, summary="", body_html="", toc_text="", words=0,
        draft=False, image=None, image_alt=None, meta=EMPTY, content_hash=name)


def term_page(slug: str, name: str = "", aliases: Sequence[str] = (), taxonomy: Taxonomy = "people",
              role: str | None = None) -> TermPage:
    return TermPage(taxonomy=taxonomy, path=f"content/{taxonomy}/{slug}.md", slug=slug, name=name,
                    aliases=tuple(aliases), role=role, image=None, image_alt=None, body_html=None, meta=EMPTY)


def build(taxonomy: Taxonomy, articles: Sequence[Article], pages: Sequence[TermPage] = ()) -> tuple[Terms, list[str]]:
    problems: list[Problem] = []
    ordered = tuple(sorted(articles, key=lambda a: a.date, reverse=True))
    terms = build_terms(taxonomy, ordered, pages, problems)
    return terms, [str(p) for p in problems]


def by_slug(terms: Terms) -> dict[str, Term]:
    return {term.slug: term for term in terms.terms}


PUTIN_PAGE = term_page("vladimir-putin", "Vladimir Putin",
                       ["Putin", "Vladimir Vladimirovich Putin", "Владимир Путин"], role="President of Russia")


@pytest.mark.parametrize(
    ("spelling", "slug"),
    [
        ("Putin", "vladimir-putin"),
        ("putin", "vladimir-putin"),
        ("Vladimir Vladimirovich Putin", "vladimir-putin"),
        ("Владимир Путин", "vladimir-putin"),
        ("Vladimir Putin", "vladimir-putin"),
        ("vladimir  putin", "vladimir-putin"),
        ("Benjamin Netanyahu", "benjamin-netanyahu"),  # no term page: its own slug
    ],
)
def test_aliases_resolve_to_the_term_pages_slug(spelling: str, slug: str) -> None:
    terms, problems = build("people", [article("a", 1, [spelling])], [PUTIN_PAGE])
    assert problems == []
    assert [ref.slug for ref in terms.by_article["content/a.md"]] == [slug]
    assert [a.path for a in by_slug(terms)[slug].articles] == ["content/a.md"]


def test_a_term_page_gives_name_role_and_aliases() -> None:
    terms, _ = build("people", [article("a", 1, ["Putin"])], [PUTIN_PAGE])
    putin = by_slug(terms)["vladimir-putin"]
    assert (putin.taxonomy, putin.name, putin.role) == ("people", "Vladimir Putin", "President of Russia")
    assert putin.aliases == ("Putin", "Vladimir Vladimirovich Putin", "Владимир Путин")


@pytest.mark.parametrize(
    ("spellings", "name"),
    [
        (["Benjamin Netanyahu"], "Benjamin Netanyahu"),
        (["Benjamin Netanyahu", "benjamin netanyahu", "Benjamin Netanyahu"], "Benjamin Netanyahu"),  # most used
        (["benjamin netanyahu", "benjamin  netanyahu", "Benjamin Netanyahu"], "benjamin netanyahu"),  # spaces folded
        (["open science", "open-science"], "open science"),  # a tie: the one that sorts first
        (["open-science", "open science"], "open science"),
        (["open science", "Open Science", "open-science"], "Open Science"),
        (["open-science", "open-science", "Open Science"], "open-science"),
    ],
)
def test_display_name_without_a_term_page(spellings: list[str], name: str) -> None:
    articles = [article(f"a{i}", i + 1, topics=[s]) for i, s in enumerate(spellings)]
    terms, _ = build("topics", articles)
    assert [t.name for t in terms.terms] == [name]


def test_display_name_comes_from_the_term_page_whatever_the_articles_say() -> None:
    articles = [article("a", 1, ["Putin"]), article("b", 2, ["Putin"]), article("c", 3, ["Vladimir Putin"])]
    terms, _ = build("people", articles, [PUTIN_PAGE])
    assert [t.name for t in terms.terms] == ["Vladimir Putin"]


def test_a_term_page_without_a_name_uses_the_most_used_spelling() -> None:
    terms, _ = build("people", [article("a", 1, ["Vladimir Putin"]), article("b", 2, ["Vladimir Putin"]),
                                article("c", 3, ["Putin"])],
                     [term_page("vladimir-putin", "", ["Putin"])])
    assert [t.name for t in terms.terms] == ["Vladimir Putin"]


def test_spellings_that_differ_only_by_case_or_spaces_give_no_warning() -> None:
    terms, problems = build("people", [article("a", 1, ["Benjamin Netanyahu"]),
                                       article("b", 2, ["benjamin  netanyahu"]),
                                       article("c", 3, ["BENJAMIN NETANYAHU "])])
    assert problems == []
    assert [(t.slug, t.count) for t in terms.terms] == [("benjamin-netanyahu", 3)]


def test_spellings_joined_only_by_the_slug_give_one_warning_listing_them() -> None:
    terms, problems = build("topics", [article("a", 1, topics=["open science"]),
                                       article("b", 2, topics=["open-science"]),
                                       article("c", 3, topics=["Open Science"])])
    assert [(t.slug, t.count) for t in terms.terms] == [("open-science", 3)]
    assert problems == [
        'warning: topics: "Open Science" (content/c.md), "open-science" (content/b.md) are one topic, '
        "/topics/open-science/\n"
        "    Use one spelling, or list the others as `aliases` in content/topics/open-science.md."]


def test_the_warning_is_a_warning() -> None:
    problems: list[Problem] = []
    build_terms("topics", (article("b", 2, topics=["open-science"]), article("a", 1, topics=["open science"])),
                (), problems)
    assert [p.severity for p in problems] == ["warning"]
    assert [(p.path, p.line) for p in problems] == [(None, None)]


@pytest.mark.parametrize(
    "aliases",
    [["open-science"], ["open science", "open-science"], ["Open-Science", "OPEN SCIENCE"]],
)
def test_spellings_listed_on_the_term_page_give_no_warning(aliases: list[str]) -> None:
    _, problems = build("topics", [article("a", 1, topics=["open science"]), article("b", 2, topics=["open-science"])],
                        [term_page("open-science", "Open Science", aliases, "topics")])
    assert problems == []


def test_a_spelling_not_on_the_term_page_still_warns() -> None:
    _, problems = build("people", [article("a", 1, ["Vladimir Putin"]), article("b", 2, ["Vladimir-Putin"])],
                        [term_page("vladimir-putin", "Vladimir Putin", ["Putin"])])
    assert problems == [
        'warning: people: "Vladimir Putin" (content/a.md), "Vladimir-Putin" (content/b.md) are one person, '
        "/people/vladimir-putin/\n"
        "    Use one spelling, or list the others as `aliases` in content/people/vladimir-putin.md."]


def test_two_term_pages_claiming_one_alias_is_an_error() -> None:
    _, problems = build("people", [], [term_page("vladimir-putin", "Vladimir Putin", ["Putin"]),
                                       term_page("vvp", "VVP", ["Putin"])])
    assert problems == [
        'content/people/vvp.md: the person "Putin" is claimed by two term pages: this one and '
        "content/people/vladimir-putin.md\n    Keep the name or alias in one of the two files."]


def test_an_alias_that_is_another_term_pages_slug_is_an_error() -> None:
    _, problems = build("topics", [], [term_page("syria", "Syria", taxonomy="topics"),
                                       term_page("syrian-civil-war", "Syrian civil war", ["Syria"], "topics")])
    assert problems == [
        'content/topics/syrian-civil-war.md: the topic "Syria" is claimed by two term pages: this one and '
        "content/topics/syria.md\n    Keep the name or alias in one of the two files."]


def test_articles_in_a_term_are_newest_first() -> None:
    terms, _ = build("people", [article("old", 1, ["Putin"]), article("new", 3, ["Putin"]),
                                article("mid", 2, ["Vladimir Putin"])], [PUTIN_PAGE])
    assert [a.path for a in by_slug(terms)["vladimir-putin"].articles] == [
        "content/new.md", "content/mid.md", "content/old.md"]


def test_a_name_given_twice_in_one_article_counts_once() -> None:
    terms, _ = build("people", [article("a", 1, ["Putin", "Vladimir Putin"])], [PUTIN_PAGE])
    assert by_slug(terms)["vladimir-putin"].count == 1
    assert [r.slug for r in terms.by_article["content/a.md"]] == ["vladimir-putin"]


def test_by_article_keeps_the_authors_order() -> None:
    terms, _ = build("people", [article("a", 1, ["Vladimir Putin", "Benjamin Netanyahu", "Moshe Ya'alon"])])
    assert [(r.slug, r.name) for r in terms.by_article["content/a.md"]] == [
        ("vladimir-putin", "Vladimir Putin"), ("benjamin-netanyahu", "Benjamin Netanyahu"),
        ("moshe-yaalon", "Moshe Ya'alon")]
    assert terms.by_article["content/a.md"][0].taxonomy == "people"


def test_terms_are_sorted_by_slug() -> None:
    terms, _ = build("people", [article("a", 1, ["Moshe Ya'alon", "Vladimir Putin", "Benjamin Netanyahu"])])
    assert [t.slug for t in terms.terms] == ["benjamin-netanyahu", "moshe-yaalon", "vladimir-putin"]


def test_related_terms_are_the_ones_named_alongside_most_often() -> None:
    terms, _ = build("people", [
        article("a", 1, ["Benjamin Netanyahu", "Vladimir Putin", "Moshe Ya'alon"]),
        article("b", 2, ["Benjamin Netanyahu", "Vladimir Putin"]),
        article("c", 3, ["Benjamin Netanyahu", "Vladimir Putin", "Mahmoud Abbas"]),
        article("d", 4, ["Benjamin Netanyahu", "Mahmoud Abbas"]),
        article("e", 5, ["Barack Obama"]),
    ])
    related = {t.slug: [(ref.slug, count) for ref, count in t.related] for t in terms.terms}
    assert related == {
        "barack-obama": [],
        "benjamin-netanyahu": [("vladimir-putin", 3), ("mahmoud-abbas", 2), ("moshe-yaalon", 1)],
        "mahmoud-abbas": [("benjamin-netanyahu", 2), ("vladimir-putin", 1)],
        "moshe-yaalon": [("benjamin-netanyahu", 1), ("vladimir-putin", 1)],  # a tie: by name
        "vladimir-putin": [("benjamin-netanyahu", 3), ("mahmoud-abbas", 1), ("moshe-yaalon", 1)],
    }


def test_a_term_page_without_articles_is_still_a_term() -> None:
    terms, problems = build("people", [article("a", 1, ["Benjamin Netanyahu"])],
                            [PUTIN_PAGE, term_page("nobody-yet")])
    assert problems == []
    found = by_slug(terms)
    assert set(found) == {"benjamin-netanyahu", "vladimir-putin", "nobody-yet"}
    assert (found["vladimir-putin"].count, found["vladimir-putin"].articles) == (0, ())
    assert found["vladimir-putin"].name == "Vladimir Putin"
    assert found["nobody-yet"].count == 0
    assert found["nobody-yet"].name == "Nobody Yet"  # no name anywhere: made from the slug


def test_people_and_topics_are_separate() -> None:
    a = article("a", 1, people=["Syria"], topics=["Syria"])
    people, _ = build("people", [a])
    topics, _ = build("topics", [a], [term_page("syria", "Syria", ["Syrian Arab Republic"], "topics")])
    assert [(t.taxonomy, t.slug) for t in people.terms] == [("people", "syria")]
    assert [(t.taxonomy, t.slug, t.aliases) for t in topics.terms] == [("topics", "syria", ("Syrian Arab Republic",))]
