"""Stage 6, render: `Page`s → the bytes of their files, through the theme's Jinja templates.

Large sites render in worker processes (`digest/workers.py`); each worker hands the bytes of
the pages it rendered to the write stage itself, so that no page travels back.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup

from digest.model import Article, Page, PageKind, Problem, Site
from digest.render import cldr
from digest.render.i18n import ENGLISH, Messages
from digest.render.newsletter import mail_ready
from digest.render.theme import template_label
from digest.render.wording import page_words
from digest.workers import MIN_PARALLEL_RENDER, TextStore, parallel_map


ENTRIES_KEPT = 20_000  # feed entries kept for reuse, per process (about 1 KB each)


class CardShelf:
    """The cards of one language's articles, kept from one build to the next: in the build cache, and in memory in a
    process that builds again and again (the preview, whose warm site holds its shelves). A build without a cache
    keeps its own cards on one, out of memory, for the pages its workers render.

    A card is kept with its key (`key`, given by each build): what a page's fingerprint covers of its article (every
    field but the body, and the names of its people, topics and source: `incremental/fingerprint.py`), with the
    settings and templates. An article whose key is the one its card was made with gets that card back, from this
    process's own (a `TextStore`, out of memory) or from the cache (`read`, given by each build); any other is made
    again. A worker forked with the shelf reads the cards of this process, but neither the cache nor writes.
    """

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self._keys: dict[str, str] = dict(known or {})  # path -> the key of the card kept, here or in the cache
        self._texts: TextStore | None = None  # the cards made in this process
        self._unsaved: set[str] = set()  # the paths of those the cache does not have yet
        self._owner = os.getpid()
        self.key: Callable[[Article], str] | None = None  # an article's key, in the build under way
        self.read: Callable[[str, str], str | None] | None = None  # a card from the build cache, by path and key

    def get(self, article: Article) -> Markup | None:
        """The article's card, if one was made with its key."""
        key = self.key(article) if self.key is not None else None
        if key is None or self._keys.get(article.path) != key:
            return None
        if self._texts is not None and article.path in self._texts:
            return Markup(self._texts[article.path])
        text = self.read(article.path, key) if self.read is not None and os.getpid() == self._owner else None
        return None if text is None else Markup(text)

    def put(self, article: Article, html: str) -> None:
        """Keep the card made of `article` (in the process that made the shelf; in another, nothing)."""
        if self.key is None or os.getpid() != self._owner:
            return
        if self._texts is None:
            self._texts = TextStore()
        self._texts[article.path] = html
        self._keys[article.path] = self.key(article)
        self._unsaved.add(article.path)

    def unsaved(self) -> Iterator[tuple[str, str, str]]:
        """(path, key, card) of each card the cache does not have yet, read one at a time (at 100,000 articles, the
        cards of a first build take 110 MB); once asked, the cache is taken to have them."""
        paths, self._unsaved = sorted(self._unsaved), set()
        for path in paths:
            assert self._texts is not None
            yield path, self._keys[path], self._texts[path]


