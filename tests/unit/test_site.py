"""Articles and terms → a linked-up Site (digest/link/site.py), and the Site → its Pages (digest/plan/)."""

from __future__ import annotations

import dataclasses
import datetime
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest

from digest.model import EMPTY, Article, Page, Problem, Site, SiteConfig, TermPage
from digest.plan.checks import check_page_urls
from digest.plan.pages import output_path, paginate, plan_pages
from digest.render.wording import page_words
from digest.link.site import RELATED_WINDOW, build_site, check_urls, sort_articles

UTC = datetime.timezone.utc
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def article(name: str, when: datetime.datetime | int, people: Sequence[str] = (), topics: Sequence[str] = (),
            url: str | None = None) -> Article:
    """An article at `content/NAME.md`; an int `when` is a day of November 2015, UTC."""
    date = when if isinstance(when, datetime.datetime) else datetime.datetime(2015, 11, when, tzinfo=UTC)
    return Article(
        path=f"content/{name}.md", slug=name, url=url or f"/{date:%Y}/{date:%m}/{name}/", title=name.title(),
        date=date, updated=None, people=tuple(people), topics=tuple(topics), source=None, source_url=None,
        summary="", body_html="", toc_text="", words=0, draft=False, image=None, image_alt=None, meta=EMPTY,
        content_hash=name)


def make(articles: Sequence[Article], config: SiteConfig | None = None,
         pages: Sequence[TermPage] = ()) -> tuple[Site, list[str]]:
    problems: list[Problem] = []
    site = build_site(config or SiteConfig(), articles, pages, problems)
    return site, [str(p) for p in problems]


def paths(articles: Sequence[Article]) -> list[str]:
    return [a.path for a in articles]


# ---------------------------------------------------------------------------
# link/site.py


