"""Which of a site's people, topics and sources a story names, and which new names it brings.

The site's registry is every name and alias of its term pages and every name its articles
already use, per taxonomy (`TAXONOMIES`, whatever they are), and every `source:` its
articles give. Text and names are compared word by word, each word folded as slugs are
(`Ya’alon` is `Ya'alon` is `yaalon`, `Erdoğan` is `erdogan`), so a name matches however it
is cased or accented. A bare surname counts for a name only when the name is also found in
full; an alias (`Putin`) counts always.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from digest.link.terms import build_terms
from digest.model import TAXONOMIES, Article, TermPage
from digest.read.names import slugify
from digest.read.urls import registered_domain

SOURCES = "sources"  # the taxonomy of publications, when the site has it: its names are known sources
Words = tuple[str, ...]

_WORD = re.compile(r"\w+(?:['’ʼ`]\w+)*")
_POSSESSIVE = re.compile(r"['’ʼ`]s$", re.IGNORECASE)
_TOKEN = re.compile(r"\w+(?:['’ʼ`-]\w+)*")
# Words that open a sentence or a phrase rather than a name, and words a name never holds.
_OPENERS = frozenset("""the a an in on at but and or for from to by with as after before during when while if this that
these those it he she they we i you his her their our its also then now yet so still meanwhile however according
under over since until why what who how where there here both each every all some many most one two three four five
six seven eight nine ten dear mr mrs ms""".split())
_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december""".split())
# Words of a title before a name: "Prime Minister Benjamin Netanyahu", "Secretary of State John Kerry".
TITLES = frozenset("""president vice prime minister secretary state chancellor king queen prince princess crown pope
sheikh emir sultan general gen colonel col lieutenant commander admiral senator sen representative rep congressman
congresswoman governor gov mayor ambassador envoy chief deputy foreign defense defence finance interior justice judge
dr sir dame lord lady rabbi imam cardinal archbishop bishop professor prof chairman chairwoman chair spokesman
spokeswoman spokesperson leader premier ceo director commissioner speaker""".split())
_PARTICLES = frozenset("de da di del della van von der den la le du dos bin ibn al el ben".split())
_REPORTING = frozenset("reported reports reporting said says wrote writes revealed quoted".split())


def fold(text: str) -> Words:
    """The words of a text as slugs compare them: folded to ASCII, lowercase, possessives and apostrophes gone.

    >>> fold("Moshe Ya’alon's aide"), fold("Russia–Israel relations")
    (('moshe', 'yaalon', 'aide'), ('russia', 'israel', 'relations'))
    """
    words: list[str] = []
    for match in _WORD.finditer(text):
        words.extend(part for part in slugify(_POSSESSIVE.sub("", match.group())).split("-") if part)
    return tuple(words)


@dataclass(frozen=True, slots=True, kw_only=True)
class Registry:
    """The names a site knows: per taxonomy, each spelling's words → the name it stands for."""

    names: Mapping[str, Mapping[Words, str]]  # taxonomy -> folded spelling -> the term's name
    sources: Mapping[Words, str]  # a known source's folded spelling ("the" aside) -> its name
    domains: Mapping[str, str]  # a registered domain -> the one source whose links it holds


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A name found in a story: how often, and where first (in words from the start)."""

    name: str
    count: int
    first: int


def build_registry(articles: Sequence[Article], pages: Sequence[TermPage]) -> Registry:
    """Every name the site's term pages and articles use, by taxonomy, and its known sources."""
    names: dict[str, Mapping[Words, str]] = {}
    for taxonomy in TAXONOMIES:
        own = [page for page in pages if page.taxonomy == taxonomy]
        spellings: dict[Words, str] = {}
        if taxonomy != SOURCES:  # people and topics named by articles, linked as a build does (sources: below)
            extra = {page.slug: tuple(page.names.values()) for page in own}
            for term in build_terms(taxonomy, tuple(articles), own, []).terms:
                _add(spellings, (term.name, *term.aliases, *extra.get(term.slug, ())), term.name)
        for page in own:
            _add(spellings, (page.name, *page.aliases, *page.names.values()), page.name or page.slug)
        names[taxonomy] = MappingProxyType(spellings)
    sources: dict[Words, str] = {}
    domains: dict[str, set[str]] = {}
    for page in pages:
        if str(page.taxonomy) == SOURCES:
            _add(sources, (page.name, *page.aliases), page.name or page.slug, strip_the=True)
            if page.url and (domain := registered_domain(page.url)):
                domains.setdefault(domain, set()).add(page.name or page.slug)
    for article in articles:
        if article.source:
            known = sources.get(_source_key(fold(article.source)))
            _add(sources, (article.source,), known or article.source, strip_the=True)
            domain = registered_domain(article.source_url) if article.source_url else None
            if domain:
                domains.setdefault(domain, set()).add(known or article.source)
    return Registry(names=MappingProxyType(names), sources=MappingProxyType(sources),
                    domains=MappingProxyType({domain: next(iter(found)) for domain, found in domains.items()
                                              if len(found) == 1}))


def _add(spellings: dict[Words, str], written: Iterable[str], name: str, strip_the: bool = False) -> None:
    """Each written spelling, folded, as a spelling of `name` (the first name to claim one keeps it)."""
    for spelling in written:
        words = fold(spelling) if spelling else ()
        if strip_the:
            words = _source_key(words)
        if words:
            spellings.setdefault(words, name)


def _source_key(words: Words) -> Words:
    """A source's words without a leading "the": "The Times of Israel" and "Times of Israel" are one."""
    return words[1:] if len(words) > 1 and words[0] == "the" else words


