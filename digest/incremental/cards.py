"""The articles' cards a build starts from: those of the warm site, else those the build cache keeps.

A card (`_card.html`) is on the pages of every term its article names, so an edit of one article's people
renders again the pages of terms that list thousands of others: made again, their cards took about half the
time those pages took to render (at 10,000 articles, 64 ms of 143). A card kept is used again while its key
is the same (`Fingerprints.card`: the article as pages show it, the names of its terms, the settings and
templates); `render.renderer.CardShelf` holds them, and the build gives the cache the new ones.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from digest.incremental.cache import BuildCache
from digest.incremental.fingerprint import Fingerprints
from digest.render.renderer import CardShelf


def shelves(cache: BuildCache | None, printers: Mapping[str, Fingerprints],
            kept: Mapping[str, CardShelf] | None = None) -> dict[str, CardShelf]:
    """Each language's cards, for a build whose articles `printers` know (by language): those of the warm site
    (`kept`), else those of the cache (None: a build without one, whose shelves start empty and hold this build's
    cards only); a card not on a warm site's shelf is read from the cache."""
    found = {}
    for language, printer in printers.items():
        shelf = (kept or {}).get(language) or CardShelf(cache.card_keys(language) if cache is not None else None)
        shelf.key = printer.card
        shelf.read = functools.partial(cache.card, language) if cache is not None else None
        found[language] = shelf
    return found
