"""Stage 5, plan: a `Site` → the `Page`s of the output, one per file.

Each page names its kind, its URL, its output path, its template and the values its
template shows. What a page calls itself in words (its title, its description) is the
render stage's: `digest/render/wording.py`. The sitemap, robots.txt and `_redirects` are
made here, as bytes, since they list pages. URLs: articles follow `permalinks.article`
(`/{year}/{month}/{slug}/`); the rest is fixed (ARCHITECTURE.md lists them).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator, Sequence
from urllib.parse import unquote
from xml.sax.saxutils import escape

from digest.model import TAXONOMIES, Article, FrozenMap, Page, PageKind, Paginator, Site, Taxonomy, Term, TermRef

SITEMAP_LIMIT = 50_000
TOP_TERMS = 12


def output_path(url: str) -> str:
    """Where a site-relative URL is written, relative to the output folder.

    >>> output_path("/people/vladimir-putin/"), output_path("/feed.xml"), output_path("/fr/ma%C3%ABlle/")
    ('people/vladimir-putin/index.html', 'feed.xml', 'fr/maëlle/index.html')
    """
    path = unquote(url.lstrip("/"))
    return path + "index.html" if path == "" or path.endswith("/") else path


def page_window(number: int, urls: tuple[str, ...]) -> tuple[tuple[int, str | None], ...]:
    """The page numbers to link: the first, the last and two on either side; None marks a gap.

    A gap of one page shows that page instead.

    >>> [n if url else "…" for n, url in page_window(6, tuple(f"/page/{n}/" for n in range(1, 11)))]
    [1, '…', 4, 5, 6, 7, 8, 9, 10]
    """
    count = len(urls)
    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    window: list[tuple[int, str | None]] = []
    for n in shown:
        if window and n - window[-1][0] > 1:
            window.append((n - 1, None) if n - window[-1][0] > 2 else (n - 1, urls[n - 2]))
        window.append((n, urls[n - 1]))
    return tuple(window)


def paginate(articles: Sequence[Article], per_page: int, first_url: str) -> list[Paginator]:
    """A list split into pages: `first_url`, then `first_url + "page/2/"` and so on."""
    count = max(1, -(-len(articles) // per_page))
    urls = tuple(first_url if n == 1 else f"{first_url}page/{n}/" for n in range(1, count + 1))
    return [Paginator(number=n, count=count, items=tuple(articles[(n - 1) * per_page: n * per_page]),
                      urls=urls, total=len(articles), window=page_window(n, urls)) for n in range(1, count + 1)]


def by_count(terms: Sequence[Term]) -> tuple[Term, ...]:
    """Terms with the most articles first, then by name."""
    return tuple(sorted(terms, key=lambda t: (-t.count, t.name.casefold(), t.slug)))


def _page(kind: PageKind, url: str, template: str, lastmod: datetime.datetime | None = None, sitemap: bool = True,
          **context: object) -> Page:
    return Page(kind=kind, url=url, output_path=output_path(url), template=template,
                context=FrozenMap(context), lastmod=lastmod, sitemap=sitemap)


def _file(kind: PageKind, url: str, body: bytes) -> Page:
    """A file of bytes made here, with no template: never in the sitemap."""
    return Page(kind=kind, url=url, output_path=output_path(url), template=None, sitemap=False, body=body)


def _newest(articles: Sequence[Article]) -> datetime.datetime | None:
    return max(((a.updated or a.date) for a in articles), default=None)


def plan_pages(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    config = site.config
    pages: list[Page] = []
    top = {"people": by_count(site.people)[:TOP_TERMS], "topics": by_count(site.topics)[:TOP_TERMS]}
    for paginator in paginate(site.articles, config.per_page, "/"):
        pages.append(_page(PageKind.HOME, paginator.urls[paginator.number - 1], "index.html",
                           _newest(paginator.items), paginator=paginator, feed_url="/feed.xml",
                           # the sidebar is on the first page only: a count that changes re-renders one page
                           top_people=top["people"] if paginator.number == 1 else (),
                           top_topics=top["topics"] if paginator.number == 1 else ()))
    pages.extend(article_page(site, article) for article in site.articles)
    for taxonomy in TAXONOMIES:
        pages.extend(_taxonomy_pages(site, taxonomy))
    pages.append(_page(PageKind.ARCHIVE, "/archive/", "archive.html", _newest(site.articles[:1]),
                       years=site.years, months=site.months, feed_url="/feed.xml"))
    for period in (*site.years, *site.months):
        pages.append(_page(PageKind.PERIOD, period.url, "period.html", _newest(period.articles[:1]),
                           period=period, feed_url="/feed.xml"))
    pages.append(_page(PageKind.NOT_FOUND, "/404.html", "404.html", sitemap=False, feed_url="/feed.xml"))
    if config.search:
        pages.append(_page(PageKind.SEARCH, "/search/", "search.html", sitemap=False, feed_url="/feed.xml"))
    pages.extend(_feeds(site))
    pages.extend(_redirects(site))
    pages.extend(_sitemaps(site, pages))
    pages.append(_file(PageKind.ROBOTS, "/robots.txt",
                       f"User-agent: *\nAllow: /\n\nSitemap: {config.abs_url('/sitemap.xml')}\n".encode()))
    return pages


def _taxonomy_pages(site: Site, taxonomy: Taxonomy) -> Iterator[Page]:
    config = site.config
    terms = site.taxonomy(taxonomy)
    yield _page(PageKind.TERMS, f"/{taxonomy}/", "terms.html", _newest(site.articles[:1]), taxonomy=taxonomy,
                terms=by_count(terms), feed_url="/feed.xml")
    for term in terms:
        first = term.url
        for paginator in paginate(term.articles, config.per_page, first):
            yield _page(PageKind.TERM, paginator.urls[paginator.number - 1], "term.html", _newest(paginator.items[:1]),
                        taxonomy=taxonomy, term=term, paginator=paginator, feed_url=f"{first}feed.xml")


def article_page(site: Site, article: Article) -> Page:
    """An article's own page."""
    return _page(PageKind.ARTICLE, article.url, "article.html", article.updated or article.date,
                 article=article, links=site.links[article.path], feed_url="/feed.xml")


