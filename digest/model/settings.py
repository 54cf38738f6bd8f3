"""The site's settings as a value: `SiteConfig`, read from `digest.yaml` by `read/config.py`."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from digest.model.values import EMPTY

@dataclass(frozen=True, slots=True, kw_only=True)
class MarkdownOptions:
    """How article bodies are turned into HTML."""

    unsafe_html: bool = False  # pass raw HTML through instead of escaping it
    toc_levels: tuple[int, int] = (2, 3)  # heading levels that get ids and TOC entries
    highlight: bool = True  # colour fenced code with Pygments


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """One language of a multilingual site: `languages:` in digest.yaml, the first the default."""

    code: str  # BCP 47, as pages and feeds give it: "fr", "zh-CN"
    root: str  # the path of its pages in the site: "/" for the default language, else "/fr/"
    title: str | None = None  # the site's title in it; None: the site's `title`
    description: str | None = None  # likewise, `description`
    locale: str = "en_001"  # the CLDR locale of its dates and plural rules
    direction: Literal["ltr", "rtl"] = "ltr"
    name: str = ""  # its name in itself, for the language switcher: "français"


Cadence = Literal["daily", "weekly", "monthly"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EditionSettings:
    """`editions:` in digest.yaml: how the articles are gathered into numbered editions (`link/editions.py`)."""

    every: Cadence = "weekly"
    week_starts: int = 0  # the first day of a weekly edition's week: 0 is Monday, 6 Sunday
    publish_day: int | None = None  # the weekday it goes out on, on or after its period's last day; None: that day
    first_number: int = 1
    start: datetime.date | None = None  # a day of the first edition's period; None: that of the oldest article
    title: str = "{site} #{number}"  # placeholders {site}, {number}, {year}, {month}, {day} (of its date)
    skip: tuple[datetime.date, ...] = ()  # a day of each period with no edition: its articles join the next


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings:
    """`smtp:` in digest.yaml: where `digest edition --send` hands the newsletter. The user name and password
    come from the environment (`DIGEST_SMTP_USER`, `DIGEST_SMTP_PASSWORD`), never from the file."""

    host: str = ""
    port: int = 587
    sender: str = ""  # `from:`: "World Digest <digest@example.org>"
    recipients: tuple[str, ...] = ()  # `to:`: the list's address, or a service's
    starttls: bool = True  # upgrade the connection with STARTTLS before anything is sent


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """The site's settings: `digest.yaml` read, checked and given defaults."""

    title: str = "My Digest"
    description: str = ""
    base_url: str = "https://example.org/"  # absolute, ends with "/"
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    per_page: int = 10
    feed_size: int = 20
    related: int = 5
    article_url: str = "/{year}/{month}/{slug}/"
    edition_url: str = "/editions/{number}/"  # `permalinks.edition`: {number}, {year}, {month}, {day} (of its date)
    markdown: MarkdownOptions = field(default_factory=MarkdownOptions)
    search: bool = True  # a search page and a Pagefind index of the articles
    domain: str | None = None  # the custom domain `digest publish` writes into CNAME
    theme_options: Mapping[str, object] = field(default_factory=lambda: EMPTY)
    meta: Mapping[str, object] = field(default_factory=lambda: EMPTY)  # `params:`, free values for templates
    languages: tuple[Language, ...] = ()  # empty: a site in one language, `language`
    default_language_in_subdir: bool = False  # the default language's pages under /en/ too
    import_drop: tuple[str, ...] = ()  # `import.drop`: expressions of lines `digest import` leaves out
    editions: EditionSettings | None = None  # None: `editions: none`, a site without editions
    smtp: SmtpSettings | None = None
    # the language these settings describe: the site's, or one of `languages` (`in_language`)
    root: str = "/"  # the path of its pages in the site
    locale: str = "en_001"  # the CLDR locale of its dates and plural rules
    direction: Literal["ltr", "rtl"] = "ltr"
    _base_path: str = field(init=False, repr=False, compare=False, default="/")  # from base_url, once
    _origin: str = field(init=False, repr=False, compare=False, default="")  # the same

    def __post_init__(self) -> None:
        rest = self.base_url.split("://", 1)[-1]
        slash = rest.find("/")
        object.__setattr__(self, "_base_path", rest[slash:] if slash >= 0 else "/")
        object.__setattr__(self, "_origin", self.base_url[: len(self.base_url) - len(self._base_path)])

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" or "/news/"."""
        return self._base_path

    @property
    def origin(self) -> str:
        """Scheme and host of `base_url`: "https://example.org"."""
        return self._origin

    def url_for(self, url: str) -> str:
        """A site-relative URL as the browser needs it, under the base path.

        >>> SiteConfig(base_url="https://example.org/news/").url_for("/people/")
        '/news/people/'
        """
        if "://" in url or url.startswith(("//", "#", "mailto:")):
            return url
        return self._base_path + url.lstrip("/")

    def page_url(self, path: str) -> str:
        """A path within this config's language, as the browser needs it: `/people/` is `/fr/people/` in French.

        >>> SiteConfig(base_url="https://example.org/news/", root="/fr/").page_url("/people/")
        '/news/fr/people/'
        """
        return self.url_for(self.root + path.lstrip("/"))

    def in_language(self, language: Language) -> SiteConfig:
        """The settings of one of the site's languages: its title, description, path, locale and direction."""
        return dataclasses.replace(self, language=language.code, title=language.title or self.title,
                                   description=language.description or self.description, root=language.root,
                                   locale=language.locale, direction=language.direction)

    def abs_url(self, url: str) -> str:
        """A site-relative URL made absolute, for feeds, sitemaps and canonical links.

        >>> SiteConfig(base_url="https://example.org/news/").abs_url("/feed.xml")
        'https://example.org/news/feed.xml'
        """
        if "://" in url:
            return url
        return self._origin + self.url_for(url)
