"""Stage 5, plan: a `Site` → the `Page`s of the output, one per file.

Each page names its URL, its output path, its template and the context the
template gets. Sitemap and robots.txt are made here too, since they list the
pages. The URL layout is the one in DESIGN.md; the article pattern comes from
`permalinks.article`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote
from xml.sax.saxutils import escape

from digest.model import TAXONOMIES, Article, FrozenMap, Page, Paginator, Problem, Site, Taxonomy, Term, TermPage
from digest.yamlread import top_level_key_lines

SITEMAP_LIMIT = 50_000
TOP_TERMS = 12


def output_path(url: str) -> str:
    """Where a site-relative URL is written, relative to the output folder.

    >>> output_path("/people/vladimir-putin/"), output_path("/feed.xml")
    ('people/vladimir-putin/index.html', 'feed.xml')
    """
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def counted(count: int, noun: str) -> str:
    """A count with its noun, singular or plural.

    >>> counted(1, "article"), counted(3, "article"), counted(2, "person")
    ('1 article', '3 articles', '2 people')
    """
    if count == 1:
        return f"1 {noun}"
    return f"{count} {'people' if noun == 'person' else noun + 's'}"


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


def _page(url: str, template: str, lastmod: datetime.datetime | None = None, sitemap: bool = True,
          **context: object) -> Page:
    return Page(url=url, output_path=output_path(url), template=template,
                context=FrozenMap(context), lastmod=lastmod, sitemap=sitemap)


def _newest(articles: Sequence[Article]) -> datetime.datetime | None:
    return max(((a.updated or a.date) for a in articles), default=None)


def plan_pages(site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    config = site.config
    pages: list[Page] = []
    top = {"people": by_count(site.people)[:TOP_TERMS], "topics": by_count(site.topics)[:TOP_TERMS]}
    for paginator in paginate(site.articles, config.per_page, "/"):
        pages.append(_page(paginator.urls[paginator.number - 1], "index.html",
                           _newest(paginator.items), kind="home", paginator=paginator,
                           title=config.title if paginator.number == 1 else f"Latest, page {paginator.number}",
                           description=config.description, feed_url="/feed.xml",
                           # the sidebar is on the first page only: a count that changes re-renders one page
                           top_people=top["people"] if paginator.number == 1 else (),
                           top_topics=top["topics"] if paginator.number == 1 else ()))
    pages.extend(article_page(site, article) for article in site.articles)
    for taxonomy in TAXONOMIES:
        pages.extend(_taxonomy_pages(site, taxonomy))
    pages.append(_page("/archive/", "archive.html", _newest(site.articles[:1]), kind="archive",
                       title="Archive", description=f"Every article of {config.title}, by month.",
                       years=site.years, months=site.months, feed_url="/feed.xml"))
    for period in (*site.years, *site.months):
        label = f"{period.year:04d}" if period.month is None else \
            datetime.date(period.year, period.month, 1).strftime("%B %Y")
        pages.append(_page(period.url, "period.html", _newest(period.articles[:1]), kind="period",
                           period=period, title=f"Articles of {label}", label=label,
                           description=f"{counted(len(period.articles), 'article')} of {label}.",
                           feed_url="/feed.xml"))
    pages.append(_page("/404.html", "404.html", sitemap=False, kind="404", title="Page not found",
                       description="", feed_url="/feed.xml"))
    if config.search:
        pages.append(_page("/search/", "search.html", sitemap=False, kind="search", title="Search",
                           description=f"Search the articles of {config.title}.", feed_url="/feed.xml"))
    pages.extend(_feeds(site))
    pages.extend(_redirects(site))
    pages.append(Page(url="/sitemap.xml", output_path="sitemap.xml", template=None, sitemap=False,
                      body=b""))  # placeholder replaced below, once every page is known
    pages[-1:] = _sitemaps(site, pages)
    pages.append(Page(url="/robots.txt", output_path="robots.txt", template=None, sitemap=False,
                      body=f"User-agent: *\nAllow: /\n\nSitemap: {config.abs_url('/sitemap.xml')}\n".encode()))
    return pages


def _taxonomy_pages(site: Site, taxonomy: Taxonomy) -> Iterator[Page]:
    config = site.config
    terms = site.taxonomy(taxonomy)
    noun = "People" if taxonomy == "people" else "Topics"
    yield _page(f"/{taxonomy}/", "terms.html", _newest(site.articles[:1]), kind="terms", taxonomy=taxonomy,
                terms=by_count(terms), title=noun, feed_url="/feed.xml",
                description=f"{counted(len(terms), 'person' if taxonomy == 'people' else 'topic')} "
                            f"in {config.title}, by number of articles.")
    for term in terms:
        first = f"/{taxonomy}/{term.slug}/"
        for paginator in paginate(term.articles, config.per_page, first):
            title = term.name if paginator.number == 1 else f"{term.name}, page {paginator.number}"
            description = term.role or f"{counted(term.count, 'article')} about {term.name} in {config.title}."
            yield _page(paginator.urls[paginator.number - 1], "term.html", _newest(paginator.items[:1]),
                        kind="term", taxonomy=taxonomy, term=term, paginator=paginator, title=title,
                        description=description, feed_url=f"{first}feed.xml")


def article_page(site: Site, article: Article) -> Page:
    """An article's own page."""
    return _page(article.url, "article.html", article.updated or article.date, kind="article",
                 article=article, links=site.links[article.path], title=article.title,
                 description=article.summary, feed_url="/feed.xml")