def test_sort_newest_first_ties_by_path() -> None:
    noon = datetime.datetime(2015, 11, 2, 12, tzinfo=UTC)
    same_moment = datetime.datetime(2015, 11, 2, 14, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    ordered = sort_articles([article("b", 1), article("z", noon), article("a", same_moment), article("c", 3),
                             article("a2", 1)])
    assert paths(ordered) == ["content/c.md", "content/a.md", "content/z.md", "content/a2.md", "content/b.md"]


def test_sort_does_not_depend_on_the_input_order() -> None:
    articles = [article(name, day) for name, day in [("x", 1), ("y", 1), ("z", 2), ("w", 1)]]
    assert sort_articles(articles) == sort_articles(reversed(articles))


def test_duplicate_url_names_both_files() -> None:
    problems: list[Problem] = []
    check_urls([article("2015/putin-paris", 2, url="/2015/11/putin-paris/"),
                article("old/putin-paris", 1, url="/2015/11/putin-paris/")], problems)
    assert [str(p) for p in problems] == [
        "content/old/putin-paris.md: its URL /2015/11/putin-paris/ is taken by content/2015/putin-paris.md\n"
        "    Give one of the two files a different `slug:`."]


def test_build_site_reports_duplicate_urls() -> None:
    _, problems = make([article("a", 1, url="/x/"), article("b", 2, url="/x/"), article("c", 3, url="/x/")])
    assert [p.split("\n")[0] for p in problems] == [
        "content/b.md: its URL /x/ is taken by content/a.md",
        "content/c.md: its URL /x/ is taken by content/a.md"]


def test_previous_and_next() -> None:
    site, _ = make([article("one", 1), article("three", 3), article("two", 2)])
    links = {path: (link.previous and link.previous.path, link.next and link.next.path)
             for path, link in site.links.items()}
    assert links == {
        "content/three.md": ("content/two.md", None),  # previous is older, next is newer
        "content/two.md": ("content/one.md", "content/three.md"),
        "content/one.md": (None, "content/two.md"),
    }


def test_article_links_carry_its_people_and_topics() -> None:
    site, _ = make([article("a", 1, ["Putin", "Benjamin Netanyahu"], ["Syria"])],
                   pages=[TermPage(taxonomy="people", path="content/people/vladimir-putin.md",
                                   slug="vladimir-putin", name="Vladimir Putin", aliases=("Putin",), role=None,
                                   image=None, image_alt=None, body_html=None, meta=EMPTY)])
    links = site.links["content/a.md"]
    assert [(r.slug, r.name) for r in links.people] == [
        ("vladimir-putin", "Vladimir Putin"), ("benjamin-netanyahu", "Benjamin Netanyahu")]
    assert [(r.taxonomy, r.slug) for r in links.topics] == [("topics", "syria")]
    assert [t.slug for t in site.people] == ["benjamin-netanyahu", "vladimir-putin"]
    assert site.taxonomy("topics") == site.topics


RELATED_ARTICLES = [
    article("a", 10, ["Putin", "Netanyahu"], ["Syria"]),
    article("b", 9, ["Putin", "Netanyahu"], ["Syria"]),  # shares 3 with a
    article("c", 8, ["Putin"], ["Syria"]),  # shares 2 with a
    article("d", 7, ["Netanyahu"]),  # shares 1 with a
    article("e", 6, ["Netanyahu"]),  # shares 1 with a, further away in time
    article("f", 5, ["Obama"], ["Climate"]),  # shares nothing
]


@pytest.mark.parametrize(
    ("limit", "related_to_a"),
    [
        (5, ["content/b.md", "content/c.md", "content/d.md", "content/e.md"]),
        (2, ["content/b.md", "content/c.md"]),
        (0, []),
    ],
)
def test_related_articles_share_most_terms_first(limit: int, related_to_a: list[str]) -> None:
    site, _ = make(RELATED_ARTICLES, SiteConfig(related=limit))
    assert paths(site.links["content/a.md"].related) == related_to_a


def test_related_articles_never_include_the_article_or_strangers() -> None:
    site, _ = make(RELATED_ARTICLES, SiteConfig(related=10))
    for path, links in site.links.items():
        assert path not in paths(links.related)
    assert paths(site.links["content/f.md"].related) == []
    assert paths(site.links["content/e.md"].related) == ["content/d.md", "content/b.md", "content/a.md"]


def test_related_articles_kept_from_the_last_build_are_those_ranking_all_again_gives(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`build_site(known=...)`: an article keeps the related articles the last build gave it unless an edit of
    people and topics can have changed them; 300 random sites, a few articles of each given other names."""
    import random

    import digest.link.site

    calls = []
    ranked = digest.link.site.ranked
    monkeypatch.setattr(digest.link.site, "ranked", lambda *args: calls.append(args[0]) or ranked(*args))
    rng = random.Random(7)
    names = [f"Person {n}" for n in range(6)]  # (terms of up to 80 articles: larger than a window)
    topics = [f"Topic {n}" for n in range(4)]
    reused = 0
    for _ in range(300):
        count = rng.randint(2, 120)
        days = [datetime.datetime(2015, 1, 1, tzinfo=UTC) + datetime.timedelta(hours=rng.randint(0, 2000))
                for _ in range(count)]
        before = [article(f"a{n}", days[n], rng.sample(names, rng.randint(0, 3)), rng.sample(topics, rng.randint(0, 2)))
                  for n in range(count)]
        config = SiteConfig(related=rng.randint(1, 6))
        last = dict(link_records_of(make(before, config)[0]))
        after = list(before)
        for n in rng.sample(range(count), rng.randint(1, min(3, count))):
            after[n] = dataclasses.replace(after[n], people=tuple(rng.sample(names, rng.randint(0, 3))),
                                           topics=tuple(rng.sample(topics, rng.randint(0, 2))))
        calls.clear()
        kept = build_site(config, after, [], [], known=last)
        reused += count - len(calls)
        again = make(after, config)[0]
        assert {path: paths(links.related) for path, links in kept.links.items()} == \
            {path: paths(links.related) for path, links in again.links.items()}
    assert reused > 5500  # (it kept most: those far from an edited one, or sharing no name with it)


def test_an_article_leaving_a_large_term_ranks_again_only_the_articles_near_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Of 200 articles naming Ada, one names Bea instead: the articles whose windows under Ada held it, or now
    hold another article in its place, are ranked again (21 on either side at most); the others keep theirs."""
    import digest.link.site

    calls: list[int] = []
    ranked = digest.link.site.ranked
    monkeypatch.setattr(digest.link.site, "ranked", lambda *args: calls.append(args[0]) or ranked(*args))
    before = [article(f"a{n:03}", datetime.datetime(2015, 1, 1, tzinfo=UTC) + datetime.timedelta(hours=n), ["Ada"])
              for n in range(200)]
    last = dict(link_records_of(make(before)[0]))
    after = list(before)
    after[100] = dataclasses.replace(after[100], people=("Bea",))
    calls.clear()
    kept = build_site(SiteConfig(), after, [], [], known=last)
    assert 20 <= len(calls) <= 2 * (RELATED_WINDOW + 2) + 1
    assert {path: paths(links.related) for path, links in kept.links.items()} == \
        {path: paths(links.related) for path, links in make(after)[0].links.items()}


def test_related_articles_are_ranked_again_when_the_order_changed() -> None:
    first = [article("a", 1, ["Ada"]), article("b", 2, ["Ada"]), article("c", 3, ["Ada"])]
    last = dict(link_records_of(make(first)[0]))
    moved = [first[0], first[1], dataclasses.replace(first[2], date=datetime.datetime(2015, 10, 1, tzinfo=UTC))]
    wrong = {path: (*record[:2], ("content/x.md",), *record[3:]) for path, record in last.items()}  # (never used)
    assert paths(build_site(SiteConfig(), moved, [], [], known=wrong).links["content/a.md"].related) == \
        paths(make(moved)[0].links["content/a.md"].related)


def link_records_of(site: Site) -> list[tuple[str, tuple[object, ...]]]:
    from digest.incremental.bodies import link_records

    return list(link_records((site,)))


@pytest.mark.parametrize(
    ("timezone", "when", "year", "month"),
    [
        ("UTC", datetime.datetime(2015, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
         2016, 1),
        ("America/New_York",
         datetime.datetime(2015, 12, 31, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))), 2015, 12),
        ("Asia/Tokyo", datetime.datetime(2015, 11, 30, 20, 0, tzinfo=UTC), 2015, 12),
        ("UTC", datetime.datetime(2015, 11, 30, 20, 0, tzinfo=UTC), 2015, 11),
    ],
)
def test_archives_are_in_the_site_timezone(timezone: str, when: datetime.datetime, year: int, month: int) -> None:
    site, _ = make([article("a", when)], SiteConfig(timezone=timezone))
    assert [(p.year, p.month) for p in site.years] == [(year, None)]
    assert [(p.year, p.month) for p in site.months] == [(year, month)]


def test_archives_by_year_and_month_newest_first() -> None:
    site, _ = make([article("a", datetime.datetime(2015, 11, 30, tzinfo=UTC)),
                    article("b", datetime.datetime(2016, 1, 2, tzinfo=UTC)),
                    article("c", datetime.datetime(2015, 11, 1, tzinfo=UTC)),
                    article("d", datetime.datetime(2015, 10, 5, tzinfo=UTC))])
    assert [(p.url, paths(p.articles)) for p in site.years] == [
        ("/2016/", ["content/b.md"]),
        ("/2015/", ["content/a.md", "content/c.md", "content/d.md"]),
    ]
    assert [(p.url, paths(p.articles)) for p in site.months] == [
        ("/2016/01/", ["content/b.md"]),
        ("/2015/11/", ["content/a.md", "content/c.md"]),
        ("/2015/10/", ["content/d.md"]),
    ]


# ---------------------------------------------------------------------------
# plan/pages.py: helpers


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/", "index.html"),
        ("/people/vladimir-putin/", "people/vladimir-putin/index.html"),
        ("/page/2/", "page/2/index.html"),
        ("/feed.xml", "feed.xml"),
        ("/people/syria/feed.xml", "people/syria/feed.xml"),
        ("/404.html", "404.html"),
        ("/robots.txt", "robots.txt"),
    ],
)
def test_output_path(url: str, path: str) -> None:
    assert output_path(url) == path


