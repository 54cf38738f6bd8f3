"""The Jinja environment: the theme's lookup chain, autoescaping, and the filters and helpers templates get."""

from __future__ import annotations

import datetime
import types
from collections.abc import Iterable, MutableMapping
from typing import Any
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from digest.model import Language, Page, SiteConfig, Term
from digest.read.files import write_whole
from digest.render import newsletter, schema
from digest.render.charts import initials_avatar, mentions_chart, monthly_counts
from digest.render.i18n import ENGLISH, Messages
from digest.render.theme import Theme


def format_date(value: datetime.datetime | datetime.date | None, style: str = "long", words: Messages = ENGLISH) -> str:
    """A date for readers: "30 November 2015" (long), "30 Nov 2015" (short), "November 2015" (month),
    ISO 8601 (iso); in the language of `words`.

    >>> format_date(datetime.date(2015, 11, 3)), format_date(datetime.date(2015, 11, 3), "short")
    ('3 November 2015', '3 Nov 2015')
    """
    if value is None:
        return ""
    if style == "iso":
        return value.isoformat()
    return words.date(value.date() if isinstance(value, datetime.datetime) else value, style)


def initials(name: str) -> str:
    """Up to two initials of a name, for an avatar.

    >>> initials("Benjamin Netanyahu"), initials("Syria"), initials("Moshe Ya'alon")
    ('BN', 'S', 'MY')
    """
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    picked = [words[0], words[-1]] if len(words) > 1 else words[:1]
    return "".join(w[0].upper() for w in picked)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, and in the build cache's `templates/`
    folder (`keep_compiled_in`), found again by their source's checksum.

    Every build makes a new environment; in a process that builds again and again (the live
    preview) unchanged templates are then not compiled again, and a build in a new process
    reads them from the cache instead of compiling them (a quarter of a second for the default
    theme). Jinja checks each entry against the template's current source and the Python that
    compiled it, so an edited template is always compiled anew. What a build compiles is written
    to the cache with the rest of it, after a good build (`save_compiled`): a failed one writes nothing.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self.folder: Path | None = None
        self.unsaved: set[str] = set()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is None and self.folder is not None:
            try:
                code = self._code[bucket.key] = (self.folder / f"{bucket.key}.bin").read_bytes()
            except OSError:  # none yet: compile it
                return
        if code is not None:
            try:
                bucket.bytecode_from_string(code)
            except (ValueError, EOFError, TypeError):  # a damaged entry: compile it again
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        self.unsaved.add(bucket.key)


_COMPILED = _CompiledTemplates()


def keep_compiled_in(folder: Path | None) -> None:
    """Keep compiled templates in `folder` (the build cache's), or in memory only (None)."""
    if folder != _COMPILED.folder:
        _COMPILED.unsaved.clear()  # compiled for another site: not this one's to keep
    _COMPILED.folder = folder


def save_compiled() -> None:
    """Write the templates compiled since the last save to the folder of `keep_compiled_in`, if any."""
    folder, _COMPILED.unsaved, unsaved = _COMPILED.folder, set(), _COMPILED.unsaved
    if folder is None:
        return
    for key in unsaved:  # (a cache that cannot be written costs the next build the compiling)
        if not write_whole(folder / f"{key}.bin", _COMPILED._code[key]):
            break


def by_letter(terms: Iterable[Term]) -> list[tuple[str, list[Term]]]:
    """Terms in A–Z groups by the first letter of their slug (transliterated); "#" for the rest, last.

    >>> from digest.model import Term
    >>> terms = [Term(taxonomy="people", slug=s, name=s, aliases=(), role=None, image=None, image_alt=None,
    ...               body_html=None, meta={}, articles=()) for s in ("zoe", "ab", "2pac", "al")]
    >>> [(letter, [t.slug for t in group]) for letter, group in by_letter(terms)]
    [('A', ['ab', 'al']), ('Z', ['zoe']), ('#', ['2pac'])]
    """
    groups: dict[str, list[Term]] = {}
    for term in sorted(terms, key=lambda t: t.slug):
        first = term.slug[:1].upper()
        groups.setdefault(first if "A" <= first <= "Z" else "#", []).append(term)
    return sorted(groups.items(), key=lambda group: (group[0] == "#", group[0]))


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling plain functions and methods directly: a page makes some 70 calls (`url_for`, `_`,
    filters' helpers), and Jinja looks three times for a mark that asks for the context on each of them."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's names
        if type(__obj) in _PLAIN and not hasattr(__obj, "jinja_pass_arg"):
            kwargs.pop("_block_vars", None)  # what Jinja adds to calls in loops and blocks, for the context's sake
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a "
                                                    "StopIteration exception")
        return super().call(__obj, *args, **kwargs)


