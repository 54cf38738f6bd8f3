"""Structured data for search engines and link previews: schema.org JSON-LD for each kind of page.

`NewsArticle` for an article, `Person` for a person's page, `CollectionPage` for a topic
and for every list. The default theme writes them with `{{ news_article(article, links) }}`
and friends; a theme may write its own with the `jsonld` filter. Values are built in
Python rather than in templates: this runs on every page of the site.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from markupsafe import Markup

from digest.model import Article, ArticleLinks, SiteConfig, Term

CONTEXT = "https://schema.org"


def json_ld(data: object) -> Markup:
    """Data for a `<script type="application/ld+json">`: empty values left out, `<`, `>`, `&` escaped.

    >>> print(json_ld({"@type": "Person", "name": "A </script> B", "jobTitle": None, "sameAs": []}))
    {"@type": "Person", "name": "A \\u003c/script\\u003e B"}
    """
    text = json.dumps(_clean(data), ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _clean(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != "" and v != [] and v != {}}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def news_article(article: Article, links: ArticleLinks, config: SiteConfig) -> Markup:
    """An article as a `NewsArticle`: headline, dates, summary, source, publisher, its people and topics."""
    url = config.abs_url(article.url)
    about = [{"@type": "Person", "name": r.name, "url": config.abs_url(r.url)} for r in links.people]
    about += [{"@type": "Thing", "name": r.name, "url": config.abs_url(r.url)} for r in links.topics]
    source = {"@type": "NewsMediaOrganization", "name": article.source, "url": article.source_url}
    return json_ld({
        "@context": CONTEXT, "@type": "NewsArticle", "headline": article.title, "url": url, "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(), "dateModified": (article.updated or article.date).isoformat(),
        "description": article.summary, "image": config.abs_url(article.image) if article.image else None,
        "wordCount": article.words, "isBasedOn": article.source_url,
        "sourceOrganization": source if article.source else None,
        "publisher": {"@type": "Organization", "name": config.title, "url": config.abs_url("/")},
        "about": about})


def term_page(term: Term, page_url: str, description: str, config: SiteConfig) -> Markup:
    """A person's page as a `Person`; a topic's as a `CollectionPage` about it, a source's about the
    `NewsMediaOrganization` (its own address as `sameAs`)."""
    kind = {"people": "Person", "topics": "Thing", "sources": "NewsMediaOrganization"}[term.taxonomy]
    subject = {"@type": kind, "name": term.name, "alternateName": list(term.aliases), "url": config.abs_url(term.url),
               "image": config.abs_url(term.image) if term.image else None,
               "sameAs": term.address}
    if term.taxonomy == "people":
        return json_ld({"@context": CONTEXT, **subject, "jobTitle": term.role,
                        "mainEntityOfPage": config.abs_url(page_url)})
    return json_ld({"@context": CONTEXT, "@type": "CollectionPage", "url": config.abs_url(page_url),
                    "name": term.name, "description": description, "about": {**subject, "description": term.role},
                    "isPartOf": _website(config)})


def collection_page(name: str, page_url: str, description: str, config: SiteConfig) -> Markup:
    """A list of articles or terms as a `CollectionPage` of the site."""
    return json_ld({"@context": CONTEXT, "@type": "CollectionPage", "name": name, "url": config.abs_url(page_url),
                    "description": description, "isPartOf": _website(config)})


def _website(config: SiteConfig) -> dict[str, str]:
    return {"@type": "WebSite", "name": config.title, "url": config.abs_url("/")}