@pytest.mark.parametrize(
    ("count", "per_page", "sizes", "urls"),
    [
        (0, 10, [0], ["/people/x/"]),  # an empty list still has its first page
        (1, 10, [1], ["/people/x/"]),
        (10, 10, [10], ["/people/x/"]),
        (11, 10, [10, 1], ["/people/x/", "/people/x/page/2/"]),
        (25, 10, [10, 10, 5], ["/people/x/", "/people/x/page/2/", "/people/x/page/3/"]),
        (3, 1, [1, 1, 1], ["/people/x/", "/people/x/page/2/", "/people/x/page/3/"]),
    ],
)
def test_paginate(count: int, per_page: int, sizes: list[int], urls: list[str]) -> None:
    items = [article(f"a{i}", 1) for i in range(count)]
    pages = paginate(items, per_page, "/people/x/")
    assert [len(p.items) for p in pages] == sizes
    assert [p.number for p in pages] == list(range(1, len(sizes) + 1))
    assert {p.urls for p in pages} == {tuple(urls)}
    assert {(p.count, p.total) for p in pages} == {(len(sizes), count)}
    assert [p.previous_url for p in pages] == [None, *urls[:-1]]
    assert [p.next_url for p in pages] == [*urls[1:], None]
    assert [a for p in pages for a in p.items] == items


# ---------------------------------------------------------------------------
# plan/pages.py: the pages of a small site