def site_feed(site: Site) -> Page:
    """The site's feed: its newest articles, in full."""
    newest = site.articles[: site.config.feed_size]
    return _page(PageKind.FEED, "/feed.xml", "atom.xml", sitemap=False, about=None, alternate_url="/",
                 articles=newest, full_content=True, updated=_newest(newest))


def shown_in_full(page: Page) -> tuple[Article, ...]:
    """The articles whose bodies a page shows: an article's own page, and the feeds with full content.

    This is the one rule for it: bodies are loaded for these pages only, and only these pages'
    fingerprints cover bodies (digest/incremental/).
    """
    if page.kind is PageKind.ARTICLE:
        return (page.context["article"],)  # type: ignore[return-value]
    if page.kind is PageKind.FEED and page.context["full_content"]:
        return tuple(page.context["articles"])  # type: ignore[arg-type]
    return ()


def show_in_full(page: Page, articles: tuple[Article, ...]) -> Page:
    """The page with `articles` (`shown_in_full(page)`, their bodies filled in) in their places."""
    context = dict(page.context)
    if page.kind is PageKind.ARTICLE:
        context["article"] = articles[0]
    else:
        context["articles"] = articles
    return dataclasses.replace(page, context=FrozenMap(context))


def _feeds(site: Site) -> Iterator[Page]:
    config = site.config
    size = config.feed_size
    yield site_feed(site)
    for taxonomy in TAXONOMIES:
        for term in site.taxonomy(taxonomy):
            first = term.url
            yield _page(PageKind.FEED, f"{first}feed.xml", "atom.xml", sitemap=False,
                        about=TermRef(taxonomy=taxonomy, slug=term.slug, name=term.name), alternate_url=first,
                        articles=term.articles[:size], full_content=False,
                        updated=_newest(term.articles[:size]) or _newest(site.articles[:1]))


def _sitemaps(site: Site, pages: list[Page]) -> list[Page]:
    config = site.config
    entries = [(config.abs_url(p.url), p.lastmod) for p in pages if p.sitemap]
    chunks = [entries[i: i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return [_file(PageKind.SITEMAP, "/sitemap.xml", _urlset(chunks[0]))]
    result = [_file(PageKind.SITEMAP, f"/sitemap-{n}.xml", _urlset(chunk)) for n, chunk in enumerate(chunks, start=1)]
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{escape(config.abs_url(p.url))}</loc></sitemap>" for p in result]
    index.append("</sitemapindex>\n")
    result.append(_file(PageKind.SITEMAP, "/sitemap.xml", "\n".join(index).encode()))
    return result


def _urlset(entries: list[tuple[str, datetime.datetime | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{modified}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


def redirects_from(alias: str) -> bool:
    """Whether a static host can serve a redirect page at an old address: a folder, or an HTML file.

    >>> redirects_from("/2015/old/"), redirects_from("/old.html"), redirects_from("/2014/old-post.md")
    (True, True, False)
    """
    return alias.endswith("/") or alias.lower().endswith((".html", ".htm"))


def _redirects(site: Site) -> Iterator[Page]:
    """A page at each old URL of an article, sending readers on; and `_redirects` for hosts that read it."""
    moved = [(alias, article) for article in site.articles for alias in article.aliases]
    for alias, article in moved:
        if redirects_from(alias):  # an old `.md` or `.php` address has no page: `_redirects` sends it on
            yield _page(PageKind.REDIRECT, alias, "redirect.html", sitemap=False, article=article,
                        feed_url="/feed.xml")
    if moved:
        lines = [f"{site.config.url_for(alias)} {site.config.url_for(article.url)} 301\n"
                 for alias, article in sorted(moved, key=lambda m: m[0])]
        yield _file(PageKind.REDIRECTS, "/_redirects", "".join(lines).encode())
