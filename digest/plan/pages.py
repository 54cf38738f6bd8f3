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
import functools
import html
from collections import defaultdict
from collections.abc import Iterator, Sequence
from urllib.parse import unquote

from digest.model import (TAXONOMIES, Article, FrozenMap, Page, PageKind, Paginator, Site, SiteConfig, Taxonomy, Term,
                          TermRef)

SITEMAP_LIMIT = 50_000
TOP_TERMS = 12
EDITIONS_PER_PAGE = 20  # editions listed on a page of the editions' index
# a page's entry in the sitemap, by output path: the page it was made from, its URL, date and alternates, and its line
SitemapLines = dict[str, tuple[Page, tuple[object, ...], str]]

# `&`, `<` and `>` escaped, as XML text needs (`xml.sax.saxutils.escape` does the same, and imports `urllib.request`)
_xml_text = functools.partial(html.escape, quote=False)


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


def paginate(articles: Sequence[object], per_page: int, first_url: str) -> list[Paginator]:
    """A list split into pages: `first_url`, then `first_url + "page/2/"` and so on."""
    count = max(1, -(-len(articles) // per_page))
    urls = tuple(first_url if n == 1 else f"{first_url}page/{n}/" for n in range(1, count + 1))
    return [Paginator(number=n, count=count, items=tuple(articles[(n - 1) * per_page: n * per_page]),
                      urls=urls, total=len(articles), window=page_window(n, urls)) for n in range(1, count + 1)]


def by_count(terms: Sequence[Term]) -> tuple[Term, ...]:
    """Terms with the most articles first, then by name."""
    return tuple(sorted(terms, key=lambda t: (-t.count, t.name.casefold(), t.slug)))


def _page(kind: PageKind, url: str, template: str, lastmod: datetime.datetime | None = None, sitemap: bool = True,
          *, site: Site, alternates: tuple[tuple[str, str], ...] = (), **context: object) -> Page:
    context.setdefault("sections", site.sections)  # the menu of every page: a page made anew when it changes
    return Page(kind=kind, url=url, output_path=output_path(url), template=template, context=FrozenMap(context),
                lastmod=lastmod, sitemap=sitemap, language=site.config.language, alternates=alternates)


def _file(kind: PageKind, url: str, body: bytes) -> Page:
    """A file of bytes made here, with no template: never in the sitemap."""
    return Page(kind=kind, url=url, output_path=output_path(url), template=None, sitemap=False, body=body)


def _newest(articles: Sequence[Article]) -> datetime.datetime | None:
    return max(((a.updated or a.date) for a in articles), default=None)


def plan_pages(site: Site) -> list[Page]:
    """Every page of a site in one language, in a stable order."""
    return plan_sites((site,))


def plan_sites(sites: Sequence[Site], sitemap_lines: SitemapLines | None = None) -> list[Page]:
    """Every page of the site, in a stable order: each language's pages, then the files of the whole site
    (`sitemap_lines`: as `sitemaps` takes them)."""
    pages: list[Page] = []
    for site in sites:
        pages.extend(_language_pages(site))
    first = sites[0].config
    if len(sites) > 1 or first.languages:
        pages = _with_alternates(pages, first)
    if first.languages and first.root != "/":  # every language in a folder: the root says where they are
        pages.append(_page(PageKind.LANGUAGES, "/", "languages.html", sitemap=False, site=sites[0]))
    moved = sorted(((alias, article) for site in sites for article in site.articles for alias in article.aliases),
                   key=lambda m: m[0])
    if moved:
        lines = [f"{first.url_for(alias)} {first.url_for(article.url)} 301\n" for alias, article in moved]
        pages.append(_file(PageKind.REDIRECTS, "/_redirects", "".join(lines).encode()))
    pages.extend(sitemaps(first, pages, sitemap_lines))
    pages.append(_file(PageKind.ROBOTS, "/robots.txt",
                       f"User-agent: *\nAllow: /\n\nSitemap: {first.abs_url('/sitemap.xml')}\n".encode()))
    return pages


def _language_pages(site: Site) -> list[Page]:
    """The pages of one language (of the site's one language, on a site without `languages`)."""
    config = site.config
    root = config.root
    feed = f"{root}feed.xml"
    pages = home_pages(site)
    pages.extend(article_page(site, article) for article in site.articles)
    for taxonomy in TAXONOMIES:
        pages.extend(_taxonomy_pages(site, taxonomy))
    pages.extend(archive_pages(site))
    # the 404 page of the default language is the site's: hosts serve /404.html for every missing page
    default_root = config.languages[0].root if config.languages else root
    not_found = "/404.html" if root == default_root else f"{root}404.html"
    pages.append(_page(PageKind.NOT_FOUND, not_found, "404.html", sitemap=False, site=site, feed_url=feed))
    if config.search:
        pages.append(_page(PageKind.SEARCH, f"{root}search/", "search.html", sitemap=False, site=site,
                           feed_url=feed))
    pages.extend(_feeds(site))
    pages.extend(edition_pages(site))
    pages.extend(_page(PageKind.REDIRECT, alias, "redirect.html", sitemap=False, site=site, article=article,
                       feed_url=feed)
                 for article in site.articles for alias in article.aliases
                 if redirects_from(alias))  # an old `.md` or `.php` address has no page: `_redirects` sends it on
    return pages


def home_pages(site: Site) -> list[Page]:
    """The home page and its following pages: the articles, newest first."""
    top = top_terms(site)
    return [home_page(site, paginator, top) for paginator in paginate(site.articles, site.config.per_page,
                                                                       site.config.root)]


def home_page(site: Site, paginator: Paginator, top: dict[str, tuple[Term, ...]]) -> Page:
    """One page of `home_pages`; `top`, the first page's sidebar (`top_terms`)."""
    # the sidebar is on the first page only: a count that changes re-renders one page
    return _page(PageKind.HOME, paginator.urls[paginator.number - 1], "index.html", _newest(paginator.items),
                 site=site, paginator=paginator, feed_url=f"{site.config.root}feed.xml",
                 **(top if paginator.number == 1 else {"top_people": (), "top_topics": ()}))


def archive_pages(site: Site) -> list[Page]:
    """The archive, then a page for each year and each month."""
    feed = f"{site.config.root}feed.xml"
    return [_page(PageKind.ARCHIVE, f"{site.config.root}archive/", "archive.html", _newest(site.articles[:1]),
                  site=site, years=site.years, months=site.months, feed_url=feed),
            *(_page(PageKind.PERIOD, period.url, "period.html", _newest(period.articles[:1]), site=site,
                    period=period, feed_url=feed) for period in (*site.years, *site.months))]


def top_terms(site: Site) -> dict[str, tuple[Term, ...]]:
    """What the first home page's sidebar lists: the people and topics with the most articles."""
    return {"top_people": by_count(site.people)[:TOP_TERMS], "top_topics": by_count(site.topics)[:TOP_TERMS]}


def _taxonomy_pages(site: Site, taxonomy: Taxonomy) -> Iterator[Page]:
    if taxonomy not in site.sections:
        return  # a site whose articles name no source has no page of sources
    yield terms_index(site, taxonomy)
    for term in site.taxonomy(taxonomy):
        yield from term_pages(site, taxonomy, term)


def terms_index(site: Site, taxonomy: Taxonomy) -> Page:
    """The index of a taxonomy: `/people/`."""
    return _page(PageKind.TERMS, f"{site.config.root}{taxonomy}/", "terms.html", _newest(site.articles[:1]),
                 site=site, taxonomy=taxonomy, terms=by_count(site.taxonomy(taxonomy)),
                 feed_url=f"{site.config.root}feed.xml")


def term_pages(site: Site, taxonomy: Taxonomy, term: Term) -> list[Page]:
    """A term's pages: `/people/vladimir-putin/`, then `page/2/` and on."""
    first = term.url
    return [_page(PageKind.TERM, paginator.urls[paginator.number - 1], "term.html", _newest(paginator.items[:1]),
                  site=site, taxonomy=taxonomy, term=term, paginator=paginator, feed_url=f"{first}feed.xml")
            for paginator in paginate(term.articles, site.config.per_page, first)]


def edition_pages(site: Site) -> Iterator[Page]:
    """On a site with editions: their index (newest first, paginated), each edition's page and newsletter
    (`email.html`, `email.txt`), and their feeds."""
    config = site.config
    if config.editions is None:
        return
    index = f"{config.root}editions/"
    feed = f"{index}feed.xml"
    editions = site.editions
    for paginator in paginate(editions, EDITIONS_PER_PAGE, index):
        yield _page(PageKind.EDITIONS, paginator.urls[paginator.number - 1], "editions.html",
                    _newest([a for e in paginator.items[:1] for a in e.articles]), site=site, paginator=paginator,
                    feed_url=feed)
    for edition in editions:
        yield _page(PageKind.EDITION, edition.url, "edition.html", _newest(edition.articles), site=site,
                    edition=edition, feed_url=feed)
        for name in ("email.html", "email.txt"):
            yield _page(PageKind.EMAIL, edition.url + name, name, sitemap=False, site=site, edition=edition)
    shown = editions[: config.feed_size]
    atom = _page(PageKind.FEED, feed, "editions.xml", sitemap=False, site=site, about=None, alternate_url=index,
                 editions=shown, full_content=False, updated=_newest([a for e in shown[:1] for a in e.articles]))
    json_url = f"{index}feed.json"
    yield atom
    yield dataclasses.replace(atom, url=json_url, output_path=output_path(json_url), template="editions.json")


def article_page(site: Site, article: Article, alternates: tuple[tuple[str, str], ...] | None = None) -> Page:
    """An article's own page, with its translations as alternates (`alternates`: those a rebuild remembered)."""
    return _page(PageKind.ARTICLE, article.url, "article.html", article.updated or article.date, site=site,
                 alternates=article_alternates(site, article) if alternates is None else alternates,
                 article=article, links=site.links[article.path], feed_url=f"{site.config.root}feed.xml")


def article_alternates(site: Site, article: Article) -> tuple[tuple[str, str], ...]:
    """An article's page in every language it is written in: (language, URL), in the order of the languages."""
    versions = site.translations.get(article.translation_key, ()) if article.translation_key else ()
    return tuple((a.lang, a.url) for a in versions)


def site_feeds(site: Site) -> tuple[Page, Page]:
    """The site's feed (a language's, on a site with `languages`): its newest articles, in full, as Atom and
    as its JSON Feed twin."""
    newest = site.articles[: site.config.feed_size]
    return _feed_pair(f"{site.config.root}feed.xml", site=site, about=None, alternate_url=site.config.root,
                      articles=newest, full_content=True, updated=_newest(newest))


def _feed_pair(url: str, *, site: Site, about: TermRef | None, alternate_url: str, articles: tuple[Article, ...],
               full_content: bool, updated: datetime.datetime | None) -> tuple[Page, Page]:
    """An Atom feed (`feed.xml`) and its JSON Feed 1.1 twin (`feed.json`), of the same entries."""
    atom = _page(PageKind.FEED, url, "atom.xml", sitemap=False, site=site, about=about, alternate_url=alternate_url,
                 articles=articles, full_content=full_content, updated=updated)
    json_url = url.removesuffix(".xml") + ".json"
    return atom, dataclasses.replace(atom, url=json_url, output_path=output_path(json_url), template="feed.json")


# the kinds of page every language has at the same path within it: /people/, /fr/people/
_COUNTERPARTS = frozenset({PageKind.HOME, PageKind.TERMS, PageKind.TERM, PageKind.ARCHIVE, PageKind.PERIOD,
                           PageKind.SEARCH, PageKind.EDITIONS, PageKind.EDITION})


def _with_alternates(pages: list[Page], config: SiteConfig) -> list[Page]:
    """The pages, each list and term page with its counterparts in the other languages as alternates
    (articles have theirs already: their translations)."""
    roots = {language.code: language.root for language in config.languages}
    same: dict[tuple[PageKind, str], list[tuple[str, str]]] = defaultdict(list)
    for page in pages:
        if page.kind in _COUNTERPARTS:
            same[(page.kind, page.url[len(roots[page.language]) - 1:])].append((page.language, page.url))
    return [dataclasses.replace(page, alternates=tuple(found)) if page.kind in _COUNTERPARTS and len(
        found := same[(page.kind, page.url[len(roots[page.language]) - 1:])]) > 1 else page for page in pages]


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
    yield from site_feeds(site)
    for taxonomy in TAXONOMIES:
        for term in site.taxonomy(taxonomy):
            yield from term_feeds(site, taxonomy, term)


def term_feeds(site: Site, taxonomy: Taxonomy, term: Term) -> tuple[Page, Page]:
    """A term's feeds: its newest articles, as Atom and JSON Feed."""
    first = term.url
    size = site.config.feed_size
    return _feed_pair(f"{first}feed.xml", site=site, about=TermRef(taxonomy=taxonomy, slug=term.slug, name=term.name),
                      alternate_url=first, articles=term.articles[:size], full_content=False,
                      updated=_newest(term.articles[:size]) or _newest(site.articles[:1]))


def sitemaps(config: SiteConfig, pages: list[Page], lines: SitemapLines | None = None) -> list[Page]:
    """The sitemap of the pages that are in it: one file, or an index of files of `SITEMAP_LIMIT` entries.

    `lines`: each page's entry, by output path, as a process that plans the site again keeps them.
    """
    default = config.languages[0].code if config.languages else ""
    base = config.abs_url("/")
    known = {} if lines is None else lines
    entries: list[tuple[str, bool]] = []  # each line, and whether it links other languages
    for page in pages:
        if not page.sitemap:
            continue
        found = known.get(page.output_path)
        if found is None or found[0] is not page:  # (the same page as the last time: most of them, when kept)
            key = (page.url, page.lastmod, page.alternates)
            if found is None or found[1] != key:
                url = page.url
                loc = base + url[1:] if url[:1] == "/" and url[:2] != "//" else config.abs_url(url)
                modified = f"<lastmod>{page.lastmod.isoformat()}</lastmod>" if page.lastmod else ""
                links = _hreflang(config, page.alternates, default) if page.alternates else ""
                found = (page, key, f"<url><loc>{_xml_text(loc)}</loc>{modified}{links}</url>")
            else:
                found = (page, key, found[2])
            known[page.output_path] = found
        entries.append((found[2], bool(page.alternates)))
    chunks = [entries[i: i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return [_file(PageKind.SITEMAP, "/sitemap.xml", _urlset(chunks[0]))]
    result = [_file(PageKind.SITEMAP, f"/sitemap-{n}.xml", _urlset(chunk)) for n, chunk in enumerate(chunks, start=1)]
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{_xml_text(config.abs_url(p.url))}</loc></sitemap>" for p in result]
    index.append("</sitemapindex>\n")
    result.append(_file(PageKind.SITEMAP, "/sitemap.xml", "\n".join(index).encode()))
    return result


def _hreflang(config: SiteConfig, alternates: tuple[tuple[str, str], ...], default: str) -> str:
    """A sitemap entry's links to the page in every language, and `x-default` to the default language's."""
    links = [*alternates, *(("x-default", url) for code, url in alternates if code == default)]
    return "".join(f'<xhtml:link rel="alternate" hreflang="{code}" href="{_xml_text(config.abs_url(url))}"/>'
                   for code, url in links)


def _urlset(entries: list[tuple[str, bool]]) -> bytes:
    xhtml = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"' if any(links for _, links in entries) else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{xhtml}>',
             *(line for line, _ in entries), "</urlset>\n"]
    return "\n".join(lines).encode()


def redirects_from(alias: str) -> bool:
    """Whether a static host can serve a redirect page at an old address: a folder, or an HTML file.

    >>> redirects_from("/2015/old/"), redirects_from("/old.html"), redirects_from("/2014/old-post.md")
    (True, True, False)
    """
    return alias.endswith("/") or alias.lower().endswith((".html", ".htm"))