def site_feed(site: Site) -> Page:
    """The site's feed: its newest articles, in full."""
    newest = site.articles[: site.config.feed_size]
    return _page("/feed.xml", "atom.xml", sitemap=False, kind="feed", title=site.config.title,
                 alternate_url="/", articles=newest, full_content=True, updated=_newest(newest))


def _feeds(site: Site) -> Iterator[Page]:
    config = site.config
    size = config.feed_size
    yield site_feed(site)
    for taxonomy in TAXONOMIES:
        for term in site.taxonomy(taxonomy):
            first = f"/{taxonomy}/{term.slug}/"
            yield _page(f"{first}feed.xml", "atom.xml", sitemap=False, kind="feed",
                        title=f"{term.name} — {config.title}", alternate_url=first,
                        articles=term.articles[:size], full_content=False,
                        updated=_newest(term.articles[:size]) or _newest(site.articles[:1]))


def _sitemaps(site: Site, pages: list[Page]) -> list[Page]:
    config = site.config
    entries = [(config.abs_url(p.url), p.lastmod) for p in pages if p.sitemap]
    chunks = [entries[i: i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return [Page(url="/sitemap.xml", output_path="sitemap.xml", template=None, sitemap=False,
                     body=_urlset(chunks[0]))]
    result = [Page(url=f"/sitemap-{n}.xml", output_path=f"sitemap-{n}.xml", template=None, sitemap=False,
                   body=_urlset(chunk)) for n, chunk in enumerate(chunks, start=1)]
    index = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    index += [f"<sitemap><loc>{escape(config.abs_url(p.url))}</loc></sitemap>" for p in result]
    index.append("</sitemapindex>\n")
    result.append(Page(url="/sitemap.xml", output_path="sitemap.xml", template=None, sitemap=False,
                       body="\n".join(index).encode()))
    return result


def _urlset(entries: list[tuple[str, datetime.datetime | None]]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, lastmod in entries:
        modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{modified}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


def _redirects(site: Site) -> Iterator[Page]:
    """A page at each old URL of an article, sending readers on; and `_redirects` for hosts that read it."""
    moved = [(alias, article) for article in site.articles for alias in article.aliases]
    for alias, article in moved:
        yield _page(alias, "redirect.html", sitemap=False, kind="redirect", article=article,
                    title=article.title, description="", feed_url="/feed.xml")
    if moved:
        lines = [f"{site.config.url_for(alias)} {site.config.url_for(article.url)} 301\n"
                 for alias, article in sorted(moved, key=lambda m: m[0])]
        yield Page(url="/_redirects", output_path="_redirects", template=None, sitemap=False,
                   body="".join(lines).encode())


def check_page_urls(pages: list[Page], site: Site, problems: list[Problem]) -> None:
    """Report an article whose URL, or old URL, is also one of the site's own pages (`/people/`, `/2015/`...).

    A URL inside another file of the site is `check_file_clashes`' to report.
    """
    owners = {a.url: a.path for a in site.articles}
    seen: dict[str, Page] = {}
    for page in pages:
        first = seen.setdefault(page.output_path, page)
        if first is not page and "redirect" in (first.context.get("kind"), page.context.get("kind")):
            moved = page if page.context.get("kind") == "redirect" else first
            article: Article = moved.context["article"]  # type: ignore[assignment]
            problems.append(Problem(path=article.path, line=None,
                                    message=f"its old URL {moved.url} (in `aliases`) is also a page of the site",
                                    hint="Remove it from `aliases`: the page there is not to be replaced."))
            continue
        kinds = {first.context.get("kind"), page.context.get("kind")}
        if first is not page and "article" in kinds and kinds != {"article"}:
            problems.append(Problem(path=owners[page.url], line=None,
                                    message=f"its URL {page.url} is also a page of the site",
                                    hint="Give it another `slug:` or change `permalinks.article`."))


def _folders_of(output_path: str) -> list[str]:
    """The folders an output file is written in.

    >>> _folders_of("feed.xml/index.html")
    ['feed.xml']
    """
    parts = output_path.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def check_file_clashes(pages: list[Page], copies: Mapping[str, str], site_dir: Path, problems: list[Problem]) -> None:
    """Report what the site writes where another of its files needs a folder, before anything is written:
    an article or old URL inside a file (`/feed.xml/`, `/js/search.js/`), a copied file (static or content)
    inside one (`static/feed.xml/x`), or a copied file where pages need a folder (`static/people`).

    `copies`: output path -> source file, as the build copies them (a page of the same path wins).
    """
    files = {page.output_path: page.url for page in pages}
    copied = [path for path in sorted(copies) if path not in files]
    files.update((path, "/" + path) for path in copied)
    reported: set[str] = set()
    for page in pages:
        kind = page.context.get("kind")
        clash = next((folder for folder in _folders_of(page.output_path) if folder in files), None)
        if clash is not None and kind in ("article", "redirect"):
            reported.add(page.output_path)
            which = "old URL" if kind == "redirect" else "URL"
            article: Article = page.context["article"]  # type: ignore[assignment]
            problems.append(Problem(path=article.path, line=None,
                                    message=f"its {which} {page.url} would be a folder, but {files[clash]} is a file "
                                            "of the site",
                                    hint="Remove it from `aliases`." if which == "old URL" else
                                    "Give it another `slug:` or change `permalinks.article`."))
    folders: dict[str, str] = {}  # a folder of the output -> a file written in it (an article's: reported above)
    for path in files:
        if path not in reported:
            folders.update((folder, path) for folder in _folders_of(path) if folder not in folders)
    for path in copied:
        clash = next((folder for folder in _folders_of(path) if folder in files), None)
        if clash is not None:
            why = f"{files[clash]} is a file of the site"
        elif path in folders:
            why = f"{files[folders[path]]} needs a folder of that name"
        else:
            continue
        name = os.path.relpath(copies[path], site_dir)
        problems.append(Problem(path=copies[path] if name.startswith("..") else Path(name).as_posix(), line=None,
                                message=f"cannot be copied to /{path}: {why}", hint="Rename the file or its folder."))


def check_images(items: Iterable[Article | TermPage], files: Iterable[str], site_dir: Path,
                 problems: list[Problem]) -> None:
    """Report an `image` that names a file the output will not have (`files`: the output paths of the files
    the build copies, from content/ and the static folders)."""
    have = set(files)
    for item in items:
        if item.image is None or item.image.lower().startswith(("http://", "https://")):
            continue
        if unquote(item.image).lstrip("/") not in have:
            try:
                text = (site_dir / item.path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            line = top_level_key_lines(text).get("image", [None])[-1]
            problems.append(Problem(path=item.path, line=line, message=f"`image` names content{unquote(item.image)}, "
                                    "which does not exist", hint="Put the image there, or correct its name."))
