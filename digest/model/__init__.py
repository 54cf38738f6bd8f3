"""The nouns of a site: the values that flow from one stage of a build to the next.

Every type here is a frozen dataclass: a stage that learns more returns a new value of a
new type. This package imports nothing else of digest, so every stage can import it and
imports keep pointing one way. Its modules, in the order they build on each other:
`values` (problems, errors, a read-only mapping), `settings` (`SiteConfig`), `content`
(articles, terms, the `Site`) and `pages` (`Page`, `PageKind`); every name is here too.
The nouns of a build run itself (its options, its result, what it leaves in the cache)
are in `records.py`.
"""

from digest.model.content import (LINK_LINES, Article, ArticleLinks, Edition, EditionPage, EditionRef, EditionSection,
                                  Period, Site, SourceFile, Term, TermPage, TermRef, TocEntry, packed_toc, term_url)
from digest.model.pages import Page, PageKind, Paginator
from digest.model.settings import Cadence, EditionSettings, Language, MarkdownOptions, SiteConfig, SmtpSettings
from digest.model.values import (EMPTY, TAXONOMIES, DigestError, FrozenMap, Problem, Severity, Taxonomy, UsageError,
                                 __version__, sort_problems)

__all__ = ["EMPTY", "LINK_LINES", "TAXONOMIES", "Article", "ArticleLinks", "Cadence", "DigestError", "Edition",
           "EditionPage", "EditionRef", "EditionSection", "EditionSettings", "FrozenMap", "Language",
           "MarkdownOptions", "Page", "PageKind", "Paginator", "Period", "Problem", "Severity", "Site", "SiteConfig",
           "SmtpSettings", "SourceFile", "Taxonomy", "Term", "TermPage", "TermRef", "TocEntry", "UsageError",
           "__version__", "packed_toc", "sort_problems", "term_url"]