_PLAIN = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType, Messages})  # (`_`: Messages)


class _Environment(jinja2.Environment):
    """Jinja's environment, whose templates share its globals (one dict) rather than each holding a `ChainMap`
    over them: every render (of a page, of each card) copies its template's globals into a new context and lists
    their names, which a `ChainMap` of 25 names makes some 60 calls. No template of digest has globals of its own
    (Jinja gives a template a `ChainMap` still when it is loaded with some)."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return self.globals if not d else super().make_globals(d)


def make_environment(theme: Theme, config: SiteConfig, search_enabled: bool = False,
                     words: Messages = ENGLISH) -> jinja2.Environment:
    """The Jinja environment of one language: the theme's lookup chain, autoescaping, filters and helpers.

    `config`: the language's settings (`SiteConfig.in_language`); `words`: its messages;
    `search_enabled`: the build makes a search index, so the theme shows its search box.
    """
    env = _Environment(
        bytecode_cache=_COMPILED,
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False, cache_size=-1,
    )
    env.context_class = _Context
    zone = ZoneInfo(config.timezone)

    def local_date(value: datetime.datetime | datetime.date | None, style: str = "long") -> str:
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(zone)
        return format_date(value, style, words)

    charts: dict[tuple[str, str], Markup] = {}  # each term's, drawn once for all the pages of its list

    def chart(term: Term) -> Markup:
        key = (term.taxonomy, term.slug)
        if key not in charts:
            charts[key] = mentions_chart(monthly_counts((a.date for a in term.articles), zone), term.name,
                                         "d-mentions", words, source=term.taxonomy == "sources")
        return charts[key]

    def language_links(page: Page) -> list[tuple[Language, str, bool]]:
        """Every language of the site, with the page in it (else its home), and whether it is this page's."""
        versions = dict(page.alternates)
        return [(language, versions.get(language.code, language.root), language.code == config.language)
                for language in config.languages]

    menus: dict[tuple[str, ...], list[tuple[object, str, str, bool]]] = {}

    def menu(sections: Iterable[str]) -> list[tuple[object, str, str, bool]]:
        """The header's links, made once for each set of the site's sections: each one's label, path (in this
        language, for a link within the site), address, and whether the pages under its path are its section's
        (not for the home page, under which every page is)."""
        key = tuple(sections)
        if key not in menus:
            editions = [{"label": words("Editions"), "url": "/editions/"}] if config.editions else []
            sources = [{"label": words("Sources"), "url": "/sources/"}] if "sources" in key else []
            items: Any = config.theme_options.get("nav") or [
                {"label": words("Latest"), "url": "/"}, *editions, {"label": words("People"), "url": "/people/"},
                {"label": words("Topics"), "url": "/topics/"}, *sources, {"label": words("Archive"), "url": "/archive/"}]
            made = menus[key] = []
            for item in items:
                url: str = item["url"]
                internal = url.startswith("/")
                path = config.root + url.lstrip("/") if internal else url
                made.append((item["label"], path, config.url_for(path) if internal else url,
                             internal and path != config.root))
        return menus[key]

    env.filters["date"] = local_date
    env.filters["avatar"] = lambda name: initials_avatar(initials(name))
    env.filters["jsonld"] = schema.json_ld
    env.globals["news_article"] = lambda article, links: schema.news_article(article, links, config)
    env.globals["term_json_ld"] = lambda term, url, description: schema.term_page(term, url, description, config)
    env.globals["collection_json_ld"] = lambda name, url, description: schema.collection_page(
        name, url, description, config)
    env.filters["by_letter"] = by_letter
    env.filters["letter_id"] = lambda letter: "other" if letter == "#" else letter.lower()
    env.globals["mentions_chart"] = chart
    env.filters["initials"] = initials
    env.filters["counted"] = words.counted
    env.filters["wrap"] = newsletter.wrap  # the plain-text newsletter's
    env.filters["text_with_notes"] = newsletter.text_with_notes
    env.globals["_"] = words
    env.globals["script_words"] = words.for_script
    env.globals["language_links"] = language_links
    env.globals["menu"] = menu
    env.globals["lang_url"] = config.page_url
    env.globals["lang_path"] = lambda path: config.root + path.lstrip("/")
    env.globals["url_for"] = config.url_for
    env.globals["abs_url"] = config.abs_url
    env.globals["config"] = config
    env.globals["search_enabled"] = search_enabled
    return env
