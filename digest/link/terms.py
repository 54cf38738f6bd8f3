"""Stage 4, link: the names written in articles → people, topics and sources (`Term`s).

A name is matched by its slug, so case, spacing and punctuation do not split a
term; a term page's `aliases` send other spellings to it. Spellings that only
the slug joins are reported, so the curator can settle on one. A source's page
also claims the registered domain of its `url` and of every alias that is an
address (`www.timesofisrael.com` → `timesofisrael.com`), which is the name of the
source of an article that gives only a `source_url`.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from digest.model import EMPTY, Article, Problem, Taxonomy, Term, TermPage, TermRef
from digest.read.names import normalize_name, same_spelling, slugify
from digest.read.urls import registered_domain

RELATED_TERMS = 8


@dataclass(frozen=True, slots=True)
class Terms:
    """A taxonomy's terms, and for each article the terms it names, in its order."""

    terms: tuple[Term, ...]  # by slug
    by_article: Mapping[str, tuple[TermRef, ...]]  # article path -> refs


def alias_index(taxonomy: Taxonomy, pages: Iterable[TermPage], problems: list[Problem]) -> dict[str, str]:
    """slug of every name and alias → the slug of the term page that claims it."""
    owner: dict[str, str] = {}
    claimed_by: dict[str, str] = {}
    for page in pages:
        owner[page.slug] = page.slug
        claimed_by[page.slug] = page.path
    for page in pages:  # `Путин.md` is the page of "Путин", whose slug is `putin`, unless a `putin.md` is there
        owner.setdefault(slugify(page.slug), page.slug)
        claimed_by.setdefault(slugify(page.slug), page.path)
    for page in pages:
        lines = (page.name_line, *(page.alias_lines or (None,) * len(page.aliases)))
        spellings = [*zip((page.name, *page.aliases), lines)]
        if taxonomy == "sources":
            spellings += [(domain, None) for domain in _domains(page) if domain not in (page.name, *page.aliases)]
        for spelling, line in spellings:
            if not spelling:
                continue
            key = slugify(spelling)
            if key in owner and owner[key] != page.slug:
                problems.append(Problem(
                    path=page.path, line=line,
                    message=f'the {_noun(taxonomy)} "{spelling}" is claimed by two term pages: this one '
                            f"and {claimed_by[key]}",
                    hint="Keep the name or alias in one of the two files."))
                continue
            owner[key] = page.slug
            claimed_by[key] = page.path
    return owner


def _domains(page: TermPage) -> list[str]:
    """The registered domains a source's page claims: its `url`'s, and its aliases' that are addresses."""
    found = [page.url, *(a for a in page.aliases if "." in a and " " not in a.strip())]
    domains = (registered_domain(a if "://" in a else f"https://{a.strip()}") for a in found if a)
    return list(dict.fromkeys(d for d in domains if d))


def _noun(taxonomy: Taxonomy) -> str:
    return {"people": "person", "topics": "topic", "sources": "source"}[taxonomy]


class Names:
    """How the names written in articles resolve, in one taxonomy: a name as written -> its spelling, the slug of
    that spelling, and the slug of its term (the term page that claims that slug as an alias, else the same)."""

    def __init__(self, owner: Mapping[str, str]) -> None:
        self.owner = owner
        self.known: dict[str, tuple[str, str, str]] = {}  # thousands of articles share a few hundred names

    def resolve(self, name: str) -> tuple[str, str, str]:
        """The spelling, its slug and its term's slug, of a name as written."""
        known = self.known.get(name)
        if known is None:
            spelling = normalize_name(name)
            raw = slugify(spelling)
            known = self.known[name] = (spelling, raw, self.owner.get(raw, raw))
        return known

    def slugs(self, written: Iterable[str]) -> dict[str, str]:
        """The terms an article names, in its order, each with the spelling it first names it by."""
        found: dict[str, str] = {}
        known = self.known
        for name in written:
            spelling, _, slug = known.get(name) or self.resolve(name)
            found.setdefault(slug, spelling)
        return found


