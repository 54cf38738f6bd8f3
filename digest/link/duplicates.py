"""Duplicate links: two articles that point at the same story, as a curator files one story twice.

Every article's `source_url` and the web links of its body are put in their canonical form
when it is parsed (`Article.story_text`, by `read.urls.canonical_url`: scheme, `www.`, ports,
trailing slashes, fragments, tracking parameters, AMP variants and the order of parameters do
not count). A story that two articles link is reported once for each article after the first
(the oldest, then by path), naming both files and lines. Not reported: links within one
article, links between the versions of one article in several languages, and a publication's
home page or section front (`/`, `/news`, `/en/`: one path segment of letters alone), which
many articles name as their source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from digest.model import Article, Problem

HINT = ("If it is the same story filed twice, remove one of the two articles; if the two are about it "
        "on purpose, leave them (`--strict` makes this an error).")


def find_duplicates(articles: Iterable[Article]) -> list[Problem]:
    """A warning for each article that links a story an earlier article links (see the module's notes)."""
    first: dict[str, tuple[Article, int]] = {}  # every story, in the order first linked: (article, its place)
    more: dict[str, list[tuple[Article, int]]] = {}  # the stories linked more than once
    for article in sorted(articles, key=lambda a: (a.date, a.path)):
        for number, key in enumerate(article.story_keys()):
            known = first.get(key)
            if known is None:
                first[key] = (article, number)
                continue
            places = more.setdefault(key, [known])
            if any(other.path == article.path for other, _ in places):
                continue  # the same story twice in one article
            places.append((article, number))
    problems = []
    for key in first:
        linked = more.get(key)
        if linked is None:
            continue
        source, number = linked[0]
        source_line = source.stories[number][2]
        for article, number in linked[1:]:
            if article.translation_key and article.translation_key == source.translation_key:
                continue  # a translation names its original's story
            _, url, line = article.stories[number]
            where = f"{source.path}:{source_line}" if source_line else source.path
            problems.append(Problem(path=article.path, line=line, severity="warning",
                                    message=f"links the same story as {where}: {url}", hint=HINT))
    return problems