def _matches(words: Words, spellings: Mapping[Words, str]) -> list[tuple[int, int, str]]:
    """Every (start, end, name) where a spelling occurs, longest first from left to right, none overlapping."""
    starts: dict[str, list[Words]] = {}
    for spelling in spellings:
        starts.setdefault(spelling[0], []).append(spelling)
    for options in starts.values():
        options.sort(key=len, reverse=True)
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for spelling in starts.get(words[i], ()):
            if words[i:i + len(spelling)] == spelling:
                found.append((i, i + len(spelling), spellings[spelling]))
                i += len(spelling)
                break
        else:
            i += 1
    return found


def find_mentions(words: Words, spellings: Mapping[Words, str]) -> tuple[Mention, ...]:
    """The names of `spellings` that `words` mention, most mentioned first, then in order of appearance.

    A bare surname counts for a name only when that name is also found in full.

    >>> known = {("vladimir", "putin"): "Vladimir Putin", ("benjamin", "netanyahu"): "Benjamin Netanyahu"}
    >>> [(m.name, m.count) for m in find_mentions(fold("Netanyahu met Vladimir Putin. Putin smiled."), known)]
    [('Vladimir Putin', 2)]
    """
    found = _matches(words, spellings)
    covered = {i for start, end, _ in found for i in range(start, end)}
    full: dict[str, set[str]] = {}
    for start, end, name in found:
        if end - start > 1:
            full.setdefault(words[end - 1], set()).add(name)
    surnames = {word: next(iter(names)) for word, names in full.items() if len(names) == 1}
    hits = [(start, name) for start, _, name in found]
    hits += [(i, surnames[word]) for i, word in enumerate(words) if i not in covered and word in surnames]
    counts: dict[str, list[int]] = {}
    for start, name in sorted(hits):
        counts.setdefault(name, []).append(start)
    mentions = (Mention(name=name, count=len(at), first=at[0]) for name, at in counts.items())
    return tuple(sorted(mentions, key=lambda m: (-m.count, m.first)))


def find_source(words: Words, registry: Registry) -> str | None:
    """A known source the text cites: "X reported", "X said", "according to X", "told X"; else None."""
    for start, end, name in _matches(words, registry.sources):
        after = words[end] if end < len(words) else ""
        before = words[max(0, start - 2):start]
        if after in _REPORTING or before[-2:] == ("according", "to") or before[-1:] in (("told",), ("by",)):
            return name
    return None


def known_source(name: str, registry: Registry) -> str:
    """A site name as the site already spells that source ("Times of Israel" → "The Times of Israel")."""
    return registry.sources.get(_source_key(fold(name)), name)


def source_by_domain(url: str | None, registry: Registry) -> str | None:
    """The known source whose links (or term page's `url`) are on the same registered domain as `url`."""
    domain = registered_domain(url) if url else None
    return registry.domains.get(domain) if domain else None


def new_names(paragraphs: Iterable[str], registry: Registry) -> tuple[Mention, ...]:
    """Capitalised names of two to four words, not known to the site, seen twice or once after a title
    ("President", "Prime Minister"...), most seen first.

    >>> empty = Registry(names={}, sources={}, domains={})
    >>> [m.name for m in new_names(["Foreign Minister Ada Lovelace spoke. Charles Babbage and Charles Babbage."], empty)]
    ['Charles Babbage', 'Ada Lovelace']
    """
    known = {words for spellings in registry.names.values() for words in spellings} | set(registry.sources)
    spelled: dict[Words, str] = {}
    counts: dict[Words, int] = {}
    titled: set[Words] = set()
    for paragraph in paragraphs:
        if paragraph.lstrip().startswith("#"):
            continue
        for segment, after_title in _name_segments(paragraph):
            key = fold(" ".join(segment))
            if key in known or _source_key(key) in known:
                continue
            spelled.setdefault(key, " ".join(segment))
            counts[key] = counts.get(key, 0) + 1
            if after_title:
                titled.add(key)
    order = {key: number for number, key in enumerate(spelled)}
    found = [Mention(name=spelled[key], count=count, first=order[key]) for key, count in counts.items()
             if key in titled or count >= 2]
    return tuple(sorted(found, key=lambda m: (-m.count, m.first)))


def _name_segments(paragraph: str) -> Iterable[tuple[list[str], bool]]:
    """Runs of capitalised words split at titles, openers and days: (the words, whether a title came before)."""
    run: list[str] = []
    end = -1
    for match in _TOKEN.finditer(paragraph):
        word = match.group()
        joined = match.start() == end + 1 and paragraph[end:match.start()] == " "
        if not joined:
            yield from _split_run(run)
            run = []
        if _capitalised(word) or (run and word.lower() in _PARTICLES):
            run.append(word)
        else:
            yield from _split_run(run)
            run = []
        end = match.end()
    yield from _split_run(run)


def _split_run(run: list[str]) -> Iterable[tuple[list[str], bool]]:
    """The name-like parts of a run of capitalised words."""
    titled = False
    segment: list[str] = []
    for word in [*run, ""]:
        lowered = word.lower().rstrip(".")
        if word and lowered not in TITLES and lowered not in _CALENDAR:
            if segment or lowered not in _OPENERS:
                segment.append(word)
            continue
        while segment and segment[-1].lower() in _PARTICLES:
            segment.pop()
        if 2 <= len(segment) <= 4:
            yield segment, titled
        segment = []
        titled = lowered in TITLES


def _capitalised(word: str) -> bool:
    """Whether a word starts with a capital letter ("Putin", "al-Assad" counts by its second part)."""
    if word[0].isupper():
        return True
    head, _, tail = word.partition("-")
    return head.lower() in _PARTICLES and bool(tail) and tail[0].isupper()