def build_terms(taxonomy: Taxonomy, articles: tuple[Article, ...], pages: Iterable[TermPage],
                problems: list[Problem], owner: Mapping[str, str] | None = None, language: str = "",
                root: str = "/", names: Names | None = None) -> Terms:
    """The terms of one taxonomy, from the published articles (newest first) and the term pages.

    `owner`: the term pages' `alias_index`, when the caller made it (once for every language);
    `language`: the language whose names the terms take (a term page's `names`); `root`: its path;
    `names`: how names resolve, if the caller keeps it (with the same `owner`).
    """
    pages = sorted(pages, key=lambda p: p.slug)
    if names is None:
        names = Names(alias_index(taxonomy, pages, problems) if owner is None else owner)
    page_by_slug = {page.slug: page for page in pages}
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    by_article: dict[str, tuple[str, ...]] = {}
    for article in articles:
        slugs = names.slugs(getattr(article, taxonomy))  # ordered, and a set: an article may name thousands
        for slug, spelling in slugs.items():
            members[slug].append(article)
            spellings[slug][spelling] += 1
        by_article[article.path] = tuple(slugs)
    problems.extend(spelling_warnings(taxonomy, articles, names, pages))

    shown = {slug: display_name(page_by_slug.get(slug), spellings[slug], slug, language)
             for slug in set(members) | set(page_by_slug)}
    refs = {slug: TermRef(taxonomy=taxonomy, slug=slug, name=name, root=root) for slug, name in shown.items()}
    co_mentions: dict[str, Counter[str]] = defaultdict(Counter)
    for named in by_article.values():
        for slug in named:
            co_mentions[slug].update(named)  # itself too, left out below: counting in C is what makes it fast
    terms = [make_term(taxonomy, slug, shown[slug], page_by_slug.get(slug), spellings[slug], members.get(slug, ()),
                       co_mentions[slug], shown, refs.__getitem__, root) for slug in sorted(shown)]
    return Terms(terms=tuple(terms),
                 by_article={path: tuple(refs[s] for s in slugs) for path, slugs in by_article.items()})


def spelling_warnings(taxonomy: Taxonomy, articles: Iterable[Article], names: Names,
                      pages: Iterable[TermPage]) -> list[Problem]:
    """A warning for each name written in several spellings that only its slug joins (`Putin`, `putin`), naming
    the first article of each spelling (`articles`: newest first), unless the term page lists them all."""
    first_seen: dict[str, dict[str, str]] = defaultdict(dict)  # raw slug -> spelling key -> spelling
    where: dict[str, str] = {}
    seen: set[str] = set()
    for article in articles:
        for name in getattr(article, taxonomy):
            if name not in seen:
                seen.add(name)
                spelling, raw, _ = names.resolve(name)
                first_seen[raw].setdefault(same_spelling(spelling), spelling)
                where.setdefault(spelling, article.path)
    settled = {same_spelling(s) for page in pages for s in (page.name, *page.aliases) if s}
    problems = []
    for raw, variants in sorted(first_seen.items()):
        if len(variants) > 1 and not settled.issuperset(variants):
            listed = ", ".join(f'"{v}" ({where[v]})' for v in sorted(variants.values()))
            target = names.owner.get(raw, raw)
            problems.append(Problem(
                path=None, line=None, severity="warning",
                message=f"{taxonomy}: {listed} are one {_noun(taxonomy)}, /{taxonomy}/{target}/",
                hint=f"Use one spelling, or list the others as `aliases` in content/{taxonomy}/{target}.md."))
    return problems


def display_name(page: TermPage | None, spellings: Counter[str], slug: str, language: str) -> str:
    """A term's name: its page's (in `language`), else its most used spelling (on a tie, the one that sorts
    first), else its slug made readable."""
    if page is not None and (page.names.get(language) or page.name):
        return page.names.get(language) or page.name
    if spellings:
        return min(spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return slug.replace("-", " ").title()


def make_term(taxonomy: Taxonomy, slug: str, name: str, page: TermPage | None, spellings: Counter[str],
              members: Sequence[Article], co_mentions: Counter[str], names: Mapping[str, str],
              ref: Callable[[str], TermRef], root: str) -> Term:
    """A term: its articles (`members`, newest first), the spellings they name it by, and how often each other
    term is named beside it (`co_mentions`, with `names`: every term's name, and `ref`, a term's reference)."""
    seen = [s for s in spellings if s != name]
    aliases = tuple(dict.fromkeys([*(page.aliases if page else ()), *sorted(seen)]))
    others = ((other, count) for other, count in co_mentions.items() if other != slug)
    related = heapq.nsmallest(RELATED_TERMS, others, key=lambda kv: (-kv[1], names[kv[0]]))
    return Term(
        taxonomy=taxonomy, slug=slug, name=name, aliases=aliases,
        role=page.role if page else None, image=page.image if page else None,
        image_alt=page.image_alt if page else None, body_html=page.body_html if page else None,
        meta=page.meta if page else EMPTY, articles=tuple(members),
        related=tuple((ref(other), count) for other, count in related), root=root,
        address=page.url if page else None,
    )