SMALL = [
    article("c", 3, ["Vladimir Putin", "Benjamin Netanyahu"], ["Syria"]),
    article("b", 2, ["Benjamin Netanyahu"], ["Syria"]),
    article("a", datetime.datetime(2015, 10, 1, tzinfo=UTC), ["Benjamin Netanyahu"], ["Paris climate conference"]),
]
SMALL_CONFIG = SiteConfig(title="Digest", base_url="https://example.org/news/", per_page=2)


@pytest.fixture(scope="module")
def small_pages() -> list[Page]:
    site, problems = make(SMALL, SMALL_CONFIG)
    assert problems == []
    return plan_pages(site)


def test_plan_pages(small_pages: list[Page]) -> None:
    assert [(p.url, p.output_path, p.template, p.kind) for p in small_pages] == [
        ("/", "index.html", "index.html", "home"),
        ("/page/2/", "page/2/index.html", "index.html", "home"),
        ("/2015/11/c/", "2015/11/c/index.html", "article.html", "article"),
        ("/2015/11/b/", "2015/11/b/index.html", "article.html", "article"),
        ("/2015/10/a/", "2015/10/a/index.html", "article.html", "article"),
        ("/people/", "people/index.html", "terms.html", "terms"),
        ("/people/benjamin-netanyahu/", "people/benjamin-netanyahu/index.html", "term.html", "term"),
        ("/people/benjamin-netanyahu/page/2/", "people/benjamin-netanyahu/page/2/index.html", "term.html", "term"),
        ("/people/vladimir-putin/", "people/vladimir-putin/index.html", "term.html", "term"),
        ("/topics/", "topics/index.html", "terms.html", "terms"),
        ("/topics/paris-climate-conference/", "topics/paris-climate-conference/index.html", "term.html", "term"),
        ("/topics/syria/", "topics/syria/index.html", "term.html", "term"),
        ("/archive/", "archive/index.html", "archive.html", "archive"),
        ("/2015/", "2015/index.html", "period.html", "period"),
        ("/2015/11/", "2015/11/index.html", "period.html", "period"),
        ("/2015/10/", "2015/10/index.html", "period.html", "period"),
        ("/404.html", "404.html", "404.html", "404"),
        ("/search/", "search/index.html", "search.html", "search"),
        ("/feed.xml", "feed.xml", "atom.xml", "feed"),
        ("/feed.json", "feed.json", "feed.json", "feed"),  # each Atom feed has its JSON Feed twin
        ("/people/benjamin-netanyahu/feed.xml", "people/benjamin-netanyahu/feed.xml", "atom.xml", "feed"),
        ("/people/benjamin-netanyahu/feed.json", "people/benjamin-netanyahu/feed.json", "feed.json", "feed"),
        ("/people/vladimir-putin/feed.xml", "people/vladimir-putin/feed.xml", "atom.xml", "feed"),
        ("/people/vladimir-putin/feed.json", "people/vladimir-putin/feed.json", "feed.json", "feed"),
        ("/topics/paris-climate-conference/feed.xml", "topics/paris-climate-conference/feed.xml", "atom.xml", "feed"),
        ("/topics/paris-climate-conference/feed.json", "topics/paris-climate-conference/feed.json", "feed.json",
         "feed"),
        ("/topics/syria/feed.xml", "topics/syria/feed.xml", "atom.xml", "feed"),
        ("/topics/syria/feed.json", "topics/syria/feed.json", "feed.json", "feed"),
        ("/sitemap.xml", "sitemap.xml", None, "sitemap"),
        ("/robots.txt", "robots.txt", None, "robots"),
    ]


def test_every_output_path_is_unique(small_pages: list[Page]) -> None:
    outputs = [p.output_path for p in small_pages]
    assert len(outputs) == len(set(outputs))


def test_home_pagination(small_pages: list[Page]) -> None:
    home = [p for p in small_pages if p.kind == "home"]
    assert [[a.path for a in p.context["paginator"].items] for p in home] == [  # type: ignore[attr-defined]
        ["content/c.md", "content/b.md"], ["content/a.md"]]
    assert page_words(home[0], SMALL_CONFIG)["title"] == "Digest"


def test_term_pages_are_paginated_with_per_page(small_pages: list[Page]) -> None:
    bibi = [p for p in small_pages if p.url.startswith("/people/benjamin-netanyahu/") and p.template == "term.html"]
    paginators = [p.context["paginator"] for p in bibi]
    assert [[a.path for a in pg.items] for pg in paginators] == [  # type: ignore[attr-defined]
        ["content/c.md", "content/b.md"], ["content/a.md"]]
    assert [page_words(p, SMALL_CONFIG)["title"] for p in bibi] == ["Benjamin Netanyahu", "Benjamin Netanyahu, page 2"]
    assert {p.context["feed_url"] for p in bibi} == {"/people/benjamin-netanyahu/feed.xml"}


