"""Stage 6, render: a `Page` → the bytes of its file, through the theme's Jinja templates."""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup

from digest.model import Article, Page, Problem, Site
from digest.theme import template_label


class PageRenderer:
    """Renders pages of one site; keeps the problem of each page whose template failed."""

    def __init__(self, env: jinja2.Environment, site: Site, site_dir: Path) -> None:
        self.env = env
        self.site = site
        self.site_dir = site_dir
        self.problems: list[Problem] = []
        self._cards: dict[str, Markup] = {}
        env.globals["card"] = self.card

    def card(self, article: Article) -> Markup:
        """An article's card (`_card.html`), rendered once and reused on every list that shows it."""
        html = self._cards.get(article.path)
        if html is None:
            html = Markup(self.env.get_template("_card.html").render(article=article, site=self.site))
            self._cards[article.path] = html
        return html

    def add_cards(self, cards: dict[str, str]) -> None:
        """Cards rendered elsewhere (in worker processes), by article path."""
        self._cards.update((path, Markup(html)) for path, html in cards.items())

    def render(self, page: Page) -> bytes | None:
        """The page's bytes, or None if its template failed (the problem is kept)."""
        if page.template is None:
            return page.body or b""
        try:
            template = self.env.get_template(page.template)
            text = template.render(page.context, site=self.site, page=page)
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
        return text.encode("utf-8")

    def _where(self, exc: BaseException) -> tuple[str | None, int | None]:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".htm", ".txt")):
                return template_label(frame.filename, self.site_dir), frame.lineno
        return None, None

    def _add(self, path: str | None, line: int | None, message: str, hint: str) -> None:
        self.problems.append(Problem(path=path, line=line, message=message, hint=hint))