class PageRenderer:
    """Renders pages of one site; keeps the problem of each page whose template failed."""

    def __init__(self, env: jinja2.Environment, site: Site, site_dir: Path, words: Messages = ENGLISH,
                 shelf: CardShelf | None = None) -> None:
        self.env = env
        self.site = site
        self.words = words  # the language's messages (`render/i18n.py`)
        self.site_dir = site_dir
        self.problems: list[Problem] = []
        self._cards: dict[str, Markup] = {}  # made by this process in this build (and, without a shelf, by workers)
        self._entries: dict[tuple[str, str, bool], Markup] = {}
        self.shelf = shelf  # the cards of earlier builds, and where this one's are kept for the next
        env.globals["card"] = self.card
        env.globals["feed_entry"] = self.feed_entry

    def card(self, article: Article) -> Markup:
        """An article's card (`_card.html`), rendered once and reused on every list that shows it."""
        html = self._cards.get(article.path)
        if html is None:
            kept = self.shelf.get(article) if self.shelf is not None else None
            if kept is not None:  # (read each time it is shown, as the workers' cards are)
                return kept
            html = Markup(self.env.get_template("_card.html").render(article=article, site=self.site))
            if self.shelf is not None:
                self.shelf.put(article, html)
            self._cards[article.path] = html
        return html

    def feed_entry(self, template: str, article: Article, full_content: bool = False) -> Markup:
        """An article's entry in a feed (`template`: `_atom_entry.xml`, `_feed_entry.json`), rendered once and
        reused by the other feeds that list it (an article is in the feed of each of its people and topics).
        The first `ENTRIES_KEPT` entries made are kept: enough for the feeds of 10,000 articles to share, few
        enough to hold in each worker process at 100,000."""
        key = (template, article.path, full_content)
        text = self._entries.get(key)
        if text is None:
            text = Markup(self.env.get_template(template).render(article=article, full_content=full_content,
                                                                 site=self.site))
            if len(self._entries) < ENTRIES_KEPT:
                self._entries[key] = text
        return text

    def add_card(self, article: Article, html: str) -> None:
        """An article's card, rendered elsewhere (in a worker process): on the shelf, which keeps it out of memory,
        else in memory."""
        if self.shelf is not None and self.shelf.key is not None:
            self.shelf.put(article, html)
        else:
            self._cards[article.path] = Markup(html)

    def render(self, page: Page) -> bytes | None:
        """The page's bytes, or None if its template failed (the problem is kept)."""
        if page.template is None:
            return page.body or b""
        try:
            template = self.env.get_template(page.template)
            text = template.render({**page.context, **page_words(page, self.site.config, self.words)}, kind=page.kind,
                                   site=self.site, page=page)
        except jinja2.TemplateNotFound as exc:
            self._add(None, None, f"no template `{exc.name}` in the theme",
                      f"Add it to templates/, or use a theme that has it (first needed for {page.url}).")
            return None
        except Exception as exc:  # noqa: BLE001 - a theme's mistake becomes a report, not a traceback
            path, line = self._where(exc)
            self._add(path, line, f"template error: {exc}",
                      f"Check the template on this line (it failed rendering {page.url}); the values a "
                      "template gets are listed in the README's theming section.")
            return None
        if page.kind is PageKind.EMAIL and page.template.endswith(".html"):
            text = mail_ready(text, self.site.config.abs_url(page.url))
        return text.encode("utf-8")

    def _where(self, exc: BaseException) -> tuple[str | None, int | None]:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".htm", ".txt")):
                return template_label(frame.filename, self.site_dir), frame.lineno
        return None, None

    def _add(self, path: str | None, line: int | None, message: str, hint: str) -> None:
        self.problems.append(Problem(path=path, line=line, message=message, hint=hint))


def render_pages(renderers: Mapping[str, PageRenderer], pages: Sequence[Page], stage: Callable[[str, bytes], bool],
                 jobs: int, progress: Callable[[int], None] | None = None,
                 filled: Callable[[Page], Page] | None = None,
                 meanwhile: Callable[[], object] | None = None) -> tuple[list[tuple[str, bool]], list[Problem]]:
    """Render `pages`, handing each one's output path and bytes to `stage` in the process that rendered it.

    `filled`: a page as it is rendered, with what it leaves out filled in (the bodies it shows). `meanwhile`:
    work of this process, done while worker processes render the pages.

    `renderers`: by language code, each page's (the first renders the site's own files). Returns
    what `stage` said of each page rendered (whether it wrote the file), and the problems of the
    pages whose templates failed: one per template mistake, not one per page.
    """
    if not pages:
        if meanwhile is not None:
            meanwhile()
        return [], []
    first = next(iter(renderers.values()))

    def render_one(index: int) -> tuple[str, bool | None, list[Problem], dict[cldr.Key, str] | None]:
        page = pages[index]  # workers are forked with `pages` in memory: only indexes travel
        if filled is not None:
            page = filled(page)
        renderer = renderers.get(page.language, first)
        data = renderer.render(page)
        if data is None:
            problems, renderer.problems = renderer.problems, []
            return page.output_path, None, problems, cldr.learned()
        return page.output_path, stage(page.output_path, data), [], cldr.learned()

    if len(pages) >= max(MIN_PARALLEL_RENDER, sum(len(r.site.articles) for r in renderers.values())) and jobs > 1:
        # Where the pages show about every article, render every card once, in parallel, before the
        # page workers fork with all of them: otherwise each worker renders the cards of its pages
        # itself. A few hundred pages (an edit's) show a fraction of them: those are rendered as needed.
        cards = [(renderer, article) for renderer in renderers.values() for article in renderer.site.articles]

        def render_card(index: int) -> tuple[str, dict[cldr.Key, str] | None]:
            return str(cards[index][0].card(cards[index][1])), cldr.learned()

        made = parallel_map(render_card, range(len(cards)), jobs, MIN_PARALLEL_RENDER)
        for (renderer, article), (html, told) in zip(cards, made):
            renderer.add_card(article, html)
            if told:  # the dates a worker asked Babel, for the build to keep
                cldr.learn(told)
    staged: list[tuple[str, bool]] = []
    problems: list[Problem] = []
    seen: set[tuple[str | None, int | None, str]] = set()
    for output_path, written, found, told in parallel_map(render_one, range(len(pages)), jobs, MIN_PARALLEL_RENDER,
                                                          progress, meanwhile):
        if told:
            cldr.learn(told)
        for problem in found:
            key = (problem.path, problem.line, problem.message)  # the hint names the page
            if key not in seen:  # one report per template mistake, not one per page or worker
                seen.add(key)
                problems.append(problem)
        if written is not None:
            staged.append((output_path, written))
    return staged, problems