def test_term_feeds(small_pages: list[Page]) -> None:
    feed = next(p for p in small_pages if p.url == "/topics/syria/feed.xml")
    assert [a.path for a in feed.context["articles"]] == ["content/c.md", "content/b.md"]  # type: ignore[attr-defined]
    assert feed.context["alternate_url"] == "/topics/syria/"
    assert page_words(feed, SMALL_CONFIG)["title"] == "Syria — Digest"
    assert feed.sitemap is False


def test_sitemap_lists_every_html_page_with_absolute_urls(small_pages: list[Page]) -> None:
    sitemap = next(p for p in small_pages if p.url == "/sitemap.xml")
    assert sitemap.body is not None
    assert sitemap.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(sitemap.body)
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [url.findtext(f"{SITEMAP_NS}loc") for url in root]
    html_pages = [p for p in small_pages if p.output_path.endswith("index.html") and p.url != "/search/"]
    assert locs == ["https://example.org/news" + p.url for p in html_pages]  # the search page is not for robots
    assert "https://example.org/news/404.html" not in locs
    assert not any(loc and loc.endswith((".xml", ".txt")) for loc in locs)
    lastmods = {url.findtext(f"{SITEMAP_NS}loc"): url.findtext(f"{SITEMAP_NS}lastmod") for url in root}
    assert lastmods["https://example.org/news/2015/11/c/"] == "2015-11-03T00:00:00+00:00"


def test_404_is_not_in_the_sitemap(small_pages: list[Page]) -> None:
    page = next(p for p in small_pages if p.url == "/404.html")
    assert page.sitemap is False


def test_robots_txt_names_the_sitemap(small_pages: list[Page]) -> None:
    robots = next(p for p in small_pages if p.url == "/robots.txt")
    assert robots.template is None
    assert robots.body == b"User-agent: *\nAllow: /\n\nSitemap: https://example.org/news/sitemap.xml\n"


def test_an_empty_site_still_has_its_pages() -> None:
    site, _ = make([])
    assert [p.url for p in plan_pages(site)] == [
        "/", "/people/", "/topics/", "/archive/", "/404.html", "/search/", "/feed.xml", "/feed.json", "/sitemap.xml",
        "/robots.txt"]


def test_a_site_without_search_has_no_search_page() -> None:
    site, _ = make([])
    site = dataclasses.replace(site, config=dataclasses.replace(site.config, search=False))
    assert "/search/" not in [p.url for p in plan_pages(site)]


def test_article_permalink_pattern_is_used() -> None:
    site, _ = make([article("a", 1, url="/a/")])
    urls = [p.url for p in plan_pages(site) if p.kind == "article"]
    assert urls == ["/a/"]


# ---------------------------------------------------------------------------
# plan/checks.py: an article whose URL is one of the site's own pages


@pytest.mark.parametrize(
    ("slug", "url", "problem"),
    [
        ("people", "/people/", "content/people-article.md: its URL /people/ is also a page of the site"),
        ("topics", "/topics/", "content/people-article.md: its URL /topics/ is also a page of the site"),
        ("archive", "/archive/", "content/people-article.md: its URL /archive/ is also a page of the site"),
        ("2015", "/2015/", "content/people-article.md: its URL /2015/ is also a page of the site"),
        ("page", "/page/", None),  # /page/ itself is no page: only /page/2/ and on are
        ("paris", "/paris/", None),
    ],
)
def test_check_page_urls(slug: str, url: str, problem: str | None) -> None:
    config = SiteConfig(article_url="/{slug}/")
    a = dataclasses.replace(article("people-article", 3, ["Vladimir Putin"]), slug=slug, url=url)
    site, problems = make([a, article("other", 1)], config)
    assert problems == []
    pages = plan_pages(site)
    found: list[Problem] = []
    check_page_urls(pages, site.articles, found)
    expected = [] if problem is None else [
        problem + "\n    Give it another `slug:` or change `permalinks.article`."]
    assert [str(p) for p in found] == expected


def test_two_articles_with_one_url_are_left_to_check_urls() -> None:
    site, problems = make([article("a", 1, url="/x/"), article("b", 2, url="/x/")])
    assert len(problems) == 1
    found: list[Problem] = []
    check_page_urls(plan_pages(site), site.articles, found)
    assert found == []
