"""What a term's fingerprint covers of its articles (digest/incremental/fingerprint.py): the months of its chart."""

from __future__ import annotations

import datetime

from digest.incremental.fingerprint import Fingerprints
from digest.link.site import build_site
from digest.model import EMPTY, Article, Problem, Site, SiteConfig, Term
from digest.render.charts import monthly_counts

UTC = datetime.timezone.utc
BLANK = dict(updated=None, topics=(), source=None, source_url=None, summary="", body_html="", toc_text="", words=0,
             draft=False, image=None, image_alt=None, meta=EMPTY)


def article(name: str, when: datetime.datetime | int, people: list[str]) -> Article:
    """`content/NAME.md`, of `when` (an int: a day of November 2015), naming `people`."""
    date = when if isinstance(when, datetime.datetime) else datetime.datetime(2015, 11, when, tzinfo=UTC)
    return Article(path=f"content/{name}.md", slug=name, url=f"/{name}/", title=name, date=date,
                   people=tuple(people), content_hash=name, **BLANK)  # type: ignore[arg-type]


def make(articles: list[Article]) -> tuple[Site, list[Problem]]:
    problems: list[Problem] = []
    return build_site(SiteConfig(), articles, (), problems), problems


def person(site: Site, slug: str) -> Term:
    return next(term for term in site.people if term.slug == slug)


def test_a_terms_fingerprint_changes_with_the_months_of_its_articles_alone() -> None:
    """Ada's newest and oldest articles, her count and her related terms stay; one of hers moves to another month."""
    def site(middle: int) -> Site:
        return make([article("a", datetime.datetime(2015, 9, 1, tzinfo=UTC), ["Ada"]),
                      article("b", datetime.datetime(2015, middle, 1, tzinfo=UTC), ["Ada"]),
                      article("c", datetime.datetime(2015, 12, 1, tzinfo=UTC), ["Ada"]),
                      *(article(f"x{n}", datetime.datetime(2014 + n % 3, 1 + n % 12, 2, tzinfo=UTC), ["Bea"])
                        for n in range(12))])[0]

    october, november = site(10), site(11)
    assert person(october, "ada").count == person(november, "ada").count == 3
    first, second = Fingerprints(october, "salt"), Fingerprints(november, "salt")
    assert first.term(person(october, "bea")) == second.term(person(november, "bea"))
    assert first.term(person(october, "ada")) != second.term(person(november, "ada"))
    # and what it covers is the chart the term's page shows: Ada's months, not the site's
    again = Fingerprints(october, "salt")
    again.term(person(october, "bea"))  # (the months of the site's articles found first)
    assert again.term(person(october, "ada")) == first.term(person(october, "ada"))
    chart = monthly_counts((a.date for a in person(october, "ada").articles), again.zone)
    assert chart == [(2015, 9, 1), (2015, 10, 1), (2015, 11, 0), (2015, 12, 1)]
    assert list(again._months_of(person(october, "ada").articles)) == [(2015, 12), (2015, 10), (2015, 9)]


def test_a_term_of_articles_the_site_does_not_list_still_has_its_months() -> None:
    """(A page of another language, fingerprinted with this one's: its terms' articles are that language's.)"""
    site, _ = make([article("a", 3, ["Ada"])])
    other, _ = make([article("b", datetime.datetime(2016, 2, 1, tzinfo=UTC), ["Ada"])])
    printer = Fingerprints(site, "salt")
    assert printer.term(person(other, "ada")) == Fingerprints(other, "salt").term(person(other, "ada"))
    assert SiteConfig().timezone == "UTC"
